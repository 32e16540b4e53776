//! Idempotent batch upserts: chunked multi-row `INSERT … ON CONFLICT DO UPDATE … WHERE changed`
//! inside one transaction.
//!
//! Hand-written rather than row-by-row because one statement per ~1,000 rows is what makes
//! million-row imports fast on SQLite (each statement is a round trip to its worker thread) and
//! on PostgreSQL (each is a network round trip). The `WHERE … IS DISTINCT FROM` clause makes an
//! unchanged row a no-op: re-importing a file touches nothing, not even `updated_at`.

use crate::dialect::Backend;
use crate::error::{StoreError, StoreResult};
use crate::sql::{Arg, Sql};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// How an existing row's column takes a new value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Merge {
    /// The new value wins, NULL included.
    Replace,
    /// The new value wins unless it is NULL: a sparse source never erases what a richer one
    /// filled in.
    KeepIfNull,
}

/// The shape of one upsertable table.
pub(crate) struct TableSpec {
    pub table: &'static str,
    /// The conflict key; every row's [`UpsertRow::key`].
    pub key: &'static str,
    /// The other columns, in the order of [`UpsertRow::values`].
    pub columns: &'static [(&'static str, Merge)],
}

/// One row to upsert.
pub(crate) struct UpsertRow<'a> {
    pub key: &'a str,
    pub values: Vec<Arg<'a>>,
}

/// What an upsert did, row by row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct UpsertOutcome {
    /// Rows whose key was new.
    pub inserted: u64,
    /// Existing rows that changed.
    pub updated: u64,
    /// Existing rows that already held these values.
    pub unchanged: u64,
    /// Rows dropped because a later row in the same batch had the same key (the later wins).
    pub duplicates: u64,
}

impl UpsertOutcome {
    pub fn add(&mut self, other: UpsertOutcome) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.duplicates += other.duplicates;
    }

    /// Rows written (inserted or changed).
    pub fn written(&self) -> u64 {
        self.inserted + self.updated
    }
}

/// Rows per statement: at most 100, and within the backend's bind-parameter limit. Measured on
/// SQLite: 100-row statements insert about 14 times faster than 1,000-row ones, whose binding
/// cost grows faster than linearly with the parameter count.
fn chunk_rows(backend: Backend, columns_per_row: usize) -> usize {
    ((backend.max_bind_params() - 1) / columns_per_row.max(1)).clamp(1, 100)
}

/// Keeps the last row of each key, at the position of its first occurrence.
fn dedupe(rows: Vec<UpsertRow<'_>>) -> (Vec<UpsertRow<'_>>, u64) {
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    let mut out: Vec<UpsertRow<'_>> = Vec::with_capacity(rows.len());
    let mut duplicates = 0;
    for row in rows {
        match position.get(row.key) {
            Some(&i) => {
                out[i] = row;
                duplicates += 1;
            }
            None => {
                position.insert(row.key, out.len());
                out.push(row);
            }
        }
    }
    (out, duplicates)
}

/// Upserts `rows` on an open connection (the caller owns the transaction).
pub(crate) async fn upsert_on(
    conn: &mut AnyConnection,
    backend: Backend,
    spec: &TableSpec,
    rows: Vec<UpsertRow<'_>>,
    now: i64,
) -> StoreResult<UpsertOutcome> {
    let (rows, duplicates) = dedupe(rows);
    let mut outcome = UpsertOutcome {
        duplicates,
        ..UpsertOutcome::default()
    };
    let per_row = 1 + spec.columns.len();
    for chunk in rows.chunks(chunk_rows(backend, per_row)) {
        let existing = count_existing(conn, spec, chunk).await?;
        let sql = insert_sql(spec, chunk, now);
        let written = sql
            .query()
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(spec.table))?
            .rows_affected();
        let total = chunk.len() as u64;
        let inserted = total - existing;
        outcome.inserted += inserted;
        outcome.updated += written.saturating_sub(inserted);
        outcome.unchanged += total - written.max(inserted);
    }
    Ok(outcome)
}

async fn count_existing(
    conn: &mut AnyConnection,
    spec: &TableSpec,
    chunk: &[UpsertRow<'_>],
) -> StoreResult<u64> {
    let mut sql = Sql::new(format!(
        "SELECT COUNT(*) AS n FROM {} WHERE {} IN (",
        spec.table, spec.key
    ));
    sql.args(chunk.iter().map(|r| r.key)).push(")");
    let n: i64 = sqlx::Row::try_get(
        &sql.query()
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::query(spec.table))?,
        "n",
    )
    .map_err(StoreError::query(spec.table))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn insert_sql<'a>(spec: &TableSpec, chunk: &[UpsertRow<'a>], now: i64) -> Sql<'a> {
    let per_row = 1 + spec.columns.len();
    let mut sql = Sql::with_capacity(256 + chunk.len() * per_row * 8, 1 + chunk.len() * per_row);
    // `now` is bound once and shared by every row's timestamps.
    let now_ref = sql.bind(now);
    sql.push("INSERT INTO ")
        .push(spec.table)
        .push(" (")
        .push(spec.key);
    for (c, _) in spec.columns {
        sql.push(", ").push(c);
    }
    sql.push(", created_at, updated_at) VALUES ");
    for (i, row) in chunk.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(").arg(row.key);
        for v in &row.values {
            sql.push(", ").arg(v.clone());
        }
        sql.push(", ")
            .push(&now_ref)
            .push(", ")
            .push(&now_ref)
            .push(")");
    }
    let t = spec.table;
    sql.push(" ON CONFLICT (")
        .push(spec.key)
        .push(") DO UPDATE SET ");
    for (i, (c, merge)) in spec.columns.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        match merge {
            Merge::Replace => sql.push(&format!("{c} = excluded.{c}")),
            Merge::KeepIfNull => sql.push(&format!("{c} = COALESCE(excluded.{c}, {t}.{c})")),
        };
    }
    sql.push(", updated_at = excluded.updated_at WHERE ");
    for (i, (c, merge)) in spec.columns.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        match merge {
            Merge::Replace => sql.push(&format!("{t}.{c} IS DISTINCT FROM excluded.{c}")),
            Merge::KeepIfNull => sql.push(&format!(
                "(excluded.{c} IS NOT NULL AND {t}.{c} IS DISTINCT FROM excluded.{c})"
            )),
        };
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: TableSpec = TableSpec {
        table: "t",
        key: "k",
        columns: &[("a", Merge::Replace), ("b", Merge::KeepIfNull)],
    };

    fn row(key: &str, a: i64) -> UpsertRow<'_> {
        UpsertRow {
            key,
            values: vec![Arg::Int(a), Arg::OptText(None)],
        }
    }

    #[test]
    fn later_rows_win_within_a_batch() {
        let (rows, dup) = dedupe(vec![row("x", 1), row("y", 2), row("x", 3)]);
        assert_eq!(dup, 1);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].key, "x");
        assert!(matches!(rows[0].values[0], Arg::Int(3)));
    }

    #[test]
    fn statement_shares_the_timestamp_and_skips_unchanged_rows() {
        let sql = insert_sql(&SPEC, &[row("x", 1), row("y", 2)], 7);
        assert_eq!(
            sql.text(),
            "INSERT INTO t (k, a, b, created_at, updated_at) VALUES ($2, $3, $4, $1, $1), \
             ($5, $6, $7, $1, $1) ON CONFLICT (k) DO UPDATE SET a = excluded.a, \
             b = COALESCE(excluded.b, t.b), updated_at = excluded.updated_at \
             WHERE t.a IS DISTINCT FROM excluded.a OR \
             (excluded.b IS NOT NULL AND t.b IS DISTINCT FROM excluded.b)"
        );
        assert_eq!(sql.arg_count(), 7);
    }

    #[test]
    fn chunks_respect_parameter_limits() {
        assert_eq!(chunk_rows(Backend::Sqlite, 12), 100);
        assert_eq!(chunk_rows(Backend::Sqlite, 1_000), 31);
        assert_eq!(chunk_rows(Backend::Postgres, 1_000), 64);
    }
}
