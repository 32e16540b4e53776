//! 带破/上级线索破案 of the history: now and then a station cracks another area's case while
//! working its own (带破外地案件), and the county solves a lead the province or the national
//! center sent down (上级下发线索) — a few a month, so that 打击成效's 共破获 and 综合破案率
//! differ from the local 破案率 as the bureaus' reports do.

use super::{History, Seeded};
use crate::error::CliError;
use fanzha_core::FraudType;
use fanzha_store::{NewSolvedElsewhere, SolvedElsewhereKind};
use rand::Rng;

/// Entries per 10,000 residents per month.
const PER_10K_MONTH: f64 = 1.5;

const ORIGINS: [&str; 8] = [
    "四川省成都市公安局",
    "广东省深圳市公安局",
    "湖南省长沙市公安局",
    "江苏省苏州市公安局",
    "河南省郑州市公安局",
    "福建省泉州市公安局",
    "浙江省反诈中心",
    "公安部刑侦局",
];

const TYPES: [FraudType; 5] = [
    FraudType::OrderBrushing,
    FraudType::FakeInvestment,
    FraudType::ImpersonatingPolice,
    FraudType::FakeCustomerService,
    FraudType::FakeLoan,
];

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let n = h.scaled(PER_10K_MONTH, 6);
    let scope = h.root_scope.clone();
    for i in 0..n {
        let upstream = i % 3 == 0;
        let (kind, unit, origin) = if upstream {
            let origin = ORIGINS[6 + h.rng.random_range(0..2)];
            (
                SolvedElsewhereKind::UpstreamLead,
                h.root.code.clone(),
                origin,
            )
        } else {
            let station = h.pick(&h.townships.clone()).code.clone();
            let origin = ORIGINS[h.rng.random_range(0..6)];
            (SolvedElsewhereKind::OtherArea, station, origin)
        };
        let solved_on = h.moment(1) / super::DAY_MS * super::DAY_MS - 8 * 3_600_000;
        let reference = match kind {
            SolvedElsewhereKind::UpstreamLead => {
                format!("XS{}{:03}", super::date_number(solved_on), i + 1)
            }
            SolvedElsewhereKind::OtherArea => {
                format!("A{}{:04}", 510_100 + i * 7, h.rng.random_range(1..9_999))
            }
        };
        let fraud_type = h.pick(&TYPES).code().to_string();
        let loss_fen = h.rng.random_range(5_000..300_000) * 100;
        h.store
            .solved_elsewhere()
            .record(
                &scope,
                &NewSolvedElsewhere {
                    unit_code: unit,
                    kind,
                    reference,
                    origin: origin.into(),
                    fraud_type: Some(fraud_type),
                    loss_fen,
                    solved_on,
                    note: if upstream {
                        "按上级线索落地核查，抓获嫌疑人".into()
                    } else {
                        "侦办本地案件时带破".into()
                    },
                    created_by: "commander".into(),
                },
                h.now,
            )
            .await?;
        out.solved_elsewhere += 1;
    }
    Ok(())
}
