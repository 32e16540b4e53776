//! The generator: a city as an iterator of signals in event time.
//!
//! Each day, normal life is drawn as sorted plans and fraud scripts push their future events
//! into a scheduler; `next` takes whichever comes first, so memory holds one day of plans and
//! the running scripts — never the whole output.

use crate::error::SimError;
use crate::fraud::Fraud;
use crate::normal::{FollowUp, NormalLife};
use crate::population::World;
use crate::region::Region;
use crate::rng::{self, SimRng};
use crate::schedule::Scheduler;
use crate::truth::Truth;
use crate::SimParams;
use chrono::{Duration, NaiveDate};
use fanzha_core::event::{EpochMs, Signal};

pub struct Simulation {
    params: SimParams,
    world: World,
    normal: NormalLife,
    fraud: Fraud,
    sched: Scheduler,
    /// Index of the current day; `None` before the first.
    day: Option<u32>,
    date: NaiveDate,
    day_start: EpochMs,
    plans: Vec<u64>,
    pos: usize,
    day_rng: SimRng,
    txn_id: u64,
    follow_ups: Vec<FollowUp>,
}

const DAY_MS: i64 = 86_400_000;
/// How many plans ahead the resident's records, then the lists and accounts they point to,
/// are requested from memory (see `NormalLife::prefetch_far`).
const PREFETCH_FAR: usize = 24;
const PREFETCH_NEAR: usize = 8;

impl Simulation {
    pub fn new(params: SimParams) -> Result<Simulation, SimError> {
        params.validate()?;
        let region = Region::load(&params.region)?;
        let mut world = World::build(&params, region);
        let fraud = Fraud::new(&params, &mut world);
        let end = world.start_ms + i64::from(params.days) * DAY_MS;
        Ok(Simulation {
            date: params.start,
            day_start: world.start_ms,
            day_rng: rng::stream(params.seed, rng::domain::NORMAL_DAY, 0),
            params,
            world,
            normal: NormalLife::new(),
            fraud,
            sched: Scheduler::new(end),
            day: None,
            plans: Vec::new(),
            pos: 0,
            txn_id: 0,
            follow_ups: Vec::new(),
        })
    }

    pub fn params(&self) -> &SimParams {
        &self.params
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// Epoch ms of the first simulated instant and of the end (exclusive).
    pub fn period(&self) -> (EpochMs, EpochMs) {
        (self.world.start_ms, self.sched.end_ms)
    }

    /// Starts the next day; `false` when the period is over.
    fn advance_day(&mut self) -> bool {
        let next = self.day.map_or(0, |d| d + 1);
        if next >= self.params.days {
            return false;
        }
        self.day = Some(next);
        self.date = self.params.start + Duration::days(i64::from(next));
        self.day_start = self.world.start_ms + i64::from(next) * DAY_MS;
        let mut plan_rng = rng::stream(self.params.seed, rng::domain::NORMAL_DAY, u64::from(next));
        self.plans = self.normal.plan_day(&self.world, self.date, &mut plan_rng);
        self.pos = 0;
        self.day_rng = rng::stream(self.params.seed, rng::domain::NORMAL_HOUR, u64::from(next));
        self.fraud
            .start_day(next, self.day_start, &mut self.world, &mut self.sched);
        true
    }

    /// Ends the run: the reference records and ground truth, with numbers filled in.
    pub fn finish(mut self) -> (World, Truth) {
        self.fraud.finish(&self.world);
        self.world.describe_phones();
        (self.world, self.fraud.truth)
    }

    /// The victims so far, as their stories stand at the last signal produced (a live consumer
    /// reads who has been defrauded by now; the complete truth comes from [`Simulation::finish`]).
    pub fn victims(&self) -> &[crate::truth::VictimTruth] {
        &self.fraud.truth.victims
    }

    /// Scripted actions currently waiting (for memory figures).
    pub fn pending(&self) -> usize {
        self.sched.len()
    }
}

impl Iterator for Simulation {
    type Item = Signal;

    fn next(&mut self) -> Option<Signal> {
        loop {
            let day_end = self.day_start + DAY_MS;
            let plan_ts = self
                .plans
                .get(self.pos)
                .map(|&p| self.day_start + i64::from(crate::normal::unpack(p).0));
            let sched_ts = self
                .sched
                .next_ts()
                .filter(|&t| t < day_end || self.day.is_none());
            match (plan_ts, sched_ts) {
                (None, None) => {
                    if !self.advance_day() {
                        return None;
                    }
                }
                (Some(p), s) if s.is_none_or(|s| p <= s) => {
                    let plan = self.plans[self.pos];
                    if let Some(&ahead) = self.plans.get(self.pos + PREFETCH_FAR) {
                        NormalLife::prefetch_far(&self.world, ahead);
                    }
                    if let Some(&ahead) = self.plans.get(self.pos + PREFETCH_NEAR) {
                        NormalLife::prefetch_near(&self.world, ahead);
                    }
                    self.pos += 1;
                    let out = self.normal.expand(
                        plan,
                        self.day_start,
                        &mut self.world,
                        &mut self.day_rng,
                        &mut self.txn_id,
                        &mut self.follow_ups,
                        self.date,
                    );
                    for (ts, signal) in self.follow_ups.drain(..) {
                        self.sched.push(
                            ts,
                            crate::fraud::Action::Emit {
                                signal,
                                note: crate::fraud::Note::None,
                            },
                        );
                    }
                    if out.is_some() {
                        return out;
                    }
                }
                _ => {
                    let s = self.sched.pop()?;
                    let out = self.fraud.process(
                        s.ts,
                        s.action,
                        &mut self.world,
                        &mut self.sched,
                        &mut self.txn_id,
                    );
                    if out.is_some() {
                        return out;
                    }
                }
            }
        }
    }
}
