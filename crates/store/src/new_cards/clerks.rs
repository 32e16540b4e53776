//! 谁办卡、谁负责: the clerks (经办人) whose new cards later turned up in cases, were found sold,
//! or were closed within weeks — below the outlet ranking, the people a bank is asked about.

use super::{push_viewer, ranking_counts, CardKind, NewCards};
use crate::error::{StoreError, StoreResult};
use crate::sql::{col, Sql};
use crate::stop_payments::Viewer;

/// The new cards one clerk of an outlet opened in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClerkCardFigures {
    pub bank_code: String,
    pub bank_name: String,
    pub outlet: String,
    pub clerk: String,
    pub screened: i64,
    pub card_seller: i64,
    pub involved: i64,
    /// Closed within [`SHORT_LIVED_DAYS`](fanzha_screen::SHORT_LIVED_DAYS) days of opening.
    pub short_lived: i64,
}

impl NewCards<'_> {
    /// The clerks whose cards of `kind` opened in `[from, to)` (those the viewer may read) were
    /// later used in fraud or found sold, or two or more closed within [`SHORT_LIVED_DAYS`](fanzha_screen::SHORT_LIVED_DAYS)
    /// days: at most `limit`, ranked like the outlets. Cards whose list named no clerk are left
    /// out.
    pub async fn clerk_figures(
        &self,
        viewer: &Viewer,
        kind: CardKind,
        from: i64,
        to: i64,
        limit: usize,
    ) -> StoreResult<Vec<ClerkCardFigures>> {
        let q = "new_cards.clerks";
        let mut sql = Sql::new(format!(
            "SELECT n.bank_code AS bank_code, MAX(n.bank_name) AS bank_name, n.outlet AS outlet, \
             n.clerk AS clerk, {} FROM new_cards n WHERE ",
            ranking_counts(self.store.backend())
        ));
        push_viewer(&mut sql, viewer);
        sql.push(" AND n.kind = ")
            .arg(kind.as_str())
            .push(" AND n.clerk <> '' AND n.opened_at >= ")
            .arg(from)
            .push(" AND n.opened_at < ")
            .arg(to)
            .push(" GROUP BY n.bank_code, n.outlet, n.clerk");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(q))?;
        let mut out = Vec::new();
        for row in &rows {
            let c = ClerkCardFigures {
                bank_code: col(row, "bank_code").map_err(StoreError::query(q))?,
                bank_name: col(row, "bank_name").map_err(StoreError::query(q))?,
                outlet: col(row, "outlet").map_err(StoreError::query(q))?,
                clerk: col(row, "clerk").map_err(StoreError::query(q))?,
                screened: col(row, "screened").map_err(StoreError::query(q))?,
                card_seller: col(row, "sellers").map_err(StoreError::query(q))?,
                involved: col(row, "involved").map_err(StoreError::query(q))?,
                short_lived: col(row, "short_lived").map_err(StoreError::query(q))?,
            };
            if c.involved > 0 || c.card_seller > 0 || c.short_lived >= 2 {
                out.push(c);
            }
        }
        out.sort_by(|a, b| {
            b.involved
                .cmp(&a.involved)
                .then(b.card_seller.cmp(&a.card_seller))
                .then(b.short_lived.cmp(&a.short_lived))
                .then(b.screened.cmp(&a.screened))
                .then(a.bank_code.cmp(&b.bank_code))
                .then(a.outlet.cmp(&b.outlet))
                .then(a.clerk.cmp(&b.clerk))
        });
        out.truncate(limit);
        Ok(out)
    }
}
