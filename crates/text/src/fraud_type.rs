//! The official fraud types (诈骗类型) plus `other` and `normal` (not fraud): the platform's one
//! [`fanzha_core::FraudType`], so classifier labels join simulator truth, warnings and cases on
//! the same codes. This module adds the text crate's error for a label that names no type.

pub use fanzha_core::fraud_type::UnknownFraudType;
pub use fanzha_core::FraudType;

use crate::error::TextError;

impl From<UnknownFraudType> for TextError {
    fn from(e: UnknownFraudType) -> Self {
        TextError::UnknownLabel { label: e.label }
    }
}

/// Parses a label as written in data files: the code, the Chinese name, or a common alias (other
/// codes and the category names used in published fraud-text data sets), as
/// [`FraudType::parse_label`] does, with the error as [`TextError::UnknownLabel`].
pub fn parse_label(label: &str) -> Result<FraudType, TextError> {
    Ok(FraudType::parse_label(label)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_chinese_name_round_trip() {
        for t in FraudType::ALL {
            assert_eq!(parse_label(t.code()).unwrap(), t);
            assert_eq!(parse_label(t.zh()).unwrap(), t);
            assert_eq!(FraudType::from_index(t.index()), Some(t));
        }
    }

    #[test]
    fn research_set_labels_map_onto_official_types() {
        // The full alias table is tested with `FraudType::parse_label` in fanzha-core; here, that
        // the text crate's reader accepts the aliases of the research data sets at all.
        assert_eq!(parse_label("正常文本").unwrap(), FraudType::Normal);
        assert_eq!(
            parse_label("网络游戏产品虚假交易类").unwrap(),
            FraudType::GameTrading
        );
        assert_eq!(
            parse_label("rebate_task").unwrap(),
            FraudType::OrderBrushing
        );
    }

    #[test]
    fn unknown_label_is_a_typed_error() {
        match parse_label("天气预报") {
            Err(TextError::UnknownLabel { label }) => assert_eq!(label, "天气预报"),
            other => panic!("want UnknownLabel, got {other:?}"),
        }
    }
}
