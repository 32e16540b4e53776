//! 规则管理: the detection rules the live engine runs, a draft editor with check and test-run on
//! a simulated county sample (hits per rule against ground truth), and activation without
//! restart (the engine reloads on the next signal; the previous rules stay if the draft fails).
//! Below: every activated version (who, when), and the detection runs on the signal stream
//! (docs/serving.md) — running or stopped, messages read, and the messages that were not
//! signals with their reasons (never their bodies, which hold phone numbers); and the days of
//! the signal archive on this server (docs/archive.md), on which a draft can be test-run beside
//! the rules in force.

use super::{render, Chrome};
use crate::auth::permission::ManageRules;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::FormBody;
use crate::i18n::Lang;
use crate::rules_lab::{test_run, TestRun};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use fanzha_detect::RuleSet;
use serde::Deserialize;

struct RuleLine {
    name: String,
    level: u8,
    label: String,
    when: String,
    fraud_type: String,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    lang: Lang,
    chrome: Chrome,
    active: Vec<RuleLine>,
    version: u64,
    draft: String,
    error: Option<String>,
    message: Option<String>,
    run: Option<TestRun>,
    history: Vec<VersionLine>,
    runs: Vec<RunLine>,
    rejected: Vec<RejectLine>,
    archive: Option<ArchiveView>,
}

/// The signal archive as the page shows it.
struct ArchiveView {
    location: String,
    through: u64,
    days: Vec<ArchiveDay>,
    /// Set when the state file cannot be read.
    error: Option<String>,
}

struct ArchiveDay {
    day: String,
    signals: u64,
    size: String,
    complete: bool,
    by_feed: String,
}

/// Days listed, newest first.
const ARCHIVE_DAYS_SHOWN: usize = 14;

struct VersionLine {
    version: i64,
    rule_count: i64,
    by: String,
    at: String,
}

/// One run of live detection on the signal stream.
struct RunLine {
    stream: String,
    host: String,
    /// `running`, `stopped` (ended cleanly) or `interrupted` (neither ended nor updated for
    /// two minutes: killed or hung).
    state: &'static str,
    started: String,
    /// When its figures were last stored (at every snapshot).
    updated: String,
    from: i64,
    through: i64,
    signals: i64,
    rejected: i64,
    reasons: String,
    delivered: i64,
}

struct RejectLine {
    sequence: i64,
    reason: String,
    code: String,
    /// The message's subject (its kind of signal), not its body.
    subject: String,
}

/// Detection runs store their figures at least every 30 s; a run silent for four times that
/// without having ended was interrupted.
const LIVE_WITHIN_MS: i64 = 120_000;

/// The runs shown, and the rejected messages of the newest.
const RUNS_SHOWN: i64 = 5;
const REJECTS_SHOWN: u32 = 50;

async fn history(state: &AppState) -> Result<Vec<VersionLine>, WebError> {
    Ok(state
        .store
        .detection_rules()
        .history(20)
        .await?
        .into_iter()
        .map(|v| VersionLine {
            version: v.version,
            rule_count: v.rule_count,
            by: v.activated_by,
            at: fanzha_core::time::format_shanghai(v.activated_at),
        })
        .collect())
}

/// `stopped` when it ended cleanly; `interrupted` when a later run of its stream began after its
/// last snapshot (a restart took over) or it has been silent for [`LIVE_WITHIN_MS`]; else
/// `running`.
fn run_state(
    r: &fanzha_store::DetectionRun,
    all: &[fanzha_store::DetectionRun],
    now: i64,
) -> &'static str {
    if r.ended_at.is_some() {
        return "stopped";
    }
    let superseded = all
        .iter()
        .any(|o| o.stream == r.stream && o.id > r.id && o.started_at >= r.updated_at);
    if superseded || now - r.updated_at > LIVE_WITHIN_MS {
        "interrupted"
    } else {
        "running"
    }
}

async fn detection_runs(
    state: &AppState,
    lang: Lang,
) -> Result<(Vec<RunLine>, Vec<RejectLine>), WebError> {
    let now = state.clock.now_ms();
    let runs = state.store.detection_runs().latest(RUNS_SHOWN).await?;
    let mut lines = Vec::with_capacity(runs.len());
    for r in &runs {
        let counts = state.store.imports().get(r.import_run).await?.counts;
        lines.push(RunLine {
            stream: r.stream.clone(),
            host: r.host.clone(),
            state: run_state(r, &runs, now),
            started: fanzha_core::time::format_shanghai(r.started_at),
            updated: fanzha_core::time::format_shanghai(r.updated_at),
            from: r.from_sequence,
            through: r.progress.through_sequence,
            signals: r.progress.signals,
            rejected: r.progress.rejected,
            reasons: counts
                .by_reason
                .iter()
                .map(|(code, n)| format!("{} {n}", crate::reason_labels::reason(&lang, code)))
                .collect::<Vec<_>>()
                .join("，"),
            delivered: r.progress.delivered,
        });
    }
    let rejected = match runs.first() {
        Some(latest) => state
            .store
            .imports()
            .quarantine(
                latest.import_run,
                &fanzha_store::PageRequest::first(REJECTS_SHOWN),
            )
            .await?
            .items
            .into_iter()
            .map(|q| RejectLine {
                sequence: q.row.line,
                reason: crate::reason_labels::reason(&lang, &q.row.reason).to_string(),
                subject: q.row.raw.split(' ').next().unwrap_or_default().to_string(),
                code: q.row.reason,
            })
            .collect(),
        None => Vec::new(),
    };
    Ok((lines, rejected))
}

fn archive_view(state: &AppState, lang: Lang) -> Option<ArchiveView> {
    let source = state.archive.as_ref()?;
    let location = source.dir.join(&source.stream).display().to_string();
    let archived = match source.state() {
        Ok(Some(s)) => s,
        Ok(None) => return None,
        Err(e) => {
            return Some(ArchiveView {
                location,
                through: 0,
                days: Vec::new(),
                error: Some(e),
            })
        }
    };
    let days = archived
        .days
        .iter()
        .rev()
        .take(ARCHIVE_DAYS_SHOWN)
        .map(|(day, d)| ArchiveDay {
            day: day.clone(),
            signals: d.signals(),
            size: if d.bytes < 1_000_000 {
                format!("{} KB", d.bytes.div_ceil(1000))
            } else {
                format!("{:.1} MB", d.bytes as f64 / 1e6)
            },
            complete: d.compacted,
            // In feed order (calls first), each feed under its name in the reader's language.
            by_feed: fanzha_sim::format::Feed::ALL
                .iter()
                .filter_map(|feed| {
                    let n = d.rows.get(feed.stem())?;
                    let label = lang
                        .lookup(&format!("feed_{}", feed.stem()))
                        .unwrap_or(feed.stem());
                    Some(format!("{label} {n}"))
                })
                .collect::<Vec<_>>()
                .join(" · "),
        })
        .collect();
    Some(ArchiveView {
        location,
        through: archived.through,
        days,
        error: None,
    })
}

fn lines(lang: Lang, text: &str) -> Vec<RuleLine> {
    RuleSet::parse(text)
        .map(|rs| {
            rs.rules()
                .iter()
                .map(|r| RuleLine {
                    name: r.name.clone(),
                    level: r.level,
                    label: if lang == Lang::Zh {
                        r.zh.clone()
                    } else {
                        r.en.clone()
                    },
                    when: r.when.clone(),
                    fraud_type: match r.fraud_type.as_deref() {
                        // A rule without a hint leaves the type to the others.
                        None => "—".to_string(),
                        t => super::view::fraud_type_label(lang, t),
                    },
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn page(
    state: &AppState,
    auth: &Require<ManageRules>,
    headers: &HeaderMap,
    draft: Option<String>,
    error: Option<String>,
    message: Option<String>,
    run: Option<TestRun>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, headers, "/admin");
    let lang = chrome.lang;
    let active = state.rules.text();
    let history = history(state).await?;
    let (runs, rejected) = detection_runs(state, lang).await?;
    render(&RulesPage {
        archive: archive_view(state, lang),
        history,
        runs,
        rejected,
        lang,
        active: lines(lang, &active),
        version: state.rules.version(),
        draft: draft.unwrap_or(active),
        error,
        message,
        run,
        chrome,
    })
}

pub async fn show(
    auth: Require<ManageRules>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, WebError> {
    page(&state, &auth, &headers, None, None, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct RulesForm {
    /// `check`, `test` (simulated sample), `test_archive` (archived signals), `activate`.
    action: String,
    text: String,
    /// For `test_archive`: how many of the newest archived days.
    #[serde(default)]
    archive_days: Option<usize>,
}

/// Victims report days or weeks after the fraud: a case reported up to this many days after
/// the last archived day counts.
const REPORTED_WITHIN_DAYS: u64 = 30;

/// The residents (`ResidentId::key`) of the cases reported from the first archived day to
/// [`REPORTED_WITHIN_DAYS`] after the last: the test-run's ground truth on real signals.
async fn reported_victims(
    state: &AppState,
    days: &[String],
) -> Result<std::collections::HashSet<u64>, String> {
    let date = |d: &String| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let (Some(first), Some(last)) = (days.first().and_then(date), days.last().and_then(date))
    else {
        return Ok(Default::default());
    };
    let until = last + chrono::Days::new(1 + REPORTED_WITHIN_DAYS);
    let (Ok(from), Ok(until)) = (
        fanzha_core::time::shanghai_midnight(first),
        fanzha_core::time::shanghai_midnight(until),
    ) else {
        return Ok(Default::default());
    };
    let cases = state
        .store
        .cases()
        .victims(&fanzha_store::Scope::platform(), from, until)
        .await
        .map_err(|e| e.to_string())?;
    Ok(cases
        .into_iter()
        .filter_map(|(id, _, _)| fanzha_core::ResidentId::parse(id.as_deref()?).ok())
        .map(|r| r.key())
        .collect())
}

/// Test-runs the draft and the rules in force on the newest `days` archived days.
async fn test_on_archive(state: &AppState, draft: &str, days: usize) -> Result<TestRun, String> {
    let source = state
        .archive
        .clone()
        .ok_or("no signal archive on this server")?;
    let days = source.last_days(days.clamp(1, 31))?;
    let config = fanzha_detect::EngineConfig::default();
    let mut draft = fanzha_detect::Engine::new(config.clone(), draft).map_err(|e| e.to_string())?;
    let mut active =
        fanzha_detect::Engine::new(config, &state.rules.text()).map_err(|e| e.to_string())?;
    let loaded = crate::engine_directory::load(&state.store, &mut draft, 0)
        .await
        .map_err(|e| e.to_string())?;
    // One read of the residents' holdings serves both engines.
    *active.directory_mut() = draft.directory().clone();
    let residents = u32::try_from(loaded.phones).unwrap_or(u32::MAX);
    let victims = reported_victims(state, &days).await?;
    tokio::task::spawn_blocking(move || {
        crate::rules_lab::test_run_archive(&source, &days, draft, active, residents, &victims)
    })
    .await
    .map_err(|e| e.to_string())?
}

pub async fn submit(
    auth: Require<ManageRules>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<RulesForm>,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    let parsed = RuleSet::parse(&f.text).map_err(|e| e.to_string());
    let (error, message, run) = match (f.action.as_str(), parsed) {
        (_, Err(e)) => (Some(e), None, None),
        ("check", Ok(rs)) => (
            None,
            Some(format!("{} {}", lang.t("rules_valid"), rs.len())),
            None,
        ),
        ("test", Ok(_)) => {
            let region = state
                .store
                .units()
                .find(&auth.principal.unit_code)
                .await?
                .and_then(|u| u.division_code)
                .map(|d| d.trim_end_matches('0').to_string())
                .filter(|d| d.len() >= 6)
                .map(|d| d[..6].to_string())
                .unwrap_or_else(|| "330281".into());
            let text = f.text.clone();
            let run = tokio::task::spawn_blocking(move || test_run(&text, &region, 3000, 3, 2026))
                .await
                .map_err(|e| WebError::Export(e.to_string()))?;
            match run {
                Ok(r) => (None, None, Some(r)),
                Err(e) => (Some(e), None, None),
            }
        }
        ("test_archive", Ok(_)) => {
            match test_on_archive(&state, &f.text, f.archive_days.unwrap_or(1)).await {
                Ok(r) => (None, None, Some(r)),
                Err(e) => (Some(e), None, None),
            }
        }
        ("activate", Ok(_)) => match state
            .rules
            .activate(
                &state.store,
                &f.text,
                &auth.principal.login,
                Some(&auth.principal.unit_code),
                state.clock.now_ms(),
            )
            .await
        {
            Ok((n, version)) => (
                None,
                Some(format!("{} {n} (v{version})", lang.t("rules_activated"))),
                None,
            ),
            Err(e) => (Some(e), None, None),
        },
        (other, Ok(_)) => (Some(format!("unknown action `{other}`")), None, None),
    };
    page(&state, &auth, &headers, Some(f.text), error, message, run).await
}
