//! Fictional Chinese names: a surname weighted roughly by frequency and one or two given-name
//! characters chosen by sex.

use crate::records::Sex;
use crate::rng::{pick, unit, SimRng};

/// Common surnames, most frequent first (the first few carry most weight).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "方", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史", "陶",
    "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "戴", "莫", "孔", "向", "汤", "应",
];

const MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "欢", "阳", "建",
    "国", "峰", "亮", "成", "文", "志", "海", "东", "晨", "博", "睿", "轩", "子", "一", "泽", "航",
];

const FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "桂", "英", "红", "梅", "莉", "兰",
    "婷", "雪", "琳", "洁", "倩", "颖", "慧", "佳", "欣", "怡", "萍", "晶", "璐", "瑶", "悦", "诗",
    "雨", "思", "梓", "涵", "可", "馨", "月", "秀", "春", "晓", "宁", "文", "晴", "嘉", "彤", "蕾",
];

pub fn name(rng: &mut SimRng, sex: Sex) -> String {
    // Skew towards the front of the list: squaring a uniform favours small indices.
    let u = unit(rng);
    let surname = SURNAMES[((u * u) * SURNAMES.len() as f64) as usize % SURNAMES.len()];
    let chars = if sex == Sex::Male { MALE } else { FEMALE };
    let mut s = String::with_capacity(12);
    s.push_str(surname);
    s.push_str(pick(rng, chars));
    if unit(rng) < 0.7 {
        s.push_str(pick(rng, chars));
    }
    s
}
