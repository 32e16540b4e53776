//! `POST /api/v1/signals`: each NDJSON line decoded like a message of the signal stream, the
//! kinds a liaison's institution sends taken and the others refused by line with a reason, the
//! good ones published in order (to a real NATS JetStream stream in the last test), the push
//! audited; a server without a stream refuses with `bus_unavailable`.

use crate::support::{send_body, store_with_county, Answer};
use fanzha_core::event::Signal;
use fanzha_store::testing::TestDb as Db;
use fanzha_store::Role;
use fanzha_web::api::signals::{Publishing, SignalIntake};
use fanzha_web::AppState;
use std::sync::{Arc, Mutex};

/// An intake that keeps what it is given, numbering it like a stream from 1.
#[derive(Default)]
pub struct Collected(pub Mutex<Vec<Signal>>);

impl SignalIntake for Collected {
    fn publish(&self, signals: Vec<Signal>) -> Publishing<'_> {
        Box::pin(async move {
            let mut kept = self.0.lock().unwrap();
            let first = kept.len() as u64 + 1;
            kept.extend(signals);
            Ok((first, kept.len() as u64))
        })
    }
}

fanzha_store::on_both_backends! {
    liaisons_push_the_signals_of_their_institution_line_by_line,
}

const COUNTY: &str = "330281";

const CALL: &str = r#"{"type":"call","ts":1796090400000,"caller":8617012345678,"callee":8613800000001,"duration_s":300,"caller_cell":0}"#;
const SMS: &str = r#"{"type":"sms","ts":1796090460000,"sender":8617012345678,"recipient":8613800000001,"link_domain":"pay.example.cn"}"#;
const TRANSFER: &str = r#"{"type":"transfer","ts":1796090520000,"txn_id":7,"from":6222020123456789015,"to":6217000010012345678,"amount_fen":300000,"channel":"bank"}"#;

async fn push(state: &AppState, role: Role, body: &str) -> Answer {
    send_body(
        state,
        role,
        COUNTY,
        fanzha_core::time::now_ms(),
        ("POST", "/api/v1/signals"),
        ("application/x-ndjson", body.as_bytes().to_vec()),
    )
    .await
}

/// The refused lines of an answer: (line, reason).
fn refusals(a: &serde_json::Value) -> Vec<(u64, &str)> {
    a["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["reason"].as_str().unwrap()))
        .collect()
}

fn json(a: &Answer) -> serde_json::Value {
    assert!(a.status.is_success(), "{} {}", a.status, a.text());
    serde_json::from_slice(&a.body).unwrap()
}

pub async fn liaisons_push_the_signals_of_their_institution_line_by_line(db: &Db) {
    let store = store_with_county(db).await;
    let mut state = AppState::new(store.clone()).await.unwrap();

    // No stream on this server: refused, saying so.
    let refused = push(&state, Role::OperatorLiaison, CALL).await;
    assert_eq!(refused.status.as_u16(), 503, "{}", refused.text());
    assert!(
        refused.text().contains("bus_unavailable"),
        "{}",
        refused.text()
    );

    let collected = Arc::new(Collected::default());
    state.intake = Some(collected.clone());
    let body = format!(
        "{CALL}\n{TRANSFER}\n{{\"type\":\"call\"\n\n{{\"type\":\"fax\",\"ts\":1}}\r\n{SMS}\n"
    );
    let a = json(&push(&state, Role::OperatorLiaison, &body).await);
    assert_eq!(a["received"], 5, "{a}");
    assert_eq!(a["accepted"], 2);
    assert_eq!(
        (a["first_sequence"].as_u64(), a["last_sequence"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        refusals(&a),
        [
            (2, "signal_type_not_allowed"),
            (3, "bad_json"),
            (5, "unknown_signal_type")
        ]
    );
    // The rejections say why without repeating the line's numbers.
    assert!(!a["rejected"].to_string().contains("6222020123456789015"));
    let a = json(&push(&state, Role::OperatorLiaison, r#"{"type":"call","ts":1796090400000,"caller":"13800000001","callee":8613800000001,"duration_s":3,"caller_cell":0}"#).await);
    assert_eq!(a["rejected"][0]["reason"], "bad_field", "{a}");
    assert!(!a.to_string().contains("13800000001"), "{a}");
    {
        let kept = collected.0.lock().unwrap();
        assert_eq!(kept.len(), 2);
        assert!(matches!(kept[0], Signal::Call(c) if c.duration_s == 300));
        assert!(
            matches!(&kept[1], Signal::Sms(s) if s.link_domain.as_deref() == Some("pay.example.cn"))
        );
    }

    // A bank's system sends transfers touching its own accounts (ICBC here: 622202…), not calls
    // nor other banks' transfers; the center anything.
    let elsewhere = TRANSFER.replace("6222020123456789015", "6228480402564890018");
    let a = json(
        &push(
            &state,
            Role::BankLiaison,
            &format!("{CALL}\n{TRANSFER}\n{elsewhere}"),
        )
        .await,
    );
    assert_eq!(a["accepted"], 1, "{a}");
    assert_eq!(
        refusals(&a),
        [(1, "signal_type_not_allowed"), (3, "account_not_of_bank")]
    );
    assert_eq!(a["first_sequence"], 3);
    let a = json(&push(&state, Role::CenterAnalyst, &format!("{CALL}\n{TRANSFER}")).await);
    assert_eq!(a["accepted"], 2);
    assert_eq!(collected.0.lock().unwrap().len(), 5);

    // An operator's system (China Mobile here) sends what involves its network, by the numbers'
    // segments: not a call between two China Telecom numbers nor a China Unicom subscriber's app;
    // a China Mobile virtual operator's message, a call no segment places (overseas to a fixed
    // line) and its own new SIM card, yes.
    let network = [
        r#"{"type":"call","ts":1796090400000,"caller":8613312345678,"callee":8618912345678,"duration_s":60,"caller_cell":0}"#,
        r#"{"type":"sms","ts":1796090400000,"sender":8617051234567,"recipient":8618912345678,"link_domain":null}"#,
        r#"{"type":"call","ts":1796090400000,"caller":85291234567,"callee":8657462345678,"duration_s":60,"caller_cell":0}"#,
        r#"{"type":"app_install","ts":1796090400000,"msisdn":8618612345678,"category":"chat","app_name":"x"}"#,
        r#"{"type":"card_opening","ts":1796090400000,"person_id":1,"kind":"sim_card","number":8613800000001,"opened_in_division":330281}"#,
    ]
    .join("\n");
    let a = json(&push(&state, Role::OperatorLiaison, &network).await);
    assert_eq!(a["accepted"], 3, "{a}");
    assert_eq!(
        refusals(&a),
        [(1, "number_not_of_operator"), (4, "number_not_of_operator")]
    );
    assert!(!a["rejected"].to_string().contains("8618612345678"));
    assert_eq!(collected.0.lock().unwrap().len(), 8);

    // Nothing to publish: an answer without sequences.
    let a = json(&push(&state, Role::OperatorLiaison, "{\"type\":\"sms\"}").await);
    assert_eq!(a["accepted"], 0);
    assert!(a["first_sequence"].is_null());

    // Grid workers and leaders send nothing; too many lines are refused whole.
    let grid = push(&state, Role::GridWorker, CALL).await;
    assert_eq!(grid.status.as_u16(), 403);
    let many = vec![CALL; 10_001].join("\n");
    let big = push(&state, Role::CenterAnalyst, &many).await;
    assert_eq!(big.status.as_u16(), 400, "{}", big.text());
    assert_eq!(collected.0.lock().unwrap().len(), 8);

    // Every push taken (six; not the refused ones) is in the audit log with its counts.
    let pushes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'signals_pushed'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(pushes, 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn pushed_signals_reach_the_signal_stream_in_order() {
    let Some(bus_config) = fanzha_bus::testing::test_config() else {
        return;
    };
    let db = Db::sqlite();
    let store = store_with_county(&db).await;
    let bus = fanzha_bus::Bus::connect(&bus_config).await.unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.intake = Some(Arc::new(fanzha_web::api::signals::BusIntake(bus.clone())));
    let a = json(
        &push(
            &state,
            Role::CenterAnalyst,
            &format!("{CALL}\n{SMS}\n{TRANSFER}"),
        )
        .await,
    );
    assert_eq!(
        (a["first_sequence"].as_u64(), a["last_sequence"].as_u64()),
        (Some(1), Some(3))
    );
    let mut reader = bus.read_from(1).await.unwrap();
    let mut back = Vec::new();
    for _ in 0..3 {
        let m = reader
            .next(std::time::Duration::from_secs(5))
            .await
            .unwrap()
            .expect("a message");
        back.push(m.signal.unwrap());
    }
    let sent: Vec<Signal> = [CALL, SMS, TRANSFER]
        .iter()
        .map(|l| fanzha_bus::decode(l.as_bytes()).unwrap())
        .collect();
    assert_eq!(back, sent);
    bus.delete_stream().await.unwrap();
}
