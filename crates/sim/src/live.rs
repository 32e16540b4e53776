//! Pacing a stream of signals against the wall clock, for demos and load tests: either a
//! speed-up of simulated time (`60` = one simulated hour per wall minute) or a fixed rate of
//! events per second.

use fanzha_core::event::{EpochMs, Signal};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    /// Simulated time runs this many times faster than wall time.
    Speed(f64),
    /// This many signals per wall second, whatever their timestamps.
    Rate(f64),
}

impl Pace {
    /// When, after the start of the stream, the `n`-th signal (0-based) stamped `ts` is due,
    /// given the first signal's stamp.
    pub fn due(self, n: u64, first_ts: EpochMs, ts: EpochMs) -> Duration {
        let secs = match self {
            Pace::Speed(s) => ((ts - first_ts).max(0) as f64 / 1000.0) / s,
            Pace::Rate(r) => n as f64 / r,
        };
        Duration::from_secs_f64(secs.max(0.0))
    }
}

/// Yields each signal no earlier than its due time.
pub struct Paced<I> {
    inner: I,
    pace: Pace,
    started: Option<(Instant, EpochMs)>,
    n: u64,
}

impl<I: Iterator<Item = Signal>> Paced<I> {
    pub fn new(inner: I, pace: Pace) -> Self {
        Paced {
            inner,
            pace,
            started: None,
            n: 0,
        }
    }
}

impl<I: Iterator<Item = Signal>> Iterator for Paced<I> {
    type Item = Signal;

    fn next(&mut self) -> Option<Signal> {
        let s = self.inner.next()?;
        let (t0, first) = *self.started.get_or_insert((Instant::now(), s.ts()));
        let due = t0 + self.pace.due(self.n, first, s.ts());
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        self.n += 1;
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_divides_simulated_time_and_rate_counts_events() {
        assert_eq!(
            Pace::Speed(60.0).due(5, 0, 3_600_000),
            Duration::from_secs(60)
        );
        assert_eq!(
            Pace::Rate(100.0).due(250, 0, 99),
            Duration::from_millis(2500)
        );
        assert_eq!(Pace::Speed(2.0).due(0, 1000, 500), Duration::ZERO);
    }

    #[test]
    fn paced_stream_waits_for_due_times() {
        use fanzha_core::event::{Msisdn, NationalPush};
        let signals = (0..3).map(|i| {
            Signal::NationalPush(NationalPush {
                ts: i * 100,
                msisdn: Msisdn(1),
                level: 3,
            })
        });
        let start = Instant::now();
        let out: Vec<Signal> = Paced::new(signals, Pace::Speed(2.0)).collect();
        assert_eq!(out.len(), 3);
        // The last signal is 200 ms of simulated time after the first: due after 100 ms.
        assert!(start.elapsed() >= Duration::from_millis(100));
    }
}
