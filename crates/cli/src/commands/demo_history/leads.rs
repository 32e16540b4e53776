//! 两卡线索 and 号码处置 of the history: monthly batches of card and roaming leads from the
//! ministry and the province, checked by the stations (the last weeks' still open), and the
//! fraud numbers the center asked the operators to shut down, answered.

use super::{month_words, History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{
    DisposalAnswer, DisposalMeasure, LeadKind, LeadResult, LeadSource, NewNumberDisposal,
    NewTwoCardLead,
};
use rand::Rng;

/// Leads per 10,000 residents per month, and number disposals.
const LEADS_PER_10K_MONTH: f64 = 10.0;
const DISPOSALS_PER_10K_MONTH: f64 = 3.0;

pub(crate) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    leads(h, out).await?;
    disposals(h, out).await
}

async fn leads(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let per_batch =
        (h.scaled(LEADS_PER_10K_MONTH, 4 * h.months as usize) / h.months as usize).max(4);
    let months = h.month_list(0);
    let scope = h.root_scope.clone();
    let root = h.root.code.clone();
    for (m, month) in months.iter().enumerate() {
        let received =
            (super::month_start(*month) + h.rng.random_range(2..9) * DAY_MS).max(h.start);
        if received >= h.now - DAY_MS {
            continue;
        }
        let source = if m % 3 == 2 {
            LeadSource::Province
        } else {
            LeadSource::National
        };
        let batch = format!("{}{}两卡线索", month_words(*month), source.zh());
        let mut leads = Vec::with_capacity(per_batch);
        for i in 0..per_batch {
            let kind = h.weighted(&[
                (LeadKind::BankCard, 5),
                (LeadKind::Sim, 3),
                (LeadKind::Roaming, 2),
            ]);
            let person = h.resident(18..=45);
            let (number, reason, place) = match kind {
                LeadKind::BankCard => {
                    let Some(card) = super::card_of(person) else {
                        continue;
                    };
                    let why = h.pick(&[
                        "开卡后短期内大额快进快出",
                        "账户接收涉诈资金",
                        "短期内多家银行开卡",
                    ]);
                    (card, why.to_string(), String::new())
                }
                LeadKind::Sim | LeadKind::Roaming => {
                    let Some(phone) = super::phone_of(person) else {
                        continue;
                    };
                    if kind == LeadKind::Sim {
                        let why = h.pick(&[
                            "号码被用于拨打诈骗电话",
                            "一证多卡，异地使用",
                            "号码用于注册涉诈账号",
                        ]);
                        (phone, why.to_string(), String::new())
                    } else {
                        let place =
                            h.pick(&["缅甸妙瓦底", "柬埔寨西港", "菲律宾马尼拉", "缅甸小勐拉"]);
                        (
                            phone,
                            "号码在境外高危地区漫游".to_string(),
                            place.to_string(),
                        )
                    }
                }
            };
            leads.push(NewTwoCardLead {
                kind,
                number,
                resident_id: person.resident_id.to_string(),
                holder_name: person.name.to_string(),
                reason,
                source,
                batch: batch.clone(),
                upstream_id: format!("XS{month}{i:04}"),
                place,
            });
        }
        let import = h
            .store
            .two_card_leads()
            .import(&scope, &root, &leads, "analyst", received, 15)
            .await?;
        out.leads += import.ids.len();
        for id in import.ids {
            // Checked within the 15 days, mostly; the last weeks' leads partly still open.
            let checked_at = h.after(received, 20, DAY_MS);
            if checked_at >= h.now - 14 * DAY_MS && h.chance(0.5) {
                continue;
            }
            let lead = h.store.two_card_leads().get(&scope, id).await?;
            let result = match lead.kind {
                LeadKind::Roaming => h.weighted(&[
                    (LeadResult::Travel, 4),
                    (LeadResult::Abroad, 3),
                    (LeadResult::Returned, 3),
                ]),
                _ => h.weighted(&[
                    (LeadResult::Normal, 11),
                    (LeadResult::Lent, 3),
                    (LeadResult::Sold, 2),
                    (LeadResult::Cancelled, 2),
                    (LeadResult::NotFound, 1),
                    (LeadResult::Other, 1),
                ]),
            };
            let note = match result {
                LeadResult::Other => "本人已搬离，正在联系家属核实",
                LeadResult::Sold => "本人承认以800元价格出售银行卡",
                LeadResult::Lent => "本人承认将卡出借给朋友使用",
                _ => "",
            };
            // Checked by the station of the lead's unit.
            let township = h.township(&lead.unit_code).to_string();
            let checker = h.scope(&township).await?;
            h.store
                .two_card_leads()
                .record_result(&checker, id, result, note, "station", checked_at)
                .await?;
        }
    }
    Ok(())
}

async fn disposals(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let n = h.scaled(DISPOSALS_PER_10K_MONTH, 6);
    let scope = h.root_scope.clone();
    let root = h.root.code.clone();
    for _ in 0..n {
        let number = h.suspect_number();
        let measure = h.weighted(&[
            (DisposalMeasure::Shutdown, 6),
            (DisposalMeasure::RestrictOutgoing, 3),
            (DisposalMeasure::Intercept, 1),
        ]);
        let at = h.moment(1);
        let urgent = h.chance(0.3);
        let reason = h
            .pick(&[
                "冒充客服拨打诈骗电话，多名群众报警",
                "涉案号码，被害人报案称对方以刷单返利实施诈骗",
                "短时间内大量呼叫本市老年群体",
            ])
            .to_string();
        let requested = h
            .store
            .number_disposals()
            .request(
                &scope,
                &NewNumberDisposal {
                    number,
                    operator: None,
                    measure,
                    reason,
                    warning_id: None,
                    case_id: None,
                    unit_code: root.clone(),
                    urgent,
                },
                "analyst",
                at,
            )
            .await?;
        out.disposals += 1;
        let answer_within = if urgent { 25 * 60_000 } else { 100 * 60_000 };
        let answered_at = at + h.rng.random_range(5 * 60_000..answer_within);
        let (answer, note) = if h.chance(0.85) {
            (
                DisposalAnswer::Executed {
                    holder_name: None,
                    holder_id: None,
                },
                "",
            )
        } else {
            (DisposalAnswer::Failed, "号码已被用户主动销户")
        };
        // The demo's China Mobile liaison answers their own; the other operators' systems theirs.
        let answerer = match requested.operator {
            fanzha_store::Operator::ChinaMobile => "operator_cm".to_string(),
            other => format!("operator_feed_{}", other.as_str()),
        };
        h.store
            .number_disposals()
            .answer(
                requested.operator,
                requested.id,
                requested.version,
                &answer,
                note,
                &answerer,
                answered_at,
            )
            .await?;
    }
    Ok(())
}
