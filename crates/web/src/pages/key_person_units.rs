//! The key-person figures per unit directly below the one shown (按单位统计): for a county the
//! townships, for the city the counties — where dossiers are many, where visits lapse, where
//! people are involved again — with the same figures as the register's tiles.

use super::key_persons::Figures;
use crate::error::WebError;
use crate::export::Sheet;
use crate::i18n::Lang;
use crate::state::AppState;

/// One unit directly below, with the figures of its subtree.
pub(super) struct UnitLine {
    pub code: String,
    pub name: String,
    pub figures: Figures,
}

/// The units directly below `unit_code`, each with its subtree's figures at `now`.
pub(super) async fn unit_lines(
    state: &AppState,
    unit_code: &str,
    lang: Lang,
    now: i64,
    month: (i64, i64),
) -> Result<Vec<UnitLine>, WebError> {
    let mut lines = Vec::new();
    for child in state.store.units().children(unit_code).await? {
        let scope = state.store.units().scope(&child.code).await?;
        lines.push(UnitLine {
            figures: Figures::of(state, &scope, lang, now, month).await?,
            code: child.code,
            name: child.name,
        });
    }
    Ok(lines)
}

/// The per-unit table as an export sheet: the unit, then the figures.
pub(super) fn sheet(lang: Lang, lines: &[UnitLine]) -> Sheet {
    let heads: Vec<&str> = std::iter::once("unit").chain(Figures::KEYS).collect();
    let rows = lines
        .iter()
        .map(|l| {
            std::iter::once(l.name.clone())
                .chain(l.figures.values())
                .collect()
        })
        .collect();
    Sheet::new(lang, "units", "kpu_title", &heads, rows)
}
