//! `fanzha demo` for a few seconds of a fast simulated city: the platform starts on an empty
//! data directory, and the city's defrauded victims report to 110, each report a case at the
//! victim's village with the loss, a narrative and the named payee accounts — once, so a second
//! start opens no second case for the same report.

use fanzha_store::{Case, PageRequest, Scope, Store};
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

fn cases(dir: &Path) -> Vec<Case> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("data/fanzha.db").display());
    rt.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let page = store
            .cases()
            .list(&Scope::platform(), &PageRequest::first(10_000))
            .await
            .unwrap();
        store.close().await;
        page.items
    })
}

#[test]
fn the_demo_citys_victims_report_their_cases_once() {
    let dir = tempfile::tempdir().unwrap();
    run_demo(dir.path());
    let first = cases(dir.path());
    assert!(!first.is_empty(), "no victim reported within the run");
    for c in &first {
        assert!(c.loss_fen > 0, "{c:?}");
        assert!(c.narrative.contains("共计被骗"), "{}", c.narrative);
        assert!(c.report_no.as_deref().is_some_and(|n| n.starts_with('J')));
        assert_eq!(c.unit_code.len(), 12, "the victim's village");
        assert!(c.resident_id.is_some() && c.victim_account.is_some());
        assert!(c.occupation.is_some(), "the report states the occupation");
    }
    assert!(
        first.iter().any(|c| c.fraud_type.is_some()),
        "the narratives are classified"
    );
    // The same city again: the reports made before open nothing new.
    run_demo(dir.path());
    let second = cases(dir.path());
    let mut numbers: Vec<_> = second.iter().map(|c| c.report_no.clone()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), second.len(), "one case per report");
    assert!(second.len() >= first.len());
}
