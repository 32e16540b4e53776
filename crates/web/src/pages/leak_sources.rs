//! 订单信息泄露溯源: on a case's page, the order a fake customer-service caller knew — platform,
//! shop, courier, outlet, the details cited — filled in from the narrative where it names them
//! (`fanzha_text::order_source`) and recorded from the version read
//! (`POST /cases/{id}/order-source`); and `/leak-sources`, the shops and courier outlets several
//! victims' orders went through over a period (疑似泄露源: where the data leaked, seed 002), with
//! the cases, the units they come from, the loss and what the callers knew, and how many of the
//! period's 冒充电商物流客服 cases still lack a record; a suspected one is handed to a member
//! department of the joint office (`POST /leak-sources/tasks`) as a task. Data from the store's
//! `CaseOrderSources`.

use super::view::{pick, share};
use super::{render, Chrome};
use crate::auth::permission::{ManageJointOffice, Permission, RecordVictimFollowUp, ViewCases};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::time::format_shanghai_date;
use fanzha_core::FraudType;
use fanzha_store::{
    Case, CitedDetail, LeakBy, LeakCoverage, LeakGroup, LeakTask, OrderSource, OrderSourceText,
    Scope,
};
use fanzha_text::order_source::{courier_name, mentions, platform_name, COURIERS, PLATFORMS};
use serde::Deserialize;

/// Groups listed per table (the export has them all).
const GROUP_ROWS: usize = 100;

/// The fraud types whose cases show the section unrecorded: the caller knew an order.
fn concerns(c: &Case) -> bool {
    matches!(
        c.fraud_type.as_deref(),
        Some(t) if t == FraudType::FakeCustomerService.code() || t == FraudType::FakeShopping.code()
    )
}

/// The case page's section.
pub struct OrderSourceView {
    /// Whether the page shows it: a case of the types above, or one with a record.
    pub shown: bool,
    pub recorded: Option<OrderSource>,
    /// The form filled in from the narrative (nothing recorded yet).
    pub suggested: bool,
    pub can_record: bool,
    pub platform: String,
    pub shop: String,
    pub courier: String,
    pub outlet: String,
    pub ordered_on: String,
    /// (code, label, checked)
    pub cited: Vec<(&'static str, &'static str, bool)>,
    pub platforms: Vec<&'static str>,
    pub couriers: Vec<&'static str>,
    /// The version to send: empty for a first record.
    pub version: String,
    /// The cited details in words.
    pub cited_text: String,
}

/// The section of case `c` for the reader.
pub async fn case_section(
    state: &AppState,
    lang: Lang,
    c: &Case,
    can_record: bool,
) -> Result<OrderSourceView, WebError> {
    let recorded = state.store.case_order_sources().get(&c.id).await?;
    let (platform, shop, courier, outlet, ordered_on, cited, suggested) = match &recorded {
        Some(r) => (
            r.platform.clone(),
            r.shop.clone(),
            r.courier.clone(),
            r.outlet.clone(),
            r.ordered_on.map(|d| d.to_string()).unwrap_or_default(),
            r.cited.clone(),
            false,
        ),
        None => {
            let m = mentions(&c.narrative);
            let any = m.platform.is_some() || m.shop.is_some() || m.courier.is_some();
            (
                m.platform.unwrap_or_default().to_string(),
                m.shop.unwrap_or_default(),
                m.courier.unwrap_or_default().to_string(),
                String::new(),
                String::new(),
                Vec::new(),
                any,
            )
        }
    };
    let label = |d: CitedDetail| pick(lang, d.zh(), d.en());
    Ok(OrderSourceView {
        shown: recorded.is_some() || concerns(c),
        version: recorded
            .as_ref()
            .map(|r| r.version.to_string())
            .unwrap_or_default(),
        cited_text: cited
            .iter()
            .map(|d| label(*d))
            .collect::<Vec<_>>()
            .join("、"),
        cited: CitedDetail::ALL
            .iter()
            .map(|d| (d.as_str(), label(*d), cited.contains(d)))
            .collect(),
        platforms: PLATFORMS.iter().map(|(n, _)| *n).collect(),
        couriers: COURIERS.iter().map(|(n, _)| *n).collect(),
        recorded,
        suggested,
        can_record,
        platform,
        shop,
        courier,
        outlet,
        ordered_on,
    })
}

/// `POST /cases/{id}/order-source` (`platform`, `shop`, `courier`, `outlet`, `ordered_on`,
/// `cited` — repeated —, `version`, empty for a first record): records the order a case's
/// caller knew. Platform and courier names are kept in one form (`中通快递` → 中通).
pub async fn record(
    auth: Require<RecordVictimFollowUp>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut cited = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "cited") {
        cited.push(CitedDetail::parse(v).ok_or_else(|| {
            WebError::BadRequest(format!("cited: not a detail of an order `{v}`"))
        })?);
    }
    let ordered_on = match field("ordered_on").trim() {
        "" => None,
        d => Some(super::view::date(d)?),
    };
    let version = match field("version").trim() {
        "" => None,
        v => Some(super::version_field(v)?),
    };
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .case_order_sources()
        .set(
            &scope,
            &id,
            version,
            &OrderSourceText {
                platform: platform_name(&field("platform")),
                shop: field("shop"),
                courier: courier_name(&field("courier")),
                outlet: field("outlet"),
                ordered_on,
                cited,
            },
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    let to = format!(
        "/cases/{}#order-source",
        form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
    );
    Ok(super::after_write(&headers, to, StatusCode::OK))
}

/// A group as listed.
struct GroupRow {
    key: String,
    company: String,
    name: String,
    cases: Vec<String>,
    units: usize,
    loss: String,
    first: String,
    last: String,
    /// What the callers knew, the most cited first ("快递单号 3、收件人姓名 3").
    cited: String,
    /// Several victims: a suspected leak.
    suspected: bool,
    /// What the callers knew is on the waybill (面单): the outlet's data, not the shop's.
    waybill: bool,
    /// The joint-office tasks it was handed over in: (id, state label).
    tasks: Vec<(i64, &'static str)>,
}

fn rows(
    lang: Lang,
    groups: &[LeakGroup],
    tasks: &std::collections::HashMap<String, Vec<LeakTask>>,
) -> Vec<GroupRow> {
    groups
        .iter()
        .map(|g| {
            let cited = g.cited();
            let on_waybill: usize = cited
                .iter()
                .filter(|(d, _)| d.on_waybill())
                .map(|(_, n)| n)
                .sum();
            let total: usize = cited.iter().map(|(_, n)| n).sum();
            GroupRow {
                key: g.key.clone(),
                tasks: tasks
                    .get(&g.key)
                    .map(|ts| {
                        ts.iter()
                            .map(|t| (t.task_id, pick(lang, t.state.zh(), t.state.en())))
                            .collect()
                    })
                    .unwrap_or_default(),
                company: g.company.clone(),
                name: g.name.clone(),
                cases: g.cases.iter().map(|c| c.case_id.clone()).collect(),
                units: g.units(),
                loss: super::view::yuan(g.loss_fen()),
                first: g
                    .cases
                    .iter()
                    .map(|c| c.reported_at)
                    .min()
                    .map(format_shanghai_date)
                    .unwrap_or_default(),
                last: g
                    .cases
                    .iter()
                    .map(|c| c.reported_at)
                    .max()
                    .map(format_shanghai_date)
                    .unwrap_or_default(),
                cited: cited
                    .iter()
                    .map(|(d, n)| format!("{} {n}", pick(lang, d.zh(), d.en())))
                    .collect::<Vec<_>>()
                    .join("、"),
                suspected: g.cases.len() >= 2,
                waybill: total > 0 && on_waybill * 2 >= total,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "leak_sources.html")]
struct LeakPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    days: i64,
    day_choices: Vec<i64>,
    coverage: LeakCoverage,
    shops: Vec<GroupRow>,
    outlets: Vec<GroupRow>,
    shops_suspected: usize,
    outlets_suspected: usize,
    more: bool,
    /// The hand-over form, for those who assign joint-office tasks.
    hand_over: Option<HandOver>,
}

/// Days a regulator is given by default to answer a hand-over.
const HAND_OVER_DAYS: u64 = 15;

/// The member departments of one's own joint office and the default deadline.
struct HandOver {
    members: Vec<(i64, String)>,
    due: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct LeakQuery {
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    format: Option<ExportFormat>,
    #[serde(default)]
    section: Option<String>,
}

fn export(lang: Lang, shops: &[GroupRow], outlets: &[GroupRow]) -> Sheets {
    let table = |rows: &[GroupRow]| {
        rows.iter()
            .map(|r| {
                vec![
                    r.company.clone(),
                    r.name.clone(),
                    r.cases.len().to_string(),
                    r.units.to_string(),
                    r.loss.clone(),
                    r.first.clone(),
                    r.last.clone(),
                    r.cited.clone(),
                    r.cases.join(" "),
                ]
            })
            .collect()
    };
    let columns = |company: &'static str, name: &'static str| {
        [
            company,
            name,
            "ls_cases",
            "ls_units",
            "loss",
            "ls_first",
            "ls_last",
            "ls_cited",
            "ls_case_ids",
        ]
    };
    Sheets {
        name: "leak_sources".into(),
        sheets: vec![
            Sheet::new(
                lang,
                "shops",
                "ls_by_shop",
                &columns("ls_platform", "ls_shop"),
                table(shops),
            ),
            Sheet::new(
                lang,
                "outlets",
                "ls_by_outlet",
                &columns("ls_courier", "ls_outlet"),
                table(outlets),
            ),
        ],
    }
}

/// `GET /leak-sources[?days=90][&format=csv|xlsx[&section=shops|outlets]]`: the shops and courier
/// outlets of one's area that several victims' orders went through in the period.
pub async fn page(
    auth: Require<ViewCases>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LeakQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/leak-sources");
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope: Scope = state.scope_of(&p.unit_code).await?;
    let period = super::days_period::period(&state, q.days.as_deref().or(Some("90")))?;
    let repo = state.store.case_order_sources();
    let shops = repo
        .groups(&scope, period.from, period.until, LeakBy::Shop)
        .await?;
    let outlets = repo
        .groups(&scope, period.from, period.until, LeakBy::Outlet)
        .await?;
    let coverage = repo.coverage(&scope, period.from, period.until).await?;
    let shops = rows(lang, &shops, &repo.tasks(&scope, LeakBy::Shop).await?);
    let outlets = rows(lang, &outlets, &repo.tasks(&scope, LeakBy::Outlet).await?);
    let hand_over = if ManageJointOffice::allows(p) {
        let members = state
            .store
            .joint_office()
            .members(&scope, false)
            .await?
            .into_iter()
            .filter(|m| m.unit_code == p.unit_code)
            .map(|m| (m.id, m.name))
            .collect::<Vec<_>>();
        Some(HandOver {
            members,
            due: (state.today()? + chrono::Days::new(HAND_OVER_DAYS)).to_string(),
        })
    } else {
        None
    };
    if let Some(format) = q.format {
        return export(lang, &shops, &outlets).respond(format, q.section.as_deref());
    }
    let more = shops.len() > GROUP_ROWS || outlets.len() > GROUP_ROWS;
    render(&LeakPage {
        unit_name: state.unit_name(&p.unit_code).await,
        days: period.days,
        day_choices: vec![30, 90, 180, 365],
        coverage,
        shops_suspected: shops.iter().filter(|r| r.suspected).count(),
        outlets_suspected: outlets.iter().filter(|r| r.suspected).count(),
        shops: shops.into_iter().take(GROUP_ROWS).collect(),
        outlets: outlets.into_iter().take(GROUP_ROWS).collect(),
        more,
        hand_over,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct HandOverForm {
    by: String,
    key: String,
    member_id: String,
    due: String,
    #[serde(default)]
    days: Option<String>,
}

/// `POST /leak-sources/tasks` (`by` shop|outlet, `key`, `member_id`, `due`, `days`): hands a
/// suspected shop or outlet to a member department of one's joint office (邮政管理局, 市场监管局)
/// as a task naming the cases, the loss and what the callers knew — "督促行业主管部门监管履责" —
/// and goes to the task.
pub async fn hand_over(
    auth: Require<ManageJointOffice>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<HandOverForm>,
) -> Result<Response, WebError> {
    let p = &auth.principal;
    let by = LeakBy::parse(&f.by)
        .ok_or_else(|| WebError::BadRequest(format!("by: shop or outlet, not `{}`", f.by)))?;
    let scope = state.scope_of(&p.unit_code).await?;
    let period = super::days_period::period(&state, f.days.as_deref().or(Some("90")))?;
    let repo = state.store.case_order_sources();
    let group = repo
        .groups(&scope, period.from, period.until, by)
        .await?
        .into_iter()
        .find(|g| g.key == f.key)
        // No case of one's area in the period names it: as for any record outside one's area.
        .ok_or(WebError::NotFound)?;
    let member_id: i64 = f
        .member_id
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("member_id: choose a member department".into()))?;
    let due_at = super::view::end_of_day(super::view::date(&f.due)?)?;
    let row = &rows(Lang::Zh, std::slice::from_ref(&group), &Default::default())[0];
    let place = match by {
        LeakBy::Outlet => format!("{}{}", group.company, group.name),
        LeakBy::Shop => format!("{}平台“{}”", group.company, group.name),
    };
    let task = fanzha_store::NewTask {
        member_id,
        meeting_id: None,
        title: format!("核查{place}订单信息泄露问题"),
        detail: format!(
            "{first}至{last}，本辖区{n}起冒充电商物流客服诈骗案件的订单经由{place}，涉及{units}个单位，损失{loss}；骗子掌握：{cited}。案件：{cases}。请督促该{kind}排查订单信息泄露环节，落实整改，并反馈核查情况。",
            first = row.first,
            last = row.last,
            n = group.cases.len(),
            units = row.units,
            loss = row.loss,
            cited = row.cited,
            cases = row.cases.join("、"),
            kind = match by {
                LeakBy::Outlet => "快递网点",
                LeakBy::Shop => "店铺",
            },
        ),
        due_at,
        by: p.login.clone(),
    };
    let id = repo
        .hand_over(&scope, by, &group.key, &task, state.clock.now_ms())
        .await?;
    Ok(super::after_write(
        &headers,
        format!("/joint-office/tasks/{id}"),
        StatusCode::CREATED,
    ))
}

/// The share of the period's cases recorded, for the template.
pub fn recorded_share(c: &LeakCoverage) -> String {
    share(c.recorded, c.cases)
}
