//! One database per test, on SQLite (a temp file) or PostgreSQL (a fresh schema in the database
//! named by `FANZHA_TEST_DATABASE_URL`, dropped when the test ends) — for the integration tests
//! of every crate that runs on the store (its own conformance suite included).
//!
//! Without `FANZHA_TEST_DATABASE_URL`, [`TestDb::postgres`] prints why the test skips and returns
//! `None`; with `FANZHA_REQUIRE_SERVICES=1` it panics instead, so CI cannot skip silently.

use crate::{Store, StoreOptions};
use std::sync::atomic::{AtomicU64, Ordering};

/// A database for one test; reopenable, so restart tests can connect a second time.
pub struct TestDb {
    url: String,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        TestDb {
            url,
            schema: None,
            _dir: Some(dir),
        }
    }

    /// A fresh schema in the configured PostgreSQL; see the module documentation for `None`.
    pub fn postgres() -> Option<TestDb> {
        let url = match std::env::var("FANZHA_TEST_DATABASE_URL") {
            Ok(u) if !u.is_empty() => u,
            _ => {
                if std::env::var("FANZHA_REQUIRE_SERVICES").as_deref() == Ok("1") {
                    panic!("FANZHA_REQUIRE_SERVICES=1 but FANZHA_TEST_DATABASE_URL is not set");
                }
                eprintln!(
                    "skipped: set FANZHA_TEST_DATABASE_URL=postgres://… to run against PostgreSQL"
                );
                return None;
            }
        };
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let schema = format!(
            "fz_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        Some(TestDb {
            url,
            schema: Some(schema),
            _dir: None,
        })
    }

    /// Connects (again) without touching the schema.
    pub async fn connect(&self) -> Store {
        let mut options = StoreOptions::new(&self.url);
        if let Some(s) = &self.schema {
            options = options.schema(s);
        }
        Store::connect_with(options).await.expect("connect")
    }

    /// Connects (again) and brings the schema up to date.
    pub async fn open(&self) -> Store {
        let store = self.connect().await;
        store.migrate().await.expect("migrate");
        store
    }

    pub fn is_postgres(&self) -> bool {
        self.schema.is_some()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(schema) = self.schema.take() else {
            return;
        };
        let url = self.url.clone();
        // Drop may run inside the test's runtime, which cannot be blocked on: a thread with its
        // own runtime removes the schema.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                use sqlx::Connection;
                sqlx::any::install_default_drivers();
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&url).await {
                    let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                    let _ = sqlx::query(&sql).execute(&mut conn).await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

/// Generates `sqlite::NAME` and `postgres::NAME` tests running `async fn NAME(&TestDb)` from the
/// enclosing module.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(&$crate::testing::TestDb::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::testing::TestDb::postgres() else { return };
                    super::$name(&db).await;
                }
            )*
        }
    };
}
