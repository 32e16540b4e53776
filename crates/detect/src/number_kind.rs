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

fn digit_count(mut n: u64) -> u32 {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

pub fn classify(m: Msisdn) -> NumberKind {
    let n = m.0;
    if n < 1_000 {
        return NumberKind::Unknown;
    }
    let d = digit_count(n);
    let cc2 = n / 10u64.pow(d - 2);
    if cc2 != 86 {
        return NumberKind::Overseas;
    }
    let national = n % 10u64.pow(d - 2);
    let nd = d - 2;
    if nd == 11 && national / 10u64.pow(10) == 1 {
        let seg = national / 100_000_000; // first three digits
        return match seg {
            170 | 171 | 162 | 165 | 167 => NumberKind::Virtual,
            _ => NumberKind::Mobile,
        };
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

    #[test]
    fn remote_means_overseas_or_virtual() {
        assert!(classify(Msisdn(8617112345678)).is_remote());
        assert!(classify(Msisdn(6591234567)).is_remote());
        assert!(!classify(Msisdn(8613912345678)).is_remote());
    }
}
