//! One row's values, by field, borrowed from the input where possible.

use crate::field::Field;
use std::borrow::Cow;

/// Whether a character whose UTF-8 encoding starts with `lead` is certainly not whitespace.
/// Every Unicode whitespace character above ASCII (U+0085, U+00A0, U+1680, U+2000–U+200A,
/// U+2028, U+2029, U+202F, U+205F, U+3000) starts with `C2`, `E1`, `E2` or `E3`; Chinese
/// characters (`E4`–`E9`) and most other text never do.
#[inline]
fn lead_is_not_space(lead: u8) -> bool {
    if lead < 0x80 {
        lead.is_ascii_graphic()
    } else {
        !matches!(lead, 0xC2 | 0xE1 | 0xE2 | 0xE3)
    }
}

/// Fast path of trimming: true when the first and the last character are certainly not
/// whitespace, so `s.trim()` would return `s` (false means "maybe", and `trim` decides).
#[inline]
fn edges_are_not_space(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return true;
    };
    let last_ok = if last < 0x80 {
        last.is_ascii_graphic()
    } else {
        // The last character is multi-byte: whitespace would be a 2-byte one led by `C2` or a
        // 3-byte one led by `E1`–`E3` (a 4-byte character has continuation bytes there).
        let n = b.len();
        !((n >= 2 && b[n - 2] == 0xC2) || (n >= 3 && matches!(b[n - 3], 0xE1..=0xE3)))
    };
    last_ok && lead_is_not_space(first)
}

/// The mapped fields of one row (columns the header did not map are never decoded).
#[derive(Default)]
pub struct Values<'a> {
    slots: [Option<Cow<'a, str>>; Field::ALL.len()],
}

impl<'a> Values<'a> {
    pub fn new() -> Self {
        Values::default()
    }

    pub fn clear(&mut self) {
        for s in &mut self.slots {
            *s = None;
        }
    }

    /// Sets a field's value borrowed from the input, trimming it like [`Values::set`].
    #[inline]
    pub fn set_str(&mut self, field: Field, value: &'a str) {
        let trimmed = if edges_are_not_space(value) {
            value
        } else {
            value.trim()
        };
        self.slots[field as usize] = Some(Cow::Borrowed(trimmed));
    }

    /// Sets a field's value, trimming surrounding whitespace (ASCII and Unicode, including the
    /// full-width space U+3000 that Chinese spreadsheets often leave).
    #[inline]
    pub fn set(&mut self, field: Field, value: Cow<'a, str>) {
        let trimmed = match value {
            // Fast path: neither end can be whitespace (ASCII or Chinese text), nothing to trim.
            Cow::Borrowed(s) if edges_are_not_space(s) => Cow::Borrowed(s),
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) => {
                let t = s.trim();
                if t.len() == s.len() {
                    Cow::Owned(s)
                } else {
                    Cow::Owned(t.to_string())
                }
            }
        };
        self.slots[field as usize] = Some(trimmed);
    }

    /// The value, `None` when the column is absent or the cell is empty.
    #[inline]
    pub fn get(&self, field: Field) -> Option<&Cow<'a, str>> {
        self.slots[field as usize]
            .as_ref()
            .filter(|v| !v.is_empty())
    }

    /// Moves the value out (for text fields kept as they are), `None` when absent or empty.
    #[inline]
    pub fn take(&mut self, field: Field) -> Option<Cow<'a, str>> {
        self.slots[field as usize].take().filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_agrees_with_trim_on_every_whitespace_character() {
        // Every whitespace character, alone and at either end of ASCII or Chinese text.
        let spaces: Vec<char> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert!(spaces.contains(&'\u{3000}'));
        for c in spaces {
            for text in ["", "a", "张三", "人民路1号", "x\u{00e9}"] {
                for s in [format!("{c}{text}"), format!("{text}{c}"), format!("{c}")] {
                    assert!(!edges_are_not_space(&s), "{s:?} treated as untrimmable");
                    assert_ne!(s.trim(), s);
                }
            }
        }
        for s in [
            "张三",
            "人民路324号",
            "a",
            "X",
            "é",
            "\u{1F600}",
            "a\u{1F600}",
            "中\u{00e9}",
        ] {
            assert!(edges_are_not_space(s), "{s:?}");
            assert_eq!(s.trim(), s);
        }
    }

    #[test]
    fn set_trims_unicode_and_ascii_whitespace() {
        let mut v = Values::new();
        v.set(Field::Name, Cow::Borrowed("\u{3000}张三 "));
        assert_eq!(v.get(Field::Name).map(|c| c.as_ref()), Some("张三"));
        v.set(Field::Address, Cow::Borrowed("人民路1号\u{00a0}"));
        assert_eq!(v.get(Field::Address).map(|c| c.as_ref()), Some("人民路1号"));
        v.set(Field::Employer, Cow::Borrowed("\u{2003}"));
        assert_eq!(v.get(Field::Employer), None);
        v.set_str(Field::Name, " 李四\u{3000}");
        assert_eq!(v.get(Field::Name).map(|c| c.as_ref()), Some("李四"));
        v.set_str(Field::Address, "中山路1号");
        assert_eq!(v.get(Field::Address).map(|c| c.as_ref()), Some("中山路1号"));
        v.set_str(Field::Employer, "\u{00a0}");
        assert_eq!(v.get(Field::Employer), None);
    }
}
