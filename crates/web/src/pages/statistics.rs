//! 统计: closed-loop figures per unit for a period — the units directly below the viewer's (or a
//! unit chosen inside it), with warnings by level and by fraud type, stop-payment timeliness, and
//! export. Leaders read it; commanders rank their stations with it.

use super::view::{fraud_type_label, percent, yuan};
use super::{render, Chrome};
use crate::auth::permission::ViewStatistics;
use crate::auth::Require;
use crate::error::WebError;
use crate::export::{ExportFormat, Table};
use crate::extract::Query;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fanzha_core::time::{shanghai_date, shanghai_midnight};
use fanzha_core::FraudType;
use fanzha_store::{InstructionFilter, PageRequest, Viewer, MAX_PAGE};
use fanzha_workflow::{loop_figures, Instruction, LoopFigures, OrgTree};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    /// `today`, `7d` (default), `30d`.
    period: Option<String>,
    unit: Option<String>,
    format: Option<ExportFormat>,
}

struct UnitLine {
    code: String,
    name: String,
    /// The unit's own instructions (held at its level, not below): no drill-down.
    own_level: bool,
    f: LoopFigures,
}

struct TypeLine {
    label: String,
    count: usize,
    /// The warnings search showing these warnings.
    query: String,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatsPage {
    lang: Lang,
    chrome: Chrome,
    period: String,
    unit_code: String,
    unit_name: String,
    parent: Option<String>,
    total: LoopFigures,
    red: i64,
    orange: i64,
    yellow: i64,
    lines: Vec<UnitLine>,
    types: Vec<TypeLine>,
    stop_in_time: String,
    held_fen: i64,
    truncated: bool,
}

fn minutes(m: Option<f64>) -> String {
    m.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())
}

/// For the template, which passes references.
pub fn minutes_label(m: impl std::borrow::Borrow<Option<f64>>) -> String {
    minutes(*m.borrow())
}

pub async fn show(
    auth: Require<ViewStatistics>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&auth.principal, &auth.csrf_token, &headers, "/statistics");
    let lang = chrome.lang;
    let own = state.scope_of(&auth.principal.unit_code).await?;
    let unit_code = q
        .unit
        .clone()
        .unwrap_or_else(|| auth.principal.unit_code.clone());
    let unit = state
        .unit_within(&auth.principal.unit_code, &unit_code)
        .await?;
    let scope = state.scope_of(&unit_code).await?;
    let now = state.clock.now_ms();
    let today = shanghai_date(now)
        .and_then(|d| shanghai_midnight(d).ok())
        .unwrap_or(now - now.rem_euclid(86_400_000));
    let period = match q.period.as_deref() {
        Some("today") => "today",
        Some("30d") => "30d",
        _ => "7d",
    };
    let from = match period {
        "today" => today,
        "30d" => today - 29 * 86_400_000,
        _ => today - 6 * 86_400_000,
    };
    let page = state
        .store
        .instructions()
        .list(
            &scope,
            &InstructionFilter {
                issued_since: Some(from),
                ..InstructionFilter::default()
            },
            &PageRequest::first(MAX_PAGE),
        )
        .await?;
    let truncated = page.next.is_some();
    let states: Vec<(String, Instruction)> = page
        .items
        .iter()
        .filter_map(|i| {
            serde_json::from_str::<Instruction>(&i.projection.state)
                .ok()
                .map(|s| (i.projection.holder_unit.clone(), s))
        })
        .collect();
    let total = loop_figures(states.iter().map(|(_, s)| s));
    let children = state.store.units().children(&unit_code).await?;
    let mut per_child: BTreeMap<String, Vec<&Instruction>> = BTreeMap::new();
    let mut at_own_level: Vec<&Instruction> = Vec::new();
    {
        let tree = state.loop_service.tree();
        for (holder, s) in &states {
            if *holder == unit_code {
                at_own_level.push(s);
                continue;
            }
            let mut cur = holder.clone();
            while let Some(p) = tree.parent(&cur) {
                if p == unit_code {
                    per_child.entry(cur.clone()).or_default().push(s);
                    break;
                }
                cur = p;
            }
        }
    }
    // Instructions held at the unit itself (pending review at the center, not yet passed down)
    // get a line of their own, so that the lines add up to the totals.
    let own_line = (!at_own_level.is_empty()).then(|| UnitLine {
        f: loop_figures(at_own_level.iter().copied()),
        code: unit_code.clone(),
        name: format!("{}{}", unit.name, lang.t("own_level")),
        own_level: true,
    });
    let lines: Vec<UnitLine> = own_line
        .into_iter()
        .chain(children.iter().map(|c| UnitLine {
            f: loop_figures(per_child.get(&c.code).into_iter().flatten().copied()),
            code: c.code.clone(),
            name: c.name.clone(),
            own_level: false,
        }))
        .collect();
    let counts = state
        .store
        .warnings()
        .count_by_level(&scope, from, now + 1)
        .await?;
    let warnings = state
        .store
        .warnings()
        .recent(&scope, from, None, &PageRequest::first(MAX_PAGE))
        .await?;
    // Counted by type code (older rows may spell a type by its name), each linked to the
    // warnings search for the same unit, period and type.
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for w in &warnings.items {
        let key = match w.fraud_type.as_deref() {
            None => "untyped".to_string(),
            Some(t) => FraudType::parse_label(t)
                .map(|t| t.code().to_string())
                .unwrap_or_else(|_| t.to_string()),
        };
        *by_type.entry(key).or_default() += 1;
    }
    let first_day = shanghai_date(from)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let unit_param = if unit_code == auth.principal.unit_code {
        ""
    } else {
        unit_code.as_str()
    };
    let mut types: Vec<TypeLine> = by_type
        .into_iter()
        .map(|(key, count)| TypeLine {
            label: match key.as_str() {
                "untyped" => fraud_type_label(lang, None),
                k => fraud_type_label(lang, Some(k)),
            },
            query: form_urlencoded::Serializer::new(String::new())
                .append_pair("from", &first_day)
                .append_pair("fraud_type", &key)
                .append_pair("unit", unit_param)
                .finish(),
            count,
        })
        .collect();
    types.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    let t = state
        .store
        .stop_payments()
        .timeliness(&Viewer::Police(scope.clone()), from, now + 1)
        .await?;

    if let Some(format) = q.format {
        let heads = [
            "unit",
            "instructions_today",
            "dissuaded",
            "defrauded",
            "unreachable",
            "overdue",
            "sign_in_sla",
            "contact_in_sla",
            "dissuasion_rate",
            "median_sign_min",
            "loss",
            "saved",
        ];
        return Table {
            name: format!("statistics_{unit_code}_{period}"),
            headers: heads.iter().map(|h| lang.t(h).to_string()).collect(),
            rows: lines
                .iter()
                .map(|l| {
                    vec![
                        l.name.clone(),
                        l.f.instructions.to_string(),
                        l.f.dissuaded.to_string(),
                        l.f.defrauded.to_string(),
                        l.f.unreachable.to_string(),
                        l.f.overdue.to_string(),
                        percent(l.f.sign_in_sla_rate),
                        percent(l.f.contact_in_sla_rate),
                        percent(l.f.dissuasion_rate),
                        minutes(l.f.median_sign_minutes),
                        yuan(l.f.loss_fen),
                        yuan(l.f.saved_fen),
                    ]
                })
                .collect(),
        }
        .respond(format);
    }
    let parent = match &unit.parent_code {
        Some(p) => match state.store.units().find(p).await? {
            Some(u) if own.contains_path(&u.path) => Some(u.code),
            _ => None,
        },
        None => None,
    };
    render(&StatsPage {
        lang,
        chrome,
        period: period.to_string(),
        unit_name: unit.name.clone(),
        unit_code,
        parent,
        total,
        red: counts.red,
        orange: counts.orange,
        yellow: counts.yellow,
        lines,
        types,
        stop_in_time: if t.requested == 0 {
            "—".into()
        } else {
            format!("{}/{}", t.executed_in_time, t.requested)
        },
        held_fen: t.held_fen,
        truncated,
    })
    .map(IntoResponse::into_response)
}
