//! Slot fillers of the synthetic corpus: names, amounts, places, platforms. Platform and
//! company names of the fraud templates are invented; real brands appear only where a scam
//! impersonates them.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "雪梅", "子涵", "浩然",
];
const CITIES: &[&str] = &[
    "成都",
    "绵阳",
    "德阳",
    "宜宾",
    "南充",
    "泸州",
    "重庆",
    "西安",
    "武汉",
    "长沙",
    "郑州",
    "昆明",
    "贵阳",
    "杭州",
    "南京",
    "合肥",
    "济南",
    "石家庄",
    "太原",
    "南昌",
    "福州",
    "广州",
    "深圳",
];
const DISTRICTS: &[&str] = &[
    "锦江",
    "青羊",
    "金牛",
    "武侯",
    "成华",
    "高新",
    "天府新区",
    "涪城",
    "旌阳",
    "翠屏",
    "顺庆",
    "江阳",
    "渝中",
    "雁塔",
    "江汉",
    "岳麓",
    "金水",
    "五华",
];
const SHOPS: &[&str] = &[
    "淘宝",
    "京东",
    "拼多多",
    "抖音商城",
    "唯品会",
    "快手小店",
    "天猫",
];
const COURIERS: &[&str] = &[
    "顺丰",
    "中通",
    "圆通",
    "韵达",
    "申通",
    "京东物流",
    "邮政EMS",
    "极兔",
];
const BANKS: &[&str] = &[
    "工商银行",
    "农业银行",
    "中国银行",
    "建设银行",
    "交通银行",
    "邮储银行",
    "招商银行",
    "浦发银行",
    "民生银行",
    "兴业银行",
    "中信银行",
    "农商银行",
];
const GAMES: &[&str] = &[
    "王者荣耀",
    "和平精英",
    "原神",
    "梦幻西游",
    "英雄联盟",
    "逆水寒",
    "穿越火线",
    "我的世界",
    "蛋仔派对",
    "第五人格",
    "永劫无间",
    "地下城与勇士",
];
const CHAT_APPS: &[&str] = &["微信", "QQ", "钉钉", "Telegram", "抖音私信", "陌陌", "Soul"];
const ROMANCE_SITES: &[&str] = &[
    "婚恋网站",
    "交友软件",
    "相亲平台",
    "婚恋APP",
    "同城交友群",
    "社交软件",
    "游戏语音房",
];
const LEADERS: &[&str] = &[
    "王总",
    "李局",
    "张校长",
    "刘主任",
    "陈书记",
    "赵处长",
    "孙经理",
    "周董",
    "吴科长",
    "郑院长",
];
const RELATIVES: &[&str] = &[
    "妈",
    "爸",
    "舅舅",
    "表哥",
    "二姨",
    "姑姑",
    "老同学",
    "大伯",
    "小姨",
    "堂弟",
    "老战友",
];
const GOODS: &[&str] = &[
    "iPhone 16",
    "茅台酒",
    "演唱会门票",
    "名牌包",
    "二手相机",
    "进口奶粉",
    "笔记本电脑",
    "游戏机",
    "黄金首饰",
    "电动车",
    "宠物猫",
    "名表",
    "化妆品套装",
    "土特产",
];
const INVENTED_PLATFORMS: &[&str] = &[
    "汇金国际",
    "鼎盛财富",
    "恒信期货",
    "瑞丰资本",
    "金鼎数字",
    "环球优选",
    "盛世通宝",
    "华誉投资",
    "星辰链",
    "富达汇",
    "嘉禾基金",
    "领航证券",
];
const INVENTED_LOAN_APPS: &[&str] = &[
    "速易贷",
    "金盈花",
    "闪电借",
    "安心贷",
    "众鑫借款",
    "及时雨",
    "惠民金融",
    "秒到账",
    "诚信钱包",
];
const INVENTED_TASK_APPS: &[&str] = &[
    "优享任务",
    "红果兼职",
    "蜜蜂众包",
    "星光点赞",
    "悦享派单",
    "聚宝盆",
    "乐淘赚",
    "天天有钱",
];
const POLICE_UNITS: &[&str] = &[
    "市公安局刑侦支队",
    "公安局经侦大队",
    "市人民检察院",
    "市中级人民法院",
    "公安局网安支队",
    "最高人民检察院",
    "市公安局反洗钱中心",
    "派出所",
];
const CRIMES: &[&str] = &[
    "洗钱",
    "非法集资",
    "贩卖个人信息",
    "跨境赌博",
    "电信诈骗",
    "走私",
    "医保卡违规套现",
    "非法出境",
];

fn pick<'a>(rng: &mut ChaCha8Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len())]
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// A filler for `{key}`; an unknown key yields itself (templates are written in this crate and
/// a unit test expands every one of them).
pub fn fill(key: &str, rng: &mut ChaCha8Rng) -> String {
    // Anonymised case files and forwarded messages mask names, numbers and links.
    if matches!(
        key,
        "name" | "phone" | "qq" | "link" | "order" | "platform" | "taskapp" | "loanapp"
    ) && rng.random_range(0..8) == 0
    {
        return pick(rng, &["XX", "XXX", "***", "xxxxxx", "某某"]).to_string();
    }
    match key {
        "surname" => pick(rng, SURNAMES).to_string(),
        "name" => format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN)),
        "sir" => format!(
            "{}{}",
            pick(rng, SURNAMES),
            pick(rng, &["先生", "女士", "老师", "师傅", "同学", "阿姨"])
        ),
        "victim" => format!(
            "{}某{}（{}，{}岁）",
            pick(rng, SURNAMES),
            pick(rng, &["", "某"]),
            pick(rng, &["男", "女"]),
            rng.random_range(18..75)
        ),
        "age" => rng.random_range(18..70).to_string(),
        "amount" => match rng.random_range(0..4) {
            0 => rng.random_range(100..2000).to_string(),
            1 => (rng.random_range(1..100) * 100).to_string(),
            2 => format!(
                "{}.{:02}",
                rng.random_range(1000..50000),
                rng.random_range(0..100)
            ),
            _ => (rng.random_range(1..60) * 1000).to_string(),
        },
        "big" => match rng.random_range(0..3) {
            0 => format!("{}万", rng.random_range(2..90)),
            1 => (rng.random_range(20..500) * 1000).to_string(),
            _ => format!("{}", rng.random_range(50_000..900_000)),
        },
        "small" => rng.random_range(5..300).to_string(),
        "pct" => format!("{}%", rng.random_range(3..40)),
        "n" => rng.random_range(2..12).to_string(),
        "date" => format!(
            "{}年{}月{}日",
            rng.random_range(2022..2027),
            rng.random_range(1..13),
            rng.random_range(1..29)
        ),
        "md" => format!("{}月{}日", rng.random_range(1..13), rng.random_range(1..29)),
        "time" => format!("{}:{:02}", rng.random_range(7..23), rng.random_range(0..60)),
        "clock" => format!(
            "{}{}时许",
            pick(rng, &["", "当日", "上午", "下午", "晚上"]),
            rng.random_range(1..13)
        ),
        "phone" => format!(
            "1{}{}",
            pick(rng, &["3", "5", "7", "8", "9"]),
            digits(rng, 9)
        ),
        "tail" => digits(rng, 4),
        "code" => digits(rng, 6),
        "order" => digits(rng, 12),
        "qq" => {
            let n = rng.random_range(8..11);
            digits(rng, n)
        }
        "link" => format!(
            "{}{}.{}/{}",
            pick(rng, &["http://", "https://", ""]),
            pick(rng, &["t", "u", "s", "url", "dwz", "k"]),
            pick(rng, &["cn", "com", "top", "vip", "cc"]),
            digits(rng, 5)
        ),
        "city" => pick(rng, CITIES).to_string(),
        "district" => pick(rng, DISTRICTS).to_string(),
        "shop" => pick(rng, SHOPS).to_string(),
        "courier" => pick(rng, COURIERS).to_string(),
        "bank" => pick(rng, BANKS).to_string(),
        "game" => pick(rng, GAMES).to_string(),
        "chat" => pick(rng, CHAT_APPS).to_string(),
        "site" => pick(rng, ROMANCE_SITES).to_string(),
        "leader" => pick(rng, LEADERS).to_string(),
        "relative" => pick(rng, RELATIVES).to_string(),
        "goods" => pick(rng, GOODS).to_string(),
        "platform" => pick(rng, INVENTED_PLATFORMS).to_string(),
        "loanapp" => pick(rng, INVENTED_LOAN_APPS).to_string(),
        "taskapp" => pick(rng, INVENTED_TASK_APPS).to_string(),
        "police" => format!("{}{}", pick(rng, CITIES), pick(rng, POLICE_UNITS)),
        "crime" => pick(rng, CRIMES).to_string(),
        "officer" => format!(
            "{}{}",
            pick(rng, SURNAMES),
            pick(rng, &["警官", "警官", "检察官", "法官", "队长", "科长"])
        ),
        "relative_or_boss" => pick(
            rng,
            &[
                "领导",
                "书记",
                "老板",
                "堂兄弟",
                "好友",
                "老同学",
                "表姐",
                "物业主管",
                "老师",
                "亲戚",
            ],
        )
        .to_string(),
        "school" => format!(
            "{}{}",
            pick(rng, CITIES),
            pick(rng, &["一中", "二中", "实验小学", "职业学校", "幼儿园"])
        ),
        "company" => format!(
            "{}{}",
            pick(rng, &["XX", "某", "华创", "博远", "启航", "金诚"]),
            pick(rng, &["公司", "传媒公司", "电商公司", "科技公司"])
        ),
        "bigapp" => pick(
            rng,
            &[
                "支付宝",
                "微信支付",
                "京东金融",
                "蚂蚁金服",
                "美团",
                "抖音",
                "银联",
                "平台",
            ],
        )
        .to_string(),
        "meetapp" => pick(rng, &["钉钉", "飞书", "腾讯会议", "Zoom", "屏幕共享软件"]).to_string(),
        other => other.to_string(),
    }
}

/// Every key [`fill`] knows (for the test that checks each has a filler).
#[cfg(test)]
pub const KEYS: &[&str] = &[
    "surname",
    "name",
    "sir",
    "victim",
    "age",
    "amount",
    "big",
    "small",
    "pct",
    "n",
    "date",
    "md",
    "time",
    "clock",
    "phone",
    "tail",
    "code",
    "order",
    "qq",
    "link",
    "city",
    "district",
    "shop",
    "courier",
    "bank",
    "game",
    "chat",
    "site",
    "leader",
    "relative",
    "goods",
    "platform",
    "loanapp",
    "taskapp",
    "police",
    "crime",
    "officer",
    "relative_or_boss",
    "school",
    "company",
    "bigapp",
    "meetapp",
];
