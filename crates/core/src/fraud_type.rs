//! The official fraud types (诈骗类型) of the Ministry of Public Security's classification, plus
//! `Other` (fraud of another type) and `Normal` (not fraud). One definition for the whole
//! platform: simulator truth files, classifier labels, warnings and case records share these
//! codes, so they join on them.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FraudType {
    OrderBrushing,
    FakeInvestment,
    FakeLoan,
    FakeCustomerService,
    ImpersonatingPolice,
    FakeCreditRepair,
    OnlineRomance,
    ImpersonatingAcquaintance,
    GameTrading,
    FakeShopping,
    Other,
    Normal,
}

/// A label that names no fraud type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown fraud type `{label}`")]
pub struct UnknownFraudType {
    /// The label, cut to 40 characters.
    pub label: String,
}

impl FraudType {
    /// Every type, in the order of the official list (`Other` and `Normal` last).
    pub const ALL: [FraudType; 12] = [
        FraudType::OrderBrushing,
        FraudType::FakeInvestment,
        FraudType::FakeLoan,
        FraudType::FakeCustomerService,
        FraudType::ImpersonatingPolice,
        FraudType::FakeCreditRepair,
        FraudType::OnlineRomance,
        FraudType::ImpersonatingAcquaintance,
        FraudType::GameTrading,
        FraudType::FakeShopping,
        FraudType::Other,
        FraudType::Normal,
    ];

    /// The fraud types only (without `Normal`).
    pub const FRAUD: [FraudType; 11] = [
        FraudType::OrderBrushing,
        FraudType::FakeInvestment,
        FraudType::FakeLoan,
        FraudType::FakeCustomerService,
        FraudType::ImpersonatingPolice,
        FraudType::FakeCreditRepair,
        FraudType::OnlineRomance,
        FraudType::ImpersonatingAcquaintance,
        FraudType::GameTrading,
        FraudType::FakeShopping,
        FraudType::Other,
    ];

    /// The stable English code, used in files and JSON.
    pub fn code(self) -> &'static str {
        match self {
            FraudType::OrderBrushing => "order_brushing",
            FraudType::FakeInvestment => "fake_investment",
            FraudType::FakeLoan => "fake_loan",
            FraudType::FakeCustomerService => "fake_customer_service",
            FraudType::ImpersonatingPolice => "impersonating_police",
            FraudType::FakeCreditRepair => "fake_credit_repair",
            FraudType::OnlineRomance => "online_romance",
            FraudType::ImpersonatingAcquaintance => "impersonating_acquaintance",
            FraudType::GameTrading => "game_trading",
            FraudType::FakeShopping => "fake_shopping",
            FraudType::Other => "other",
            FraudType::Normal => "normal",
        }
    }

    /// The official Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            FraudType::OrderBrushing => "刷单返利",
            FraudType::FakeInvestment => "虚假投资理财",
            FraudType::FakeLoan => "虚假网络贷款",
            FraudType::FakeCustomerService => "冒充电商物流客服",
            FraudType::ImpersonatingPolice => "冒充公检法",
            FraudType::FakeCreditRepair => "虚假征信",
            FraudType::OnlineRomance => "网络婚恋交友",
            FraudType::ImpersonatingAcquaintance => "冒充领导熟人",
            FraudType::GameTrading => "网络游戏虚假交易",
            FraudType::FakeShopping => "虚假购物服务",
            FraudType::Other => "其他",
            FraudType::Normal => "正常",
        }
    }

    /// English name for the UI.
    pub fn en(self) -> &'static str {
        match self {
            FraudType::OrderBrushing => "Order brushing / rebates",
            FraudType::FakeInvestment => "Fake investment",
            FraudType::FakeLoan => "Fake online loan",
            FraudType::FakeCustomerService => "Fake customer service",
            FraudType::ImpersonatingPolice => "Impersonating police",
            FraudType::FakeCreditRepair => "Fake credit repair",
            FraudType::OnlineRomance => "Online romance",
            FraudType::ImpersonatingAcquaintance => "Impersonating a boss or friend",
            FraudType::GameTrading => "Game trading",
            FraudType::FakeShopping => "Fake shopping",
            FraudType::Other => "Other",
            FraudType::Normal => "Not fraud",
        }
    }

    /// Whether this is fraud at all.
    pub fn is_fraud(self) -> bool {
        self != FraudType::Normal
    }

    /// Dense index (position in [`FraudType::ALL`]).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Inverse of [`FraudType::index`].
    pub fn from_index(i: usize) -> Option<FraudType> {
        FraudType::ALL.get(i).copied()
    }

    /// Parses a label as written in data files and messages: the code, the Chinese name, or a
    /// common alias (other codes, category names of published fraud-text data sets).
    pub fn parse_label(label: &str) -> Result<FraudType, UnknownFraudType> {
        let l = label.trim();
        if let Some(t) = FraudType::ALL
            .iter()
            .find(|t| t.code().eq_ignore_ascii_case(l) || t.zh() == l)
        {
            return Ok(*t);
        }
        Ok(match l {
            "rebate_task" | "刷单返利类" | "刷单" => FraudType::OrderBrushing,
            "investment" | "虚假投资理财类" | "投资理财" => FraudType::FakeInvestment,
            "loan" | "贷款、代办信用卡类" | "虚假贷款" | "贷款" => {
                FraudType::FakeLoan
            }
            "customer_service" | "冒充客服服务" | "冒充客服" | "冒充电商物流客服类" => {
                FraudType::FakeCustomerService
            }
            "impersonate_police" | "冒充公检法及政府机关类" | "冒充公检法类" => {
                FraudType::ImpersonatingPolice
            }
            "fake_credit" | "虚假征信类" | "注销校园贷" => FraudType::FakeCreditRepair,
            "romance" | "网络婚恋、交友类" | "网络婚恋交友类" | "杀猪盘" => {
                FraudType::OnlineRomance
            }
            "impersonate_leader" | "冒充领导、熟人类" | "冒充熟人" | "冒充领导" => {
                FraudType::ImpersonatingAcquaintance
            }
            "game_trade" | "网络游戏产品虚假交易类" | "游戏交易" => {
                FraudType::GameTrading
            }
            "shopping" | "虚假购物服务类" | "虚假购物" => FraudType::FakeShopping,
            "其它" | "其他类" => FraudType::Other,
            "正常文本" | "非诈骗" | "not_fraud" => FraudType::Normal,
            _ => {
                return Err(UnknownFraudType {
                    label: l.chars().take(40).collect(),
                })
            }
        })
    }
}

impl fmt::Display for FraudType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for FraudType {
    type Err = UnknownFraudType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FraudType::parse_label(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_chinese_names_round_trip() {
        for t in FraudType::ALL {
            assert_eq!(FraudType::parse_label(t.code()), Ok(t));
            assert_eq!(FraudType::parse_label(t.zh()), Ok(t));
            assert_eq!(FraudType::from_index(t.index()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.code()));
        }
        assert_eq!(FraudType::FRAUD.len() + 1, FraudType::ALL.len());
        assert!(FraudType::FRAUD.iter().all(|t| t.is_fraud()));
    }

    #[test]
    fn research_set_labels_map_onto_official_types() {
        for (label, want) in [
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
        ] {
            assert_eq!(FraudType::parse_label(label), Ok(want), "{label}");
        }
        assert_eq!(
            FraudType::parse_label("天气预报"),
            Err(UnknownFraudType {
                label: "天气预报".into()
            })
        );
        assert_eq!(
            "刷单返利类".parse::<FraudType>(),
            Ok(FraudType::OrderBrushing)
        );
    }
}
