//! The official fraud types (诈骗类型) the campaigns follow, with the codes used in files.
//!
//! The codes are the same as the fraud-type classifier's (`order_brushing`, …), so truth files
//! and classifier output can be joined on them.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
}

impl FraudType {
    pub const ALL: [FraudType; 11] = [
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
        }
    }

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
        }
    }

    /// Default share of cases, in per-mille, after the Ministry of Public Security's published
    /// figures (see docs/simulation.md: order brushing about a third of cases; the five leading
    /// types together close to 80 %); the split below the first type is approximate.
    pub fn default_share_permille(self) -> u32 {
        match self {
            FraudType::OrderBrushing => 330,
            FraudType::FakeInvestment => 140,
            FraudType::FakeLoan => 130,
            FraudType::FakeCustomerService => 110,
            FraudType::ImpersonatingPolice => 80,
            FraudType::FakeCreditRepair => 50,
            FraudType::OnlineRomance => 40,
            FraudType::ImpersonatingAcquaintance => 40,
            FraudType::GameTrading => 30,
            FraudType::FakeShopping => 30,
            FraudType::Other => 20,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for FraudType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for FraudType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        FraudType::ALL
            .iter()
            .copied()
            .find(|t| t.code() == s || t.zh() == s)
            .ok_or_else(|| format!("unknown fraud type {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_one_and_codes_round_trip() {
        let total: u32 = FraudType::ALL
            .iter()
            .map(|t| t.default_share_permille())
            .sum();
        assert_eq!(total, 1000);
        for t in FraudType::ALL {
            assert_eq!(t.code().parse::<FraudType>(), Ok(t));
            assert_eq!(t.zh().parse::<FraudType>(), Ok(t));
            assert_eq!(FraudType::ALL[t.index()], t);
        }
        assert!("normal".parse::<FraudType>().is_err());
    }
}
