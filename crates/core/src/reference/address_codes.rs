//! The set of 6-digit address codes a resident ID number may start with, as a dense bitmap:
//! every code that was ever a GB/T 2260 code (1981–2024) plus every current statistical
//! province, city and county code. One bit per code from 000000 to 999999 is 125 KB, small
//! enough to stay in the L2 cache while a file is validated, and a lookup is one load.

use super::{address_code_history, divisions};
use crate::division_code::{DivisionCode, DivisionLevel};
use std::sync::OnceLock;

const CODES: usize = 1_000_000;

/// Known 6-digit address codes (see the module documentation).
pub struct AddressCodes {
    bits: Box<[u64]>,
}

impl AddressCodes {
    fn build() -> AddressCodes {
        let mut set = AddressCodes {
            bits: vec![0u64; CODES.div_ceil(64)].into_boxed_slice(),
        };
        let history = address_code_history();
        for r in history.iter() {
            set.insert(r.code);
        }
        for d in divisions().iter() {
            let code = d.code();
            if code.level() > DivisionLevel::County {
                continue;
            }
            // Only the 6-digit form that reads back as this very code names it.
            if let Some(c6) = code.gb2260() {
                if DivisionCode::from_gb2260(c6) == Some(code) {
                    set.insert(c6);
                }
            }
        }
        set
    }

    fn insert(&mut self, code6: u32) {
        let c = code6 as usize;
        if c < CODES {
            self.bits[c / 64] |= 1 << (c % 64);
        }
    }

    /// Whether `code6` is a known address code.
    #[inline]
    pub fn contains(&self, code6: u32) -> bool {
        let c = code6 as usize;
        c < CODES && self.bits[c / 64] & (1 << (c % 64)) != 0
    }
}

/// The known address codes (built on first use from the history and division tables).
#[inline]
pub fn address_codes() -> &'static AddressCodes {
    static TABLE: OnceLock<AddressCodes> = OnceLock::new();
    TABLE.get_or_init(AddressCodes::build)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition the bitmap stands for, evaluated the slow way.
    fn known_by_definition(code6: u32) -> bool {
        address_code_history().ever_valid(code6)
            || DivisionCode::from_gb2260(code6).is_some_and(|c| divisions().get(c).is_some())
    }

    #[test]
    fn bitmap_matches_the_definition_for_every_code() {
        let set = address_codes();
        let mut known = 0;
        for code6 in 0..CODES as u32 {
            let expected = known_by_definition(code6);
            assert_eq!(set.contains(code6), expected, "code {code6:06}");
            known += usize::from(expected);
        }
        assert!(known > 6_000, "only {known} known codes");
        assert!(!set.contains(1_000_000));
        assert!(!set.contains(u32::MAX));
    }
}
