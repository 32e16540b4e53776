//! Bulk writing for file imports: the batches of one import share a transaction that is
//! committed every [`COMMIT_ROWS`] rows and at the end.
//!
//! Committing each reader batch (about 14,000 rows) on its own made SQLite write the index
//! pages touched by the batch to the write-ahead log again and again: with random keys every
//! batch touches most leaf pages of the three people indexes, so a million-row import wrote
//! the indexes to the log some seventy times (measured: 20 s of CPU for 1,000,000 rows
//! committed per 14,000, 11.5 s per 100,000, 9.6 s in one transaction). The import's rows
//! and its quarantine go through the same connection, so SQLite's single writer lock is never
//! waited for by the import itself.

use crate::accounts::{self, NewAccount};
use crate::dialect::Backend;
use crate::error::{StoreError, StoreResult};
use crate::imports::{add_quarantine_on, ImportRunId, QuarantineRow};
use crate::people::{self, NewPerson};
use crate::phones::{self, NewPhone};
use crate::store::{now_ms, Store};
use crate::upsert::{upsert_bulk, TableSpec, UpsertOutcome, UpsertRow};
use sqlx::pool::PoolConnection;
use sqlx::{Any, Database, Executor, TransactionManager};

type Tm = <Any as Database>::TransactionManager;

/// Rows written between commits.
pub const COMMIT_ROWS: usize = 100_000;

/// SQLite page cache of the import's connection, in KiB: the indexes of a million people
/// (about 110 MiB) stay in memory instead of being read back page by page for every batch.
/// An upper bound, not an allocation; the default is 2 MiB.
const SQLITE_IMPORT_CACHE_KIB: i64 = 256 * 1024;

/// Writes the batches of one import; see the module documentation. Dropping it without
/// [`ImportWriter::commit`] rolls back the rows written since the last commit (drop it inside
/// the Tokio runtime: the connection is closed by a task).
///
/// It works on a connection of its own, taken from the pool on first use and closed when the
/// writer is dropped, so that its larger page cache never outlives the import.
pub struct ImportWriter<'s> {
    store: &'s Store,
    conn: Option<PoolConnection<Any>>,
    in_tx: bool,
    /// SQLite: the store's in-process writer lock, held while a transaction is open.
    guard: Option<tokio::sync::MutexGuard<'s, ()>>,
    pending: usize,
    commit_rows: usize,
}

impl<'s> ImportWriter<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        ImportWriter {
            store,
            conn: None,
            in_tx: false,
            guard: None,
            pending: 0,
            commit_rows: COMMIT_ROWS,
        }
    }

    /// Commits after this many rows instead of [`COMMIT_ROWS`] (at least 1).
    pub fn commit_every(mut self, rows: usize) -> Self {
        self.commit_rows = rows.max(1);
        self
    }

    /// Upserts residents (as [`crate::People::upsert`]).
    pub async fn people(&mut self, batch: &[NewPerson]) -> StoreResult<UpsertOutcome> {
        self.upsert(&people::SPEC, people::upsert_rows(batch)?)
            .await
    }

    /// Upserts residents from an import whose rows carry only the yes/no columns `flags`
    /// names: the others keep what is stored (see [`people::PersonFlags`]).
    pub async fn people_from_file(
        &mut self,
        batch: &[NewPerson],
        flags: people::PersonFlags,
    ) -> StoreResult<UpsertOutcome> {
        self.upsert(
            people::import_spec_for(flags),
            people::import_rows(batch, flags)?,
        )
        .await
    }

    /// Upserts phone numbers (as [`crate::Phones::upsert`]).
    pub async fn phones(&mut self, batch: &[NewPhone]) -> StoreResult<UpsertOutcome> {
        self.upsert(&phones::SPEC, phones::upsert_rows(batch)?)
            .await
    }

    /// Upserts bank accounts (as [`crate::Accounts::upsert`]).
    pub async fn accounts(&mut self, batch: &[NewAccount]) -> StoreResult<UpsertOutcome> {
        self.upsert(&accounts::SPEC, accounts::upsert_rows(batch)?)
            .await
    }

    async fn upsert(
        &mut self,
        spec: &TableSpec,
        rows: Vec<UpsertRow<'_>>,
    ) -> StoreResult<UpsertOutcome> {
        let n = rows.len();
        let backend = self.store.backend();
        let tx = self.open().await?;
        let outcome = upsert_bulk(tx, backend, spec, rows, now_ms()).await?;
        self.written(n).await?;
        Ok(outcome)
    }

    /// Stores rejected rows of the run (as [`crate::Imports::add_quarantine`]).
    pub async fn quarantine(
        &mut self,
        run: ImportRunId,
        rows: &[QuarantineRow],
    ) -> StoreResult<u64> {
        let backend = self.store.backend();
        let tx = self.open().await?;
        let n = add_quarantine_on(tx, backend, run, rows).await?;
        self.written(rows.len()).await?;
        Ok(n)
    }

    /// Commits what is pending and closes the writer's connection.
    pub async fn commit(mut self) -> StoreResult<()> {
        self.commit_pending().await?;
        if let Some(conn) = self.conn.take() {
            conn.close()
                .await
                .map_err(StoreError::query("import.close"))?;
        }
        Ok(())
    }

    async fn open(&mut self) -> StoreResult<&mut sqlx::AnyConnection> {
        if self.conn.is_none() {
            let mut conn = self
                .store
                .pool()
                .acquire()
                .await
                .map_err(StoreError::query("import.acquire"))?;
            conn.close_on_drop();
            if self.store.backend() == Backend::Sqlite {
                conn.execute(format!("PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}").as_str())
                    .await
                    .map_err(StoreError::query("import.cache_size"))?;
            }
            self.conn = Some(conn);
        }
        let Some(conn) = self.conn.as_mut() else {
            unreachable!("acquired above")
        };
        if !self.in_tx {
            self.guard = self.store.write_guard().await;
            let statement = self.store.backend().begin_write_statement().map(Into::into);
            Tm::begin(&mut **conn, statement)
                .await
                .map_err(StoreError::query("import.begin"))?;
            self.in_tx = true;
        }
        Ok(&mut **conn)
    }

    async fn written(&mut self, rows: usize) -> StoreResult<()> {
        self.pending += rows;
        if self.pending >= self.commit_rows {
            self.commit_pending().await?;
        }
        Ok(())
    }

    async fn commit_pending(&mut self) -> StoreResult<()> {
        if let (true, Some(conn)) = (self.in_tx, self.conn.as_mut()) {
            Tm::commit(&mut **conn)
                .await
                .map_err(StoreError::query("import.commit"))?;
        }
        self.in_tx = false;
        self.guard = None;
        self.pending = 0;
        Ok(())
    }
}

impl Drop for ImportWriter<'_> {
    fn drop(&mut self) {
        if let (true, Some(conn)) = (self.in_tx, self.conn.as_mut()) {
            // Queued; runs before the connection is closed.
            Tm::start_rollback(&mut **conn);
        }
    }
}
