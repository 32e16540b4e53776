//! Seeded random streams and the few distributions the city needs.
//!
//! Every stream is a ChaCha8 generator whose seed is derived from the run's seed and a
//! (domain, index) pair, so each part of the city (a day's normal life, a campaign, a victim's
//! script) draws from its own stream and adding draws to one part never shifts another.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub type SimRng = ChaCha8Rng;

/// Stream domains.
pub mod domain {
    pub const POPULATION: u64 = 1;
    pub const CONTACTS: u64 = 2;
    pub const NORMAL_DAY: u64 = 3;
    pub const NORMAL_HOUR: u64 = 4;
    pub const FRAUD_SETUP: u64 = 5;
    pub const FRAUD_DAY: u64 = 6;
    pub const SCRIPT: u64 = 7;
    pub const ACCOUNTS: u64 = 8;
}

/// SplitMix64 finaliser: spreads (seed, domain, index) over the whole seed space.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn stream(seed: u64, domain: u64, index: u64) -> SimRng {
    let s = mix(mix(seed ^ mix(domain)) ^ index);
    ChaCha8Rng::seed_from_u64(s)
}

/// Uniform in `[0, 1)`.
#[inline]
pub fn unit(rng: &mut SimRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[inline]
pub fn chance(rng: &mut SimRng, p: f64) -> bool {
    unit(rng) < p
}

/// Uniform integer in `[lo, hi)`; `lo` when the range is empty.
#[inline]
pub fn range(rng: &mut SimRng, lo: u64, hi: u64) -> u64 {
    if hi <= lo {
        lo
    } else {
        lo + rng.random_range(0..hi - lo)
    }
}

/// Index into a slice, uniformly.
#[inline]
pub fn pick<T: Copy>(rng: &mut SimRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// Standard normal (Box–Muller).
pub fn normal(rng: &mut SimRng) -> f64 {
    let u1 = unit(rng).max(f64::MIN_POSITIVE);
    let u2 = unit(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal with the given median and log-space spread.
pub fn lognormal(rng: &mut SimRng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// Exponential with the given mean.
pub fn exponential(rng: &mut SimRng, mean: f64) -> f64 {
    -mean * (1.0 - unit(rng)).ln()
}

/// Poisson count: Knuth's product method for small means, a rounded normal above 30.
pub fn poisson(rng: &mut SimRng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        let x = mean + mean.sqrt() * normal(rng);
        return x.round().max(0.0) as u32;
    }
    let limit = (-mean).exp();
    let mut k = 0u32;
    let mut p = unit(rng);
    while p > limit {
        k += 1;
        p *= unit(rng);
    }
    k
}

/// Cumulative weights for repeated weighted picks by binary search.
#[derive(Clone, Debug)]
pub struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    /// `None` when no weight is positive.
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Option<Weighted> {
        let mut total = 0.0;
        let cumulative: Vec<f64> = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        (total > 0.0).then_some(Weighted { cumulative })
    }

    pub fn len(&self) -> usize {
        self.cumulative.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cumulative.is_empty()
    }

    pub fn sample(&self, rng: &mut SimRng) -> usize {
        let total = *self.cumulative.last().unwrap_or(&0.0);
        let x = unit(rng) * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| stream(7, 1, 2).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(stream(7, 1, 2).next_u64(), stream(7, 1, 3).next_u64());
        assert_ne!(stream(7, 1, 2).next_u64(), stream(8, 1, 2).next_u64());
    }

    #[test]
    fn poisson_mean_is_close() {
        let mut r = stream(1, 0, 0);
        for mean in [0.3, 4.0, 50.0] {
            let n = 20_000;
            let s: u64 = (0..n).map(|_| u64::from(poisson(&mut r, mean))).sum();
            let m = s as f64 / n as f64;
            assert!((m - mean).abs() < mean * 0.05 + 0.02, "{mean} → {m}");
        }
    }

    #[test]
    fn weighted_never_picks_zero_weight() {
        let w = Weighted::new([0.0, 1.0, 0.0, 3.0]).expect("positive");
        let mut r = stream(2, 0, 0);
        let mut counts = [0u32; 4];
        for _ in 0..10_000 {
            counts[w.sample(&mut r)] += 1;
        }
        assert_eq!(counts[0] + counts[2], 0);
        assert!(counts[3] > counts[1] * 2);
        assert!(Weighted::new([0.0]).is_none());
    }
}
