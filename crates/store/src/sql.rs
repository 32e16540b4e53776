//! A small SQL text builder that numbers placeholders `$1, $2, …` as values are added.
//!
//! Hand-written because sqlx's `QueryBuilder` renders `?` placeholders for the `Any` driver,
//! which PostgreSQL rejects; `$n` is understood by both backends.

use sqlx::any::{Any, AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::Row;
use std::borrow::Cow;

/// One bound value. Borrowed where possible so that bulk inserts copy no strings.
#[derive(Clone, Debug)]
pub(crate) enum Arg<'a> {
    Text(Cow<'a, str>),
    OptText(Option<Cow<'a, str>>),
    Int(i64),
    OptInt(Option<i64>),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}
impl<'a> From<String> for Arg<'a> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}
impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(s: Option<&'a str>) -> Self {
        Arg::OptText(s.map(Cow::Borrowed))
    }
}
impl<'a> From<i64> for Arg<'a> {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl<'a> From<Option<i64>> for Arg<'a> {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}
impl<'a> From<bool> for Arg<'a> {
    fn from(v: bool) -> Self {
        Arg::Int(i64::from(v))
    }
}

/// SQL text plus its arguments in placeholder order.
#[derive(Debug, Default)]
pub(crate) struct Sql<'a> {
    text: String,
    args: Vec<Arg<'a>>,
}

impl<'a> Sql<'a> {
    pub fn new(text: impl Into<String>) -> Self {
        Sql {
            text: text.into(),
            args: Vec::new(),
        }
    }

    pub fn with_capacity(text_bytes: usize, args: usize) -> Self {
        Sql {
            text: String::with_capacity(text_bytes),
            args: Vec::with_capacity(args),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn arg(&mut self, value: impl Into<Arg<'a>>) -> &mut Self {
        self.args.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// Binds `value` without writing its placeholder; returns the placeholder (`$n`) to write,
    /// possibly several times.
    pub fn bind(&mut self, value: impl Into<Arg<'a>>) -> String {
        self.args.push(value.into());
        format!("${}", self.args.len())
    }

    /// `$a, $b, …` for each value.
    pub fn args<I, V>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator<Item = V>,
        V: Into<Arg<'a>>,
    {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.arg(v);
        }
        self
    }

    #[cfg(test)]
    pub fn text(&self) -> &str {
        &self.text
    }

    #[cfg(test)]
    pub fn arg_count(&self) -> usize {
        self.args.len()
    }

    /// The sqlx query with every argument bound.
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_ref()),
                Arg::OptText(s) => q.bind(s.as_deref()),
                Arg::Int(v) => q.bind(*v),
                Arg::OptInt(v) => q.bind(*v),
            };
        }
        q
    }

    /// Runs the query on `pool` and decodes every row with `decode`; a failure names `ctx`.
    pub(crate) async fn fetch_decoded<T>(
        &self,
        pool: &sqlx::AnyPool,
        ctx: &'static str,
        decode: impl Fn(&AnyRow) -> Result<T, sqlx::Error>,
    ) -> crate::error::StoreResult<Vec<T>> {
        let rows = self
            .query()
            .fetch_all(pool)
            .await
            .map_err(crate::error::StoreError::query(ctx))?;
        rows.iter()
            .map(decode)
            .collect::<Result<Vec<_>, _>>()
            .map_err(crate::error::StoreError::query(ctx))
    }

    /// Runs the query on `pool` for at most one row and decodes it with `decode`; `missing`
    /// when there is none (a record absent or outside the reader's scope).
    pub(crate) async fn fetch_one_decoded<T>(
        &self,
        pool: &sqlx::AnyPool,
        ctx: &'static str,
        decode: impl Fn(&AnyRow) -> Result<T, sqlx::Error>,
        missing: impl FnOnce() -> crate::error::StoreError,
    ) -> crate::error::StoreResult<T> {
        let row = self
            .query()
            .fetch_optional(pool)
            .await
            .map_err(crate::error::StoreError::query(ctx))?
            .ok_or_else(missing)?;
        decode(&row).map_err(crate::error::StoreError::query(ctx))
    }
}

/// Reads a column, naming the column in the error.
pub(crate) fn col<'r, T>(row: &'r AnyRow, name: &'static str) -> Result<T, sqlx::Error>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get(name)
}

/// Reads a 0/1 flag column as `bool`.
pub(crate) fn flag(row: &AnyRow, name: &'static str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<i64, _>(name)? != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut s = Sql::new("SELECT * FROM t WHERE a = ");
        s.arg("x").push(" AND b IN (").args([1i64, 2, 3]).push(")");
        assert_eq!(
            s.text(),
            "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3, $4)"
        );
        assert_eq!(s.arg_count(), 4);
    }
}
