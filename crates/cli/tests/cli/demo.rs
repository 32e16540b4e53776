//! `fanzha demo` for a few seconds of a fast simulated city: the platform starts on an empty
//! data directory, writes the months of history into every register once, and the city's
//! defrauded victims report to 110, each report a case at the victim's village with the loss,
//! a narrative and the named payee accounts — once, so a second start opens no second case for
//! the same report and no second history.

use fanzha_store::{Case, PageRequest, Scope, Store};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn run_demo(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_fanzha"))
        .current_dir(dir)
        .env_remove("FANZHA_DATABASE_URL")
        .env("FANZHA_DATA_DIR", dir.join("data"))
        .args([
            "demo",
            "--port",
            "0",
            "--people",
            "2000",
            "--speed",
            "7200",
            "--duration-s",
            "25",
        ])
        .output()
        .expect("run fanzha demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("cases reported"), "{stdout}");
}

fn open(dir: &Path) -> (tokio::runtime::Runtime, Store) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("data/fanzha.db").display());
    let store = rt.block_on(Store::open(&url)).unwrap();
    (rt, store)
}

fn cases(dir: &Path) -> Vec<Case> {
    let (rt, store) = open(dir);
    rt.block_on(async {
        let page = store
            .cases()
            .list(&Scope::platform(), &PageRequest::first(10_000))
            .await
            .unwrap();
        store.close().await;
        page.items
    })
}

/// What the history fills, as row counts of the registers' tables (and of the rows that show
/// work done on them: checked leads, signed bulletins, closed measures, visits, solved cases).
fn registers(dir: &Path) -> BTreeMap<&'static str, i64> {
    const QUERIES: &[(&str, &str)] = &[
        ("instructions_closed", "SELECT COUNT(*) FROM instructions WHERE status = 'closed' AND open = 0"),
        ("instructions_by_grid", "SELECT COUNT(DISTINCT instruction_id) FROM instruction_events WHERE actor = 'grid'"),
        ("cases_from_feedback", "SELECT COUNT(*) FROM cases WHERE instruction_id IS NOT NULL"),
        ("stops_answered", "SELECT COUNT(*) FROM stop_payments WHERE state IN ('held', 'frozen', 'lapsed', 'returned')"),
        ("key_persons", "SELECT COUNT(*) FROM key_persons"),
        ("grid_village_key_persons", "SELECT COUNT(*) FROM key_persons k JOIN users u ON u.login = 'grid' AND k.unit_code = u.unit_code"),
        ("visits", "SELECT COUNT(*) FROM key_person_events WHERE kind = 'visit'"),
        ("key_persons_away", "SELECT COUNT(*) FROM key_persons WHERE status = 'active' AND control_state = 'away'"),
        ("key_persons_lost", "SELECT COUNT(*) FROM key_persons WHERE status = 'active' AND control_state = 'lost'"),
        ("returnees_checked", "SELECT COUNT(*) FROM key_persons WHERE returnee_check IS NOT NULL"),
        ("punishments", "SELECT COUNT(*) FROM key_person_events WHERE kind = 'punishment'"),
        ("proposals", "SELECT COUNT(*) FROM key_person_proposals"),
        ("leads", "SELECT COUNT(*) FROM two_card_leads"),
        ("leads_checked", "SELECT COUNT(*) FROM two_card_leads WHERE result IS NOT NULL"),
        ("disposals_answered", "SELECT COUNT(*) FROM number_disposals WHERE state <> 'pending'"),
        ("bulletins", "SELECT COUNT(*) FROM bulletins"),
        ("bulletins_signed", "SELECT COUNT(*) FROM bulletin_recipients WHERE signed_at IS NOT NULL"),
        ("bulletins_partner_signed", "SELECT COUNT(*) FROM bulletin_partners WHERE signed_at IS NOT NULL"),
        ("bulletins_partner_waiting", "SELECT COUNT(*) FROM bulletin_partners WHERE signed_at IS NULL"),
        ("supervision", "SELECT COUNT(*) FROM supervision_measures"),
        ("supervision_closed", "SELECT COUNT(*) FROM supervision_measures WHERE state = 'closed'"),
        ("outreach", "SELECT COUNT(*) FROM outreach_events"),
        ("posts", "SELECT COUNT(*) FROM outreach_posts"),
        ("operator_figures", "SELECT COUNT(*) FROM operator_figures"),
        ("bank_figures_dissuaded", "SELECT COUNT(*) FROM bank_figures WHERE dissuaded > 0 AND dissuaded_fen > 0"),
        ("bank_figures_by_liaison", "SELECT COUNT(*) FROM bank_figures WHERE entered_by = 'bank_icbc'"),
        ("crime_counts", "SELECT COUNT(*) FROM criminal_case_counts"),
        ("solved_cases", "SELECT COUNT(*) FROM case_enforcement WHERE status = 'solved'"),
        ("suspects", "SELECT COUNT(*) FROM case_suspects"),
        ("tips_confirmed", "SELECT COUNT(*) FROM tips WHERE state = 'confirmed'"),
        ("tips_dismissed", "SELECT COUNT(*) FROM tips WHERE state = 'dismissed'"),
        ("tips_pending", "SELECT COUNT(*) FROM tips WHERE state = 'pending'"),
        ("quiz_employers", "SELECT COUNT(*) FROM quiz_employers"),
        ("app_drive_employers", "SELECT COUNT(*) FROM app_drive_employers"),
        ("order_source_outlet_shared", "SELECT COUNT(*) FROM (SELECT outlet_key FROM case_order_sources WHERE outlet_key <> '' GROUP BY outlet_key HAVING COUNT(*) >= 2) t"),
        ("app_drive_promoters", "SELECT COUNT(*) FROM app_drive_promoters"),
        ("team_members", "SELECT COUNT(*) FROM team_members WHERE removed_at IS NULL"),
        ("team_member_linked", "SELECT COUNT(*) FROM team_members WHERE login = 'grid'"),
        ("solved_elsewhere_leads", "SELECT COUNT(*) FROM solved_elsewhere WHERE kind = 'upstream_lead'"),
        ("solved_elsewhere_other_areas", "SELECT COUNT(*) FROM solved_elsewhere WHERE kind = 'other_area'"),
        ("fund_warnings_stopped", "SELECT COUNT(*) FROM warning_funds f JOIN stop_payments s ON s.warning_id = f.warning_id WHERE s.state <> 'requested'"),
        ("fund_warnings_waiting", "SELECT COUNT(*) FROM warning_funds f WHERE NOT EXISTS (SELECT 1 FROM stop_payments s WHERE s.warning_id = f.warning_id)"),
        ("app_drive_referrals_verified", "SELECT COUNT(*) FROM app_drive_referrals r WHERE EXISTS (SELECT 1 FROM people p WHERE p.phone = r.phone AND p.app_registered = 1)"),
        ("app_drive_referrals_unverified", "SELECT COUNT(*) FROM app_drive_referrals r WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.phone = r.phone AND p.app_registered = 1)"),
        ("quiz_passed", "SELECT COUNT(*) FROM quiz_attempts WHERE passed = 1"),
        ("quiz_failed", "SELECT COUNT(*) FROM quiz_attempts WHERE passed = 0"),
        ("quiz_pledged", "SELECT COUNT(*) FROM quiz_attempts WHERE pledged_at IS NOT NULL"),
        ("quiz_open_now_answered", "SELECT COUNT(*) FROM quiz_attempts a JOIN quiz_campaigns c ON c.id = a.campaign_id WHERE c.audience = 'community' AND a.submitted_at IS NOT NULL"),
        ("insiders_charged", "SELECT COUNT(*) FROM case_suspects WHERE role = 'insider' AND charge = 'helping'"),
        ("gangs_with_cards_and_cases", "SELECT COUNT(*) FROM dismantled_groups g WHERE g.phone_cards + g.bank_cards > 0 AND g.cards = g.phone_cards + g.bank_cards AND EXISTS (SELECT 1 FROM dismantled_group_cases c WHERE c.group_id = g.id)"),
        ("analysis_groups", "SELECT COUNT(*) FROM analysis_groups WHERE active = 1"),
        ("card_cleanups_answered", "SELECT COUNT(*) FROM card_cleanups WHERE state = 'answered'"),
        ("card_cleanups_pending", "SELECT COUNT(*) FROM card_cleanups WHERE state = 'pending'"),
        ("card_checks_turned_away", "SELECT COUNT(*) FROM card_checks WHERE outcome IN ('refused', 'abandoned')"),
        ("card_checks_opened", "SELECT COUNT(*) FROM card_checks WHERE outcome = 'opened'"),
        ("outreach_list_reached", "SELECT COUNT(*) FROM outreach_list_rows WHERE state = 'reached' AND app_installed = 1"),
        ("outreach_list_pending", "SELECT COUNT(*) FROM outreach_list_rows WHERE state = 'pending'"),
        ("card_checks_flagged_open", "SELECT COUNT(*) FROM card_checks WHERE outcome IS NULL AND verdict <> 'proceed'"),
        ("operations_ended", "SELECT COUNT(*) FROM cluster_operations WHERE ended_at IS NOT NULL"),
        ("operations_running", "SELECT COUNT(*) FROM cluster_operations WHERE ended_at IS NULL"),
        ("operation_catches", "SELECT COUNT(*) FROM cluster_targets WHERE state = 'caught' AND suspect_id IS NOT NULL"),
        ("alliance_members", "SELECT COUNT(*) FROM alliance_members"),
        ("model_sites", "SELECT COUNT(*) FROM model_sites WHERE revoked_at IS NULL"),
        ("alliance_events", "SELECT COUNT(*) FROM outreach_events e JOIN alliance_members m ON e.place = m.name || '会议室'"),
        ("joint_members", "SELECT COUNT(*) FROM joint_members"),
        ("joint_letters", "SELECT COUNT(*) FROM joint_letters"),
        ("joint_meetings_with_members", "SELECT COUNT(DISTINCT meeting_id) FROM joint_meeting_members"),
        ("joint_tasks_done_in_time", "SELECT COUNT(*) FROM joint_tasks WHERE state = 'done' AND on_time = 1"),
        ("joint_tasks_done_late", "SELECT COUNT(*) FROM joint_tasks WHERE state = 'done' AND on_time = 0"),
        ("joint_tasks_returned", "SELECT COUNT(*) FROM joint_tasks WHERE returns > 0"),
        ("joint_tasks_open", "SELECT COUNT(*) FROM joint_tasks WHERE state = 'open'"),
        ("joint_spot_checks_failing", "SELECT COUNT(*) FROM joint_spot_checks WHERE registered * 100 < 90 * checked"),
    ];
    let (rt, store) = open(dir);
    rt.block_on(async {
        let mut out = BTreeMap::new();
        for (name, sql) in QUERIES {
            let n: i64 = sqlx::query_scalar(sql)
                .fetch_one(store.pool())
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            out.insert(*name, n);
        }
        store.close().await;
        out
    })
}

#[test]
fn the_demo_citys_victims_report_their_cases_once() {
    let dir = tempfile::tempdir().unwrap();
    let started = fanzha_core::time::now_ms();
    run_demo(dir.path());
    let first = cases(dir.path());
    let history = registers(dir.path());
    for (name, n) in &history {
        assert!(*n > 0, "the history left {name} empty: {history:?}");
    }
    // The 110 reports (live and history); the history's 已被骗 feedbacks opened the others.
    let reports: Vec<&Case> = first.iter().filter(|c| c.source == "import").collect();
    let (live, past): (Vec<&Case>, Vec<&Case>) =
        reports.iter().partition(|c| c.reported_at >= started);
    assert!(!live.is_empty(), "no victim reported within the run");
    // The history's cases go back over the year before its months, none in the last two days.
    assert!(past.len() >= 12, "{} history cases", past.len());
    let day = 86_400_000;
    assert!(past.iter().all(|c| c.reported_at < started - 2 * day + day));
    assert!(past.iter().any(|c| c.reported_at < started - 365 * day));
    for c in &reports {
        assert!(c.loss_fen > 0, "{c:?}");
        assert!(c.narrative.contains("共计被骗"), "{}", c.narrative);
        assert!(c.report_no.as_deref().is_some_and(|n| n.starts_with('J')));
        assert_eq!(c.unit_code.len(), 12, "the victim's village");
        assert!(c.resident_id.is_some() && c.victim_account.is_some());
        assert!(c.occupation.is_some(), "the report states the occupation");
    }
    assert!(
        reports.iter().any(|c| c.fraud_type.is_some()),
        "the narratives are classified"
    );
    // The same city again: the reports made before open nothing new, and the history is
    // not written a second time.
    run_demo(dir.path());
    let second = cases(dir.path());
    assert_eq!(registers(dir.path()), history);
    let reported: Vec<_> = second.iter().filter_map(|c| c.report_no.clone()).collect();
    let mut numbers = reported.clone();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), reported.len(), "one case per report");
    assert_eq!(
        reported.len(),
        second.iter().filter(|c| c.source == "import").count(),
        "every 110 report has its number"
    );
    assert!(second.len() >= first.len());
}
