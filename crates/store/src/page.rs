//! Keyset paging: a page is "the next `limit` rows after this key", which stays fast and stable
//! however deep the reader goes (no OFFSET scans, no rows skipped when others are inserted).

/// The most rows one page may hold.
pub const MAX_PAGE: u32 = 10_000;

/// Which page to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest<K = String> {
    /// Start after this key (exclusive); `None` for the first page.
    pub after: Option<K>,
    /// Rows per page, clamped to `1..=MAX_PAGE`.
    pub limit: u32,
}

impl<K> PageRequest<K> {
    pub fn first(limit: u32) -> Self {
        PageRequest { after: None, limit }
    }

    pub fn after(key: K, limit: u32) -> Self {
        PageRequest {
            after: Some(key),
            limit,
        }
    }

    pub(crate) fn clamped_limit(&self) -> i64 {
        i64::from(self.limit.clamp(1, MAX_PAGE))
    }
}

/// One page of rows and the key to ask for the next one.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Page<T, K = String> {
    pub items: Vec<T>,
    /// `Some(key)` when more rows follow: pass it as [`PageRequest::after`].
    pub next: Option<K>,
}

impl<T, K> Page<T, K> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says that more follow.
    pub(crate) fn from_overfetch(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> K) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(key)
        } else {
            None
        };
        Page { items: rows, next }
    }
}

/// Splits a `"<epoch ms>/<id>"` page key, as lists ordered by time and id hand out.
pub(crate) fn split_time_key(key: &str) -> Option<(i64, &str)> {
    let (at, id) = key.split_once('/')?;
    Some((at.parse().ok()?, id))
}

/// Ends a register's list query newest first by `time_col`, then `id_col` (an integer id):
/// the rows after the page key `after` (`<time>/<id>`, see [`split_time_key`]), in that order,
/// one more than `limit` (see [`Page::from_overfetch`]).
pub(crate) fn push_newest_first(
    sql: &mut crate::sql::Sql<'_>,
    after: Option<&str>,
    time_col: &str,
    id_col: &str,
    limit: i64,
) -> crate::error::StoreResult<()> {
    if let Some(after) = after {
        let (at, id) = split_time_key(after)
            .and_then(|(at, id)| Some((at, id.parse::<i64>().ok()?)))
            .ok_or_else(|| {
                crate::error::StoreError::invalid("after", "not a page key of this list")
            })?;
        let at = sql.bind(at);
        let id = sql.bind(id);
        sql.push(&format!(
            " AND ({time_col} < {at} OR ({time_col} = {at} AND {id_col} < {id}))"
        ));
    }
    sql.push(&format!(" ORDER BY {time_col} DESC, {id_col} DESC LIMIT "))
        .arg(limit + 1);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overfetched_row_becomes_the_next_key() {
        let p = Page::from_overfetch(vec![1, 2, 3], 2, |v: &i32| *v);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next, Some(2));
        let last = Page::from_overfetch(vec![1, 2], 2, |v: &i32| *v);
        assert_eq!(last.next, None);
    }

    #[test]
    fn limit_is_clamped() {
        assert_eq!(PageRequest::<String>::first(0).clamped_limit(), 1);
        assert_eq!(
            PageRequest::<String>::first(u32::MAX).clamped_limit(),
            i64::from(MAX_PAGE)
        );
    }
}
