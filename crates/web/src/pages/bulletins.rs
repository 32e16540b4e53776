//! 通报: the bulletins along one's line — those one's unit issued (with how many recipients
//! signed), those addressed to it (signed or waiting) and those of the units above — filtered by
//! kind and by 待签收, paged; a bulletin as a printable document with its receipts and a 签收
//! button for a recipient unit; a form to issue a 诈骗手法通报, and (on the work brief,
//! `statistics.rs`) one to issue the brief as a 情况通报. Data from the store's
//! [`fanzha_store::Bulletins`], whose writes are audited in the change's transaction.

use super::choices::{fraud_type_choices, non_empty, Choice};
use super::partner_bulletins::partner_name;
use super::view::pick;
use super::{after_write, render, Chrome};
use crate::auth::permission::{IssueBulletins, Permission, SignBulletins, ViewBulletins};
use crate::auth::principal::Principal;
use crate::auth::Require;
use crate::error::WebError;
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fanzha_core::time::format_shanghai;
use fanzha_core::FraudType;
use fanzha_store::{
    Bulletin, BulletinFilter, BulletinKind, BulletinReader, NewBulletin, PageRequest, PartnerKind,
};
use serde::Deserialize;

/// Bulletins per screen.
const PAGE_ROWS: u32 = 50;

/// The reader of `p`: its unit and subtree.
async fn reader_of(state: &AppState, p: &Principal) -> Result<BulletinReader, WebError> {
    Ok(BulletinReader {
        unit: state.store.units().get(&p.unit_code).await?,
        scope: state.scope_of(&p.unit_code).await?,
    })
}

/// "余姚市 2026年第3期" / "余姚市 No. 3 of 2026".
pub(crate) fn number_label(lang: Lang, issuer: &str, b: &Bulletin) -> String {
    match lang {
        Lang::Zh => format!("{issuer} {}年第{}期", b.year, b.number),
        Lang::En => format!("{issuer} No. {} of {}", b.number, b.year),
    }
}

/// The bulletin lists' query (the police line's and the partners'), with what it asks for.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    kind: Option<String>,
    /// `1`: only those addressed to the reader (its unit, or its organisation) and not yet
    /// signed.
    #[serde(default)]
    unsigned: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    pub(crate) after: Option<String>,
}

impl ListQuery {
    /// The kind asked for, the unsigned-only flag, and the query string that asks for them
    /// again (for the pager).
    pub(crate) fn read(&self) -> Result<(Option<BulletinKind>, bool, String), WebError> {
        let kind = non_empty(&self.kind)
            .map(|k| {
                BulletinKind::parse(k)
                    .ok_or_else(|| WebError::BadRequest(format!("unknown kind `{k}`")))
            })
            .transpose()?;
        let unsigned_only = self.unsigned.as_deref() == Some("1");
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(k) = kind {
            query.append_pair("kind", k.as_str());
        }
        if unsigned_only {
            query.append_pair("unsigned", "1");
        }
        Ok((kind, unsigned_only, query.finish()))
    }
}

struct Row {
    id: i64,
    number: String,
    kind: &'static str,
    title: String,
    period: String,
    issued: String,
    /// Issued by one's own unit or below: "signed / recipients"; else empty.
    receipts: String,
    /// Addressed to one's own unit: whether it signed.
    addressed: bool,
    signed: bool,
    /// Issued in one's area to industry partners too: "signed / addressed"; else empty.
    partner_receipts: String,
}

#[derive(Template)]
#[template(path = "bulletins.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    kinds: Vec<Choice>,
    unsigned_only: bool,
    rows: Vec<Row>,
    next: Option<String>,
    query: String,
    paged: bool,
    /// The methods-alert form, for those who issue.
    issue: bool,
    fraud_types: Vec<Choice>,
    /// Whether one's unit has units below to address (else the form says so).
    has_below: bool,
    /// The industry partners one's unit may address, per kind: (code, label with the names).
    partner_kinds: Vec<PartnerChoice>,
}

/// A kind of industry partner offered on the issuing forms, with whom it reaches.
pub(crate) struct PartnerChoice {
    /// The form field: `to_bank`, `to_operator`, `to_joint_member`.
    pub field: String,
    pub label: &'static str,
    /// The partners' names, joined.
    pub names: String,
    pub count: usize,
}

/// The kinds of industry partner `unit_code` may address, each with the partners' names.
pub(crate) async fn partner_choices(
    state: &AppState,
    lang: Lang,
    unit_code: &str,
) -> Result<Vec<PartnerChoice>, WebError> {
    let partners = state.store.bulletins().partners_of(unit_code).await?;
    let mut out: Vec<PartnerChoice> = Vec::new();
    for kind in PartnerKind::ALL {
        let mut names = Vec::new();
        for p in partners.iter().filter(|p| p.kind == *kind) {
            names.push(partner_name(state, lang, p).await);
        }
        if names.is_empty() {
            continue;
        }
        out.push(PartnerChoice {
            field: format!("to_{}", kind.as_str()),
            label: pick(lang, kind.zh(), kind.en()),
            count: names.len(),
            names: names.join(pick(lang, "、", ", ")),
        });
    }
    Ok(out)
}

/// `GET /bulletins[?kind=&unsigned=1][&after=KEY]`.
pub async fn list(
    auth: Require<ViewBulletins>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/bulletins");
    let lang = chrome.lang;
    let (kind, unsigned_only, query) = q.read()?;
    let reader = reader_of(&state, &auth.principal).await?;
    let repo = state.store.bulletins();
    let page = repo
        .list(
            &reader,
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
    // The units strictly above one's own: their bulletins come down; the rest were issued in
    // one's own subtree.
    let above: Vec<&str> = reader
        .unit
        .path
        .split('/')
        .filter(|c| !c.is_empty() && *c != reader.unit.code)
        .collect();
    let mut names = state.unit_names();
    let mut rows = Vec::with_capacity(page.items.len());
    for b in page.items {
        let issuer = names.get(&b.unit_code).await;
        // Addressed to the units directly below the issuer: one's own unit, when the issuer
        // is its parent.
        let (addressed, signed) =
            if reader.unit.parent_code.as_deref() == Some(b.unit_code.as_str()) {
                let receipts = repo.receipts(&reader, b.id).await?;
                let mine = receipts.iter().find(|r| r.unit_code == reader.unit.code);
                (mine.is_some(), mine.is_some_and(|r| r.signed_at.is_some()))
            } else {
                (false, false)
            };
        let ours = !above.contains(&b.unit_code.as_str());
        let partner_receipts = if ours && b.partners > 0 {
            format!("{} / {}", b.partners_signed, b.partners)
        } else {
            String::new()
        };
        rows.push(Row {
            partner_receipts,
            id: b.id,
            number: number_label(lang, &issuer, &b),
            kind: pick(lang, b.kind.zh(), b.kind.en()),
            receipts: if ours {
                format!("{} / {}", b.signed, b.recipients)
            } else {
                String::new()
            },
            title: b.title,
            period: b.period,
            issued: format_shanghai(b.issued_at),
            addressed,
            signed,
        });
    }
    let has_below = !state
        .store
        .units()
        .children(&reader.unit.code)
        .await?
        .is_empty();
    render(&ListPage {
        kinds: BulletinKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: pick(lang, k.zh(), k.en()).into(),
                selected: kind == Some(*k),
            })
            .collect(),
        unsigned_only,
        rows,
        next: page.next,
        query,
        paged: q.after.is_some(),
        issue: IssueBulletins::allows(&auth.principal),
        fraud_types: fraud_type_choices(lang, "untyped"),
        has_below,
        partner_kinds: if IssueBulletins::allows(&auth.principal) {
            partner_choices(&state, lang, &reader.unit.code).await?
        } else {
            Vec::new()
        },
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// A recipient unit's line on the document.
struct ReceiptLine {
    unit: String,
    signed_by: String,
    signed_at: String,
}

/// An industry partner's line on the document.
struct PartnerLine {
    kind: &'static str,
    name: String,
    signed_by: String,
    signed_at: String,
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct DocPage {
    lang: Lang,
    chrome: Chrome,
    b: Bulletin,
    issuer: String,
    number: String,
    kind: &'static str,
    fraud_type: String,
    issued: String,
    /// The text's paragraphs; a line ending a heading (一、…) is shown as one.
    paragraphs: Vec<(bool, String)>,
    receipts: Vec<ReceiptLine>,
    /// The industry partners addressed (通报有关单位) and their receipts.
    partners: Vec<PartnerLine>,
    /// One's own unit is a recipient that has not signed, and one may sign.
    can_sign: bool,
    /// One's own unit is a recipient that signed: when and by whom.
    signed: Option<String>,
}

/// A bulletin's text as paragraphs; a line that reads as a heading (一、…) is marked as one.
pub(crate) fn paragraphs_of(body: &str) -> Vec<(bool, String)> {
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| (is_heading(l), l.to_string()))
        .collect()
}

/// The fraud type a methods alert names, in words; empty without one.
pub(crate) fn fraud_type_label(lang: Lang, code: Option<&str>) -> String {
    code.and_then(|c| FraudType::parse_label(c).ok())
        .map(|t| pick(lang, t.zh(), t.en()).to_string())
        .unwrap_or_default()
}

/// Whether a line reads as a section heading: 一、… 十、 or "1. …".
fn is_heading(line: &str) -> bool {
    let mut chars = line.chars();
    let first = chars.next();
    let second = chars.next();
    matches!(
        (first, second),
        (
            Some('一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'),
            Some('、')
        )
    ) && line.chars().count() <= 30
}

/// `GET /bulletins/{id}`: the bulletin as a document, with its receipts.
pub async fn show(
    auth: Require<ViewBulletins>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/bulletins");
    let lang = chrome.lang;
    let reader = reader_of(&state, &auth.principal).await?;
    let repo = state.store.bulletins();
    let b = repo.get(&reader, id).await?;
    let receipts = repo.receipts(&reader, id).await?;
    let mut names = state.unit_names();
    let mine = receipts.iter().find(|r| r.unit_code == reader.unit.code);
    let can_sign =
        mine.is_some_and(|r| r.signed_at.is_none()) && SignBulletins::allows(&auth.principal);
    let signed = mine.and_then(|r| {
        r.signed_at.map(|at| {
            format!(
                "{} {}",
                format_shanghai(at),
                r.signed_by.clone().unwrap_or_default()
            )
        })
    });
    let mut lines = Vec::with_capacity(receipts.len());
    for r in &receipts {
        lines.push(ReceiptLine {
            unit: names.get(&r.unit_code).await,
            signed_by: r.signed_by.clone().unwrap_or_default(),
            signed_at: r.signed_at.map(format_shanghai).unwrap_or_default(),
        });
    }
    let mut partners = Vec::new();
    for r in repo.partner_receipts(&reader, id).await? {
        partners.push(PartnerLine {
            kind: pick(lang, r.partner.kind.zh(), r.partner.kind.en()),
            name: partner_name(&state, lang, &r.partner).await,
            signed_by: r.signed_by.unwrap_or_default(),
            signed_at: r.signed_at.map(format_shanghai).unwrap_or_default(),
        });
    }
    let issuer = names.get(&b.unit_code).await;
    render(&DocPage {
        number: number_label(lang, &issuer, &b),
        kind: pick(lang, b.kind.zh(), b.kind.en()),
        fraud_type: fraud_type_label(lang, b.fraud_type.as_deref()),
        issued: format_shanghai(b.issued_at),
        issuer,
        paragraphs: paragraphs_of(&b.body),
        receipts: lines,
        partners,
        can_sign,
        signed,
        b,
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct IssueForm {
    kind: String,
    title: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    fraud_type: String,
    body: String,
    /// Checked boxes (`on`): address the banks, operators or joint-office members too.
    #[serde(default)]
    to_bank: Option<String>,
    #[serde(default)]
    to_operator: Option<String>,
    #[serde(default)]
    to_joint_member: Option<String>,
}

/// `POST /bulletins` (`kind`, `title`, `period`, `fraud_type`, `body`, and the checkboxes
/// `to_bank`, `to_operator`, `to_joint_member`): issues a bulletin of one's own unit to the
/// units directly below it and to every industry partner of the kinds checked (numbered next
/// in the year, audited by the store) and answers with its page. An empty title or text, an
/// unknown kind or fraud type, a kind checked with nobody to address, or nobody to address at
/// all is refused.
pub async fn issue(
    auth: Require<IssueBulletins>,
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<IssueForm>,
) -> Result<Response, WebError> {
    let kind = BulletinKind::parse(f.kind.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown kind `{}`", f.kind.trim())))?;
    let fraud_type = match f.fraud_type.trim() {
        "" | "untyped" => None,
        code => Some(
            FraudType::parse_label(code)
                .map_err(|e| WebError::BadRequest(e.to_string()))?
                .code()
                .to_string(),
        ),
    };
    let checked = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    let partners = [
        (PartnerKind::Bank, &f.to_bank),
        (PartnerKind::Operator, &f.to_operator),
        (PartnerKind::JointMember, &f.to_joint_member),
    ]
    .into_iter()
    .filter(|(_, v)| checked(v))
    .map(|(k, _)| k)
    .collect();
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let b = state
        .store
        .bulletins()
        .issue(
            &scope,
            &NewBulletin {
                unit_code: p.unit_code.clone(),
                kind,
                title: f.title,
                period: f.period,
                fraud_type,
                body: f.body,
                issued_by: p.login.clone(),
                partners,
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok(after_write(
        &headers,
        format!("/bulletins/{}", b.id),
        StatusCode::CREATED,
    ))
}

/// `POST /bulletins/{id}/sign`: signs a bulletin for one's own unit (audited by the store). A
/// bulletin not addressed to one's unit answers not-found; one signed before, a conflict.
pub async fn sign(
    auth: Require<SignBulletins>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let reader = reader_of(&state, &auth.principal).await?;
    state
        .store
        .bulletins()
        .sign(&reader, id, &auth.principal.login, state.clock.now_ms())
        .await?;
    Ok(after_write(
        &headers,
        format!("/bulletins/{id}"),
        StatusCode::OK,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_headings_are_recognised() {
        assert!(is_heading("一、发案情况"));
        assert!(is_heading("十、其他"));
        assert!(!is_heading("一月共发案3起，同比下降。"));
        assert!(!is_heading(
            "一、发案情况：2026年1月1日至3月1日余姚市共发案27起，同比下降15.6%（去年同期32起）"
        ));
    }
}
