//! One store per test: a temp-file SQLite database, or a fresh PostgreSQL schema that is dropped
//! when the test ends (so tests run in parallel and leave nothing behind).

use fanzha_store::testing::TestDb;
use fanzha_store::Store;

/// A migrated store and the database it lives in (dropped with it).
pub struct Harness {
    pub store: Store,
    _db: TestDb,
}

impl Harness {
    pub async fn sqlite() -> Harness {
        let db = TestDb::sqlite();
        Harness {
            store: db.open().await,
            _db: db,
        }
    }

    /// `None` (with the reason printed) when no PostgreSQL is configured; panics instead when
    /// `FANZHA_REQUIRE_SERVICES=1`.
    pub async fn postgres() -> Option<Harness> {
        let db = TestDb::postgres()?;
        Some(Harness {
            store: db.open().await,
            _db: db,
        })
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
