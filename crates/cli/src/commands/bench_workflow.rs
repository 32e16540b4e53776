//! `fanzha bench workflow`: the closed loop under load. A county commander signs instructions
//! and records their outcomes (反馈) over the HTTP API, from a load generator in the same
//! process, at increasing concurrency; every request is one real state change on a distinct
//! instruction. Reported per backend and step: requests per second, p50/p99 latency, and the
//! same commands applied through [`LoopService::act`] directly (no HTTP) as the reference.

use crate::error::{CliError, CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use bytes::Bytes;
use fanzha_core::error_code::ErrorCode;
use fanzha_store::{NewUnit, NewUser, Role, Store, StoreOptions, UnitLevel};
use fanzha_workflow::{
    Actor, Command, ContactChannel, IncomingWarning, LoopService, Outcome, WarningLevel,
};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The acceptance goal on the reference machine (2 cores).
const GOAL_REQ_PER_S: f64 = 5_000.0;
const GOAL_P99_MS: f64 = 20.0;

const COUNTY: &str = "330281";
const LOGIN: &str = "bench_commander";
const PASSWORD: &str = "bench-commander-2026";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(clap::Args)]
pub struct Args {
    /// Database backend(s) to measure (default: both when a PostgreSQL URL is given by
    /// --database-url or FANZHA_TEST_DATABASE_URL, else sqlite). Each run uses a fresh SQLite
    /// file in a temporary directory or a fresh PostgreSQL schema, dropped afterwards.
    #[arg(long, value_enum)]
    backend: Option<BackendChoice>,
    /// Instructions per concurrency step; each step sends 2× this many requests (sign, then
    /// record_outcome on each), and the direct reference applies as many again.
    #[arg(long, default_value_t = 2000)]
    instructions: usize,
    /// Concurrent client connections, one step each.
    #[arg(long, value_delimiter = ',', default_value = "1,4,16,32,64")]
    concurrency: Vec<usize>,
    /// Database connection pool size of the server.
    #[arg(long, default_value_t = 8)]
    pool: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

pub fn bench(ctx: &Ctx, a: Args) -> CliResult {
    if a.instructions == 0 {
        return Err(CliError::new(
            ErrorCode::ConfigInvalid,
            "--instructions must be at least 1",
        ));
    }
    let steps: Vec<usize> = a.concurrency.iter().copied().filter(|&c| c > 0).collect();
    if steps.is_empty() {
        return Err(CliError::new(
            ErrorCode::ConfigInvalid,
            "--concurrency needs at least one positive number",
        ));
    }
    let pg_url = ctx
        .config
        .database_url
        .clone()
        .filter(|u| u.starts_with("postgres"))
        .or_else(|| std::env::var("FANZHA_TEST_DATABASE_URL").ok())
        .filter(|u| !u.trim().is_empty());
    let backends = match (a.backend, &pg_url) {
        (Some(BackendChoice::Sqlite), _) | (None, None) => vec![Backend::Sqlite],
        (None, Some(_)) | (Some(BackendChoice::Both), Some(_)) => {
            vec![Backend::Sqlite, Backend::Postgres]
        }
        (Some(BackendChoice::Postgres), Some(_)) => vec![Backend::Postgres],
        (Some(_), None) => {
            return Err(CliError::new(
                ErrorCode::ConfigInvalid,
                "PostgreSQL needs --database-url postgres://… or FANZHA_TEST_DATABASE_URL",
            ))
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .code(ErrorCode::Internal)?;
    let mut results = Vec::new();
    for backend in backends {
        let figures = rt.block_on(run_backend(backend, pg_url.as_deref(), &a, &steps))?;
        results.push((backend, figures));
    }

    println!(
        "{:<9} {:>5} {:>10} {:>8} {:>8} {:>12} {:>10} {:>11}",
        "backend",
        "conc",
        "http req/s",
        "p50 ms",
        "p99 ms",
        "direct req/s",
        "direct p99",
        "http/direct"
    );
    for (backend, steps) in &results {
        for s in steps {
            println!(
                "{:<9} {:>5} {:>10.0} {:>8.2} {:>8.2} {:>12.0} {:>10.2} {:>11.2}",
                backend.name(),
                s.concurrency,
                s.http.req_per_s,
                s.http.p50_ms,
                s.http.p99_ms,
                s.direct.req_per_s,
                s.direct.p99_ms,
                s.http.req_per_s / s.direct.req_per_s
            );
        }
    }
    println!();

    let mut r = Report::new("闭环基准 bench workflow (sign + feedback over HTTP)");
    r.field("instructions_per_step", a.instructions)
        .field("requests_per_step", 2 * a.instructions)
        .field("concurrency", &steps)
        .field("warmup_requests_per_path", 2 * warmup_size(a.instructions))
        .field("pool", a.pool)
        .field(
            "cores",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        )
        .field(
            "build",
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            },
        )
        .field(
            "goal",
            json!({"req_per_s": GOAL_REQ_PER_S, "p99_ms": GOAL_P99_MS}),
        );
    for (backend, steps) in &results {
        let mut per = Map::new();
        for s in steps {
            per.insert(format!("c{}", s.concurrency), s.to_json());
        }
        let best = steps
            .iter()
            .filter(|s| s.http.p99_ms <= GOAL_P99_MS)
            .map(|s| s.http.req_per_s)
            .fold(0.0, f64::max);
        per.insert("best_req_per_s_within_p99_goal".into(), json!(best));
        per.insert("goal_met".into(), json!(best >= GOAL_REQ_PER_S));
        r.field(backend.name(), Value::Object(per));
    }
    r.print(ctx.json);
    Ok(())
}

/// Throughput and latency of one run of 2N requests.
struct Run {
    req_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

impl Run {
    fn new(requests: usize, seconds: f64, mut micros: Vec<u32>) -> Run {
        micros.sort_unstable();
        let q = |p: f64| -> f64 {
            if micros.is_empty() {
                return 0.0;
            }
            let i = ((p * micros.len() as f64).ceil() as usize).clamp(1, micros.len()) - 1;
            micros[i] as f64 / 1000.0
        };
        Run {
            req_per_s: requests as f64 / seconds.max(1e-9),
            p50_ms: q(0.50),
            p99_ms: q(0.99),
            max_ms: q(1.0),
        }
    }
}

struct Step {
    concurrency: usize,
    http: Run,
    direct: Run,
}

impl Step {
    fn to_json(&self) -> Value {
        json!({
            "req_per_s": self.http.req_per_s,
            "p50_ms": self.http.p50_ms,
            "p99_ms": self.http.p99_ms,
            "max_ms": self.http.max_ms,
            "direct_req_per_s": self.direct.req_per_s,
            "direct_p50_ms": self.direct.p50_ms,
            "direct_p99_ms": self.direct.p99_ms,
            "http_over_direct": self.http.req_per_s / self.direct.req_per_s.max(1e-9),
        })
    }
}

/// A fresh database with a small org tree and one commander, the platform served on a free
/// local port, and every step measured over HTTP and directly.
async fn run_backend(
    backend: Backend,
    pg_url: Option<&str>,
    a: &Args,
    steps: &[usize],
) -> CliResult<Vec<Step>> {
    let tmp = tempfile::tempdir().code(ErrorCode::Io)?;
    let (options, schema) = match backend {
        Backend::Sqlite => (
            StoreOptions::new(format!(
                "sqlite://{}?mode=rwc",
                tmp.path().join("bench.db").display()
            )),
            None,
        ),
        Backend::Postgres => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis());
            let schema = format!("bench_workflow_{}_{stamp}", std::process::id());
            let url = pg_url.unwrap_or_default();
            (StoreOptions::new(url).schema(&schema), Some(schema))
        }
    };
    let options = StoreOptions {
        max_connections: a.pool.max(1),
        ..options
    };
    let store = Store::connect_with(options).await?;
    let outcome = measure(&store, a, steps).await;
    if let Some(schema) = schema {
        use sqlx::Executor;
        let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        if let Err(e) = store.pool().execute(sql.as_str()).await {
            tracing::warn!(%schema, error = %e, "could not drop the benchmark schema");
        }
    }
    store.close().await;
    drop(tmp);
    outcome
}

async fn measure(store: &Store, a: &Args, steps: &[usize]) -> CliResult<Vec<Step>> {
    store.migrate().await?;
    seed(store).await?;
    let state = fanzha_web::AppState::new(store.clone())
        .await
        .code(ErrorCode::Internal)?;
    let service = state.loop_service.clone();
    // Two sets per step: one over HTTP, one for the direct reference; then two small sets to
    // warm both paths (pool connections, statement caches) before anything is measured.
    let warm = warmup_size(a.instructions);
    let measured = steps.len() * 2 * a.instructions;
    let ids = issue(&service, measured + 2 * warm).await?;

    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .code(ErrorCode::Io)?;
    let addr = listener.local_addr().code(ErrorCode::Io)?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(fanzha_web::serve(listener, state, async {
        let _ = stop_rx.await;
    }));
    let result = async {
        let session = login(addr).await?;
        let actor = Actor {
            login: LOGIN.into(),
            unit_code: COUNTY.into(),
            scope: store.units().scope(COUNTY).await?,
        };
        let widest = steps.iter().copied().max().unwrap_or(1);
        run_direct(&service, &actor, &ids[measured..measured + warm], widest).await?;
        run_http(addr, &session, &ids[measured + warm..], widest).await?;
        let mut out = Vec::new();
        for (i, &c) in steps.iter().enumerate() {
            let n = a.instructions;
            let direct_ids = &ids[2 * i * n..(2 * i + 1) * n];
            let http_ids = &ids[(2 * i + 1) * n..(2 * i + 2) * n];
            let direct = run_direct(&service, &actor, direct_ids, c).await?;
            let http = run_http(addr, &session, http_ids, c).await?;
            out.push(Step {
                concurrency: c,
                http,
                direct,
            });
        }
        Ok::<_, CliError>(out)
    }
    .await;
    let _ = stop_tx.send(());
    let _ = server.await;
    result
}

/// Instructions signed and fed back on each path before the measured steps.
fn warmup_size(instructions: usize) -> usize {
    instructions.clamp(1, 200)
}

/// Province → city → county → township → ten villages; the commander works at the county,
/// where red instructions are issued.
async fn seed(store: &Store) -> CliResult {
    let unit = |code: &str, name: &str, level, parent: Option<&str>| NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(str::to_string),
        division_code: Some(code.into()),
        population: None,
    };
    let mut units = vec![
        unit("33", "浙江省", UnitLevel::Province, None),
        unit("3302", "宁波市", UnitLevel::City, Some("33")),
        unit(COUNTY, "余姚市", UnitLevel::County, Some("3302")),
        unit("330281001", "凤山街道", UnitLevel::Township, Some(COUNTY)),
    ];
    for v in 1..=10 {
        units.push(unit(
            &format!("330281001{v:03}"),
            &format!("第{v}社区"),
            UnitLevel::Village,
            Some("330281001"),
        ));
    }
    store.units().upsert(&units).await?;
    store
        .users()
        .upsert(&NewUser {
            login: LOGIN.into(),
            display_name: "压测指挥员".into(),
            unit_code: COUNTY.into(),
            roles: vec![Role::UnitCommander],
            joint_member: None,
            bank_code: None,
            operator: None,
            password_hash: Some(
                fanzha_web::auth::password::hash_password(PASSWORD).code(ErrorCode::Internal)?,
            ),
        })
        .await?;
    Ok(())
}

/// Issues `count` red instructions (one warning each, distinct people) through the loop.
async fn issue(service: &Arc<LoopService>, count: usize) -> CliResult<Vec<String>> {
    let now = now_ms();
    // Instruction ids carry the second and a per-process counter; spreading the issue times
    // over seconds keeps them unique however many are issued.
    let base = now - 60_000 - (count as i64 / 2_000 + 1) * 1_000;
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let service = service.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut made = Vec::new();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= count {
                    break;
                }
                let at = base + (k as i64 / 2_000) * 1_000;
                let w = IncomingWarning {
                    id: Some(format!("YJBENCH{k:08}")),
                    resident_id: None,
                    msisdn: None,
                    residence_code: Some(format!("330281001{:03}", k % 10 + 1)),
                    level: WarningLevel::Red,
                    fraud_type: None,
                    score_permille: 900,
                    source: "manual".into(),
                    signal_at: at,
                    evidence: json!({}),
                };
                let r = service.receive(w, at).await?;
                made.push((k, r.instruction_id));
            }
            Ok::<_, fanzha_workflow::LoopError>(made)
        }));
    }
    let mut all = Vec::with_capacity(count);
    for t in tasks {
        all.extend(t.await.code(ErrorCode::Internal)??);
    }
    all.sort_unstable();
    Ok(all.into_iter().map(|(_, id)| id).collect())
}

fn sign() -> Command {
    Command::Sign
}

fn feedback() -> Command {
    Command::RecordOutcome {
        outcome: Outcome::Dissuaded {
            channel: ContactChannel::Phone,
        },
        saved_fen: 0,
    }
}

/// The reference: the same commands through the service, without HTTP.
async fn run_direct(
    service: &Arc<LoopService>,
    actor: &Actor,
    ids: &[String],
    concurrency: usize,
) -> CliResult<Run> {
    let ids: Arc<Vec<String>> = Arc::new(ids.to_vec());
    let started = Instant::now();
    let mut micros = Vec::with_capacity(ids.len() * 2);
    for command in [sign(), feedback()] {
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (service, actor, ids, next, command) = (
                service.clone(),
                actor.clone(),
                ids.clone(),
                next.clone(),
                command.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let commands = [command];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(id) = ids.get(i) else { break };
                    let t = Instant::now();
                    service
                        .act(&actor, id, None, &commands, None, now_ms())
                        .await?;
                    lat.push(elapsed_us(t));
                }
                Ok::<_, fanzha_workflow::LoopError>(lat)
            }));
        }
        for t in tasks {
            micros.extend(t.await.code(ErrorCode::Internal)??);
        }
    }
    Ok(Run::new(
        ids.len() * 2,
        started.elapsed().as_secs_f64(),
        micros,
    ))
}

/// The logged-in commander's session cookie and CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

async fn connect(addr: SocketAddr) -> CliResult<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .code(ErrorCode::Io)?;
    stream.set_nodelay(true).code(ErrorCode::Io)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .code(ErrorCode::Io)?;
    tokio::spawn(conn);
    Ok(sender)
}

fn request(
    method: hyper::Method,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> CliResult<hyper::Request<Full<Bytes>>> {
    let mut b = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, addr.to_string());
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(body)).code(ErrorCode::Internal)
}

async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    req: hyper::Request<Full<Bytes>>,
) -> CliResult<(hyper::StatusCode, hyper::HeaderMap, Bytes)> {
    sender.ready().await.code(ErrorCode::Io)?;
    let resp = sender.send_request(req).await.code(ErrorCode::Io)?;
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.code(ErrorCode::Io)?.to_bytes();
    Ok((parts.status, parts.headers, body))
}

/// Logs in through the form, then reads the CSRF token from `/api/v1/me`.
async fn login(addr: SocketAddr) -> CliResult<Session> {
    let mut sender = connect(addr).await?;
    let form = format!("login={LOGIN}&password={PASSWORD}&next=%2F");
    let req = request(
        hyper::Method::POST,
        addr,
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        Bytes::from(form),
    )?;
    let (status, headers, _) = send(&mut sender, req).await?;
    let cookie = headers
        .get_all(hyper::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|c| c.starts_with("fanzha_session="))
        .map(str::to_string)
        .ok_or_else(|| {
            CliError::new(
                ErrorCode::Internal,
                format!("login answered {status} without a session cookie"),
            )
        })?;
    let req = request(
        hyper::Method::GET,
        addr,
        "/api/v1/me",
        &[("cookie", &cookie)],
        Bytes::new(),
    )?;
    let (status, _, body) = send(&mut sender, req).await?;
    let me: Value = serde_json::from_slice(&body).code(ErrorCode::Internal)?;
    let csrf = me["csrf_token"]
        .as_str()
        .ok_or_else(|| {
            CliError::new(
                ErrorCode::Internal,
                format!("/api/v1/me answered {status} without csrf_token"),
            )
        })?
        .to_string();
    Ok(Session { cookie, csrf })
}

/// Sign, then record the outcome of, every instruction over HTTP; one keep-alive connection
/// per concurrent client, each request timed from send to the last byte of the answer.
async fn run_http(
    addr: SocketAddr,
    session: &Session,
    ids: &[String],
    concurrency: usize,
) -> CliResult<Run> {
    let mut senders = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        senders.push(connect(addr).await?);
    }
    let ids: Arc<Vec<String>> = Arc::new(ids.to_vec());
    let cookie: Arc<str> = session.cookie.as_str().into();
    let csrf: Arc<str> = session.csrf.as_str().into();
    let bodies = [
        Bytes::from(serde_json::to_vec(&json!({"commands": [sign()]})).unwrap_or_default()),
        Bytes::from(serde_json::to_vec(&json!({"commands": [feedback()]})).unwrap_or_default()),
    ];
    let started = Instant::now();
    let mut micros = Vec::with_capacity(ids.len() * 2);
    for body in bodies {
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for mut sender in senders.drain(..) {
            let (ids, next, body, cookie, csrf) = (
                ids.clone(),
                next.clone(),
                body.clone(),
                cookie.clone(),
                csrf.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(id) = ids.get(i) else { break };
                    let req = request(
                        hyper::Method::POST,
                        addr,
                        &format!("/api/v1/instructions/{id}/commands"),
                        &[
                            ("content-type", "application/json"),
                            ("cookie", &cookie),
                            ("x-csrf-token", &csrf),
                        ],
                        body.clone(),
                    )?;
                    let t = Instant::now();
                    let (status, _, answer) = send(&mut sender, req).await?;
                    lat.push(elapsed_us(t));
                    if status != hyper::StatusCode::OK {
                        return Err(CliError::new(
                            ErrorCode::Internal,
                            format!(
                                "instruction {id}: HTTP {status}: {}",
                                String::from_utf8_lossy(&answer)
                            ),
                        ));
                    }
                }
                Ok::<_, CliError>((sender, lat))
            }));
        }
        for t in tasks {
            let (sender, lat) = t.await.code(ErrorCode::Internal)??;
            senders.push(sender);
            micros.extend(lat);
        }
    }
    Ok(Run::new(
        ids.len() * 2,
        started.elapsed().as_secs_f64(),
        micros,
    ))
}

fn elapsed_us(t: Instant) -> u32 {
    t.elapsed().as_micros().min(u32::MAX as u128) as u32
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
