//! A warning's evidence in words an officer reads at a glance: a feature by its Chinese label
//! with its value in the unit it counts (时长, 元, 分钟, 是/否) and a suspect number by what it
//! is and where it is registered.

use super::view::{level_label, pick, yuan};
use crate::i18n::Lang;
use fanzha_core::{PhoneKind, PhoneNumber};
use fanzha_detect::PersonFeatures;
use serde_json::Value;

/// A feature's label in the reader's language; its code when the engine names one this build
/// does not know.
pub fn feature_label(lang: Lang, name: &str) -> String {
    match PersonFeatures::describe(name) {
        Some((zh, en)) => pick(lang, zh, en).trim_end_matches('.').to_string(),
        None => name.to_string(),
    }
}

/// A feature's value in its unit, read from the feature's name: `…_s` seconds, `…_fen` money,
/// `minutes_…` minutes (-1: never), booleans as yes/no, scores to two places.
pub fn feature_value(lang: Lang, name: &str, value: &Value) -> String {
    match value {
        Value::Bool(b) => pick(
            lang,
            if *b { "是" } else { "否" },
            if *b { "yes" } else { "no" },
        )
        .to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(v) if name.ends_with("_fen") || name.contains("_fen_") => yuan(v),
            Some(v) if name.ends_with("_s") => duration(lang, v),
            Some(v) if name.starts_with("minutes_") => {
                if v < 0 {
                    "—".to_string()
                } else {
                    format!("{v} {}", pick(lang, "分钟", "min"))
                }
            }
            Some(0) if name == "national_push_level" => pick(lang, "无", "none").to_string(),
            Some(v @ 1..=3) if name == "national_push_level" => level_label(lang, v as u8).into(),
            Some(v) => v.to_string(),
            None => n.as_f64().map(|x| format!("{x:.2}")).unwrap_or_default(),
        },
        Value::String(s) => s.clone(),
        Value::Null => "—".to_string(),
        other => other.to_string(),
    }
}

/// `1小时2分5秒` / `1 h 2 min 5 s`; negative (none) as a dash.
pub fn duration(lang: Lang, seconds: i64) -> String {
    if seconds < 0 {
        return "—".to_string();
    }
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let units = match lang {
        Lang::Zh => ["小时", "分", "秒"],
        Lang::En => [" h ", " min ", " s"],
    };
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}{}", units[0]));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}{}", units[1]));
    }
    out.push_str(&format!("{s}{}", units[2]));
    out.trim().to_string()
}

/// What a number is and where it is registered: `境外号码 · 老挝 (+856)`, `虚拟运营商号码 ·
/// 广东深圳`, `手机 · 浙江宁波 · 中国移动`. Empty when the number does not parse.
pub fn phone_origin(lang: Lang, number: &str) -> String {
    let Ok(p) = PhoneNumber::parse(number) else {
        return String::new();
    };
    let kind = match lang {
        Lang::Zh => p.kind().label(),
        Lang::En => match p.kind() {
            PhoneKind::Mobile => "mobile",
            PhoneKind::Virtual => "virtual operator",
            PhoneKind::FixedLine => "fixed line",
            PhoneKind::Service => "service number",
            PhoneKind::Overseas => "overseas",
        },
    };
    let mut parts = vec![kind.to_string()];
    if let Some(c) = p.country() {
        let name = pick(lang, c.name, c.iso);
        parts.push(format!("{name} (+{})", c.calling_code));
    }
    let place = format!(
        "{}{}",
        p.province().unwrap_or_default(),
        p.city()
            .filter(|c| Some(*c) != p.province())
            .unwrap_or_default()
    );
    if !place.is_empty() {
        parts.push(place);
    }
    if let Some(carrier) = p.carrier() {
        parts.push(carrier.label().to_string());
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_shown_in_their_units() {
        let zh = Lang::Zh;
        assert_eq!(
            feature_value(zh, "longest_suspect_call_s", &json!(754)),
            "12分34秒"
        );
        assert_eq!(
            feature_value(zh, "longest_suspect_call_s", &json!(3_605)),
            "1小时0分5秒"
        );
        assert_eq!(
            feature_value(Lang::En, "longest_suspect_call_s", &json!(45)),
            "45 s"
        );
        assert_eq!(
            feature_value(zh, "new_payee_fen_within_24h_of_contact", &json!(300_000)),
            yuan(300_000)
        );
        assert_eq!(
            feature_value(zh, "minutes_since_suspect_contact", &json!(-1)),
            "—"
        );
        assert_eq!(
            feature_value(zh, "minutes_contact_to_risky_app", &json!(7)),
            "7 分钟"
        );
        assert_eq!(feature_value(zh, "fraud_link_opened", &json!(true)), "是");
        assert_eq!(
            feature_value(Lang::En, "fraud_link_opened", &json!(false)),
            "no"
        );
        assert_eq!(
            feature_value(zh, "max_suspect_score", &json!(0.8765)),
            "0.88"
        );
        assert_eq!(feature_value(zh, "national_push_level", &json!(1)), "红色");
        assert_eq!(feature_value(zh, "national_push_level", &json!(0)), "无");
        assert_eq!(feature_value(zh, "fraud_domain_visits", &json!(2)), "2");
    }

    #[test]
    fn labels_come_from_the_engine_and_unknown_names_stay_readable() {
        assert_eq!(
            feature_label(Lang::Zh, "fraud_link_opened"),
            "打开嫌疑号码短信中的链接"
        );
        assert!(feature_label(Lang::En, "fraud_link_opened").starts_with("The person visited"));
        assert_eq!(
            feature_label(Lang::Zh, "from_a_newer_engine"),
            "from_a_newer_engine"
        );
    }

    #[test]
    fn numbers_say_what_and_where_they_are() {
        let overseas = phone_origin(Lang::Zh, "+85624020958");
        assert!(overseas.starts_with("境外号码 · "), "{overseas}");
        assert!(overseas.contains("(+856)"), "{overseas}");
        let mobile = phone_origin(Lang::Zh, "13805740000");
        assert!(mobile.starts_with("手机 · "), "{mobile}");
        assert!(phone_origin(Lang::Zh, "17012345678").starts_with("虚拟运营商号码"));
        assert!(phone_origin(Lang::En, "+85624020958").starts_with("overseas · LA"));
        assert_eq!(phone_origin(Lang::Zh, "not a number"), "");
    }
}
