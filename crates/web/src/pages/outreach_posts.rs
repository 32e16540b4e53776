//! 新媒体宣传: the articles, short videos and live streams the units of one's area published
//! on their official accounts, with their views (阅读/播放量) and shares — filtered by period,
//! platform, form and unit, paged, CSV / XLSX — the totals in all and per platform, form and
//! topic; a form to record a post and, on each post, to count its views again as they grow
//! (at the version read). No personal data. Data from the store's
//! [`fanzha_store::OutreachPosts`], whose writes are audited in the change's transaction.

use super::choices::{non_empty, unit_choices, Choice};
use super::view::{date, midnight, pick};
use super::{after_write, back_under, render, version_field, Chrome};
use crate::auth::permission::{Permission, RecordOutreachPosts, ViewOutreach};
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets, Table};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use fanzha_core::time::{format_shanghai, format_shanghai_date, shanghai_date};
use fanzha_store::{
    NewPost, PageRequest, PostFilter, PostForm, PostPlatform, PostTally, PostTopic,
};
use serde::Deserialize;
use std::collections::HashMap;

/// Posts per screen; an export takes every match (`export::every_page`).
const PAGE_ROWS: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    form: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `posts` (default) or `platforms`.
    #[serde(default)]
    section: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

struct Row {
    id: i64,
    version: i64,
    published_on: String,
    unit: String,
    platform: &'static str,
    form: &'static str,
    topic: &'static str,
    account: String,
    title: String,
    link: String,
    views: i64,
    shares: i64,
    counted_at: String,
    created_by: String,
}

/// One line of a breakdown (platform, form or topic).
struct Line {
    label: &'static str,
    tally: PostTally,
}

#[derive(Template)]
#[template(path = "outreach_posts.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    from: String,
    until: String,
    today: String,
    platforms: Vec<Choice>,
    forms: Vec<Choice>,
    topics: Vec<Choice>,
    units: Vec<Choice>,
    unit_name: String,
    total: PostTally,
    by_platform: Vec<Line>,
    by_form: Vec<Line>,
    by_topic: Vec<Line>,
    /// Whether the caller records posts and counts them again.
    record: bool,
    rows: Vec<Row>,
    query: String,
    next: Option<String>,
    paged: bool,
}

fn choices<T: Copy + PartialEq>(
    lang: Lang,
    all: &[T],
    code: fn(T) -> &'static str,
    names: fn(T) -> (&'static str, &'static str),
    selected: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|v| {
            let (zh, en) = names(*v);
            Choice {
                value: code(*v).into(),
                label: pick(lang, zh, en).into(),
                selected: selected == Some(*v),
            }
        })
        .collect()
}

fn parse_or_400<T>(
    value: Option<&str>,
    what: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, WebError> {
    value
        .map(|v| parse(v).ok_or_else(|| WebError::BadRequest(format!("unknown {what} `{v}`"))))
        .transpose()
}

/// `GET /outreach/posts[?from=&until=&platform=&form=&unit=][&format=csv|xlsx][&after=KEY]`:
/// the period is `from` to `until` inclusive (Shanghai dates; the current year to today by
/// default).
pub async fn list(
    auth: Require<ViewOutreach>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/outreach");
    let lang = chrome.lang;
    let today = state.today()?;
    let from = match non_empty(&q.from) {
        Some(v) => date(v)?,
        None => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
    };
    let until = match non_empty(&q.until) {
        Some(v) => date(v)?,
        None => today,
    };
    let platform = parse_or_400(non_empty(&q.platform), "platform", PostPlatform::parse)?;
    let form = parse_or_400(non_empty(&q.form), "form", PostForm::parse)?;
    let filter = PostFilter {
        from: Some(midnight(from)?),
        until: Some(midnight(until.succ_opt().unwrap_or(until))?),
        platform,
        form,
    };
    let own_unit = auth.principal.unit_code.clone();
    let (unit_code, scope) = state.narrowed_scope(&own_unit, non_empty(&q.unit)).await?;
    let repo = state.store.outreach_posts();
    let page = match q.format {
        Some(_) => {
            let (repo, scope, filter) = (&repo, &scope, &filter);
            every_page("outreach posts", move |r| async move {
                Ok(repo.list(scope, filter, &r).await?)
            })
            .await?
        }
        None => {
            let request = PageRequest {
                after: q.after.clone(),
                limit: PAGE_ROWS,
            };
            repo.list(&scope, &filter, &request).await?
        }
    };
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(page.items.len());
    for p in page.items {
        let unit = match names.get(&p.unit_code) {
            Some(n) => n.clone(),
            None => {
                let n = state.unit_name(&p.unit_code).await;
                names.insert(p.unit_code.clone(), n.clone());
                n
            }
        };
        rows.push(Row {
            id: p.id,
            version: p.version,
            published_on: format_shanghai_date(p.published_on),
            unit,
            platform: pick(lang, p.platform.zh(), p.platform.en()),
            form: pick(lang, p.form.zh(), p.form.en()),
            topic: pick(lang, p.topic.zh(), p.topic.en()),
            account: p.account,
            title: p.title,
            link: p.link,
            views: p.views,
            shares: p.shares,
            counted_at: format_shanghai(p.counted_at),
            created_by: p.created_by,
        });
    }
    let figures = repo.figures(&scope, &filter).await?;
    let line = |label: &'static str, tally: PostTally| Line { label, tally };
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("from", &from.to_string());
        query.append_pair("until", &until.to_string());
        if let Some(p) = platform {
            query.append_pair("platform", p.as_str());
        }
        if let Some(f) = form {
            query.append_pair("form", f.as_str());
        }
        if unit_code != own_unit {
            query.append_pair("unit", &unit_code);
        }
        query.finish()
    };
    let units = unit_choices(&state, &own_unit, &unit_code).await?;
    let page = ListPage {
        from: from.to_string(),
        until: until.to_string(),
        today: today.to_string(),
        platforms: choices(
            lang,
            PostPlatform::ALL,
            PostPlatform::as_str,
            |p| (p.zh(), p.en()),
            platform,
        ),
        forms: choices(
            lang,
            PostForm::ALL,
            PostForm::as_str,
            |f| (f.zh(), f.en()),
            form,
        ),
        topics: choices(
            lang,
            PostTopic::ALL,
            PostTopic::as_str,
            |t| (t.zh(), t.en()),
            None,
        ),
        units,
        unit_name: state.unit_name(&unit_code).await,
        total: figures.total,
        by_platform: figures
            .by_platform
            .iter()
            .map(|(p, t)| line(pick(lang, p.zh(), p.en()), *t))
            .collect(),
        by_form: figures
            .by_form
            .iter()
            .map(|(f, t)| line(pick(lang, f.zh(), f.en()), *t))
            .collect(),
        by_topic: figures
            .by_topic
            .iter()
            .map(|(x, t)| line(pick(lang, x.zh(), x.en()), *t))
            .collect(),
        record: RecordOutreachPosts::allows(&auth.principal),
        rows,
        query,
        next: page.next,
        paged: q.after.is_some(),
        lang,
        chrome,
    };
    if let Some(format) = q.format {
        return export(page).respond(format, q.section.as_deref());
    }
    render(&page).map(IntoResponse::into_response)
}

/// The posts (CSV's default) and the totals per platform, form and topic.
fn export(page: ListPage) -> Sheets {
    let lang = page.lang;
    let t = |k: &str| lang.t(k).to_string();
    let heads = |keys: &[&str]| keys.iter().map(|k| t(k)).collect::<Vec<_>>();
    let tally_rows = |what: &str, lines: &[Line]| -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| {
                vec![
                    what.to_string(),
                    l.label.to_string(),
                    l.tally.posts.to_string(),
                    l.tally.views.to_string(),
                    l.tally.shares.to_string(),
                ]
            })
            .collect()
    };
    let mut breakdown = tally_rows(&t("posts_platform"), &page.by_platform);
    breakdown.extend(tally_rows(&t("posts_form"), &page.by_form));
    breakdown.extend(tally_rows(&t("posts_topic"), &page.by_topic));
    breakdown.push(vec![
        t("posts_total"),
        page.unit_name.clone(),
        page.total.posts.to_string(),
        page.total.views.to_string(),
        page.total.shares.to_string(),
    ]);
    let posts = page
        .rows
        .into_iter()
        .map(|r| {
            vec![
                r.published_on,
                r.unit,
                r.platform.to_string(),
                r.form.to_string(),
                r.topic.to_string(),
                r.account,
                r.title,
                r.link,
                r.views.to_string(),
                r.shares.to_string(),
                r.counted_at,
                r.created_by,
            ]
        })
        .collect();
    Sheets {
        name: format!("outreach_posts_{}_{}", page.from, page.until),
        sheets: vec![
            Sheet {
                key: "posts",
                title: t("posts_title"),
                table: Table {
                    name: String::new(),
                    headers: heads(&[
                        "posts_published_on",
                        "unit",
                        "posts_platform",
                        "posts_form",
                        "posts_topic",
                        "posts_account",
                        "posts_post_title",
                        "posts_link",
                        "posts_views",
                        "posts_shares",
                        "posts_counted_at",
                        "outreach_recorded_by",
                    ]),
                    rows: posts,
                },
            },
            Sheet {
                key: "platforms",
                title: t("posts_breakdown"),
                table: Table {
                    name: String::new(),
                    headers: heads(&[
                        "posts_by",
                        "posts_group",
                        "posts_count",
                        "posts_views",
                        "posts_shares",
                    ]),
                    rows: breakdown,
                },
            },
        ],
    }
}

#[derive(Debug, Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    unit_code: String,
    published_on: String,
    platform: String,
    form: String,
    topic: String,
    account: String,
    title: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    views: String,
    #[serde(default)]
    shares: String,
}

fn count(value: &str, what: &str) -> Result<i64, WebError> {
    let v = value.trim().replace([',', '，'], "");
    if v.is_empty() {
        return Ok(0);
    }
    v.parse()
        .map_err(|_| WebError::BadRequest(format!("{what} must be a whole number, not `{v}`")))
}

fn required<T>(value: &str, what: &str, parse: fn(&str) -> Option<T>) -> Result<T, WebError> {
    parse(value.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown {what} `{}`", value.trim())))
}

/// `POST /outreach/posts`: records a post of a unit of one's subtree (one's own when none is
/// named; audited by the store) and answers with the list of the period that holds it. Bad
/// input (a future date, no title, a negative count, a link that is not http(s)) is refused
/// and stores nothing.
pub async fn record(
    auth: Require<RecordOutreachPosts>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<RecordForm>,
) -> Result<Response, WebError> {
    let own = &auth.principal.unit_code;
    let unit_code = match f.unit_code.trim() {
        "" => own.clone(),
        code => state.unit_within(own, code).await?.code,
    };
    let day = date(f.published_on.trim())?;
    let new = NewPost {
        unit_code,
        published_on: midnight(day)?,
        platform: required(&f.platform, "platform", PostPlatform::parse)?,
        form: required(&f.form, "form", PostForm::parse)?,
        topic: required(&f.topic, "topic", PostTopic::parse)?,
        account: f.account,
        title: f.title,
        link: f.link,
        views: count(&f.views, "views")?,
        shares: count(&f.shares, "shares")?,
        created_by: auth.principal.login.clone(),
    };
    let scope = state.scope_of(own).await?;
    state
        .store
        .outreach_posts()
        .record(&scope, &new, state.clock.now_ms())
        .await?;
    let year = day.year();
    let to = format!("/outreach/posts?from={year}-01-01&until={}", {
        let today = shanghai_date(state.clock.now_ms()).unwrap_or(day);
        if today.year() == year {
            today
        } else {
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(day)
        }
    });
    Ok(after_write(&headers, to, StatusCode::CREATED))
}

#[derive(Debug, Deserialize)]
pub struct CountForm {
    version: String,
    views: String,
    #[serde(default)]
    shares: String,
}

/// `POST /outreach/posts/{id}/count` (`version`, `views`, `shares`): counts a post's views and
/// shares again at the version read (audited with the figures before and after); a post
/// another change moved on answers 409, one outside one's area 404.
pub async fn count_again(
    auth: Require<RecordOutreachPosts>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormBody(f): FormBody<CountForm>,
) -> Result<Response, WebError> {
    let version = version_field(&f.version)?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .outreach_posts()
        .count_again(
            &scope,
            id,
            version,
            count(&f.views, "views")?,
            count(&f.shares, "shares")?,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    let back = back_under(&headers, "/outreach/posts", "/outreach/posts".into());
    Ok(after_write(&headers, back, StatusCode::OK))
}
