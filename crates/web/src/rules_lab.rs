//! The detection rules as the platform runs them: the active text (shared with the live engine,
//! which reloads when the version moves), checking a draft, and a test-run of a draft — on a
//! simulated county sample with ground truth (hits per rule and how many were real victims), or
//! on the last days of the signal archive, the real signals, beside the rules in force.

use fanzha_detect::{Engine, EngineConfig, RuleSet, Warning};
use fanzha_sim::{SimParams, Simulation};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

/// The rules the live engine runs. Reading the version is cheap, so the engine polls it.
#[derive(Debug)]
pub struct ActiveRules {
    text: RwLock<String>,
    version: AtomicU64,
}

impl Default for ActiveRules {
    /// The built-in rules, version 0 (activated versions count from 1).
    fn default() -> Self {
        ActiveRules {
            text: RwLock::new(fanzha_detect::rules::DEFAULT_RULES.to_string()),
            version: AtomicU64::new(0),
        }
    }
}

impl ActiveRules {
    pub fn text(&self) -> String {
        self.text.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The stored version running (0: the built-in rules).
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// Runs `text` as stored `version` from now on (the caller checked it).
    pub fn set(&self, text: &str, version: u64) {
        *self.text.write().unwrap_or_else(|e| e.into_inner()) = text.to_string();
        self.version.store(version, Ordering::Release);
    }

    /// Takes the newest activated version from the store, if any and if this build reads it
    /// (a text it cannot parse stays unused, with a warning: the built-in rules run instead).
    pub async fn load_latest(
        &self,
        store: &fanzha_store::Store,
    ) -> Result<(), fanzha_store::StoreError> {
        let Some(latest) = store.detection_rules().latest().await? else {
            return Ok(());
        };
        match RuleSet::parse(&latest.text) {
            Ok(_) => self.set(&latest.text, latest.version.max(0) as u64),
            Err(e) => tracing::warn!(
                version = latest.version,
                error = %e,
                "stored detection rules do not parse; the built-in rules run"
            ),
        }
        Ok(())
    }

    /// Checks `text` and stores it as the newest version (audited as `rules_activated`), then
    /// runs it; returns the number of rules and the version. The previous rules stay on error.
    pub async fn activate(
        &self,
        store: &fanzha_store::Store,
        text: &str,
        actor: &str,
        unit_code: Option<&str>,
        at: i64,
    ) -> Result<(usize, u64), String> {
        let rules = RuleSet::parse(text).map_err(|e| e.to_string())?;
        let version = store
            .detection_rules()
            .activate(text, rules.len(), actor, unit_code, at)
            .await
            .map_err(|e| e.to_string())?;
        self.set(text, version.max(0) as u64);
        Ok((rules.len(), version.max(0) as u64))
    }
}

/// One rule's line in a test-run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleHits {
    pub name: String,
    pub level: u8,
    pub zh: String,
    pub en: String,
    /// Times it fired.
    pub fired: u64,
    /// Distinct people it fired on.
    pub people: usize,
    /// Of those, true victims in the simulation's ground truth.
    pub victims: usize,
    /// On archived signals: distinct people the rule of this name in force fired on (`None`
    /// when the rules in force have no rule of this name).
    pub baseline_people: Option<usize>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct TestRun {
    pub residents: u32,
    pub days: u32,
    pub signals: u64,
    pub victims: usize,
    pub warned: usize,
    pub warned_victims: usize,
    pub rules: Vec<RuleHits>,
    pub elapsed_ms: u128,
    /// On archived signals: the days run (`first – last`); no ground truth then.
    pub archive_days: Option<String>,
    /// On archived signals: the people the rules in force warned on the same signals.
    pub baseline_warned: Option<usize>,
}

/// Where the signal archive of the platform's stream lies (`fanzha serve` sets it).
#[derive(Clone, Debug)]
pub struct ArchiveSource {
    pub dir: std::path::PathBuf,
    pub stream: String,
}

impl ArchiveSource {
    /// The archive's state; `None` when nothing was archived there yet.
    pub fn state(&self) -> Result<Option<fanzha_archive::State>, String> {
        fanzha_archive::status(&self.dir, &self.stream).map_err(|e| e.to_string())
    }

    /// The newest `days` archived days' folders.
    pub fn last_days(&self, days: usize) -> Result<Vec<String>, String> {
        let state = self.state()?.ok_or("the signal archive is empty")?;
        let names: Vec<String> = state.days.keys().cloned().collect();
        Ok(names[names.len().saturating_sub(days)..].to_vec())
    }
}

/// Runs the draft and, beside it, the rules in force over archived days (engines built with
/// the residents' directory from the store), reading each signal once. `victims`: the
/// residents (`ResidentId::key`) whose fraud was reported as a case in the period — the real
/// data's ground truth, as far as victims report.
pub fn test_run_archive(
    source: &ArchiveSource,
    days: &[String],
    mut draft: Engine,
    mut active: Engine,
    residents: u32,
    victims: &HashSet<u64>,
) -> Result<TestRun, String> {
    let started = std::time::Instant::now();
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Err("the signal archive is empty".into());
    };
    let root = source.dir.join(&source.stream);
    let dirs: Vec<_> = days.iter().map(|d| root.join(d)).collect();
    let mut tally = Tally::default();
    let mut baseline = Tally::default();
    let mut signals = 0u64;
    for signal in fanzha_sim::feed::read_dirs(&dirs).map_err(|e| e.to_string())? {
        let signal = signal.map_err(|e| e.to_string())?;
        signals += 1;
        tally.ingest(&mut draft, &signal);
        baseline.ingest(&mut active, &signal);
    }
    let baseline_names: HashSet<&str> = active
        .rules()
        .rules()
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    let lines = tally.lines(
        draft.rules(),
        |people| people.intersection(victims).count(),
        |name| {
            baseline_names
                .contains(name)
                .then(|| baseline.fired.get(name).map_or(0, |(_, p)| p.len()))
        },
    );
    Ok(TestRun {
        residents,
        days: days.len() as u32,
        signals,
        victims: victims.len(),
        warned: tally.warned.len(),
        warned_victims: tally.warned.intersection(victims).count(),
        rules: lines,
        elapsed_ms: started.elapsed().as_millis(),
        archive_days: Some(if first == last {
            first.clone()
        } else {
            format!("{first} – {last}")
        }),
        baseline_warned: Some(baseline.warned.len()),
    })
}

/// Warnings of one engine over a test-run: hits and people per rule, people warned.
#[derive(Default)]
struct Tally {
    fired: BTreeMap<String, (u64, HashSet<u64>)>,
    warned: HashSet<u64>,
    out: Vec<Warning>,
}

impl Tally {
    /// One line per rule of `rules`, in their order: its hits and people, `victims` of those
    /// people, and the `baseline` people of the rule of that name.
    fn lines(
        &mut self,
        rules: &RuleSet,
        victims: impl Fn(&HashSet<u64>) -> usize,
        baseline: impl Fn(&str) -> Option<usize>,
    ) -> Vec<RuleHits> {
        rules
            .rules()
            .iter()
            .map(|r| {
                let (fired, people) = self.fired.remove(&r.name).unwrap_or_default();
                RuleHits {
                    name: r.name.clone(),
                    level: r.level,
                    zh: r.zh.clone(),
                    en: r.en.clone(),
                    fired,
                    victims: victims(&people),
                    people: people.len(),
                    baseline_people: baseline(&r.name),
                }
            })
            .collect()
    }

    fn ingest(&mut self, engine: &mut Engine, signal: &fanzha_core::event::Signal) {
        engine.ingest(signal, &mut self.out);
        for w in self.out.drain(..) {
            let person = w.person_id();
            if let Some(p) = person {
                self.warned.insert(p);
            }
            for r in &w.rules {
                let e = self.fired.entry(r.name.clone()).or_default();
                e.0 += 1;
                if let Some(p) = person {
                    e.1.insert(p);
                }
            }
        }
    }
}

/// Runs `text` over a simulated sample of `region` (`people` residents, `days` days, a fraud
/// rate raised so that a small sample holds enough victims to judge a rule).
pub fn test_run(
    text: &str,
    region: &str,
    people: u32,
    days: u32,
    seed: u64,
) -> Result<TestRun, String> {
    let started = std::time::Instant::now();
    let rules = RuleSet::parse(text).map_err(|e| e.to_string())?;
    let mut engine = Engine::new(EngineConfig::default(), text).map_err(|e| e.to_string())?;
    let mut sim = Simulation::new(SimParams {
        region: region.to_string(),
        people,
        days,
        seed,
        victims_per_10k_year: 20_000.0,
        ..SimParams::default()
    })
    .map_err(|e| e.to_string())?;
    {
        let world = sim.world();
        for p in &world.phones {
            if p.holder_person_id != 0 {
                engine
                    .directory_mut()
                    .add_phone(p.msisdn, p.holder_person_id);
            }
            engine.add_sim_activation(p.msisdn, p.activated_ts);
        }
        for a in &world.ledger.accounts {
            if a.holder_person_id != 0 {
                engine
                    .directory_mut()
                    .add_account(a.account_no, a.holder_person_id);
            }
        }
    }
    let mut tally = Tally::default();
    let mut signals = 0u64;
    for signal in sim.by_ref() {
        signals += 1;
        tally.ingest(&mut engine, &signal);
    }
    let (_, truth) = sim.finish();
    let victims: HashSet<u64> = truth.victims.iter().map(|v| v.person_id).collect();
    let lines = tally.lines(
        &rules,
        |people| people.iter().filter(|p| victims.contains(p)).count(),
        |_| None,
    );
    Ok(TestRun {
        residents: people,
        days,
        signals,
        victims: victims.len(),
        warned_victims: tally.warned.iter().filter(|p| victims.contains(p)).count(),
        warned: tally.warned.len(),
        rules: lines,
        elapsed_ms: started.elapsed().as_millis(),
        archive_days: None,
        baseline_warned: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn activated_rules_are_stored_and_a_broken_draft_changes_nothing() {
        let db = fanzha_store::testing::TestDb::sqlite();
        let store = db.open().await;
        let active = ActiveRules::default();
        active.load_latest(&store).await.unwrap();
        assert_eq!(
            (active.text(), active.version()),
            (fanzha_detect::rules::DEFAULT_RULES.to_string(), 0)
        );
        let broken = "[[rule]]\nname = \"x\"\nwhen = \"(((\"";
        assert!(active
            .activate(&store, broken, "analyst", None, 1)
            .await
            .is_err());
        assert_eq!(active.version(), 0);
        assert_eq!(store.detection_rules().latest_version().await.unwrap(), 0);

        let (n, version) = active
            .activate(
                &store,
                fanzha_detect::rules::DEFAULT_RULES,
                "analyst",
                None,
                2,
            )
            .await
            .unwrap();
        assert!(n > 0);
        assert_eq!(version, 1);
        assert_eq!(active.version(), 1);
        // A restart finds the activated version.
        let restarted = ActiveRules::default();
        restarted.load_latest(&store).await.unwrap();
        assert_eq!(restarted.version(), 1);
        assert_eq!(restarted.text(), fanzha_detect::rules::DEFAULT_RULES);
        let history = store.detection_rules().history(10).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].activated_by, "analyst");
        assert_eq!(history[0].rule_count, n as i64);
    }

    #[test]
    fn a_test_run_counts_hits_against_ground_truth() {
        let run = test_run(fanzha_detect::rules::DEFAULT_RULES, "330281", 1500, 2, 7).unwrap();
        assert!(run.signals > 0 && run.victims > 0, "{run:?}");
        assert!(run.warned_victims <= run.victims && run.warned_victims <= run.warned);
        let total: u64 = run.rules.iter().map(|r| r.fired).sum();
        assert!(
            total > 0,
            "the shipped rules fire on a sample with victims: {run:?}"
        );
        for r in &run.rules {
            assert!(r.victims <= r.people);
        }
    }
}
