//! `fanzha demo`: the platform on an embedded default, with nothing else installed — an SQLite
//! file in the data directory, the org tree of a real county, demo users for every role, the web
//! server, and the synthetic city streamed live through the detection engine. A second start
//! reuses the data directory.

use crate::error::{CliError, CliResult, WithCode};
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::mask::{mask_name, mask_phone};
use fanzha_core::reference::divisions;
use fanzha_core::time::format_shanghai;
use fanzha_core::DivisionCode;
use fanzha_detect::{Engine, EngineConfig, Warning, WarningKind};
use fanzha_sim::live::{Pace, Paced};
use fanzha_sim::{SimParams, Simulation};
use fanzha_store::{NewUser, Role, Store, StoreError};
use fanzha_web::auth::password::hash_password;
use std::collections::HashMap;
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
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    duration_s: Option<u64>,
}

/// One demo login per role: (login, display name, role, where in the tree, bank).
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
    let logins = db.block_on(ensure_demo_users(&db.store, &root_code))?;

    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let state = fanzha_web::AppState::new(db.store.clone());
    let listener = db
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e} (choose another --port)"))
        .code(ErrorCode::Io)?;
    let server = db.rt.spawn(fanzha_web::serve(listener, state, async {
        let _ = stop_rx.await;
    }));

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
    println!(
        "\n实时预警 live warnings (simulated city, {}× speed):",
        args.speed
    );

    let running = Arc::new(AtomicBool::new(true));
    let live = {
        let running = running.clone();
        let params = SimParams {
            region: root_code.clone(),
            people: args.people,
            days: args.days,
            seed: args.seed,
            ..SimParams::default()
        };
        let speed = args.speed;
        std::thread::spawn(move || run_live(params, speed, &running))
    };

    db.block_on(async {
        match args.duration_s {
            Some(s) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = tokio::time::sleep(std::time::Duration::from_secs(s)) => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    });
    running.store(false, Ordering::Relaxed);
    let _ = stop_tx.send(());
    let served = db.block_on(server).code(ErrorCode::Internal)?;
    served.code(ErrorCode::Io)?;
    let summary = live.join().map_err(|_| {
        CliError::new(ErrorCode::Internal, "the live engine stopped unexpectedly")
    })??;
    println!(
        "\n已停止 stopped: {} signals, {} warnings ({} red). Data kept in {}.",
        summary.signals,
        summary.warnings,
        summary.red,
        ctx.config.data_dir.display()
    );
    Ok(())
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
    for (login, name, role, placement, bank) in DEMO_USERS {
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
                        bank_code: bank.map(str::to_string),
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

/// Streams the synthetic city through the engine at `speed`, printing each new or raised warning.
fn run_live(params: SimParams, speed: f64, running: &AtomicBool) -> CliResult<LiveSummary> {
    let sim = Simulation::new(params)?;
    let mut engine = Engine::with_default_rules(EngineConfig::default())?;
    let mut people: HashMap<u64, (String, u64)> = HashMap::new();
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
        for p in &world.people {
            people.insert(p.person_id, (p.name.to_string(), p.village));
        }
    }
    let mut summary = LiveSummary {
        signals: 0,
        warnings: 0,
        red: 0,
    };
    let mut out = Vec::new();
    for signal in Paced::new(sim, Pace::Speed(speed)) {
        if !running.load(Ordering::Relaxed) {
            break;
        }
        summary.signals += 1;
        engine.ingest(&signal, &mut out);
        for w in out.drain(..) {
            if matches!(w.kind, WarningKind::Merged) {
                continue;
            }
            summary.warnings += 1;
            summary.red += u64::from(w.level == 1);
            println!("{}", describe(&w, &people));
        }
    }
    Ok(summary)
}

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

fn village_name(code: u64) -> String {
    DivisionCode::parse(&format!("{code:012}"))
        .ok()
        .and_then(|c| divisions().get(c))
        .map(|d| d.name().to_string())
        .unwrap_or_default()
}
