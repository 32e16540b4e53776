//! From a division code as it appears in records to the code of the org unit it names.
//!
//! Records carry residence codes in the 12-digit padded form (`330281000000` for a county,
//! `330281001000` for a township, `330281001001` for a village) or already shortened; org units
//! made from divisions use the natural length (2, 4, 6, 9 or 12 digits). This only strips the
//! padding; whether the code exists is the division tables' business (`fanzha_core`).

use crate::error::{StoreError, StoreResult};

/// The natural-length code of a division code: padding zeros of the missing levels removed.
pub fn natural_division_code(code: &str) -> StoreResult<&str> {
    if !code.bytes().all(|b| b.is_ascii_digit()) || ![2, 4, 6, 9, 12].contains(&code.len()) {
        return Err(StoreError::invalid(
            "division code",
            "must be 2, 4, 6, 9 or 12 digits",
        ));
    }
    let mut c = code;
    // Each level's own digits, innermost first: village 3, township 3, county 2, city 2.
    for (len, own) in [(12, 3), (9, 3), (6, 2), (4, 2)] {
        if c.len() == len && c[len - own..].bytes().all(|b| b == b'0') {
            c = &c[..len - own];
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_removed_level_by_level() {
        assert_eq!(
            natural_division_code("330281001001").unwrap(),
            "330281001001"
        );
        assert_eq!(natural_division_code("330281001000").unwrap(), "330281001");
        assert_eq!(natural_division_code("330281000000").unwrap(), "330281");
        assert_eq!(natural_division_code("330200000000").unwrap(), "3302");
        assert_eq!(natural_division_code("330000").unwrap(), "33");
        assert_eq!(natural_division_code("330281").unwrap(), "330281");
        assert_eq!(natural_division_code("33").unwrap(), "33");
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for bad in ["", "3", "33028", "3302810010011", "33028100100a"] {
            assert!(natural_division_code(bad).is_err(), "{bad}");
        }
    }
}
