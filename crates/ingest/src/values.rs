//! One row's values, by field, borrowed from the input where possible.

use crate::csv_rows::FieldSpan;
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

/// A row's mapped values as the validator reads them: trimmed, `None` when the column is absent
/// or the cell is empty. Implemented by [`Values`] (filled by the readers that decode cells one
/// by one) and by [`SpanValues`] (a plain CSV row read in place, nothing copied or stored).
pub(crate) trait RowValues<'a> {
    /// The value of `field`.
    fn get(&self, field: Field) -> Option<&str>;
    /// The value of `field`, moved out where it is owned (for text fields kept as they are).
    fn take(&mut self, field: Field) -> Option<Cow<'a, str>>;
    /// The value of `field` as read, perhaps not trimmed yet (and so perhaps blank), for a
    /// parser's plain path, which takes only values that trimming would not change.
    fn raw(&self, field: Field) -> Option<&str> {
        self.get(field)
    }
    /// Whether `field` has a value ([`RowValues::get`] is `Some`).
    fn is_present(&self, field: Field) -> bool {
        self.get(field).is_some()
    }
}

/// Trims surrounding whitespace like [`Values::set`], skipping `trim` when neither end can be
/// whitespace.
#[inline]
fn trimmed(value: &str) -> &str {
    if edges_are_not_space(value) {
        value
    } else {
        value.trim()
    }
}

/// Where each field's value lies in a row of a valid UTF-8 buffer whose fields need no
/// unescaping: the row's values, read only when the validator asks for them.
pub(crate) struct SpanValues<'a, 'r> {
    text: &'a str,
    spans: &'r [FieldSpan],
    columns: &'r FieldColumns,
}

/// The column of each field (by [`Field`] index), [`FieldColumns::ABSENT`] where the file has
/// none.
#[derive(Clone, Debug)]
pub(crate) struct FieldColumns([u16; Field::ALL.len()]);

impl FieldColumns {
    pub const ABSENT: u16 = u16::MAX;

    /// From (field, column) pairs; a column beyond `u16` is treated as absent (no real file
    /// has 65,535 columns, and the reader's width check rejects its rows anyway).
    pub fn new(mapped: &[(Field, usize)]) -> Self {
        let mut columns = [Self::ABSENT; Field::ALL.len()];
        for &(field, column) in mapped {
            columns[field as usize] = u16::try_from(column).unwrap_or(Self::ABSENT);
        }
        FieldColumns(columns)
    }
}

impl<'a, 'r> SpanValues<'a, 'r> {
    /// The values of one row: `spans` are its fields, none of them escaped.
    ///
    /// # Safety
    ///
    /// `spans` must have been returned by a [`crate::csv_rows::RowParser`] reading
    /// `text.as_bytes()` (see [`FieldSpan::str_in`]).
    #[inline]
    pub unsafe fn new(text: &'a str, spans: &'r [FieldSpan], columns: &'r FieldColumns) -> Self {
        debug_assert!(spans.iter().all(|s| !s.escaped));
        SpanValues {
            text,
            spans,
            columns,
        }
    }

    #[inline]
    fn untrimmed(&self, field: Field) -> Option<&'a str> {
        let span = self
            .spans
            .get(usize::from(self.columns.0[field as usize]))?;
        // SAFETY: the spans were read from `text` (the contract of `SpanValues::new`).
        Some(unsafe { span.str_in(self.text) })
    }

    #[inline]
    fn value(&self, field: Field) -> Option<&'a str> {
        Some(trimmed(self.untrimmed(field)?)).filter(|v| !v.is_empty())
    }
}

impl<'a> RowValues<'a> for SpanValues<'a, '_> {
    #[inline]
    fn get(&self, field: Field) -> Option<&str> {
        self.value(field)
    }

    /// Always borrowed: records validated from these values own no memory, which the reader
    /// relies on ([`crate::stage::Part::accept_borrowed`]).
    #[inline]
    fn take(&mut self, field: Field) -> Option<Cow<'a, str>> {
        self.value(field).map(Cow::Borrowed)
    }

    #[inline]
    fn raw(&self, field: Field) -> Option<&str> {
        self.untrimmed(field)
    }

    #[inline]
    fn is_present(&self, field: Field) -> bool {
        // A first byte that is printable ASCII is neither whitespace nor the end of an empty
        // value: present, with no need to trim (most values); otherwise trimming decides.
        match self.untrimmed(field) {
            Some(v) if v.as_bytes().first().is_some_and(u8::is_ascii_graphic) => true,
            _ => self.value(field).is_some(),
        }
    }
}

impl<'a> RowValues<'a> for Values<'a> {
    #[inline]
    fn get(&self, field: Field) -> Option<&str> {
        Values::get(self, field).map(|v| v.as_ref())
    }

    #[inline]
    fn take(&mut self, field: Field) -> Option<Cow<'a, str>> {
        Values::take(self, field)
    }
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
        self.slots[field as usize] = Some(Cow::Borrowed(trimmed(value)));
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

#[cfg(test)]
mod span_tests {
    use super::*;
    use crate::csv_rows::RowParser;
    use crate::field::RecordKind;
    use crate::header::HeaderMap;
    use crate::validate::Validator;
    use proptest::prelude::*;

    /// A cell: a value the validators care about, padded or not with whitespace of any kind.
    fn cell() -> impl Strategy<Value = String> {
        let core = prop_oneof![
            Just("11010519491231002X".to_string()),
            Just("110105194912310021".to_string()),
            Just("13812345678".to_string()),
            Just("+86 138-1234-5678".to_string()),
            Just("330281001001".to_string()),
            Just("张三".to_string()),
            Just("是".to_string()),
            Just("否".to_string()),
            Just("不详".to_string()),
            Just(String::new()),
            "[^,\"\r\n]{0,8}",
        ];
        let pad = prop_oneof![
            Just(""),
            Just(" "),
            Just("\t"),
            Just("\u{3000}"),
            Just("\u{a0}"),
            Just("\u{2003}")
        ];
        (pad.clone(), core, pad).prop_map(|(a, c, b)| format!("{a}{c}{b}"))
    }

    proptest! {
        #[test]
        fn values_read_in_place_validate_like_values_set_one_by_one(
            cells in proptest::collection::vec(cell(), 7),
            kind in prop_oneof![Just(RecordKind::People), Just(RecordKind::Phones), Just(RecordKind::Accounts)],
        ) {
            let header = match kind {
                RecordKind::People => ["身份证号", "姓名", "手机号", "住址", "村社区代码", "工作单位", "财政供养人员"],
                RecordKind::Phones => ["手机号", "身份证号", "开户时间", "备注", "a", "b", "c"],
                RecordKind::Accounts => ["卡号", "身份证号", "开户行", "开户时间", "开户地区划", "b", "c"],
            };
            let validator = Validator::new(HeaderMap::new(kind, &header).unwrap());
            let row = format!("{}\n", cells.join(","));
            let mut spans = Vec::new();
            let parsed = RowParser::new(row.as_bytes()).next_row(&mut spans);
            prop_assert!(parsed.is_some_and(|r| !r.escaped));
            prop_assert_eq!(spans.len(), 7);
            // SAFETY: the spans were just read from `row`.
            let mut in_place = unsafe { SpanValues::new(&row, &spans, validator.columns()) };
            let mut one_by_one = Values::new();
            for &(field, column) in validator.mapped() {
                // SAFETY: as above.
                one_by_one.set_str(field, unsafe { spans[column].str_in(&row) });
            }
            for &(field, _) in validator.mapped() {
                prop_assert_eq!(in_place.is_present(field), RowValues::get(&one_by_one, field).is_some());
            }
            prop_assert_eq!(
                validator.validate_keyed(2, &mut in_place),
                validator.validate_keyed(2, &mut one_by_one)
            );
        }
    }
}
