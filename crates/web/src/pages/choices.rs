//! The choices of the search forms' selects (unit, fraud type), shared by the lists that
//! search: warnings and cases.

use super::view::pick;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;
use fanzha_core::FraudType;

/// One choice of a select: value, label, selected.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One's own unit (value empty), its children, and `unit_code` when it lies deeper (reached
/// from a link), with `unit_code` selected.
pub async fn unit_choices(
    state: &AppState,
    own_unit: &str,
    unit_code: &str,
) -> Result<Vec<Choice>, WebError> {
    let mut units = vec![Choice {
        value: String::new(),
        label: state.unit_name(own_unit).await,
        selected: unit_code == own_unit,
    }];
    let mut listed_selected = unit_code == own_unit;
    for u in state.store.units().children(own_unit).await? {
        listed_selected |= u.code == unit_code;
        units.push(Choice {
            selected: u.code == unit_code,
            label: format!("└ {}", u.name),
            value: u.code,
        });
    }
    if !listed_selected {
        units.push(Choice {
            label: state.unit_name(unit_code).await,
            value: unit_code.to_string(),
            selected: true,
        });
    }
    Ok(units)
}

/// 类型待定 and every official fraud type, `selected` (a code or `untyped`) chosen.
pub fn fraud_type_choices(lang: Lang, selected: &str) -> Vec<Choice> {
    std::iter::once(("untyped", lang.t("fraud_type_untyped")))
        .chain(
            FraudType::FRAUD
                .iter()
                .map(|t| (t.code(), pick(lang, t.zh(), t.en()))),
        )
        .map(|(value, label)| Choice {
            selected: selected == value,
            value: value.to_string(),
            label: label.to_string(),
        })
        .collect()
}

/// A query value as given, trimmed; `None` when absent or blank.
pub fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Parses an optional query value with `parse`; an unknown one answers 400 naming `what`.
pub fn parse_or<T>(
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Result<Option<T>, WebError> {
    value
        .map(|v| parse(v).ok_or_else(|| WebError::BadRequest(format!("unknown {what} `{v}`"))))
        .transpose()
}

/// The options of a select over `all`, labelled by `label`, with `selected` marked.
pub fn choices<T: Copy + PartialEq>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).into(),
            label: label(*v).into(),
            selected: selected == Some(*v),
        })
        .collect()
}

/// A bank's name from the vendored reference table (its code when unknown).
pub fn bank_name(code: &str) -> String {
    fanzha_core::reference::bank_bins()
        .bank(code)
        .map(|b| b.name.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Every bank of the reference table as "name (code)", by name.
pub fn bank_choices() -> Vec<Choice> {
    let mut banks: Vec<Choice> = fanzha_core::reference::bank_bins()
        .banks()
        .iter()
        .map(|b| Choice {
            value: b.code.to_string(),
            label: format!("{} ({})", b.name, b.code),
            selected: false,
        })
        .collect();
    banks.sort_by(|a, b| a.label.cmp(&b.label));
    banks
}

/// The units a monthly figure may be entered for from a page on `unit`: itself (selected) and
/// the units directly below it.
pub async fn entry_unit_choices(
    state: &AppState,
    unit: &fanzha_store::Unit,
) -> Result<Vec<Choice>, WebError> {
    let mut out = vec![Choice {
        value: unit.code.clone(),
        label: unit.name.clone(),
        selected: true,
    }];
    for child in state.store.units().children(&unit.code).await? {
        out.push(Choice {
            value: child.code,
            label: format!("└ {}", child.name),
            selected: false,
        });
    }
    Ok(out)
}
