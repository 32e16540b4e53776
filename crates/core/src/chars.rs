//! Character folding shared by the parsers: full-width forms (common in Chinese input methods and
//! in spreadsheets exported from Chinese office software) are read as their ASCII counterparts.

/// Fold a full-width ASCII variant (U+FF01..=U+FF5E) or the ideographic space (U+3000) to ASCII;
/// every other character is returned unchanged.
#[inline]
pub fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// The key under which two spellings of one name (a shop, a courier outlet) group together:
/// full-width forms folded, spaces and punctuation dropped, Latin letters lower-cased
/// (`中通快递 余姚　城东网点（一部）` and `中通快递余姚城东网点(一部)` are one outlet).
pub fn name_key(name: &str) -> String {
    name.chars()
        .map(fold)
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whitespace as the validators understand it (ASCII and Unicode, including U+3000).
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Where whitespace sits in a value, for the `whitespace` / `embedded_space` reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpaceAt {
    None,
    /// Leading or trailing only.
    Edge,
    /// Between two non-space characters.
    Inside,
}

/// Whether all eight bytes of `w` are ASCII digits: every high nibble is 3, and adding 6 to
/// every byte leaves it 3 (no low nibble above 9); no byte carries into the next once the
/// first test holds.
#[inline]
pub(crate) fn eight_digits(w: u64) -> bool {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    w & HIGH == THREES && (w.wrapping_add(0x0606_0606_0606_0606) & HIGH) == THREES
}

/// The value of eight ASCII digits read as a little-endian word (the first digit in the low
/// byte), combining neighbours pairwise in three multiplications instead of eight steps.
/// Only meaningful when [`eight_digits`] holds.
#[inline]
pub(crate) fn eight_digits_value(w: u64) -> u64 {
    let v = w & 0x0F0F_0F0F_0F0F_0F0F;
    let v = (v.wrapping_mul(10 << 8 | 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let v = (v.wrapping_mul(100 << 16 | 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    v.wrapping_mul(10_000 << 32 | 1) >> 32
}

/// The four two-digit numbers of eight ASCII digits read as a little-endian word, one per 16-bit
/// lane (digits 0–1 in the low lane): the first step of [`eight_digits_value`], for fields such
/// as YYYYMMDD whose parts are pairs. Only meaningful when [`eight_digits`] holds.
#[inline]
pub(crate) fn digit_pairs(w: u64) -> [u32; 4] {
    let v = w & 0x0F0F_0F0F_0F0F_0F0F;
    let v = (v.wrapping_mul(10 << 8 | 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    [0, 16, 32, 48].map(|shift| (v >> shift) as u32 & 0xFF)
}

/// Eight bytes of `b` from `at` as a little-endian word.
#[inline]
pub(crate) fn word_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

pub(crate) fn space_at(s: &str) -> SpaceAt {
    // Fast path: ASCII without any whitespace (nearly every identifier in a file).
    if s.bytes().all(|b| b.is_ascii_graphic()) {
        return SpaceAt::None;
    }
    let trimmed = s.trim_matches(is_space);
    if trimmed.chars().any(is_space) {
        SpaceAt::Inside
    } else if trimmed.len() != s.len() {
        SpaceAt::Edge
    } else {
        SpaceAt::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_pairs_read_a_date_as_century_year_month_day() {
        let pairs = |s: &[u8; 8]| digit_pairs(u64::from_le_bytes(*s));
        assert_eq!(pairs(b"19491231"), [19, 49, 12, 31]);
        assert_eq!(pairs(b"20000229"), [20, 0, 2, 29]);
        assert_eq!(pairs(b"99999999"), [99; 4]);
        assert_eq!(pairs(b"00000000"), [0; 4]);
    }

    #[test]
    fn full_width_digits_fold_to_ascii() {
        let s: String = "１３８－（＋）".chars().map(fold).collect();
        assert_eq!(s, "138-(+)");
        assert_eq!(fold('\u{3000}'), ' ');
        assert_eq!(fold('张'), '张');
    }

    #[test]
    fn space_position_is_classified() {
        assert_eq!(space_at("123"), SpaceAt::None);
        assert_eq!(space_at(" 123"), SpaceAt::Edge);
        assert_eq!(space_at("12 3"), SpaceAt::Inside);
        assert_eq!(space_at(" 12 3"), SpaceAt::Inside);
        assert_eq!(space_at(""), SpaceAt::None);
    }

    proptest::proptest! {
        #[test]
        fn eight_digits_are_read_like_a_fold(n in 0u64..100_000_000) {
            let text = format!("{n:08}");
            let w = word_at(text.as_bytes(), 0);
            proptest::prop_assert!(eight_digits(w));
            proptest::prop_assert_eq!(eight_digits_value(w), n);
        }
    }
}
