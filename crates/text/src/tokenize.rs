//! Text normalisation and Chinese word segmentation (jieba).

use jieba_rs::Jieba;
use std::sync::OnceLock;

/// Longest text (in characters) that is looked at; the rest is ignored so that one huge input
/// cannot stall a batch. Case narratives are far shorter.
pub const MAX_CHARS: usize = 20_000;

/// The jieba segmenter with its default dictionary, loaded once per process (loading takes a
/// few hundred milliseconds).
pub fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Canonical form of a text before features are taken: full-width ASCII folded to half-width,
/// ASCII lower-cased, every run of whitespace or control characters made one space, digits
/// replaced by `0` when `fold_digits` (amounts, phone numbers and dates vary without saying
/// anything about the fraud type), at most [`MAX_CHARS`] characters.
pub fn normalize(text: &str, fold_digits: bool) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 4));
    let mut last_space = true;
    for c in text.chars().take(MAX_CHARS) {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() || c.is_control() || c == '\u{FFFD}' {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        last_space = false;
        if fold_digits && c.is_ascii_digit() {
            out.push('0');
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whether a token carries meaning (has a letter, digit or CJK character), as opposed to
/// punctuation and spaces.
pub fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

/// Words of a normalised text, in order (jieba precise mode, dictionary words only: the HMM for unknown words halves throughput and unknown words are still covered by character n-grams,
/// punctuation and spaces dropped).
pub fn words(normalized: &str) -> Vec<&str> {
    jieba()
        .cut(normalized, false)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| is_word(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_known_sentences() {
        assert_eq!(words("南京市长江大桥"), vec!["南京市", "长江大桥"]);
        let w = words("您的银行卡涉嫌洗钱，请配合公安机关调查");
        for expected in ["银行卡", "涉嫌", "洗钱", "配合", "公安机关", "调查"] {
            assert!(w.contains(&expected), "{expected} missing from {w:?}");
        }
        assert!(!w.contains(&"，"), "punctuation is dropped: {w:?}");
    }

    #[test]
    fn normalisation_folds_width_case_space_and_digits() {
        assert_eq!(normalize("  ＡＢＣ１２３\n\t扫码 ", true), "abc000 扫码");
        assert_eq!(normalize("Ab 12", false), "ab 12");
        assert_eq!(normalize("", true), "");
    }

    #[test]
    fn huge_input_is_truncated() {
        let s = "诈".repeat(MAX_CHARS * 2);
        assert_eq!(normalize(&s, true).chars().count(), MAX_CHARS);
    }
}
