//! 劝阻队伍 (`/teams`): who goes to a warned resident, village by village — the "四位一体" team
//! of 反诈民警, 社区民警, 村（街道）干部 and 网格员 (seed 003: "确保找得到人、见得着面、说得上话";
//! docs/teams.md). The page shows the area's villages with a full team (tiles), each township
//! ranked by its villages short of one, and the villages with their members masked (a township's
//! members serve every village below it); the accounts at each village that take instructions;
//! adding a member and importing a roster. One member in full is `/teams/members/{id}`, every
//! view audited. Data from [`fanzha_store::TeamMembers`]; writes are audited there.

use super::upload::Upload;
use super::view::{pick, time};
use super::{render, Chrome};
use crate::auth::permission::{ManageTeams, Permission, ViewTeams};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::team_import::{import_team_list, TeamListUpload};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::mask::{mask_name, mask_phone};
use fanzha_store::{NewAuditEntry, NewTeamMember, TeamKind, TeamMember, VillageTeam};
use serde::Deserialize;

/// Villages listed on the page (the export has them all).
const VILLAGE_ROWS: usize = 300;

/// A member as a list shows them: masked.
struct Chip {
    id: i64,
    name: String,
    phone: String,
    /// Serves from the township (the station, the street), not the village itself.
    from_township: bool,
}

struct VillageRow {
    code: String,
    name: String,
    township: String,
    /// One cell per [`TeamKind::ALL`].
    cells: Vec<Vec<Chip>>,
    accounts: usize,
    /// The kinds missing, in words; empty for a full team.
    missing: String,
    complete: bool,
}

/// A township's villages against the four kinds.
struct TownshipRow {
    code: String,
    name: String,
    villages: usize,
    complete: usize,
    share: String,
    no_grid: usize,
    no_police: usize,
    empty: usize,
}

struct Figures {
    villages: usize,
    complete: usize,
    share: String,
    no_grid: usize,
    no_police: usize,
    empty: usize,
    no_account: usize,
}

/// The result of a roster import, as the page shows it.
struct ImportView {
    run: i64,
    file: String,
    read: usize,
    added: usize,
    unchanged: usize,
    /// (line, column, reason)
    rejected: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    chrome: Chrome,
    lang: Lang,
    figures: Figures,
    townships: Vec<TownshipRow>,
    villages: Vec<VillageRow>,
    /// Villages matching the filter (the table shows at most [`VILLAGE_ROWS`]).
    matching: usize,
    kinds: Vec<(&'static str, &'static str)>,
    township: String,
    incomplete: bool,
    query: String,
    can_manage: bool,
    import: Option<ImportView>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TeamsQuery {
    /// Only the villages of this township (its code).
    #[serde(default)]
    township: String,
    /// `1`: only villages short of a kind.
    #[serde(default)]
    incomplete: String,
    format: Option<ExportFormat>,
    /// With `format=csv`: `villages` (default), `townships` or `figures`.
    #[serde(default)]
    section: Option<String>,
}

fn kind_label(lang: Lang, k: TeamKind) -> &'static str {
    pick(lang, k.zh(), k.en())
}

fn share(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn no_police(v: &VillageTeam) -> bool {
    !v.members.iter().any(|m| m.kind.is_police())
}

fn no_grid(v: &VillageTeam) -> bool {
    v.of_kind(TeamKind::GridWorker).next().is_none()
}

fn missing_text(lang: Lang, v: &VillageTeam) -> String {
    v.missing()
        .into_iter()
        .map(|k| kind_label(lang, k))
        .collect::<Vec<_>>()
        .join("、")
}

fn figures_of(villages: &[VillageTeam]) -> Figures {
    let complete = villages.iter().filter(|v| v.complete()).count();
    Figures {
        villages: villages.len(),
        complete,
        share: share(complete, villages.len()),
        no_grid: villages.iter().filter(|v| no_grid(v)).count(),
        no_police: villages.iter().filter(|v| no_police(v)).count(),
        empty: villages.iter().filter(|v| v.members.is_empty()).count(),
        no_account: villages.iter().filter(|v| v.accounts == 0).count(),
    }
}

/// Townships by their share of full teams, the least first.
fn townships_of(villages: &[VillageTeam]) -> Vec<TownshipRow> {
    let mut rows: Vec<TownshipRow> = Vec::new();
    for v in villages {
        let code = v.township_code.clone().unwrap_or_default();
        let at = match rows.iter().position(|r| r.code == code) {
            Some(i) => i,
            None => {
                rows.push(TownshipRow {
                    code: code.clone(),
                    name: v.township_name.clone(),
                    villages: 0,
                    complete: 0,
                    share: String::new(),
                    no_grid: 0,
                    no_police: 0,
                    empty: 0,
                });
                rows.len() - 1
            }
        };
        let r = &mut rows[at];
        r.villages += 1;
        r.complete += usize::from(v.complete());
        r.no_grid += usize::from(no_grid(v));
        r.no_police += usize::from(no_police(v));
        r.empty += usize::from(v.members.is_empty());
    }
    for r in &mut rows {
        r.share = share(r.complete, r.villages);
    }
    rows.sort_by(|a, b| {
        let left = |r: &TownshipRow| r.complete as f64 / r.villages.max(1) as f64;
        left(a)
            .total_cmp(&left(b))
            .then(b.villages.cmp(&a.villages))
            .then(a.code.cmp(&b.code))
    });
    rows
}

fn chip(m: &TeamMember, village: &str) -> Chip {
    Chip {
        id: m.id,
        name: mask_name(&m.name),
        phone: mask_phone(&m.phone),
        from_township: m.unit_code != village,
    }
}

fn village_row(lang: Lang, v: &VillageTeam) -> VillageRow {
    VillageRow {
        code: v.code.clone(),
        name: v.name.clone(),
        township: v.township_name.clone(),
        cells: TeamKind::ALL
            .iter()
            .map(|k| v.of_kind(*k).map(|m| chip(m, &v.code)).collect())
            .collect(),
        accounts: v.accounts,
        missing: missing_text(lang, v),
        complete: v.complete(),
    }
}

fn export(lang: Lang, f: &Figures, towns: &[TownshipRow], villages: &[&VillageTeam]) -> Sheets {
    let village_rows = villages
        .iter()
        .map(|v| {
            let mut row = vec![v.township_name.clone(), v.name.clone(), v.code.clone()];
            for k in TeamKind::ALL {
                row.push(
                    v.of_kind(k)
                        .map(|m| format!("{} {}", mask_name(&m.name), mask_phone(&m.phone)))
                        .collect::<Vec<_>>()
                        .join("；"),
                );
            }
            row.push(v.accounts.to_string());
            row.push(missing_text(lang, v));
            row
        })
        .collect();
    let town_rows = towns
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                t.villages.to_string(),
                t.complete.to_string(),
                t.share.clone(),
                t.no_grid.to_string(),
                t.no_police.to_string(),
                t.empty.to_string(),
            ]
        })
        .collect();
    let figures = vec![
        (lang.t("tm_villages").to_string(), f.villages.to_string()),
        (lang.t("tm_complete").to_string(), f.complete.to_string()),
        (lang.t("tm_share").to_string(), f.share.clone()),
        (lang.t("tm_no_grid").to_string(), f.no_grid.to_string()),
        (lang.t("tm_no_police").to_string(), f.no_police.to_string()),
        (lang.t("tm_empty").to_string(), f.empty.to_string()),
        (
            lang.t("tm_no_account").to_string(),
            f.no_account.to_string(),
        ),
    ];
    Sheets {
        name: "teams".into(),
        sheets: vec![
            Sheet::new(
                lang,
                "villages",
                "tm_villages_title",
                &[
                    "tm_township",
                    "tm_village",
                    "tm_code",
                    "tm_kind_anti_fraud_officer",
                    "tm_kind_community_officer",
                    "tm_kind_cadre",
                    "tm_kind_grid_worker",
                    "tm_accounts",
                    "tm_missing",
                ],
                village_rows,
            ),
            Sheet::new(
                lang,
                "townships",
                "tm_townships_title",
                &[
                    "tm_township",
                    "tm_villages",
                    "tm_complete",
                    "tm_share",
                    "tm_no_grid",
                    "tm_no_police",
                    "tm_empty",
                ],
                town_rows,
            ),
            Sheet::figures(lang, figures),
        ],
    }
}

/// `GET /teams[?township=&incomplete=1][&format=csv|xlsx[&section=]]`: the villages of one's
/// area with their teams, masked.
pub async fn page(
    auth: Require<ViewTeams>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TeamsQuery>,
) -> Result<Response, WebError> {
    teams_page(
        &state,
        &auth.principal,
        &auth.csrf_token,
        &headers,
        &q,
        None,
    )
    .await
}

async fn teams_page(
    state: &AppState,
    p: &Principal,
    csrf_token: &str,
    headers: &HeaderMap,
    q: &TeamsQuery,
    import: Option<ImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(p, csrf_token, headers, "/teams");
    let lang = chrome.lang;
    let scope = state.scope_of(&p.unit_code).await?;
    let all = state.store.team_members().villages(&scope).await?;
    let figures = figures_of(&all);
    let townships = townships_of(&all);
    let incomplete = q.incomplete == "1";
    let township = q.township.trim().to_string();
    let shown: Vec<&VillageTeam> = all
        .iter()
        .filter(|v| township.is_empty() || v.township_code.as_deref() == Some(township.as_str()))
        .filter(|v| !incomplete || !v.complete())
        .collect();
    if let Some(format) = q.format {
        return export(lang, &figures, &townships, &shown).respond(format, q.section.as_deref());
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("township", &township)
        .append_pair("incomplete", if incomplete { "1" } else { "" })
        .finish();
    let page = TeamsPage {
        matching: shown.len(),
        villages: shown
            .iter()
            .take(VILLAGE_ROWS)
            .map(|v| village_row(lang, v))
            .collect(),
        kinds: TeamKind::ALL
            .iter()
            .map(|k| (k.as_str(), kind_label(lang, *k)))
            .collect(),
        figures,
        townships,
        township,
        incomplete,
        query,
        can_manage: ManageTeams::allows(p),
        import,
        lang,
        chrome,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    /// The village or township: its code or exact name.
    unit: String,
    kind: String,
    name: String,
    phone: String,
    #[serde(default)]
    login: String,
}

/// `POST /teams/members` (`unit` code or name, `kind`, `name`, `phone`, optional `login`): adds
/// a member to a village's or township's team of one's area.
pub async fn add(
    auth: Require<ManageTeams>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<AddForm>,
) -> Result<Response, WebError> {
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    let kind = TeamKind::parse(&f.kind)
        .ok_or_else(|| WebError::BadRequest(format!("kind: not a team kind `{}`", f.kind)))?;
    let unit_code = match crate::team_import::unit_of(&state, &scope, f.unit.trim()).await? {
        Ok(code) => code,
        // Another area's unit is not there to see.
        Err("unit_outside_area") => return Err(WebError::NotFound),
        Err(why) => {
            return Err(WebError::BadRequest(format!(
            "unit: {why} — give the code or the exact name of a village or township of your area"
        )))
        }
    };
    let m = state
        .store
        .team_members()
        .add(
            &scope,
            &NewTeamMember {
                unit_code,
                kind,
                name: f.name,
                phone: f.phone,
                login: Some(f.login),
            },
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(super::after_write(
        &headers,
        format!("/teams/members/{}", m.id),
        StatusCode::OK,
    ))
}

/// `POST /teams/import` (multipart: `file`; optional `format` auto | csv | xlsx): imports a
/// roster for one's area (see [`crate::team_import`]) and answers the page with what it did.
pub async fn import(
    auth: Require<ManageTeams>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let mut up = Upload::read(multipart, "teams.csv", &[]).await?;
    let (file, bytes) = up.take_file("choose a roster file to import")?;
    let done = import_team_list(
        &state,
        &TeamListUpload {
            login: &auth.principal.login,
            unit_code: &auth.principal.unit_code,
            file: &file,
            bytes: &bytes,
            format: up.format,
        },
    )
    .await?;
    let shown = ImportView {
        run: done.import_run.0,
        file,
        read: done.read,
        added: done.added,
        unchanged: done.unchanged,
        rejected: crate::import_run::rejected_lines(&done.rejected),
    };
    teams_page(
        &state,
        &auth.principal,
        &auth.csrf_token,
        &headers,
        &TeamsQuery::default(),
        Some(shown),
    )
    .await
}

#[derive(Template)]
#[template(path = "team_member.html")]
struct MemberPage {
    chrome: Chrome,
    lang: Lang,
    m: TeamMember,
    kind: &'static str,
    login_name: String,
    added: String,
    removed: String,
    can_manage: bool,
}

fn member_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// `GET /teams/members/{id}`: one member in full (name, phone to call), every view audited.
pub async fn member(
    auth: Require<ViewTeams>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = member_id(&id)?;
    let p = &auth.principal;
    let chrome = Chrome::new(p, &auth.csrf_token, &headers, "/teams");
    let lang = chrome.lang;
    let scope = state.scope_of(&p.unit_code).await?;
    let m = state.store.team_members().get(&scope, id).await?;
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: p.login.clone(),
            action: "view_personal_data".into(),
            target_type: "team_member".into(),
            target_id: Some(id.to_string()),
            unit_code: Some(m.unit_code.clone()),
            detail: serde_json::json!({ "via": "teams", "kind": m.kind.as_str() }),
        })
        .await?;
    let login_name = match &m.login {
        Some(login) => match state.store.users().get(&scope, login).await {
            Ok(u) => format!("{} ({login})", u.display_name),
            Err(_) => login.clone(),
        },
        None => String::new(),
    };
    let page = MemberPage {
        kind: kind_label(lang, m.kind),
        added: time(m.created_at),
        removed: m.removed_at.map(time).unwrap_or_default(),
        can_manage: ManageTeams::allows(p),
        login_name,
        m,
        lang,
        chrome,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    version: String,
}

/// `POST /teams/members/{id}/remove` (`version`): takes the member off the team.
pub async fn remove(
    auth: Require<ManageTeams>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<RemoveForm>,
) -> Result<Response, WebError> {
    let id = member_id(&id)?;
    let version = super::version_field(&f.version)?;
    let scope = state.scope_of(&auth.principal.unit_code).await?;
    state
        .store
        .team_members()
        .remove(
            &scope,
            id,
            version,
            &auth.principal.login,
            state.clock.now_ms(),
        )
        .await?;
    Ok(super::after_write(
        &headers,
        format!("/teams/members/{id}"),
        StatusCode::OK,
    ))
}

/// The villages short of a full team in `scope`, for the 待办 list.
pub async fn short_villages(
    state: &AppState,
    scope: &fanzha_store::Scope,
) -> Result<usize, WebError> {
    let all = state.store.team_members().villages(scope).await?;
    Ok(all.iter().filter(|v| !v.complete()).count())
}

/// A village's team as an instruction's page shows it: who to send, masked, each linking to
/// their audited page.
pub struct TeamSection {
    pub village: String,
    /// (member id, kind, name masked, phone masked)
    pub members: Vec<(i64, &'static str, String, String)>,
    /// The kinds nobody serves the village as, in words; empty for a full team.
    pub missing: String,
}

/// The team of `unit_code` when it is a village; `None` for any other unit.
pub async fn village_team(
    state: &AppState,
    lang: Lang,
    unit_code: &str,
) -> Result<Option<TeamSection>, WebError> {
    let Some(unit) = state.store.units().find(unit_code).await? else {
        return Ok(None);
    };
    if unit.level != fanzha_store::UnitLevel::Village {
        return Ok(None);
    }
    let scope = state.store.units().scope(unit_code).await?;
    let Some(v) = state.store.team_members().villages(&scope).await?.pop() else {
        return Ok(None);
    };
    let mut members: Vec<&TeamMember> = v.members.iter().collect();
    members.sort_by_key(|m| (m.kind, m.id));
    Ok(Some(TeamSection {
        village: v.name.clone(),
        members: members
            .iter()
            .map(|m| {
                (
                    m.id,
                    kind_label(lang, m.kind),
                    mask_name(&m.name),
                    mask_phone(&m.phone),
                )
            })
            .collect(),
        missing: missing_text(lang, &v),
    }))
}
