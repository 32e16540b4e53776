//! `fanzha demo`: the platform on an embedded default, with nothing else installed — an SQLite
//! file in the data directory, the org tree of a real county, demo users for every role, the web
//! server, and the synthetic city streamed live through the detection engine. A second start
//! reuses the data directory.

use crate::error::{CliError, CliResult, WithCode};
use crate::Ctx;
use fanzha_archive::Archive;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::mask::{mask_name, mask_phone};
use fanzha_core::reference::divisions;
use fanzha_core::time::format_shanghai;
use fanzha_core::DivisionCode;
use fanzha_detect::{Engine, EngineConfig, Warning, WarningKind};
use fanzha_sim::live::{Pace, Paced};
use fanzha_sim::{SimParams, Simulation};
use fanzha_store::{
    CardKind, NewCardRow, NewGuardian, NewPerson, NewUser, Role, Store, StoreError,
};
use fanzha_web::auth::password::hash_password;
use fanzha_web::rules_lab::ActiveRules;
use fanzha_workflow::notify::simulated_smsc::{SimulatedSmsc, SmscBehaviour};
use fanzha_workflow::notify::{SmppConfig, SmsConfig};
use fanzha_workflow::{IncomingWarning, LoopService};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Port of the web UI on 127.0.0.1.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Division code of the county (or city) to run: its org tree and its synthetic residents.
    #[arg(long, default_value = "330281")]
    region: String,
    /// Simulated time per wall time (60 = one simulated hour per minute).
    #[arg(long, default_value_t = 60.0)]
    speed: f64,
    /// Residents of the synthetic city.
    #[arg(long, default_value_t = 20_000)]
    people: u32,
    /// Simulated days to run before the stream ends.
    #[arg(long, default_value_t = 30)]
    days: u32,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Fraud victims per 10,000 simulated residents per year. The default scales the sample
    /// up to a whole county's volume (20,000 residents standing for ~800,000) and compresses
    /// time, so the dashboard shows the closed loop at work within the first minute.
    #[arg(long, default_value_t = 100_000.0)]
    victims_per_10k_year: f64,
    /// Card sellers (断卡) per 10,000 residents per year, scaled up like the victims so that
    /// the banks' new-card lists carry some within the first simulated day.
    #[arg(long, default_value_t = 1_000.0)]
    card_sellers_per_10k_year: f64,
    /// Months of history (往期数据: warnings through the closed loop, cases with their money
    /// stopped, key persons, leads, number disposals, new bank and phone cards screened and
    /// reviewed, analysis groups, bulletins, supervision, prevention work, monthly figures)
    /// written on the first start of a new database, so every register has records to open; 0
    /// starts with empty registers.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(0..=24))]
    history_months: u32,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    duration_s: Option<u64>,
}

/// One demo login per role: (login, display name, role, where in the tree, bank).
/// Login, name, role, unit, and the liaison's institution: a bank code for a bank liaison, an
/// operator code for an operator liaison.
const DEMO_USERS: &[(&str, &str, Role, Placement, Option<&str>)] = &[
    ("admin", "系统管理员", Role::Admin, Placement::Root, None),
    (
        "analyst",
        "研判民警 陈晓",
        Role::CenterAnalyst,
        Placement::Root,
        None,
    ),
    (
        "leader",
        "分管领导 周立",
        Role::Leader,
        Placement::Root,
        None,
    ),
    (
        "commander",
        "反诈中心指挥员 王强",
        Role::UnitCommander,
        Placement::Root,
        None,
    ),
    (
        "station",
        "派出所所长 李明",
        Role::UnitCommander,
        Placement::Township,
        None,
    ),
    (
        "grid",
        "网格员 张丽",
        Role::GridWorker,
        Placement::Village,
        None,
    ),
    (
        "bank_icbc",
        "工商银行联络员 刘洋",
        Role::BankLiaison,
        Placement::Root,
        Some("ICBC"),
    ),
    (
        "operator_cm",
        "中国移动联络员 赵敏",
        Role::OperatorLiaison,
        Placement::Root,
        Some("china_mobile"),
    ),
];

#[derive(Clone, Copy)]
enum Placement {
    Root,
    /// The first township under the root.
    Township,
    /// The first village of that township.
    Village,
}

pub fn run(ctx: &Ctx, args: Args) -> CliResult {
    // The 综合考核 scheme, read first so that a bad file stops the demo before it starts.
    let assessment = match &ctx.config.assessment_file {
        Some(path) => Arc::new(fanzha_web::assessment::Scheme::load(path)?),
        None => Arc::default(),
    };
    let root = super::import_divisions::root_division(&args.region)?;
    let root_code = root.code().to_string();
    let db = super::database::open(ctx)?;
    if db.block_on(db.store.units().find(&root_code))?.is_none() {
        super::import_divisions::run(
            ctx,
            super::import_divisions::Args {
                root: root_code.clone(),
            },
        )?;
    }
    let mut logins = db.block_on(ensure_demo_users(&db.store, &root_code))?;

    let params = SimParams {
        region: root_code.clone(),
        people: args.people,
        days: args.days,
        seed: args.seed,
        victims_per_10k_year: args.victims_per_10k_year,
        card_sellers_per_10k_year: args.card_sellers_per_10k_year,
        ..SimParams::default()
    };
    let sim = Simulation::new(params)?;
    let residents = db.block_on(import_residents(&db.store, &sim, &root_code))?;

    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let mut state = db
        .block_on(fanzha_web::AppState::new(db.store.clone()))
        .code(ErrorCode::Internal)?;
    state.assessment = assessment;
    let history = db.block_on(super::demo_history::seed(
        &state,
        sim.world(),
        &root_code,
        args.seed,
        args.history_months,
    ))?;
    // The joint office's members exist once the history has been written.
    logins.extend(db.block_on(ensure_member_liaison(&db.store, &root_code))?);
    let service = state.loop_service.clone();
    let state_rules = state.rules.clone();
    // The numbers operators shut down in earlier runs go on the engine's blocklist first.
    let feed = state.engine_feed.clone();
    for number in db.block_on(db.store.number_disposals().executed_numbers())? {
        match fanzha_core::PhoneNumber::parse(&number).and_then(|n| n.to_msisdn()) {
            Ok(m) => feed.list_number(m, fanzha_core::event::NumberList::Blocklist),
            Err(e) => tracing::warn!(%number, error = %e, "executed number not fed to the engine"),
        }
    }
    let listener = db
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e} (choose another --port)"))
        .code(ErrorCode::Io)?;
    // 110 reports of the city's victims, opened as cases as they come.
    let (reports_tx, reports_rx) = tokio::sync::mpsc::channel(1024);
    let reporter = db.rt.spawn(super::demo_cases::open_reported_cases(
        state.clone(),
        reports_rx,
    ));
    let sim = super::demo_cases::Reporting::new(sim, args.seed, reports_tx);
    let archive_dir = ctx.config.archive_dir();
    state.public_url = ctx.config.public_url.clone();
    state.archive = Some(fanzha_web::rules_lab::ArchiveSource {
        dir: archive_dir.clone(),
        stream: DEMO_STREAM.into(),
    });
    let server = db.rt.spawn(fanzha_web::serve(listener, state, async {
        let _ = stop_rx.await;
    }));

    // Texts go to the operators' SMSC when one is configured, else to a simulated one, so
    // that they are sent, delivered or undeliverable as they would be.
    let (sms, smsc) = demo_sms(&db)?;
    println!(
        "\n反诈指挥平台 fanzha demo — {} ({root_code})",
        root.full_name()
    );
    println!("  数据目录 data dir : {}", ctx.config.data_dir.display());
    println!("  打开 open         : http://{addr}/");
    println!("  演示账号 demo logins:");
    for (login, name, role, unit, password) in &logins {
        println!(
            "    {login:<10} {password:<24} {:<8} {name} @ {unit}",
            role.label_zh()
        );
    }
    println!("  居民 residents    : {residents}");
    match (&smsc, &sms.smpp) {
        (Some(s), _) => println!(
            "  短信网关 SMS      : 模拟运营商短信中心 simulated SMSC {} (set FANZHA_SMPP_HOST for a real one)",
            s.addr()
        ),
        (None, Some(c)) => println!("  短信网关 SMS      : {}:{}", c.host, c.port),
        (None, None) => {}
    }
    if let Some(h) = &history {
        println!("  往期数据 history  : {h}");
    }
    println!(
        "\n实时预警 live warnings (simulated city, {}× speed):",
        args.speed
    );

    let running = Arc::new(AtomicBool::new(true));
    let (warnings_tx, warnings_rx) = tokio::sync::mpsc::channel::<IncomingWarning>(4096);
    let router = db.rt.spawn(route_warnings(service.clone(), warnings_rx));
    // The banks' new-card lists: every bank card the city opens is sent for screening.
    let (cards_tx, cards_rx) = tokio::sync::mpsc::channel::<NewCardRow>(4096);
    let screener = db.rt.spawn(screen_new_cards(
        db.store.clone(),
        root_code.clone(),
        cards_rx,
    ));
    let watcher = db.rt.spawn(super::platform::watch_deadlines(
        service.clone(),
        running.clone(),
    ));
    // With the history, the other stations' duty officers work what is pushed down to them.
    let stations = if args.history_months > 0 {
        let demo_station = db
            .block_on(db.store.units().children(&root_code))?
            .into_iter()
            .next()
            .map(|u| u.code)
            .unwrap_or_default();
        Some(db.rt.spawn(super::demo_stations::work_other_stations(
            service.clone(),
            db.store.clone(),
            demo_station,
            super::demo_stations::Pace::DEMO,
        )))
    } else {
        None
    };
    let dispatchers = {
        let _guard = db.rt.enter();
        super::platform::Dispatchers::start_with(&service, sms)
    };
    let live = {
        let running = running.clone();
        let speed = args.speed;
        let rules = state_rules.clone();
        let feed = feed.clone();
        let outlets = Outlets {
            warnings: warnings_tx,
            cards: cards_tx,
            archive: open_demo_archive(&archive_dir),
        };
        std::thread::spawn(move || run_live(sim, speed, &running, outlets, &rules, &feed))
    };

    db.block_on(super::platform::stopped(args.duration_s));
    running.store(false, Ordering::Relaxed);
    let _ = stop_tx.send(());
    let served = db.block_on(server).code(ErrorCode::Internal)?;
    served.code(ErrorCode::Io)?;
    let summary = live.join().map_err(|_| {
        CliError::new(ErrorCode::Internal, "the live engine stopped unexpectedly")
    })??;
    let routed = db.block_on(router).code(ErrorCode::Internal)?;
    let screened = db.block_on(screener).code(ErrorCode::Internal)?;
    let cases = db.block_on(reporter).code(ErrorCode::Internal)?;
    let _ = db.block_on(watcher);
    if let Some(stations) = stations {
        stations.abort();
    }
    db.block_on(dispatchers.shutdown());
    drop(smsc);
    println!(
        "\n已停止 stopped: {} signals, {} warnings ({} red), {routed} routed into the closed loop, {screened} new cards screened, {cases} cases reported. Data kept in {}.",
        summary.signals,
        summary.warnings,
        summary.red,
        ctx.config.data_dir.display()
    );
    Ok(())
}

/// The login of the demo's member liaison (成员单位联络员).
const MEMBER_LOGIN: &str = "member";

/// A member liaison for a member department of the root's joint office — the first (by name)
/// with a task in progress, so that there is something to report — created when missing; `None`
/// when the office has no member (a demo without history).
async fn ensure_member_liaison(
    store: &Store,
    root_code: &str,
) -> Result<Option<(String, String, Role, String, String)>, CliError> {
    let scope = store.units().scope(root_code).await?;
    let members = store.joint_office().members(&scope, false).await?;
    let mut chosen = None;
    for m in members.iter().filter(|m| m.unit_code == root_code) {
        let filter = fanzha_store::TaskFilter {
            member: Some(m.id),
            pending: true,
            ..Default::default()
        };
        let tasks = store.joint_tasks().list(&scope, filter).await?;
        if tasks
            .iter()
            .any(|t| t.state == fanzha_store::TaskState::Open)
        {
            chosen = Some(m);
            break;
        }
        chosen = chosen.or(Some(m));
    }
    let Some(member) = chosen else {
        return Ok(None);
    };
    let password = format!("demo-{MEMBER_LOGIN}-2026");
    let name = format!("{}联络员", member.name);
    let users = store.users();
    match users
        .get(&fanzha_store::Scope::platform(), MEMBER_LOGIN)
        .await
    {
        Ok(u) if u.joint_member.is_some() => {
            return Ok(Some((
                MEMBER_LOGIN.into(),
                u.display_name,
                Role::JointMember,
                u.unit_code,
                password,
            )))
        }
        Ok(_) | Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    users
        .upsert(&NewUser {
            login: MEMBER_LOGIN.into(),
            display_name: name.clone(),
            unit_code: root_code.into(),
            roles: vec![Role::JointMember],
            joint_member: Some(member.id),
            bank_code: None,
            operator: None,
            password_hash: Some(hash_password(&password)?),
        })
        .await?;
    Ok(Some((
        MEMBER_LOGIN.into(),
        name,
        Role::JointMember,
        root_code.into(),
        password,
    )))
}

/// Creates the demo users that do not exist yet; returns (login, name, role, unit, password).
async fn ensure_demo_users(
    store: &Store,
    root_code: &str,
) -> Result<Vec<(String, String, Role, String, String)>, CliError> {
    let township = store.units().children(root_code).await?.into_iter().next();
    let village = match &township {
        Some(t) => store.units().children(&t.code).await?.into_iter().next(),
        None => None,
    };
    let mut out = Vec::new();
    for (login, name, role, placement, institution) in DEMO_USERS {
        let unit = match placement {
            Placement::Root => Some(root_code.to_string()),
            Placement::Township => township.as_ref().map(|u| u.code.clone()),
            Placement::Village => village.as_ref().map(|u| u.code.clone()),
        };
        let Some(unit) = unit else { continue };
        let password = format!("demo-{login}-2026");
        match store
            .users()
            .get(&fanzha_store::Scope::platform(), login)
            .await
        {
            Ok(_) => {}
            Err(StoreError::NotFound { .. }) => {
                store
                    .users()
                    .upsert(&NewUser {
                        login: login.to_string(),
                        display_name: name.to_string(),
                        unit_code: unit.clone(),
                        roles: vec![*role],
                        joint_member: None,
                        bank_code: institution
                            .filter(|_| *role == Role::BankLiaison)
                            .map(str::to_string),
                        operator: institution
                            .filter(|_| *role == Role::OperatorLiaison)
                            .map(str::to_string),
                        password_hash: Some(hash_password(&password)?),
                    })
                    .await?;
            }
            Err(e) => return Err(e.into()),
        }
        out.push((login.to_string(), name.to_string(), *role, unit, password));
    }
    Ok(out)
}

struct LiveSummary {
    signals: u64,
    warnings: u64,
    red: u64,
}

/// Where the live engine's thread sends what it produces besides the printed warnings.
struct Outlets {
    warnings: tokio::sync::mpsc::Sender<IncomingWarning>,
    cards: tokio::sync::mpsc::Sender<NewCardRow>,
    /// The demo stream's signal archive (see [`open_demo_archive`]); dropped on a write error.
    archive: Option<Archive>,
}

/// The demo's signals go to the archive under this stream name.
const DEMO_STREAM: &str = "DEMO";

/// The demo stream is written to the archive as it runs, so the rules page can list archived
/// days and test-run drafts on them. A restart replays the same synthetic stream from its
/// first signal, so the previous run's demo archive is removed first.
fn open_demo_archive(dir: &std::path::Path) -> Option<Archive> {
    let open = || Archive::open(dir, DEMO_STREAM, fanzha_archive::ArchiveOptions::default());
    let opened = open().and_then(|a| {
        if a.through() == 0 {
            return Ok(a);
        }
        // Held by this process now: no other demo is writing it.
        let root = a.root().to_path_buf();
        drop(a);
        std::fs::remove_dir_all(&root)
            .map_err(|source| fanzha_archive::ArchiveError::Io { path: root, source })?;
        open()
    });
    match opened {
        Ok(a) => Some(a),
        Err(e) => {
            tracing::warn!(error = %e, "the demo stream is not archived");
            None
        }
    }
}

/// Flushes the demo archive; on a write error logs it and stops archiving.
fn flush_demo_archive(archive: &mut Option<Archive>) {
    if let Some(a) = archive.as_mut() {
        let today =
            fanzha_core::time::shanghai_date(fanzha_core::time::now_ms()).unwrap_or_default();
        if let Err(e) = a.flush(today) {
            tracing::warn!(error = %e, "the demo stream is no longer archived");
            *archive = None;
        }
    }
}

/// Flush the demo archive at least this often.
const DEMO_FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Streams the synthetic city through the engine at `speed`, printing each new or raised warning.
fn run_live(
    sim: super::demo_cases::Reporting,
    speed: f64,
    running: &AtomicBool,
    outlets: Outlets,
    rules: &ActiveRules,
    feed: &fanzha_web::engine_feed::EngineFeed,
) -> CliResult<LiveSummary> {
    let mut engine = Engine::new(EngineConfig::default(), &rules.text())?;
    let mut rules_version = rules.version();
    let mut people: HashMap<u64, (String, u64)> = HashMap::new();
    let mut resident_ids: HashMap<u64, String> = HashMap::new();
    let mut phones: HashMap<u64, String> = HashMap::new();
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
        engine.reserve_numbers(world.phones.len());
        for a in &world.ledger.accounts {
            if a.holder_person_id != 0 {
                engine
                    .directory_mut()
                    .add_account(a.account_no, a.holder_person_id);
            }
        }
        for p in &world.people {
            people.insert(p.person_id, (p.name.to_string(), p.village));
            resident_ids.insert(p.person_id, p.resident_id.to_string());
            if let Some(phone) = p
                .msisdn
                .and_then(|m| fanzha_core::PhoneNumber::from_msisdn(m).ok())
            {
                phones.insert(p.person_id, phone.canonical());
            }
        }
    }
    let mut summary = LiveSummary {
        signals: 0,
        warnings: 0,
        red: 0,
    };
    let mut out = Vec::new();
    let Outlets {
        warnings,
        cards,
        mut archive,
    } = outlets;
    // The night before 08:00 of the first day runs unpaced: the engine's windows fill and the
    // stream starts in the working day, when people answer calls and fraud happens.
    let mut signals = sim.peekable();
    let warm_until = signals.peek().map(|s| s.ts() + WARM_UP_MS).unwrap_or(0);
    let mut flushed_at = std::time::Instant::now();
    let mut warm_flushed = false;
    let mut process = |signal: &fanzha_core::event::Signal| -> bool {
        summary.signals += 1;
        if let Some(a) = archive.as_mut() {
            a.push(summary.signals, signal);
            // The unpaced night is archived as soon as it has run.
            let warmed = !warm_flushed && signal.ts() >= warm_until;
            warm_flushed |= warmed;
            if warmed || a.flush_due() || flushed_at.elapsed() >= DEMO_FLUSH_EVERY {
                flush_demo_archive(&mut archive);
                flushed_at = std::time::Instant::now();
            }
        }
        // Rules activated on the rules page take effect without a restart.
        if summary.signals % 1024 == 0 && rules.version() != rules_version {
            rules_version = rules.version();
            match engine.reload_rules(&rules.text()) {
                Ok(()) => tracing::info!(version = rules_version, "detection rules reloaded"),
                Err(e) => tracing::warn!(error = %e, "rules not reloaded; the previous ones stay"),
            }
        }
        // Numbers operators shut down meanwhile join the blocklist at the stream's time.
        if summary.signals % 256 == 0 {
            for (msisdn, list) in feed.drain() {
                let listed =
                    fanzha_core::event::Signal::NumberListed(fanzha_core::event::NumberListed {
                        ts: signal.ts(),
                        msisdn,
                        list,
                    });
                engine.ingest(&listed, &mut out);
            }
        }
        engine.ingest(signal, &mut out);
        if let fanzha_core::event::Signal::CardOpening(c) = signal {
            if let Some(row) = new_card_row(
                c,
                &people,
                &resident_ids,
                &phones,
                fanzha_core::time::now_ms(),
            ) {
                // The list is best effort: a full channel drops nothing the engine needs.
                let _ = cards.try_send(row);
            }
        }
        for w in out.drain(..) {
            if matches!(w.kind, WarningKind::Merged) {
                continue;
            }
            summary.warnings += 1;
            summary.red += u64::from(w.level == 1);
            println!("{}", describe(&w, &people));
            // The city runs on its own simulated clock; the platform receives the warning now,
            // so its signal is dated as long before now as it was before the stream's moment.
            let signal_at = fanzha_core::time::now_ms() - (signal.ts() - w.ts).max(0);
            let incoming = to_incoming(&w, &resident_ids, &people, signal_at);
            if warnings.blocking_send(incoming).is_err() {
                return false;
            }
        }
        true
    };
    let mut stopped = false;
    while let Some(signal) = signals.next_if(|s| s.ts() < warm_until) {
        if !running.load(Ordering::Relaxed) || !process(&signal) {
            stopped = true;
            break;
        }
    }
    if !stopped {
        for signal in Paced::new(signals, Pace::Speed(speed)) {
            if !running.load(Ordering::Relaxed) || !process(&signal) {
                break;
            }
        }
    }
    flush_demo_archive(&mut archive);
    Ok(summary)
}

/// A card the city opened, as its bank's new-card list (or, for a SIM, its operator's list
/// of new phone cards) names it; `None` for a card of someone who is not a resident.
fn new_card_row(
    c: &fanzha_core::event::CardOpening,
    people: &HashMap<u64, (String, u64)>,
    resident_ids: &HashMap<u64, String>,
    phones: &HashMap<u64, String>,
    now: i64,
) -> Option<NewCardRow> {
    let (account_no, bank_code, bank_name, shop) = match c.kind {
        CardKind::BankCard => {
            let card =
                fanzha_core::BankCard::from_account_no(fanzha_core::event::AccountNo(c.number))
                    .ok()?;
            let bin = card.bin()?;
            (
                card.as_str().to_string(),
                bin.bank_code.to_string(),
                bin.bank_name.to_string(),
                "营业部",
            )
        }
        CardKind::SimCard => {
            let number =
                fanzha_core::PhoneNumber::from_msisdn(fanzha_core::event::Msisdn(c.number)).ok()?;
            let carrier = number.carrier()?;
            (
                number.canonical(),
                carrier.operator_code().to_string(),
                carrier.operator_name().to_string(),
                "营业厅",
            )
        }
    };
    let (name, _) = people.get(&c.person_id)?;
    let county = format!("{:06}", c.opened_in_division);
    let place = DivisionCode::parse(&county)
        .ok()
        .and_then(|d| divisions().get(d))
        .map(|d| d.name().to_string())
        .unwrap_or_default();
    // One of an outlet's few clerks (经办人), by the number's last digit.
    let clerk = format!(
        "{}{:02}",
        if c.kind == CardKind::BankCard {
            "柜员"
        } else {
            "营业员"
        },
        account_no.bytes().last().unwrap_or(b'0') % 6 + 1
    );
    Some(NewCardRow {
        kind: c.kind,
        batch: format!(
            "{bank_code} {}",
            fanzha_core::time::shanghai_date(now)
                .map(|d| d.to_string())
                .unwrap_or_default()
        ),
        account_no,
        bank_code,
        bank_name,
        resident_id: resident_ids.get(&c.person_id)?.clone(),
        holder_name: name.clone(),
        // A phone card's list has no reserved phone.
        phone: (c.kind == CardKind::BankCard)
            .then(|| phones.get(&c.person_id).cloned())
            .flatten(),
        // The list arrives as the card is opened: simulated time runs faster than the wall
        // clock, and the pages count cards by their (wall-clock) opening date.
        opened_at: now,
        outlet: format!("{place}{shop}"),
        outlet_division: Some(county),
        clerk,
    })
}

/// Screens the cards as they come, in small lists per bank or operator (each sends its list,
/// the platform screens it); returns how many were screened.
async fn screen_new_cards(
    store: Store,
    root: String,
    mut rx: tokio::sync::mpsc::Receiver<NewCardRow>,
) -> u64 {
    let scope = fanzha_store::Scope::platform();
    let mut screened = 0;
    while let Some(first) = rx.recv().await {
        let mut by_bank: BTreeMap<(CardKind, String), Vec<NewCardRow>> = BTreeMap::new();
        by_bank
            .entry((first.kind, first.bank_code.clone()))
            .or_default()
            .push(first);
        while let Ok(more) = rx.try_recv() {
            by_bank
                .entry((more.kind, more.bank_code.clone()))
                .or_default()
                .push(more);
        }
        for ((kind, bank), rows) in by_bank {
            let login = match kind {
                CardKind::SimCard => format!("operator_feed_{bank}"),
                CardKind::BankCard => format!("bank_feed_{}", bank.to_ascii_lowercase()),
            };
            let now = fanzha_core::time::now_ms();
            match store
                .new_cards()
                .import(&scope, &root, &rows, &login, now)
                .await
            {
                Ok(done) => screened += done.ids.len() as u64,
                Err(e) => tracing::warn!(error = %e, bank, "new-card list not screened"),
            }
        }
    }
    screened
}

/// Simulated time streamed unpaced at start: the first night, midnight to 08:00.
const WARM_UP_MS: i64 = 8 * 3_600_000;

/// One masked line per warning: time (Asia/Shanghai), level, person, village, type, first rule.
fn describe(w: &Warning, people: &HashMap<u64, (String, u64)>) -> String {
    let level = match w.level {
        1 => "🔴 红色",
        2 => "🟠 橙色",
        _ => "🟡 黄色",
    };
    let (name, village) = w
        .person_id()
        .and_then(|id| people.get(&id))
        .map(|(n, v)| (mask_name(n), village_name(*v)))
        .unwrap_or_else(|| ("未登记".into(), String::new()));
    let phone = w
        .msisdn
        .and_then(|m| fanzha_core::PhoneNumber::from_msisdn(m).ok())
        .map(|p| mask_phone(&p.canonical()))
        .unwrap_or_default();
    let rule = w.rules.first().map(|r| r.zh.as_str()).unwrap_or("");
    let kind = if matches!(w.kind, WarningKind::Raised) {
        "升级"
    } else {
        "新增"
    };
    format!(
        "{} {level}{kind} {name} {phone} {village} {} — {rule}",
        format_shanghai(w.ts),
        w.fraud_type.as_deref().unwrap_or("类型待定"),
    )
}

/// An engine warning as the closed loop receives it: resident and residence from the city's
/// register.
fn to_incoming(
    w: &Warning,
    resident_ids: &HashMap<u64, String>,
    people: &HashMap<u64, (String, u64)>,
    signal_at: i64,
) -> IncomingWarning {
    let person = w.person_id();
    crate::live::incoming::incoming(
        w,
        person.and_then(|id| resident_ids.get(&id).cloned()),
        person
            .and_then(|id| people.get(&id))
            .map(|(_, village)| format!("{village:012}")),
        signal_at,
        None,
    )
}

/// Hands engine warnings to the closed loop; returns how many were routed.
async fn route_warnings(
    service: Arc<LoopService>,
    mut rx: tokio::sync::mpsc::Receiver<IncomingWarning>,
) -> u64 {
    let mut routed = 0;
    while let Some(w) = rx.recv().await {
        match service.receive(w, fanzha_core::time::now_ms()).await {
            Ok(_) => routed += 1,
            Err(e) => tracing::warn!(error = %e, "warning not routed"),
        }
    }
    routed
}

/// Registers the synthetic city's residents (once: a second start finds them).
/// The residents a synthetic city stands for: a county's (the victims and card sellers per
/// 10,000 are scaled up to it, see the flags).
const STANDS_FOR_RESIDENTS: i64 = 800_000;

/// Each village's population (what cases per 10,000 residents divide by): its simulated
/// residents scaled up to the county the sample stands for, as its fraud volume is — so that
/// 万人发案数 reads like a real county's, not like 20,000 people's with a county's cases. Unless
/// the city's units carry figures already.
async fn record_populations(store: &Store, sim: &Simulation, root: &str) -> Result<(), CliError> {
    let units = store.units().subtree(root, None).await?;
    if units.iter().any(|u| u.population.is_some()) {
        return Ok(());
    }
    let people = sim.world().people.len() as i64;
    let scale = (STANDS_FOR_RESIDENTS / people.max(1)).max(1);
    let mut per_village: BTreeMap<String, i64> = BTreeMap::new();
    for p in &sim.world().people {
        *per_village.entry(format!("{:012}", p.village)).or_default() += scale;
    }
    // Every village gets a figure (0 where nobody was simulated), so that the townships and the
    // county add up (a unit's residents are a sum only when all its children have a figure).
    for u in units
        .iter()
        .filter(|u| u.level == fanzha_store::UnitLevel::Village)
    {
        let n = per_village.get(&u.code).copied().unwrap_or(0);
        store.units().set_population(&u.code, Some(n)).await?;
    }
    Ok(())
}

async fn import_residents(store: &Store, sim: &Simulation, root: &str) -> Result<i64, CliError> {
    let scope = store.units().scope(root).await?;
    record_populations(store, sim, root).await?;
    let have = store.people().count(&scope).await?;
    if have > 0 {
        return Ok(have);
    }
    let world = sim.world();
    let public_employers = world.employers.iter().take_while(|e| e.public).count();
    let mut batch = Vec::with_capacity(5000);
    for p in &world.people {
        let village = format!("{:012}", p.village);
        batch.push(NewPerson {
            resident_id: p.resident_id.to_string(),
            name: p.name.to_string(),
            phone: p
                .msisdn
                .and_then(|m| fanzha_core::PhoneNumber::from_msisdn(m).ok())
                .map(|n| n.canonical()),
            address: Some(format!(
                "{}{}号",
                village_name(p.village),
                p.household_id % 300 + 1
            )),
            residence_code: village,
            employer: (p.employer_id > 0)
                .then(|| employer_name(p.employer_id as usize - 1, public_employers)),
            public_sector: p.public_sector,
            app_registered: p.anti_fraud_app,
            joint_defense_registered: p.joint_defense,
        });
        if batch.len() == 5000 {
            store.people().upsert(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.people().upsert(&batch).await?;
    }
    // 金钟罩: people registered for joint-defence warnings name family members of their
    // household (with a phone) as the guardians to alert.
    let mut households: HashMap<u64, Vec<&fanzha_sim::records::Person>> = HashMap::new();
    for p in &world.people {
        households.entry(p.household_id).or_default().push(p);
    }
    let now = fanzha_core::time::now_ms();
    for p in world.people.iter().filter(|p| p.joint_defense) {
        let family = households.get(&p.household_id).into_iter().flatten();
        for g in family.filter(|g| g.person_id != p.person_id).take(2) {
            let Some(phone) = g
                .msisdn
                .and_then(|m| fanzha_core::PhoneNumber::from_msisdn(m).ok())
            else {
                continue;
            };
            store
                .guardians()
                .add(
                    &fanzha_store::Scope::platform(),
                    &NewGuardian {
                        resident_id: p.resident_id.to_string(),
                        name: g.name.to_string(),
                        phone: phone.canonical(),
                        relationship: "亲属".into(),
                        created_at: now,
                    },
                )
                .await?;
        }
    }
    Ok(store.people().count(&scope).await?)
}

/// A name for the simulated city's employer `index` (its public employers come first): the
/// county's offices, schools and hospitals, then companies.
pub(crate) fn employer_name(index: usize, public_employers: usize) -> String {
    const OFFICES: [&str; 24] = [
        "教育局",
        "卫生健康局",
        "财政局",
        "人民医院",
        "中医医院",
        "第一中学",
        "实验小学",
        "自然资源和规划局",
        "住房和城乡建设局",
        "市场监督管理局",
        "人力资源和社会保障局",
        "农业农村局",
        "交通运输局",
        "税务局",
        "民政局",
        "文化广电旅游体育局",
        "水利局",
        "综合行政执法局",
        "城东街道办事处",
        "城西街道办事处",
        "妇幼保健院",
        "职业技术学校",
        "疾病预防控制中心",
        "融媒体中心",
    ];
    const NAMES: [&str; 16] = [
        "宏达", "恒信", "华丰", "金盛", "永安", "瑞丰", "东方", "天成", "明辉", "新亚", "四明",
        "舜宇", "阳光", "康宁", "海天", "联创",
    ];
    const TRADES: [&str; 12] = [
        "电子科技有限公司",
        "纺织有限公司",
        "机械制造有限公司",
        "物流有限公司",
        "商贸有限公司",
        "建筑工程有限公司",
        "食品有限公司",
        "塑料制品有限公司",
        "模具有限公司",
        "电器有限公司",
        "光学仪器有限公司",
        "汽车零部件有限公司",
    ];
    // A second round of the same names is a branch, so every employer's name is its own.
    let branch = |round: usize| match round {
        0 => String::new(),
        n => format!("（第{}分部）", n + 1),
    };
    if index < public_employers {
        format!(
            "{}{}",
            OFFICES[index % OFFICES.len()],
            branch(index / OFFICES.len())
        )
    } else {
        let k = index - public_employers;
        let combos = NAMES.len() * TRADES.len();
        format!(
            "{}{}{}",
            NAMES[k % NAMES.len()],
            TRADES[(k / NAMES.len()) % TRADES.len()],
            branch(k / combos)
        )
    }
}

fn village_name(code: u64) -> String {
    DivisionCode::parse(&format!("{code:012}"))
        .ok()
        .and_then(|c| divisions().get(c))
        .map(|d| d.name().to_string())
        .unwrap_or_default()
}

/// The demo's SMS settings: the environment's SMSC, else a simulated one on a free local port
/// (running as long as the handle is kept) whose phones answer in 2 to 12 seconds, 3 % of
/// them switched off.
fn demo_sms(db: &super::database::Database) -> CliResult<(SmsConfig, Option<SimulatedSmsc>)> {
    let mut sms = super::platform::sms_from_env()?;
    if sms.smpp.is_some() {
        return Ok((sms, None));
    }
    const SYSTEM_ID: &str = "fanzha";
    const PASSWORD: &str = "demo";
    let mut behaviour = SmscBehaviour::new(SYSTEM_ID, PASSWORD);
    behaviour.receipt_delay = (
        std::time::Duration::from_secs(2),
        std::time::Duration::from_secs(12),
    );
    behaviour.unreachable_per_mille = 30;
    let smsc = db
        .block_on(SimulatedSmsc::start(([127, 0, 0, 1], 0).into(), behaviour))
        .code(ErrorCode::Io)?;
    let port = smsc.addr().port();
    sms.smpp = Some(SmppConfig::new(
        "127.0.0.1",
        port,
        SYSTEM_ID,
        PASSWORD,
        fanzha_core::hotline::number(),
    ));
    Ok((sms, Some(smsc)))
}
