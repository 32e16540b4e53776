//! Daily rhythm: how activity spreads over the hours of a local day.

use crate::rng::{unit, SimRng};

/// Relative call and SMS activity per local hour (0–23): quiet nights, a morning peak around
/// 10:00, an afternoon peak around 15:00–17:00 and an evening peak around 20:00.
pub const CALLS: [f64; 24] = [
    0.3, 0.15, 0.1, 0.08, 0.1, 0.3, 1.0, 2.5, 4.5, 6.5, 7.5, 7.0, 5.5, 5.0, 6.0, 7.0, 7.0, 6.5,
    5.5, 5.5, 5.5, 4.5, 3.0, 1.2,
];

/// Browsing peaks in the evening and lunch break.
pub const BROWSING: [f64; 24] = [
    1.5, 0.8, 0.4, 0.2, 0.2, 0.4, 1.2, 2.5, 3.5, 4.0, 4.0, 4.5, 5.5, 5.0, 4.0, 4.0, 4.0, 4.5, 5.0,
    6.0, 7.0, 7.5, 6.0, 3.5,
];

/// Fraud call centres keep office hours (Beijing time), with evening shifts.
pub const FRAUD_SHIFT: [f64; 24] = [
    0.1, 0.05, 0.0, 0.0, 0.0, 0.0, 0.1, 0.5, 2.0, 5.0, 6.0, 6.0, 4.0, 4.0, 6.0, 6.0, 6.0, 5.0, 3.0,
    4.0, 4.5, 4.0, 2.0, 0.5,
];

/// Picks a millisecond of the local day following an hourly profile.
pub struct DayProfile {
    cumulative: [f64; 24],
}

impl DayProfile {
    pub fn new(hours: &[f64; 24]) -> DayProfile {
        let mut cumulative = [0.0; 24];
        let mut total = 0.0;
        for (c, h) in cumulative.iter_mut().zip(hours) {
            total += h;
            *c = total;
        }
        for c in cumulative.iter_mut() {
            *c /= total;
        }
        DayProfile { cumulative }
    }

    /// Milliseconds after local midnight.
    pub fn sample_ms(&self, rng: &mut SimRng) -> u32 {
        let u = unit(rng);
        let h = self.cumulative.partition_point(|&c| c <= u).min(23);
        h as u32 * 3_600_000 + (unit(rng) * 3_600_000.0) as u32
    }

    /// Share of the day's activity that falls in `hour`.
    pub fn share(&self, hour: usize) -> f64 {
        if hour == 0 {
            self.cumulative[0]
        } else {
            self.cumulative[hour] - self.cumulative[hour - 1]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn samples_follow_the_profile() {
        let p = DayProfile::new(&CALLS);
        let mut r = stream(3, 0, 0);
        let mut by_hour = [0u32; 24];
        for _ in 0..50_000 {
            let ms = p.sample_ms(&mut r);
            assert!(ms < 86_400_000);
            by_hour[(ms / 3_600_000) as usize] += 1;
        }
        assert!(by_hour[10] > by_hour[3] * 20, "{by_hour:?}");
        let total: f64 = (0..24).map(|h| p.share(h)).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
}
