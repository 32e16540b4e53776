//! Sliding windows as rings of per-bucket counters.
//!
//! Hand-written rather than taken from a crate because the engine keeps one set of rings per
//! active number and the whole state has to stay inline (no heap), small (see
//! `docs/detection.md`, "State size") and serialisable into snapshots.
//!
//! A window of `N` buckets of `width_ms` each covers the last `N` buckets up to and including
//! the bucket of "now"; an event lands in the bucket of its own event time, so events that
//! arrive out of order still count in the right bucket as long as that bucket is in the ring.

use fanzha_core::event::EpochMs;
use serde::{Deserialize, Serialize};

/// Counters of one bucket of the 24-hour window, the one most features read. `u16` counters saturate; a number that makes more than 65,535
/// calls in one bucket is already as suspicious as the features can express.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub calls: u16,
    /// Calls shorter than 10 seconds (answered or not).
    pub short_calls: u16,
    /// Calls placed between 00:00 and 06:00 Asia/Shanghai.
    pub night_calls: u16,
    /// Calls to numbers this number had never been in contact with (either direction).
    pub new_callees: u16,
    /// Calls to numbers not called within this ring's window before ("first in window").
    pub distinct_callees: u16,
    pub sms: u16,
    pub sms_links: u16,
    /// Sum of call durations in seconds.
    pub duration_sum: u32,
    /// Sum of squared call durations (for the spread); `f32` keeps the bucket at 24 bytes.
    pub duration_sq: f32,
}

impl Bucket {
    #[cfg(test)]
    fn add(&mut self, o: &Bucket) {
        self.calls = self.calls.saturating_add(o.calls);
        self.short_calls = self.short_calls.saturating_add(o.short_calls);
        self.night_calls = self.night_calls.saturating_add(o.night_calls);
        self.new_callees = self.new_callees.saturating_add(o.new_callees);
        self.distinct_callees = self.distinct_callees.saturating_add(o.distinct_callees);
        self.sms = self.sms.saturating_add(o.sms);
        self.sms_links = self.sms_links.saturating_add(o.sms_links);
        self.duration_sum = self.duration_sum.saturating_add(o.duration_sum);
        self.duration_sq += o.duration_sq;
    }
}

/// Totals over a window; wider integers than [`Bucket`] because they add up buckets.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    pub calls: u32,
    pub short_calls: u32,
    pub night_calls: u32,
    pub new_callees: u32,
    pub distinct_callees: u32,
    pub sms: u32,
    pub sms_links: u32,
    pub duration_sum: u64,
    pub duration_sq: f64,
}

impl Totals {
    fn add(&mut self, b: &Bucket) {
        self.calls += u32::from(b.calls);
        self.short_calls += u32::from(b.short_calls);
        self.night_calls += u32::from(b.night_calls);
        self.new_callees += u32::from(b.new_callees);
        self.distinct_callees += u32::from(b.distinct_callees);
        self.sms += u32::from(b.sms);
        self.sms_links += u32::from(b.sms_links);
        self.duration_sum += u64::from(b.duration_sum);
        self.duration_sq += f64::from(b.duration_sq);
    }
}

/// A ring of `N` buckets of type `B`, `width_ms` each. `head` is the index (time / width) of the
/// newest bucket; bucket `i` lives in slot `i mod N`. The index is kept in 32 bits (the smallest
/// bucket, 15 minutes, spans ±61,000 years of event time in it); indexes beyond that are clamped.
///
/// The bucket type is the ring's own: each window keeps only the counters its features read (a
/// full [`Bucket`] is 24 bytes, a calls-only one 4), because every byte of a number's state is a
/// byte of memory traffic on every call it makes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ring<B, const N: usize> {
    head: i32,
    #[serde(with = "array_serde")]
    #[serde(bound(
        serialize = "B: Serialize",
        deserialize = "B: Deserialize<'de> + Default + Copy"
    ))]
    buckets: [B; N],
}

impl<B: Default + Copy, const N: usize> Default for Ring<B, N> {
    fn default() -> Self {
        Ring {
            head: UNTOUCHED,
            buckets: [B::default(); N],
        }
    }
}

/// `head` of a ring that never saw an event: below every index [`bucket_index`] returns, by more
/// than any ring's length.
const UNTOUCHED: i32 = i32::MIN / 2;

/// The bucket index of event time `ts`, clamped into the range a ring head can hold.
fn bucket_index(ts: EpochMs, width_ms: i64) -> i64 {
    ts.div_euclid(width_ms)
        .clamp(UNTOUCHED as i64 + 64, i32::MAX as i64)
}

impl<B: Default + Copy, const N: usize> Ring<B, N> {
    /// The bucket for event time `ts`, advancing (and clearing) the ring when `ts` is newer than
    /// the head; `None` when `ts` is older than the oldest bucket the ring still holds.
    #[inline]
    pub fn bucket_mut(&mut self, ts: EpochMs, width_ms: i64) -> Option<&mut B> {
        self.bucket_mut_expiring(ts, width_ms, |_| {})
    }

    /// [`Ring::bucket_mut`], handing every bucket that leaves the ring to `expire` before it is
    /// cleared (for running sums kept beside the ring).
    #[inline]
    pub fn bucket_mut_expiring(
        &mut self,
        ts: EpochMs,
        width_ms: i64,
        mut expire: impl FnMut(&B),
    ) -> Option<&mut B> {
        let idx = bucket_index(ts, width_ms);
        let head = i64::from(self.head);
        if idx > head {
            let steps = (idx - head).min(N as i64);
            for k in 0..steps {
                let slot = (idx - k).rem_euclid(N as i64) as usize;
                expire(&self.buckets[slot]);
                self.buckets[slot] = B::default();
            }
            // In range: `bucket_index` clamps to what an `i32` holds.
            self.head = idx as i32;
        } else if idx <= head - N as i64 {
            return None;
        }
        Some(&mut self.buckets[idx.rem_euclid(N as i64) as usize])
    }

    /// Folds `add` over the buckets inside the window that ends with the bucket of `now`.
    #[inline]
    pub fn fold<T>(
        &self,
        now: EpochMs,
        width_ms: i64,
        init: T,
        mut add: impl FnMut(T, &B) -> T,
    ) -> T {
        let now_idx = bucket_index(now, width_ms);
        let head = i64::from(self.head);
        // Buckets with index in (now_idx - N, now_idx] that the ring still holds.
        let lo = (now_idx - N as i64 + 1).max(head - N as i64 + 1);
        let hi = now_idx.min(head);
        let mut acc = init;
        let mut i = lo;
        while i <= hi {
            acc = add(acc, &self.buckets[i.rem_euclid(N as i64) as usize]);
            i += 1;
        }
        acc
    }

    /// Whether the window ending with the bucket of `now` is the whole ring, i.e. `now` falls in
    /// the newest bucket: then a fold over the window is the sum of every bucket.
    #[inline]
    pub fn ends_at(&self, now: EpochMs, width_ms: i64) -> bool {
        bucket_index(now, width_ms) == i64::from(self.head)
    }

    /// Every bucket the ring holds (those that left it are cleared), in slot order.
    pub fn buckets(&self) -> impl Iterator<Item = &B> {
        self.buckets.iter()
    }

    /// Event time of the newest bucket's start, or `None` for an untouched ring.
    pub fn newest_bucket_start(&self, width_ms: i64) -> Option<EpochMs> {
        (self.head > UNTOUCHED).then(|| i64::from(self.head) * width_ms)
    }
}

impl<const N: usize> Ring<Bucket, N> {
    /// Sum of the buckets inside the window that ends with the bucket of `now`.
    pub fn totals(&self, now: EpochMs, width_ms: i64) -> Totals {
        self.fold(now, width_ms, Totals::default(), |mut t, b| {
            t.add(b);
            t
        })
    }

    /// Whole-ring merge, used by tests to check that bucket sums are independent of order.
    #[cfg(test)]
    pub fn all_buckets_total(&self) -> Bucket {
        let mut b = Bucket::default();
        for x in &self.buckets {
            b.add(x);
        }
        b
    }
}

/// serde only derives arrays up to 32 elements for concrete sizes; the rings are generic.
mod array_serde {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, B: Serialize, const N: usize>(
        a: &[B; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        a.as_slice().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, B: Deserialize<'de>, const N: usize>(
        d: D,
    ) -> Result<[B; N], D::Error> {
        let v = Vec::<B>::deserialize(d)?;
        let len = v.len();
        v.try_into()
            .map_err(|_| D::Error::custom(format!("ring of {len} buckets, expected {N}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn call(ring: &mut Ring<Bucket, 4>, ts: EpochMs) -> bool {
        match ring.bucket_mut(ts, 15 * MIN) {
            Some(b) => {
                b.calls += 1;
                true
            }
            None => false,
        }
    }

    #[test]
    fn counts_inside_the_window_and_forgets_after_it() {
        let mut r = Ring::<Bucket, 4>::default();
        let t0 = 1_000 * 15 * MIN;
        for k in 0..4 {
            assert!(call(&mut r, t0 + k * 15 * MIN));
        }
        assert_eq!(r.totals(t0 + 3 * 15 * MIN, 15 * MIN).calls, 4);
        // One bucket later the first call has left the 1 h window.
        assert_eq!(r.totals(t0 + 4 * 15 * MIN, 15 * MIN).calls, 3);
        // Far later nothing is left, even without new events.
        assert_eq!(r.totals(t0 + 100 * 15 * MIN, 15 * MIN).calls, 0);
    }

    #[test]
    fn out_of_order_event_lands_in_its_own_bucket() {
        let mut r = Ring::<Bucket, 4>::default();
        let t0 = 1_000 * 15 * MIN;
        assert!(call(&mut r, t0 + 2 * 15 * MIN));
        assert!(call(&mut r, t0)); // arrives late but within the ring
        assert_eq!(r.totals(t0 + 2 * 15 * MIN, 15 * MIN).calls, 2);
        assert_eq!(r.totals(t0 + 4 * 15 * MIN, 15 * MIN).calls, 1);
    }

    #[test]
    fn event_older_than_the_ring_is_refused() {
        let mut r = Ring::<Bucket, 4>::default();
        let t0 = 1_000 * 15 * MIN;
        assert!(call(&mut r, t0 + 10 * 15 * MIN));
        assert!(!call(&mut r, t0));
        assert_eq!(r.totals(t0 + 10 * 15 * MIN, 15 * MIN).calls, 1);
    }

    #[test]
    fn advancing_clears_reused_slots() {
        let mut r = Ring::<Bucket, 4>::default();
        let t0 = 1_000 * 15 * MIN;
        assert!(call(&mut r, t0));
        assert!(call(&mut r, t0 + 4 * 15 * MIN)); // same slot, next lap
        assert_eq!(r.all_buckets_total().calls, 1);
    }

    proptest::proptest! {
        #[test]
        fn window_total_equals_brute_force(offsets in proptest::collection::vec(0i64..(20 * 15), 1..60)) {
            // Events in increasing time order; totals at the last event equal a brute-force
            // count of events in the last 4 buckets.
            let mut offs = offsets.clone();
            offs.sort();
            let mut r = Ring::<Bucket, 4>::default();
            let base = 5_000 * 15 * MIN;
            for o in &offs {
                proptest::prop_assert!(call(&mut r, base + o * MIN));
            }
            let now = base + offs.last().unwrap() * MIN;
            let now_idx = now.div_euclid(15 * MIN);
            let expect = offs.iter().filter(|o| (base + *o * MIN).div_euclid(15 * MIN) > now_idx - 4).count();
            proptest::prop_assert_eq!(r.totals(now, 15 * MIN).calls as usize, expect);
        }
    }
}
