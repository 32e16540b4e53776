//! 订单信息泄露溯源: what a case narrative (简要案情) says about the order a fake customer-service
//! caller knew — the shopping platform, the shop, the courier — so that the analyst's form opens
//! filled in and cases can be grouped by the place the data leaked from (seed 002: waybill data
//! stolen from courier outlets and sold to fraud rings). Names are matched against the
//! platforms and couriers people actually write, short forms included; the shop is the name
//! written before 店 / 旗舰店 / 专营店 / 专卖店 in the narrative. Names group under
//! `fanzha_core::name_key`.

/// The shopping platforms, each with the names people write for it (the first is the one kept).
pub const PLATFORMS: &[(&str, &[&str])] = &[
    ("淘宝", &["淘宝", "手淘"]),
    ("天猫", &["天猫"]),
    ("京东", &["京东商城", "京东"]),
    ("拼多多", &["拼多多", "多多"]),
    ("抖音", &["抖音商城", "抖音小店", "抖音", "抖店"]),
    ("快手", &["快手小店", "快手"]),
    ("唯品会", &["唯品会"]),
    ("闲鱼", &["闲鱼"]),
    ("小红书", &["小红书"]),
    ("美团", &["美团"]),
    ("得物", &["得物"]),
    ("苏宁", &["苏宁易购", "苏宁"]),
];

/// The courier companies, each with the names people write for it (the first is the one kept).
pub const COURIERS: &[(&str, &[&str])] = &[
    ("顺丰", &["顺丰"]),
    ("中通", &["中通"]),
    ("圆通", &["圆通"]),
    ("申通", &["申通"]),
    ("韵达", &["韵达"]),
    ("极兔", &["极兔", "百世"]),
    ("京东物流", &["京东物流", "京东快递"]),
    ("邮政EMS", &["中国邮政", "邮政", "EMS", "ems"]),
    ("德邦", &["德邦"]),
    ("菜鸟驿站", &["菜鸟驿站", "菜鸟"]),
    ("丰网", &["丰网"]),
];

/// What a narrative says about the order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderMention {
    pub platform: Option<&'static str>,
    pub shop: Option<String>,
    pub courier: Option<&'static str>,
}

/// The first name of `table` the text contains, at its earliest position (the longest alias
/// wins at one position, so 京东物流 is a courier before 京东 is a platform).
fn first_of(text: &str, table: &[(&'static str, &[&str])]) -> Option<(&'static str, usize, usize)> {
    let mut best: Option<(&'static str, usize, usize)> = None;
    for (name, aliases) in table {
        for alias in *aliases {
            if let Some(at) = text.find(alias) {
                let better = match best {
                    None => true,
                    Some((_, b, len)) => at < b || (at == b && alias.len() > len),
                };
                if better {
                    best = Some((name, at, alias.len()));
                }
            }
        }
    }
    best
}

/// Characters that end a shop's name when read backwards from 店.
fn ends_name(c: char) -> bool {
    c.is_whitespace() || "，。、；：！？“”‘’「」《》（）()[]【】,.;:!?\"'的在从买购".contains(c)
}

const SHOP_SUFFIXES: [&str; 5] = ["官方旗舰店", "旗舰店", "专营店", "专卖店", "店铺"];

/// The shop named in `text`: the words before the first 旗舰店 / 专营店 / 专卖店 / 店铺 / 店,
/// back to a punctuation mark or a connecting word (在, 的, 买 …), two to twenty characters.
fn shop_in(text: &str) -> Option<String> {
    let mut candidates: Vec<(usize, &str)> = Vec::new();
    for suffix in SHOP_SUFFIXES.iter().chain(std::iter::once(&"店")) {
        let mut from = 0;
        while let Some(i) = text[from..].find(suffix) {
            candidates.push((from + i, suffix));
            from += i + suffix.len();
        }
    }
    candidates.sort_by_key(|(at, suffix)| (*at, std::cmp::Reverse(suffix.len())));
    for (at, suffix) in candidates {
        // 店家, 店员, 店主, 店长: the shop's people, not its name.
        let after = text[at + suffix.len()..].chars().next();
        if suffix == "店" && after.is_some_and(|c| "家员主长".contains(c)) {
            continue;
        }
        let before: Vec<char> = text[..at].chars().collect();
        let start = before
            .iter()
            .rposition(|c| ends_name(*c))
            .map_or(0, |i| i + 1);
        let mut name: String = before[start..].iter().collect();
        // What comes after a platform's name (拼多多小米数码专营店): a platform alone (淘宝店)
        // says nothing of the shop.
        for (_, aliases) in PLATFORMS {
            for alias in *aliases {
                if let Some(i) = name.rfind(alias) {
                    name = name[i + alias.len()..].to_string();
                }
            }
        }
        let name = name.trim_start_matches(['上', '里']).to_string();
        if (2..=20).contains(&name.chars().count()) {
            return Some(format!(
                "{name}{}",
                if suffix == "店铺" { "" } else { suffix }
            ));
        }
    }
    None
}

/// The platform, shop and courier `narrative` names, where it names them.
pub fn mentions(narrative: &str) -> OrderMention {
    let courier = first_of(narrative, COURIERS);
    // A platform found inside the courier's own name (京东 in 京东物流) is not a platform.
    let platform = first_of(narrative, PLATFORMS).filter(|(_, at, _)| {
        courier.is_none_or(|(_, c_at, c_len)| *at < c_at || *at >= c_at + c_len)
    });
    OrderMention {
        platform: platform.map(|p| p.0),
        shop: shop_in(narrative),
        courier: courier.map(|c| c.0),
    }
}

/// The platform name kept for what a user wrote (`tb`, `手淘` → 淘宝), else the text trimmed.
pub fn platform_name(written: &str) -> String {
    canonical(written, PLATFORMS)
}

/// The courier name kept for what a user wrote (`中通快递` → 中通), else the text trimmed.
pub fn courier_name(written: &str) -> String {
    canonical(written, COURIERS)
}

fn canonical(written: &str, table: &[(&'static str, &[&str])]) -> String {
    let w = written.trim();
    if w.is_empty() {
        return String::new();
    }
    match first_of(w, table) {
        Some((name, _, _)) => name.to_string(),
        None => w.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrative_names_the_platform_the_shop_and_the_courier() {
        let m = mentions(
            "受害人称接到自称淘宝客服的电话，对方准确说出其在“优品家居旗舰店”购买的收纳柜订单号和中通快递单号，称商品质量问题需退款，诱导其下载会议软件并转账。",
        );
        assert_eq!(m.platform, Some("淘宝"));
        assert_eq!(m.shop.as_deref(), Some("优品家居旗舰店"));
        assert_eq!(m.courier, Some("中通"));
    }

    #[test]
    fn a_courier_named_after_a_platform_is_not_the_platform() {
        let m = mentions("对方自称京东物流客服，称快递丢失需理赔。");
        assert_eq!(m.courier, Some("京东物流"));
        assert_eq!(m.platform, None);
        let m = mentions("受害人在京东买了手机，对方称京东物流包裹丢失。");
        assert_eq!(m.platform, Some("京东"));
        assert_eq!(m.courier, Some("京东物流"));
    }

    #[test]
    fn a_bare_platform_shop_or_no_shop_gives_none() {
        assert_eq!(mentions("对方自称拼多多店家客服").shop, None);
        assert_eq!(mentions("在淘宝店买了衣服").shop, None);
        assert_eq!(mentions("对方称理赔").shop, None);
        assert_eq!(
            mentions("其在拼多多上的小米数码专营店下单").shop.as_deref(),
            Some("小米数码专营店")
        );
    }

    #[test]
    fn names_are_kept_in_one_form_and_grouped_loosely() {
        assert_eq!(courier_name(" 中通快递 "), "中通");
        assert_eq!(courier_name("EMS"), "邮政EMS");
        assert_eq!(platform_name("手淘"), "淘宝");
        assert_eq!(platform_name("某某商城"), "某某商城");
        assert_eq!(platform_name(""), "");
        assert_eq!(
            fanzha_core::name_key("中通快递 余姚　城东网点（一部）"),
            fanzha_core::name_key("中通快递余姚城东网点(一部)")
        );
        assert_eq!(fanzha_core::name_key("ＡＢＣ 旗舰店"), "abc旗舰店");
    }
}
