//! 重点人员: dossiers of each category opened over the history, each with the officer
//! responsible, the visits of its cycle (the last one sometimes missed, so the overdue list
//! has entries), the measures of its category — punishments for card sellers, exit bans and
//! persuasion for the compounds abroad — some closed, and the proposals for the measures not
//! yet in force, at every stage.

use super::{History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_store::{
    AbroadState, CaseFilter, ControlState, ControlUpdate, KeyPersonCategory, KeyPersonMeasure,
    NewKeyPerson, NewProposal, NewSuspect, PageRequest, ProposalKind, ProposalStep, PunishmentKind,
    Responsible, ReturneeResult, SuspectRole,
};
use rand::Rng;

/// Dossiers per 10,000 residents per month.
const PER_10K_MONTH: f64 = 4.0;

/// The share of card sellers, people with a fraud record and recruiters who take part in a
/// case again after being listed.
const REINVOLVED_SHARE: f64 = 0.12;

const CATEGORIES: &[(KeyPersonCategory, u32)] = &[
    (KeyPersonCategory::TwoCards, 35),
    (KeyPersonCategory::FraudRecord, 15),
    (KeyPersonCategory::AbroadHighRisk, 15),
    (KeyPersonCategory::Returned, 15),
    (KeyPersonCategory::Recruiter, 12),
    (KeyPersonCategory::Other, 8),
];

fn reasons(c: KeyPersonCategory) -> &'static [&'static str] {
    match c {
        KeyPersonCategory::TwoCards => &[
            "名下银行卡被用于接收电诈资金，本人承认将卡出售给他人",
            "部级下发两卡线索核查：本人出借电话卡供他人使用",
            "短期内在多家银行开卡后交由他人使用",
        ],
        KeyPersonCategory::FraudRecord => &[
            "曾因帮助信息网络犯罪活动罪被判处有期徒刑，已刑满释放",
            "曾因掩饰、隐瞒犯罪所得罪被取保候审",
        ],
        KeyPersonCategory::AbroadHighRisk => &[
            "出入境记录显示经云南口岸出境后滞留缅甸",
            "手机号码长期在柬埔寨漫游，家属称其在境外“打工”",
        ],
        KeyPersonCategory::Returned => &[
            "经劝返从缅北回国，已接受调查",
            "从柬埔寨回流，需持续关注其动向",
        ],
        KeyPersonCategory::Recruiter => &[
            "在社交群组中发布“高薪跑分”招募信息",
            "为境外诈骗团伙招募人员出境",
        ],
        KeyPersonCategory::Other => &["多次被预警仍坚持转账，家属请求协助关注"],
    }
}

/// Where the history's key persons went to work.
const AWAY_PLACES: &[&str] = &[
    "浙江省杭州市（务工）",
    "广东省深圳市（务工）",
    "上海市（打工）",
    "江苏省苏州市（务工）",
];

/// What the checks of the history's returnees wrote down.
const RETURNEE_NOTES: &[&str] = &[
    "逐人谈话核查，本人承认在境外园区从事引流话术工作三个月",
    "核查出入境记录及聊天记录，未发现参与诈骗",
    "系被骗出境务工，经核查无违法犯罪事实，开展教育",
];

const VISIT_NOTES: &[&str] = &[
    "本人在家，在本地务工，近期无异常",
    "入户走访，本人表示已不再出借卡号，开展法制教育",
    "电话联系本人，称在外地打工，家属配合",
    "本人在家，核实名下银行卡、电话卡使用情况正常",
    "走访其父母，了解近况，叮嘱发现异常及时报告",
];

const ABROAD_PLACES: &[&str] = &["缅甸妙瓦底", "柬埔寨西港", "缅甸小勐拉", "老挝金三角"];

pub(crate) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let n = h.scaled(PER_10K_MONTH, 12);
    for i in 0..n {
        // The second dossier is a punished card seller in any city, however small.
        let category = if i == 1 {
            KeyPersonCategory::TwoCards
        } else {
            h.weighted(CATEGORIES)
        };
        // The demo grid worker's village gets the first few, so that their phone has work.
        let person = match (&h.grid_village.clone(), i < 3) {
            (Some(v), true) => h.resident_of(v, 18..=55),
            _ => None,
        };
        let person = match person {
            Some(p) => p,
            None => h.resident(18..=55),
        };
        let village = format!("{:012}", person.village);
        // The first dossier is old enough to have missed a visit (see `skip_last`).
        let opened = h.moment(if i == 0 {
            category.default_visit_cycle_days() + 7
        } else {
            7
        });
        let reason = h.pick(reasons(category)).to_string();
        let source = h.pick(&["case", "national", "form"]).to_string();
        let (id, created) = h
            .store
            .key_persons()
            .create(
                &h.root_scope,
                &NewKeyPerson {
                    resident_id: person.resident_id.to_string(),
                    category,
                    reason,
                    source,
                    created_by: "analyst".into(),
                    at: opened,
                },
            )
            .await?;
        if !created {
            continue;
        }
        out.key_persons += 1;
        // A card seller is listed because a card of theirs turned up sold: that card becomes
        // an account the platform knows them by (what 存量卡清理 later asks their bank about).
        if category == KeyPersonCategory::TwoCards {
            if let Some(card) = person
                .bank_card
                .and_then(|a| fanzha_core::BankCard::from_account_no(a).ok())
            {
                let bin = card.bin();
                h.store
                    .accounts()
                    .upsert(&[fanzha_store::NewAccount {
                        account_no: card.as_str().to_string(),
                        bank_code: bin.map(|b| b.bank_code.to_string()),
                        bank_name: bin.map(|b| b.bank_name.to_string()),
                        card_type: Some("debit".into()),
                        holder_resident_id: Some(person.resident_id.to_string()),
                        holder_name: Some(person.name.to_string()),
                        opened_at: None,
                        opened_where: None,
                    }])
                    .await?;
            }
        }
        // 再次涉案: now and then — always for the second dossier, a card seller — the person
        // turns up again as a suspect of a case reported after the listing.
        if i == 1 || h.chance(REINVOLVED_SHARE) {
            involve_again(
                h,
                person.resident_id.as_ref(),
                person.name.as_ref(),
                category,
                opened,
            )
            .await?;
        }
        let scope = h.root_scope.clone();
        let responsible = if h.grid_village.as_deref() == Some(village.as_str()) {
            Responsible::User {
                login: "grid".into(),
                phone: None,
            }
        } else {
            Responsible::Named {
                name: format!(
                    "社区民警{}警官",
                    h.pick(&["王", "李", "陈", "徐", "周", "沈"])
                ),
                phone: format!("139{:08}", h.rng.random_range(0..100_000_000u32)),
            }
        };
        let assigned_at = opened + 60 * 60_000;
        h.store
            .key_persons()
            .assign(&scope, id, &responsible, "station", assigned_at)
            .await?;
        let measures = measures(h, category, opened, i == 1);
        for (at, m) in &measures {
            h.store
                .key_persons()
                .add_event(&scope, id, m, "station", *at)
                .await?;
        }
        let mut last = opened;
        let cycle = category.default_visit_cycle_days();
        // Some dossiers miss their latest visit — the first one's (in the grid worker's
        // village) always, so that the overdue list is never empty: visits stop while the
        // next one would have been due more than a day ago.
        let skip_last = i == 0 || h.chance(0.2);
        loop {
            let next = last + (cycle - h.rng.random_range(0..cycle / 4 + 1)) * DAY_MS;
            let last_due = next + cycle * DAY_MS;
            if next >= h.now - DAY_MS || (skip_last && last_due >= h.now - DAY_MS) {
                break;
            }
            let note = h.pick(VISIT_NOTES).to_string();
            // Where the person stands, by the dossier's place in the list (no dice, so the
            // rest of the history draws the same): one in eleven cannot be reached after the
            // first visit, one in seven has gone to work elsewhere, the rest are at home; one
            // in five gave a new number.
            let state = match i % 77 {
                k if k % 11 == 3 && last > opened => ControlState::Lost,
                k if k % 7 == 2 => ControlState::Away,
                _ => ControlState::Stable,
            };
            let control = ControlUpdate {
                state,
                place: (state == ControlState::Away)
                    .then(|| AWAY_PLACES[i % AWAY_PLACES.len()].to_string()),
                contact: (i % 5 == 0 && state != ControlState::Lost)
                    .then(|| format!("1390574{:04}", id % 10_000)),
            };
            let visit = KeyPersonMeasure::Visit {
                note,
                control: Some(control),
            };
            h.store
                .key_persons()
                .add_event(&scope, id, &visit, "grid", next)
                .await?;
            last = next;
        }
        // 回流人员核查: two returnees in three are checked within days of coming back (no dice:
        // the finding follows the dossier's place in the list); the rest wait.
        let back_at = measures.iter().find_map(|(at, m)| match m {
            KeyPersonMeasure::Persuasion {
                state: AbroadState::Returned,
                ..
            } => Some(*at),
            _ => None,
        });
        let back_at = back_at.or((category == KeyPersonCategory::Returned).then_some(opened));
        if let Some(back) = back_at.filter(|at| i % 3 != 2 && at + 6 * DAY_MS < h.now) {
            let result = [
                ReturneeResult::Admonished,
                ReturneeResult::Criminal,
                ReturneeResult::NoOffence,
                ReturneeResult::Administrative,
            ][i % 4];
            let check = KeyPersonMeasure::ReturneeCheck {
                result,
                note: RETURNEE_NOTES[i % RETURNEE_NOTES.len()].to_string(),
            };
            h.store
                .key_persons()
                .add_event(&scope, id, &check, "station", back + 5 * DAY_MS)
                .await?;
        }
        let punished = measures
            .iter()
            .any(|(_, m)| matches!(m, KeyPersonMeasure::Punishment { .. }));
        let banned = measures
            .iter()
            .any(|(_, m)| matches!(m, KeyPersonMeasure::ExitBan { .. }));
        let wanted = match category {
            KeyPersonCategory::TwoCards | KeyPersonCategory::Recruiter if !punished => {
                Some(ProposalKind::Punishment)
            }
            KeyPersonCategory::AbroadHighRisk if !banned => Some(ProposalKind::ExitBan),
            _ => None,
        };
        if let Some(kind) = wanted {
            if propose(h, id, kind, last).await? {
                out.proposals += 1;
            }
        }
        // Some older dossiers of a fraud record were closed after review.
        if category == KeyPersonCategory::FraudRecord
            && h.now - opened > 90 * DAY_MS
            && h.chance(0.3)
        {
            let at = h.after(last, 30, DAY_MS);
            h.store
                .key_persons()
                .add_event(
                    &scope,
                    id,
                    &KeyPersonMeasure::Close {
                        reason: "经研判已无涉诈风险，经所领导审批移出".into(),
                    },
                    "station",
                    at,
                )
                .await?;
        }
    }
    Ok(())
}

/// The measures a dossier of `category` opened at `opened` has received by now (a card
/// seller's punishment for certain when `punished`).
fn measures(
    h: &mut History<'_>,
    category: KeyPersonCategory,
    opened: i64,
    punished: bool,
) -> Vec<(i64, KeyPersonMeasure)> {
    let five_years = 5 * 365 * DAY_MS;
    let mut out = Vec::new();
    match category {
        KeyPersonCategory::TwoCards if punished || h.chance(0.6) => {
            let from = h.after(opened, 20, DAY_MS);
            let kind = h.weighted(&[
                (PunishmentKind::Financial, 6),
                (PunishmentKind::Telecom, 3),
                (PunishmentKind::Credit, 1),
            ]);
            out.push((
                from,
                KeyPersonMeasure::Punishment {
                    kind,
                    from,
                    until: Some(from + five_years),
                },
            ));
        }
        KeyPersonCategory::AbroadHighRisk => {
            let place = Some(h.pick(ABROAD_PLACES).to_string());
            out.push((
                opened + DAY_MS,
                KeyPersonMeasure::Persuasion {
                    state: AbroadState::Abroad,
                    on: opened,
                    place,
                },
            ));
            if h.chance(0.4) {
                let on = h.after(opened, 120, 3 * DAY_MS);
                out.push((
                    on,
                    KeyPersonMeasure::Persuasion {
                        state: AbroadState::Returned,
                        on,
                        place: None,
                    },
                ));
                let from = h.after(on, 10, DAY_MS);
                out.push((
                    from,
                    KeyPersonMeasure::ExitBan {
                        from,
                        until: Some(from + 2 * 365 * DAY_MS),
                    },
                ));
            }
        }
        KeyPersonCategory::Returned => {
            out.push((
                opened + DAY_MS,
                KeyPersonMeasure::Persuasion {
                    state: AbroadState::Returned,
                    on: opened,
                    place: None,
                },
            ));
            if h.chance(0.7) {
                let from = h.after(opened, 15, DAY_MS);
                out.push((
                    from,
                    KeyPersonMeasure::ExitBan {
                        from,
                        until: Some(from + 2 * 365 * DAY_MS),
                    },
                ));
            }
        }
        _ => {}
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// A proposal for the measure a dossier lacks, at a stage that depends on how long ago.
async fn propose(
    h: &mut History<'_>,
    key_person_id: i64,
    kind: ProposalKind,
    after: i64,
) -> Result<bool, CliError> {
    let scope = h.root_scope.clone();
    let at = h.after(after, 20, 2 * DAY_MS);
    let punishment_kind = (kind == ProposalKind::Punishment).then_some(PunishmentKind::Financial);
    let reason = match kind {
        ProposalKind::Punishment => "经核查确认出售本人银行卡，提请实施金融惩戒",
        ProposalKind::ExitBan => "曾赴缅北高危地区，提请不准出境报备",
    };
    let proposal = h
        .store
        .key_person_proposals()
        .propose(
            &scope,
            &NewProposal {
                key_person_id,
                kind,
                punishment_kind,
                reason: reason.into(),
                proposed_by: "station".into(),
            },
            at,
        )
        .await?;
    // Most go up; of those reported a while ago, some came back in force or declined.
    if h.chance(0.25) {
        return Ok(true);
    }
    let reported_at = h.after(at, 5, DAY_MS);
    let reported = h
        .store
        .key_person_proposals()
        .step(
            &scope,
            proposal.id,
            proposal.version,
            &ProposalStep::Report,
            "analyst",
            reported_at,
        )
        .await?;
    if h.now - reported_at < 20 * DAY_MS || h.chance(0.4) {
        return Ok(true);
    }
    let decided = h.after(reported_at, 30, DAY_MS);
    let step = if h.chance(0.85) {
        ProposalStep::InForce {
            from: decided,
            until: Some(decided + 5 * 365 * DAY_MS),
        }
    } else {
        ProposalStep::Decline {
            note: "证据不足，补充材料后再报".into(),
        }
    };
    h.store
        .key_person_proposals()
        .step(
            &scope,
            reported.id,
            reported.version,
            &step,
            "analyst",
            decided,
        )
        .await?;
    Ok(true)
}

/// Enters the listed person as a suspect of a case reported after `listed` (the role their
/// category suggests), when there is such a case; other categories are left alone.
async fn involve_again(
    h: &mut History<'_>,
    resident_id: &str,
    name: &str,
    category: KeyPersonCategory,
    listed: i64,
) -> Result<(), CliError> {
    let role = match category {
        KeyPersonCategory::TwoCards => SuspectRole::CardSeller,
        KeyPersonCategory::FraudRecord => SuspectRole::CashMule,
        KeyPersonCategory::Recruiter => SuspectRole::LeadGenerator,
        _ => return Ok(()),
    };
    let later = h
        .store
        .cases()
        .search(
            &h.root_scope,
            &CaseFilter {
                from_ms: Some(listed + DAY_MS),
                ..CaseFilter::default()
            },
            &PageRequest::first(50),
        )
        .await?
        .items;
    if later.is_empty() {
        return Ok(());
    }
    let case = &later[h.rng.random_range(0..later.len())];
    h.store
        .enforcement()
        .add_suspect(
            &h.root_scope,
            &NewSuspect {
                case_id: case.id.clone(),
                name: name.to_string(),
                resident_id: Some(resident_id.to_string()),
                phone: None,
                role,
                measure: None,
                measure_at: None,
                note: "列管人员再次涉案".into(),
                created_by: "analyst".into(),
            },
            h.now,
        )
        .await?;
    Ok(())
}
