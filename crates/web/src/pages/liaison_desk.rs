//! A bank liaison's desk, on the landing page: what waits for the bank — stop-payments to
//! confirm, 存量卡清理 requests to answer, counter checks flagged without an outcome, 督导整治
//! measures to rectify, police bulletins to sign for, last month's figures not reported yet —
//! each with how many are
//! past their deadline, linking to the list; and when the bank's latest list of new cards
//! arrived, flagged when none came today (the lists are daily).

use crate::error::WebError;
use crate::state::AppState;
use fanzha_core::time::format_shanghai;
use fanzha_store::{
    CheckFilter, CleanupFilter, CleanupState, CleanupViewer, CounterVerdict, SupervisionFilter,
    SupervisionState, Viewer,
};

/// One line of work.
pub struct DeskItem {
    /// The i18n key of its label.
    pub key: &'static str,
    pub href: &'static str,
    pub open: i64,
    /// Of those, past their deadline.
    pub overdue: i64,
}

pub struct Desk {
    pub items: Vec<DeskItem>,
    /// The latest new-card list's arrival (Shanghai), empty before any.
    pub last_list: String,
    /// Whether it arrived today (Shanghai).
    pub list_today: bool,
}

/// The desk of `bank`'s liaison at `unit_code`.
pub async fn bank_desk(state: &AppState, unit_code: &str, bank: &str) -> Result<Desk, WebError> {
    let now = state.clock.now_ms();
    let store = &state.store;
    let (stops, stops_late) = store
        .stop_payments()
        .awaiting_bank(&Viewer::Bank(bank.to_string()), now)
        .await?;
    let cleanups = CleanupViewer::Bank(bank.to_string());
    let repo = store.card_cleanups();
    let pending = CleanupFilter {
        state: Some(CleanupState::Pending),
        ..CleanupFilter::default()
    };
    let cleanups_open = repo.count(&cleanups, &pending, now).await?;
    let cleanups_late = repo
        .count(
            &cleanups,
            &CleanupFilter {
                overdue: true,
                ..CleanupFilter::default()
            },
            now,
        )
        .await?;
    let scope = state.scope_of(unit_code).await?;
    let register = store.supervision();
    let issued = SupervisionFilter {
        state: Some(SupervisionState::Issued),
        ..SupervisionFilter::default()
    };
    let rectifying = register.count(&scope, Some(bank), &issued, now).await?;
    let rectifying_late = register
        .count(
            &scope,
            Some(bank),
            &SupervisionFilter {
                overdue: true,
                ..issued.clone()
            },
            now,
        )
        .await?;
    // Checks advised to refuse or verify whose outcome the counter has not recorded: two
    // counts, not the figures (whose 提示拒绝后仍开户 reads the new-card lists).
    let mut checks_open = 0;
    for verdict in [CounterVerdict::Refuse, CounterVerdict::Verify] {
        let open = CheckFilter {
            verdict: Some(verdict),
            outcome: Some(None),
            ..CheckFilter::default()
        };
        checks_open += store
            .new_cards()
            .count_checks(&Viewer::Bank(bank.to_string()), &open)
            .await?;
    }
    let bulletins = store
        .bulletins()
        .unsigned_for_partner(&fanzha_store::Partner {
            kind: fanzha_store::PartnerKind::Bank,
            code: bank.to_string(),
        })
        .await?;
    // Whether the bank's figures of last month are in (they are reported after the month).
    let last_month = fanzha_store::shanghai_month(now).map(fanzha_store::previous_month);
    let figures_missing = match last_month {
        Some(m) => {
            let entered = store.bank_figures().totals(&scope, m, m).await?;
            i64::from(entered.by_bank.iter().all(|(b, _)| b != bank))
        }
        None => 0,
    };
    let last = store.new_cards().last_received(bank).await?;
    let day = |t: i64| format_shanghai(t).chars().take(10).collect::<String>();
    Ok(Desk {
        items: vec![
            DeskItem {
                key: "desk_stop_payments",
                href: "/stop-payments",
                open: stops,
                overdue: stops_late,
            },
            DeskItem {
                key: "desk_card_cleanups",
                href: "/card-cleanups?state=pending",
                open: cleanups_open,
                overdue: cleanups_late,
            },
            DeskItem {
                key: "desk_card_checks",
                href: "/card-checks?outcome=none",
                open: checks_open,
                overdue: 0,
            },
            DeskItem {
                key: "desk_supervision",
                href: "/supervision?state=issued",
                open: rectifying,
                overdue: rectifying_late,
            },
            DeskItem {
                key: "desk_bulletins",
                href: "/partner-bulletins?unsigned=1",
                open: bulletins,
                overdue: 0,
            },
            DeskItem {
                key: "desk_bank_figures",
                href: "/bank-figures",
                open: figures_missing,
                overdue: figures_missing,
            },
        ],
        // To the minute: the tile is narrow.
        last_list: last
            .map(|t| format_shanghai(t).chars().take(16).collect())
            .unwrap_or_default(),
        list_today: last.is_some_and(|t| day(t) == day(now)),
    })
}
