//! 网格员 pages for a phone: my tasks, then one task with the person's address and a `tel:` link,
//! the talking points for the fraud type, and the outcome in two taps. Opening a task shows the
//! person's full contact data, so each opening is written to the audit log. `/m/outreach`
//! records a 反诈宣传 talk or campaign held in the worker's unit; `/m/key-persons` lists the key
//! persons the worker is responsible for (包保), the visits due first, with a one-tap visit.

use super::choices::non_empty;
use super::instructions::{apply_form, event_lines, ActForm, EventLine};
use super::scripts::talking_points;
use super::view::{fraud_type_label, level_class, level_label, pick, status_label};
use super::{render, Chrome};
use crate::api::people::audit_reveal;
use crate::auth::permission::{
    HandleInstructions, Permission, RecordOutreach, ViewBulletins, ViewTeams, VisitKeyPersons,
};

/// 诈骗手法通报 shown on the phone's task list.
const MOBILE_ALERTS: u32 = 3;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use fanzha_core::mask::mask_name;
use fanzha_core::time::{format_shanghai_date, shanghai_midnight};
use fanzha_store::{
    ControlState, InstructionFilter, InvolvedSince, KeyPersonFilter, KeyPersonMeasure,
    KeyPersonStatus, NewOutreach, OutreachAudience, OutreachFilter, OutreachKind, PageRequest,
    Scope, MAX_PAGE,
};

struct TaskCard {
    id: String,
    level_class: &'static str,
    level_label: &'static str,
    status: String,
    status_label: &'static str,
    person: String,
    fraud_type: String,
    next_due_at: Option<i64>,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "mobile_tasks.html")]
struct TasksPage {
    lang: Lang,
    chrome: Chrome,
    open: Vec<TaskCard>,
    done: Vec<TaskCard>,
    /// Visits overdue of the key persons one is responsible for, when one may record visits.
    visits_overdue: Option<i64>,
    /// The latest 诈骗手法通报 along one's line (id, title, issued), to tell residents about.
    alerts: Vec<(i64, String, String)>,
}

pub async fn tasks(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/m");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let page = state
        .store
        .instructions()
        .list(
            &scope,
            &InstructionFilter::default(),
            &PageRequest::first(100),
        )
        .await?;
    let (mut open, mut done) = (Vec::new(), Vec::new());
    for i in page.items {
        let p = &i.projection;
        let person = match &i.resident_id {
            Some(rid) => match state.store.people().get(&scope, rid).await {
                Ok(person) => mask_name(&person.name),
                Err(_) => fanzha_core::mask::mask_resident_id(rid),
            },
            None => lang.t("unknown_person").to_string(),
        };
        let card = TaskCard {
            level_class: level_class(p.level),
            level_label: level_label(lang, p.level),
            status_label: status_label(lang, &p.status),
            status: p.status.clone(),
            person,
            fraud_type: fraud_type_label(lang, i.fraud_type.as_deref()),
            next_due_at: p.next_due_at,
            overdue: p.overdue,
            id: i.id,
        };
        let actionable = matches!(
            p.status.as_str(),
            "issued" | "signed" | "contacting" | "unreachable"
        );
        if actionable {
            open.push(card);
        } else {
            done.push(card);
        }
    }
    let visits_overdue = if VisitKeyPersons::allows(&auth.principal) {
        let filter = KeyPersonFilter {
            responsible: Some(auth.principal.login.clone()),
            visit_overdue: true,
            ..KeyPersonFilter::default()
        };
        let now = state.clock.now_ms();
        Some(
            state
                .store
                .key_persons()
                .count(&scope, &filter, now)
                .await?,
        )
    } else {
        None
    };
    let alerts = if ViewBulletins::allows(&auth.principal) {
        let reader = fanzha_store::BulletinReader {
            unit: state.store.units().get(&auth.principal.unit_code).await?,
            scope: scope.clone(),
        };
        state
            .store
            .bulletins()
            .list(
                &reader,
                &fanzha_store::BulletinFilter {
                    kind: Some(fanzha_store::BulletinKind::Methods),
                    unsigned_only: false,
                },
                &PageRequest::first(MOBILE_ALERTS),
            )
            .await?
            .items
            .into_iter()
            .map(|b| {
                (
                    b.id,
                    b.title,
                    fanzha_core::time::format_shanghai_date(b.issued_at),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&TasksPage {
        lang,
        chrome,
        open,
        done,
        visits_overdue,
        alerts,
    })
}

#[derive(Template)]
#[template(path = "mobile_task.html")]
struct TaskPage {
    lang: Lang,
    chrome: Chrome,
    id: String,
    version: i64,
    level_class: &'static str,
    level_label: &'static str,
    status: String,
    status_label: &'static str,
    fraud_type: String,
    name: String,
    phone: Option<String>,
    address: String,
    points: Vec<String>,
    next_due_at: Option<i64>,
    actionable: bool,
    buttons: &'static [OutcomeButton],
    events: Vec<EventLine>,
    /// 金钟罩: the person's registered guardians (calling them is 亲属劝阻).
    guardians: Vec<GuardianLine>,
    /// Texts sent about this instruction (反诈提醒, guardian alerts) and where they stand.
    texts: Vec<super::sms_lines::SmsLine>,
    /// The village's dissuasion team (劝阻队伍) to go out with, masked, each linking to their
    /// audited page with the number to call.
    team: Option<super::teams::TeamSection>,
}

struct GuardianLine {
    name: String,
    relationship: String,
    phone: String,
}

struct OutcomeButton {
    code: &'static str,
    key: &'static str,
    class: &'static str,
}

/// The outcomes a grid worker taps, most common first.
const BUTTONS: &[OutcomeButton] = &[
    OutcomeButton {
        code: "dissuaded_phone",
        key: "o_dissuaded_phone",
        class: "ok",
    },
    OutcomeButton {
        code: "dissuaded_visit",
        key: "o_dissuaded_visit",
        class: "ok",
    },
    OutcomeButton {
        code: "dissuaded_relatives",
        key: "o_dissuaded_relatives",
        class: "ok",
    },
    OutcomeButton {
        code: "self_aware",
        key: "o_self_aware",
        class: "ok",
    },
    OutcomeButton {
        code: "unreachable_no_answer",
        key: "o_unreachable_no_answer",
        class: "warn",
    },
    OutcomeButton {
        code: "unreachable_switched_off",
        key: "o_unreachable_switched_off",
        class: "warn",
    },
    OutcomeButton {
        code: "unreachable_empty_number",
        key: "o_unreachable_empty_number",
        class: "warn",
    },
    OutcomeButton {
        code: "unreachable_refused",
        key: "o_unreachable_refused",
        class: "warn",
    },
    OutcomeButton {
        code: "false_alarm",
        key: "o_false_alarm",
        class: "plain",
    },
];

pub async fn task(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/m");
    let lang = chrome.lang;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let view = state.loop_service.view(&scope, &id).await?;
    let stored = &view.stored;
    let warning_phone = match view.state.warning_ids.first() {
        Some(w) => state
            .store
            .warnings()
            .get(&Scope::platform(), w)
            .await
            .ok()
            .and_then(|w| w.msisdn),
        None => None,
    };
    let (name, phone, address) = match &stored.resident_id {
        Some(rid) => match state.store.people().get(&scope, rid).await {
            Ok(person) => {
                audit_reveal(&state, &auth.principal.login, &person, "grid_task").await?;
                let address = person
                    .address
                    .clone()
                    .unwrap_or_else(|| person.residence_code.clone());
                (person.name, person.phone.or(warning_phone), address)
            }
            Err(_) => (
                lang.t("unknown_person").to_string(),
                warning_phone,
                String::new(),
            ),
        },
        None => (
            lang.t("unknown_person").to_string(),
            warning_phone,
            String::new(),
        ),
    };
    let guardians = match &stored.resident_id {
        Some(rid) => state
            .store
            .guardians()
            .for_resident(&scope, rid)
            .await?
            .into_iter()
            .map(|g| GuardianLine {
                name: g.name,
                relationship: g.relationship,
                phone: g.phone,
            })
            .collect(),
        None => Vec::new(),
    };
    let texts =
        super::sms_lines::sms_lines(lang, state.store.sms().for_instruction(&stored.id).await?);
    let team = if ViewTeams::allows(&auth.principal) {
        super::teams::village_team(&state, lang, &stored.owner_unit).await?
    } else {
        None
    };
    let p = &stored.projection;
    render(&TaskPage {
        guardians,
        texts,
        team,
        lang,
        id: stored.id.clone(),
        version: p.version,
        level_class: level_class(p.level),
        level_label: level_label(lang, p.level),
        status: p.status.clone(),
        status_label: status_label(lang, &p.status),
        fraud_type: fraud_type_label(lang, stored.fraud_type.as_deref()),
        points: talking_points(&state, lang, stored.fraud_type.as_deref()).await?,
        name,
        phone,
        address,
        next_due_at: p.next_due_at,
        actionable: matches!(p.status.as_str(), "issued" | "signed" | "contacting"),
        buttons: BUTTONS,
        events: event_lines(&state, lang, &view.events).await,
        chrome,
    })
}

/// `POST /m/instructions/{id}/outcome`: the tapped outcome; the page reloads to show it.
pub async fn outcome(
    auth: Require<HandleInstructions>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    FormBody(form): FormBody<ActForm>,
) -> Result<Response, WebError> {
    apply_form(&state, &auth, &id, &form).await??;
    Ok(([("hx-refresh", "true")], "").into_response())
}

/// One record on the phone's outreach page.
struct OutreachLine {
    held_on: String,
    kind: &'static str,
    place: String,
    people_reached: i64,
    app_registrations: i64,
}

#[derive(Template)]
#[template(path = "mobile_outreach.html")]
struct OutreachPage {
    lang: Lang,
    chrome: Chrome,
    unit: String,
    today: String,
    kinds: Vec<(&'static str, &'static str)>,
    audiences: Vec<(&'static str, &'static str)>,
    /// The 企业反诈联盟 members of the area (id, name), for an event held at one.
    members: Vec<(i64, String)>,
    saved: bool,
    recent: Vec<OutreachLine>,
    /// 精准宣防名单 with visits left in the area: (id, group, residents to visit, deadline).
    targets: Vec<(i64, &'static str, i64, String)>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct OutreachQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /m/outreach`: the form to record a talk or campaign held in one's unit (date today in
/// Shanghai by default) and the unit's latest records.
pub async fn outreach_form(
    auth: Require<RecordOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OutreachQuery>,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/m/outreach");
    let lang = chrome.lang;
    let unit_code = &auth.principal.unit_code;
    let scope = state.scope_of(unit_code).await?;
    let recent = state
        .store
        .outreach()
        .list(&scope, &OutreachFilter::default(), &PageRequest::first(20))
        .await?
        .items
        .into_iter()
        .map(|e| OutreachLine {
            held_on: format_shanghai_date(e.held_on),
            kind: pick(lang, e.kind.zh(), e.kind.en()),
            place: e.place,
            people_reached: e.people_reached,
            app_registrations: e.app_registrations,
        })
        .collect();
    render(&OutreachPage {
        unit: state.unit_name(unit_code).await,
        today: format_shanghai_date(state.clock.now_ms()),
        kinds: OutreachKind::ALL
            .iter()
            .map(|k| (k.as_str(), pick(lang, k.zh(), k.en())))
            .collect(),
        audiences: OutreachAudience::ALL
            .iter()
            .map(|a| (a.as_str(), pick(lang, a.zh(), a.en())))
            .collect(),
        members: state
            .store
            .alliance()
            .list(&scope, false)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect(),
        saved: q.saved.is_some(),
        recent,
        targets: state
            .store
            .outreach_lists()
            .lists(&scope, 20)
            .await?
            .into_iter()
            .filter(|l| l.figures.pending > 0)
            .map(|l| {
                (
                    l.id,
                    pick(lang, l.group.zh(), l.group.en()),
                    l.figures.pending,
                    format_shanghai_date(l.deadline),
                )
            })
            .collect(),
        lang,
        chrome,
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct OutreachForm {
    held_on: String,
    kind: String,
    audience: String,
    place: String,
    people_reached: String,
    #[serde(default)]
    app_registrations: String,
    #[serde(default)]
    materials: String,
    #[serde(default)]
    consultations: String,
    #[serde(default)]
    note: String,
    /// The alliance member it was held at (an event for enterprises), empty for none.
    #[serde(default)]
    alliance_member: String,
}

fn count_field(value: &str, what: &str) -> Result<i64, WebError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(0);
    }
    v.parse()
        .map_err(|_| WebError::BadRequest(format!("{what} must be a whole number, not `{v}`")))
}

/// `POST /m/outreach`: records a talk or campaign held in one's own unit (audited by the
/// store); answers with the outreach page. Bad input (a negative count, a future date, no
/// place) is refused with a message and stores nothing.
pub async fn record_outreach(
    auth: Require<RecordOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<OutreachForm>,
) -> Result<Response, WebError> {
    let date = chrono::NaiveDate::parse_from_str(f.held_on.trim(), "%Y-%m-%d")
        .map_err(|_| WebError::BadRequest(format!("not a date: `{}`", f.held_on.trim())))?;
    let held_on = shanghai_midnight(date).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let kind = OutreachKind::parse(f.kind.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown kind `{}`", f.kind)))?;
    let audience = OutreachAudience::parse(f.audience.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown audience `{}`", f.audience)))?;
    let new = NewOutreach {
        unit_code: auth.principal.unit_code.clone(),
        held_on,
        kind,
        audience,
        place: f.place,
        people_reached: count_field(&f.people_reached, "people reached")?,
        app_registrations: count_field(&f.app_registrations, "app installs")?,
        materials: count_field(&f.materials, "materials handed out")?,
        consultations: count_field(&f.consultations, "consultations")?,
        note: f.note,
        created_by: auth.principal.login.clone(),
        alliance_member: match f.alliance_member.trim() {
            "" => None,
            v => Some(v.parse().map_err(|_| {
                WebError::BadRequest(format!("alliance_member: not a member `{v}`"))
            })?),
        },
    };
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .outreach()
        .record(&scope, &new, state.clock.now_ms())
        .await?;
    let to = "/m/outreach?saved=1";
    if headers.contains_key("hx-request") {
        return Ok(([("hx-redirect", to)], axum::http::StatusCode::CREATED).into_response());
    }
    Ok(axum::response::Redirect::to(to).into_response())
}

/// A key person one is responsible for, as the phone shows it: masked.
struct VisitCard {
    id: i64,
    name: String,
    category: &'static str,
    unit: String,
    last_visit: String,
    next_visit: String,
    overdue: bool,
    /// Involved in a case since the last visit or measure (再次涉案待跟进).
    involved: bool,
    /// Where the person stood at the last visit that said so (code, words).
    control_code: &'static str,
    control: String,
}

#[derive(Template)]
#[template(path = "mobile_key_persons.html")]
struct VisitsPage {
    lang: Lang,
    chrome: Chrome,
    /// Overdue or due first.
    cards: Vec<VisitCard>,
    overdue: usize,
    control_states: Vec<super::choices::Choice>,
}

/// `GET /m/key-persons`: the key persons in control of one's subtree one is responsible for
/// (包保) — those involved in a case since their last visit or measure first (再次涉案待跟进),
/// then the visit due soonest — overdue ones marked, each with a one-tap visit form.
pub async fn key_persons(
    auth: Require<VisitKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/m");
    let lang = chrome.lang;
    let now = state.clock.now_ms();
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let filter = KeyPersonFilter {
        status: Some(KeyPersonStatus::Active),
        responsible: Some(auth.principal.login.clone()),
        ..KeyPersonFilter::default()
    };
    let mut items = state
        .store
        .key_persons()
        .list(&scope, &filter, &PageRequest::first(MAX_PAGE), now)
        .await?
        .items;
    let ids: Vec<i64> = items.iter().map(|k| k.id).collect();
    let involved = state
        .store
        .key_persons()
        .involved_among(&scope, &ids, InvolvedSince::LastAction)
        .await?;
    items.sort_by_key(|k| (!involved.contains(&k.id), k.next_visit_due(), k.id));
    let mut units = state.unit_names();
    let mut cards = Vec::with_capacity(items.len());
    for k in items {
        cards.push(VisitCard {
            involved: involved.contains(&k.id),
            id: k.id,
            name: k.name.as_deref().map(mask_name).unwrap_or_default(),
            category: super::key_persons::category_label(lang, k.category),
            unit: units.get(&k.unit_code).await,
            last_visit: k
                .last_visit_at
                .map(format_shanghai_date)
                .unwrap_or_default(),
            next_visit: format_shanghai_date(k.next_visit_due()),
            overdue: k.visit_overdue_at(now),
            control_code: k.control_state.map(ControlState::as_str).unwrap_or(""),
            control: super::key_persons::control_text(lang, &k),
        });
    }
    render(&VisitsPage {
        overdue: cards.iter().filter(|c| c.overdue).count(),
        cards,
        control_states: super::choices::choices(
            &ControlState::ALL,
            ControlState::as_str,
            |c| pick(lang, c.zh(), c.en()),
            None,
        ),
        lang,
        chrome,
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct VisitForm {
    note: String,
    /// Where the person stands (`stable`, `away`, `lost`), where to, a new number.
    #[serde(default)]
    control: Option<String>,
    #[serde(default)]
    control_place: Option<String>,
    #[serde(default)]
    contact: Option<String>,
}

/// `POST /m/key-persons/{id}/visit` (`note`): records a visit (走访) on a dossier in control
/// of one's subtree, as an entry of the dossier (audited by the store); answers with the list,
/// which reloads.
pub async fn record_visit(
    auth: Require<VisitKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<VisitForm>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .key_persons()
        .add_event(
            &scope,
            id,
            &KeyPersonMeasure::Visit {
                control: super::key_persons::control_of(
                    non_empty(&f.control),
                    non_empty(&f.control_place),
                    non_empty(&f.contact),
                )?,
                note: f.note,
            },
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(super::after_write(
        &headers,
        "/m/key-persons".into(),
        axum::http::StatusCode::OK,
    ))
}
