//! 规则管理 through the router: an activated version is stored, named on the page with who
//! activated it, and runs again after a restart; the detection runs on the signal stream show
//! running, stopped or interrupted (killed) with their figures, and the messages the latest run
//! rejected by sequence, subject and reason — never their bodies, which hold phone numbers; the
//! days of the signal archive, and a draft test-run on them beside the rules in force.

use crate::support::{ok, send_as, store_with_county, urlencoded, FixedClock};
use fanzha_store::testing::TestDb as Db;
use fanzha_store::{ImportCounts, NewImportRun, QuarantineRow, Role, RunProgress};
use fanzha_web::AppState;

fanzha_store::on_both_backends! {
    activated_versions_and_detection_runs_show_on_the_rules_page,
    a_draft_test_runs_on_archived_signals_beside_the_rules_in_force,
}

const COUNTY: &str = "330281";

pub async fn activated_versions_and_detection_runs_show_on_the_rules_page(db: &Db) {
    let store = store_with_county(db).await;
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

    // Three runs: one that stopped cleanly, one killed (never ended, no snapshot since), and
    // the running one with a rejected message.
    let mut runs_made = Vec::new();
    for stream in ["REHEARSAL", "OLD", "FANZHA_SIGNALS"] {
        let run = store
            .imports()
            .begin(&NewImportRun {
                kind: "signals".into(),
                file: format!("nats:{stream}"),
                content_hash: "from-1001".into(),
            })
            .await
            .unwrap();
        let record = store
            .detection_runs()
            .begin(stream, "fz-worker-1:4242", run, 1001, now - 600_000)
            .await
            .unwrap();
        runs_made.push((stream, run, record));
    }
    let progress = |through: i64, signals: i64, rejected: i64| RunProgress {
        through_sequence: through,
        signals,
        rejected,
        warnings: 3,
        delivered: 2,
        already_delivered: 1,
    };
    store
        .detection_runs()
        .update(runs_made[0].2, &progress(1500, 500, 0), now - 300_000, true)
        .await
        .unwrap();
    store
        .detection_runs()
        .update(
            runs_made[1].2,
            &progress(1200, 200, 0),
            now - 300_000,
            false,
        )
        .await
        .unwrap();
    let (_, live_run, live_record) = runs_made[2];
    store
        .imports()
        .add_quarantine(
            live_run,
            &[QuarantineRow {
                file: "nats:FANZHA_SIGNALS".into(),
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
    store.imports().finish(live_run, &counts).await.unwrap();
    store
        .detection_runs()
        .update(live_record, &progress(1500, 500, 1), now - 10_000, false)
        .await
        .unwrap();

    let page = get(state.clone()).await;
    let runs = &page[page.find("id=\"detection-runs\"").unwrap()..];
    let row = |stream: &str| {
        let at = runs.find(&format!("data-stream=\"{stream}\"")).unwrap();
        runs[at..at + runs[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(
        row("REHEARSAL").contains("data-state=\"stopped\""),
        "{runs}"
    );
    assert!(row("OLD").contains("data-state=\"interrupted\""), "{runs}");
    let live = row("FANZHA_SIGNALS");
    assert!(live.contains("data-state=\"running\""), "{live}");
    assert!(live.contains("fz-worker-1:4242"));
    assert!(live.contains("1001 – 1500"), "{live}");
    assert!(live.contains("字段缺失或类型不对 1"), "{live}");
    let rejected = &runs[runs.find("id=\"rejected-messages\"").unwrap()..];
    assert!(rejected.contains("<td>1042</td>"), "{rejected}");
    assert!(rejected.contains("fanzha.signals.call"));
    assert!(rejected.contains("data-reason=\"bad_field\""));
    assert!(!page.contains("13812345678"), "a message body never shows");

    // A restart of the running one takes over: the one before it was interrupted at once.
    let run = store
        .imports()
        .begin(&NewImportRun {
            kind: "signals".into(),
            file: "nats:FANZHA_SIGNALS".into(),
            content_hash: "from-1501".into(),
        })
        .await
        .unwrap();
    store
        .detection_runs()
        .begin("FANZHA_SIGNALS", "fz-worker-1:4343", run, 1501, now - 5_000)
        .await
        .unwrap();
    let page = get(state.clone()).await;
    let runs = &page[page.find("id=\"detection-runs\"").unwrap()..];
    assert_eq!(runs.matches("data-state=\"running\"").count(), 1, "{runs}");
    assert_eq!(
        runs.matches("data-state=\"interrupted\"").count(),
        2,
        "{runs}"
    );

    // Ten minutes on without a snapshot, the running one counts as interrupted too.
    let mut later = state.clone();
    later.clock = std::sync::Arc::new(FixedClock(now + 600_000));
    let page = ok(&send_as(
        &later,
        Role::CenterAnalyst,
        COUNTY,
        now + 600_000,
        ("GET", "/admin/rules", ""),
    )
    .await);
    assert_eq!(
        page.matches("data-state=\"interrupted\"").count(),
        3,
        "{page}"
    );
}

/// 2026-12-01 10:00 Asia/Shanghai.
const MORNING: i64 = 1_796_090_400_000;

fn msisdn(number: &str) -> fanzha_core::event::Msisdn {
    fanzha_core::PhoneNumber::parse(number)
        .unwrap()
        .to_msisdn()
        .unwrap()
}

/// A resident called for five minutes by a number on the blocklist, who then installs a
/// screen-sharing app; another who only talks with a friend.
fn archived_day() -> Vec<fanzha_core::event::Signal> {
    use fanzha_core::event::*;
    let suspect = msisdn("17012345678");
    let victim = msisdn("13800000001");
    let other = msisdn("13800000002");
    vec![
        Signal::NumberListed(NumberListed {
            ts: MORNING,
            msisdn: suspect,
            list: NumberList::Blocklist,
        }),
        Signal::Call(Call {
            ts: MORNING + 60_000,
            caller: suspect,
            callee: victim,
            duration_s: 300,
            caller_cell: 0,
        }),
        Signal::Call(Call {
            ts: MORNING + 90_000,
            caller: msisdn("13900000003"),
            callee: other,
            duration_s: 200,
            caller_cell: 0,
        }),
        Signal::AppInstall(AppInstall {
            ts: MORNING + 600_000,
            msisdn: victim,
            category: AppCategory::ScreenSharing,
            app_name: "会议".into(),
        }),
    ]
}

pub async fn a_draft_test_runs_on_archived_signals_beside_the_rules_in_force(db: &Db) {
    use crate::support::valid_id;
    use fanzha_store::NewPerson;
    let store = store_with_county(db).await;
    let people: Vec<NewPerson> = ["13800000001", "13800000002"]
        .iter()
        .enumerate()
        .map(|(i, phone)| NewPerson {
            resident_id: valid_id(COUNTY, i as u32 + 1),
            name: "张三".into(),
            phone: Some((*phone).into()),
            residence_code: COUNTY.into(),
            address: None,
            employer: None,
            public_sector: false,
            app_registered: false,
            joint_defense_registered: false,
        })
        .collect();
    store.people().upsert(&people).await.unwrap();
    let mut state = AppState::new(store.clone()).await.unwrap();
    let now = fanzha_core::time::now_ms();
    let post = |state: AppState, form: String| async move {
        ok(&send_as(
            &state,
            Role::CenterAnalyst,
            COUNTY,
            now,
            ("POST", "/admin/rules", &form),
        )
        .await)
    };

    // No archive on this server: the section says how to make one, and no archive button.
    let page = post(state.clone(), "action=check&text=".into()).await;
    assert!(!page.contains("data-action=\"test-archive\""));
    let dir = tempfile::tempdir().unwrap();
    state.archive = Some(fanzha_web::rules_lab::ArchiveSource {
        dir: dir.path().to_path_buf(),
        stream: "FANZHA_SIGNALS".into(),
    });
    let empty = ok(&send_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        now,
        ("GET", "/admin/rules", ""),
    )
    .await);
    assert!(empty.contains("本服务器没有信号归档"), "{empty}");

    let mut archive =
        fanzha_archive::Archive::open(dir.path(), "FANZHA_SIGNALS", Default::default()).unwrap();
    for (i, s) in archived_day().iter().enumerate() {
        archive.push(i as u64 + 1, s);
    }
    archive
        .flush(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        .unwrap();
    drop(archive);

    let page = ok(&send_as(
        &state,
        Role::CenterAnalyst,
        COUNTY,
        now,
        ("GET", "/admin/rules", ""),
    )
    .await);
    let section = &page[page.find("id=\"signal-archive\"").unwrap()..];
    assert!(section.contains("data-archive-through>4<"), "{section}");
    assert!(section.contains("data-day=\"2026-12-01\""), "{section}");
    assert!(section.contains("<td data-signals>4</td>"), "{section}");
    assert!(section.contains("写入中"), "{section}");
    assert!(
        section.contains("通话 2 · 应用安装 1 · 号码名单 1"),
        "{section}"
    );
    assert!(page.contains("data-action=\"test-archive\""));

    // The called resident reports the fraud three days later; a case of someone else a year
    // later is not in the period.
    for (id, who, days_after) in [("C1", 1, 3), ("C2", 2, 400)] {
        let at = MORNING + days_after * 86_400_000;
        let case = fanzha_store::NewCase {
            id: id.into(),
            resident_id: Some(valid_id(COUNTY, who)),
            unit_code: COUNTY.into(),
            reported_at: at,
            loss_fen: 3_000_000,
            narrative: "对方冒充客服，让受害人下载会议软件共享屏幕后转账".into(),
            top_terms: serde_json::json!([]),
            source: "form".into(),
            named: serde_json::json!({}),
            created_by: "setup".into(),
            created_at: at,
            ..fanzha_store::NewCase::default()
        };
        assert!(store.cases().create(&case).await.unwrap());
    }

    // The shipped rules warn the called resident on the real signals, who reported…
    let form = |text: &str| {
        format!(
            "action=test_archive&archive_days=7&text={}",
            urlencoded(text)
        )
    };
    let run = post(state.clone(), form(fanzha_detect::rules::DEFAULT_RULES)).await;
    let run = &run[run.find("id=\"test-run\"").unwrap()..];
    assert!(run.contains("data-source=\"archive\""), "{run}");
    assert!(run.contains("2026-12-01"));
    assert!(run.contains("data-draft-warned>1<"), "{run}");
    assert!(run.contains("data-baseline-warned>1<"), "{run}");
    assert!(run.contains("data-reported>1<"), "{run}");
    assert!(run.contains("data-reported-warned>1<"), "{run}");
    let row = &run[run
        .find("data-rule=\"suspect_call_then_screen_share\"")
        .unwrap()..];
    assert!(row.starts_with("data-rule=\"suspect_call_then_screen_share\"><td>"));
    assert!(
        row.contains(
            "</code></td><td>1</td><td>1</td><td data-baseline>1</td><td data-reported>1</td></tr>"
        ),
        "{row}"
    );

    // …a draft whose one rule never fires warns nobody, beside the one warned by the rules in
    // force.
    let never = "[[rule]]\nname = \"never\"\nlevel = 3\nwhen = \"longest_suspect_call_s > 999999\"\nzh = \"从不\"\nen = \"never\"\n";
    let run = post(state.clone(), form(never)).await;
    assert!(run.contains("data-draft-warned>0<"), "{run}");
    assert!(run.contains("data-baseline-warned>1<"), "{run}");
    assert!(run.contains("data-reported>1<") && run.contains("data-reported-warned>0<"));
    // A rule the rules in force do not have has nothing to compare with.
    let row = &run[run.find("data-rule=\"never\"").unwrap()..];
    assert!(
        row.contains("<td>0</td><td>0</td><td data-baseline>—</td><td data-reported>0</td>"),
        "{row}"
    );
}
