//! 分类研判组 at the root: four groups of the center's analysts, each covering related fraud
//! types, led by the demo analyst or the center's commander. Set up once; a group whose name
//! the root already has is left as it is.

use super::{History, Seeded};
use crate::error::CliError;
use fanzha_core::FraudType::{self, *};
use fanzha_store::{NewAnalysisGroup, StoreError};

/// (name, types, lead, members).
const GROUPS: [(&str, &[FraudType], &str, &[&str]); 4] = [
    (
        "刷单返利研判组",
        &[OrderBrushing, FakeShopping, GameTrading],
        "analyst",
        &["commander"],
    ),
    (
        "投资理财研判组",
        &[FakeInvestment, FakeLoan, FakeCreditRepair],
        "commander",
        &["analyst"],
    ),
    (
        "冒充类研判组",
        &[
            ImpersonatingPolice,
            ImpersonatingAcquaintance,
            FakeCustomerService,
        ],
        "analyst",
        &[],
    ),
    (
        "婚恋交友研判组",
        &[OnlineRomance, Other],
        "commander",
        &["analyst"],
    ),
];

pub(crate) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let repo = h.store.analysis_groups();
    let existing = repo.list(&h.root_scope, false).await?;
    for (name, types, lead, members) in GROUPS {
        if existing.iter().any(|g| g.name == name) {
            continue;
        }
        let new = NewAnalysisGroup {
            unit_code: h.root.code.clone(),
            name: name.to_string(),
            fraud_types: types.to_vec(),
            lead: lead.to_string(),
            members: members.iter().map(|m| m.to_string()).collect(),
            by: "admin".into(),
            at: h.start,
        };
        match repo.create(&h.root_scope, &new).await {
            Ok(_) => out.analysis_groups += 1,
            // A root whose own groups already hold the types, or demo users missing: the
            // groups are the center's to set up then.
            Err(StoreError::TypeCovered { .. } | StoreError::Invalid { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
