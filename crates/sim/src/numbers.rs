//! Making valid identifiers: GB 11643 resident ID numbers, Luhn-valid card numbers, E.164
//! mobile numbers and payment-platform ids. Uniqueness comes from counters passed through a
//! bijection, so numbers look scattered but never repeat.

use fanzha_core::event::{AccountNo, Msisdn};

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The GB 11643 check character of the first 17 digits.
pub fn resident_id_check(first17: &[u8; 17]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    ID_CHECK[(sum % 11) as usize]
}

/// An 18-character resident ID: address code, birth date, sequence (odd for men) and check.
pub fn resident_id(address6: u32, birth_yyyymmdd: u32, seq3: u32) -> String {
    let head = format!("{address6:06}{birth_yyyymmdd:08}{seq3:03}");
    let mut first17 = [0u8; 17];
    first17.copy_from_slice(head.as_bytes());
    let mut s = head;
    s.push(resident_id_check(&first17) as char);
    s
}

/// Luhn check digit for the digits so far.
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    b'0' + ((10 - sum % 10) % 10) as u8
}

pub fn luhn_valid(number: &str) -> bool {
    let b = number.as_bytes();
    b.len() >= 2
        && b.iter().all(u8::is_ascii_digit)
        && luhn_check_digit(&b[..b.len() - 1]) == b[b.len() - 1]
}

/// Scatters `counter` over `0..10^digits` one-to-one (multiplication by a unit modulo 10^k).
pub fn scatter(counter: u64, digits: u32) -> u64 {
    let m = 10u64.pow(digits);
    // 7_654_321 is odd and not a multiple of 5, hence invertible modulo every power of ten.
    ((counter % m) as u128 * 7_654_321u128 % m as u128) as u64
}

/// A card number: BIN, a serial scattered from `counter`, and the Luhn digit; `None` when the
/// length leaves no room for a serial.
pub fn card_number(bin: &str, length: u8, counter: u64) -> Option<AccountNo> {
    let serial_digits = (length as usize).checked_sub(bin.len() + 1)?;
    if serial_digits == 0 || serial_digits > 12 || length > 19 {
        return None;
    }
    let serial = scatter(counter, serial_digits as u32);
    let mut s = format!("{bin}{serial:0width$}", width = serial_digits);
    let check = luhn_check_digit(s.as_bytes());
    s.push(check as char);
    s.parse().ok().map(AccountNo)
}

/// A mainland mobile number from a 7-digit segment and a 4-digit suffix.
pub fn mobile(prefix7: u32, suffix4: u32) -> Msisdn {
    Msisdn(8_600_000_000_000 + u64::from(prefix7) * 10_000 + u64::from(suffix4 % 10_000))
}

/// The 11 national digits of a mainland mobile (`None` for other numbers).
pub fn mobile_digits(m: Msisdn) -> Option<u64> {
    let national = m.0.checked_sub(8_600_000_000_000)?;
    (10_000_000_000..20_000_000_000)
        .contains(&national)
        .then_some(national)
}

/// A number under a country code (`855` + 8 digits).
pub fn international(country: u32, national: u64, national_digits: u32) -> Msisdn {
    Msisdn(u64::from(country) * 10u64.pow(national_digits) + national % 10u64.pow(national_digits))
}

/// A mainland service or fixed number written after `86` (`95588`, `57462345678`).
pub fn domestic(digits: u64) -> Msisdn {
    let width = digits.checked_ilog10().unwrap_or(0) + 1;
    Msisdn(86 * 10u64.pow(width) + digits)
}

/// A third-party payment account id: 16 digits starting `2088` (the common form of such ids).
pub fn payment_account(counter: u64) -> AccountNo {
    AccountNo(2088_0000_0000_0000 + scatter(counter, 12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_id_matches_published_example() {
        // GB 11643-1999 appendix example: 11010519491231002X.
        assert_eq!(resident_id(110105, 19491231, 2), "11010519491231002X");
    }

    #[test]
    fn card_numbers_are_luhn_valid_and_distinct() {
        let a = card_number("621226", 19, 1).expect("room");
        let b = card_number("621226", 19, 2).expect("room");
        assert_ne!(a, b);
        for n in [a, b] {
            let s = n.0.to_string();
            assert_eq!(s.len(), 19);
            assert!(s.starts_with("621226"));
            assert!(luhn_valid(&s), "{s}");
        }
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert_eq!(card_number("621226123456789012", 19, 1), None);
    }

    #[test]
    fn scatter_is_one_to_one() {
        let mut seen = std::collections::BTreeSet::new();
        for c in 0..10_000 {
            assert!(seen.insert(scatter(c, 4)));
        }
    }

    #[test]
    fn phone_forms() {
        assert_eq!(mobile(1380574, 1234).0, 8613805741234);
        assert_eq!(mobile_digits(Msisdn(8613805741234)), Some(13805741234));
        assert_eq!(mobile_digits(Msisdn(8695588)), None);
        assert_eq!(domestic(95588).0, 8695588);
        assert_eq!(international(855, 12345678, 8).0, 85512345678);
        assert_eq!(payment_account(0).0.to_string().len(), 16);
    }
}
