//! Warnings and instructions: scoping, optimistic concurrency, append-only events, deadline scan.

use crate::fixtures::with_tree;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::*;

fn event(seq: i64, at: i64, action: &str) -> EventRow {
    EventRow {
        seq,
        at,
        actor: "tester".into(),
        unit_code: "330281".into(),
        action: action.into(),
        event: format!(r#"{{"seq":{seq},"action":"{action}"}}"#),
    }
}

fn projection(holder: &str, version: i64, status: &str, next_due_at: Option<i64>) -> Projection {
    Projection {
        holder_unit: holder.into(),
        level: 1,
        status: status.into(),
        assignee: None,
        next_due_at,
        overdue: false,
        open: status != "closed",
        saved_fen: 0,
        loss_fen: 0,
        version,
        state: "{}".into(),
    }
}

async fn create(store: &Store, id: &str, holder: &str, resident: &str, issued_at: i64) {
    store
        .instructions()
        .create(&NewInstruction {
            id: id.into(),
            resident_id: Some(resident.into()),
            owner_unit: holder.into(),
            fraud_type: Some("impersonate_police".into()),
            issued_at,
            projection: projection(holder, 1, "issued", Some(issued_at + 300_000)),
            first_event: event(1, issued_at, "issued"),
        })
        .await
        .unwrap();
}

/// Two writers decide against the same version: exactly one wins, the other gets a conflict
/// and leaves no trace.
pub async fn concurrent_appends_let_exactly_one_win(store: &Store) {
    with_tree(store).await;
    create(store, "I1", "330281001001", "330281199001010001", 1_000).await;
    let repo = store.instructions();
    let (ea, pa) = (
        [event(2, 2_000, "signed")],
        projection("330281001001", 2, "signed", Some(900_000)),
    );
    let (eb, pb) = (
        [event(2, 2_001, "delegated")],
        projection("330281001002", 2, "issued", Some(900_000)),
    );
    let a = repo.append("I1", 1, &ea, &pa);
    let b = repo.append("I1", 1, &eb, &pb);
    let (ra, rb) = tokio::join!(a, b);
    let outcomes = [ra.is_ok(), rb.is_ok()];
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "{ra:?} {rb:?}"
    );
    let loser = ra.err().or(rb.err()).unwrap();
    assert_eq!(loser.code(), ErrorCode::Conflict, "{loser}");
    let events = repo.events(&Scope::platform(), "I1").await.unwrap();
    assert_eq!(events.len(), 2);
    let stored = repo.get(&Scope::platform(), "I1").await.unwrap();
    assert_eq!(stored.projection.version, 2);
    assert_eq!(
        events[1].action == "signed",
        stored.projection.status == "signed",
        "projection and events agree on the winner"
    );
}

/// A village sees its own instruction, not its neighbour's; the county sees both.
pub async fn instructions_are_scoped_by_holder(store: &Store) {
    with_tree(store).await;
    create(store, "A", "330281001001", "330281199001010001", 1_000).await;
    create(store, "B", "330281002001", "330281199001010002", 2_000).await;
    let village = store.units().scope("330281001001").await.unwrap();
    let county = store.units().scope("330281").await.unwrap();
    let repo = store.instructions();
    assert!(repo.get(&village, "A").await.is_ok());
    let err = repo.get(&village, "B").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert!(repo.events(&village, "B").await.is_err());
    let all = repo
        .list(
            &county,
            &InstructionFilter::default(),
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    let ids: Vec<_> = all.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["B", "A"], "newest first");
    let about_one = InstructionFilter {
        resident_id: Some("330281199001010002".into()),
        ..InstructionFilter::default()
    };
    let found = repo
        .list(&county, &about_one, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, "B");
    // One fraud type's queue (分类研判), and the untyped ones.
    let of_type = |t: &str| InstructionFilter {
        fraud_type: Some(t.into()),
        ..InstructionFilter::default()
    };
    for (t, n) in [("impersonate_police", 2), ("fake_loan", 0), ("untyped", 0)] {
        let got = repo
            .list(&county, &of_type(t), &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(got.items.len(), n, "{t}");
    }
    assert_eq!(
        repo.count_by_status(&county, &about_one).await.unwrap(),
        vec![("issued".to_string(), 1)]
    );
    let own = repo
        .list(
            &village,
            &InstructionFilter::default(),
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(own.items.len(), 1);
    // Delegating moves it into the other village's view.
    repo.append(
        "A",
        1,
        &[event(2, 3_000, "delegated")],
        &projection("330281002001", 2, "issued", None),
    )
    .await
    .unwrap();
    assert!(repo.get(&village, "A").await.is_err());
    let counts = repo
        .count_by_status(&county, &InstructionFilter::default())
        .await
        .unwrap();
    assert_eq!(counts, vec![("issued".to_string(), 2)]);
}

/// The deadline scan returns open instructions whose next deadline passed, earliest first.
pub async fn due_scan_finds_breached_open_instructions(store: &Store) {
    with_tree(store).await;
    create(store, "early", "330281001001", "330281199001010001", 1_000).await; // due 301_000
    create(store, "late", "330281001002", "330281199001010002", 100_000).await; // due 400_000
    let repo = store.instructions();
    assert!(repo.due(300_000, 10).await.unwrap().is_empty());
    assert_eq!(repo.due(350_000, 10).await.unwrap(), vec!["early"]);
    assert_eq!(repo.due(500_000, 10).await.unwrap(), vec!["early", "late"]);
    repo.append(
        "early",
        1,
        &[event(2, 2_000, "closed")],
        &projection("330281001001", 2, "closed", Some(1)),
    )
    .await
    .unwrap();
    assert_eq!(repo.due(500_000, 10).await.unwrap(), vec!["late"]);
    assert_eq!(
        repo.open_for_resident("330281199001010002").await.unwrap(),
        Some("late".to_string())
    );
    assert_eq!(
        repo.open_for_resident("330281199001010001").await.unwrap(),
        None
    );
}

/// Instruction events cannot be changed or removed, whatever the client.
pub async fn instruction_events_are_append_only(store: &Store) {
    with_tree(store).await;
    create(store, "I1", "330281001001", "330281199001010001", 1_000).await;
    for sql in [
        "UPDATE instruction_events SET actor = 'x'",
        "DELETE FROM instruction_events",
    ] {
        let r = sqlx::query(sql).execute(store.pool()).await;
        assert!(r.is_err(), "{sql} must be rejected");
    }
    // A gap in the sequence is refused before it reaches the database.
    let err = store
        .instructions()
        .append(
            "I1",
            1,
            &[event(3, 2_000, "signed")],
            &projection("330281001001", 2, "signed", None),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RecordInvalid);
}

/// Warnings are scoped by their unit, listed newest first and counted per level.
pub async fn warnings_are_scoped_and_counted(store: &Store) {
    with_tree(store).await;
    let w = |id: &str, unit: &str, level: u8, at: i64| NewWarning {
        id: id.into(),
        resident_id: Some("330281199001010001".into()),
        msisdn: Some("13800000001".into()),
        unit_code: unit.into(),
        level,
        fraud_type: Some("investment".into()),
        score_permille: 930,
        source: "engine".into(),
        signal_at: at - 10,
        detected_at: at,
        evidence: serde_json::json!({"rules": ["long_call_then_remote_app"]}),
    };
    let repo = store.warnings();
    repo.insert(&w("W1", "330281001001", 1, 1_000))
        .await
        .unwrap();
    repo.insert(&w("W2", "330281002001", 2, 2_000))
        .await
        .unwrap();
    repo.insert(&w("W3", "330282001001", 3, 3_000))
        .await
        .unwrap();
    assert_eq!(
        repo.insert(&w("W1", "330281001001", 1, 1_000))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Conflict
    );
    let yuyao = store.units().scope("330281").await.unwrap();
    let page = repo
        .recent(&yuyao, 0, None, &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(page.items[0].id, "W2");
    let next = repo
        .recent(&yuyao, 0, None, &PageRequest::after(page.next.unwrap(), 5))
        .await
        .unwrap();
    assert_eq!(next.items.len(), 1);
    assert_eq!(next.items[0].id, "W1");
    assert_eq!(
        next.items[0].evidence["rules"][0],
        "long_call_then_remote_app"
    );
    let counts = repo.count_by_level(&yuyao, 0, 10_000).await.unwrap();
    assert_eq!((counts.red, counts.orange, counts.yellow), (1, 1, 0));
    assert!(repo.get(&yuyao, "W3").await.is_err());
    repo.link_instruction("W1", "I9").await.unwrap();
    assert_eq!(
        repo.get(&yuyao, "W1")
            .await
            .unwrap()
            .instruction_id
            .as_deref(),
        Some("I9")
    );
}

/// A search narrows by time, level, type, source, person and instruction state, stays inside
/// the scope, counts what it matches and pages through it.
pub async fn warning_search_combines_filters(store: &Store) {
    with_tree(store).await;
    #[allow(clippy::too_many_arguments)]
    fn w(
        id: &str,
        unit: &str,
        level: u8,
        at: i64,
        fraud_type: Option<&str>,
        source: &str,
        resident: &str,
        msisdn: &str,
    ) -> NewWarning {
        NewWarning {
            id: id.into(),
            resident_id: Some(resident.into()),
            msisdn: Some(msisdn.into()),
            unit_code: unit.into(),
            level,
            fraud_type: fraud_type.map(Into::into),
            score_permille: 500,
            source: source.into(),
            signal_at: at,
            detected_at: at,
            evidence: serde_json::json!({}),
        }
    }
    let (a, b) = ("330281199001010001", "330281198505050002");
    let repo = store.warnings();
    for x in [
        w(
            "S1",
            "330281001001",
            1,
            1_000,
            Some("fake_investment"),
            "engine",
            a,
            "13800000001",
        ),
        w(
            "S2",
            "330281001001",
            2,
            2_000,
            Some("虚假投资理财"),
            "national_push",
            a,
            "13800000001",
        ),
        w(
            "S3",
            "330281002001",
            3,
            3_000,
            None,
            "engine",
            b,
            "13900000002",
        ),
        w(
            "S4",
            "330281002001",
            1,
            4_000,
            Some("impersonating_police"),
            "manual",
            b,
            "13900000002",
        ),
        w(
            "S5",
            "330282001001",
            1,
            5_000,
            None,
            "engine",
            b,
            "13900000002",
        ),
    ] {
        repo.insert(&x).await.unwrap();
    }
    create(store, "IA", "330281001001", a, 1_000).await;
    repo.link_instruction("S1", "IA").await.unwrap();
    repo.link_instruction("S2", "IA").await.unwrap();
    create(store, "IB", "330281002001", b, 3_000).await;
    store
        .instructions()
        .append(
            "IB",
            1,
            &[event(2, 3_500, "closed")],
            &projection("330281002001", 2, "closed", None),
        )
        .await
        .unwrap();
    repo.link_instruction("S3", "IB").await.unwrap();

    let yuyao = store.units().scope("330281").await.unwrap();
    let search = |f: WarningFilter| find(store, &yuyao, f);
    assert_eq!(
        search(WarningFilter::default()).await,
        ["S4", "S3", "S2", "S1"]
    );
    let f = WarningFilter {
        from_ms: Some(2_000),
        to_ms: Some(4_000),
        ..Default::default()
    };
    assert_eq!(search(f).await, ["S3", "S2"]);
    let f = WarningFilter {
        min_level: Some(1),
        ..Default::default()
    };
    assert_eq!(search(f).await, ["S4", "S1"]);
    let f = WarningFilter {
        fraud_type: Some(FraudTypeFilter::AnyOf(vec![
            "fake_investment".into(),
            "虚假投资理财".into(),
        ])),
        ..Default::default()
    };
    assert_eq!(search(f).await, ["S2", "S1"]);
    let f = WarningFilter {
        fraud_type: Some(FraudTypeFilter::AnyOf(Vec::new())),
        ..Default::default()
    };
    assert!(search(f).await.is_empty());
    let f = WarningFilter {
        fraud_type: Some(FraudTypeFilter::Untyped),
        ..Default::default()
    };
    assert_eq!(
        search(f).await,
        ["S3"],
        "S5 is untyped too but outside the scope"
    );
    let f = WarningFilter {
        source: Some("national_push".into()),
        ..Default::default()
    };
    assert_eq!(search(f).await, ["S2"]);
    let f = WarningFilter {
        resident_id: Some(b.into()),
        ..Default::default()
    };
    assert_eq!(search(f).await, ["S4", "S3"]);
    let f = WarningFilter {
        msisdn: Some("13800000001".into()),
        min_level: Some(2),
        ..Default::default()
    };
    assert_eq!(search(f).await, ["S2", "S1"]);
    let f = WarningFilter {
        instruction_open: Some(true),
        ..Default::default()
    };
    assert_eq!(search(f).await, ["S2", "S1"]);
    let f = WarningFilter {
        instruction_open: Some(false),
        ..Default::default()
    };
    assert_eq!(search(f).await, ["S3"]);
    let station = store.units().scope("330281002").await.unwrap();
    assert_eq!(
        find(store, &station, WarningFilter::default()).await,
        ["S4", "S3"]
    );

    let mut seen = Vec::new();
    let mut page = PageRequest::first(1);
    loop {
        let got = repo
            .search(&yuyao, &WarningFilter::default(), &page)
            .await
            .unwrap();
        seen.extend(got.items.iter().map(|w| w.id.clone()));
        match got.next {
            Some(key) => page = PageRequest::after(key, 1),
            None => break,
        }
    }
    assert_eq!(seen, ["S4", "S3", "S2", "S1"]);
}

/// The ids a search returns on one page, checked against the count of the same filter.
async fn find(store: &Store, scope: &Scope, f: WarningFilter) -> Vec<String> {
    let repo = store.warnings();
    let page = repo
        .search(scope, &f, &PageRequest::first(100))
        .await
        .unwrap();
    let n = repo.count(scope, &f).await.unwrap();
    assert_eq!(
        n as usize,
        page.items.len(),
        "count agrees with the rows for {f:?}"
    );
    page.items.into_iter().map(|w| w.id).collect()
}

fn change(id: &str, expected: i64, action: &str, holder: &str) -> InstructionChange {
    InstructionChange {
        id: id.into(),
        expected_version: expected,
        events: vec![event(expected + 1, 2_000 + expected, action)],
        projection: projection(holder, expected + 1, action, Some(900_000)),
        audit: vec![NewAuditEntry {
            actor: "tester".into(),
            action: format!("instruction_{action}"),
            target_type: "instruction".into(),
            target_id: Some(id.into()),
            unit_code: Some(holder.into()),
            detail: serde_json::json!({"seq": expected + 1}),
        }],
        cancel_calls: None,
    }
}

async fn audit_count(store: &Store, id: &str) -> usize {
    store
        .audit()
        .for_target(&Scope::platform(), "instruction", id)
        .await
        .unwrap()
        .len()
}

/// A batch commits every change that still has its version, with its events and audit
/// entries; a stale, malformed or repeated change fails alone and leaves no trace.
pub async fn a_batch_commits_each_change_on_its_own_terms(store: &Store) {
    with_tree(store).await;
    for (n, id) in ["B1", "B2", "B3", "B4"].iter().enumerate() {
        create(
            store,
            id,
            "330281001001",
            &format!("33028119900101000{n}"),
            1_000,
        )
        .await;
    }
    let repo = store.instructions();
    let mut malformed = change("B3", 1, "signed", "330281001001");
    malformed.events[0].seq = 5;
    let results = repo
        .commit_many(&[
            change("B1", 1, "signed", "330281001001"),
            change("B2", 4, "signed", "330281001001"),
            malformed,
            change("B4", 1, "delegated", "330281001002"),
            change("B4", 1, "signed", "330281001001"),
            change("B9", 1, "signed", "330281001001"),
        ])
        .await;
    let codes: Vec<Option<ErrorCode>> = results
        .iter()
        .map(|r| r.as_ref().err().map(|e| e.code()))
        .collect();
    assert_eq!(
        codes,
        vec![
            None,
            Some(ErrorCode::Conflict),
            Some(ErrorCode::RecordInvalid),
            None,
            Some(ErrorCode::RecordInvalid),
            Some(ErrorCode::NotFound),
        ],
        "{results:?}"
    );
    let loaded = repo
        .load_many(&["B1", "B2", "B3", "B4", "B9"])
        .await
        .unwrap();
    assert_eq!(loaded.len(), 4, "unknown ids are absent");
    let versions = |id: &str| {
        let l = &loaded[id];
        (l.stored.projection.version, l.events.len())
    };
    assert_eq!(versions("B1"), (2, 2));
    assert_eq!(versions("B2"), (1, 1));
    assert_eq!(versions("B3"), (1, 1));
    assert_eq!(versions("B4"), (2, 2));
    assert_eq!(loaded["B4"].stored.projection.holder_unit, "330281001002");
    assert_eq!(
        loaded["B4"].holder_path.as_deref(),
        Some("/33/3302/330281/330281001/330281001002/")
    );
    assert_eq!(loaded["B1"].events[1].action, "signed");
    assert_eq!(audit_count(store, "B1").await, 1);
    assert_eq!(audit_count(store, "B2").await, 0);
    assert_eq!(audit_count(store, "B3").await, 0);
    assert_eq!(audit_count(store, "B4").await, 1);
    // The next batch builds on the last: version 2 is now the one to name.
    let again = repo
        .commit_many(&[
            change("B1", 2, "closed", "330281001001"),
            change("B2", 1, "signed", "330281001001"),
        ])
        .await;
    assert!(again.iter().all(Result::is_ok), "{again:?}");
    let loaded = repo.load_many(&["B1"]).await.unwrap();
    assert_eq!(loaded["B1"].stored.projection.version, 3);
    assert!(!loaded["B1"].stored.projection.open);
}

/// Batches wider than one statement's chunk commit completely.
pub async fn large_batches_commit_every_change(store: &Store) {
    with_tree(store).await;
    let ids: Vec<String> = (0..300).map(|n| format!("L{n:04}")).collect();
    for (n, id) in ids.iter().enumerate() {
        create(
            store,
            id,
            "330281001001",
            &format!("3302811990{n:08}"),
            1_000,
        )
        .await;
    }
    let changes: Vec<InstructionChange> = ids
        .iter()
        .map(|id| change(id, 1, "signed", "330281001001"))
        .collect();
    let results = store.instructions().commit_many(&changes).await;
    assert!(results.iter().all(Result::is_ok));
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let loaded = store.instructions().load_many(&refs).await.unwrap();
    assert_eq!(loaded.len(), 300);
    assert!(loaded
        .values()
        .all(|l| l.stored.projection.version == 2 && l.events.len() == 2));
}
