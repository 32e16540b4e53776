//! 集群战役 of the history: two operations of the center launched from the largest recent
//! cases — one struck weeks ago and ended, its targets caught, located or not found by the
//! stations they landed on; one running, its strike day a few days ahead, most targets still
//! pending — so that `/operations` and the statistics show them.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{
    CaseFilter, NewOperation, NewTarget, PageRequest, SuspectMeasure, SuspectRole, TargetReport,
    TargetState,
};

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let mut cases = h
        .store
        .cases()
        .search(&scope, &CaseFilter::default(), &PageRequest::first(200))
        .await?
        .items;
    cases.retain(|c| c.reported_at < h.now - 10 * DAY_MS);
    cases.sort_by_key(|c| std::cmp::Reverse(c.loss_fen));
    let plans = [
        ("“断流”集群战役", 60, 50, true, 10),
        ("“利剑”集群战役", 6, -3, false, 8),
    ];
    for ((name, launched_days_ago, strike_days_ago, ended, targets), case) in
        plans.into_iter().zip(cases.iter())
    {
        let launched = (h.now - launched_days_ago * DAY_MS).max(case.reported_at + DAY_MS);
        let strike_at = h.now - strike_days_ago * DAY_MS;
        let store = h.store.clone();
        let ops = store.cluster_operations();
        let id = ops
            .launch(
                &scope,
                &NewOperation {
                    unit_code: h.root.code.clone(),
                    name: name.into(),
                    case_id: case.id.clone(),
                    strike_at,
                    goal: "同步收网，打掉为诈骗团伙取现、收贩卡的本地人员".into(),
                    by: "analyst".into(),
                    at: launched,
                },
            )
            .await?;
        let mut list = Vec::new();
        for _ in 0..targets {
            let p = h.resident(18..=45);
            let role = h.weighted(&[
                (SuspectRole::CashMule, 4),
                (SuspectRole::CardSeller, 4),
                (SuspectRole::MoneyLaunderer, 1),
                (SuspectRole::LeadGenerator, 1),
            ]);
            list.push(NewTarget {
                name: p.name.to_string(),
                resident_id: p.resident_id.to_string(),
                phone: p.msisdn.map(|m| m.0.to_string()),
                role,
                unit_code: None,
                clue: format!("案件{}资金流向/开户信息指向", case.id),
            });
        }
        ops.add_targets(&scope, id, &list, "analyst", launched)
            .await?;
        for (i, t) in ops.targets(&scope, id).await?.into_iter().enumerate() {
            // Before the strike day the stations have found some and caught none.
            let report = if ended {
                h.weighted(&[
                    (TargetState::Caught, 6),
                    (TargetState::Located, 1),
                    (TargetState::NotFound, 1),
                ])
            } else if i % 3 == 0 {
                TargetState::Located
            } else {
                TargetState::Pending
            };
            let at = if ended {
                strike_at + 6 * 3_600_000
            } else {
                h.now - DAY_MS
            };
            let (measure, note) = match report {
                TargetState::Pending => continue,
                TargetState::Caught => (
                    Some(h.weighted(&[
                        (SuspectMeasure::CriminalDetention, 6),
                        (SuspectMeasure::Bail, 2),
                        (SuspectMeasure::Administrative, 1),
                    ])),
                    String::new(),
                ),
                TargetState::NotFound => (None, "户籍地无人，已外出务工，去向待查".to_string()),
                _ => (None, "已摸清落脚点，收网日同步抓捕".to_string()),
            };
            ops.report(
                &scope,
                t.id,
                &TargetReport {
                    state: report,
                    measure,
                    measure_at: measure.map(|_| at),
                    note,
                    version: t.version,
                    by: "commander".into(),
                },
                at.max(launched),
            )
            .await?;
        }
        if ended {
            ops.end(&scope, id, "analyst", strike_at + 3 * DAY_MS)
                .await?;
        }
        out.operations += 1;
    }
    Ok(())
}
