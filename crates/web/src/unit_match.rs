//! The unit a list's cell names inside an importer's area: a unit's code, or the exact name of
//! one unit of the area (names repeat across townships: 新建社区). Shared by the imports whose
//! rows name a unit; each maps the misses to its own reasons.

use crate::error::WebError;
use crate::state::AppState;
use fanzha_store::Scope;

/// Why a cell names no unit of the area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitMiss {
    /// Neither a code nor a name of any unit.
    Unknown,
    /// Only units outside the area have that code or name.
    Outside,
    /// Several units of the area have that name: only a code tells them apart.
    Ambiguous,
}

/// The code of the unit `cell` names inside `scope`, or why there is none.
pub async fn unit_in_area(
    state: &AppState,
    scope: &Scope,
    cell: &str,
) -> Result<Result<String, UnitMiss>, WebError> {
    let named = state.store.units().by_code_or_name(cell).await?;
    let inside: Vec<_> = named
        .iter()
        .filter(|u| scope.contains_path(&u.path))
        .collect();
    Ok(match inside.as_slice() {
        [one] => Ok(one.code.clone()),
        [] if named.is_empty() => Err(UnitMiss::Unknown),
        [] => Err(UnitMiss::Outside),
        _ => Err(UnitMiss::Ambiguous),
    })
}
