//! 案件导入: cases from the exports of the 110 alarm system and the 96110 hotline, for
//! `fanzha cases import` and the upload on the cases page alike.
//!
//! The file is read by `fanzha_ingest::reports` (column aliases, GBK or UTF-8, XLSX). Each good
//! row opens a case through [`open_case_once`] — the narrative classified, a registered victim's
//! person and warnings linked, a public-sector victim's employer noted, audited — unless its
//! report number was opened before (a duplicate: nothing changes, so importing a file again
//! creates nothing). The case's unit is the row's 接警单位 / 管辖单位 (code or exact name), else
//! the registered victim's residence when it lies in the importer's area, else the importing
//! unit; a unit outside the importing unit's subtree rejects the row. Rejected rows go to the
//! quarantine of the import run with file, line, column and reason. An occupation that names no
//! category rejects nothing: the case is opened as 其他 with the text, and counted. The order a
//! fake customer-service caller knew (platform, shop, courier, outlet, date, details) is
//! recorded as the case's order source, as the case page would (docs/leak-sources.md).

use crate::casework::{audit, open_case_once, CaseInput, Opened};
use crate::error::WebError;
use crate::import_run::{quarantine_row, FinishedImport, ImportRecord};
use crate::state::AppState;
use fanzha_ingest::reports::report_reason::{
    ORDER_UNNAMED, OUTLET_WITHOUT_COURIER, UNKNOWN_ORDER_DETAIL,
};
use fanzha_ingest::reports::{
    read_reports, report_reason, CaseReport, ReportFormat, ReportedOrder,
};
use fanzha_store::{CitedDetail, ImportRunId, OrderSourceText, QuarantineRow, Scope, Unit};
use fanzha_text::order_source::{courier_name, mentions, platform_name};
use std::collections::{BTreeMap, HashMap};

/// The import-run kind of case imports.
pub const KIND: &str = "cases";

/// A case the import opened.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportedCase {
    pub line: u64,
    pub report_no: String,
    pub case_id: String,
    pub unit_code: String,
    /// The occupation named no category: the case was opened with 其他 and the text.
    pub occupation_unrecognised: bool,
}

/// A row whose report was opened before.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DuplicateReport {
    pub line: u64,
    pub report_no: String,
    /// The existing case, when it lies in the importer's area (else only its existence shows).
    pub case_id: Option<String>,
}

/// What an import did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CaseImport {
    pub import_run: ImportRunId,
    pub file: String,
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Rows read (blank rows are not rows): imported + duplicate + rejected.
    pub read: usize,
    pub imported: Vec<ImportedCase>,
    pub duplicates: Vec<DuplicateReport>,
    /// Rejected rows in line order, as stored in the quarantine.
    #[serde(skip)]
    pub rejected: Vec<QuarantineRow>,
    pub by_reason: BTreeMap<String, i64>,
    pub ignored_columns: Vec<String>,
}

impl CaseImport {
    /// `imported / duplicate / rejected`, the figures both the command and the page show.
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.imported.len(),
            self.duplicates.len(),
            self.rejected.len(),
        )
    }

    /// Imported cases whose occupation named no category (opened with 其他 and the text as
    /// written; not rejected).
    pub fn occupation_unrecognised(&self) -> usize {
        self.imported
            .iter()
            .filter(|c| c.occupation_unrecognised)
            .count()
    }
}

/// Imports a report file for `unit_code` (the importer's unit: rows may only name units in its
/// subtree). `file` is the name shown in the quarantine and the report.
pub async fn import_cases(
    state: &AppState,
    login: &str,
    unit_code: &str,
    file: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<CaseImport, WebError> {
    let importer = state.store.units().get(unit_code).await?;
    let scope = state.scope_of(&importer.code).await?;
    let parsed = read_reports(file, bytes, format)?;
    let reader_rejects = parsed
        .rejected
        .iter()
        .map(|r| quarantine_row(file, r.line, r.column.map(|c| c.as_str()), r.reason, &r.raw))
        .collect();
    let mut run =
        ImportRecord::begin(&state.store, KIND, file, bytes, parsed.read, reader_rejects).await?;
    let mut imported = Vec::new();
    let mut duplicates = Vec::new();
    let mut units = UnitResolver::new(&scope, &importer);
    let mut reports = parsed.reports.into_iter();
    while let Some(report) = reports.next() {
        let (line, raw) = (report.line, report.raw.clone());
        match import_one(state, login, "import", &scope, &mut units, report).await {
            Ok(Step::Imported(case)) => imported.push(case),
            Ok(Step::Duplicate(d)) => duplicates.push(d),
            Ok(Step::Rejected { column, reason }) => {
                run.reject(quarantine_row(file, line, Some(column), reason, &raw))
            }
            Err(e) => {
                // Rows up to here are committed (each case is); this one and the rest are not.
                let not_reached =
                    std::iter::once((line, raw)).chain(reports.map(|r| (r.line, r.raw)));
                let done = imported.len() + duplicates.len();
                return Err(run.fail(done, not_reached, e).await);
            }
        }
    }
    let FinishedImport {
        run,
        rejected,
        by_reason,
    } = run.finish(imported.len() + duplicates.len()).await?;
    audit(
        state,
        login,
        "cases_imported",
        "import_run",
        &run.to_string(),
        &importer.code,
        serde_json::json!({
            "file": file,
            "read": parsed.read,
            "imported": imported.len(),
            "duplicate": duplicates.len(),
            "rejected": rejected.len(),
            "occupation_unrecognised": imported.iter().filter(|c| c.occupation_unrecognised).count(),
        }),
    )
    .await?;
    Ok(CaseImport {
        import_run: run,
        file: file.into(),
        format: parsed.format,
        encoding: parsed.encoding,
        read: parsed.read,
        imported,
        duplicates,
        rejected,
        by_reason,
        ignored_columns: parsed.ignored_columns,
    })
}

/// What one report became.
enum Step {
    Imported(ImportedCase),
    Duplicate(DuplicateReport),
    /// Quarantined for its unit or its order (the column and the reason).
    Rejected {
        column: &'static str,
        reason: &'static str,
    },
}

/// What one report given through the API came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportOutcome {
    Opened {
        case_id: String,
        unit_code: String,
    },
    /// Opened before; the case when it lies in the sender's area.
    Duplicate {
        case_id: Option<String>,
    },
    /// The unit it names cannot take it (`unit`: `unknown_unit`, `unit_out_of_scope`, …), or
    /// its order cannot be recorded (`outlet`: `outlet_without_courier`, …).
    Rejected {
        column: &'static str,
        reason: &'static str,
    },
}

/// Opens the case of one report sent by `importer`'s system as it is taken (the 110 platform's
/// API), with the file import's rules for units and duplicates; `source` is `api`.
pub async fn open_report(
    state: &AppState,
    login: &str,
    importer: &Unit,
    report: CaseReport,
) -> Result<ReportOutcome, WebError> {
    let scope = state.scope_of(&importer.code).await?;
    let mut units = UnitResolver::new(&scope, importer);
    Ok(
        match import_one(state, login, "api", &scope, &mut units, report).await? {
            Step::Imported(c) => ReportOutcome::Opened {
                case_id: c.case_id,
                unit_code: c.unit_code,
            },
            Step::Duplicate(d) => ReportOutcome::Duplicate { case_id: d.case_id },
            Step::Rejected { column, reason } => ReportOutcome::Rejected { column, reason },
        },
    )
}

/// Opens the case of one report, once.
async fn import_one(
    state: &AppState,
    login: &str,
    source: &str,
    scope: &Scope,
    units: &mut UnitResolver<'_>,
    report: CaseReport,
) -> Result<Step, WebError> {
    // A report opened before is a duplicate wherever its row would place it.
    if let Some((case_id, case_unit)) = state.store.cases().by_report_no(&report.report_no).await? {
        return Ok(Step::Duplicate(
            duplicate(state, scope, &report, case_id, &case_unit).await?,
        ));
    }
    let unit = match units.resolve(state, &report).await? {
        Ok(u) => u,
        Err(reason) => {
            return Ok(Step::Rejected {
                column: "unit",
                reason,
            })
        }
    };
    let order = match order_source_of(&report.order) {
        Ok(o) => o,
        Err((column, reason)) => return Ok(Step::Rejected { column, reason }),
    };
    let line = report.line;
    let report_no = report.report_no.clone();
    let named = report.named_json();
    let occupation_unrecognised = report.occupation_text.is_some();
    let opened = open_case_once(
        state,
        login,
        CaseInput {
            resident_id: report.resident_id,
            victim_name: report.victim_name,
            victim_phone: report.phone,
            unit_code: unit.clone(),
            reported_at: report.reported_at,
            loss_fen: report.loss_fen,
            narrative: report.narrative,
            source: source.into(),
            report_no: Some(report.report_no),
            instruction_id: None,
            victim_account: report.victim_account,
            named,
            occupation: report.occupation,
            occupation_text: report.occupation_text,
            employer: report.employer,
        },
    )
    .await?;
    if let (Opened::New(case), Some(order)) = (&opened, &order) {
        state
            .store
            .case_order_sources()
            .set(scope, &case.id, None, order, login, state.clock.now_ms())
            .await?;
    }
    Ok(match opened {
        Opened::New(case) => Step::Imported(ImportedCase {
            line,
            report_no,
            case_id: case.id,
            unit_code: unit,
            occupation_unrecognised,
        }),
        Opened::Duplicate { case_id, unit_code } => {
            let visible = in_scope(state, scope, &unit_code).await?;
            Step::Duplicate(DuplicateReport {
                line,
                report_no,
                case_id: visible.then_some(case_id),
            })
        }
    })
}

/// The order source a report's order columns record: names kept in one form (`中通快递` →
/// 中通), the courier read from the outlet's name when its own column is empty (`中通城东网点`),
/// what the caller knew read into details. `None` when the row names no order; the column and
/// reason of a row whose order cannot be recorded.
fn order_source_of(
    o: &ReportedOrder,
) -> Result<Option<OrderSourceText>, (&'static str, &'static str)> {
    if o.is_empty() {
        return Ok(None);
    }
    let mut cited = Vec::new();
    for written in &o.known {
        let d = CitedDetail::from_written(written).ok_or(("order_known", UNKNOWN_ORDER_DETAIL))?;
        if !cited.contains(&d) {
            cited.push(d);
        }
    }
    let courier = match courier_name(&o.courier) {
        c if c.is_empty() => mentions(&o.outlet)
            .courier
            .map(str::to_string)
            .unwrap_or_default(),
        c => c,
    };
    if !o.outlet.is_empty() && courier.is_empty() {
        return Err(("outlet", OUTLET_WITHOUT_COURIER));
    }
    let text = OrderSourceText {
        platform: platform_name(&o.platform),
        shop: o.shop.clone(),
        courier,
        outlet: o.outlet.clone(),
        ordered_on: o.ordered_on,
        cited,
    };
    if text.platform.is_empty() && text.shop.is_empty() && text.courier.is_empty() {
        return Err(("platform", ORDER_UNNAMED));
    }
    Ok(Some(text))
}

async fn duplicate(
    state: &AppState,
    scope: &Scope,
    report: &CaseReport,
    case_id: String,
    case_unit: &str,
) -> Result<DuplicateReport, WebError> {
    let visible = in_scope(state, scope, case_unit).await?;
    Ok(DuplicateReport {
        line: report.line,
        report_no: report.report_no.clone(),
        case_id: visible.then_some(case_id),
    })
}

async fn in_scope(state: &AppState, scope: &Scope, unit_code: &str) -> Result<bool, WebError> {
    Ok(match state.store.units().find(unit_code).await? {
        Some(u) => scope.contains_path(&u.path),
        None => scope.unit_code().is_none(),
    })
}

/// Which unit a row's case belongs to; answers are kept per distinct value.
struct UnitResolver<'a> {
    scope: &'a Scope,
    importer: &'a Unit,
    named: HashMap<String, Result<String, &'static str>>,
}

impl<'a> UnitResolver<'a> {
    fn new(scope: &'a Scope, importer: &'a Unit) -> Self {
        UnitResolver {
            scope,
            importer,
            named: HashMap::new(),
        }
    }

    /// The unit code, or the reason to reject the row.
    async fn resolve(
        &mut self,
        state: &AppState,
        report: &CaseReport,
    ) -> Result<Result<String, &'static str>, WebError> {
        if let Some(v) = &report.unit {
            if let Some(known) = self.named.get(v) {
                return Ok(known.clone());
            }
            let answer = self.by_value(state, v).await?;
            self.named.insert(v.clone(), answer.clone());
            return Ok(answer);
        }
        // No unit named: the registered victim's residence when it is in the area.
        if let Some(rid) = &report.resident_id {
            if let Ok(p) = state.store.people().get(self.scope, rid).await {
                if let Some(u) = state.store.units().find(&p.residence_code).await? {
                    if self.scope.contains_path(&u.path) {
                        return Ok(Ok(u.code));
                    }
                }
            }
        }
        Ok(Ok(self.importer.code.clone()))
    }

    async fn by_value(
        &self,
        state: &AppState,
        v: &str,
    ) -> Result<Result<String, &'static str>, WebError> {
        let inside = |u: &Unit| self.scope.contains_path(&u.path);
        if v.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(match state.store.units().find(v).await? {
                Some(u) if inside(&u) => Ok(u.code),
                Some(_) => Err(report_reason::UNIT_OUT_OF_SCOPE),
                None => Err(report_reason::UNKNOWN_UNIT),
            });
        }
        let all = state.store.units().named(v).await?;
        let mine: Vec<&Unit> = all.iter().filter(|u| inside(u)).collect();
        Ok(match (mine.as_slice(), all.is_empty()) {
            ([one], _) => Ok(one.code.clone()),
            ([], true) => Err(report_reason::UNKNOWN_UNIT),
            ([], false) => Err(report_reason::UNIT_OUT_OF_SCOPE),
            _ => Err(report_reason::AMBIGUOUS_UNIT),
        })
    }
}
