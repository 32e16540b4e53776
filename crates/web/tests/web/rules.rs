//! 规则管理 through the router: an activated version is stored, named on the page with who
//! activated it, and runs again after a restart; the detection runs on the signal stream show
//! running or stopped with their figures, and the messages the latest run rejected by sequence,
//! subject and reason — never their bodies, which hold phone numbers.

use crate::support::{ok, send_as, unit, urlencoded, FixedClock};
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{ImportCounts, NewImportRun, QuarantineRow, Role, UnitLevel};
use fanzha_web::AppState;

fanzha_store::on_both_backends! {
    activated_versions_and_detection_runs_show_on_the_rules_page,
}

const COUNTY: &str = "330281";

pub async fn activated_versions_and_detection_runs_show_on_the_rules_page(db: &Db) {
    let store = db.open().await;
    store
        .units()
        .upsert(&[unit(COUNTY, "余姚市", UnitLevel::County, None)])
        .await
        .unwrap();
    let state = AppState::new(store.clone()).await.unwrap();
    let now = fanzha_core::time::now_ms();
    let get = |state: AppState| async move {
        ok(&send_as(
            &state,
            Role::CenterAnalyst,
            COUNTY,
            now,
            ("GET", "/admin/rules", ""),
        )
        .await)
    };

    let page = get(state.clone()).await;
    assert!(page.contains("运行内置规则（v0）"), "{page}");
    assert!(page.contains("暂无信令流检测记录"));

    let form = format!(
        "action=activate&text={}",
        urlencoded(fanzha_detect::rules::DEFAULT_RULES)
    );
    let answer = ok(&send_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        now,
        ("POST", "/admin/rules", &form),
    )
    .await);
    assert!(answer.contains("(v1)"), "{answer}");
    let page = get(state.clone()).await;
    let versions = &page[page.find("id=\"rule-versions\"").unwrap()..];
    assert!(versions.contains("data-version=\"1\""), "{versions}");
    assert!(versions.contains("在用"));
    assert!(versions.contains("center_analyst_330281"));
    // A restarted server runs the activated version.
    let restarted = AppState::new(store.clone()).await.unwrap();
    assert_eq!(restarted.rules.version(), 1);

    // A stopped run on another stream, then the running one with a rejected message.
    for (stream, stored_at_now) in [("REHEARSAL", false), ("FANZHA_SIGNALS", true)] {
        let run = store
            .imports()
            .begin(&NewImportRun {
                kind: "signals".into(),
                file: format!("nats:{stream}"),
                content_hash: "from-1001".into(),
            })
            .await
            .unwrap();
        if stored_at_now {
            store
                .imports()
                .add_quarantine(
                    run,
                    &[QuarantineRow {
                        file: format!("nats:{stream}"),
                        line: 1042,
                        column: None,
                        reason: "bad_field".into(),
                        raw: r#"fanzha.signals.call {"type":"call","caller":"13812345678"}"#.into(),
                    }],
                )
                .await
                .unwrap();
            let counts = ImportCounts {
                read: 500,
                accepted: 499,
                quarantined: 1,
                by_reason: [("bad_field".to_string(), 1)].into(),
            };
            store.imports().finish(run, &counts).await.unwrap();
        }
    }
    // Ten minutes on, neither run has stored its figures since: both stopped.
    let later = now + 10 * 60_000;
    let mut later_state = state.clone();
    later_state.clock = std::sync::Arc::new(FixedClock(later));
    let page = ok(&send_as(
        &later_state,
        Role::CenterAnalyst,
        COUNTY,
        later,
        ("GET", "/admin/rules", ""),
    )
    .await);
    let runs = &page[page.find("id=\"detection-runs\"").unwrap()..];
    assert!(runs.contains("data-stream=\"FANZHA_SIGNALS\""), "{runs}");
    assert!(runs.contains("data-stream=\"REHEARSAL\""));
    assert!(runs.contains("data-stopped"));
    assert!(!runs.contains("data-live"));
    assert!(runs.contains("字段缺失或类型不对 1"), "{runs}");
    assert!(runs.contains("<td>1001</td>"));
    assert!(runs.contains("<td>500</td>"));
    let rejected = &runs[runs.find("id=\"rejected-messages\"").unwrap()..];
    assert!(rejected.contains("<td>1042</td>"), "{rejected}");
    assert!(rejected.contains("fanzha.signals.call"));
    assert!(rejected.contains("data-reason=\"bad_field\""));
    assert!(!page.contains("13812345678"), "a message body never shows");
    // Now, both began or stored their figures within two minutes: running.
    let page = get(state.clone()).await;
    let runs = &page[page.find("id=\"detection-runs\"").unwrap()..];
    assert_eq!(runs.matches("data-live").count(), 2, "{runs}");
}
