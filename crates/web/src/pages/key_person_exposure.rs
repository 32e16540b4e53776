//! 惩戒曝光: the public notice of the people of one's area put on the punishment list in a
//! period for renting out, lending or selling bank and phone cards (seed 003: "对非法出租、出借、
//! 出售、贩卖手机卡、银行卡（账户）的人员进行常态化惩戒和曝光，在全社会形成有力震慑"). The page
//! lists the period's punished dossiers (names and ID numbers masked) for the officer to choose
//! whom to name; the notice, for village notice boards and the bureau's account, names them in
//! full — name, sex, year of birth, where registered, what they did, the punishment — and every
//! print is written to the audit log with the dossiers it names.

use super::key_persons::{category_label, punishment_label};
use super::view::pick;
use super::{render, Chrome};
use crate::auth::permission::ManageKeyPersons;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use fanzha_core::mask::{mask_name, mask_resident_id};
use fanzha_core::time::format_shanghai_date;
use fanzha_store::{KeyPerson, KeyPersonCategory};
use serde::Deserialize;

/// The most people one notice names (a list page's worth).
const MAX_NAMED: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    from: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    until: Option<String>,
    /// A category's code, `all` for every one; 两卡 by default.
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    category: Option<String>,
}

/// The period (the previous Shanghai month by default), inclusive dates, and its bounds.
fn period(q: &PeriodQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), WebError> {
    let first_this = today.with_day(1).unwrap_or(today);
    let last_prev = first_this.pred_opt().unwrap_or(first_this);
    let first_prev = last_prev.with_day(1).unwrap_or(last_prev);
    let from = match &q.from {
        Some(d) => super::view::date(d)?,
        None => first_prev,
    };
    let until = match &q.until {
        Some(d) => super::view::date(d)?,
        None => last_prev,
    };
    if until < from {
        return Err(WebError::BadRequest(
            "until: the period ends before it starts".into(),
        ));
    }
    Ok((from, until))
}

fn category(q: &PeriodQuery) -> Result<Option<KeyPersonCategory>, WebError> {
    match q.category.as_deref() {
        None => Ok(Some(KeyPersonCategory::TwoCards)),
        Some("all") => Ok(None),
        Some(c) => KeyPersonCategory::parse(c)
            .map(Some)
            .ok_or_else(|| WebError::BadRequest(format!("unknown category `{c}`"))),
    }
}

/// A punished person as the notice or the list shows them.
pub struct Named {
    pub id: i64,
    pub name: String,
    pub sex: &'static str,
    pub born: String,
    pub resident_id: String,
    pub place: String,
    pub deed: &'static str,
    pub punishment: String,
}

/// The places already named, by unit code: a notice names a village's people together.
type Places = std::collections::HashMap<String, String>;

async fn named(
    state: &AppState,
    lang: Lang,
    k: &KeyPerson,
    in_full: bool,
    places: &mut Places,
) -> Result<Named, WebError> {
    let id = fanzha_core::ResidentId::parse(&k.resident_id).ok();
    let name = k.name.clone().unwrap_or_default();
    let punishment = match (k.punishment_kind, k.punishment_from) {
        (Some(kind), Some(from)) => {
            let until = k
                .punishment_until
                .map(|u| format_shanghai_date(u - 1))
                .unwrap_or_else(|| lang.t("kp_open_ended").to_string());
            format!(
                "{}（{} — {}）",
                punishment_label(lang, kind),
                format_shanghai_date(from),
                until
            )
        }
        _ => String::new(),
    };
    Ok(Named {
        id: k.id,
        name: if in_full { name } else { mask_name(&name) },
        sex: match id.as_ref().map(fanzha_core::ResidentId::sex) {
            Some(fanzha_core::Sex::Male) => pick(lang, "男", "M"),
            Some(fanzha_core::Sex::Female) => pick(lang, "女", "F"),
            None => "",
        },
        born: id
            .as_ref()
            .map(|i| i.birth_date().year().to_string())
            .unwrap_or_default(),
        resident_id: mask_resident_id(&k.resident_id),
        place: place_of(state, &k.unit_code, places).await?,
        deed: category_label(lang, k.category),
        punishment,
    })
}

/// Where a person is registered as a notice says it: the township and the village
/// (`阳明街道舜水社区`), or the unit alone above that level.
async fn place_of(state: &AppState, code: &str, places: &mut Places) -> Result<String, WebError> {
    if let Some(place) = places.get(code) {
        return Ok(place.clone());
    }
    let unit = state.store.units().get(code).await?;
    let place = match (&unit.level, &unit.parent_code) {
        (fanzha_store::UnitLevel::Village, Some(parent)) => {
            format!("{}{}", state.unit_name(parent).await, unit.name)
        }
        _ => unit.name,
    };
    places.insert(code.to_string(), place.clone());
    Ok(place)
}

#[derive(Template)]
#[template(path = "key_person_exposure.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    unit_name: String,
    from: String,
    until: String,
    categories: Vec<super::choices::Choice>,
    people: Vec<Named>,
    cut: bool,
}

/// `GET /key-persons/exposure[?from=&until=&category=]`: the period's punished dossiers of
/// one's area (names and ID numbers masked), to choose whom the notice names.
pub async fn list(
    auth: Require<ManageKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/key-persons");
    let lang = chrome.lang;
    let p = &auth.principal;
    let (from, until) = period(&q, state.today()?)?;
    let wanted = category(&q)?;
    let scope = state.scope_of(&p.unit_code).await?;
    let found = state
        .store
        .key_persons()
        .punished_between(
            &scope,
            wanted,
            super::view::midnight(from)?,
            super::view::end_of_day(until)? + 1,
            MAX_NAMED as i64 + 1,
        )
        .await?;
    let cut = found.len() > MAX_NAMED;
    let mut people = Vec::with_capacity(found.len().min(MAX_NAMED));
    let mut places = Places::new();
    for k in found.iter().take(MAX_NAMED) {
        people.push(named(&state, lang, k, false, &mut places).await?);
    }
    let mut categories = vec![super::choices::Choice {
        value: "all".into(),
        label: lang.t("all").into(),
        selected: wanted.is_none(),
    }];
    categories.extend(
        KeyPersonCategory::ALL
            .iter()
            .map(|c| super::choices::Choice {
                value: c.as_str().into(),
                label: category_label(lang, *c).into(),
                selected: wanted == Some(*c),
            }),
    );
    render(&ListPage {
        unit_name: state.unit_name(&p.unit_code).await,
        from: from.to_string(),
        until: until.to_string(),
        categories,
        people,
        cut,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "key_person_exposure_notice.html")]
struct NoticePage {
    lang: Lang,
    issuer: String,
    from: String,
    until: String,
    date: String,
    people: Vec<Named>,
}

/// `GET /key-persons/exposure/notice?from=&until=&id=…&id=…`: the notice naming the chosen
/// dossiers of one's area in full, to print; audited (`exposure_notice_printed`) with the
/// dossiers it names. A dossier outside one's area answers not-found.
pub async fn notice(
    auth: Require<ManageKeyPersons>,
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let lang = Lang::from_headers(&headers);
    let p = &auth.principal;
    let mut q = PeriodQuery::default();
    let mut ids: Vec<i64> = Vec::new();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "id" => ids.push(
                v.trim()
                    .parse()
                    .map_err(|_| WebError::BadRequest(format!("id: not a dossier `{v}`")))?,
            ),
            "from" if !v.is_empty() => q.from = Some(v.into_owned()),
            "until" if !v.is_empty() => q.until = Some(v.into_owned()),
            _ => {}
        }
    }
    ids.dedup();
    if ids.is_empty() {
        return Err(WebError::BadRequest(
            "id: choose the people the notice names".into(),
        ));
    }
    if ids.len() > MAX_NAMED {
        return Err(WebError::BadRequest(format!(
            "id: a notice names at most {MAX_NAMED} people"
        )));
    }
    let (from, until) = period(&q, state.today()?)?;
    let scope = state.scope_of(&p.unit_code).await?;
    let repo = state.store.key_persons();
    let mut people = Vec::with_capacity(ids.len());
    let mut places = Places::new();
    for id in &ids {
        let k = repo.get(&scope, *id).await?;
        people.push(named(&state, lang, &k, true, &mut places).await?);
    }
    crate::casework::audit(
        &state,
        &p.login,
        "exposure_notice_printed",
        "key_person",
        &ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(","),
        &p.unit_code,
        serde_json::json!({ "people": ids.len(), "from": from.to_string(), "until": until.to_string() }),
    )
    .await?;
    render(&NoticePage {
        issuer: state.unit_name(&p.unit_code).await,
        from: from.to_string(),
        until: until.to_string(),
        date: state.today()?.to_string(),
        people,
        lang,
    })
    .map(IntoResponse::into_response)
}
