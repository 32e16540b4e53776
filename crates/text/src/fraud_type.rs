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
        let cases = [
            ("正常文本", FraudType::Normal),
            ("刷单返利类", FraudType::OrderBrushing),
            ("贷款、代办信用卡类", FraudType::FakeLoan),
            ("网络游戏产品虚假交易类", FraudType::GameTrading),
            ("冒充领导、熟人类", FraudType::ImpersonatingAcquaintance),
            ("冒充公检法及政府机关类", FraudType::ImpersonatingPolice),
            ("冒充客服服务", FraudType::FakeCustomerService),
            ("网络婚恋、交友类", FraudType::OnlineRomance),
            ("rebate_task", FraudType::OrderBrushing),
            ("romance", FraudType::OnlineRomance),
        ];
        for (label, want) in cases {
            assert_eq!(parse_label(label).unwrap(), want, "{label}");
        }
    }

    #[test]
    fn unknown_label_is_a_typed_error() {
        match parse_label("天气预报") {
            Err(TextError::UnknownLabel { label }) => assert_eq!(label, "天气预报"),
            other => panic!("want UnknownLabel, got {other:?}"),
        }
    }
}
