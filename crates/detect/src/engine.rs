//! The engine: signals in, warnings out. Stage 1 updates the reputation of the calling /
//! sending number on every signal; stage 2 re-examines the person at the receiving end only when
//! their features change materially (a suspect or remote contact, a risky install, a link
//! opened, a transfer to a new payee, a push), so the rules run on a small share of events.
//!
//! **The engine does no I/O.** Snapshots are bytes returned to and taken from the caller.

use crate::config::EngineConfig;
use crate::directory::Directory;
use crate::error::DetectError;
use crate::features::PersonFeatures;
use crate::number::{list_bit, CallFacts, NumberFeatures, NumberState};
use crate::number_kind::classify;
use crate::number_table::NumberTable;
use crate::person::{NumberView, PersonKey, PersonState};
use crate::prefetch::PrefetchMap;
use crate::rules::RuleSet;
use crate::score::{NumberScorer, WeightedScore};
use crate::warning::{Evidence, FiredRule, SuspectNumber, Warning, WarningKind};
use fanzha_core::event::{
    AppCategory, AppInstall, Call, CardKind, CardOpening, EpochMs, Msisdn, NationalPush,
    NumberListed, Signal, Sms, Transfer, UrlVisit,
};
use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

/// What became of one signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ingested {
    Applied,
    /// Older than the watermark: counted in [`EngineStats::late`] and not applied.
    Late,
}

/// One entry of the stage-1 changelog `number → score`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreChange {
    pub ts: EpochMs,
    pub msisdn: Msisdn,
    pub score: f32,
}

/// Counters of what the engine did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EngineStats {
    pub events: u64,
    pub late: u64,
    pub calls: u64,
    pub sms: u64,
    pub installs: u64,
    pub visits: u64,
    pub transfers: u64,
    pub card_openings: u64,
    pub pushes: u64,
    pub listings: u64,
    /// Transfers whose paying account is not in the directory (no person to attribute them to).
    pub transfers_unattributed: u64,
    /// Stage-2 rule evaluations.
    pub evaluations: u64,
    /// Conditions that failed at run time (treated as not firing).
    pub rule_errors: u64,
    pub warnings_new: u64,
    pub warnings_raised: u64,
    pub warnings_merged: u64,
    /// Numbers that crossed the suspect threshold upwards.
    pub suspects_flagged: u64,
}

/// What a domain is known for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
struct DomainRep {
    listed: bool,
    /// Link SMS from suspect numbers carrying this domain.
    suspect_links: u32,
}

impl DomainRep {
    fn is_fraud(&self) -> bool {
        self.listed || self.suspect_links > 0
    }
}

/// Everything a snapshot holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct State {
    numbers: NumberTable,
    persons: PrefetchMap<PersonKey, PersonState>,
    /// Directed pair fingerprint → minute of the last call (for "never contacted before",
    /// "first in window" and call-backs).
    pairs: PrefetchMap<PairKey, u32>,
    /// No entry of `pairs` holds a minute below this: the smallest minute the last pruning kept,
    /// lowered by every insertion since (a call only ever raises an entry's minute). Pruning is
    /// skipped while it is at or above the cutoff, as nothing could go — on a replay shorter
    /// than the idle limit, every time. Not in snapshots: 0 after a restore, so the first
    /// pruning scans.
    #[serde(skip)]
    pairs_floor: u32,
    domains: FxHashMap<u64, DomainRep>,
    /// SIM activation times from phone records and card openings (for SIM age).
    sim_activations: FxHashMap<u64, EpochMs>,
    directory: Directory,
    max_ts: EpochMs,
    next_maintenance: EpochMs,
    stats: EngineStats,
}

const SNAPSHOT_MAGIC: &[u8; 4] = b"FZDE";
const SNAPSHOT_VERSION: u16 = 4;

#[derive(Serialize, Deserialize)]
struct SnapshotBody {
    offset: u64,
    config: EngineConfig,
    rules: String,
    state: State,
}

/// Memory held by the engine's state.
#[derive(Clone, Debug, Serialize)]
pub struct MemoryReport {
    pub numbers: usize,
    pub persons: usize,
    pub pairs: usize,
    pub number_state_bytes: usize,
    pub person_state_bytes: usize,
    pub pair_index_bytes: usize,
    /// Number state plus its share of the pair index, per active number.
    pub bytes_per_number: f64,
    pub bytes_per_person: f64,
}

pub struct Engine {
    config: EngineConfig,
    rules: RuleSet,
    rules_text: String,
    scorer: Box<dyn NumberScorer>,
    state: State,
    changelog: Option<Vec<ScoreChange>>,
    /// Caller and time of the last call ingested (for sampling training rows).
    last_call: Option<(Msisdn, EpochMs)>,
    /// Inside a batch entry point, which requests the states of the signals ahead itself.
    batching: bool,
}

const MAINTENANCE_EVERY_MS: i64 = 6 * crate::config::HOUR_MS;

/// How many signals ahead the batch entry points prefetch states; index buckets are requested
/// twice as far ahead, so that the state addresses can be read from them. On the generated week
/// 2 and 4 did best, 8 and 16 a few per cent worse.
pub const LOOKAHEAD: usize = 4;

/// What stage 1 of a call tells stage 2.
#[derive(Clone, Copy, Debug)]
struct CallStage1 {
    /// Neither side had ever contacted the other.
    new_callee: bool,
    caller_suspect: bool,
    callee_suspect: bool,
    /// The caller crossed the suspect threshold on this call.
    became_suspect: bool,
}

/// A directed pair fingerprint kept as two `u32` halves, so that an index entry (key and minute)
/// takes 12 bytes instead of the 16 an 8-byte-aligned `(u64, u32)` takes. Hashed and serialised
/// as the `u64` it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PairKey([u32; 2]);

impl PairKey {
    fn get(self) -> u64 {
        u64::from(self.0[0]) << 32 | u64::from(self.0[1])
    }

    fn from_u64(x: u64) -> PairKey {
        PairKey([(x >> 32) as u32, x as u32])
    }
}

impl std::hash::Hash for PairKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.get());
    }
}

impl Serialize for PairKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<'de> Deserialize<'de> for PairKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u64::deserialize(d).map(PairKey::from_u64)
    }
}

/// Pair-index entries [`Engine::reserve_numbers`] makes room for per number: a generated week has
/// about 13 pairs per number (no pair is older than the 30-day horizon yet).
pub const PAIRS_PER_NUMBER: usize = 16;

fn pair_key(a: Msisdn, b: Msisdn) -> PairKey {
    // Directed: (a, b) and (b, a) differ. A full 64-bit mix so that collisions are negligible.
    let mut h = FxHasher::default();
    h.write_u64(a.0);
    h.write_u64(b.0.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15);
    let x = h.finish();
    PairKey::from_u64((x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9))
}

fn domain_key(d: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(d.trim().to_ascii_lowercase().as_bytes());
    h.finish().max(1)
}

fn minute(ts: EpochMs) -> u32 {
    (ts / 60_000).clamp(1, u32::MAX as i64) as u32
}

fn payee_fingerprint(a: u64) -> u32 {
    let x = a.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    ((x >> 32) as u32).max(1)
}

impl Engine {
    /// An engine with the given rules and the transparent weighted stage-1 score.
    pub fn new(config: EngineConfig, rules_text: &str) -> Result<Engine, DetectError> {
        Ok(Engine {
            config,
            rules: RuleSet::parse(rules_text)?,
            rules_text: rules_text.to_string(),
            scorer: Box::new(WeightedScore),
            state: State {
                next_maintenance: i64::MIN,
                max_ts: i64::MIN,
                ..State::default()
            },
            changelog: None,
            last_call: None,
            batching: false,
        })
    }

    /// An engine with the shipped default rules.
    pub fn with_default_rules(config: EngineConfig) -> Result<Engine, DetectError> {
        Engine::new(config, crate::rules::DEFAULT_RULES)
    }

    /// Replaces the stage-1 scorer (e.g. a trained model).
    pub fn set_scorer(&mut self, scorer: Box<dyn NumberScorer>) {
        self.scorer = scorer;
    }

    pub fn scorer_name(&self) -> &str {
        self.scorer.name()
    }

    /// Starts keeping the `number → score` changelog; read it with [`Engine::drain_changelog`].
    pub fn enable_changelog(&mut self) {
        self.changelog.get_or_insert_with(Vec::new);
    }

    pub fn drain_changelog(&mut self) -> Vec<ScoreChange> {
        self.changelog
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Validates `text` and, only if every rule is valid, makes it the rule set in force. Open
    /// warnings keep the rules that fired into them (matched by name).
    pub fn reload_rules(&mut self, text: &str) -> Result<(), DetectError> {
        let new = RuleSet::parse(text)?;
        let remap: Vec<Option<usize>> = self
            .rules
            .rules()
            .iter()
            .map(|r| new.rules().iter().position(|n| n.name == r.name))
            .collect();
        for p in self.state.persons.values_mut() {
            let old = p.open.fired;
            let mut bits = 0u64;
            for (i, to) in remap.iter().enumerate() {
                if old & (1 << i) != 0 {
                    if let Some(j) = to {
                        bits |= 1 << j;
                    }
                }
            }
            p.open.fired = bits;
        }
        self.rules = new;
        self.rules_text = text.to_string();
        Ok(())
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Sizes the number index and the pair index for about `numbers` active numbers
    /// ([`PAIRS_PER_NUMBER`] pairs each), for a host that knows its population (the residents it
    /// loaded into the directory). Without it a fresh engine rehashes the pair index about twenty
    /// times while it warms up (1.3 million pairs in a generated week of 100,000 numbers), which
    /// cost about a tenth of stage 1's time in that week, and each doubling stalls the stream
    /// while the whole table moves. Only capacity: no result changes.
    pub fn reserve_numbers(&mut self, numbers: usize) {
        self.state.numbers.reserve_total(numbers);
        let pairs = numbers.saturating_mul(PAIRS_PER_NUMBER);
        self.state
            .pairs
            .reserve(pairs.saturating_sub(self.state.pairs.len()));
    }

    pub fn directory_mut(&mut self) -> &mut Directory {
        &mut self.state.directory
    }

    pub fn directory(&self) -> &Directory {
        &self.state.directory
    }

    /// Marks domains as known fraud domains (from a list the caller loaded).
    pub fn add_fraud_domains<'a>(&mut self, domains: impl IntoIterator<Item = &'a str>) {
        for d in domains {
            self.state.domains.entry(domain_key(d)).or_default().listed = true;
        }
    }

    pub fn stats(&self) -> &EngineStats {
        &self.state.stats
    }

    /// Event time below which signals are late.
    pub fn watermark(&self) -> EpochMs {
        self.state
            .max_ts
            .saturating_sub(self.config.allowed_lateness_ms)
    }

    /// Caller and event time of the last call ingested.
    pub fn last_call(&self) -> Option<(Msisdn, EpochMs)> {
        self.last_call
    }

    /// Current stage-1 score of a number (0 when unknown).
    pub fn number_score(&self, m: Msisdn) -> f32 {
        self.state.numbers.get(m.0).map_or(0.0, |n| n.score)
    }

    /// Stage-1 features of a number as of `now`, if the engine has seen it.
    pub fn number_features(&self, m: Msisdn, now: EpochMs) -> Option<NumberFeatures> {
        self.state.numbers.get(m.0).map(|n| n.features(m, now))
    }

    /// Stage-2 features of a person as of `now`, if the engine holds state for them.
    pub fn person_features(&self, key: PersonKey, now: EpochMs) -> Option<PersonFeatures> {
        let view = self.view_fn();
        self.state
            .persons
            .get(&key)
            .map(|p| p.features(now, self.config.contact_horizon_ms, &view))
    }

    fn view_fn(&self) -> impl Fn(Msisdn) -> NumberView + '_ {
        let numbers = &self.state.numbers;
        let t = self.config.suspect_score;
        move |m: Msisdn| view_of(numbers, t, m)
    }

    /// Counts the signal and advances event time; false for a signal behind the watermark.
    #[inline]
    fn admit(&mut self, ts: EpochMs) -> bool {
        self.state.stats.events += 1;
        if ts < self.watermark() {
            self.state.stats.late += 1;
            return false;
        }
        if ts > self.state.max_ts {
            self.state.max_ts = ts;
        }
        true
    }

    #[inline]
    fn maintain_when_due(&mut self) {
        if self.state.max_ts >= self.state.next_maintenance {
            self.maintain();
        }
    }

    /// Processes one signal; warnings it raises are appended to `out`.
    pub fn ingest(&mut self, s: &Signal, out: &mut Vec<Warning>) -> Ingested {
        if !self.admit(s.ts()) {
            return Ingested::Late;
        }
        match s {
            Signal::Call(c) => self.on_call(c, out),
            Signal::Sms(m) => self.on_sms(m, out),
            Signal::AppInstall(a) => self.on_install(a, out),
            Signal::UrlVisit(u) => self.on_visit(u, out),
            Signal::Transfer(t) => self.on_transfer(t, out),
            Signal::CardOpening(c) => self.on_card_opening(c),
            Signal::NationalPush(p) => self.on_push(p, out),
            Signal::NumberListed(l) => self.on_listed(l, out),
        }
        self.maintain_when_due();
        Ingested::Applied
    }

    /// Processes one signal through stage 1 only: the reputation of the calling / sending number
    /// (pair index, window counters, score, score changelog), SIM activations and list entries,
    /// with the same watermark and maintenance as [`Engine::ingest`]; no person state, no rules,
    /// no warnings. For a deployment that publishes only the `number → score` changelog, and to
    /// measure stage 1 alone (`fanzha bench detect`). Mixing it with [`Engine::ingest`] on one
    /// engine leaves stage 2 blind to what this skipped.
    pub fn ingest_reputation(&mut self, s: &Signal) -> Ingested {
        if !self.admit(s.ts()) {
            return Ingested::Late;
        }
        match s {
            Signal::Call(c) => {
                self.call_stage1(c);
            }
            Signal::Sms(m) => {
                self.sms_stage1(m);
            }
            Signal::CardOpening(c) => self.on_card_opening(c),
            Signal::NumberListed(l) => {
                self.listed_stage1(l);
            }
            Signal::AppInstall(_) => self.state.stats.installs += 1,
            Signal::UrlVisit(_) => self.state.stats.visits += 1,
            Signal::Transfer(_) => self.state.stats.transfers += 1,
            Signal::NationalPush(_) => self.state.stats.pushes += 1,
        }
        self.maintain_when_due();
        Ingested::Applied
    }

    /// Processes `signals` in order, exactly as calling [`Engine::ingest`] on each would (the same
    /// warnings, appended to `out` in order, and the same state), but faster: while one signal is
    /// processed, the index buckets of the signal [`LOOKAHEAD`] × 2 positions ahead and the number
    /// and person states of the one [`LOOKAHEAD`] ahead are requested from memory, so that the
    /// cache misses of several signals overlap instead of following one another. Returns how
    /// many signals were late (not applied; counted in [`EngineStats::late`] as well).
    pub fn ingest_batch(&mut self, signals: &[Signal], out: &mut Vec<Warning>) -> usize {
        self.batch(signals, true, |e, s| e.ingest(s, out))
    }

    /// [`Engine::ingest_reputation`] over `signals` in order, with the prefetching of
    /// [`Engine::ingest_batch`] (number index, pair index and number states only). Returns how
    /// many signals were late.
    pub fn ingest_reputation_batch(&mut self, signals: &[Signal]) -> usize {
        self.batch(signals, false, |e, s| e.ingest_reputation(s))
    }

    /// Runs `one` on every signal in order, prefetching ahead (the person side too when
    /// `persons`).
    #[inline(always)]
    fn batch(
        &mut self,
        signals: &[Signal],
        persons: bool,
        mut one: impl FnMut(&mut Engine, &Signal) -> Ingested,
    ) -> usize {
        let far = 2 * LOOKAHEAD;
        let near = LOOKAHEAD;
        // The first signals' buckets are requested before any is processed.
        for s in signals.iter().take(far) {
            self.prefetch_far(s, persons);
        }
        for s in signals.iter().take(near) {
            self.prefetch_near(s, persons);
        }
        self.batching = true;
        let mut late = 0;
        for (i, s) in signals.iter().enumerate() {
            if let Some(ahead) = signals.get(i + far) {
                self.prefetch_far(ahead, persons);
            }
            if let Some(ahead) = signals.get(i + near) {
                self.prefetch_near(ahead, persons);
            }
            late += usize::from(one(self, s) == Ingested::Late);
        }
        self.batching = false;
        late
    }

    /// First prefetch stage: the index buckets a signal will look up (number index, pair index,
    /// directory), computed from the signal alone.
    #[inline(always)]
    fn prefetch_far(&self, s: &Signal, persons: bool) {
        let st = &self.state;
        match s {
            Signal::Call(c) => {
                st.numbers.prefetch_index(c.caller.0);
                st.numbers.prefetch_index(c.callee.0);
                st.pairs.prefetch(&pair_key(c.caller, c.callee));
                st.pairs.prefetch(&pair_key(c.callee, c.caller));
                if persons {
                    st.directory.prefetch_phone(c.callee);
                }
            }
            Signal::Sms(m) => {
                st.numbers.prefetch_index(m.sender.0);
                if persons && m.link_domain.is_some() {
                    st.directory.prefetch_phone(m.recipient);
                }
            }
            Signal::NumberListed(l) => st.numbers.prefetch_index(l.msisdn.0),
            Signal::AppInstall(a) if persons => st.directory.prefetch_phone(a.msisdn),
            Signal::UrlVisit(u) if persons => st.directory.prefetch_phone(u.msisdn),
            Signal::NationalPush(p) if persons => st.directory.prefetch_phone(p.msisdn),
            _ => {}
        }
    }

    /// Second prefetch stage, once the first one's buckets are in cache: the number state of the
    /// caller / sender (through its index entry) and the person state at the receiving end
    /// (through the directory).
    #[inline(always)]
    fn prefetch_near(&self, s: &Signal, persons: bool) {
        let st = &self.state;
        let person = |m: Msisdn| {
            if persons {
                st.persons.prefetch_entry(&self.person_key(m));
            }
        };
        match s {
            Signal::Call(c) => {
                st.numbers.prefetch(c.caller.0);
                person(c.callee);
            }
            Signal::Sms(m) => {
                st.numbers.prefetch(m.sender.0);
                if m.link_domain.is_some() {
                    person(m.recipient);
                }
            }
            Signal::NumberListed(l) => st.numbers.prefetch(l.msisdn.0),
            Signal::AppInstall(a) => person(a.msisdn),
            Signal::UrlVisit(u) => person(u.msisdn),
            Signal::NationalPush(p) => person(p.msisdn),
            _ => {}
        }
    }

    /// The state of a number, created on first sight with its SIM age if known.
    fn number_mut(&mut self, m: Msisdn) -> &mut NumberState {
        let sims = &self.state.sim_activations;
        self.state
            .numbers
            .get_or_insert_with(m.0, || NumberState::new(sims.get(&m.0).copied()))
    }

    /// Records when a SIM was activated (from the phone records), for its SIM age.
    pub fn add_sim_activation(&mut self, m: Msisdn, ts: EpochMs) {
        self.state.sim_activations.insert(m.0, ts);
        if let Some(n) = self.state.numbers.get_mut(m.0) {
            n.set_sim_opened(Some(ts));
        }
    }

    fn person_key(&self, m: Msisdn) -> PersonKey {
        match self.state.directory.person_of_phone(m) {
            Some(id) => PersonKey::Person(id),
            None => PersonKey::Number(m),
        }
    }

    fn is_suspect(&self, m: Msisdn) -> bool {
        view_of(&self.state.numbers, self.config.suspect_score, m).suspect
    }

    /// Recomputes a number's score at `ts`; returns whether it just became a suspect.
    fn rescore(&mut self, m: Msisdn, ts: EpochMs) -> bool {
        let Some(n) = self.state.numbers.get_mut(m.0) else {
            return false;
        };
        let became = rescore_state(
            n,
            m,
            ts,
            &*self.scorer,
            &self.config,
            self.changelog.as_mut(),
        );
        self.state.numbers.sync(m.0);
        self.state.stats.suspects_flagged += u64::from(became);
        became
    }

    /// A number just became a suspect: re-examine the people it recently reached.
    fn fan_out(&mut self, m: Msisdn, ts: EpochMs, skip: Option<Msisdn>, out: &mut Vec<Warning>) {
        let targets: Vec<Msisdn> = match self.state.numbers.get(m.0) {
            Some(n) => n.recent_targets().collect(),
            None => return,
        };
        for t in targets {
            if Some(t) == skip {
                continue;
            }
            let key = self.person_key(t);
            if self
                .state
                .persons
                .get(&key)
                .is_some_and(|p| p.has_contact(m))
            {
                self.evaluate(key, ts, out);
            }
        }
    }

    /// Stage 1 of a call: the pair index (never contacted before, previous call, call-back),
    /// the caller's reputation state (record, rescore) and the callee's call-back counter.
    fn call_stage1(&mut self, c: &Call) -> CallStage1 {
        self.state.stats.calls += 1;
        self.last_call = Some((c.caller, c.ts));
        let ts = c.ts;
        let m = minute(ts);
        // The caller's state is requested now so that its cache misses overlap with the pair
        // index lookups below (the batch entry points have requested it already).
        if !self.batching {
            self.state.numbers.prefetch(c.caller.0);
        }
        // One lookup per direction in the pair index: the forward entry is read and updated in
        // place, the reverse one only read.
        let called_back = self.state.pairs.contains_key(&pair_key(c.callee, c.caller));
        let prev = match self
            .state
            .pairs
            .get_or_insert_with(pair_key(c.caller, c.callee), || m)
        {
            (last, true) => {
                let p = *last;
                *last = p.max(m);
                Some(p)
            }
            (_, false) => {
                self.state.pairs_floor = self.state.pairs_floor.min(m);
                None
            }
        };
        let new_callee = prev.is_none() && !called_back;
        // The caller's state is looked up once: record, rescore, read its suspect flag (and the
        // index entry's copy of score and listing is refreshed on the way out).
        let threshold = self.config.suspect_score;
        let sims = &self.state.sim_activations;
        let (scorer, config, changelog) = (&*self.scorer, &self.config, self.changelog.as_mut());
        let (became_suspect, caller_suspect) = self.state.numbers.update(
            c.caller.0,
            || NumberState::new(sims.get(&c.caller.0).copied()),
            |n| {
                n.record_call(
                    ts,
                    c.callee,
                    c.caller_cell,
                    CallFacts {
                        duration_s: c.duration_s,
                        new_callee,
                        previous: prev.map(|p| p as i64 * 60_000),
                    },
                );
                let became = rescore_state(n, c.caller, ts, scorer, config, changelog);
                (became, n.score >= threshold || n.lists != 0)
            },
        );
        self.state.stats.suspects_flagged += u64::from(became_suspect);
        // Whether the callee is a suspect is in the number index; its state is touched only for
        // a call-back.
        let callee_suspect = match self.state.numbers.head(c.callee.0) {
            Some(h) => {
                if called_back {
                    if let Some(n) = self.state.numbers.get_mut(c.callee.0) {
                        n.record_callback(ts);
                    }
                }
                h.score >= threshold || h.listed
            }
            None => false,
        };
        CallStage1 {
            new_callee,
            caller_suspect,
            callee_suspect,
            became_suspect,
        }
    }

    fn on_call(&mut self, c: &Call, out: &mut Vec<Warning>) {
        let CallStage1 {
            new_callee,
            caller_suspect,
            callee_suspect,
            became_suspect,
        } = self.call_stage1(c);
        let ts = c.ts;
        let remote = classify(c.caller).is_remote();
        if new_callee || caller_suspect || remote {
            let key = self.person_key(c.callee);
            let p = self.state.persons.entry_or_default(key);
            p.msisdn = Some(c.callee);
            p.record_call(c.caller, ts, c.duration_s, remote);
            if caller_suspect || (remote && c.duration_s >= 60) {
                self.evaluate(key, ts, out);
            }
        }
        // A person calling a suspect number (calling back a fraudster) is in contact too.
        if callee_suspect {
            let key = self.person_key(c.caller);
            let p = self.state.persons.entry_or_default(key);
            p.msisdn = Some(c.caller);
            p.record_call(c.callee, ts, c.duration_s, classify(c.callee).is_remote());
            self.evaluate(key, ts, out);
        }
        if became_suspect {
            self.fan_out(c.caller, ts, Some(c.callee), out);
        }
    }

    /// Stage 1 of an SMS: the sender's reputation state. Returns whether it just became a
    /// suspect.
    fn sms_stage1(&mut self, s: &Sms) -> bool {
        self.state.stats.sms += 1;
        self.number_mut(s.sender)
            .record_sms(s.ts, s.recipient, s.link_domain.is_some());
        self.rescore(s.sender, s.ts)
    }

    fn on_sms(&mut self, s: &Sms, out: &mut Vec<Warning>) {
        let became_suspect = self.sms_stage1(s);
        let ts = s.ts;
        let link = s.link_domain.as_deref().map(domain_key);
        if let Some(d) = link {
            let suspect = self.is_suspect(s.sender);
            let rep = self.state.domains.entry(d).or_default();
            if suspect {
                rep.suspect_links = rep.suspect_links.saturating_add(1);
            }
            let fraud_domain = rep.is_fraud();
            let key = self.person_key(s.recipient);
            let remote = classify(s.sender).is_remote();
            let p = self.state.persons.entry_or_default(key);
            p.msisdn = Some(s.recipient);
            p.record_link_sms(s.sender, ts, d, remote);
            if suspect || fraud_domain {
                self.evaluate(key, ts, out);
            }
        }
        if became_suspect {
            self.fan_out(s.sender, ts, Some(s.recipient), out);
        }
    }

    fn on_install(&mut self, a: &AppInstall, out: &mut Vec<Warning>) {
        self.state.stats.installs += 1;
        if !is_risky(a.category) {
            return;
        }
        let key = self.person_key(a.msisdn);
        let p = self.state.persons.entry_or_default(key);
        p.msisdn = Some(a.msisdn);
        p.record_install(a.ts, a.category);
        self.evaluate(key, a.ts, out);
    }

    fn on_visit(&mut self, u: &UrlVisit, out: &mut Vec<Warning>) {
        self.state.stats.visits += 1;
        let d = domain_key(&u.domain);
        let fraud = self.state.domains.get(&d).is_some_and(DomainRep::is_fraud);
        let key = self.person_key(u.msisdn);
        let known = self.state.persons.contains_key(&key);
        if !known && !fraud {
            return;
        }
        let p = self.state.persons.entry_or_default(key);
        p.msisdn = Some(u.msisdn);
        p.record_visit(u.ts, d, fraud);
        self.evaluate(key, u.ts, out);
    }

    fn on_transfer(&mut self, t: &Transfer, out: &mut Vec<Warning>) {
        self.state.stats.transfers += 1;
        let Some(id) = self.state.directory.person_of_account(t.from) else {
            self.state.stats.transfers_unattributed += 1;
            return;
        };
        let key = PersonKey::Person(id);
        let p = self.state.persons.entry_or_default(key);
        if p.record_transfer(t.ts, payee_fingerprint(t.to.0), t.amount_fen) {
            self.evaluate(key, t.ts, out);
        }
    }

    fn on_card_opening(&mut self, c: &CardOpening) {
        self.state.stats.card_openings += 1;
        match c.kind {
            CardKind::SimCard => {
                let m = Msisdn(c.number);
                self.state.directory.add_phone(m, c.person_id);
                self.add_sim_activation(m, c.ts);
            }
            CardKind::BankCard => self
                .state
                .directory
                .add_account(fanzha_core::event::AccountNo(c.number), c.person_id),
        }
    }

    fn on_push(&mut self, p: &NationalPush, out: &mut Vec<Warning>) {
        self.state.stats.pushes += 1;
        let level = p.level.clamp(1, 3);
        let key = self.person_key(p.msisdn);
        let ps = self.state.persons.entry_or_default(key);
        ps.msisdn = Some(p.msisdn);
        ps.touch(p.ts);
        ps.national_push_level = if ps.national_push_level == 0 {
            level
        } else {
            ps.national_push_level.min(level)
        };
        self.evaluate(key, p.ts, out);
    }

    /// Stage 1 of a list entry: the number's list bits and score. Returns whether it was not a
    /// suspect before.
    fn listed_stage1(&mut self, l: &NumberListed) -> bool {
        self.state.stats.listings += 1;
        let was = self.is_suspect(l.msisdn);
        self.number_mut(l.msisdn).lists |= list_bit(l.list);
        self.rescore(l.msisdn, l.ts);
        if !was {
            self.state.stats.suspects_flagged += u64::from(self.is_suspect(l.msisdn));
        }
        !was
    }

    fn on_listed(&mut self, l: &NumberListed, out: &mut Vec<Warning>) {
        if self.listed_stage1(l) {
            self.fan_out(l.msisdn, l.ts, None, out);
        }
    }

    /// Runs the rules for one person and merges what fires into their open warning.
    fn evaluate(&mut self, key: PersonKey, now: EpochMs, out: &mut Vec<Warning>) {
        let t = self.config.suspect_score;
        let horizon = self.config.contact_horizon_ms;
        let numbers = &self.state.numbers;
        let view = move |m: Msisdn| view_of(numbers, t, m);
        let Some(p) = self.state.persons.get_mut(&key) else {
            return;
        };
        let f = p.features(now, horizon, &view);
        self.state.stats.evaluations += 1;
        let (fired, errors) = self.rules.evaluate(&f);
        self.state.stats.rule_errors += u64::from(errors);
        if fired == 0 {
            return;
        }
        if p.open.level != 0 && now > p.open.until {
            p.open = Default::default();
        }
        let new_bits = fired & !p.open.fired;
        if new_bits == 0 {
            return;
        }
        let rules = self.rules.rules();
        let level = rules
            .iter()
            .enumerate()
            .filter(|(i, _)| fired & (1 << i) != 0)
            .map(|(_, r)| r.level)
            .min()
            .unwrap_or(3);
        let kind = if p.open.level == 0 {
            WarningKind::New
        } else if level < p.open.level {
            WarningKind::Raised
        } else {
            WarningKind::Merged
        };
        if kind == WarningKind::New {
            p.warnings_total = p.warnings_total.saturating_add(1);
            p.open.since = now;
            p.open.level = level;
        } else {
            p.open.level = p.open.level.min(level);
        }
        p.open.fired |= fired;
        p.open.until = now + self.config.warning_open_ms;
        match kind {
            WarningKind::New => self.state.stats.warnings_new += 1,
            WarningKind::Raised => self.state.stats.warnings_raised += 1,
            WarningKind::Merged => self.state.stats.warnings_merged += 1,
        }
        let open = p.open;
        let msisdn = p.msisdn;
        let fired_rules: Vec<&crate::rules::Rule> = rules
            .iter()
            .enumerate()
            .filter(|(i, _)| fired & (1 << i) != 0)
            .map(|(_, r)| r)
            .collect();
        let score = 1.0
            - rules
                .iter()
                .enumerate()
                .filter(|(i, _)| open.fired & (1 << i) != 0)
                .map(|(_, r)| 1.0 - r.weight)
                .product::<f32>();
        let mut evidence: Vec<Evidence> = Vec::new();
        for r in &fired_rules {
            for name in &r.features {
                if evidence.iter().any(|e| e.feature == *name) {
                    continue;
                }
                if let Some(v) = f.get(name) {
                    evidence.push(Evidence {
                        feature: (*name).to_string(),
                        value: v,
                    });
                }
            }
        }
        let fraud_type = fired_rules
            .iter()
            .filter(|r| r.fraud_type.is_some())
            .min_by_key(|r| r.level)
            .and_then(|r| r.fraud_type.clone())
            .or_else(|| fraud_type_from_features(&f).map(str::to_string));
        let mut suspects: Vec<SuspectNumber> = p
            .recent_contacts(now, horizon, &view)
            .filter(|(_, v)| v.suspect)
            .map(|(c, v)| {
                let m = Msisdn(c.number);
                let n = numbers.get(c.number);
                let nf = n.map(|n| n.features(m, now)).unwrap_or_default();
                SuspectNumber {
                    msisdn: m,
                    score: v.score,
                    lists: n.map(|n| list_names(n.lists)).unwrap_or_default(),
                    calls_to_person: c.calls,
                    longest_call_s: c.longest_s,
                    calls_24h: nf.calls_24h,
                    distinct_callees_24h: nf.distinct_callees_24h,
                    new_callee_share_24h: nf.new_callee_share_24h,
                }
            })
            .collect();
        suspects.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.msisdn.cmp(&b.msisdn)));
        suspects.truncate(3);
        out.push(Warning {
            kind,
            ts: now,
            person: key,
            msisdn,
            level: open.level,
            fraud_type,
            score,
            rules: fired_rules
                .iter()
                .map(|r| FiredRule {
                    name: r.name.clone(),
                    level: r.level,
                    zh: r.zh.clone(),
                    en: r.en.clone(),
                })
                .collect(),
            evidence,
            suspects,
        });
    }

    /// Drops state idle longer than the eviction horizon; runs every 6 h of event time, so a
    /// replay does it at the same points as the live run.
    fn maintain(&mut self) {
        let now = self.state.max_ts;
        self.state.next_maintenance = now + MAINTENANCE_EVERY_MS;
        let cutoff = now - self.config.idle_eviction_ms;
        self.state
            .numbers
            .retain(|_, n| n.last_seen >= cutoff || n.lists != 0);
        self.state
            .persons
            .retain(|_, p| p.last_seen >= cutoff || (p.open.level != 0 && p.open.until >= now));
        let cutoff_min = minute(cutoff.max(60_000));
        if self.state.pairs_floor < cutoff_min {
            let mut floor = u32::MAX;
            self.state.pairs.retain(|_, m| {
                let keep = *m >= cutoff_min;
                if keep {
                    floor = floor.min(*m);
                }
                keep
            });
            self.state.pairs_floor = floor;
        }
    }

    /// The engine state as bytes, tagged with the caller's input `offset` (e.g. the number of
    /// signals consumed), so that a restart resumes from there.
    pub fn snapshot(&self, offset: u64) -> Result<Vec<u8>, DetectError> {
        let body = SnapshotBody {
            offset,
            config: self.config.clone(),
            rules: self.rules_text.clone(),
            state: self.state.clone(),
        };
        let mut out = Vec::with_capacity(1 << 16);
        out.extend_from_slice(SNAPSHOT_MAGIC);
        out.extend_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
        postcard::to_extend(&body, out).map_err(|e| DetectError::SnapshotInvalid(e.to_string()))
    }

    /// An engine restored from [`Engine::snapshot`] bytes, and the offset it was taken at. The
    /// stage-1 scorer is not part of the snapshot; set it again with [`Engine::set_scorer`].
    pub fn restore(bytes: &[u8]) -> Result<(Engine, u64), DetectError> {
        if bytes.len() < 6 || &bytes[..4] != SNAPSHOT_MAGIC {
            return Err(DetectError::SnapshotInvalid(
                "not an engine snapshot".into(),
            ));
        }
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        if version != SNAPSHOT_VERSION {
            return Err(DetectError::SnapshotInvalid(format!(
                "snapshot version {version}, this build reads {SNAPSHOT_VERSION}"
            )));
        }
        let body: SnapshotBody = postcard::from_bytes(&bytes[6..])
            .map_err(|e| DetectError::SnapshotInvalid(e.to_string()))?;
        let mut engine = Engine::new(body.config, &body.rules)?;
        engine.state = body.state;
        Ok((engine, body.offset))
    }

    pub fn memory(&self) -> MemoryReport {
        let numbers = self.state.numbers.len();
        let persons = self.state.persons.len();
        let pairs = self.state.pairs.len();
        // hashbrown: one control byte per slot plus the entry.
        let number_state_bytes = self.state.numbers.bytes();
        let person_state_bytes =
            self.state.persons.capacity() * (std::mem::size_of::<(PersonKey, PersonState)>() + 1);
        let pair_index_bytes =
            self.state.pairs.capacity() * (std::mem::size_of::<(PairKey, u32)>() + 1);
        MemoryReport {
            numbers,
            persons,
            pairs,
            number_state_bytes,
            person_state_bytes,
            pair_index_bytes,
            bytes_per_number: if numbers == 0 {
                0.0
            } else {
                (number_state_bytes + pair_index_bytes) as f64 / numbers as f64
            },
            bytes_per_person: if persons == 0 {
                0.0
            } else {
                person_state_bytes as f64 / persons as f64
            },
        }
    }
}

/// Recomputes the score of number `m` (state `n`) at `ts`, logging the change; returns whether
/// the number just became a suspect.
fn rescore_state(
    n: &mut NumberState,
    m: Msisdn,
    ts: EpochMs,
    scorer: &dyn NumberScorer,
    config: &EngineConfig,
    changelog: Option<&mut Vec<ScoreChange>>,
) -> bool {
    let t = config.suspect_score;
    let before = n.score;
    let after = scorer.score_state(n, m, ts);
    n.score = after;
    if let Some(log) = changelog {
        let threshold_crossed = (before >= t) != (after >= t);
        if threshold_crossed || (after - before).abs() >= config.changelog_min_delta {
            log.push(ScoreChange {
                ts,
                msisdn: m,
                score: after,
            });
        }
    }
    let was = before >= t || n.lists != 0;
    let is = after >= t || n.lists != 0;
    is && !was
}

fn view_of(numbers: &NumberTable, threshold: f32, m: Msisdn) -> NumberView {
    match numbers.head(m.0) {
        Some(h) => NumberView {
            score: h.score,
            suspect: h.score >= threshold || h.listed,
        },
        None => NumberView {
            score: 0.0,
            suspect: false,
        },
    }
}

fn is_risky(c: AppCategory) -> bool {
    matches!(
        c,
        AppCategory::ScreenSharing
            | AppCategory::RemoteControl
            | AppCategory::FakeInvestment
            | AppCategory::FakeLoan
    )
}

fn list_names(bits: u8) -> Vec<String> {
    let mut v = Vec::new();
    if bits & crate::number::LIST_NATIONAL != 0 {
        v.push("national_push".to_string());
    }
    if bits & crate::number::LIST_BLOCK != 0 {
        v.push("blocklist".to_string());
    }
    if bits & crate::number::LIST_GOIP != 0 {
        v.push("goip".to_string());
    }
    v
}

/// A fraud-type hint from the evidence when no fired rule names one.
fn fraud_type_from_features(f: &PersonFeatures) -> Option<&'static str> {
    if f.investment_app_after_contact {
        Some("虚假投资理财")
    } else if f.loan_app_after_contact {
        Some("虚假网络贷款")
    } else {
        None
    }
}
