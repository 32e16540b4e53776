//! Chinese first, English available: the language comes from the `lang` cookie (set by the
//! toggle in the header) and defaults to Chinese.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::CookieJar;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub const COOKIE: &'static str = "lang";

    pub fn from_headers(headers: &HeaderMap) -> Lang {
        match CookieJar::from_headers(headers)
            .get(Self::COOKIE)
            .map(|c| c.value())
        {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other language, for the toggle.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The UI string for `key`; unknown keys show the key itself so a gap is visible, not blank.
    pub fn t(self, key: &str) -> &'static str {
        match STRINGS.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => "?",
        }
    }
}

/// (key, 中文, English)
const STRINGS: &[(&str, &str, &str)] = &[
    ("product", "反诈指挥平台", "fanzha anti-fraud command"),
    ("login", "登录", "Log in"),
    ("logout", "退出", "Log out"),
    ("login_name", "账号", "Login"),
    ("password", "密码", "Password"),
    ("login_failed", "账号或密码错误", "Wrong login or password"),
    (
        "login_throttled",
        "失败次数过多，请稍后再试",
        "Too many failed attempts; try again later",
    ),
    ("unit", "所属单位", "Unit"),
    ("roles", "角色", "Roles"),
    ("permissions", "可用功能", "What you can do"),
    ("welcome", "欢迎", "Welcome"),
    ("switch_lang", "English", "中文"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_and_is_unique() {
        let mut keys: Vec<_> = STRINGS.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), STRINGS.len());
        for (k, zh, en) in STRINGS {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(Lang::Zh.t("login"), "登录");
        assert_eq!(Lang::En.t("login"), "Log in");
    }
}
