//! 待办事项: what waits for one's unit across the registers, on one page — instructions held by
//! the unit, cluster-operation targets to report, two-card leads to check, key-person visits
//! overdue, supervision measures in rectification or awaiting acceptance, bulletins to sign,
//! new cards to review, proposals to report or decide, joint-office tasks, 96110 calls, banks
//! late with cleanup answers, employers of an open quiz not all in, departments of an open app
//! drive short of the quota, villages without a full dissuasion team, fund warnings waiting for a
//! stop-payment — each with how many are past their deadline, linking to the list
//! that shows them. Only the lines one may act on are shown; the work comes first.

use super::liaison_desk::DeskItem;
use super::{render, Chrome};
use crate::auth::permission::{
    CheckTwoCardLeads, HandleInstructions, IssueOutreachLists, ManageAppDrives, ManageCases,
    ManageJointOffice, ManageKeyPersons, ManageQuizzes, ManageSupervision, ManageTeams, Permission,
    RecordEnforcement, ReplySupervision, ReportKeyPersonMeasures, RequestCardCleanups,
    ReviewNewCards, ReviewTips, SignBulletins, ViewTodo, WorkCallTasks,
};
use crate::auth::Require;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_store::{
    BulletinFilter, BulletinReader, CallTaskState, CardFilter, CardKind, CardState, CleanupFilter,
    CleanupState, CleanupViewer, InstructionFilter, InvolvedSince, KeyPersonFilter, LeadFilter,
    LeadState, PageRequest, Scope, SupervisionFilter, SupervisionState, TipFilter, TipState,
    Viewer,
};

const DAY_MS: i64 = 86_400_000;
/// A tip is to be checked within this many days of its report.
const TIP_CHECK_DAYS: i64 = 3;
/// A quiz's employers not all in are pressing this many days before it closes.
const QUIZ_CLOSING_DAYS: i64 = 3;

#[derive(Template)]
#[template(path = "todo.html")]
struct TodoPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    items: Vec<DeskItem>,
    /// Items with something waiting.
    waiting: usize,
}

/// `GET /todo`: the work waiting for one's unit (and, where the register reads by area, its
/// subtree), the lines one may act on only.
pub async fn show(
    auth: Require<ViewTodo>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let chrome = Chrome::new(p, &auth.csrf_token, &headers, "/todo");
    let lang = chrome.lang;
    let scope = state.scope_of(&p.unit_code).await?;
    let now = state.clock.now_ms();
    let mut items = Vec::new();
    if HandleInstructions::allows(p) {
        items.push(instructions(&state, &scope, &p.unit_code).await?);
    }
    if RecordEnforcement::allows(p) {
        items.push(operation_targets(&state, &scope, now).await?);
    }
    if CheckTwoCardLeads::allows(p) {
        items.push(two_card_leads(&state, &scope, now).await?);
    }
    if ManageKeyPersons::allows(p) {
        let overdue = state
            .store
            .key_persons()
            .count(
                &scope,
                &KeyPersonFilter {
                    visit_overdue: true,
                    ..KeyPersonFilter::default()
                },
                now,
            )
            .await?;
        items.push(DeskItem {
            key: "todo_visits",
            href: "/key-persons?visit=overdue",
            open: overdue,
            overdue,
        });
        // A listed person in a new case: the dossier's unit visits or takes a measure.
        let involved = state
            .store
            .key_persons()
            .count(
                &scope,
                &KeyPersonFilter {
                    involved_since: Some(InvolvedSince::LastAction),
                    ..KeyPersonFilter::default()
                },
                now,
            )
            .await?;
        items.push(DeskItem {
            key: "todo_involved",
            href: "/key-persons?involved=pending",
            open: involved,
            overdue: involved,
        });
        // Back from the compounds abroad and not yet checked one by one (回流人员核查).
        let returnees = state
            .store
            .key_persons()
            .count(
                &scope,
                &KeyPersonFilter {
                    returnee: Some(None),
                    ..KeyPersonFilter::default()
                },
                now,
            )
            .await?;
        items.push(DeskItem {
            key: "todo_returnees",
            href: "/key-persons?returnee=unchecked",
            open: returnees,
            overdue: 0,
        });
    }
    if IssueOutreachLists::allows(p) {
        // 精准宣防名单: residents of the area still to visit; overdue once their list's
        // deadline has passed.
        let (open, overdue) = state.store.outreach_lists().pending(&scope, now).await?;
        items.push(DeskItem {
            key: "todo_outreach_lists",
            href: "/outreach/lists",
            open,
            overdue,
        });
    }
    if ReviewTips::allows(p) {
        // 举报线索 not checked yet; overdue after three days.
        let tips = state.store.tips();
        let pending = TipFilter {
            state: Some(TipState::Pending),
            ..TipFilter::default()
        };
        let open = tips.count(&scope, &pending).await?;
        let overdue = tips
            .counts(&scope, i64::MIN / 2, now - TIP_CHECK_DAYS * DAY_MS)
            .await?
            .pending;
        items.push(DeskItem {
            key: "todo_tips",
            href: "/tips?state=pending",
            open,
            overdue,
        });
    }
    if ManageQuizzes::allows(p) {
        items.push(quiz_employers(&state, &scope, now).await?);
    }
    if ManageAppDrives::allows(p) {
        items.push(drive_departments(&state, &scope, now).await?);
    }
    if ManageCases::allows(p) {
        // 资金预警 of the last week still without a stop; overdue past 30 minutes.
        let funds = state.store.fund_warnings();
        let open = funds.awaiting_count(&scope, now - 7 * DAY_MS).await?;
        let late = open
            - funds
                .awaiting_count(&scope, now - super::fund_warnings::STOP_WITHIN_MS)
                .await?;
        items.push(DeskItem {
            key: "todo_fund_warnings",
            href: "/warnings/funds?days=7&awaiting=1",
            open,
            overdue: late,
        });
    }
    if ManageTeams::allows(p) {
        let short = super::teams::short_villages(&state, &scope).await?;
        items.push(DeskItem {
            key: "todo_teams",
            href: "/teams?incomplete=1",
            open: short as i64,
            overdue: 0,
        });
    }
    if ReplySupervision::allows(p) || ManageSupervision::allows(p) {
        items.extend(supervision(&state, &scope, now).await?);
    }
    if SignBulletins::allows(p) {
        let unit = state.store.units().get(&p.unit_code).await?;
        let unsigned = state
            .store
            .bulletins()
            .list(
                &BulletinReader {
                    unit,
                    scope: scope.clone(),
                },
                &BulletinFilter {
                    kind: None,
                    unsigned_only: true,
                },
                &PageRequest::first(fanzha_store::MAX_PAGE),
            )
            .await?
            .items
            .len() as i64;
        items.push(DeskItem {
            key: "todo_bulletins",
            href: "/bulletins?unsigned=1",
            open: unsigned,
            overdue: 0,
        });
    }
    if ReviewNewCards::allows(p) {
        // As the screening list counts them: opened in its longest period.
        let from = super::days_period::period(&state, Some("365"))?.from;
        for (kind, key, href) in [
            (
                CardKind::BankCard,
                "todo_new_bank_cards",
                "/card-screening?state=pending&days=365",
            ),
            (
                CardKind::SimCard,
                "todo_new_phone_cards",
                "/card-screening?kind=sim_card&state=pending&days=365",
            ),
        ] {
            let pending = state
                .store
                .new_cards()
                .count_matching(
                    &Viewer::Police(scope.clone()),
                    &CardFilter {
                        kind: Some(kind),
                        state: Some(CardState::Pending),
                        from: Some(from),
                        ..CardFilter::default()
                    },
                )
                .await?;
            items.push(DeskItem {
                key,
                href,
                open: pending,
                overdue: 0,
            });
        }
    }
    if ReportKeyPersonMeasures::allows(p) {
        let f = state
            .store
            .key_person_proposals()
            .figures(&scope, now, now + 1)
            .await?;
        items.push(DeskItem {
            key: "todo_proposals_to_report",
            href: "/key-persons/proposals?state=proposed",
            open: f.proposed,
            overdue: 0,
        });
        items.push(DeskItem {
            key: "todo_proposals_to_decide",
            href: "/key-persons/proposals?state=reported",
            open: f.reported,
            overdue: 0,
        });
    }
    if ManageJointOffice::allows(p) {
        let f = state
            .store
            .joint_tasks()
            .figures(&scope, (now, now + 1), now)
            .await?;
        items.push(DeskItem {
            key: "todo_joint_tasks",
            href: "/joint-office#pending-tasks",
            open: f.pending,
            overdue: f.overdue,
        });
        items.push(DeskItem {
            key: "todo_joint_acceptance",
            href: "/joint-office#pending-tasks",
            open: f.reported,
            overdue: 0,
        });
    }
    if WorkCallTasks::allows(p) {
        let open = state
            .store
            .call_tasks()
            .count_by_state(&scope, now)
            .await?
            .into_iter()
            .filter(|(s, _)| matches!(s, CallTaskState::Queued | CallTaskState::Claimed))
            .map(|(_, n)| n)
            .sum();
        items.push(DeskItem {
            key: "todo_calls",
            href: "/calls?tab=open",
            open,
            overdue: 0,
        });
    }
    if RequestCardCleanups::allows(p) {
        let viewer = CleanupViewer::Police(scope.clone());
        let repo = state.store.card_cleanups();
        let pending = CleanupFilter {
            state: Some(CleanupState::Pending),
            ..CleanupFilter::default()
        };
        let late = CleanupFilter {
            overdue: true,
            ..CleanupFilter::default()
        };
        items.push(DeskItem {
            key: "todo_cleanups",
            href: "/card-cleanups?state=pending",
            open: repo.count(&viewer, &pending, now).await?,
            overdue: repo.count(&viewer, &late, now).await?,
        });
    }
    // The work first: lines with something overdue, then with something waiting.
    items.sort_by_key(|i| (i.overdue == 0, i.open == 0));
    render(&TodoPage {
        unit_name: state.unit_name(&p.unit_code).await,
        waiting: items.iter().filter(|i| i.open > 0).count(),
        items,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// Open instructions held by the unit itself (its 本单位待办), overdue ones apart.
async fn instructions(state: &AppState, scope: &Scope, unit: &str) -> Result<DeskItem, WebError> {
    let repo = state.store.instructions();
    let mine = InstructionFilter {
        open_only: true,
        held_by: Some(unit.to_string()),
        ..InstructionFilter::default()
    };
    let sum = |v: Vec<(String, i64)>| v.into_iter().map(|(_, n)| n).sum::<i64>();
    let open = sum(repo.count_by_status(scope, &mine).await?);
    let overdue = sum(repo
        .count_by_status(
            scope,
            &InstructionFilter {
                overdue_only: true,
                ..mine
            },
        )
        .await?);
    Ok(DeskItem {
        key: "todo_instructions",
        href: "/instructions?tab=mine",
        open,
        overdue,
    })
}

/// Cluster-operation targets of the area still to be reported, those of operations past their
/// strike day (and still running) overdue.
async fn operation_targets(
    state: &AppState,
    scope: &Scope,
    now: i64,
) -> Result<DeskItem, WebError> {
    let mut open = 0;
    let mut overdue = 0;
    for o in state.store.cluster_operations().list(scope).await? {
        open += o.counts.pending;
        if o.operation.running() && now >= o.operation.strike_at + DAY_MS {
            overdue += o.counts.pending;
        }
    }
    Ok(DeskItem {
        key: "todo_operation_targets",
        href: "/operations",
        open,
        overdue,
    })
}

async fn two_card_leads(state: &AppState, scope: &Scope, now: i64) -> Result<DeskItem, WebError> {
    let repo = state.store.two_card_leads();
    let pending = LeadFilter {
        state: Some(LeadState::Pending),
        ..LeadFilter::default()
    };
    let late = LeadFilter {
        overdue: true,
        ..LeadFilter::default()
    };
    Ok(DeskItem {
        key: "todo_two_card_leads",
        href: "/two-card-leads?state=pending",
        open: repo.count(scope, &pending, now).await?,
        overdue: repo.count(scope, &late, now).await?,
    })
}

/// Measures of the area in rectification (overdue apart) and reports awaiting acceptance.
async fn supervision(state: &AppState, scope: &Scope, now: i64) -> Result<Vec<DeskItem>, WebError> {
    let register = state.store.supervision();
    let issued = SupervisionFilter {
        state: Some(SupervisionState::Issued),
        ..SupervisionFilter::default()
    };
    let replied = SupervisionFilter {
        state: Some(SupervisionState::Replied),
        ..SupervisionFilter::default()
    };
    Ok(vec![
        DeskItem {
            key: "todo_supervision_rectifying",
            href: "/supervision?state=issued",
            open: register.count(scope, None, &issued, now).await?,
            overdue: register
                .count(
                    scope,
                    None,
                    &SupervisionFilter {
                        overdue: true,
                        ..issued.clone()
                    },
                    now,
                )
                .await?,
        },
        DeskItem {
            key: "todo_supervision_acceptance",
            href: "/supervision?state=replied",
            open: register.count(scope, None, &replied, now).await?,
            overdue: 0,
        },
    ])
}

/// 反诈知识测试: the employers of the area's open campaigns whose staff are not all in yet
/// (全员参与); overdue when their campaign closes within three days.
async fn quiz_employers(state: &AppState, scope: &Scope, now: i64) -> Result<DeskItem, WebError> {
    let repo = state.store.quiz_campaigns();
    let (mut open, mut overdue) = (0, 0);
    for listed in repo.list(scope, 200).await? {
        if !listed.is_open(now) {
            continue;
        }
        let campaign = repo.get(scope, listed.id).await?;
        if campaign.employers.is_empty() {
            continue;
        }
        let behind = state
            .store
            .quiz_attempts()
            .employers(&campaign)
            .await?
            .iter()
            .filter(|e| e.participants < e.headcount)
            .count() as i64;
        if behind == 0 {
            continue;
        }
        open += behind;
        if campaign.closes_at - now <= QUIZ_CLOSING_DAYS * DAY_MS {
            overdue += behind;
        }
    }
    Ok(DeskItem {
        key: "todo_quizzes",
        href: "/quizzes",
        open,
        overdue,
    })
}

/// The departments of the area's open app drives whose staff are not all at the quota; pressing
/// in a drive's last [`QUIZ_CLOSING_DAYS`] days.
async fn drive_departments(
    state: &AppState,
    scope: &Scope,
    now: i64,
) -> Result<DeskItem, WebError> {
    let repo = state.store.app_drives();
    let (mut open, mut overdue) = (0, 0);
    for listed in repo.list(scope, 200).await? {
        if !listed.is_open(now) {
            continue;
        }
        let drive = repo.get(scope, listed.id).await?;
        if drive.employers.is_empty() {
            continue;
        }
        let promoters = repo.promoters(&drive).await?;
        let (_, departments) = fanzha_store::AppDrives::tally(&drive, &promoters);
        let behind = departments.iter().filter(|d| !d.done()).count() as i64;
        open += behind;
        if drive.closes_at - now <= QUIZ_CLOSING_DAYS * DAY_MS {
            overdue += behind;
        }
    }
    Ok(DeskItem {
        key: "todo_app_drives",
        href: "/app-drives",
        open,
        overdue,
    })
}
