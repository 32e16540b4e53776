//! 新开卡审查: banks upload their daily lists of newly opened cards, operators theirs of new
//! phone cards (新入网电话卡, a tab of its own); each card is screened on
//! arrival against what the platform knows of its holder (`fanzha_screen`, through the store's
//! [`fanzha_store::NewCards`]) and the risky ones wait on a review list for the unit of the
//! holder's residence. The page shows the period's figures — screened, by level, to review,
//! reviewed by verdict, and per bank the share of new cards that later received victim money
//! (新开卡涉案比例) — the masked list with filters, paging and CSV / XLSX, the upload form, and
//! per card a detail view (the holder in full, audited) with the review form; a card seller
//! can be listed as a key person (两卡) in the same action.
//!
//! A bank liaison sees their own bank's cards and figures and uploads their lists, an operator
//! liaison likewise their operator's phone cards; the police's reasons (key person,
//! punishment, lead or case history, numbers on record) are never shown to either.

use super::choices::{choices, non_empty, parse_or};
use super::choices::{unit_choices, Choice};
use super::days_period::{period, period_choices, Period, PERIODS};
use super::upload::Upload;
use super::view::pick;
use super::{render, Chrome};
use crate::auth::permission::{
    ImportNewCards, ManageKeyPersons, Permission, ReviewNewCards, ViewNewCards,
};
use crate::auth::Require;
use crate::card_closures::{closure_of_row, record_closures, ClosureList};
use crate::card_screening::{
    batch_label, card_of_row, hex, issuer_view, kind_key, kind_of, kinds_of, mask_number,
    police_only, reads_list, record_list, review_card, sender_code, sender_of, viewer_of,
    visible_findings, CardList,
};
use crate::error::WebError;
use crate::export::{every_page, ExportFormat, Sheet, Sheets};
use crate::extract::{FormBody, Query};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use fanzha_core::mask::{mask_name, mask_resident_id};
use fanzha_core::time::{format_shanghai, format_shanghai_date};
use fanzha_ingest::card_closures::read_card_closures;
use fanzha_ingest::new_cards::read_new_cards;
use fanzha_ingest::reports::ReportFormat;
use fanzha_store::{
    CardFilter, CardKind, CardState, Level, NewAuditEntry, NewCardRow, PageRequest, QuarantineRow,
    ReasonCode, ScreenedCard, Verdict, Viewer,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Cards per screen; an export takes every match (`export::every_page`).
const PAGE_ROWS: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// `bank_card` (the default for the police) or `sim_card`.
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    verdict: Option<String>,
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    format: Option<ExportFormat>,
    /// With `format=csv`: `cards` (default where the list is read), `figures` or `banks`.
    #[serde(default)]
    section: Option<String>,
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    after: Option<String>,
}

/// The findings as a reader of this principal may see them, joined by `；`.
fn reasons_text(lang: Lang, card: &ScreenedCard, bank_view: bool) -> String {
    visible_findings(card, bank_view)
        .map(|f| match lang {
            Lang::En => f.describe_en(),
            _ => f.describe_zh(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// A card as listed: personal data masked.
struct Row {
    id: i64,
    bank: String,
    card: String,
    name: String,
    resident_id: String,
    opened: String,
    /// The closing date when the issuer closed the card ('' while open).
    closed: String,
    short_lived: bool,
    outlet: String,
    unit: String,
    score: i64,
    level: &'static str,
    level_code: &'static str,
    reasons: String,
    state: &'static str,
    verdict: String,
}

struct BankLine {
    code: String,
    name: String,
    screened: i64,
    flagged: i64,
    high: i64,
    card_seller: i64,
    involved: i64,
    involved_share: String,
    short_lived: i64,
}

/// An outlet whose cards were found in cases or sold.
struct OutletLine {
    bank: String,
    outlet: String,
    screened: i64,
    card_seller: i64,
    involved: i64,
    involved_share: String,
    short_lived: i64,
}

/// A clerk (经办人) whose cards were found in cases, sold or closed within weeks.
struct ClerkLine {
    bank: String,
    outlet: String,
    clerk: String,
    screened: i64,
    card_seller: i64,
    involved: i64,
    short_lived: i64,
}

/// Outlets ranked on the page and in the export.
const OUTLET_ROWS: usize = 20;

struct Figures {
    screened: i64,
    flagged: i64,
    high: i64,
    pending: i64,
    reviewed: i64,
    involved: i64,
    involved_flagged: i64,
    /// Closed since, and closed within 90 days of opening (频繁开销户's material).
    closed: i64,
    short_lived: i64,
    involved_share: String,
    /// 同期: the share of the cards opened in the same days a year earlier.
    involved_share_last_year: String,
    by_level: Vec<(&'static str, &'static str, i64)>,
    by_verdict: Vec<(&'static str, &'static str, i64)>,
    banks: Vec<BankLine>,
    outlets: Vec<OutletLine>,
    clerks: Vec<ClerkLine>,
}

/// What a closure list did (a liaison's upload shows no re-screening: that is the police's).
struct ClosuresView {
    received: i64,
    listed: i64,
    short_lived: i64,
    rescreened: i64,
    requeued: i64,
}

/// What an upload did, as the page shows it (no personal data: rejected rows by line).
struct ImportView {
    /// A closure list's figures instead of the screening's.
    closures: Option<ClosuresView>,
    run: i64,
    file: String,
    read: usize,
    received: usize,
    duplicates: i64,
    queued: i64,
    rescreened: i64,
    /// A liaison's upload: the levels a bank reads instead of the review queue, and nothing
    /// of the holder's other banks.
    bank_view: bool,
    bank_by_level: Vec<(&'static str, &'static str, i64)>,
    rejected: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "new_cards.html")]
struct ListPage {
    lang: Lang,
    chrome: Chrome,
    kind: CardKind,
    /// The kinds the reader may switch between (one for a liaison: no tabs).
    kinds: &'static [CardKind],
    heading: String,
    period: String,
    figures: Figures,
    /// The list, its exports and filters (not for leaders, who see the figures).
    list: bool,
    bank_view: bool,
    can_import: bool,
    can_review: bool,
    periods: Vec<Choice>,
    levels: Vec<Choice>,
    states: Vec<Choice>,
    verdicts: Vec<Choice>,
    reasons: Vec<Choice>,
    banks: Vec<Choice>,
    units: Vec<Choice>,
    rows: Vec<Row>,
    total: i64,
    query: String,
    next: Option<String>,
    paged: bool,
    import: Option<ImportView>,
    /// The liaison's bank, fixed for uploads; `None` lets the center choose.
    upload_bank: Option<String>,
}

fn pct(share: Option<f64>) -> String {
    share
        .map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

async fn rows_of(
    state: &AppState,
    lang: Lang,
    cards: Vec<ScreenedCard>,
    bank_view: bool,
) -> Vec<Row> {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(cards.len());
    for c in cards {
        let unit = if bank_view {
            String::new()
        } else {
            match names.get(&c.unit_code) {
                Some(n) => n.clone(),
                None => {
                    let n = state.unit_name(&c.unit_code).await;
                    names.insert(c.unit_code.clone(), n.clone());
                    n
                }
            }
        };
        rows.push(Row {
            id: c.id,
            bank: if c.bank_name.is_empty() {
                c.bank_code.clone()
            } else {
                c.bank_name.clone()
            },
            card: mask_number(c.kind, &c.account_no),
            name: mask_name(&c.holder_name),
            resident_id: mask_resident_id(&c.resident_id),
            opened: format_shanghai_date(c.opened_at),
            closed: c.closed_at.map(format_shanghai_date).unwrap_or_default(),
            short_lived: c.short_lived(),
            outlet: c.outlet.clone(),
            unit,
            // A bank reads the score and level of the reasons it may read, and whether the
            // police reviewed the card, never whether the police's reasons queued it.
            score: if bank_view { c.bank_score } else { c.score },
            level: if bank_view {
                pick(lang, c.bank_level.zh(), c.bank_level.en())
            } else {
                pick(lang, c.level.zh(), c.level.en())
            },
            level_code: if bank_view {
                c.bank_level.as_str()
            } else {
                c.level.as_str()
            },
            reasons: reasons_text(lang, &c, bank_view),
            state: match (bank_view, c.state) {
                (true, CardState::Reviewed) | (false, _) => pick(lang, c.state.zh(), c.state.en()),
                (true, _) => "—",
            },
            verdict: c
                .verdict
                .map(|v| pick(lang, v.zh(), v.en()).to_string())
                .unwrap_or_default(),
        });
    }
    rows
}

/// `GET /card-screening[?kind=&days=&level=&state=&verdict=&bank=&reason=&unit=][&format=csv|xlsx][&after=KEY]`.
pub async fn list(
    auth: Require<ViewNewCards>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    list_page(&state, &auth, &headers, &q, None).await
}

async fn list_page<P: Permission>(
    state: &AppState,
    auth: &Require<P>,
    headers: &HeaderMap,
    q: &ListQuery,
    import: Option<ImportView>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        headers,
        "/card-screening",
    );
    let lang = chrome.lang;
    let p = &auth.principal;
    // Leaders read the figures; the list is for those who review or upload.
    // An export of theirs holds the figures only.
    let list = reads_list(p);
    let Period { days, from, until } = period(state, non_empty(&q.days))?;
    let kind = kind_of(p, non_empty(&q.kind))?;
    let (viewer, unit_code, bank_view) = viewer_of(state, p, non_empty(&q.unit)).await?;
    let reason = parse_or(non_empty(&q.reason), ReasonCode::parse, "reason")?;
    if bank_view && (reason.is_some_and(police_only) || non_empty(&q.state).is_some()) {
        return Err(WebError::Forbidden(ReviewNewCards::NAME));
    }
    let filter = CardFilter {
        kind: Some(kind),
        level: parse_or(non_empty(&q.level), Level::parse, "level")?,
        flagged: false,
        state: parse_or(non_empty(&q.state), CardState::parse, "state")?,
        verdict: parse_or(non_empty(&q.verdict), Verdict::parse, "verdict")?,
        bank_code: non_empty(&q.bank).map(str::to_string),
        from: Some(from),
        to: None,
        reason,
        holder: None,
    };
    let repo = state.store.new_cards();
    let (rows, total, next) = if list {
        let page = match q.format {
            Some(_) => {
                let (repo, viewer, filter) = (&repo, &viewer, &filter);
                every_page("new cards", move |r| async move {
                    Ok(repo.list(viewer, filter, &r).await?)
                })
                .await?
            }
            None => {
                let request = PageRequest {
                    after: q.after.clone(),
                    limit: PAGE_ROWS,
                };
                repo.list(&viewer, &filter, &request).await?
            }
        };
        let total = repo.count_matching(&viewer, &filter).await?;
        (
            rows_of(state, lang, page.items, bank_view).await,
            total,
            page.next,
        )
    } else {
        (Vec::new(), 0, None)
    };
    let f = repo.figures(&viewer, kind, from, until).await?;
    let outlets = repo
        .outlet_figures(&viewer, kind, from, until, OUTLET_ROWS)
        .await?;
    let clerks = repo
        .clerk_figures(&viewer, kind, from, until, OUTLET_ROWS)
        .await?;
    // The same days a year earlier: whether 新开卡涉案比例 comes down year on year.
    let last_year = repo
        .figures(
            &viewer,
            kind,
            super::statistics_period::months_before(from, 12),
            super::statistics_period::months_before(until, 12),
        )
        .await?;
    let figures = Figures {
        clerks: clerks
            .iter()
            .map(|c| ClerkLine {
                bank: if c.bank_name.is_empty() {
                    c.bank_code.clone()
                } else {
                    c.bank_name.clone()
                },
                outlet: c.outlet.clone(),
                clerk: c.clerk.clone(),
                screened: c.screened,
                card_seller: c.card_seller,
                involved: c.involved,
                short_lived: c.short_lived,
            })
            .collect(),
        outlets: outlets
            .iter()
            .map(|o| OutletLine {
                bank: if o.bank_name.is_empty() {
                    o.bank_code.clone()
                } else {
                    o.bank_name.clone()
                },
                outlet: o.outlet.clone(),
                screened: o.screened,
                card_seller: o.card_seller,
                involved: o.involved,
                involved_share: pct(o.involved_share()),
                short_lived: o.short_lived,
            })
            .collect(),
        screened: f.screened,
        flagged: f.flagged(),
        high: f.by_level.get(&Level::High).copied().unwrap_or(0),
        pending: f.pending,
        reviewed: f.reviewed,
        involved: f.involved,
        involved_flagged: f.involved_flagged,
        closed: f.closed,
        short_lived: f.short_lived,
        involved_share: pct(f.involved_share()),
        involved_share_last_year: pct(last_year.involved_share()),
        by_level: Level::ALL
            .iter()
            .map(|l| {
                (
                    l.as_str(),
                    pick(lang, l.zh(), l.en()),
                    f.by_level.get(l).copied().unwrap_or(0),
                )
            })
            .collect(),
        by_verdict: Verdict::ALL
            .iter()
            .map(|v| {
                (
                    v.as_str(),
                    pick(lang, v.zh(), v.en()),
                    f.by_verdict.get(v).copied().unwrap_or(0),
                )
            })
            .collect(),
        banks: f
            .banks
            .iter()
            .map(|b| BankLine {
                code: b.bank_code.clone(),
                name: if b.bank_name.is_empty() {
                    b.bank_code.clone()
                } else {
                    b.bank_name.clone()
                },
                screened: b.screened,
                flagged: b.flagged,
                high: b.high,
                card_seller: b.card_seller,
                involved: b.involved,
                involved_share: pct(b.involved_share()),
                short_lived: b.short_lived,
            })
            .collect(),
    };
    if let Some(format) = q.format {
        let name = match kind {
            CardKind::BankCard => format!("new_cards_{days}d"),
            CardKind::SimCard => format!("new_phone_cards_{days}d"),
        };
        return export(lang, kind, name, list.then_some(rows), bank_view, &figures)
            .respond(format, q.section.as_deref());
    }
    // Built in one go: the serializer is not `Send` and must not live across an await.
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        let days_text = days.to_string();
        for (k, v) in [
            ("kind", (kind != kinds_of(p)[0]).then_some(kind.as_str())),
            ("days", (days != PERIODS[0]).then_some(days_text.as_str())),
            ("level", non_empty(&q.level)),
            ("state", non_empty(&q.state)),
            ("verdict", non_empty(&q.verdict)),
            ("bank", non_empty(&q.bank)),
            ("reason", non_empty(&q.reason)),
            (
                "unit",
                (!bank_view && unit_code != p.unit_code).then_some(unit_code.as_str()),
            ),
        ] {
            if let Some(v) = v {
                query.append_pair(k, v);
            }
        }
        query.finish()
    };
    let units = if bank_view {
        Vec::new()
    } else {
        unit_choices(state, &p.unit_code, &unit_code).await?
    };
    let heading = if bank_view {
        // An operator by its name in the reader's language; a bank as its list names it.
        p.operator
            .map(|o| pick(lang, o.zh(), o.en()).to_string())
            .or_else(|| {
                f.banks
                    .first()
                    .map(|b| b.bank_name.clone())
                    .filter(|n| !n.is_empty())
            })
            .or_else(|| p.bank_code.clone())
            .unwrap_or_default()
    } else {
        state.unit_name(&unit_code).await
    };
    let selected_bank = non_empty(&q.bank);
    let reason_choices: Vec<Choice> = ReasonCode::ALL
        .iter()
        .filter(|r| r.applies_to(kind) && !(bank_view && police_only(**r)))
        .map(|r| Choice {
            value: r.as_str().into(),
            label: pick(lang, r.zh(), r.en()).into(),
            selected: reason == Some(*r),
        })
        .collect();
    render(&ListPage {
        heading,
        period: pick(lang, "近", "last ").to_string()
            + &days.to_string()
            + pick(lang, "天（按开户日期）", " days (by opening date)"),
        banks: f
            .banks
            .iter()
            .map(|b| Choice {
                value: b.bank_code.clone(),
                label: if b.bank_name.is_empty() {
                    b.bank_code.clone()
                } else {
                    b.bank_name.clone()
                },
                selected: selected_bank == Some(b.bank_code.as_str()),
            })
            .collect(),
        figures,
        list,
        bank_view,
        can_import: ImportNewCards::allows(p),
        can_review: ReviewNewCards::allows(p),
        periods: period_choices(lang, days),
        levels: choices(
            Level::ALL,
            Level::as_str,
            |l| pick(lang, l.zh(), l.en()),
            filter.level,
        ),
        states: choices(
            CardState::ALL,
            CardState::as_str,
            |s| pick(lang, s.zh(), s.en()),
            filter.state,
        ),
        verdicts: choices(
            Verdict::ALL,
            Verdict::as_str,
            |v| pick(lang, v.zh(), v.en()),
            filter.verdict,
        ),
        reasons: reason_choices,
        units,
        rows,
        total,
        query,
        next,
        paged: q.after.is_some(),
        import,
        upload_bank: if bank_view {
            p.bank_code
                .clone()
                .or_else(|| p.operator.map(|o| pick(lang, o.zh(), o.en()).to_string()))
        } else {
            None
        },
        kind,
        kinds: kinds_of(p),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

/// `POST /card-screening/import` (multipart: `file`; optional `kind` bank_card | sim_card (a
/// liaison's own kind by default), `format` auto | csv | xlsx, `bank` (the center names the
/// sending bank or operator; a liaison always sends their own), `batch` (the list's label, the
/// issuer and today's date by default)): screens the cards of a CSV /
/// XLSX list and answers the page with what happened: read, received, listed before, put on
/// the review list, earlier cards screened again, rejected with line and reason (the
/// quarantine of the import run).
pub async fn import(
    auth: Require<ImportNewCards>,
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let mut up = Upload::read(
        multipart,
        "new_cards.csv",
        &["bank", "batch", "kind", "list"],
    )
    .await?;
    let p = &auth.principal;
    let kind = kind_of(p, up.text("kind"))?;
    let closures = match up.text("list").unwrap_or("openings") {
        "openings" => false,
        "closures" => true,
        other => {
            return Err(WebError::BadRequest(format!(
                "unknown list type `{other}`: openings or closures"
            )))
        }
    };
    let bank = match up.text("bank") {
        Some(text) => sender_code(kind, text)?,
        None => None,
    };
    let batch = up.text("batch").map(str::to_string);
    let format = up.format;
    let (file, bytes) = up.take_file("choose a new-card list to upload")?;
    // A liaison sends their own bank's list, whatever the form says.
    let sender = sender_of(p, bank)?;
    let now = state.clock.now_ms();
    let batch = batch_label(batch.as_deref(), sender.as_deref(), now);
    if closures {
        let view = import_closures(
            &state,
            p,
            ClosureUpload {
                file,
                bytes,
                format,
                kind,
                sender: sender.as_deref(),
                batch: &batch,
            },
        )
        .await?;
        let q = ListQuery {
            kind: Some(kind.as_str().to_string()),
            ..ListQuery::default()
        };
        return list_page(&state, &auth, &headers, &q, Some(view)).await;
    }
    let parsed = read_new_cards(&file, &bytes, format, kind, sender.as_deref(), now)?;
    let rejected: Vec<QuarantineRow> = parsed
        .rejected
        .iter()
        .map(|r| QuarantineRow {
            file: file.clone(),
            line: r.line as i64,
            column: r.column.map(str::to_string),
            reason: r.reason.to_string(),
            raw: r.raw.clone(),
        })
        .collect();
    let cards: Vec<NewCardRow> = parsed.rows.iter().map(|r| card_of_row(r, &batch)).collect();
    let lines: Vec<u64> = parsed.rows.iter().map(|r| r.line).collect();
    let (run, done) = record_list(
        &state,
        p,
        CardList {
            file: &file,
            content_hash: hex(&Sha256::digest(&bytes)),
            read: parsed.read,
            cards: &cards,
            lines: &lines,
            rejected: &rejected,
        },
    )
    .await?;
    let view = ImportView {
        closures: None,
        run: run.0,
        file,
        read: parsed.read,
        received: done.ids.len(),
        duplicates: done.duplicates,
        queued: done.queued,
        rescreened: done.rescreened,
        bank_view: issuer_view(p),
        bank_by_level: Level::ALL
            .iter()
            .map(|l| {
                (
                    l.as_str(),
                    pick(Lang::from_headers(&headers), l.zh(), l.en()),
                    done.bank_by_level.get(l).copied().unwrap_or(0),
                )
            })
            .collect(),
        rejected: crate::import_run::rejected_lines(&rejected),
    };
    let q = ListQuery {
        kind: Some(kind.as_str().to_string()),
        ..ListQuery::default()
    };
    list_page(&state, &auth, &headers, &q, Some(view)).await
}

/// An uploaded closure list and what the form says of it.
struct ClosureUpload<'a> {
    file: String,
    bytes: Vec<u8>,
    format: ReportFormat,
    kind: CardKind,
    sender: Option<&'a str>,
    batch: &'a str,
}

/// Reads, validates and records a closure list (销户名单) and says what it did.
async fn import_closures(
    state: &AppState,
    p: &crate::auth::principal::Principal,
    up: ClosureUpload<'_>,
) -> Result<ImportView, WebError> {
    let now = state.clock.now_ms();
    let parsed = read_card_closures(&up.file, &up.bytes, up.format, up.kind, up.sender, now)?;
    let rejected: Vec<QuarantineRow> = parsed
        .rejected
        .iter()
        .map(|r| QuarantineRow {
            file: up.file.clone(),
            line: r.line as i64,
            column: r.column.map(str::to_string),
            reason: r.reason.to_string(),
            raw: r.raw.clone(),
        })
        .collect();
    let closures: Vec<_> = parsed
        .rows
        .iter()
        .map(|r| closure_of_row(r, up.batch))
        .collect();
    let lines: Vec<u64> = parsed.rows.iter().map(|r| r.line).collect();
    let (run, done) = record_closures(
        state,
        p,
        ClosureList {
            file: &up.file,
            content_hash: hex(&Sha256::digest(&up.bytes)),
            read: parsed.read,
            closures: &closures,
            lines: &lines,
            rejected: &rejected,
        },
    )
    .await?;
    let bank_view = issuer_view(p);
    Ok(ImportView {
        closures: Some(ClosuresView {
            received: done.received,
            listed: done.listed,
            short_lived: done.short_lived,
            rescreened: if bank_view { 0 } else { done.rescreened },
            requeued: if bank_view { 0 } else { done.requeued },
        }),
        run: run.0,
        file: up.file,
        read: parsed.read,
        received: done.received as usize,
        duplicates: done.duplicates,
        queued: 0,
        rescreened: 0,
        bank_view,
        bank_by_level: Vec::new(),
        rejected: crate::import_run::rejected_lines(&rejected),
    })
}

/// A finding on the detail page.
struct FindingView {
    code: &'static str,
    weight: u32,
    text: String,
}

/// Another new card of the same holder.
struct OtherCard {
    id: i64,
    kind: &'static str,
    bank: String,
    card: String,
    opened: String,
    level: &'static str,
    state: &'static str,
}

/// A two-card lead the card was sent down as (落地核查).
struct LeadLine {
    id: i64,
    unit: String,
    state: &'static str,
    result: String,
    deadline: String,
}

/// A closed card of the holder's (any issuer).
struct ClosureLine {
    kind: &'static str,
    bank: String,
    number: String,
    opened: String,
    closed: String,
    days: String,
    short_lived: bool,
}

#[derive(Template)]
#[template(path = "new_card.html")]
struct DetailPage {
    lang: Lang,
    chrome: Chrome,
    kind: CardKind,
    id: i64,
    bank: String,
    card: String,
    name: String,
    resident_id: String,
    phone: String,
    opened: String,
    closed: String,
    outlet: String,
    outlet_division: String,
    clerk: String,
    unit: String,
    batch: String,
    imported: String,
    screened: String,
    score: i64,
    level: &'static str,
    level_code: &'static str,
    findings: Vec<FindingView>,
    state: &'static str,
    reviewed: bool,
    verdict: String,
    note: String,
    reviewed_by: String,
    reviewed_at: String,
    others: Vec<OtherCard>,
    closures: Vec<ClosureLine>,
    /// 存量卡清理 requests about the holder.
    cleanups: Vec<super::card_cleanups::CleanupLine>,
    /// The leads the card was sent down as, and whether the reader may send it.
    leads: Vec<LeadLine>,
    lead_batch: String,
    can_send_lead: bool,
    cases: Vec<String>,
    other_area_cases: usize,
    verdicts: Vec<Choice>,
    can_list_key_person: bool,
}

fn card_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// `GET /card-screening/{id}`: one card with its holder in full (the view is audited), the
/// reasons with their weights, the holder's other new cards, the cases whose money reached
/// the card, and the review form.
pub async fn detail(
    auth: Require<ReviewNewCards>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = card_id(&id)?;
    let chrome = Chrome::new(
        &auth.principal,
        &auth.csrf_token,
        &headers,
        "/card-screening",
    );
    let lang = chrome.lang;
    let p = &auth.principal;
    let scope = state.scope_of(&p.unit_code).await?;
    let viewer = Viewer::Police(scope.clone());
    let repo = state.store.new_cards();
    let c = repo.get(&viewer, id).await?;
    let cleanups = super::card_cleanups::cleanups_of(
        &state,
        &scope,
        lang,
        &c.resident_id,
        state.clock.now_ms(),
    )
    .await?;
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: p.login.clone(),
            action: "view_personal_data".into(),
            target_type: "new_card".into(),
            target_id: Some(c.id.to_string()),
            unit_code: Some(c.unit_code.clone()),
            detail: serde_json::json!({
                "via": "card_screening",
                "resident": mask_resident_id(&c.resident_id),
                "card": mask_number(c.kind, &c.account_no),
            }),
        })
        .await?;
    let others = repo
        .list(
            &viewer,
            &CardFilter {
                holder: Some(c.resident_id.clone()),
                ..CardFilter::default()
            },
            &PageRequest::first(50),
        )
        .await?
        .items
        .into_iter()
        .filter(|o| o.id != c.id)
        .map(|o| OtherCard {
            id: o.id,
            kind: pick(lang, o.kind.zh(), o.kind.en()),
            bank: if o.bank_name.is_empty() {
                o.bank_code.clone()
            } else {
                o.bank_name.clone()
            },
            card: mask_number(o.kind, &o.account_no),
            opened: format_shanghai(o.opened_at),
            level: pick(lang, o.level.zh(), o.level.en()),
            state: pick(lang, o.state.zh(), o.state.en()),
        })
        .collect();
    let closures = repo
        .closures_of(&c.resident_id)
        .await?
        .into_iter()
        .map(|k| ClosureLine {
            kind: pick(lang, k.kind.zh(), k.kind.en()),
            bank: if k.bank_name.is_empty() {
                k.bank_code.clone()
            } else {
                k.bank_name.clone()
            },
            number: mask_number(k.kind, &k.account_no),
            opened: k.opened_at.map(format_shanghai_date).unwrap_or_default(),
            closed: format_shanghai_date(k.closed_at),
            days: k.days_open().map(|d| d.to_string()).unwrap_or_default(),
            short_lived: k.short_lived(),
        })
        .collect();
    let mut leads = Vec::new();
    for l in super::new_card_lead::leads_of(&state, &scope, c.id).await? {
        leads.push(LeadLine {
            id: l.id,
            unit: state.unit_name(&l.unit_code).await,
            state: pick(lang, l.state.zh(), l.state.en()),
            result: l
                .result
                .map(|r| pick(lang, r.zh(), r.en()).to_string())
                .unwrap_or_default(),
            deadline: format_shanghai(l.deadline),
        });
    }
    let all_cases = repo.cases_of(&c).await?;
    let visible = state.store.cases().in_scope(&scope, &all_cases).await?;
    let cases: Vec<String> = all_cases
        .iter()
        .filter(|id| visible.contains(*id))
        .cloned()
        .collect();
    let other_area_cases = all_cases.len() - cases.len();
    let division = match c.outlet_division.as_deref() {
        Some(d) => fanzha_core::DivisionCode::parse(d)
            .ok()
            .and_then(|code| code.division())
            .map(|dv| format!("{} ({d})", dv.full_name()))
            .unwrap_or_else(|| d.to_string()),
        None => String::new(),
    };
    render(&DetailPage {
        kind: c.kind,
        id: c.id,
        bank: if c.bank_name.is_empty() {
            c.bank_code.clone()
        } else {
            format!("{} ({})", c.bank_name, c.bank_code)
        },
        card: c.account_no.clone(),
        name: c.holder_name.clone(),
        resident_id: c.resident_id.clone(),
        phone: c.phone.clone().unwrap_or_default(),
        opened: format_shanghai(c.opened_at),
        closed: c.closed_at.map(format_shanghai).unwrap_or_default(),
        outlet: c.outlet.clone(),
        outlet_division: division,
        clerk: c.clerk.clone(),
        unit: state.unit_name(&c.unit_code).await,
        batch: c.batch.clone(),
        imported: match super::view::actor_label(lang, &c.imported_by) {
            label if label.is_empty() => {
                format!("{} · {}", format_shanghai(c.imported_at), c.imported_by)
            }
            label => format!("{} · {label}", format_shanghai(c.imported_at)),
        },
        screened: format_shanghai(c.screened_at),
        score: c.score,
        level: pick(lang, c.level.zh(), c.level.en()),
        level_code: c.level.as_str(),
        findings: c
            .findings
            .iter()
            .map(|f| FindingView {
                code: f.code.as_str(),
                weight: f.code.weight(),
                text: match lang {
                    Lang::En => f.describe_en(),
                    _ => f.describe_zh(),
                },
            })
            .collect(),
        state: pick(lang, c.state.zh(), c.state.en()),
        reviewed: c.state == CardState::Reviewed,
        verdict: c
            .verdict
            .map(|v| pick(lang, v.zh(), v.en()).to_string())
            .unwrap_or_default(),
        note: c.note.clone(),
        reviewed_by: c.reviewed_by.clone().unwrap_or_default(),
        reviewed_at: c.reviewed_at.map(format_shanghai).unwrap_or_default(),
        others,
        closures,
        cleanups,
        leads,
        lead_batch: super::new_card_lead::batch_of(c.id),
        can_send_lead: super::new_card_lead::can_send(p),
        cases,
        other_area_cases,
        verdicts: choices(
            Verdict::ALL,
            Verdict::as_str,
            |v| pick(lang, v.zh(), v.en()),
            None,
        ),
        can_list_key_person: ManageKeyPersons::allows(p),
        lang,
        chrome,
    })
    .map(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    verdict: String,
    #[serde(default)]
    note: String,
    /// `1` / `on`: list the holder as a key person (两卡), for 涉嫌买卖两卡 only.
    #[serde(default)]
    key_person: Option<String>,
}

/// `POST /card-screening/{id}/review` (`verdict`, `note`, optional `key_person`): records the
/// review (audited by the store). With `key_person` and 涉嫌买卖两卡, the registered holder is
/// listed as a key person (两卡) in the same action. A card outside one's area answers
/// not-found; one reviewed before, a conflict.
pub async fn review(
    auth: Require<ReviewNewCards>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(f): FormBody<ReviewForm>,
) -> Result<Response, WebError> {
    let id = card_id(&id)?;
    let verdict = Verdict::parse(f.verdict.trim())
        .ok_or_else(|| WebError::BadRequest(format!("unknown verdict `{}`", f.verdict.trim())))?;
    let list_key_person = f
        .key_person
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "0");
    review_card(
        &state,
        &auth.principal,
        id,
        verdict,
        &f.note,
        list_key_person,
    )
    .await?;
    let to = format!("/card-screening/{id}");
    if headers.contains_key("hx-request") {
        return Ok(([("hx-redirect", to)], axum::http::StatusCode::OK).into_response());
    }
    Ok(Redirect::to(&to).into_response())
}

fn refs(keys: &[String]) -> Vec<&str> {
    keys.iter().map(String::as_str).collect()
}

/// The cards (CSV's default, for those who read the list), the figures, the levels and
/// verdicts, and the table per bank. A bank's liaison gets no police-only figure.
fn export(
    lang: Lang,
    kind: CardKind,
    name: String,
    rows: Option<Vec<Row>>,
    bank_view: bool,
    f: &Figures,
) -> Sheets {
    let t = |k: &str| lang.t(&kind_key(kind, k)).to_string();
    // Header keys in the kind's words (运营商 / 号码 / 营业厅 for phone cards).
    let keys = |ks: &[&str]| -> Vec<String> { ks.iter().map(|k| kind_key(kind, k)).collect() };
    let mut sheets = Vec::new();
    if let Some(rows) = rows {
        let cards = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.bank,
                    r.card,
                    r.name,
                    r.resident_id,
                    r.opened,
                    r.closed,
                    r.outlet,
                    r.unit,
                    r.score.to_string(),
                    r.level.to_string(),
                    r.reasons,
                    r.state.to_string(),
                    r.verdict,
                ]
            })
            .collect();
        let headers = keys(&[
            "col_id",
            "nc_bank",
            "nc_card",
            "name",
            "resident_id",
            "nc_opened",
            "nc_closed_on",
            "nc_outlet",
            "unit",
            "nc_score",
            "nc_level",
            "nc_reasons",
            "col_status",
            "nc_verdict",
        ]);
        sheets.push(Sheet::new(
            lang,
            "cards",
            "nav_card_screening",
            &refs(&headers),
            cards,
        ));
    }
    let mut figures: Vec<Vec<String>> = vec![
        vec![t("nc_screened_n"), f.screened.to_string()],
        vec![t("nc_flagged_n"), f.flagged.to_string()],
        vec![t("nc_high_n"), f.high.to_string()],
    ];
    if !bank_view {
        figures.push(vec![t("nc_pending_n"), f.pending.to_string()]);
    }
    figures.extend([
        vec![t("nc_reviewed_n"), f.reviewed.to_string()],
        vec![t("nc_involved_n"), f.involved.to_string()],
        vec![t("nc_involved_share"), f.involved_share.clone()],
        vec![
            t("nc_involved_share_ly"),
            f.involved_share_last_year.clone(),
        ],
        vec![t("nc_involved_flagged"), f.involved_flagged.to_string()],
        vec![t("nc_closed_n"), f.closed.to_string()],
        vec![t("nc_short_lived_n"), f.short_lived.to_string()],
    ]);
    figures.extend(
        f.by_level
            .iter()
            .chain(&f.by_verdict)
            .map(|(_, label, n)| vec![label.to_string(), n.to_string()]),
    );
    sheets.push(Sheet::new(
        lang,
        "figures",
        "st_x_figures",
        &["st_x_figure", "st_x_value"],
        figures,
    ));
    let banks = f
        .banks
        .iter()
        .map(|b| {
            vec![
                b.name.clone(),
                b.screened.to_string(),
                b.flagged.to_string(),
                b.high.to_string(),
                b.card_seller.to_string(),
                b.involved.to_string(),
                b.involved_share.clone(),
                b.short_lived.to_string(),
            ]
        })
        .collect();
    let headers = keys(&[
        "nc_bank",
        "nc_screened_n",
        "nc_flagged_n",
        "nc_high_n",
        "nc_card_sellers",
        "nc_involved_n",
        "nc_involved_share",
        "nc_short_lived_n",
    ]);
    sheets.push(Sheet::new(
        lang,
        "banks",
        &kind_key(kind, "nc_by_bank"),
        &refs(&headers),
        banks,
    ));
    let outlets = f
        .outlets
        .iter()
        .map(|o| {
            vec![
                o.bank.clone(),
                o.outlet.clone(),
                o.screened.to_string(),
                o.card_seller.to_string(),
                o.involved.to_string(),
                o.involved_share.clone(),
                o.short_lived.to_string(),
            ]
        })
        .collect();
    let headers = keys(&[
        "nc_bank",
        "nc_outlet",
        "nc_screened_n",
        "nc_card_sellers",
        "nc_involved_n",
        "nc_involved_share",
        "nc_short_lived_n",
    ]);
    sheets.push(Sheet::new(
        lang,
        "outlets",
        &kind_key(kind, "nc_by_outlet"),
        &refs(&headers),
        outlets,
    ));
    let clerks = f
        .clerks
        .iter()
        .map(|c| {
            vec![
                c.bank.clone(),
                c.outlet.clone(),
                c.clerk.clone(),
                c.screened.to_string(),
                c.card_seller.to_string(),
                c.involved.to_string(),
                c.short_lived.to_string(),
            ]
        })
        .collect();
    let headers = keys(&[
        "nc_bank",
        "nc_outlet",
        "nc_clerk",
        "nc_screened_n",
        "nc_card_sellers",
        "nc_involved_n",
        "nc_short_lived_n",
    ]);
    sheets.push(Sheet::new(
        lang,
        "clerks",
        &kind_key(kind, "nc_by_clerk"),
        &refs(&headers),
        clerks,
    ));
    Sheets { name, sheets }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_store::Finding;

    #[test]
    fn banks_never_read_the_polices_reasons() {
        let card = ScreenedCard {
            id: 1,
            kind: CardKind::BankCard,
            account_no: "6222020000000000011".into(),
            bank_code: "ICBC".into(),
            bank_name: "中国工商银行".into(),
            resident_id: "330281198001010011".into(),
            holder_name: "张三".into(),
            phone: None,
            opened_at: 0,
            outlet: String::new(),
            outlet_division: None,
            unit_code: "330281".into(),
            batch: "b".into(),
            score: 95,
            level: Level::High,
            bank_score: 35,
            bank_level: Level::Medium,
            findings: vec![
                Finding::new(ReasonCode::HolderKeyPerson, None),
                Finding::new(ReasonCode::CardBurst, Some(3)),
                Finding::new(ReasonCode::HolderMuleAccount, None),
            ],
            state: CardState::Pending,
            verdict: None,
            note: String::new(),
            imported_by: "x".into(),
            imported_at: 0,
            screened_at: 0,
            reviewed_by: None,
            reviewed_at: None,
            closed_at: None,
            clerk: String::new(),
        };
        let police = reasons_text(Lang::Zh, &card, false);
        assert!(
            police.contains("重点人员") && police.contains("接收被骗资金"),
            "{police}"
        );
        let bank = reasons_text(Lang::Zh, &card, true);
        assert_eq!(bank, "短期内多头开卡（7日内3张）");
        // Dossiers, punishments, leads, cases and number disposals, the holder's numbers at
        // every operator, and their cards closed at every issuer.
        let police_only_codes: Vec<&str> = ReasonCode::ALL
            .iter()
            .filter(|r| police_only(**r))
            .map(|r| r.as_str())
            .collect();
        assert_eq!(
            police_only_codes,
            vec![
                "holder_punished",
                "holder_key_person",
                "holder_gave_card_away",
                "holder_mule_account",
                "holder_fraud_number",
                "many_numbers",
                "frequent_open_close",
            ]
        );
    }
}
