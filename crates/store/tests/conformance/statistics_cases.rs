//! The statistics aggregates: closed-loop figures per line with channels, in-time counts and
//! medians; warnings per type; the month-by-month trend — each against counts of known rows,
//! and never counting another subtree.

use crate::fixtures::with_tree;
use fanzha_store::*;

const MIN: i64 = 60_000;
const T0: i64 = 1_772_000_000_000;

/// An instruction held at `holder`, issued at `issued`, with the state a replay writes: signed
/// `sign` minutes after issue (deadline 5), first contact `contact` minutes after (deadline
/// 15), closed `close` minutes after (deadline 60), and the outcome's JSON.
#[allow(clippy::too_many_arguments)]
async fn instruction(
    store: &Store,
    id: &str,
    holder: &str,
    issued: i64,
    sign: Option<i64>,
    contact: Option<i64>,
    close: Option<i64>,
    outcome: Option<&str>,
    overdue: bool,
) {
    let at = |m: Option<i64>| {
        m.map(|m| (issued + m * MIN).to_string())
            .unwrap_or_else(|| "null".into())
    };
    let loss_fen = if outcome.is_some_and(|o| o.contains("defrauded")) {
        250_000
    } else {
        0
    };
    let state = format!(
        r#"{{"status":"signed","holder_unit":"{holder}","issued_at":{issued},"first_signed_at":{},"first_contact_at":{},"closed_at":{},"deadlines":{{"sign_by":{},"contact_by":{},"close_by":{}}},"outcome":{},"saved_fen":100,"escalated":[]}}"#,
        at(sign),
        at(contact),
        at(close),
        issued + 5 * MIN,
        issued + 15 * MIN,
        issued + 60 * MIN,
        outcome.unwrap_or("null"),
    );
    store
        .instructions()
        .create(&NewInstruction {
            id: id.into(),
            resident_id: None,
            owner_unit: holder.into(),
            fraud_type: None,
            issued_at: issued,
            projection: Projection {
                holder_unit: holder.into(),
                level: 1,
                status: "signed".into(),
                assignee: None,
                next_due_at: None,
                overdue,
                open: close.is_none(),
                saved_fen: 100,
                loss_fen,
                version: 1,
                state,
            },
            first_event: EventRow {
                seq: 1,
                at: issued,
                actor: "system".into(),
                unit_code: holder.into(),
                action: "issued".into(),
                event: "{}".into(),
            },
        })
        .await
        .unwrap();
}

const PHONE: &str = r#"{"kind":"dissuaded","channel":"phone"}"#;
const VISIT: &str = r#"{"kind":"dissuaded","channel":"visit"}"#;
const SMS: &str = r#"{"kind":"dissuaded","channel":"sms"}"#;
const SELF_AWARE: &str = r#"{"kind":"self_aware"}"#;
const DEFRAUDED: &str = r#"{"kind":"defrauded","loss_fen":250000}"#;
const UNREACHABLE: &str = r#"{"kind":"unreachable","reason":"switched_off","attempts":3}"#;
const FALSE_ALARM: &str = r#"{"kind":"false_alarm"}"#;

pub async fn loop_tally_counts_per_line_with_channels_and_medians(store: &Store) {
    with_tree(store).await;
    let east_village = "330281001001";
    let east = "330281001";
    let west_village = "330281002001";
    let county = "330281";
    // East: signed at 2, 4, 10 minutes (two in time), contacted at 3 and 20 (one in time).
    instruction(
        store,
        "E1",
        east_village,
        T0,
        Some(2),
        Some(3),
        Some(30),
        Some(PHONE),
        false,
    )
    .await;
    instruction(
        store,
        "E2",
        east_village,
        T0 + MIN,
        Some(4),
        Some(20),
        None,
        Some(VISIT),
        true,
    )
    .await;
    instruction(
        store,
        "E3",
        east,
        T0 + 2 * MIN,
        Some(10),
        None,
        Some(90),
        Some(DEFRAUDED),
        false,
    )
    .await;
    // West: one visit, one SMS, one self-aware, one unreachable; one never signed.
    instruction(
        store,
        "W1",
        west_village,
        T0,
        Some(1),
        Some(2),
        None,
        Some(VISIT),
        false,
    )
    .await;
    instruction(
        store,
        "W2",
        west_village,
        T0,
        Some(3),
        Some(4),
        None,
        Some(SMS),
        false,
    )
    .await;
    instruction(
        store,
        "W3",
        west_village,
        T0,
        Some(5),
        Some(6),
        None,
        Some(SELF_AWARE),
        false,
    )
    .await;
    instruction(
        store,
        "W4",
        west_village,
        T0,
        Some(7),
        Some(30),
        None,
        Some(UNREACHABLE),
        true,
    )
    .await;
    instruction(store, "W5", west_village, T0, None, None, None, None, true).await;
    // At the county itself (pending review): a false alarm.
    instruction(
        store,
        "K1",
        county,
        T0,
        Some(6),
        Some(8),
        Some(20),
        Some(FALSE_ALARM),
        false,
    )
    .await;
    // Before the period, and another county: never counted.
    instruction(
        store,
        "OLD",
        east_village,
        T0 - 1,
        Some(1),
        Some(1),
        None,
        Some(PHONE),
        false,
    )
    .await;
    instruction(
        store,
        "CX",
        "330282001001",
        T0,
        Some(1),
        Some(1),
        None,
        Some(PHONE),
        false,
    )
    .await;

    let scope = store.units().scope(county).await.unwrap();
    let t = store
        .statistics()
        .loop_tally(&scope, county, T0, T0 + 3_600_000)
        .await
        .unwrap();
    let total = &t.total;
    assert_eq!(total.instructions, 9);
    assert_eq!((total.signed, total.signed_in_time), (8, 5));
    assert_eq!((total.contacted, total.contacted_in_time), (7, 5));
    assert_eq!((total.closed, total.closed_in_time), (3, 2));
    assert_eq!(
        (
            total.dissuaded_phone,
            total.dissuaded_visit,
            total.dissuaded_relatives,
            total.dissuaded_sms,
            total.self_aware
        ),
        (1, 2, 0, 1, 1)
    );
    assert_eq!(total.dissuaded(), 5);
    assert_eq!(
        (total.defrauded, total.unreachable, total.false_alarm),
        (1, 1, 1)
    );
    assert_eq!((total.open, total.overdue), (6, 3));
    assert_eq!((total.loss_fen, total.saved_fen), (250_000, 900));
    // Sign delays 1 2 3 4 5 6 7 10: median (4 + 5) / 2.
    assert_eq!(total.median_sign_minutes, Some(4.5));
    // Contact delays 2 3 4 6 8 20 30: median 6.
    assert_eq!(total.median_contact_minutes, Some(6.0));

    let line = |code: Option<&str>| {
        t.lines
            .iter()
            .find(|(l, _)| l.as_deref() == code)
            .map(|(_, f)| f.clone())
            .unwrap_or_else(|| panic!("a line {code:?} in {:?}", t.lines))
    };
    assert_eq!(t.lines.len(), 3, "{:?}", t.lines);
    let e = line(Some(east));
    assert_eq!(
        (e.instructions, e.dissuaded_phone, e.dissuaded_visit),
        (3, 1, 1)
    );
    assert_eq!((e.defrauded, e.loss_fen), (1, 250_000));
    assert_eq!(e.median_sign_minutes, Some(4.0));
    let w = line(Some("330281002"));
    assert_eq!((w.instructions, w.signed, w.dissuaded()), (5, 4, 3));
    assert_eq!(w.median_sign_minutes, Some(4.0));
    let own = line(None);
    assert_eq!((own.instructions, own.false_alarm), (1, 1));
    assert_eq!(own.median_contact_minutes, Some(8.0));

    // Viewed from the east township: its village is a line; the west and the county are out.
    let east_scope = store.units().scope(east).await.unwrap();
    let t = store
        .statistics()
        .loop_tally(&east_scope, east, T0, T0 + 3_600_000)
        .await
        .unwrap();
    assert_eq!(t.total.instructions, 3);
    assert_eq!(
        t.lines
            .iter()
            .map(|(l, f)| (l.clone(), f.instructions))
            .collect::<Vec<_>>(),
        vec![(None, 1), (Some(east_village.to_string()), 2)]
    );
    // An empty period has no lines and no medians.
    let none = store
        .statistics()
        .loop_tally(&scope, county, T0 + 7_200_000, T0 + 9_000_000)
        .await
        .unwrap();
    assert_eq!(none, LoopTallies::default());
}

pub async fn warnings_by_type_and_the_monthly_trend_count_known_rows(store: &Store) {
    with_tree(store).await;
    let day = 86_400_000;
    let warning = |id: &str, unit: &str, at: i64, fraud_type: Option<&str>| NewWarning {
        id: id.into(),
        resident_id: None,
        msisdn: None,
        unit_code: unit.into(),
        level: 2,
        fraud_type: fraud_type.map(Into::into),
        score_permille: 700,
        source: "manual".into(),
        signal_at: at,
        detected_at: at,
        evidence: serde_json::json!({}),
    };
    for w in [
        warning("W1", "330281001001", T0, Some("fake_investment")),
        warning("W2", "330281001001", T0 + day, Some("fake_investment")),
        warning("W3", "330281002001", T0 + 40 * day, None),
        warning("W4", "330282001001", T0, Some("fake_investment")),
        warning(
            "W5",
            "330281002001",
            T0 + 70 * day,
            Some("impersonate_police"),
        ),
    ] {
        store.warnings().insert(&w).await.unwrap();
    }
    let case = |id: &str, unit: &str, at: i64, loss_fen: i64| NewCase {
        id: id.into(),
        unit_code: unit.into(),
        reported_at: at,
        loss_fen,
        narrative: "刷单返利".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: at,
        ..NewCase::default()
    };
    for c in [
        case("C1", "330281001001", T0 + 2 * day, 100_000),
        case("C2", "330281002001", T0 + 31 * day, 200_000),
        case("C3", "330281002001", T0 + 32 * day, 300_000),
        case("C4", "330282001001", T0 + 31 * day, 900_000),
        case("C5", "330281001001", T0 + 61 * day, 50_000),
    ] {
        store.cases().create(&c).await.unwrap();
    }
    let scope = store.units().scope("330281").await.unwrap();
    let mut types = store
        .statistics()
        .warnings_by_type(&scope, T0, T0 + 100 * day)
        .await
        .unwrap();
    types.sort();
    assert_eq!(
        types,
        vec![
            (None, 1),
            (Some("fake_investment".to_string()), 2),
            (Some("impersonate_police".to_string()), 1)
        ]
    );
    let bounds = [T0, T0 + 30 * day, T0 + 60 * day, T0 + 90 * day];
    let trend = store.statistics().monthly(&scope, &bounds).await.unwrap();
    assert_eq!(
        trend,
        vec![
            TrendPoint {
                cases: 1,
                loss_fen: 100_000,
                warnings: 2
            },
            TrendPoint {
                cases: 2,
                loss_fen: 500_000,
                warnings: 1
            },
            TrendPoint {
                cases: 1,
                loss_fen: 50_000,
                warnings: 1
            },
        ]
    );
    assert!(store
        .statistics()
        .monthly(&scope, &[T0])
        .await
        .unwrap()
        .is_empty());
}
