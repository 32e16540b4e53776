//! SMS over SMPP against a test SMSC on 127.0.0.1: delivery receipts, undeliverable numbers,
//! an SMSC that is down, Chinese text in UCS-2, 金钟罩 guardian alerts from warnings, and the
//! joint office's task notices to member departments, on SQLite and PostgreSQL.
//!
//! The SMSC is the product's simulated one (`notify::simulated_smsc`, what the demo runs): it
//! accepts `bind_transceiver`, answers `submit_sm` with a message id and then sends a
//! `deliver_sm` delivery receipt, `stat:DELIVRD` or, for the numbers it is told are
//! undeliverable, `stat:UNDELIV err:001`.
//!
//! PostgreSQL runs when `FANZHA_TEST_DATABASE_URL` is set (each test in a fresh schema, dropped
//! at the end); without it those tests print why they skip, or fail under
//! `FANZHA_REQUIRE_SERVICES=1`.

use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{
    JointMemberKind, NewGuardian, NewJointMember, NewPerson, NewSms, NewTask, NewUnit, SmsMessage,
    SmsPurpose, SmsState, Store, UnitLevel,
};
use fanzha_workflow::notify::simulated_smsc::{SimulatedSmsc, SmscBehaviour};
use fanzha_workflow::notify::{SmppConfig, SmsConfig, SmsDispatcher, SmsRoundReport};
use fanzha_workflow::*;
use std::sync::Arc;
use std::time::Duration;

const T0: i64 = 1_800_000_000_000;
const SYSTEM_ID: &str = "fanzha";
const PASSWORD: &str = "pw96110";
const CENTER: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_COUNTY_VILLAGE: &str = "330282001001";
const UNDELIVERABLE: &str = "13900000000";
/// The test SMSC sends the receipt for this number before its `submit_sm_resp`.
const RECEIPT_FIRST: &str = "13700000000";

// ---------------------------------------------------------------------------------------------
// The SMSC: the product's simulated one, with the test's credentials, one undeliverable number
// and one whose receipt overtakes its response.

async fn start_smsc() -> SimulatedSmsc {
    let mut behaviour = SmscBehaviour::new(SYSTEM_ID, PASSWORD);
    behaviour.undeliverable.insert(UNDELIVERABLE.to_string());
    behaviour.receipt_first.insert(RECEIPT_FIRST.to_string());
    SimulatedSmsc::start(([127, 0, 0, 1], 0).into(), behaviour)
        .await
        .unwrap()
}

fanzha_store::on_both_backends! {
    a_delivered_message_records_the_smsc_id,
    an_undeliverable_number_fails_with_the_receipts_reason,
    a_receipt_before_the_submit_response_still_settles_the_message,
    smsc_down_retries_with_backoff_then_dead,
    a_refused_bind_is_a_failed_attempt,
    chinese_text_goes_out_as_ucs2_short_and_long,
    a_red_warning_texts_the_person_and_registered_guardians,
    guardians_are_scoped_through_the_persons_unit,
    without_an_smsc_nothing_is_queued_or_sent,
    a_joint_office_member_is_texted_when_a_task_is_assigned_or_returned,
    an_open_task_past_its_deadline_is_reminded_once,
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

fn unit(code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(format!("{code:0<12}")),
        population: None,
    }
}

async fn with_tree(store: &Store) {
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit(CENTER, "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some(CENTER)),
            unit("330281001", "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some("330281001")),
            unit(OTHER_COUNTY, "慈溪市", County, Some(CENTER)),
            unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
            unit(OTHER_COUNTY_VILLAGE, "虞波社区", Village, Some("330282001")),
        ])
        .await
        .expect("tree");
}

fn resident_id(n: u32) -> String {
    format!("33028119900101{n:04}")
}

async fn with_person(store: &Store, n: u32, village: &str, registered: bool) -> String {
    store
        .people()
        .upsert(&[NewPerson {
            resident_id: resident_id(n),
            name: format!("王小{n}"),
            phone: Some(format!("138{n:08}")),
            residence_code: village.into(),
            address: None,
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: registered,
        }])
        .await
        .expect("person");
    resident_id(n)
}

fn smpp(port: u16) -> SmppConfig {
    let mut c = SmppConfig::new("127.0.0.1", port, SYSTEM_ID, PASSWORD, "96110");
    c.response_timeout = Duration::from_secs(2);
    c
}

fn config(port: u16, delays_s: &[u64]) -> SmsConfig {
    SmsConfig {
        smpp: Some(smpp(port)),
        retry_delays: delays_s.iter().map(|s| Duration::from_secs(*s)).collect(),
        poll_interval: Duration::from_millis(20),
        batch: 8,
        ..SmsConfig::default()
    }
}

fn sms(to: &str, text: &str) -> NewSms {
    NewSms {
        to_number: to.into(),
        text: text.into(),
        purpose: SmsPurpose::WarningToPerson,
        instruction_id: None,
        warning_id: None,
        joint_task_id: None,
    }
}

/// A port nothing listens on.
async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

/// Waits until message `id` leaves `submitted` (its receipt was applied), at most 10 s.
async fn settled(store: &Store, id: i64) -> SmsMessage {
    for _ in 0..500 {
        let m = store.sms().get(id).await.unwrap();
        if !matches!(m.state, SmsState::Queued | SmsState::Submitted) {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "message {id} never settled: {:?}",
        store.sms().get(id).await.unwrap()
    );
}

/// Waits until `read` gives at least `n` messages, all settled, at most 10 s.
async fn settled_all(
    what: &str,
    n: usize,
    read: impl AsyncFn() -> Vec<SmsMessage>,
) -> Vec<SmsMessage> {
    for _ in 0..500 {
        let ms = read().await;
        if ms.len() >= n
            && ms
                .iter()
                .all(|m| !matches!(m.state, SmsState::Queued | SmsState::Submitted))
        {
            return ms;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("messages for {what} never settled: {:?}", read().await);
}

/// Waits until `n` messages about `warning_id` are settled, at most 10 s.
async fn settled_for_warning(store: &Store, warning_id: &str, n: usize) -> Vec<SmsMessage> {
    settled_all(warning_id, n, async || {
        store.sms().for_warning(warning_id).await.unwrap()
    })
    .await
}

/// Waits until `n` messages about joint-office task `task` are settled, at most 10 s.
async fn settled_for_task(store: &Store, task: i64, n: usize) -> Vec<SmsMessage> {
    settled_all(&format!("task {task}"), n, async || {
        store.sms().for_joint_task(task).await.unwrap()
    })
    .await
}

/// A member department of the county's joint office whose contact's phone is `phone`.
async fn member_department(store: &Store, name: &str, phone: &str) -> i64 {
    let county = store.units().scope(COUNTY).await.unwrap();
    let member = NewJointMember {
        unit_code: COUNTY.into(),
        name: name.into(),
        kind: JointMemberKind::Government,
        contact_name: "李科长".into(),
        contact_phone: phone.into(),
        staff: 80,
        note: String::new(),
        by: "office".into(),
    };
    store
        .joint_office()
        .add_member(&county, &member, T0)
        .await
        .unwrap()
}

/// A task of the county's joint office assigned to `member_id` at T0, due at `due_at`.
async fn assign_task(store: &Store, member_id: i64, title: &str, due_at: i64) -> i64 {
    let county = store.units().scope(COUNTY).await.unwrap();
    let task = NewTask {
        member_id,
        meeting_id: None,
        title: title.into(),
        detail: String::new(),
        due_at,
        by: "office".into(),
    };
    store
        .joint_tasks()
        .assign(&county, &task, T0)
        .await
        .unwrap()
}

fn warning(person: u32, level: WarningLevel, fraud_type: &str) -> IncomingWarning {
    IncomingWarning {
        id: None,
        resident_id: Some(resident_id(person)),
        msisdn: None,
        residence_code: None,
        level,
        fraud_type: Some(fraud_type.into()),
        score_permille: 900,
        source: "engine".into(),
        signal_at: T0,
        evidence: serde_json::json!({"rule": "test"}),
    }
}

// ---------------------------------------------------------------------------------------------
// Cases.

async fn a_delivered_message_records_the_smsc_id(db: &Db) {
    let store = db.open().await;
    let smsc = start_smsc().await;
    let dispatcher = SmsDispatcher::new(store.clone(), config(smsc.addr().port(), &[10]));
    let id = store
        .sms()
        .enqueue(&sms("13800000001", "反诈提醒：请勿转账。"), T0)
        .await
        .unwrap();
    let report = dispatcher.submit_due(T0).await.unwrap();
    assert_eq!(
        report,
        SmsRoundReport {
            submitted: 1,
            ..SmsRoundReport::default()
        }
    );
    let m = settled(&store, id).await;
    let seen = smsc.submitted();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].to, "13800000001");
    assert_eq!(seen[0].registered_delivery & 0b11, 1, "receipt requested");
    assert_eq!(m.state, SmsState::Delivered, "{m:?}");
    assert_eq!(
        m.smsc_message_id.as_deref(),
        Some(seen[0].message_id.as_str())
    );
    assert_eq!(m.attempts, 1);
    assert_eq!(m.submitted_at, Some(T0));
    assert!(m.delivered_at.is_some() && m.last_error.is_none(), "{m:?}");
    // The session stays bound: a second message needs no second bind.
    let id2 = store
        .sms()
        .enqueue(&sms("13800000002", "第二条"), T0)
        .await
        .unwrap();
    assert_eq!(dispatcher.submit_due(T0).await.unwrap().submitted, 1);
    assert_eq!(settled(&store, id2).await.state, SmsState::Delivered);
    assert_eq!(smsc.binds(), 1);
    // Every receipt was acknowledged with deliver_sm_resp.
    for _ in 0..100 {
        if smsc.receipts_acked() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(smsc.receipts_acked(), 2);
    dispatcher.disconnect().await;
}

async fn an_undeliverable_number_fails_with_the_receipts_reason(db: &Db) {
    let store = db.open().await;
    let smsc = start_smsc().await;
    let dispatcher = SmsDispatcher::new(store.clone(), config(smsc.addr().port(), &[10]));
    let bad = store
        .sms()
        .enqueue(&sms(UNDELIVERABLE, "反诈提醒"), T0)
        .await
        .unwrap();
    let good = store
        .sms()
        .enqueue(&sms("13800000003", "反诈提醒"), T0)
        .await
        .unwrap();
    assert_eq!(dispatcher.submit_due(T0).await.unwrap().submitted, 2);
    let failed = settled(&store, bad).await;
    assert_eq!(failed.state, SmsState::Failed, "{failed:?}");
    assert_eq!(failed.last_error.as_deref(), Some("stat:UNDELIV err:001"));
    assert!(failed.smsc_message_id.is_some() && failed.delivered_at.is_none());
    assert_eq!(settled(&store, good).await.state, SmsState::Delivered);
    // A failed message is settled: it is not submitted again.
    assert_eq!(
        dispatcher.submit_due(T0 + 3_600_000).await.unwrap(),
        SmsRoundReport::default()
    );
    assert_eq!(smsc.submitted().len(), 2);
    dispatcher.disconnect().await;
}

async fn a_receipt_before_the_submit_response_still_settles_the_message(db: &Db) {
    let store = db.open().await;
    let smsc = start_smsc().await;
    let dispatcher = SmsDispatcher::new(store.clone(), config(smsc.addr().port(), &[10]));
    let id = store
        .sms()
        .enqueue(&sms(RECEIPT_FIRST, "反诈提醒"), T0)
        .await
        .unwrap();
    assert_eq!(dispatcher.submit_due(T0).await.unwrap().submitted, 1);
    let m = settled(&store, id).await;
    assert_eq!(m.state, SmsState::Delivered, "{m:?}");
    assert_eq!(
        m.smsc_message_id.as_deref(),
        Some(smsc.submitted()[0].message_id.as_str())
    );
    dispatcher.disconnect().await;
}

async fn smsc_down_retries_with_backoff_then_dead(db: &Db) {
    let store = db.open().await;
    let port = closed_port().await;
    let dispatcher = SmsDispatcher::new(store.clone(), config(port, &[10, 30]));
    let id = store
        .sms()
        .enqueue(&sms("13800000004", "反诈提醒"), T0)
        .await
        .unwrap();
    let retrying = SmsRoundReport {
        retrying: 1,
        ..SmsRoundReport::default()
    };
    assert_eq!(dispatcher.submit_due(T0).await.unwrap(), retrying);
    let m = store.sms().get(id).await.unwrap();
    assert_eq!((m.state, m.attempts), (SmsState::Queued, 1));
    assert_eq!(m.next_attempt_at, T0 + 10_000);
    assert!(
        m.last_error
            .as_deref()
            .unwrap_or("")
            .contains("unreachable"),
        "{m:?}"
    );
    // Not due before its backoff has passed.
    assert_eq!(
        dispatcher.submit_due(T0 + 9_999).await.unwrap(),
        SmsRoundReport::default()
    );
    assert_eq!(dispatcher.submit_due(T0 + 10_000).await.unwrap(), retrying);
    assert_eq!(
        store.sms().get(id).await.unwrap().next_attempt_at,
        T0 + 40_000
    );
    let dead = dispatcher.submit_due(T0 + 40_000).await.unwrap();
    assert_eq!(dead.dead, 1, "{dead:?}");
    let m = store.sms().get(id).await.unwrap();
    assert_eq!((m.state, m.attempts), (SmsState::Dead, 3));
    assert_eq!(store.sms().dead_letters(10).await.unwrap(), vec![m]);
    // Dead is final until an operator requeues it.
    assert_eq!(
        dispatcher.submit_due(T0 + 3_600_000).await.unwrap(),
        SmsRoundReport::default()
    );
    store.sms().requeue(id, T0 + 100_000).await.unwrap();
    let requeued = store.sms().get(id).await.unwrap();
    assert_eq!((requeued.state, requeued.attempts), (SmsState::Queued, 0));
}

async fn a_refused_bind_is_a_failed_attempt(db: &Db) {
    let store = db.open().await;
    let smsc = start_smsc().await;
    let mut c = config(smsc.addr().port(), &[10]);
    c.smpp.as_mut().unwrap().password = "wrong".into();
    let dispatcher = SmsDispatcher::new(store.clone(), c);
    let id = store
        .sms()
        .enqueue(&sms("13800000005", "反诈提醒"), T0)
        .await
        .unwrap();
    assert_eq!(dispatcher.submit_due(T0).await.unwrap().retrying, 1);
    let m = store.sms().get(id).await.unwrap();
    assert!(
        m.last_error.as_deref().unwrap_or("").contains("bind"),
        "{m:?}"
    );
    assert!(smsc.submitted().is_empty());
}

async fn chinese_text_goes_out_as_ucs2_short_and_long(db: &Db) {
    let store = db.open().await;
    let smsc = start_smsc().await;
    let dispatcher = SmsDispatcher::new(store.clone(), config(smsc.addr().port(), &[10]));
    let short = "【反诈提醒】您可能正在遭遇诈骗，请勿转账！";
    let long = notify::guardian_alert_text("王小明", "女儿", Some("fake_investment"), "舜水社区");
    assert!(long.chars().count() > 70, "{}", long.chars().count());
    let a = store
        .sms()
        .enqueue(&sms("13800000006", short), T0)
        .await
        .unwrap();
    let b = store
        .sms()
        .enqueue(&sms("+8613800000007", &long), T0)
        .await
        .unwrap();
    assert_eq!(dispatcher.submit_due(T0).await.unwrap().submitted, 2);
    assert_eq!(settled(&store, a).await.state, SmsState::Delivered);
    assert_eq!(settled(&store, b).await.state, SmsState::Delivered);
    let seen = smsc.submitted();
    let first = seen.iter().find(|s| s.to == "13800000006").unwrap();
    assert_eq!((first.data_coding, first.via_payload), (8, false));
    assert_eq!(first.text, short);
    let second = seen.iter().find(|s| s.to == "8613800000007").unwrap();
    assert_eq!((second.data_coding, second.via_payload), (8, true));
    assert_eq!(second.text, long);
    dispatcher.disconnect().await;
}

async fn service(store: &Store) -> Arc<LoopService> {
    Arc::new(
        LoopService::new(
            store.clone(),
            SlaPolicy::default(),
            RoutingPolicy::new(CENTER),
        )
        .await
        .expect("service"),
    )
}

async fn guardian(store: &Store, resident: &str, name: &str, phone: &str, rel: &str) {
    let scope = store.units().scope(VILLAGE).await.unwrap();
    store
        .guardians()
        .add(
            &scope,
            &NewGuardian {
                resident_id: resident.into(),
                name: name.into(),
                phone: phone.into(),
                relationship: rel.into(),
                created_at: T0,
            },
        )
        .await
        .expect("guardian");
}

async fn a_red_warning_texts_the_person_and_registered_guardians(db: &Db) {
    let store = db.open().await;
    with_tree(&store).await;
    let registered = with_person(&store, 1, VILLAGE, true).await;
    let unregistered = with_person(&store, 2, VILLAGE, false).await;
    let registered_yellow = with_person(&store, 3, VILLAGE, true).await;
    guardian(&store, &registered, "王大", "13911110001", "父亲").await;
    guardian(&store, &registered, "李芳", "13911110002", "配偶").await;
    guardian(&store, &unregistered, "赵六", "13911110003", "儿子").await;
    guardian(&store, &registered_yellow, "孙七", "13911110004", "女儿").await;
    let smsc = start_smsc().await;
    let service = service(&store).await;
    let handle = SmsDispatcher::spawn(service.clone(), config(smsc.addr().port(), &[1]));
    assert!(handle.enabled());

    // Red, registered: two guardian alerts and the person's own 反诈提醒.
    let red = service
        .receive(warning(1, WarningLevel::Red, "fake_investment"), T0)
        .await
        .unwrap();
    let sent = settled_for_warning(&store, &red.warning_id, 3).await;
    assert_eq!(sent.len(), 3, "{sent:?}");
    let alerts: Vec<&SmsMessage> = sent
        .iter()
        .filter(|m| m.purpose == SmsPurpose::GuardianAlert)
        .collect();
    let mut to: Vec<&str> = alerts.iter().map(|m| m.to_number.as_str()).collect();
    to.sort();
    assert_eq!(to, ["13911110001", "13911110002"]);
    for m in &alerts {
        assert_eq!(m.state, SmsState::Delivered, "{m:?}");
        assert_eq!(
            m.instruction_id.as_deref(),
            Some(red.instruction_id.as_str())
        );
        assert!(
            m.text.contains("王**") && !m.text.contains("王小1"),
            "{}",
            m.text
        );
        assert!(m.text.contains("舜水社区"), "{}", m.text);
        assert!(m.text.contains("虚假投资理财"), "{}", m.text);
        assert!(m.text.contains("96110"), "{}", m.text);
    }
    assert!(alerts.iter().any(|m| m.text.contains("父亲")));
    let own: Vec<&SmsMessage> = sent
        .iter()
        .filter(|m| m.purpose == SmsPurpose::WarningToPerson)
        .collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].to_number, "13800000001");
    assert_eq!(own[0].state, SmsState::Delivered);
    assert!(own[0].text.contains("反诈提醒") && own[0].text.contains("96110"));
    // What the SMSC received is the same text, exactly.
    let at_smsc = smsc.submitted();
    for m in &sent {
        let s = at_smsc.iter().find(|s| s.to == m.to_number).unwrap();
        assert_eq!(s.text, m.text);
        assert_eq!(m.smsc_message_id.as_deref(), Some(s.message_id.as_str()));
    }

    // Red, not registered: only the person; the guardian on file is not told.
    let unreg = service
        .receive(warning(2, WarningLevel::Red, "impersonating_police"), T0)
        .await
        .unwrap();
    let sent = settled_for_warning(&store, &unreg.warning_id, 1).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].purpose, SmsPurpose::WarningToPerson);
    assert_eq!(sent[0].to_number, "13800000002");

    // Yellow, registered: the guardian only; no 反诈提醒 to the person.
    let yellow = service
        .receive(warning(3, WarningLevel::Yellow, "order_brushing"), T0)
        .await
        .unwrap();
    let sent = settled_for_warning(&store, &yellow.warning_id, 1).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].purpose, SmsPurpose::GuardianAlert);
    assert_eq!(sent[0].to_number, "13911110004");

    // A second warning merged into the open instruction texts nobody again.
    let merged = service
        .receive(warning(1, WarningLevel::Red, "fake_investment"), T0 + 1_000)
        .await
        .unwrap();
    assert!(merged.merged);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(store
        .sms()
        .for_warning(&merged.warning_id)
        .await
        .unwrap()
        .is_empty());
    assert!(!smsc.submitted().iter().any(|s| s.to == "13911110003"));
    handle.shutdown().await;
}

async fn guardians_are_scoped_through_the_persons_unit(db: &Db) {
    let store = db.open().await;
    with_tree(&store).await;
    let here = with_person(&store, 1, VILLAGE, true).await;
    let there = with_person(&store, 2, OTHER_COUNTY_VILLAGE, true).await;
    let county = store.units().scope(COUNTY).await.unwrap();
    let other = store.units().scope(OTHER_COUNTY).await.unwrap();
    let g = |resident: &str, phone: &str| NewGuardian {
        resident_id: resident.into(),
        name: "王大".into(),
        phone: phone.into(),
        relationship: "父亲".into(),
        created_at: T0,
    };
    let added = store
        .guardians()
        .add(&county, &g(&here, "13911110001"))
        .await
        .unwrap();
    // A person outside the scope is not found, and so cannot be given a guardian.
    let outside = store
        .guardians()
        .add(&county, &g(&there, "13911110002"))
        .await
        .unwrap_err();
    assert_eq!(outside.code(), ErrorCode::NotFound, "{outside}");
    let invalid = store
        .guardians()
        .add(&county, &g(&here, "not-a-number"))
        .await
        .unwrap_err();
    assert_eq!(invalid.code(), ErrorCode::RecordInvalid, "{invalid}");
    assert_eq!(
        store
            .guardians()
            .for_resident(&county, &here)
            .await
            .unwrap(),
        vec![added.clone()]
    );
    assert!(store
        .guardians()
        .for_resident(&other, &here)
        .await
        .unwrap()
        .is_empty());
    let nf = store
        .guardians()
        .remove(&other, added.id)
        .await
        .unwrap_err();
    assert_eq!(nf.code(), ErrorCode::NotFound, "{nf}");
    store.guardians().remove(&county, added.id).await.unwrap();
    assert!(store
        .guardians()
        .for_resident(&county, &here)
        .await
        .unwrap()
        .is_empty());
}

async fn without_an_smsc_nothing_is_queued_or_sent(db: &Db) {
    let store = db.open().await;
    with_tree(&store).await;
    let person = with_person(&store, 1, VILLAGE, true).await;
    guardian(&store, &person, "王大", "13911110001", "父亲").await;
    let service = service(&store).await;
    let handle = SmsDispatcher::spawn(service.clone(), SmsConfig::default());
    assert!(!handle.enabled());
    let red = service
        .receive(warning(1, WarningLevel::Red, "fake_investment"), T0)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(store
        .sms()
        .for_warning(&red.warning_id)
        .await
        .unwrap()
        .is_empty());
    handle.shutdown().await;
}

async fn a_joint_office_member_is_texted_when_a_task_is_assigned_or_returned(db: &Db) {
    let store = db.open().await;
    with_tree(&store).await;
    let county = store.units().scope(COUNTY).await.unwrap();
    let edu = member_department(&store, "余姚市教育局", "13922220001").await;
    // A fixed-line contact: kept on the member's page, but no SMS can reach it.
    let fixed = member_department(&store, "余姚市文广局", "0574-62710000").await;
    let due = T0 + 10 * 86_400_000;
    let tasks = store.joint_tasks();
    let t = assign_task(&store, edu, "组织全县中小学家长安装国家反诈中心APP", due).await;
    let smsc = start_smsc().await;
    let service = service(&store).await;
    let handle = SmsDispatcher::spawn(service.clone(), config(smsc.addr().port(), &[1]));
    let announce = |task_id, step| {
        service.announce(Notice::JointTask {
            task_id,
            unit_code: COUNTY.into(),
            step,
        })
    };

    announce(t, JointTaskStep::Assigned);
    let sent = settled_for_task(&store, t, 1).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let m = &sent[0];
    assert_eq!(m.purpose, SmsPurpose::JointTask);
    assert_eq!(m.joint_task_id, Some(t));
    assert_eq!(m.to_number, "13922220001");
    assert_eq!(m.state, SmsState::Delivered, "{m:?}");
    assert!(m.text.contains("余姚市反诈联席办"), "{}", m.text);
    assert!(
        m.text.contains("“组织全县中小学家长安装国家反诈中心APP”"),
        "{}",
        m.text
    );
    assert!(m.text.contains("前报送落实情况"), "{}", m.text);
    let at_smsc = smsc.submitted();
    assert_eq!(at_smsc.iter().filter(|s| s.to == "13922220001").count(), 1);
    assert_eq!(at_smsc[0].text, m.text, "the SMSC got the text exactly");

    // Reported, then returned with what is missing: a second text says so.
    let reported = tasks
        .report(
            &county,
            t,
            ("已转发通知", "教育局 王"),
            (1, "office", T0 + 1),
        )
        .await
        .unwrap();
    tasks
        .send_back(
            &county,
            t,
            ("缺少各校安装率统计表", reported.due_at + 86_400_000),
            (reported.version, "office", T0 + 2),
        )
        .await
        .unwrap();
    announce(t, JointTaskStep::Returned);
    let sent = settled_for_task(&store, t, 2).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[1]
            .text
            .contains("被余姚市反诈联席办退回：缺少各校安装率统计表"),
        "{}",
        sent[1].text
    );
    assert!(sent[1].text.contains("前重新报送"), "{}", sent[1].text);

    // Pressed on the task (督办): the office's words go out too.
    let open = tasks.get(&county, t).await.unwrap();
    tasks
        .press(
            &county,
            t,
            "请于周五前报送各校统计表",
            (open.version, "office", T0 + 3),
        )
        .await
        .unwrap();
    announce(t, JointTaskStep::Pressed);
    let sent = settled_for_task(&store, t, 3).await;
    assert!(
        sent[2].text.contains("督办") && sent[2].text.contains("请于周五前报送各校统计表"),
        "{}",
        sent[2].text
    );

    // A member whose contact cannot take SMS is skipped, not retried.
    let f = assign_task(&store, fixed, "单位内部反诈宣传", due).await;
    announce(f, JointTaskStep::Assigned);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(store.sms().for_joint_task(f).await.unwrap().is_empty());
    handle.shutdown().await;

    // Turned off in the config: nothing is queued.
    let quiet = SmsDispatcher::new(
        store.clone(),
        SmsConfig {
            notify_joint_members: false,
            ..config(smsc.addr().port(), &[1])
        },
    );
    assert_eq!(
        quiet
            .queue_for_joint_task(t, JointTaskStep::Assigned, T0)
            .await
            .unwrap(),
        None
    );
}

async fn an_open_task_past_its_deadline_is_reminded_once(db: &Db) {
    let store = db.open().await;
    with_tree(&store).await;
    let edu = member_department(&store, "余姚市教育局", "13922220001").await;
    let t = assign_task(
        &store,
        edu,
        "组织全县中小学家长安装国家反诈中心APP",
        T0 + 86_400_000,
    )
    .await;
    let smsc = start_smsc().await;
    let service = service(&store).await;
    let mut notices = service.subscribe();
    let handle = SmsDispatcher::spawn(service.clone(), config(smsc.addr().port(), &[1]));

    // Before the deadline nothing; after it one reminder, however often the watch runs.
    assert_eq!(
        notify::remind_overdue(&service, T0 + 1_000).await.unwrap(),
        0
    );
    let late = T0 + 2 * 86_400_000;
    assert_eq!(notify::remind_overdue(&service, late).await.unwrap(), 1);
    assert_eq!(
        notify::remind_overdue(&service, late + 5_000)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        notices.recv().await.unwrap(),
        Notice::JointTask {
            task_id: t,
            unit_code: COUNTY.into(),
            step: JointTaskStep::Overdue,
        }
    );
    let sent = settled_for_task(&store, t, 1).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].to_number, "13922220001");
    assert_eq!(sent[0].state, SmsState::Delivered);
    assert!(
        sent[0].text.contains("督办") && sent[0].text.contains("已超过完成时限"),
        "{}",
        sent[0].text
    );
    handle.shutdown().await;
}
