//! The official fraud types (诈骗类型) the campaigns follow, with the codes used in files.
//!
//! The type is the platform's one [`fanzha_core::FraudType`], so truth files and classifier
//! output join on the same codes (`order_brushing`, …). Campaigns only ever follow the fraud
//! types ([`FraudType::FRAUD`]); `Normal` never appears in a truth file. What the simulator adds
//! is the default share of cases per type ([`ShareOfCases`]) and a reader for the `fraud_type`
//! column ([`parse_fraud_type`]).

pub use fanzha_core::FraudType;

/// The simulator's default mix of cases over the fraud types.
pub trait ShareOfCases {
    /// Default share of cases, in per-mille, after the Ministry of Public Security's published
    /// figures (see docs/simulation.md: order brushing about a third of cases; the five leading
    /// types together close to 80 %); the split below the first type is approximate. `Normal`
    /// is no case: 0. The shares of [`FraudType::FRAUD`] sum to 1000.
    fn default_share_permille(self) -> u32;
}

impl ShareOfCases for FraudType {
    fn default_share_permille(self) -> u32 {
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
            FraudType::Normal => 0,
        }
    }
}

/// Reads a `fraud_type` value of a truth file: a code or Chinese name of one of the fraud types
/// (see [`FraudType::parse_label`]). `normal` is refused: every truth record is fraud.
pub fn parse_fraud_type(s: &str) -> Result<FraudType, String> {
    match FraudType::parse_label(s) {
        Ok(t) if t.is_fraud() => Ok(t),
        Ok(t) => Err(format!("`{}` is not a fraud type", t.code())),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_one_and_codes_round_trip() {
        let total: u32 = FraudType::FRAUD
            .iter()
            .map(|t| t.default_share_permille())
            .sum();
        assert_eq!(total, 1000);
        assert!(FraudType::FRAUD
            .iter()
            .all(|t| t.default_share_permille() > 0));
        assert_eq!(FraudType::Normal.default_share_permille(), 0);
        for t in FraudType::FRAUD {
            assert_eq!(parse_fraud_type(t.code()), Ok(t));
            assert_eq!(parse_fraud_type(t.zh()), Ok(t));
            assert_eq!(FraudType::FRAUD[t.index()], t);
        }
        assert!(parse_fraud_type("normal").is_err());
        assert!(parse_fraud_type("正常").is_err());
        assert!(parse_fraud_type("天气预报").is_err());
    }
}
