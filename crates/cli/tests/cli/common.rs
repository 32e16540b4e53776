//! Helpers shared by the CLI's end-to-end tests: run the binary on a fresh data directory (or a
//! site with its own SQLite or PostgreSQL database) and read the JSON object it prints last.

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

/// One installation of the platform for a test: a working directory (its data directory is
/// `data/` in it) and its database.
pub struct Site {
    pub dir: std::path::PathBuf,
    pub url: String,
}

impl Site {
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_fanzha"))
            .current_dir(&self.dir)
            .env("FANZHA_DATA_DIR", self.dir.join("data"))
            .env("FANZHA_DATABASE_URL", &self.url)
            .env_remove("FANZHA_NATS_URL")
            .args(args)
            .output()
            .expect("run fanzha")
    }

    /// The JSON object a successful run prints last.
    pub fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let last = stdout.lines().last().unwrap_or_default().to_string();
        serde_json::from_str(&last).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    /// Checks the run fails with the error `code`; answers what it said.
    pub fn refused(&self, args: &[&str], code: &str) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            stderr.contains(&format!("error[{code}]")),
            "{args:?}: {stderr}"
        );
        stderr
    }
}

/// A fresh site under `root`: an SQLite file in its data directory, or — with the URL of a
/// PostgreSQL server — a database of its own there (names unique per run; the server's owner
/// drops them).
pub async fn new_site(root: &Path, name: &str, postgres: Option<&str>) -> Site {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let url = match postgres {
        None => format!("sqlite://{}?mode=rwc", dir.join("data/fanzha.db").display()),
        Some(admin) => {
            let db = format!(
                "fz_cli_{}_{}_{name}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos()
            );
            let pool = sqlx::PgPool::connect(admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {db}"))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
            format!("{base}/{db}")
        }
    };
    Site { dir, url }
}

/// The PostgreSQL server of `FANZHA_TEST_DATABASE_URL`; without it the test skips (printing
/// why), or fails under `FANZHA_REQUIRE_SERVICES=1`.
pub fn postgres_url() -> Option<String> {
    match std::env::var("FANZHA_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("FANZHA_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!("FANZHA_REQUIRE_SERVICES=1 but FANZHA_TEST_DATABASE_URL is not set");
            }
            eprintln!(
                "skipped: set FANZHA_TEST_DATABASE_URL=postgres://… to run against PostgreSQL"
            );
            None
        }
    }
}
