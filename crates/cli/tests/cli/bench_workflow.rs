//! `fanzha bench workflow` end to end on SQLite: the platform served in-process, a commander
//! signing and recording outcomes over HTTP at two concurrency steps, figures as JSON.

use crate::common;

#[test]
fn signs_and_feedback_over_http_are_measured_per_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::fanzha(
        dir.path(),
        &[
            "bench",
            "workflow",
            "--backend",
            "sqlite",
            "--instructions",
            "50",
            "--concurrency",
            "1,4",
            "--json",
        ],
    );
    let j = common::json(&out);
    assert_eq!(j["requests_per_step"], 100, "{j}");
    let sqlite = &j["sqlite"];
    for step in ["c1", "c4"] {
        let s = &sqlite[step];
        let rps = s["req_per_s"].as_f64().unwrap_or(0.0);
        assert!(rps > 0.0, "{step}: {j}");
        assert!(
            s["direct_req_per_s"].as_f64().unwrap_or(0.0) > 0.0,
            "{step}: {j}"
        );
        let (p50, p99) = (s["p50_ms"].as_f64().unwrap(), s["p99_ms"].as_f64().unwrap());
        assert!(p50 > 0.0 && p50 <= p99, "{step}: {j}");
        assert!(s["http_over_direct"].as_f64().unwrap() > 0.0, "{step}: {j}");
    }
    assert!(j.get("postgres").is_none(), "{j}");
    assert!(sqlite["goal_met"].is_boolean(), "{j}");
}

#[test]
fn postgres_without_a_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fanzha"))
        .current_dir(dir.path())
        .env_remove("FANZHA_DATABASE_URL")
        .env_remove("FANZHA_TEST_DATABASE_URL")
        .env("FANZHA_DATA_DIR", dir.path().join("data"))
        .args(["bench", "workflow", "--backend", "postgres"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config_invalid"), "{stderr}");
}
