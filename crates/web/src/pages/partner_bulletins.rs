//! 行业通报: the bulletins addressed to a liaison's own bank, operator or joint-office member
//! department (通报有关单位), for that liaison only — the list (filter 待签收), a bulletin as a
//! printable document with the organisation's receipt, and 签收. A liaison never reaches the
//! police line's bulletins (`/bulletins`): the store reads only what names its partner. Also
//! the partners' names, shared with the police pages that list a bulletin's partner receipts.

use super::bulletins::{fraud_type_label, number_label, paragraphs_of, ListQuery};
use super::choices::Choice;
use super::view::pick;
use super::{after_write, render, Chrome};
use crate::auth::permission::ReadPartnerBulletins;
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::time::format_shanghai;
use fanzha_store::{
    Bulletin, BulletinFilter, BulletinKind, Operator, PageRequest, Partner, PartnerKind, Role,
    Scope,
};

/// Bulletins per screen.
const PAGE_ROWS: u32 = 50;

/// The partner a liaison reads for: their bank, operator or member department.
pub(crate) fn partner_of(p: &Principal) -> Result<Partner, WebError> {
    let (kind, code) = if p.has_role(Role::BankLiaison) {
        (
            PartnerKind::Bank,
            p.bank_code
                .clone()
                .ok_or(WebError::Forbidden("bank_liaison_without_bank"))?,
        )
    } else if p.has_role(Role::OperatorLiaison) {
        (
            PartnerKind::Operator,
            p.operator
                .ok_or(WebError::Forbidden("operator_liaison_without_operator"))?
                .as_str()
                .to_string(),
        )
    } else {
        (
            PartnerKind::JointMember,
            p.joint_member
                .ok_or(WebError::Forbidden("joint_member_without_member"))?
                .to_string(),
        )
    };
    Ok(Partner { kind, code })
}

/// A partner's name: the bank's, the operator's, or the member department's.
pub(crate) async fn partner_name(state: &AppState, lang: Lang, partner: &Partner) -> String {
    let code = partner.code.as_str();
    match partner.kind {
        PartnerKind::Bank => super::choices::bank_name(code),
        PartnerKind::Operator => Operator::parse(code)
            .map(|o| pick(lang, o.zh(), o.en()).to_string())
            .unwrap_or_else(|| code.to_string()),
        PartnerKind::JointMember => match code.parse() {
            Ok(id) => state
                .store
                .joint_office()
                .member(&Scope::platform(), id)
                .await
                .map(|m| m.name)
                .unwrap_or_else(|_| code.to_string()),
            Err(_) => code.to_string(),
        },
    }
}

struct Row {
    id: i64,
    number: String,
    kind: &'static str,
    title: String,
    issued: String,
    /// Not signed by one's organisation yet.
    waiting: bool,
}

#[derive(Template)]
#[template(path = "partner_bulletins.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    /// Whom the bulletins are addressed to: the liaison's bank, operator or department.
    partner: String,
    kinds: Vec<Choice>,
    unsigned_only: bool,
    unsigned: i64,
    rows: Vec<Row>,
    next: Option<String>,
    query: String,
    paged: bool,
}

/// `GET /partner-bulletins[?kind=&unsigned=1][&after=KEY]`: the bulletins addressed to one's
/// own organisation, the newest first; the ones not signed yet are marked.
pub async fn list(
    auth: Require<ReadPartnerBulletins>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/partner-bulletins",
    );
    let lang = chrome.lang;
    let partner = partner_of(&auth.principal)?;
    let (kind, unsigned_only, query) = q.read()?;
    let repo = state.store.bulletins();
    let page = repo
        .for_partner(
            &partner,
            &BulletinFilter {
                kind,
                unsigned_only,
            },
            &PageRequest {
                after: q.after.clone(),
                limit: PAGE_ROWS,
            },
        )
        .await?;
    let unsigned = repo.unsigned_for_partner(&partner).await?;
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(page.items.len());
    for (b, receipt) in page.items {
        let issuer = names.get(&b.unit_code).await;
        rows.push(Row {
            id: b.id,
            number: number_label(lang, &issuer, &b),
            kind: pick(lang, b.kind.zh(), b.kind.en()),
            waiting: receipt.signed_at.is_none(),
            title: b.title,
            issued: format_shanghai(b.issued_at),
        });
    }
    render(&ListPage {
        partner: partner_name(&state, lang, &partner).await,
        kinds: BulletinKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: pick(lang, k.zh(), k.en()).into(),
                selected: kind == Some(*k),
            })
            .collect(),
        unsigned_only,
        unsigned,
        rows,
        next: page.next,
        query,
        paged: q.after.is_some(),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "partner_bulletin.html")]
struct DocPage {
    lang: Lang,
    chrome: Chrome,
    b: Bulletin,
    partner: String,
    issuer: String,
    number: String,
    kind: &'static str,
    fraud_type: String,
    issued: String,
    paragraphs: Vec<(bool, String)>,
    /// When and by whom one's organisation signed; `None` while it has not.
    signed: Option<String>,
}

/// `GET /partner-bulletins/{id}`: a bulletin addressed to one's own organisation, as a
/// document, with its receipt and the 签收 button; another's answers not-found.
pub async fn show(
    auth: Require<ReadPartnerBulletins>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/partner-bulletins",
    );
    let lang = chrome.lang;
    let partner = partner_of(&auth.principal)?;
    let (b, receipt) = state
        .store
        .bulletins()
        .get_for_partner(&partner, id)
        .await?;
    let issuer = state.unit_name(&b.unit_code).await;
    render(&DocPage {
        partner: partner_name(&state, lang, &partner).await,
        number: number_label(lang, &issuer, &b),
        kind: pick(lang, b.kind.zh(), b.kind.en()),
        fraud_type: fraud_type_label(lang, b.fraud_type.as_deref()),
        issued: format_shanghai(b.issued_at),
        paragraphs: paragraphs_of(&b.body),
        signed: receipt.signed_at.map(|at| {
            format!(
                "{} {}",
                format_shanghai(at),
                receipt.signed_by.clone().unwrap_or_default()
            )
        }),
        issuer,
        b,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// `POST /partner-bulletins/{id}/sign`: signs for one's own organisation (audited by the
/// store). Not addressed to it: not-found; signed before: a conflict.
pub async fn sign(
    auth: Require<ReadPartnerBulletins>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let partner = partner_of(&auth.principal)?;
    state
        .store
        .bulletins()
        .sign_for_partner(&partner, id, &auth.principal.login, state.clock.now_ms())
        .await?;
    Ok(after_write(
        &headers,
        format!("/partner-bulletins/{id}"),
        StatusCode::OK,
    ))
}
