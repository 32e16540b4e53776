//! The kind of a pushed warning (预警种类) as the upstream platforms sort their daily lists: a
//! fund warning (资金预警: the person has paid, or is paying, an account the platform knows to be
//! a fraud account) is the one a center acts on before anything else — a protective stop-payment
//! (保护性止付) on the payee account at once, while the money is still there — and the others say
//! through which channel the fraudster reached the person (a call, an SMS, an app, a web site).
//! The import reads it (`fanzha-ingest`), the store keeps it on the warning (`fanzha-store`),
//! and the pages filter by it (`fanzha-web`), by these codes.

use serde::{Deserialize, Serialize};

/// A pushed warning's kind; stored and sent by its [`PushKind::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushKind {
    /// 资金预警: a transfer to a known fraud account.
    Fund,
    /// 电话预警: calls from a fraud number (话单).
    Call,
    /// 短信预警: SMS from a fraud number.
    Sms,
    /// 涉诈APP预警: a fraud app installed or opened.
    App,
    /// 涉诈网址预警: a fraud web site visited.
    Url,
    /// 其他: a stated kind of none of the above.
    Other,
}

impl PushKind {
    pub const ALL: [PushKind; 6] = [
        PushKind::Fund,
        PushKind::Call,
        PushKind::Sms,
        PushKind::App,
        PushKind::Url,
        PushKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PushKind::Fund => "fund",
            PushKind::Call => "call",
            PushKind::Sms => "sms",
            PushKind::App => "app",
            PushKind::Url => "url",
            PushKind::Other => "other",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            PushKind::Fund => "资金预警",
            PushKind::Call => "电话预警",
            PushKind::Sms => "短信预警",
            PushKind::App => "涉诈APP预警",
            PushKind::Url => "涉诈网址预警",
            PushKind::Other => "其他预警",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            PushKind::Fund => "Fund warning",
            PushKind::Call => "Call warning",
            PushKind::Sms => "SMS warning",
            PushKind::App => "Fraud-app warning",
            PushKind::Url => "Fraud-site warning",
            PushKind::Other => "Other warning",
        }
    }

    /// The kind by its code.
    pub fn from_code(code: &str) -> Option<PushKind> {
        PushKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The kind as a list writes it: its code, its label in either language, or the words the
    /// platforms use (`资金`, `转账预警`, `话单预警`, `涉诈网站`, `APP` …). Case and the trailing
    /// `预警` / `类` do not matter. `None` when the text names no kind.
    pub fn from_written(text: &str) -> Option<PushKind> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let lower = t.to_ascii_lowercase();
        if let Some(k) = PushKind::from_code(&lower)
            .or_else(|| PushKind::ALL.into_iter().find(|k| k.zh() == t))
            .or_else(|| {
                PushKind::ALL
                    .into_iter()
                    .find(|k| k.en().eq_ignore_ascii_case(t))
            })
        {
            return Some(k);
        }
        let core = lower
            .trim_end_matches("类")
            .trim_end_matches("预警")
            .trim_end_matches("线索")
            .trim_end_matches("类");
        let core = core.strip_prefix("涉诈").unwrap_or(core);
        const WORDS: [(&str, PushKind); 22] = [
            ("资金", PushKind::Fund),
            ("转账", PushKind::Fund),
            ("涉案资金", PushKind::Fund),
            ("交易", PushKind::Fund),
            ("支付", PushKind::Fund),
            ("电话", PushKind::Call),
            ("话单", PushKind::Call),
            ("通话", PushKind::Call),
            ("来电", PushKind::Call),
            ("号码", PushKind::Call),
            ("短信", PushKind::Sms),
            ("sms", PushKind::Sms),
            ("app", PushKind::App),
            ("应用", PushKind::App),
            ("软件", PushKind::App),
            ("网址", PushKind::Url),
            ("网站", PushKind::Url),
            ("域名", PushKind::Url),
            ("链接", PushKind::Url),
            ("url", PushKind::Url),
            ("其他", PushKind::Other),
            ("其它", PushKind::Other),
        ];
        WORDS.iter().find(|(w, _)| *w == core).map(|(_, k)| *k)
    }
}

impl std::fmt::Display for PushKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_as_platforms_write_them() {
        for k in PushKind::ALL {
            assert_eq!(PushKind::from_written(k.code()), Some(k));
            assert_eq!(PushKind::from_written(k.zh()), Some(k));
            assert_eq!(PushKind::from_written(k.en()), Some(k));
            assert_eq!(PushKind::from_code(k.code()), Some(k));
        }
        for (text, kind) in [
            ("资金", PushKind::Fund),
            (" 资金类预警 ", PushKind::Fund),
            ("转账预警", PushKind::Fund),
            ("FUND", PushKind::Fund),
            ("话单预警", PushKind::Call),
            ("涉诈电话", PushKind::Call),
            ("短信", PushKind::Sms),
            ("涉诈APP", PushKind::App),
            ("app预警", PushKind::App),
            ("涉诈网站预警", PushKind::Url),
            ("其它", PushKind::Other),
        ] {
            assert_eq!(PushKind::from_written(text), Some(kind), "{text}");
        }
        for text in ["", "冒充公检法", "紫色", "资金盘诈骗"] {
            assert_eq!(PushKind::from_written(text), None, "{text}");
        }
    }
}
