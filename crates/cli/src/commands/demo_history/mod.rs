//! 往期数据: the months before the demo's live stream. A new demo database otherwise opens
//! with empty registers — no key persons, leads, bulletins, supervision, prevention work or
//! monthly figures, and a statistics year of a few live minutes — which is not what a center
//! shows on its first day. `fanzha demo` (unless `--history-months 0`) fills them once, on the
//! first start, through the same store calls the pages use (each with its audit entry), dated
//! over the months before now and drawn from the simulated city's residents with the demo's
//! seed, so the same command gives the same history.
//!
//! One file per register group: `warnings` (warnings carried through the closed loop),
//! `cases` (reported cases and their investigation),
//! `key_persons` (dossiers, measures, visits, proposals), `leads` (two-card leads, number
//! disposals), `new_cards` (the banks' and operators' new-card lists, screened and reviewed),
//! `notices` (bulletins, supervision), `prevention` (outreach, posts, the operators' and the
//! criminal-case monthly figures), `groups` (the center's analysis groups), `campaigns`
//! (专项行动), `card_cleanups` (存量卡清理 requests to the banks and their answers), `operations`
//! (集群战役 of the center, one ended and one running), `alliance` (企业反诈联盟 members and the
//! talks held at them), `joint_office` (联席办 members, letters, meetings, tasks and spot checks), `card_checks`
//! (开卡前核验 at the banks' counters and what they did), `outreach_lists` (精准宣防名单 of the
//! group hit hardest, and the grid workers' visits), `gangs` (打掉团伙/窝点 behind the solved
//! cases, with the devices and the phone and bank cards seized), `bank_figures` (the banks'
//! monthly customers dissuaded and reminders pushed), `tips` (举报线索 the grid worker and
//! residents reported, most checked), `quizzes` (反诈知识测试: the public-sector campaign and the
//! residents' one open now), `app_drives` (国家反诈中心APP推广: the staff's drive open now, with
//! the promoters and the residents they brought), `leak_sources` (订单信息泄露溯源 of the fake
//! customer-service cases, one courier outlet and one shop behind several), `teams` (劝阻队伍:
//! the stations' officers, the villages' cadres and grid workers, with the gaps a roster has).

mod alliance;
mod app_drives;
mod bank_figures;
mod campaigns;
mod card_checks;
mod card_cleanups;
mod card_closures;
mod cases;
mod fund_pushes;
mod gangs;
mod groups;
mod joint_office;
mod key_persons;
mod leads;
mod leak_sources;
mod new_cards;
mod notices;
mod operations;
mod outreach_lists;
mod prevention;
mod quizzes;
mod solved_elsewhere;
mod teams;
mod tips;
mod warnings;

use crate::error::CliError;
use chrono::{Datelike, NaiveDate};
use fanzha_sim::population::World;
use fanzha_sim::records::Person;
use fanzha_store::{KeyPersonFilter, Scope, Store, Unit};
use fanzha_web::AppState;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;

/// What the history holds, for the start-up banner and the tests.
#[derive(Debug, Default)]
pub struct Seeded {
    pub warnings: usize,
    pub cases: usize,
    pub stop_payments: usize,
    pub solved: usize,
    pub key_persons: usize,
    pub proposals: usize,
    pub leads: usize,
    pub disposals: usize,
    pub new_bank_cards: usize,
    pub new_phone_cards: usize,
    pub card_closures: usize,
    pub card_cleanups: usize,
    pub card_checks: usize,
    pub bulletins: usize,
    pub supervision: usize,
    pub outreach: usize,
    pub posts: usize,
    pub figure_months: usize,
    pub analysis_groups: usize,
    pub campaigns: usize,
    pub operations: usize,
    pub alliance_members: usize,
    pub model_sites: usize,
    pub joint_members: usize,
    pub joint_meetings: usize,
    pub joint_tasks: usize,
    pub outreach_lists: usize,
    pub outreach_visits: usize,
    pub gangs: usize,
    pub bank_figure_months: usize,
    pub tips: usize,
    pub quiz_campaigns: usize,
    pub quiz_attempts: usize,
    pub app_drives: usize,
    pub promoters: usize,
    pub app_referrals: usize,
    pub order_sources: usize,
    pub team_members: usize,
    pub fund_warnings: usize,
    pub solved_elsewhere: usize,
}

impl std::fmt::Display for Seeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} warnings through the closed loop, {} cases ({} stop-payments, {} solved), {} key persons, {} proposals, {} two-card leads, {} number disposals, {} new bank cards and {} new phone cards screened ({} closed), {} bulletins, {} supervision measures, {} outreach events, {} posts, {} months of figures, {} analysis groups, {} campaigns, {} card cleanup requests to banks, {} counter checks, {} cluster operations, {} alliance members, {} model sites, {} joint-office members with {} meetings and {} tasks, {} targeted outreach lists with {} visits, {} gangs and dens dismantled, {} months of bank figures, {} tips, {} quiz campaigns with {} attempts, {} app drives with {} promoters and {} residents brought, {} order sources of fake customer-service cases, {} dissuasion team members, {} fund warnings pushed, {} cases solved elsewhere",
            self.warnings,
            self.cases,
            self.stop_payments,
            self.solved,
            self.key_persons,
            self.proposals,
            self.leads,
            self.disposals,
            self.new_bank_cards,
            self.new_phone_cards,
            self.card_closures,
            self.bulletins,
            self.supervision,
            self.outreach,
            self.posts,
            self.figure_months,
            self.analysis_groups,
            self.campaigns,
            self.card_cleanups,
            self.card_checks,
            self.operations,
            self.alliance_members,
            self.model_sites,
            self.joint_members,
            self.joint_meetings,
            self.joint_tasks,
            self.outreach_lists,
            self.outreach_visits,
            self.gangs,
            self.bank_figure_months,
            self.tips,
            self.quiz_campaigns,
            self.quiz_attempts,
            self.app_drives,
            self.promoters,
            self.app_referrals,
            self.order_sources,
            self.team_members,
            self.fund_warnings,
            self.solved_elsewhere
        )
    }
}

/// Fills the registers with `months` of history before now, once: `None` when `months` is 0
/// or the database holds key-person dossiers already (a later start, or a database in use).
pub async fn seed(
    state: &AppState,
    world: &World,
    root: &str,
    seed: u64,
    months: u32,
) -> Result<Option<Seeded>, CliError> {
    if months == 0 {
        return Ok(None);
    }
    let store = &state.store;
    let now = state.clock.now_ms();
    let any = store
        .key_persons()
        .count(&Scope::platform(), &KeyPersonFilter::default(), now)
        .await?;
    if any > 0 {
        return Ok(None);
    }
    let mut h = History::new(state, world, root, seed, months, now).await?;
    let mut out = Seeded::default();
    groups::seed(&mut h, &mut out).await?;
    warnings::seed(&mut h, &mut out).await?;
    let case_months = cases::seed(&mut h, &mut out).await?;
    key_persons::seed(&mut h, &mut out).await?;
    leads::seed(&mut h, &mut out).await?;
    new_cards::seed(&mut h, &mut out).await?;
    notices::seed(&mut h, &mut out, &case_months).await?;
    prevention::seed(&mut h, &mut out, &case_months).await?;
    campaigns::seed(&mut h, &mut out).await?;
    card_cleanups::seed(&mut h, &mut out).await?;
    operations::seed(&mut h, &mut out).await?;
    alliance::seed(&mut h, &mut out).await?;
    alliance::model_sites(&mut h, &mut out).await?;
    joint_office::seed(&mut h, &mut out).await?;
    card_checks::seed(&mut h, &mut out).await?;
    outreach_lists::seed(&mut h, &mut out).await?;
    gangs::seed(&mut h, &mut out).await?;
    solved_elsewhere::seed(&mut h, &mut out).await?;
    bank_figures::seed(&mut h, &mut out).await?;
    tips::seed(&mut h, &mut out).await?;
    quizzes::seed(&mut h, &mut out).await?;
    app_drives::seed(&mut h, &mut out).await?;
    leak_sources::seed(&mut h, &mut out).await?;
    teams::seed(&mut h, &mut out).await?;
    fund_pushes::seed(&mut h, &mut out).await?;
    Ok(Some(out))
}

/// The platform's clock during the history: set to each step's moment, so that what the web
/// layer stamps with "now" (a case opened, a trace, a bank's answer) carries the history's time.
#[derive(Clone, Default)]
pub(crate) struct HistoryClock(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl fanzha_web::state::Clock for HistoryClock {
    fn now_ms(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The city, its units, the clock and the dice, shared by the seeding steps.
pub(crate) struct History<'a> {
    /// The platform's state on the history's clock (see [`History::at`]).
    pub state: AppState,
    clock: HistoryClock,
    pub store: Store,
    pub world: &'a World,
    pub root: Unit,
    pub root_scope: Scope,
    /// The townships (stations), the first one being the demo station commander's.
    pub townships: Vec<Unit>,
    /// Village code → its township's code.
    pub township_of: BTreeMap<String, String>,
    /// The demo grid worker's village (the first of the first township).
    pub grid_village: Option<String>,
    scopes: BTreeMap<String, Scope>,
    pub rng: ChaCha8Rng,
    pub now: i64,
    /// The first instant of the history.
    pub start: i64,
    pub months: u32,
    /// The cases solved so far: id, the township (station) of the victim's village, when.
    pub solved_cases: Vec<(String, String, i64)>,
}

impl<'a> History<'a> {
    async fn new(
        state: &'a AppState,
        world: &'a World,
        root: &str,
        seed: u64,
        months: u32,
        now: i64,
    ) -> Result<History<'a>, CliError> {
        let clock = HistoryClock::default();
        let mut state = state.clone();
        state.clock = std::sync::Arc::new(clock.clone());
        let store = &state.store;
        let root = store.units().get(root).await?;
        let root_scope = store.units().scope(&root.code).await?;
        let townships = store.units().children(&root.code).await?;
        let mut township_of = BTreeMap::new();
        let mut grid_village = None;
        for t in &townships {
            for v in store.units().children(&t.code).await? {
                grid_village.get_or_insert_with(|| v.code.clone());
                township_of.insert(v.code, t.code.clone());
            }
        }
        Ok(History {
            store: state.store.clone(),
            state,
            clock,
            world,
            root,
            root_scope,
            townships,
            township_of,
            grid_village,
            scopes: BTreeMap::new(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0048_4953_544f_5259),
            now,
            start: now - i64::from(months) * 30 * DAY_MS,
            months,
            solved_cases: Vec::new(),
        })
    }

    /// Sets the platform's clock (for the web layer's steps) to `ms`.
    pub fn at(&self, ms: i64) {
        self.clock.0.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// A moment in the history, at least `margin_days` before now, in office hours.
    pub fn moment(&mut self, margin_days: i64) -> i64 {
        let end = (self.now - margin_days * DAY_MS).max(self.start + DAY_MS);
        let day = self.rng.random_range(self.start..end) / DAY_MS * DAY_MS;
        // 08:30 to 18:00 Asia/Shanghai is 00:30 to 10:00 UTC.
        day + self.rng.random_range(30 * 60_000..600 * 60_000)
    }

    /// Months before the history that cases and monthly figures also cover, at the rates of
    /// the year before: at least a year, and back to the start of last year, so that 同比 of
    /// this year so far and of every month of the history has its base.
    pub fn months_before(&self) -> u32 {
        24u32.saturating_sub(self.months).max(12)
    }

    /// A moment in office hours between `from` and `until`.
    pub fn moment_between(&mut self, from: i64, until: i64) -> i64 {
        let day = self.rng.random_range(from..until.max(from + DAY_MS)) / DAY_MS * DAY_MS;
        day + self.rng.random_range(30 * 60_000..600 * 60_000)
    }

    /// A moment between `from` and now less `margin_ms` (or `from` itself when none is left).
    pub fn after(&mut self, from: i64, max_days: i64, margin_ms: i64) -> i64 {
        let end = (from + max_days * DAY_MS).min(self.now - margin_ms);
        if end <= from + 60_000 {
            return from + 60_000;
        }
        self.rng.random_range(from + 60_000..end)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        items.choose(&mut self.rng).expect("a non-empty list")
    }

    /// One item by weight.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        items
            .choose_weighted(&mut self.rng, |(_, w)| *w)
            .expect("weights that add up to more than 0")
            .0
    }

    /// A resident aged `ages` today (any resident when none is), with a phone.
    pub fn resident(&mut self, ages: std::ops::RangeInclusive<u32>) -> &'a Person {
        self.resident_where(ages, |_| true)
    }

    /// A resident aged `ages` today with a phone, for whom `also` holds (any resident when
    /// 200 draws find none).
    pub fn resident_where(
        &mut self,
        ages: std::ops::RangeInclusive<u32>,
        also: impl Fn(&Person) -> bool,
    ) -> &'a Person {
        let today = date_number(self.now);
        let people = &self.world.people;
        for _ in 0..200 {
            let p = &people[self.rng.random_range(0..people.len())];
            if p.msisdn.is_some() && ages.contains(&p.age_on(today)) && also(p) {
                return p;
            }
        }
        &people[self.rng.random_range(0..people.len())]
    }

    /// A resident of `village` aged `ages` today, when the city has one.
    pub fn resident_of(
        &mut self,
        village: &str,
        ages: std::ops::RangeInclusive<u32>,
    ) -> Option<&'a Person> {
        let today = date_number(self.now);
        let code: u64 = village.parse().ok()?;
        let there: Vec<&'a Person> = self
            .world
            .people
            .iter()
            .filter(|p| p.village == code && ages.contains(&p.age_on(today)))
            .collect();
        there.choose(&mut self.rng).copied()
    }

    /// A virtual-operator number of an allocated segment (the kind fraud calls come from),
    /// not one of the simulated city's.
    pub fn suspect_number(&mut self) -> String {
        loop {
            let text = format!(
                "{}{:08}",
                self.pick(&["170", "171", "165", "167", "162"]),
                self.rng.random_range(0..100_000_000u32)
            );
            if let Ok(n) = fanzha_core::PhoneNumber::parse(&text) {
                return n.canonical();
            }
        }
    }

    /// `count` scaled to the city: per 10,000 residents over the history, at least `min`.
    pub fn scaled(&self, per_10k_per_month: f64, min: usize) -> usize {
        let n =
            self.world.people.len() as f64 / 10_000.0 * per_10k_per_month * f64::from(self.months);
        (n.round() as usize).max(min)
    }

    /// The township (station) of a village code, or the root for a code outside the tree.
    pub fn township(&self, village: &str) -> &str {
        self.township_of
            .get(village)
            .map(String::as_str)
            .unwrap_or(self.root.code.as_str())
    }

    /// A unit's subtree (read once per unit: the steps ask for the same stations again and
    /// again).
    pub async fn scope(&mut self, code: &str) -> Result<Scope, CliError> {
        if let Some(s) = self.scopes.get(code) {
            return Ok(s.clone());
        }
        let scope = self.store.units().scope(code).await?;
        self.scopes.insert(code.to_string(), scope.clone());
        Ok(scope)
    }

    /// The months of the history (`YYYYMM`), oldest first, the current one last.
    pub fn month_list(&self, extra_before: u32) -> Vec<i64> {
        let now = fanzha_core::time::shanghai_date(self.now).unwrap_or_default();
        let first = now
            .checked_sub_months(chrono::Months::new(self.months + extra_before))
            .unwrap_or(now);
        let first = i64::from(first.year()) * 100 + i64::from(first.month());
        std::iter::successors(Some(first), |m| Some(fanzha_store::next_month(*m)))
            .take((self.months + extra_before + 1) as usize)
            .collect()
    }
}

/// A resident's own mobile number, canonical.
pub(crate) fn phone_of(p: &Person) -> Option<String> {
    p.msisdn
        .and_then(|m| fanzha_core::PhoneNumber::from_msisdn(m).ok())
        .map(|n| n.canonical())
}

/// A resident's own debit card number.
pub(crate) fn card_of(p: &Person) -> Option<String> {
    p.bank_card
        .and_then(|a| fanzha_core::BankCard::from_account_no(a).ok())
        .map(|c| c.as_str().to_string())
}

/// `YYYYMMDD` of an instant in Asia/Shanghai.
pub(crate) fn date_number(ms: i64) -> u32 {
    fanzha_core::time::shanghai_date(ms)
        .map(|d| d.year() as u32 * 10_000 + d.month() * 100 + d.day())
        .unwrap_or(20_260_101)
}

/// `YYYYMM` of an instant in Asia/Shanghai.
pub(crate) fn month_of(ms: i64) -> i64 {
    i64::from(date_number(ms) / 100)
}

/// The first instant of `month` (`YYYYMM`) in Asia/Shanghai.
pub(crate) fn month_start(month: i64) -> i64 {
    NaiveDate::from_ymd_opt((month / 100) as i32, (month % 100) as u32, 1)
        .and_then(|d| fanzha_core::time::shanghai_midnight(d).ok())
        .unwrap_or_default()
}

/// "2026年6月".
pub(crate) fn month_words(month: i64) -> String {
    format!("{}年{}月", month / 100, month % 100)
}
