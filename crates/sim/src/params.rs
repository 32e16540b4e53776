//! What a simulation run is asked to produce.

use crate::error::SimError;
use crate::fraud_type::{FraudType, ShareOfCases};
use chrono::NaiveDate;

#[derive(Clone, Debug, PartialEq)]
pub struct SimParams {
    /// Division code of the region (county, city or province), e.g. `330281` (余姚市).
    pub region: String,
    pub people: u32,
    pub days: u32,
    pub seed: u64,
    /// First simulated day (local date, Asia/Shanghai).
    pub start: NaiveDate,
    /// Residents engaged by a fraud script (past the first contact) per 10,000 residents per
    /// year. The default matches the national rate of face-to-face dissuasions (the simulated
    /// city has no police, so all of them go on); see docs/simulation.md.
    pub victims_per_10k_year: f64,
    /// Residents who open cards or SIMs to sell (断卡) per 10,000 residents per year.
    pub card_sellers_per_10k_year: f64,
    /// Share of victims per fraud type, in per-mille, in the order of [`FraudType::FRAUD`]
    /// (index = `FraudType::index`).
    pub type_mix: [u32; 11],
}

impl Default for SimParams {
    fn default() -> Self {
        SimParams {
            region: "330281".into(),
            people: 10_000,
            days: 7,
            seed: 1,
            start: NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid date"),
            victims_per_10k_year: 100.0,
            card_sellers_per_10k_year: 40.0,
            type_mix: FraudType::FRAUD.map(|t| t.default_share_permille()),
        }
    }
}

impl SimParams {
    pub fn validate(&self) -> Result<(), SimError> {
        if self.people == 0 {
            return Err(SimError::Params("--people must be at least 1".into()));
        }
        if self.days == 0 {
            return Err(SimError::Params("--days must be at least 1".into()));
        }
        if self.people > 50_000_000 {
            return Err(SimError::Params("--people is limited to 50,000,000".into()));
        }
        if !(self.victims_per_10k_year >= 0.0 && self.victims_per_10k_year.is_finite()) {
            return Err(SimError::Params(
                "the victim rate must be a number ≥ 0".into(),
            ));
        }
        if !(self.card_sellers_per_10k_year >= 0.0 && self.card_sellers_per_10k_year.is_finite()) {
            return Err(SimError::Params(
                "the card-seller rate must be a number ≥ 0".into(),
            ));
        }
        if self.type_mix.iter().all(|&w| w == 0) {
            return Err(SimError::Params(
                "the fraud-type mix has no positive share".into(),
            ));
        }
        Ok(())
    }
}
