//! Helpers shared by the CLI's end-to-end tests: run the binary on a fresh data directory and
//! read the JSON object it prints last.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

pub fn fanzha(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fanzha"))
        .current_dir(dir)
        .env_remove("FANZHA_DATABASE_URL")
        .env("FANZHA_DATA_DIR", dir.join("data"))
        .args(args)
        .output()
        .expect("run fanzha")
}

/// The JSON object on the last line of a successful run.
pub fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout.clone()).expect("utf-8");
    let last = stdout.lines().last().expect("output");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {last}"))
}
