//! 预警推送: a pushed warning keeps its platform, push id and push time; a (platform, push id)
//! names one warning; the imports are listed by the importer's subtree and the feedback reads
//! one platform's pushes of a period imported inside the scope, refusing none silently: it
//! answers one row past the limit.

use crate::fixtures::with_tree;
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::*;

fn warning(id: &str, unit: &str, at: i64) -> NewWarning {
    NewWarning {
        id: id.into(),
        resident_id: None,
        msisdn: Some("13800000001".into()),
        unit_code: unit.into(),
        level: 2,
        fraud_type: None,
        score_permille: 1000,
        source: "national_push".into(),
        signal_at: at,
        detected_at: at + 60_000,
        evidence: serde_json::json!({}),
    }
}

fn push(platform: PushPlatform, id: &str, at: i64, run: Option<ImportRunId>) -> WarningPush {
    WarningPush {
        platform,
        push_id: id.into(),
        pushed_at: at,
        import_run: run,
        kind: None,
        fund: None,
    }
}

pub async fn pushes_are_kept_once_per_platform_and_push_id(store: &Store) {
    with_tree(store).await;
    let repo = store.warning_pushes();
    let warnings = store.warnings();
    let national = PushPlatform::National;
    for (id, unit, at) in [
        ("TS-national-A1", "330281001001", 1_000),
        ("TS-national-A2", "330282001001", 2_000),
        ("TS-dongfeng-A1", "330281002001", 3_000),
        ("ENGINE-1", "330281001001", 4_000),
    ] {
        warnings.insert(&warning(id, unit, at)).await.unwrap();
    }
    assert_eq!(repo.find(national, "A1").await.unwrap(), None);
    assert!(repo
        .attach("TS-national-A1", &push(national, "A1", 1_000, None))
        .await
        .unwrap());
    // Again: kept as it was, not an error.
    assert!(!repo
        .attach("TS-national-A1", &push(national, "A1", 9_999, None))
        .await
        .unwrap());
    assert_eq!(
        repo.find(national, "A1").await.unwrap().as_deref(),
        Some("TS-national-A1")
    );
    // The same push id of another platform is another push.
    assert!(repo
        .attach(
            "TS-dongfeng-A1",
            &push(PushPlatform::Dongfeng, "A1", 3_000, None)
        )
        .await
        .unwrap());
    assert_eq!(
        repo.find(PushPlatform::Dongfeng, "A1")
            .await
            .unwrap()
            .as_deref(),
        Some("TS-dongfeng-A1")
    );
    // The same (platform, push id) on a second warning is refused by the database.
    let err = repo
        .attach("ENGINE-1", &push(national, "A1", 1_000, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    let err = repo
        .attach("NOPE", &push(national, "B9", 1_000, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    let err = repo
        .attach("TS-national-A2", &push(national, "bad id", 1_000, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RecordInvalid, "{err}");
    assert_eq!(repo.find(national, "bad id").await.unwrap(), None);
}

pub async fn imports_and_feedback_are_read_inside_the_scope(store: &Store) {
    with_tree(store).await;
    let repo = store.warning_pushes();
    let run = store
        .imports()
        .begin(&NewImportRun {
            kind: "warning_push".into(),
            file: "国家推送0301.csv".into(),
            content_hash: "h1".into(),
        })
        .await
        .unwrap();
    store
        .imports()
        .finish(
            run,
            &ImportCounts {
                read: 4,
                accepted: 3,
                quarantined: 1,
                by_reason: [("bad_push_id".to_string(), 1)].into_iter().collect(),
            },
        )
        .await
        .unwrap();
    repo.record_import(&NewPushImport {
        import_run: run,
        platform: PushPlatform::National,
        unit_code: "330281".into(),
        imported_by: "analyst".into(),
        imported_at: 5_000,
        new: 2,
        merged: 1,
        known: 0,
    })
    .await
    .unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let listed = repo.imports(&yuyao, None, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    let i = &listed[0];
    assert_eq!(
        (
            i.import_run,
            i.platform,
            i.file.as_str(),
            i.read,
            i.accepted
        ),
        (run, PushPlatform::National, "国家推送0301.csv", 4, 3)
    );
    assert_eq!((i.new, i.merged, i.known, i.quarantined), (2, 1, 0, 1));
    assert_eq!(i.by_reason.get("bad_push_id"), Some(&1));
    assert!(repo
        .imports(&yuyao, Some(PushPlatform::Changmao), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(repo.imports(&cixi, None, 10).await.unwrap().is_empty());

    let warnings = store.warnings();
    for (id, push_id, unit, at) in [
        ("TS-national-P2", "P2", "330281001001", 2_000),
        ("TS-national-P1", "P1", "330281002001", 1_000),
        ("TS-national-P3", "P3", "330282001001", 1_500),
        ("TS-national-P4", "P4", "330281001001", 10_000),
    ] {
        warnings.insert(&warning(id, unit, at)).await.unwrap();
        repo.attach(id, &push(PushPlatform::National, push_id, at, Some(run)))
            .await
            .unwrap();
    }
    // A list imported by 慈溪 whose push was routed to a 余姚 unit: 慈溪 reports it back.
    let cixi_run = store
        .imports()
        .begin(&NewImportRun {
            kind: "warning_push".into(),
            file: "慈溪推送.csv".into(),
            content_hash: "h2".into(),
        })
        .await
        .unwrap();
    repo.record_import(&NewPushImport {
        import_run: cixi_run,
        platform: PushPlatform::National,
        unit_code: "330282".into(),
        imported_by: "analyst2".into(),
        imported_at: 6_000,
        new: 1,
        merged: 0,
        known: 0,
    })
    .await
    .unwrap();
    warnings
        .insert(&warning("TS-national-P5", "330281001001", 3_000))
        .await
        .unwrap();
    repo.attach(
        "TS-national-P5",
        &push(PushPlatform::National, "P5", 3_000, Some(cixi_run)),
    )
    .await
    .unwrap();
    // Attached without an import run: in no feedback.
    warnings
        .insert(&warning("TS-national-P6", "330281001001", 4_000))
        .await
        .unwrap();
    repo.attach(
        "TS-national-P6",
        &push(PushPlatform::National, "P6", 4_000, None),
    )
    .await
    .unwrap();
    let filter = FeedbackFilter {
        platform: PushPlatform::National,
        from_ms: 1_000,
        to_ms: 10_000,
    };
    let ids = |rows: &[PushFeedback]| rows.iter().map(|r| r.push_id.clone()).collect::<Vec<_>>();
    let rows = repo.feedback(&yuyao, &filter, 100).await.unwrap();
    assert_eq!(
        ids(&rows),
        ["P1", "P3", "P2"],
        "in push order, inside the period, imported inside the scope wherever routed"
    );
    assert_eq!(rows[0].warning_id, "TS-national-P1");
    assert_eq!(rows[0].pushed_at, 1_000);
    assert_eq!(rows[0].received_at, 61_000);
    assert_eq!(rows[0].warning_unit, "330281002001");
    assert_eq!(rows[0].instruction_id, None);
    assert_eq!(rows[0].state, None);
    assert_eq!(rows[1].warning_unit, "330282001001");
    assert_eq!(
        ids(&repo.feedback(&cixi, &filter, 100).await.unwrap()),
        ["P5"],
        "the importer reports back, not the unit the warning was routed to"
    );
    let all = repo
        .feedback(&Scope::platform(), &filter, 100)
        .await
        .unwrap();
    assert_eq!(ids(&all), ["P1", "P3", "P2", "P5"]);
    assert_eq!(
        repo.feedback(&Scope::platform(), &filter, 2)
            .await
            .unwrap()
            .len(),
        3,
        "one row past the limit tells the caller the period holds more"
    );
    let other = FeedbackFilter {
        platform: PushPlatform::Dongfeng,
        ..filter
    };
    assert!(repo
        .feedback(&Scope::platform(), &other, 100)
        .await
        .unwrap()
        .is_empty());
}
