//! One row's values, by field, borrowed from the input where possible.

use crate::field::Field;
use std::borrow::Cow;

#[inline]
fn edges_are_ascii_graphic(s: &str) -> bool {
    let b = s.as_bytes();
    matches!((b.first(), b.last()), (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic())
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

    /// Sets a field's value, trimming surrounding whitespace (ASCII and Unicode, including the
    /// full-width space U+3000 that Chinese spreadsheets often leave).
    #[inline]
    pub fn set(&mut self, field: Field, value: Cow<'a, str>) {
        let trimmed = match value {
            // Fast path: starts and ends with a visible ASCII character, nothing to trim.
            Cow::Borrowed(s) if edges_are_ascii_graphic(s) => Cow::Borrowed(s),
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
