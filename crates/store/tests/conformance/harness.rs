//! One store per test: a temp-file SQLite database, or a fresh PostgreSQL schema that is dropped
//! when the test ends (so tests run in parallel and leave nothing behind).

use fanzha_store::{Store, StoreOptions};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Harness {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl Harness {
    pub async fn sqlite() -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let store = Store::open(&url).await.expect("open sqlite");
        Harness {
            store,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// `None` (with the reason printed) when no PostgreSQL is configured; panics instead when
    /// `FANZHA_REQUIRE_SERVICES=1`.
    pub async fn postgres() -> Option<Harness> {
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
        let store = Store::connect_with(StoreOptions::new(&url).schema(&schema))
            .await
            .expect("connect postgres");
        store.migrate().await.expect("migrate postgres");
        Some(Harness {
            store,
            _dir: None,
            pg: Some((url, schema)),
        })
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let Some((url, schema)) = self.pg.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread with its
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

/// Generates `sqlite::NAME` and `postgres::NAME` tests running `cases::NAME(&Store)`.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let h = $crate::harness::Harness::sqlite().await;
                    $crate::cases::$name(&h.store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(h) = $crate::harness::Harness::postgres().await else { return };
                    $crate::cases::$name(&h.store).await;
                }
            )*
        }
    };
}

/// Like `conformance!`, for cases kept in another module of this suite.
#[macro_export]
macro_rules! conformance_of {
    ($module:ident: $($name:ident),* $(,)?) => {
        mod suite {
            mod sqlite {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        let h = $crate::harness::Harness::sqlite().await;
                        $crate::$module::$name(&h.store).await;
                    }
                )*
            }
            mod postgres {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        let Some(h) = $crate::harness::Harness::postgres().await else { return };
                        $crate::$module::$name(&h.store).await;
                    }
                )*
            }
        }
    };
}
