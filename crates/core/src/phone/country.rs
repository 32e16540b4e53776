//! Country calling codes (ITU-T E.164 assignments): the code, the ISO 3166 region it is best
//! known for, and a Chinese name. Codes are prefix-free, so at most one entry matches the start of
//! an international number. Shared codes (`1` North America, `7` Russia/Kazakhstan) are listed
//! once under their largest member.

use serde::Serialize;

#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Country {
    /// Calling code without `+` (`44`).
    pub calling_code: u16,
    /// ISO 3166-1 alpha-2 (`GB`).
    pub iso: &'static str,
    /// Chinese name (`英国`).
    pub name: &'static str,
}

macro_rules! countries {
    ($( $code:literal $iso:literal $name:literal ),* $(,)?) => {
        /// The table, sorted by calling code.
        pub static COUNTRIES: &[Country] = &[ $( Country { calling_code: $code, iso: $iso, name: $name }, )* ];
    };
}

countries! {
    1 "US" "美国/加拿大", 7 "RU" "俄罗斯/哈萨克斯坦",
    20 "EG" "埃及", 27 "ZA" "南非", 30 "GR" "希腊", 31 "NL" "荷兰", 32 "BE" "比利时", 33 "FR" "法国",
    34 "ES" "西班牙", 36 "HU" "匈牙利", 39 "IT" "意大利", 40 "RO" "罗马尼亚", 41 "CH" "瑞士",
    43 "AT" "奥地利", 44 "GB" "英国", 45 "DK" "丹麦", 46 "SE" "瑞典", 47 "NO" "挪威", 48 "PL" "波兰",
    49 "DE" "德国", 51 "PE" "秘鲁", 52 "MX" "墨西哥", 53 "CU" "古巴", 54 "AR" "阿根廷", 55 "BR" "巴西",
    56 "CL" "智利", 57 "CO" "哥伦比亚", 58 "VE" "委内瑞拉", 60 "MY" "马来西亚", 61 "AU" "澳大利亚",
    62 "ID" "印度尼西亚", 63 "PH" "菲律宾", 64 "NZ" "新西兰", 65 "SG" "新加坡", 66 "TH" "泰国",
    81 "JP" "日本", 82 "KR" "韩国", 84 "VN" "越南", 86 "CN" "中国", 90 "TR" "土耳其", 91 "IN" "印度",
    92 "PK" "巴基斯坦", 93 "AF" "阿富汗", 94 "LK" "斯里兰卡", 95 "MM" "缅甸", 98 "IR" "伊朗",
    211 "SS" "南苏丹", 212 "MA" "摩洛哥", 213 "DZ" "阿尔及利亚", 216 "TN" "突尼斯", 218 "LY" "利比亚",
    220 "GM" "冈比亚", 221 "SN" "塞内加尔", 222 "MR" "毛里塔尼亚", 223 "ML" "马里", 224 "GN" "几内亚",
    225 "CI" "科特迪瓦", 226 "BF" "布基纳法索", 227 "NE" "尼日尔", 228 "TG" "多哥", 229 "BJ" "贝宁",
    230 "MU" "毛里求斯", 231 "LR" "利比里亚", 232 "SL" "塞拉利昂", 233 "GH" "加纳", 234 "NG" "尼日利亚",
    235 "TD" "乍得", 236 "CF" "中非", 237 "CM" "喀麦隆", 238 "CV" "佛得角", 239 "ST" "圣多美和普林西比",
    240 "GQ" "赤道几内亚", 241 "GA" "加蓬", 242 "CG" "刚果（布）", 243 "CD" "刚果（金）", 244 "AO" "安哥拉",
    245 "GW" "几内亚比绍", 246 "IO" "迪戈加西亚", 247 "AC" "阿森松岛", 248 "SC" "塞舌尔", 249 "SD" "苏丹",
    250 "RW" "卢旺达", 251 "ET" "埃塞俄比亚", 252 "SO" "索马里", 253 "DJ" "吉布提", 254 "KE" "肯尼亚",
    255 "TZ" "坦桑尼亚", 256 "UG" "乌干达", 257 "BI" "布隆迪", 258 "MZ" "莫桑比克", 260 "ZM" "赞比亚",
    261 "MG" "马达加斯加", 262 "RE" "留尼汪", 263 "ZW" "津巴布韦", 264 "NA" "纳米比亚", 265 "MW" "马拉维",
    266 "LS" "莱索托", 267 "BW" "博茨瓦纳", 268 "SZ" "斯威士兰", 269 "KM" "科摩罗", 290 "SH" "圣赫勒拿",
    291 "ER" "厄立特里亚", 297 "AW" "阿鲁巴", 298 "FO" "法罗群岛", 299 "GL" "格陵兰",
    350 "GI" "直布罗陀", 351 "PT" "葡萄牙", 352 "LU" "卢森堡", 353 "IE" "爱尔兰", 354 "IS" "冰岛",
    355 "AL" "阿尔巴尼亚", 356 "MT" "马耳他", 357 "CY" "塞浦路斯", 358 "FI" "芬兰", 359 "BG" "保加利亚",
    370 "LT" "立陶宛", 371 "LV" "拉脱维亚", 372 "EE" "爱沙尼亚", 373 "MD" "摩尔多瓦", 374 "AM" "亚美尼亚",
    375 "BY" "白俄罗斯", 376 "AD" "安道尔", 377 "MC" "摩纳哥", 378 "SM" "圣马力诺", 379 "VA" "梵蒂冈",
    380 "UA" "乌克兰", 381 "RS" "塞尔维亚", 382 "ME" "黑山", 383 "XK" "科索沃", 385 "HR" "克罗地亚",
    386 "SI" "斯洛文尼亚", 387 "BA" "波黑", 389 "MK" "北马其顿", 420 "CZ" "捷克", 421 "SK" "斯洛伐克",
    423 "LI" "列支敦士登", 500 "FK" "福克兰群岛", 501 "BZ" "伯利兹", 502 "GT" "危地马拉",
    503 "SV" "萨尔瓦多", 504 "HN" "洪都拉斯", 505 "NI" "尼加拉瓜", 506 "CR" "哥斯达黎加",
    507 "PA" "巴拿马", 508 "PM" "圣皮埃尔和密克隆", 509 "HT" "海地", 590 "GP" "瓜德罗普",
    591 "BO" "玻利维亚", 592 "GY" "圭亚那", 593 "EC" "厄瓜多尔", 594 "GF" "法属圭亚那",
    595 "PY" "巴拉圭", 596 "MQ" "马提尼克", 597 "SR" "苏里南", 598 "UY" "乌拉圭", 599 "CW" "库拉索",
    670 "TL" "东帝汶", 672 "NF" "诺福克岛", 673 "BN" "文莱", 674 "NR" "瑙鲁", 675 "PG" "巴布亚新几内亚",
    676 "TO" "汤加", 677 "SB" "所罗门群岛", 678 "VU" "瓦努阿图", 679 "FJ" "斐济", 680 "PW" "帕劳",
    681 "WF" "瓦利斯和富图纳", 682 "CK" "库克群岛", 683 "NU" "纽埃", 685 "WS" "萨摩亚",
    686 "KI" "基里巴斯", 687 "NC" "新喀里多尼亚", 688 "TV" "图瓦卢", 689 "PF" "法属波利尼西亚",
    690 "TK" "托克劳", 691 "FM" "密克罗尼西亚", 692 "MH" "马绍尔群岛", 850 "KP" "朝鲜",
    852 "HK" "中国香港", 853 "MO" "中国澳门", 855 "KH" "柬埔寨", 856 "LA" "老挝",
    870 "XN" "国际海事卫星", 880 "BD" "孟加拉国", 881 "XG" "全球移动卫星", 882 "XI" "国际网络",
    883 "XI" "国际网络", 886 "TW" "中国台湾", 888 "XO" "联合国人道主义事务",
    960 "MV" "马尔代夫", 961 "LB" "黎巴嫩", 962 "JO" "约旦", 963 "SY" "叙利亚", 964 "IQ" "伊拉克",
    965 "KW" "科威特", 966 "SA" "沙特阿拉伯", 967 "YE" "也门", 968 "OM" "阿曼", 970 "PS" "巴勒斯坦",
    971 "AE" "阿联酋", 972 "IL" "以色列", 973 "BH" "巴林", 974 "QA" "卡塔尔", 975 "BT" "不丹",
    976 "MN" "蒙古", 977 "NP" "尼泊尔", 992 "TJ" "塔吉克斯坦", 993 "TM" "土库曼斯坦",
    994 "AZ" "阿塞拜疆", 995 "GE" "格鲁吉亚", 996 "KG" "吉尔吉斯斯坦", 998 "UZ" "乌兹别克斯坦",
}

/// The country whose calling code starts `digits` (ASCII), with the code's length.
pub fn match_calling_code(digits: &[u8]) -> Option<(&'static Country, usize)> {
    let mut v = 0u16;
    for (i, &b) in digits.iter().take(3).enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u16::from(b - b'0');
        if let Ok(pos) = COUNTRIES.binary_search_by_key(&v, |c| c.calling_code) {
            return Some((&COUNTRIES[pos], i + 1));
        }
    }
    None
}

/// The country with this calling code.
pub fn by_calling_code(code: u16) -> Option<&'static Country> {
    COUNTRIES
        .binary_search_by_key(&code, |c| c.calling_code)
        .ok()
        .map(|i| &COUNTRIES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_prefix_free() {
        for w in COUNTRIES.windows(2) {
            assert!(w[0].calling_code < w[1].calling_code, "{:?}", w[1]);
        }
        for a in COUNTRIES {
            for b in COUNTRIES {
                if a.calling_code == b.calling_code {
                    continue;
                }
                let (sa, sb) = (a.calling_code.to_string(), b.calling_code.to_string());
                assert!(!sb.starts_with(&sa), "{sa} is a prefix of {sb}");
            }
        }
    }

    #[test]
    fn calling_codes_match_by_prefix() {
        assert_eq!(match_calling_code(b"12025550123").unwrap().0.iso, "US");
        assert_eq!(
            match_calling_code(b"85291234567").unwrap(),
            (by_calling_code(852).unwrap(), 3)
        );
        assert_eq!(match_calling_code(b"855").unwrap().0.name, "柬埔寨");
        assert_eq!(match_calling_code(b"95912").unwrap().0.iso, "MM");
        assert!(match_calling_code(b"8001").is_none());
        assert!(match_calling_code(b"").is_none());
    }
}
