//! The `group` filter of the case list and the instruction queue: an analysis group
//! (分类研判组) of the viewer's area stands for its fraud types, in its unit's area.

use super::choices::Choice;
use crate::error::WebError;
use crate::state::AppState;
use fanzha_store::{AnalysisGroup, FraudTypeFilter, Scope};

/// The group `id` of the viewer's area (404 when it lies outside).
pub async fn group_of(
    state: &AppState,
    own_unit: &str,
    id: i64,
) -> Result<AnalysisGroup, WebError> {
    let scope = state.scope_of(own_unit).await?;
    Ok(state.store.analysis_groups().get(&scope, id).await?)
}

/// The stored spellings the group stands for, within a fraud-type filter already chosen: the
/// group's types, or those of them the filter names (none for 类型待定, which no group holds).
pub fn within_group(filter: Option<FraudTypeFilter>, group: &AnalysisGroup) -> FraudTypeFilter {
    let labels = group.type_labels();
    FraudTypeFilter::AnyOf(match filter {
        None => labels,
        Some(FraudTypeFilter::Untyped) => Vec::new(),
        Some(FraudTypeFilter::AnyOf(asked)) => {
            labels.into_iter().filter(|l| asked.contains(l)).collect()
        }
    })
}

/// The active groups of the viewer's area for a select, `selected` marked.
pub async fn group_choices(
    state: &AppState,
    scope: &Scope,
    selected: Option<i64>,
) -> Result<Vec<Choice>, WebError> {
    Ok(state
        .store
        .analysis_groups()
        .list(scope, false)
        .await?
        .into_iter()
        .map(|g| Choice {
            value: g.id.to_string(),
            label: g.name,
            selected: Some(g.id) == selected,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_core::FraudType;

    fn group() -> AnalysisGroup {
        AnalysisGroup {
            id: 1,
            unit_code: "3302".into(),
            name: "刷单返利研判组".into(),
            fraud_types: vec![FraudType::OrderBrushing, FraudType::GameTrading],
            lead: "a".into(),
            members: vec!["a".into()],
            active: true,
            version: 1,
            created_by: "a".into(),
            created_at: 0,
            updated_by: "a".into(),
            updated_at: 0,
        }
    }

    #[test]
    fn a_group_narrows_the_chosen_type_to_its_own() {
        let FraudTypeFilter::AnyOf(all) = within_group(None, &group()) else {
            panic!()
        };
        assert!(
            all.contains(&"order_brushing".to_string()) && all.contains(&"刷单返利".to_string())
        );
        assert!(all.contains(&"game_trading".to_string()));
        let asked = FraudTypeFilter::AnyOf(vec!["game_trading".into(), "fake_loan".into()]);
        assert_eq!(
            within_group(Some(asked), &group()),
            FraudTypeFilter::AnyOf(vec!["game_trading".into()])
        );
        assert_eq!(
            within_group(Some(FraudTypeFilter::Untyped), &group()),
            FraudTypeFilter::AnyOf(Vec::new())
        );
    }
}
