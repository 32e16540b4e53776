//! The anti-fraud hotline (反诈预警劝阻专线) the platform names: in the SMS sent to people at
//! risk and to their guardians ("如有疑问请拨打…"), in the talking points, on the seat group's
//! pages (…外呼) and in the work brief. Most of the country uses the national 96110, but a
//! province may run its own line (seed 004's 公安厅 opened 96086, 全省反诈劝阻热线), and an SMS
//! naming the wrong number sends a frightened victim nowhere.
//!
//! The number is a fact of the deployment, set once when a process starts (`hotline` in
//! `fanzha.toml`, `FANZHA_HOTLINE`) and read everywhere through [`number`]; texts written with
//! the national number are adapted by [`localize`]. A process that configures nothing says
//! [`NATIONAL`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The national anti-fraud hotline, and what texts are written with.
pub const NATIONAL: &str = "96110";

/// The longest number accepted (a local number with its area code, `0571-96110`).
const MAX_LEN: usize = 16;

/// A hotline number: digits, optionally an area code and a hyphen (`96086`, `0574-96110`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hotline(String);

/// Why a hotline number is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HotlineError {
    #[error("hotline {0:?} is not a number: use digits, optionally an area code and a hyphen (96110, 96086, 0574-96110)")]
    Invalid(String),
    #[error("the hotline is already {0} in this process; it is set once, when the process starts")]
    AlreadySet(String),
}

impl Hotline {
    /// Parses a number as an administrator writes it (spaces around it ignored).
    pub fn parse(raw: &str) -> Result<Hotline, HotlineError> {
        let s = raw.trim();
        let mut parts = s.split('-');
        let ok = s.len() >= 3
            && s.len() <= MAX_LEN
            && parts.clone().count() <= 2
            && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if ok {
            Ok(Hotline(s.to_string()))
        } else {
            Err(HotlineError::Invalid(raw.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

static CONFIGURED: OnceLock<Hotline> = OnceLock::new();

/// Sets this process's hotline. Setting the same number again is harmless; another number is
/// refused, so that no text is ever written with two different numbers.
pub fn configure(h: Hotline) -> Result<(), HotlineError> {
    let set = CONFIGURED.get_or_init(|| h.clone());
    if *set == h {
        Ok(())
    } else {
        Err(HotlineError::AlreadySet(set.0.clone()))
    }
}

/// The hotline this process names ([`NATIONAL`] unless configured).
pub fn number() -> &'static str {
    CONFIGURED.get().map_or(NATIONAL, |h| h.as_str())
}

/// `text` with the national number replaced by `number` (unchanged, and not copied, when it does
/// not name it or the numbers are the same).
pub fn localize_with<'a>(text: &'a str, number: &str) -> Cow<'a, str> {
    if number == NATIONAL || !text.contains(NATIONAL) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.replace(NATIONAL, number))
    }
}

/// `text` naming this process's hotline.
pub fn localize(text: &str) -> Cow<'_, str> {
    localize_with(text, number())
}

/// [`localize`] for the compiled-in UI strings, which are `'static`: each adapted string is built
/// once per process and kept (a bounded set: the strings of the binary that name the hotline).
pub fn localize_static(text: &'static str) -> &'static str {
    match localize(text) {
        Cow::Borrowed(s) => s,
        Cow::Owned(adapted) => {
            static ADAPTED: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
            let mut map = ADAPTED
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            map.entry(text)
                .or_insert_with(|| Box::leak(adapted.into_boxed_str()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_digits_with_at_most_an_area_code() {
        for ok in ["96110", "96086", "0574-96110", " 12381 ", "110"] {
            assert!(Hotline::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(Hotline::parse(" 96086 ").unwrap().as_str(), "96086");
        for bad in [
            "",
            "96",
            "9611O",
            "96-",
            "-96110",
            "0574--96110",
            "1-2-3",
            "９６１１０",
            "05749611096110961",
        ] {
            assert!(
                matches!(Hotline::parse(bad), Err(HotlineError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn texts_name_the_configured_line() {
        assert_eq!(
            localize_with("如有疑问请拨打96110。", "96086"),
            "如有疑问请拨打96086。"
        );
        assert!(matches!(
            localize_with("如有疑问请拨打96110。", NATIONAL),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            localize_with("请拨打110", "96086"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            localize_with("110 / 96110 report exports", "0574-96110"),
            "110 / 0574-96110 report exports"
        );
    }

    #[test]
    fn an_unconfigured_process_names_the_national_line() {
        // Unit tests never configure the line (the configured case runs in its own process:
        // the CLI's `hotline` test).
        assert_eq!(number(), NATIONAL);
        let s: &'static str = "96110外呼";
        assert!(std::ptr::eq(localize_static(s), s));
    }
}
