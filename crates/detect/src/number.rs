//! Stage 1: the reputation state of one number (keyed by the calling / sending number) and the
//! features read from it.

use crate::config::{DAY_MS, HOUR_MS, MINUTE_MS};
use crate::number_kind::{classify, NumberKind};
use crate::window::{Bucket, Ring, Totals};
use fanzha_core::event::{EpochMs, Msisdn, NumberList};
use serde::{Deserialize, Serialize};

const W1H_BUCKET: i64 = 15 * MINUTE_MS;
const W24H_BUCKET: i64 = 3 * HOUR_MS;
const W7D_BUCKET: i64 = DAY_MS;
/// Ring sizes: 4 × 15 min, 8 × 3 h, 7 × 1 day.
pub const W1H: i64 = HOUR_MS;
pub const W24H: i64 = DAY_MS;
pub const W7D: i64 = 7 * DAY_MS;

/// How many recent distinct contacts a number remembers, so that stage 2 can re-examine their
/// targets when the number turns suspect.
pub const RECENT_TARGETS: usize = 16;
const CELLS: usize = 4;

/// `NumberState::sim_opened` of a number whose SIM activation is unknown.
const SIM_UNKNOWN: EpochMs = i64::MIN;

pub(crate) const LIST_NATIONAL: u8 = 1;
pub(crate) const LIST_BLOCK: u8 = 2;
pub(crate) const LIST_GOIP: u8 = 4;

pub(crate) fn list_bit(l: NumberList) -> u8 {
    match l {
        NumberList::NationalPush => LIST_NATIONAL,
        NumberList::Blocklist => LIST_BLOCK,
        NumberList::Goip => LIST_GOIP,
    }
}

/// A bucket of the 1-hour window: only what `calls_1h` and `distinct_callees_1h` read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HourCounts {
    calls: u16,
    distinct_callees: u16,
}

/// A bucket of the 7-day window: only what the `_7d` features read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WeekCounts {
    calls: u16,
    new_callees: u16,
    distinct_callees: u16,
    /// Calls received back from numbers this number had called.
    callbacks: u16,
}

/// 7-day sums, wider than [`WeekCounts`] because they add up buckets.
#[derive(Clone, Copy, Debug, Default)]
struct WeekTotals {
    calls: u32,
    new_callees: u32,
    distinct_callees: u32,
    callbacks: u32,
}

/// Running sums over every bucket of the 24-hour and 7-day rings of the counters the weighted
/// score reads (see [`NumberState::weighted_score_features`]). Stage 1 rescores the caller on
/// every call, at the event's own time, which almost always falls in the rings' newest buckets:
/// then each window is the whole ring and its totals are these sums, read in one place instead of
/// folded over 15 buckets. Integers only, so they equal the folds exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct ScoreSums {
    calls: u32,
    short_calls: u32,
    new_callees: u32,
    distinct_callees: u32,
    sms_links: u32,
    week_distinct_callees: u32,
    week_callbacks: u32,
    duration_sum: u64,
}

impl ScoreSums {
    /// Adds (`sign` [`ADD`]) or takes away (`sign` [`SUB`], as a wrapping add) a 24-hour bucket.
    #[inline]
    fn day(&mut self, b: &Bucket, sign: u32) {
        signed_add(&mut self.calls, b.calls, sign);
        signed_add(&mut self.short_calls, b.short_calls, sign);
        signed_add(&mut self.new_callees, b.new_callees, sign);
        signed_add(&mut self.distinct_callees, b.distinct_callees, sign);
        signed_add(&mut self.sms_links, b.sms_links, sign);
        let sign64 = sign as i32 as i64 as u64;
        self.duration_sum = self
            .duration_sum
            .wrapping_add(sign64.wrapping_mul(u64::from(b.duration_sum)));
    }

    #[inline]
    fn week(&mut self, b: &WeekCounts, sign: u32) {
        signed_add(&mut self.week_distinct_callees, b.distinct_callees, sign);
        signed_add(&mut self.week_callbacks, b.callbacks, sign);
    }

    /// The window totals these sums stand for (the fields the weighted score reads; the rest 0).
    fn totals(&self) -> (Totals, WeekTotals) {
        let day = Totals {
            calls: self.calls,
            short_calls: self.short_calls,
            new_callees: self.new_callees,
            distinct_callees: self.distinct_callees,
            sms_links: self.sms_links,
            duration_sum: self.duration_sum,
            ..Totals::default()
        };
        let week = WeekTotals {
            distinct_callees: self.week_distinct_callees,
            callbacks: self.week_callbacks,
            ..WeekTotals::default()
        };
        (day, week)
    }
}

#[inline]
fn signed_add(total: &mut u32, v: u16, sign: u32) {
    *total = total.wrapping_add(sign.wrapping_mul(u32::from(v)));
}

const ADD: u32 = 1;
const SUB: u32 = u32::MAX;

/// Per-number state. Fixed size, no heap: its size is the engine's memory per active number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumberState {
    r1h: Ring<HourCounts, 4>,
    r24h: Ring<Bucket, 8>,
    r7d: Ring<WeekCounts, 7>,
    /// Last distinct numbers called or messaged, newest at `targets_head - 1`.
    targets: [u64; RECENT_TARGETS],
    targets_head: u8,
    /// Recent cells with the minute they were last seen in.
    cells: [(u32, u32); CELLS],
    pub(crate) lists: u8,
    /// Event time the SIM was opened (from a card-opening record), [`SIM_UNKNOWN`] when unknown
    /// (a sentinel rather than an `Option`, which would take 16 bytes).
    sim_opened: EpochMs,
    /// Current stage-1 score (what the changelog last said).
    pub(crate) score: f32,
    pub(crate) last_seen: EpochMs,
    /// Derived from the rings, so not in snapshots: rebuilt on restore ([`NumberState::rebuild_sums`]).
    #[serde(skip)]
    sums: ScoreSums,
}

impl Default for NumberState {
    fn default() -> Self {
        NumberState {
            r1h: Ring::default(),
            r24h: Ring::default(),
            r7d: Ring::default(),
            targets: [0; RECENT_TARGETS],
            targets_head: 0,
            cells: [(0, 0); CELLS],
            lists: 0,
            sim_opened: SIM_UNKNOWN,
            score: 0.0,
            last_seen: i64::MIN,
            sums: ScoreSums::default(),
        }
    }
}

pub(crate) fn is_night(ts: EpochMs) -> bool {
    // Asia/Shanghai has no daylight saving: local = UTC + 8 h.
    let local_s = (ts / 1000 + 8 * 3600).rem_euclid(86_400);
    local_s < 6 * 3600
}

/// What stage 1 learns from one outgoing call, decided by the engine from the pair index.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallFacts {
    pub duration_s: u32,
    /// Neither side had ever contacted the other.
    pub new_callee: bool,
    /// Time of the previous call from this caller to this callee, if any.
    pub previous: Option<EpochMs>,
}

impl NumberState {
    /// A fresh state for a number whose SIM was opened at `sim_opened`, if known.
    pub fn new(sim_opened: Option<EpochMs>) -> NumberState {
        let mut n = NumberState::default();
        n.set_sim_opened(sim_opened);
        n
    }

    /// Records when the SIM was opened (`None`: unknown).
    pub(crate) fn set_sim_opened(&mut self, ts: Option<EpochMs>) {
        // `i64::MIN` itself is the sentinel; an activation there is read as one millisecond later.
        self.sim_opened = ts.map_or(SIM_UNKNOWN, |t| t.max(SIM_UNKNOWN + 1));
    }

    /// When the SIM was opened, if known.
    pub(crate) fn sim_opened(&self) -> Option<EpochMs> {
        (self.sim_opened != SIM_UNKNOWN).then_some(self.sim_opened)
    }

    fn touch(&mut self, ts: EpochMs) {
        if ts > self.last_seen {
            self.last_seen = ts;
        }
    }

    pub fn record_call(&mut self, ts: EpochMs, callee: Msisdn, cell: u32, f: CallFacts) {
        self.touch(ts);
        let short = f.duration_s < 10;
        let night = is_night(ts);
        let dur = f.duration_s;
        let first_within = |w: i64| f.previous.is_none_or(|p| ts - p >= w);
        let new = f.new_callee as u16;
        if let Some(b) = self.r1h.bucket_mut(ts, W1H_BUCKET) {
            b.calls = b.calls.saturating_add(1);
            b.distinct_callees = b.distinct_callees.saturating_add(first_within(W1H) as u16);
        }
        self.change_day(ts, |b| {
            b.calls = b.calls.saturating_add(1);
            b.short_calls = b.short_calls.saturating_add(short as u16);
            b.night_calls = b.night_calls.saturating_add(night as u16);
            b.new_callees = b.new_callees.saturating_add(new);
            b.distinct_callees = b.distinct_callees.saturating_add(first_within(W24H) as u16);
            b.duration_sum = b.duration_sum.saturating_add(dur);
            b.duration_sq += (dur as f32) * (dur as f32);
        });
        self.change_week(ts, |b| {
            b.calls = b.calls.saturating_add(1);
            b.new_callees = b.new_callees.saturating_add(new);
            b.distinct_callees = b.distinct_callees.saturating_add(first_within(W7D) as u16);
        });
        if cell != 0 {
            self.record_cell(ts, cell);
        }
        self.remember_target(callee);
    }

    pub fn record_sms(&mut self, ts: EpochMs, recipient: Msisdn, with_link: bool) {
        self.touch(ts);
        // Only the 24-hour window counts messages (`sms_24h`, `sms_links_24h`).
        self.change_day(ts, |b| {
            b.sms = b.sms.saturating_add(1);
            b.sms_links = b.sms_links.saturating_add(with_link as u16);
        });
        if with_link {
            self.remember_target(recipient);
        }
    }

    /// A number this one had called calls it back (counted in the 7-day window, the one the
    /// call-back features read).
    pub fn record_callback(&mut self, ts: EpochMs) {
        self.change_week(ts, |b| b.callbacks = b.callbacks.saturating_add(1));
    }

    /// Applies `change` to the 24-hour bucket of `ts` (if the ring still holds it) with the
    /// running sums kept in step: the bucket's old values are taken away and its new ones added,
    /// and buckets leaving the ring are taken away before they are cleared.
    #[inline]
    fn change_day(&mut self, ts: EpochMs, change: impl FnOnce(&mut Bucket)) {
        let sums = &mut self.sums;
        if let Some(b) = self
            .r24h
            .bucket_mut_expiring(ts, W24H_BUCKET, |old| sums.day(old, SUB))
        {
            sums.day(b, SUB);
            change(b);
            sums.day(b, ADD);
        }
    }

    /// [`NumberState::change_day`] for the 7-day ring.
    #[inline]
    fn change_week(&mut self, ts: EpochMs, change: impl FnOnce(&mut WeekCounts)) {
        let sums = &mut self.sums;
        if let Some(b) = self
            .r7d
            .bucket_mut_expiring(ts, W7D_BUCKET, |old| sums.week(old, SUB))
        {
            sums.week(b, SUB);
            change(b);
            sums.week(b, ADD);
        }
    }

    /// Recomputes the running sums from the rings (after a restore, which does not store them).
    pub(crate) fn rebuild_sums(&mut self) {
        let mut sums = ScoreSums::default();
        self.r24h.buckets().for_each(|b| sums.day(b, ADD));
        self.r7d.buckets().for_each(|b| sums.week(b, ADD));
        self.sums = sums;
    }

    fn record_cell(&mut self, ts: EpochMs, cell: u32) {
        let minute = (ts / MINUTE_MS).clamp(0, u32::MAX as i64) as u32;
        if let Some(c) = self.cells.iter_mut().find(|c| c.0 == cell) {
            c.1 = c.1.max(minute);
            return;
        }
        // Replace the stalest slot.
        let (i, _) = self
            .cells
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| c.1)
            .unwrap_or((0, &(0, 0)));
        self.cells[i] = (cell, minute);
    }

    fn remember_target(&mut self, m: Msisdn) {
        if self.targets.contains(&m.0) {
            return;
        }
        self.targets[self.targets_head as usize % RECENT_TARGETS] = m.0;
        self.targets_head = ((self.targets_head as usize + 1) % RECENT_TARGETS) as u8;
    }

    /// Recent distinct targets, oldest first.
    pub fn recent_targets(&self) -> impl Iterator<Item = Msisdn> + '_ {
        let h = self.targets_head as usize;
        (0..RECENT_TARGETS)
            .map(move |k| self.targets[(h + k) % RECENT_TARGETS])
            .filter(|&n| n != 0)
            .map(Msisdn)
    }

    pub fn features(&self, number: Msisdn, now: EpochMs) -> NumberFeatures {
        let h1 = self.r1h.fold(now, W1H_BUCKET, (0u32, 0u32), |(c, d), b| {
            (c + u32::from(b.calls), d + u32::from(b.distinct_callees))
        });
        let h24 = self.r24h.totals(now, W24H_BUCKET);
        let d7 = self
            .r7d
            .fold(now, W7D_BUCKET, WeekTotals::default(), |mut t, b| {
                t.calls += u32::from(b.calls);
                t.new_callees += u32::from(b.new_callees);
                t.distinct_callees += u32::from(b.distinct_callees);
                t.callbacks += u32::from(b.callbacks);
                t
            });
        let now_min = (now / MINUTE_MS).max(0) as u32;
        let distinct_cells_24h = self
            .cells
            .iter()
            .filter(|c| c.0 != 0 && now_min.saturating_sub(c.1) < 24 * 60)
            .count() as f32;
        NumberFeatures {
            calls_1h: h1.0 as f32,
            calls_7d: d7.calls as f32,
            distinct_callees_1h: h1.1 as f32,
            new_callee_share_7d: share(d7.new_callees, d7.calls),
            callbacks_7d: d7.callbacks as f32,
            duration_sd_24h: duration_sd(&h24),
            night_call_share_24h: share(h24.night_calls, h24.calls),
            distinct_cells_24h,
            sms_24h: h24.sms as f32,
            ..self.scored_features(number, now, &h24, &d7)
        }
    }

    /// The features [`crate::score::WeightedScore`] reads, computed exactly as
    /// [`NumberState::features`] computes them; every other field is zero. Stage 1 rescores the
    /// caller on every call, and with every table in cache the full feature set was more than
    /// half of a call's cost: this skips the 1-hour window, the cells, the duration spread (a
    /// square root) and the night and message counts, which the default score does not read.
    pub(crate) fn weighted_score_features(&self, number: Msisdn, now: EpochMs) -> NumberFeatures {
        let sums = if self.r24h.ends_at(now, W24H_BUCKET) && self.r7d.ends_at(now, W7D_BUCKET) {
            // Each window is the whole ring: its totals are the running sums.
            self.sums
        } else {
            // Only the counters `scored_features` reads are summed; integer sums, so they equal
            // those of `features`.
            let day = self
                .r24h
                .fold(now, W24H_BUCKET, ScoreSums::default(), |mut s, b| {
                    s.day(b, ADD);
                    s
                });
            self.r7d.fold(now, W7D_BUCKET, day, |mut s, b| {
                s.week(b, ADD);
                s
            })
        };
        let (h24, d7) = sums.totals();
        self.scored_features(number, now, &h24, &d7)
    }

    /// The features the weighted score reads, from the window totals (of which it reads the
    /// calls, short calls, new and distinct callees, link SMS and duration sum of `h24`, and the
    /// distinct callees and call-backs of `d7`); every other field is zero. Shared by both
    /// feature paths, so they cannot drift apart.
    fn scored_features(
        &self,
        number: Msisdn,
        now: EpochMs,
        h24: &Totals,
        d7: &WeekTotals,
    ) -> NumberFeatures {
        let kind = classify(number);
        NumberFeatures {
            calls_24h: h24.calls as f32,
            distinct_callees_24h: h24.distinct_callees as f32,
            distinct_callees_7d: d7.distinct_callees as f32,
            new_callee_share_24h: share(h24.new_callees, h24.calls),
            callback_share_7d: share(d7.callbacks, d7.distinct_callees),
            duration_mean_24h: duration_mean(h24),
            short_call_share_24h: share(h24.short_calls, h24.calls),
            sim_age_days: self.sim_age_days(now),
            sms_links_24h: h24.sms_links as f32,
            listed_national: flag(self.lists & LIST_NATIONAL != 0),
            listed_blocklist: flag(self.lists & LIST_BLOCK != 0),
            listed_goip: flag(self.lists & LIST_GOIP != 0),
            overseas: flag(kind == NumberKind::Overseas),
            virtual_segment: flag(kind == NumberKind::Virtual),
            ..NumberFeatures::default()
        }
    }

    /// Days since the SIM was opened, -1 when unknown.
    fn sim_age_days(&self, now: EpochMs) -> f32 {
        self.sim_opened()
            .map(|t| (now.saturating_sub(t) as f32 / DAY_MS as f32).max(0.0))
            .unwrap_or(-1.0)
    }
}

fn flag(b: bool) -> f32 {
    if b {
        1.0
    } else {
        0.0
    }
}

fn share(part: u32, whole: u32) -> f32 {
    if whole == 0 {
        0.0
    } else {
        (part as f32 / whole as f32).min(1.0)
    }
}

/// Mean call duration over a window's calls, 0 without calls.
fn duration_mean(t: &Totals) -> f32 {
    if t.calls == 0 {
        return 0.0;
    }
    (t.duration_sum as f64 / t.calls as f64) as f32
}

/// Spread (population standard deviation) of call durations over a window's calls.
fn duration_sd(t: &Totals) -> f32 {
    if t.calls == 0 {
        return 0.0;
    }
    let n = t.calls as f64;
    let mean = t.duration_sum as f64 / n;
    let var = (t.duration_sq / n - mean * mean).max(0.0);
    var.sqrt() as f32
}

macro_rules! number_features {
    ($( $name:ident ),* $(,)?) => {
        /// Stage-1 features of one number at one moment. The field order is the model's input
        /// order ([`NumberFeatures::NAMES`], [`NumberFeatures::to_vec`]).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct NumberFeatures { $( pub $name: f32, )* }

        impl NumberFeatures {
            pub const NAMES: &'static [&'static str] = &[ $( stringify!($name), )* ];
            pub fn to_vec(&self) -> Vec<f32> { vec![ $( self.$name, )* ] }
            pub fn get(&self, name: &str) -> Option<f32> {
                match name { $( stringify!($name) => Some(self.$name), )* _ => None }
            }
        }
    };
}

number_features!(
    calls_1h,
    calls_24h,
    calls_7d,
    distinct_callees_1h,
    distinct_callees_24h,
    distinct_callees_7d,
    new_callee_share_24h,
    new_callee_share_7d,
    callbacks_7d,
    callback_share_7d,
    duration_mean_24h,
    duration_sd_24h,
    short_call_share_24h,
    night_call_share_24h,
    distinct_cells_24h,
    sim_age_days,
    sms_24h,
    sms_links_24h,
    listed_national,
    listed_blocklist,
    listed_goip,
    overseas,
    virtual_segment,
);

#[cfg(test)]
mod tests {
    use super::*;

    const T0: EpochMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z = 08:00 Shanghai

    fn call(s: &mut NumberState, ts: EpochMs, callee: u64, dur: u32, new: bool, prev: Option<i64>) {
        s.record_call(
            ts,
            Msisdn(callee),
            7,
            CallFacts {
                duration_s: dur,
                new_callee: new,
                previous: prev,
            },
        );
    }

    #[test]
    fn counts_calls_per_window() {
        let mut s = NumberState::default();
        call(&mut s, T0, 1, 60, true, None);
        call(&mut s, T0 + 2 * HOUR_MS, 2, 60, true, None);
        call(&mut s, T0 + 2 * DAY_MS, 3, 60, true, None);
        let f = s.features(Msisdn(8613800000000), T0 + 2 * DAY_MS);
        assert_eq!(f.calls_1h, 1.0);
        assert_eq!(f.calls_24h, 1.0);
        assert_eq!(f.calls_7d, 3.0);
    }

    #[test]
    fn new_callee_share_counts_strangers_only() {
        let mut s = NumberState::default();
        for k in 0..3 {
            call(&mut s, T0 + k * MINUTE_MS, 10 + k as u64, 60, true, None);
        }
        call(
            &mut s,
            T0 + 5 * MINUTE_MS,
            99,
            60,
            false,
            Some(T0 - 3 * DAY_MS),
        );
        let f = s.features(Msisdn(8613800000000), T0 + 5 * MINUTE_MS);
        assert!((f.new_callee_share_24h - 0.75).abs() < 1e-6);
    }

    #[test]
    fn distinct_callees_count_a_repeated_callee_once_per_window() {
        let mut s = NumberState::default();
        call(&mut s, T0, 5, 60, true, None);
        call(&mut s, T0 + 10 * MINUTE_MS, 5, 60, false, Some(T0));
        call(&mut s, T0 + 11 * MINUTE_MS, 6, 60, true, None);
        let f = s.features(Msisdn(8613800000000), T0 + 11 * MINUTE_MS);
        assert_eq!(f.calls_1h, 3.0);
        assert_eq!(f.distinct_callees_1h, 2.0);
        assert_eq!(f.distinct_callees_24h, 2.0);
    }

    #[test]
    fn short_calls_night_calls_and_duration_spread() {
        let mut s = NumberState::default();
        // 17:00 UTC = 01:00 Shanghai: night.
        let night = T0 + 17 * HOUR_MS;
        call(&mut s, night, 1, 5, true, None);
        call(&mut s, night + MINUTE_MS, 2, 15, true, None);
        let f = s.features(Msisdn(8613800000000), night + MINUTE_MS);
        assert!((f.short_call_share_24h - 0.5).abs() < 1e-6);
        assert!((f.night_call_share_24h - 1.0).abs() < 1e-6);
        assert!((f.duration_mean_24h - 10.0).abs() < 1e-4);
        assert!((f.duration_sd_24h - 5.0).abs() < 1e-3);
    }

    #[test]
    fn callbacks_sms_cells_sim_age_and_lists() {
        let mut s = NumberState::new(Some(T0 - 2 * DAY_MS));
        s.record_callback(T0);
        s.record_sms(T0, Msisdn(1), true);
        s.record_sms(T0, Msisdn(2), false);
        s.record_call(T0, Msisdn(3), 11, CallFacts::default());
        s.record_call(T0, Msisdn(4), 12, CallFacts::default());
        s.lists |= LIST_GOIP;
        let f = s.features(Msisdn(8617012345678), T0);
        assert_eq!(f.callbacks_7d, 1.0);
        assert_eq!(f.sms_24h, 2.0);
        assert_eq!(f.sms_links_24h, 1.0);
        assert_eq!(f.distinct_cells_24h, 2.0);
        assert!((f.sim_age_days - 2.0).abs() < 1e-4);
        assert_eq!(f.listed_goip, 1.0);
        assert_eq!(f.listed_blocklist, 0.0);
        assert_eq!(f.virtual_segment, 1.0);
    }

    #[test]
    fn remembers_recent_distinct_targets_in_order() {
        let mut s = NumberState::default();
        for k in 1..=(RECENT_TARGETS as u64 + 2) {
            call(&mut s, T0, k, 1, true, None);
        }
        call(&mut s, T0, 10, 1, false, Some(T0));
        let got: Vec<u64> = s.recent_targets().map(|m| m.0).collect();
        let want: Vec<u64> = (3..=(RECENT_TARGETS as u64 + 2)).collect();
        assert_eq!(got, want);
    }

    proptest::proptest! {
        /// Stage 1 scores with the weighted score's own feature subset: the score must be the
        /// one the full features give, bit for bit, and every feature it fills must be the full
        /// feature's value.
        #[test]
        fn weighted_score_features_give_the_full_features_score(
            events in proptest::collection::vec(
                (0i64..(9 * DAY_MS), 1u64..40, 0u32..400, 0u8..6, proptest::bool::ANY), 1..80),
            sim in proptest::option::of(0i64..(30 * DAY_MS)),
            lists in 0u8..8,
            number in proptest::sample::select(vec![8613800000001u64, 8617012345678, 4412345678, 862012345678]),
            later in 0i64..(3 * DAY_MS),
        ) {
            use crate::score::{NumberScorer, WeightedScore};
            let mut s = NumberState::new(sim.map(|d| T0 - d));
            let mut last = T0;
            for (dt, callee, dur, kind, flag) in events {
                let ts = T0 + dt;
                last = last.max(ts);
                match kind {
                    0 => s.record_sms(ts, Msisdn(callee), flag),
                    1 => s.record_callback(ts),
                    _ => s.record_call(ts, Msisdn(callee), kind as u32, CallFacts {
                        duration_s: dur,
                        new_callee: flag,
                        previous: (!flag).then_some(ts - dur as i64 * MINUTE_MS),
                    }),
                }
                // The running sums are the sums of the rings' buckets after every event.
                let mut rebuilt = s.clone();
                rebuilt.rebuild_sums();
                proptest::prop_assert_eq!(rebuilt.sums, s.sums);
            }
            s.lists = lists;
            for now in [last, last + later, T0] {
                let full = s.features(Msisdn(number), now);
                let lean = s.weighted_score_features(Msisdn(number), now);
                for name in NumberFeatures::NAMES {
                    let v = lean.get(name).unwrap();
                    proptest::prop_assert!(v == 0.0 || v == full.get(name).unwrap(), "{name}");
                }
                let w = WeightedScore;
                proptest::prop_assert_eq!(w.score(&full).to_bits(), w.score_state(&s, Msisdn(number), now).to_bits());
            }
        }
    }

    /// Bucket counters saturate; the running sums must follow the saturated buckets, not the
    /// number of events.
    #[test]
    fn running_sums_follow_saturated_buckets() {
        let mut s = NumberState::default();
        for k in 0..70_000 {
            call(&mut s, T0 + k, 7, 1, true, None);
            s.record_sms(T0 + k, Msisdn(9), true);
        }
        let now = T0 + 70_000;
        let lean = s.weighted_score_features(Msisdn(8613800000001), now);
        let full = s.features(Msisdn(8613800000001), now);
        assert_eq!(lean.calls_24h, 65_535.0);
        assert_eq!(lean.sms_links_24h, 65_535.0);
        assert_eq!(
            lean.to_vec()
                .iter()
                .zip(full.to_vec())
                .filter(|(l, f)| **l != 0.0 && **l != *f)
                .count(),
            0
        );
        let mut rebuilt = s.clone();
        rebuilt.rebuild_sums();
        assert_eq!(rebuilt.sums, s.sums);
    }

    #[test]
    fn names_match_vector_order() {
        let f = NumberFeatures {
            calls_24h: 7.0,
            ..Default::default()
        };
        let v = f.to_vec();
        let i = NumberFeatures::NAMES
            .iter()
            .position(|n| *n == "calls_24h")
            .unwrap();
        assert_eq!(v[i], 7.0);
        assert_eq!(f.get("calls_24h"), Some(7.0));
    }
}
