//! 指令: the unit's queue with live deadline countdowns, sign / push down in one click from the
//! row, bulk sign, filters, export; and one instruction's page with its whole history and every
//! action the state machine allows now.

use super::view::{action_label, fraud_type_label, level_class, level_label, status_label, time};
use super::warning_search::{audit_person_search, identify, Person};
use super::{render, Chrome};
use crate::api::actor_of;
use crate::api::instructions::check_review_permission;
use crate::auth::permission::{
    HandleInstructions, Permission, ReviewWarnings, ViewInstructions, ViewTeams, ViewWarnings,
};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Table};
use crate::extract::FormBody;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use fanzha_core::mask::mask_name;
use fanzha_store::{InstructionFilter, PageRequest, Scope, StoredInstruction};
use fanzha_workflow::{Command, ContactChannel, Instruction, OrgTree, Status};
use serde::Deserialize;

/// A unit a row may be pushed down to.
#[derive(Clone)]
pub struct Target {
    pub code: String,
    pub name: String,
    pub selected: bool,
    /// Nobody at the unit has an account that takes instructions: pushed there, it waits
    /// (docs/teams.md).
    pub no_account: bool,
}

/// One row of the queue, as rendered.
#[derive(Clone)]
pub struct Row {
    pub id: String,
    pub version: i64,
    pub level: u8,
    pub level_class: &'static str,
    pub level_label: &'static str,
    pub status: String,
    pub status_label: &'static str,
    pub person: String,
    pub fraud_type: String,
    pub holder: String,
    pub owner: String,
    pub issued: String,
    pub next_due_at: Option<i64>,
    pub overdue: bool,
    pub can_sign: bool,
    pub can_review: bool,
    pub targets: Vec<Target>,
    pub error: Option<String>,
    /// Warnings merged into it (2 or more: 多次预警); 0 where not counted.
    pub warnings: i64,
    /// A fund warning (资金预警) joined it; false where not read.
    pub fund: bool,
}

#[derive(Template)]
#[template(path = "instruction_row.html")]
pub struct RowFragment {
    pub lang: Lang,
    pub r: Row,
}

#[derive(Template)]
#[template(path = "instructions.html")]
struct QueuePage {
    lang: Lang,
    chrome: Chrome,
    tab: String,
    level: String,
    fraud_types: Vec<super::choices::Choice>,
    /// The analysis groups of one's area, for the `group` filter.
    groups: Vec<super::choices::Choice>,
    /// Only 多次预警.
    repeated: bool,
    /// Only those a fund warning joined (资金预警).
    fund: bool,
    tabs: Vec<TabLink>,
    rows: Vec<RowFragment>,
    query: String,
    /// The person searched for, as typed.
    q: String,
    /// i18n keys of what could not be used.
    problems: Vec<&'static str>,
    /// Instructions matching (all pages).
    total: i64,
    next: Option<String>,
    /// The query without the page key, for the pager.
    base_query: String,
    paged: bool,
}

struct TabLink {
    key: &'static str,
    label: &'static str,
    active: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    /// `mine` (held by my unit, open), `open`, `overdue`, `closed`, `all`.
    pub tab: Option<String>,
    #[serde(default, deserialize_with = "super::empty_as_none")]
    pub level: Option<u8>,
    /// A resident's ID number or phone number.
    pub q: Option<String>,
    /// A fraud-type code, or `untyped`: one analyst group's queue (分类研判).
    #[serde(default, deserialize_with = "super::empty_as_none")]
    pub fraud_type: Option<String>,
    /// An analysis group (分类研判组) of one's area: its fraud types, in its unit's area.
    #[serde(default, deserialize_with = "super::empty_as_none")]
    pub group: Option<i64>,
    /// `1`: only the instructions whose person was warned more than once (多次预警) — the ones
    /// the center steps in on early.
    #[serde(default, deserialize_with = "super::empty_as_none")]
    pub repeated: Option<String>,
    /// `1`: only the instructions a fund warning (资金预警) joined — the person has paid a
    /// fraud account, and a protective stop is due.
    #[serde(default, deserialize_with = "super::empty_as_none")]
    pub fund: Option<String>,
    /// Page key from the previous page.
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    pub after: Option<String>,
    pub format: Option<ExportFormat>,
}

const TABS: [(&str, &str); 5] = [
    ("mine", "tab_mine"),
    ("open", "tab_open"),
    ("overdue", "tab_overdue"),
    ("closed", "tab_closed"),
    ("all", "tab_all"),
];

fn filter_for(tab: &str, unit: &str, level: Option<u8>) -> InstructionFilter {
    let mut f = InstructionFilter {
        level,
        ..InstructionFilter::default()
    };
    match tab {
        "mine" => {
            f.open_only = true;
            f.held_by = Some(unit.to_string());
        }
        "open" => f.open_only = true,
        "overdue" => {
            f.open_only = true;
            f.overdue_only = true;
        }
        "closed" => f.statuses = vec!["closed".into()],
        _ => {}
    }
    f
}

/// The units of the reader's area where an account takes instructions (with how many), read
/// once per page: a push-down target absent from it is marked 无接收账号.
pub async fn receivers(
    state: &AppState,
    p: &Principal,
) -> Result<std::collections::HashMap<String, usize>, WebError> {
    let scope = state.scope_of(&p.unit_code).await?;
    Ok(state.store.team_members().accounts_by_unit(&scope).await?)
}

/// Builds a row: names, masked person, and the push-down targets (the units on the path from
/// the holder to the residence first, preselecting the residence, then the other children),
/// each marked when no account in `takers` ([`receivers`]) would receive it there.
pub async fn build_row(
    state: &AppState,
    lang: Lang,
    i: &StoredInstruction,
    can_review: bool,
    takers: &std::collections::HashMap<String, usize>,
) -> Result<Row, WebError> {
    let p = &i.projection;
    let person = match &i.resident_id {
        Some(rid) => match state.store.people().get(&Scope::platform(), rid).await {
            Ok(person) => mask_name(&person.name),
            Err(_) => fanzha_core::mask::mask_resident_id(rid),
        },
        None => lang.t("unknown_person").to_string(),
    };
    let open = p.open;
    let mut targets = Vec::new();
    if open && matches!(p.status.as_str(), "issued" | "signed") {
        let path_down: Vec<String> = {
            let tree = state.loop_service.tree();
            let mut chain = Vec::new();
            let mut cur = Some(i.owner_unit.clone());
            while let Some(c) = cur {
                if c == p.holder_unit {
                    break;
                }
                chain.push(c.clone());
                cur = tree.parent(&c);
            }
            if chain
                .last()
                .is_some_and(|c| tree.parent(c).as_deref() == Some(p.holder_unit.as_str()))
            {
                chain
            } else {
                Vec::new()
            }
        };
        for code in &path_down {
            targets.push(Target {
                name: state.unit_name(code).await,
                selected: *code == i.owner_unit,
                no_account: !takers.contains_key(code),
                code: code.clone(),
            });
        }
        for child in state.store.units().children(&p.holder_unit).await? {
            if !path_down.contains(&child.code) {
                targets.push(Target {
                    no_account: !takers.contains_key(&child.code),
                    code: child.code,
                    name: child.name,
                    selected: false,
                });
            }
        }
    }
    Ok(Row {
        id: i.id.clone(),
        version: p.version,
        level: p.level,
        level_class: level_class(p.level),
        level_label: level_label(lang, p.level),
        status: p.status.clone(),
        status_label: status_label(lang, &p.status),
        person,
        fraud_type: fraud_type_label(lang, i.fraud_type.as_deref()),
        holder: state.unit_name(&p.holder_unit).await,
        owner: state.unit_name(&i.owner_unit).await,
        issued: time(i.issued_at),
        next_due_at: p.next_due_at,
        overdue: p.overdue,
        can_sign: p.status == "issued",
        can_review: can_review && p.status == "pending_review",
        targets,
        error: None,
        warnings: 0,
        fund: false,
    })
}

pub async fn queue(
    auth: Require<ViewInstructions>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/instructions");
    let lang = chrome.lang;
    let tab = q
        .tab
        .clone()
        .filter(|t| TABS.iter().any(|(k, _)| k == t))
        .unwrap_or_else(|| "mine".into());
    let own_scope = state.scope_of(&auth.principal.unit_code).await?;
    let group = match q.group {
        Some(id) => {
            Some(super::group_filter::group_of(&state, &auth.principal.unit_code, id).await?)
        }
        None => None,
    };
    // A group's queue: its unit's area (inside one's own).
    let scope = match &group {
        Some(g) => state.scope_of(&g.unit_code).await?,
        None => own_scope.clone(),
    };
    let mut filter = filter_for(&tab, &auth.principal.unit_code, q.level);
    let repeated = q.repeated.as_deref().is_some_and(|r| r != "0");
    if repeated {
        filter.min_warnings = Some(2);
    }
    let fund = q.fund.as_deref().is_some_and(|f| f != "0");
    filter.fund_only = fund;
    if let Some(g) = &group {
        filter.fraud_types = Some(g.type_labels());
    }
    if let Some(t) = &q.fraud_type {
        filter.fraud_type = Some(if t == "untyped" {
            t.clone()
        } else {
            fanzha_core::FraudType::parse_label(t)
                .map_err(|_| WebError::BadRequest(format!("unknown fraud type `{t}`")))?
                .code()
                .to_string()
        });
    }
    let q_text =
        q.q.as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
    let mut problems = Vec::new();
    // The person named in the search box, once their instructions are in the filter.
    let searched = if !q_text.is_empty() {
        let person = identify(&q_text);
        filter.resident_id = match &person {
            Ok(Person::ResidentId(id)) => Some(id.clone()),
            Ok(Person::Phone(phone)) => match state.store.people().by_phone(&scope, phone).await? {
                Some(p) => Some(p.resident_id),
                None => {
                    problems.push("search_no_person");
                    // Nobody registered under the number: nothing matches.
                    Some(String::new())
                }
            },
            Err(problem) => {
                problems.push(*problem);
                None
            }
        };
        person.ok()
    } else {
        None
    };
    let total: i64 = state
        .store
        .instructions()
        .count_by_status(&scope, &filter)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    // The live refresh of an already searched list is not a new look-up.
    let refresh = headers.get("hx-request").is_some();
    if let (Some(person), false) = (&searched, refresh) {
        audit_person_search(
            &state,
            "instruction_search",
            &auth.principal.login,
            &auth.principal.unit_code,
            person,
            total,
        )
        .await?;
    }
    let instructions = state.store.instructions();
    let page = match q.format {
        Some(_) => {
            let (instructions, scope, filter) = (&instructions, &scope, &filter);
            every_page("instructions", move |r| async move {
                Ok(instructions.list(scope, filter, &r).await?)
            })
            .await?
        }
        None => {
            let request = PageRequest {
                after: q.after.clone(),
                limit: 200,
            };
            instructions.list(&scope, &filter, &request).await?
        }
    };
    let can_review = ReviewWarnings::allows(&auth.principal);
    let takers = receivers(&state, &auth.principal).await?;
    let ids: Vec<String> = page.items.iter().map(|i| i.id.clone()).collect();
    let counts = state.store.warnings().per_instruction(&ids).await?;
    let funds = state
        .store
        .fund_warnings()
        .instructions_with_fund(&ids)
        .await?;
    let mut rows = Vec::with_capacity(page.items.len());
    for i in &page.items {
        let mut r = build_row(&state, lang, i, can_review, &takers).await?;
        r.warnings = counts.get(&i.id).copied().unwrap_or(0);
        r.fund = funds.contains(&i.id);
        rows.push(RowFragment { lang, r });
    }
    if let Some(format) = q.format {
        return export(lang, &rows, format);
    }
    let groups = super::group_filter::group_choices(&state, &own_scope, q.group).await?;
    let mut base = form_urlencoded::Serializer::new(String::new());
    base.append_pair("tab", &tab);
    if let Some(l) = q.level {
        base.append_pair("level", &l.to_string());
    }
    if let Some(t) = &q.fraud_type {
        base.append_pair("fraud_type", t);
    }
    if let Some(g) = q.group {
        base.append_pair("group", &g.to_string());
    }
    if repeated {
        base.append_pair("repeated", "1");
    }
    if fund {
        base.append_pair("fund", "1");
    }
    if !q_text.is_empty() {
        base.append_pair("q", &q_text);
    }
    let base_query = base.finish();
    // The live refresh reloads the page being read, not the first one.
    let query = match &q.after {
        Some(a) => format!(
            "{base_query}&{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("after", a)
                .finish()
        ),
        None => base_query.clone(),
    };
    render(&QueuePage {
        lang,
        chrome,
        level: q.level.map(|l| l.to_string()).unwrap_or_default(),
        fraud_types: super::choices::fraud_type_choices(
            lang,
            q.fraud_type.as_deref().unwrap_or_default(),
        ),
        groups,
        repeated,
        fund,
        tab: tab.clone(),
        tabs: TABS
            .iter()
            .map(|(key, label)| TabLink {
                key,
                label,
                active: *key == tab,
            })
            .collect(),
        rows,
        query,
        q: q_text,
        problems,
        total,
        next: page.next,
        base_query,
        paged: q.after.is_some(),
    })
    .map(IntoResponse::into_response)
}

fn export(lang: Lang, rows: &[RowFragment], format: ExportFormat) -> Result<Response, WebError> {
    let headers = [
        "col_id",
        "col_level",
        "col_status",
        "col_person",
        "col_fraud_type",
        "col_holder",
        "col_target",
        "col_issued",
        "col_overdue",
    ];
    Table {
        name: "instructions".into(),
        headers: headers.iter().map(|h| lang.t(h).to_string()).collect(),
        rows: rows
            .iter()
            .map(|f| {
                let r = &f.r;
                vec![
                    r.id.clone(),
                    r.level_label.to_string(),
                    r.status_label.to_string(),
                    r.person.clone(),
                    r.fraud_type.clone(),
                    r.holder.clone(),
                    r.owner.clone(),
                    r.issued.clone(),
                    if r.overdue {
                        lang.t("yes")
                    } else {
                        lang.t("no")
                    }
                    .to_string(),
                ]
            })
            .collect(),
    }
    .respond(format)
}

#[derive(Debug, Deserialize)]
pub struct ActForm {
    /// `sign`, `delegate`, `recall`, `start_contact`, `close`, `new_round`, `approve_review`,
    /// `reject_review`, or an outcome code (`dissuaded_phone`, …).
    pub command: String,
    pub version: Option<u64>,
    pub to_unit: Option<String>,
    pub note: Option<String>,
    pub loss_yuan: Option<String>,
    pub saved_yuan: Option<String>,
}

/// Reads a form's command into state-machine commands. An outcome recorded on an instruction
/// nobody signed yet signs it first: the person was reached, which is what signing attests.
pub fn commands_from_form(form: &ActForm, status: &str) -> Result<Vec<Command>, WebError> {
    let mut out = Vec::new();
    let single = match form.command.as_str() {
        "sign" => Command::Sign,
        "delegate" => Command::Delegate {
            to_unit: form
                .to_unit
                .clone()
                .filter(|u| !u.is_empty())
                .ok_or_else(|| WebError::BadRequest("choose the unit to push down to".into()))?,
        },
        "recall" => Command::Recall,
        "start_contact" => Command::StartContact {
            channel: ContactChannel::Phone,
        },
        "close" => Command::Close,
        "new_round" => Command::NewRound,
        "approve_review" => Command::ApproveReview { to_unit: None },
        "reject_review" => Command::RejectReview,
        "defrauded" => {
            let loss = parse_yuan(form.loss_yuan.as_deref())?;
            Command::RecordOutcome {
                outcome: fanzha_workflow::Outcome::Defrauded { loss_fen: loss },
                saved_fen: parse_yuan(form.saved_yuan.as_deref())?,
            }
        }
        code => match Command::from_outcome_code(code) {
            Some(Command::RecordOutcome { outcome, .. }) => Command::RecordOutcome {
                outcome,
                saved_fen: parse_yuan(form.saved_yuan.as_deref())?,
            },
            _ => return Err(WebError::BadRequest(format!("unknown command `{code}`"))),
        },
    };
    if matches!(single, Command::RecordOutcome { .. }) && status == "issued" {
        out.push(Command::Sign);
    }
    out.push(single);
    Ok(out)
}

fn parse_yuan(s: Option<&str>) -> Result<i64, WebError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(0),
        Some(v) => fanzha_core::Money::parse(v)
            .map(|m| m.fen())
            .map_err(|e| WebError::BadRequest(format!("amount: {e}"))),
    }
}

/// `POST /instructions/{id}/act`: one click from the queue; answers the re-rendered row.
pub async fn act(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(form): FormBody<ActForm>,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    let can_review = ReviewWarnings::allows(&auth.principal);
    let (stored, error) = match apply_form(&state, &auth, &id, &form).await? {
        Ok(view) => (view.stored, None),
        Err(e) => {
            let fresh = state
                .store
                .instructions()
                .get(&Scope::platform(), &id)
                .await?;
            (fresh, Some(e.to_string()))
        }
    };
    let takers = receivers(&state, &auth.principal).await?;
    let mut row = build_row(&state, lang, &stored, can_review, &takers).await?;
    row.error = error;
    render(&RowFragment { lang, r: row })
}

#[derive(Debug, Deserialize)]
pub struct BulkForm {
    /// Repeated `id` fields (axum's Form reads them as one comma-joined list via `ids`).
    #[serde(default)]
    pub ids: String,
}

/// `POST /instructions/bulk-sign`: signs every chosen instruction that can be signed; answers
/// a summary line.
pub async fn bulk_sign(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(form): FormBody<BulkForm>,
) -> Result<Html<String>, WebError> {
    let lang = Lang::from_headers(&headers);
    let actor = actor_of(&state, &auth.principal).await?;
    let (mut ok, mut failed) = (0, 0);
    for id in form.ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match state
            .loop_service
            .act(
                &actor,
                id,
                None,
                &[Command::Sign],
                None,
                state.clock.now_ms(),
            )
            .await
        {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
    }
    Ok(Html(format!(
        r#"<p class="notice" data-bulk-signed="{ok}">{} {ok} · {} {failed}</p>"#,
        lang.t("bulk_signed"),
        lang.t("bulk_failed")
    )))
}

#[derive(Template)]
#[template(path = "instruction.html")]
struct DetailPage {
    lang: Lang,
    chrome: Chrome,
    row: Row,
    row_html: String,
    state: Instruction,
    events: Vec<EventLine>,
    warning_ids: Vec<String>,
    /// Whether the warnings are links (a leader or grid worker reads their numbers only).
    can_view_warnings: bool,
    can_act: bool,
    /// Texts about the instruction (反诈提醒 to the person, 金钟罩 alerts to guardians).
    texts: Vec<super::sms_lines::SmsLine>,
    sign_by: String,
    contact_by: String,
    close_by: String,
    /// The 劝阻队伍 of the village the instruction is for, for those who may see teams.
    team: Option<super::teams::TeamSection>,
}

pub struct EventLine {
    pub at: String,
    /// Who acted, by name (a user's display name, the platform's own accounts in words).
    pub actor: String,
    /// Their login, as stored.
    pub actor_login: String,
    pub unit: String,
    pub action: &'static str,
    pub action_code: String,
    pub detail: String,
    pub note: String,
}

pub async fn event_lines(
    state: &AppState,
    lang: Lang,
    events: &[fanzha_workflow::Event],
) -> Vec<EventLine> {
    let mut out = Vec::with_capacity(events.len());
    // A timeline names the same few people many times: each login is looked up once.
    let mut names: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for e in events {
        use fanzha_workflow::Action::*;
        let detail = match &e.action {
            Delegated { to_unit } | ReviewApproved { unit: to_unit } => {
                format!("→ {}", state.unit_name(to_unit).await)
            }
            Issued { unit, .. } => format!("→ {}", state.unit_name(unit).await),
            Assigned { user } => format!("→ {user}"),
            OutcomeRecorded { outcome, saved_fen } => {
                let mut s = match lang {
                    Lang::Zh => outcome.zh(),
                    Lang::En => outcome.code().replace('_', " "),
                };
                if let fanzha_workflow::Outcome::Defrauded { loss_fen } = outcome {
                    s.push_str(&format!(" {}", super::view::yuan(*loss_fen)));
                }
                if *saved_fen > 0 {
                    s.push_str(&format!(
                        " · {} {}",
                        lang.t("saved"),
                        super::view::yuan(*saved_fen)
                    ));
                }
                s
            }
            Escalated { sla, to_unit } => format!(
                "{} → {}",
                match lang {
                    Lang::Zh => sla.zh().to_string(),
                    Lang::En => format!("{sla:?}"),
                },
                state.unit_name(to_unit).await
            ),
            ContactStarted { channel } => match lang {
                Lang::Zh => channel.zh().to_string(),
                Lang::En => format!("{channel:?}"),
            },
            AttemptFailed { reason } => match lang {
                Lang::Zh => reason.zh().to_string(),
                Lang::En => format!("{reason:?}"),
            },
            LevelRaised { level, .. } => level_label(lang, level.number()).to_string(),
            WarningMerged { warning_id } => warning_id.clone(),
            _ => String::new(),
        };
        out.push(EventLine {
            at: time(e.at_ms),
            // The loop's own steps (routing, escalation) are the system's, in words; people
            // by the name their account carries (a login no account has, as it is).
            actor: match names.get(e.actor.as_str()) {
                Some(name) => name.clone(),
                None => {
                    let name = match super::view::actor_name(state, lang, &e.actor).await {
                        name if name.is_empty() => e.actor.clone(),
                        name => name,
                    };
                    names.insert(&e.actor, name.clone());
                    name
                }
            },
            actor_login: e.actor.clone(),
            unit: state.unit_name(&e.unit).await,
            action: action_label(lang, e.action.name()),
            action_code: e.action.name().to_string(),
            detail,
            note: e.note.clone().unwrap_or_default(),
        });
    }
    out
}

pub async fn detail(
    auth: Require<ViewInstructions>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/instructions");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let view = state.loop_service.view(&scope, &id).await?;
    let can_review = ReviewWarnings::allows(&auth.principal);
    let takers = receivers(&state, &auth.principal).await?;
    let row = build_row(&state, lang, &view.stored, can_review, &takers).await?;
    let events = event_lines(&state, lang, &view.events).await;
    let d = view.state.deadlines;
    let row_html = RowFragment {
        lang,
        r: row.clone(),
    }
    .render()?;
    let texts = super::sms_lines::sms_lines(lang, state.store.sms().for_instruction(&id).await?);
    let team = if ViewTeams::allows(&auth.principal) {
        super::teams::village_team(&state, lang, &view.stored.owner_unit).await?
    } else {
        None
    };
    render(&DetailPage {
        lang,
        texts,
        team,
        row_html,
        can_act: HandleInstructions::allows(&auth.principal) && view.state.status != Status::Closed,
        warning_ids: view.state.warning_ids.clone(),
        can_view_warnings: ViewWarnings::allows(&auth.principal),
        sign_by: time(d.sign_by),
        contact_by: time(d.contact_by),
        close_by: time(d.close_by),
        state: view.state,
        chrome,
        row,
        events,
    })
}

/// `POST /instructions/{id}/feedback`: the detail page's form; the page reloads to show the
/// new state and history (htmx `HX-Refresh`), or the error inline.
pub async fn feedback(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    FormBody(form): FormBody<ActForm>,
) -> Result<Response, WebError> {
    apply_form(&state, &auth, &id, &form).await??;
    Ok(([("hx-refresh", "true")], "").into_response())
}

/// Applies a form's command as the caller: checks it against the instruction as the caller
/// sees it and the review permission, acts, and opens a case on a 已被骗 feedback. The outer
/// error is the request's; the inner one is the closed loop refusing the change, which a page
/// may show in place.
pub async fn apply_form(
    state: &AppState,
    auth: &Require<HandleInstructions>,
    id: &str,
    form: &ActForm,
) -> Result<Result<fanzha_workflow::InstructionView, fanzha_workflow::LoopError>, WebError> {
    let actor = actor_of(state, &auth.principal).await?;
    let current = state.store.instructions().get(&actor.scope, id).await?;
    let commands = commands_from_form(form, &current.projection.status)?;
    // Any form reads any command, 二次研判 included.
    check_review_permission(auth, &commands)?;
    let result = state
        .loop_service
        .act(
            &actor,
            id,
            form.version,
            &commands,
            form.note.clone().filter(|n| !n.trim().is_empty()),
            state.clock.now_ms(),
        )
        .await;
    if let Ok(view) = &result {
        crate::casework::after_instruction_change(
            state,
            &auth.principal.login,
            view,
            commands.len(),
        )
        .await?;
    }
    Ok(result)
}
