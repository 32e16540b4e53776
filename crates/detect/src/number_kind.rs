//! What kind of number a caller is, from its digits alone (no table look-up, it runs per event).
//!
//! Numbers are E.164 digits without `+` ([`Msisdn`]). Country codes are prefix-free, so a
//! number whose digits start with `86` is mainland China; anything else is overseas (this
//! includes Hong Kong 852, Macao 853 and Taiwan 886, as the field treats them for fraud calls).
//! Virtual-operator mobile segments (170, 171, 162, 165, 167) are the ones fraud rings rent.

use fanzha_core::event::Msisdn;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberKind {
    /// Mainland mobile on a regular segment.
    Mobile,
    /// Mainland mobile on a virtual-operator segment.
    Virtual,
    /// Mainland fixed line or service number.
    Fixed,
    /// Outside mainland China.
    Overseas,
    /// Not a plausible E.164 number (0, or too short).
    Unknown,
}

/// `10^k` for the digit counts an `u64` can have.
const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut k = 1;
    while k < 20 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// Mainland mobile numbers: `86` then eleven digits starting with `1`.
const MAINLAND_MOBILE: std::ops::Range<u64> = 8_610_000_000_000..8_620_000_000_000;

pub fn classify(m: Msisdn) -> NumberKind {
    let n = m.0;
    // Almost every number the engine sees is a mainland mobile: decided with constant divisors
    // (stage 1 classifies the caller on every call).
    if MAINLAND_MOBILE.contains(&n) {
        return match n / 100_000_000 - 86_000 {
            170 | 171 | 162 | 165 | 167 => NumberKind::Virtual,
            _ => NumberKind::Mobile,
        };
    }
    if n < 1_000 {
        return NumberKind::Unknown;
    }
    let digits = n.ilog10() + 1;
    if n / POW10[digits as usize - 2] != 86 {
        return NumberKind::Overseas;
    }
    NumberKind::Fixed
}

impl NumberKind {
    pub fn is_remote(self) -> bool {
        matches!(self, NumberKind::Overseas | NumberKind::Virtual)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_mobile_virtual_fixed_and_overseas() {
        assert_eq!(classify(Msisdn(8613812345678)), NumberKind::Mobile);
        assert_eq!(classify(Msisdn(8617012345678)), NumberKind::Virtual);
        assert_eq!(classify(Msisdn(8616512345678)), NumberKind::Virtual);
        assert_eq!(classify(Msisdn(862887654321)), NumberKind::Fixed);
        assert_eq!(classify(Msisdn(85291234567)), NumberKind::Overseas);
        assert_eq!(classify(Msisdn(855123456789)), NumberKind::Overseas);
        assert_eq!(classify(Msisdn(0)), NumberKind::Unknown);
    }

    /// The digit-by-digit reading the fast path replaces.
    fn classify_by_digits(n: u64) -> NumberKind {
        if n < 1_000 {
            return NumberKind::Unknown;
        }
        let digits = n.to_string();
        if !digits.starts_with("86") {
            return NumberKind::Overseas;
        }
        let national = &digits[2..];
        if national.len() == 11 && national.starts_with('1') {
            return match &national[..3] {
                "170" | "171" | "162" | "165" | "167" => NumberKind::Virtual,
                _ => NumberKind::Mobile,
            };
        }
        NumberKind::Fixed
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_reading_the_digits(n in proptest::prelude::any::<u64>(), near in 8_599_999_999_000u64..8_630_000_000_000) {
            proptest::prop_assert_eq!(classify(Msisdn(n)), classify_by_digits(n));
            proptest::prop_assert_eq!(classify(Msisdn(near)), classify_by_digits(near));
            let short = n % 100_000_000_000_000;
            proptest::prop_assert_eq!(classify(Msisdn(short)), classify_by_digits(short));
        }
    }

    #[test]
    fn range_edges() {
        for n in [
            999,
            1_000,
            86_000,
            8_609_999_999_999,
            8_610_000_000_000,
            8_619_999_999_999,
            8_620_000_000_000,
            86_100_000_000_000,
            861,
            u64::MAX,
        ] {
            assert_eq!(classify(Msisdn(n)), classify_by_digits(n), "{n}");
        }
    }

    #[test]
    fn remote_means_overseas_or_virtual() {
        assert!(classify(Msisdn(8617112345678)).is_remote());
        assert!(classify(Msisdn(6591234567)).is_remote());
        assert!(!classify(Msisdn(8613912345678)).is_remote());
    }
}
