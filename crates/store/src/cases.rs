//! Cases (案件): a defrauded person's report, the transfers taken in to trace the money, and
//! what the classifier made of the narrative. Scoped by the unit of the victim's residence.
//! A case imported from a 110 / 96110 export keeps the report's number, which is unique: the
//! same report is never opened twice. A case is linked to the warnings its victim had.
//!
//! Cases are searched ([`CaseFilter`]) and linked to one another (串并, [`Cases::linked`]) by
//! what they share: a suspect number, an account the money reached or that was stopped, an app
//! or a URL.
//!
//! A case carries the victim's occupation (受害人职业, [`Occupation`]; unknown when absent),
//! searched by [`CaseFilter::occupation`] and counted by [`Cases::by_occupation`]; and, once
//! the victim is asked (回访), whether outreach had reached them before ([`PriorOutreach`],
//! set by [`Cases::set_prior_outreach`], counted by [`Cases::prior_outreach_tally`]): the
//! bureaus' 受害人面对面宣防率.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::dialect::Backend;
use crate::error::{StoreError, StoreResult};
use crate::page::{split_time_key, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, flag, Sql};
use crate::store::Store;
use crate::warnings::FraudTypeFilter;
use fanzha_core::Occupation;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

code_enum! {
    /// Whether anti-fraud outreach had reached the victim before they were defrauded, as the
    /// victim says when asked (回访).
    PriorOutreach {
        /// 接受过面对面宣防: a talk, a door-to-door visit, a street stand.
        FaceToFace => "face_to_face", "接受过面对面宣防", "Reached face to face";
        /// 仅接触过线上或其他宣传: posts, messages, posters only.
        RemoteOnly => "remote_only", "仅接触过线上或其他宣传", "Reached only remotely";
        /// 未接受过任何宣传.
        Never => "never", "未接受过宣传", "Never reached";
    }
}

/// Victims of a period by [`PriorOutreach`]; cases not asked yet are `unknown`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PriorOutreachTally {
    pub face_to_face: i64,
    pub remote_only: i64,
    pub never: i64,
    pub unknown: i64,
}

impl PriorOutreachTally {
    /// Victims asked.
    pub fn known(&self) -> i64 {
        self.face_to_face + self.remote_only + self.never
    }

    /// 面对面宣防率: victims reached face to face ÷ victims asked; `None` when none was asked.
    pub fn face_to_face_rate(&self) -> Option<f64> {
        let known = self.known();
        (known > 0).then(|| self.face_to_face as f64 / known as f64)
    }
}

/// A case to open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewCase {
    pub id: String,
    pub resident_id: Option<String>,
    pub victim_name: Option<String>,
    pub victim_phone: Option<String>,
    pub unit_code: String,
    pub reported_at: i64,
    pub loss_fen: i64,
    pub narrative: String,
    pub fraud_type: Option<String>,
    /// Classifier confidence in thousandths.
    pub type_score: i64,
    /// The terms that decided the type, as JSON.
    pub top_terms: serde_json::Value,
    /// `outcome` (from a 已被骗 feedback), `form`, `import`.
    pub source: String,
    /// The report's number in the 110 / 96110 system (警情编号); unique when present.
    pub report_no: Option<String>,
    pub instruction_id: Option<String>,
    /// The victim's own account the money left from (the trace's start).
    pub victim_account: Option<String>,
    /// 财政供养人员: produces an employer notice.
    pub public_sector: bool,
    pub employer: Option<String>,
    /// Numbers, accounts, apps and URLs the victim named, as JSON.
    pub named: serde_json::Value,
    pub created_by: String,
    pub created_at: i64,
    /// The victim's occupation (受害人职业); `None` is unknown.
    pub occupation: Option<Occupation>,
    /// What the report wrote when it named no category (the occupation is then `Other`).
    pub occupation_text: Option<String>,
}

/// A stored case.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Case {
    pub id: String,
    pub resident_id: Option<String>,
    pub victim_name: Option<String>,
    pub victim_phone: Option<String>,
    pub unit_code: String,
    pub reported_at: i64,
    pub loss_fen: i64,
    pub narrative: String,
    pub fraud_type: Option<String>,
    pub type_score: i64,
    pub top_terms: serde_json::Value,
    pub source: String,
    pub report_no: Option<String>,
    pub instruction_id: Option<String>,
    pub victim_account: Option<String>,
    pub public_sector: bool,
    pub employer: Option<String>,
    pub named: serde_json::Value,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The victim's occupation (受害人职业); `None` is unknown.
    pub occupation: Option<Occupation>,
    /// What the report wrote when it named no category.
    pub occupation_text: Option<String>,
    /// Whether outreach had reached the victim before; `None` until the victim is asked.
    pub prior_outreach: Option<PriorOutreach>,
}

/// One transfer taken in for a case (from the victim's report or a bank extract).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CaseTransfer {
    pub txn_id: Option<String>,
    pub from_account: String,
    pub to_account: String,
    /// Epoch ms UTC.
    pub at: i64,
    pub amount_fen: i64,
    /// `bank`, `third_party`, `cash_out`, … (the trace crate's channel names).
    pub channel: String,
    pub source_file: Option<String>,
}

/// Cases of one unit (the victim's residence) and one fraud type over a period: the cells that
/// statistics roll up into unit lines and type lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CaseTally {
    pub unit_code: String,
    /// The type code as stored; `None` while the classifier has not decided.
    pub fraud_type: Option<String>,
    pub cases: i64,
    pub loss_fen: i64,
    /// Cases whose victim is paid from public funds (财政供养人员): counted in assessments.
    pub public_sector: i64,
}

/// Which cases a search returns; every field left empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Reported at or after (epoch ms UTC).
    pub from_ms: Option<i64>,
    /// Reported before (epoch ms UTC).
    pub to_ms: Option<i64>,
    pub fraud_type: Option<FraudTypeFilter>,
    /// `outcome`, `form` or `import`.
    pub source: Option<String>,
    /// Only cases whose victim is paid from public funds (财政供养人员).
    pub public_sector_only: bool,
    /// A loss of at least this much.
    pub min_loss_fen: Option<i64>,
    pub lookup: Option<CaseLookup>,
    /// The victim's occupation, or cases whose occupation is unknown.
    pub occupation: Option<OccupationFilter>,
    /// Supervised cases (督办): of any level, or of one.
    pub supervision: Option<CaseSupervisionFilter>,
}

/// Which supervised cases a [`CaseFilter`] asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseSupervisionFilter {
    /// Supervised at any level.
    Any,
    Is(crate::enforcement::CaseSupervision),
}

/// Which occupation a [`CaseFilter`] asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OccupationFilter {
    /// Cases whose victim's occupation is not known (未知).
    Unknown,
    Is(Occupation),
}

/// Cases of one occupation over a period (受害人画像 by occupation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OccupationTally {
    /// `None`: unknown (未知).
    pub occupation: Option<Occupation>,
    pub cases: i64,
    pub loss_fen: i64,
}

/// The free-text part of a [`CaseFilter`]: a case matches when any of the given parts does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseLookup {
    /// A case id or report number, exactly.
    pub key: String,
    /// The victim's resident ID.
    pub resident_id: Option<String>,
    /// A phone number in canonical form: the victim's, or a suspect number the victim named.
    pub phone: Option<String>,
    /// A number as typed, without spaces or dashes: a suspect number or account the victim
    /// named, an account in the case's transfers (either side) or stop-payments, or the
    /// victim's own account.
    pub number: Option<String>,
}

/// What links two cases (串并).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// A suspect phone number both victims named.
    SuspectPhone,
    /// An account that received money in both cases' transfers.
    ReceivingAccount,
    /// An account both cases asked a bank to stop.
    StopPaymentAccount,
    /// An account both cases know otherwise: named by a victim and named, paid into or
    /// stopped in the other case.
    SuspectAccount,
    /// An app both victims named.
    App,
    /// A URL both victims named.
    Url,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::SuspectPhone => "suspect_phone",
            LinkKind::ReceivingAccount => "receiving_account",
            LinkKind::StopPaymentAccount => "stop_payment_account",
            LinkKind::SuspectAccount => "suspect_account",
            LinkKind::App => "app",
            LinkKind::Url => "url",
        }
    }
}

/// One thing two cases share.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct CaseLink {
    pub kind: LinkKind,
    /// The shared number, account, app or URL, in full (mask it on screen).
    pub value: String,
}

/// A case linked to another, with everything they share (by kind, then value).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LinkedCase {
    pub case: Case,
    pub links: Vec<CaseLink>,
}

/// The cases linked to one case inside a scope.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct LinkedCases {
    /// Latest report first; at most [`MAX_LINKED`].
    pub cases: Vec<LinkedCase>,
    /// Every linked case inside the scope, those past the cap included.
    pub total: i64,
    /// Their losses together (the case itself not counted).
    pub loss_fen: i64,
}

/// The most linked cases returned with their rows (the total and the loss count them all).
pub const MAX_LINKED: u32 = 500;

const COLUMNS: &str = "c.id, c.resident_id, c.victim_name, c.victim_phone, c.unit_code, \
     c.reported_at, c.loss_fen, c.narrative, c.fraud_type, c.type_score, c.top_terms, c.source, \
     c.report_no, c.instruction_id, c.victim_account, c.public_sector, c.employer, c.named, c.created_by, \
     c.created_at, c.updated_at, c.occupation, c.occupation_text, c.prior_outreach";

fn json_col(row: &AnyRow, name: &'static str) -> Result<serde_json::Value, sqlx::Error> {
    let text: String = col(row, name)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::ColumnDecode {
        index: name.into(),
        source: Box::new(e),
    })
}

/// A stored occupation code; one the build does not know is a decode error.
fn occupation_col(row: &AnyRow) -> Result<Option<Occupation>, sqlx::Error> {
    let code: Option<String> = col(row, "occupation")?;
    code.map(|c| {
        Occupation::from_code(&c).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "occupation".into(),
            source: format!("unknown occupation code {c:?}").into(),
        })
    })
    .transpose()
}

fn from_row(row: &AnyRow) -> Result<Case, sqlx::Error> {
    Ok(Case {
        id: col(row, "id")?,
        resident_id: col(row, "resident_id")?,
        victim_name: col(row, "victim_name")?,
        victim_phone: col(row, "victim_phone")?,
        unit_code: col(row, "unit_code")?,
        reported_at: col(row, "reported_at")?,
        loss_fen: col(row, "loss_fen")?,
        narrative: col(row, "narrative")?,
        fraud_type: col(row, "fraud_type")?,
        type_score: col(row, "type_score")?,
        top_terms: json_col(row, "top_terms")?,
        source: col(row, "source")?,
        report_no: col(row, "report_no")?,
        instruction_id: col(row, "instruction_id")?,
        victim_account: col(row, "victim_account")?,
        public_sector: flag(row, "public_sector")?,
        employer: col(row, "employer")?,
        named: json_col(row, "named")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
        occupation: occupation_col(row)?,
        occupation_text: col(row, "occupation_text")?,
        prior_outreach: crate::field::parse_optional_code(
            row,
            "prior_outreach",
            PriorOutreach::parse,
        )?,
    })
}

/// `EXISTS` a string equal to `placeholder` in the array `key` of the case's `named` JSON.
fn named_has(backend: Backend, key: &str, placeholder: &str) -> String {
    let j = backend.json_strings("c.named", key, "j");
    format!(
        "EXISTS (SELECT 1 FROM {} WHERE {} AND {} = {placeholder})",
        j.from, j.only_strings, j.value
    )
}

impl CaseFilter {
    fn push_conditions(&self, sql: &mut Sql<'_>, backend: Backend) {
        if let Some(from) = self.from_ms {
            sql.push(" AND c.reported_at >= ").arg(from);
        }
        if let Some(to) = self.to_ms {
            sql.push(" AND c.reported_at < ").arg(to);
        }
        match &self.fraud_type {
            None => {}
            Some(FraudTypeFilter::Untyped) => {
                sql.push(" AND c.fraud_type IS NULL");
            }
            Some(FraudTypeFilter::AnyOf(labels)) if labels.is_empty() => {
                sql.push(" AND 1 = 0");
            }
            Some(FraudTypeFilter::AnyOf(labels)) => {
                sql.push(" AND c.fraud_type IN (")
                    .args(labels.iter().cloned())
                    .push(")");
            }
        }
        if let Some(source) = &self.source {
            sql.push(" AND c.source = ").arg(source.clone());
        }
        if self.public_sector_only {
            sql.push(" AND c.public_sector = 1");
        }
        if let Some(min) = self.min_loss_fen {
            sql.push(" AND c.loss_fen >= ").arg(min);
        }
        match self.occupation {
            None => {}
            Some(OccupationFilter::Unknown) => {
                sql.push(" AND c.occupation IS NULL");
            }
            Some(OccupationFilter::Is(o)) => {
                sql.push(" AND c.occupation = ").arg(o.code());
            }
        }
        match self.supervision {
            None => {}
            Some(CaseSupervisionFilter::Any) => {
                sql.push(
                    " AND c.id IN (SELECT case_id FROM case_enforcement \
                     WHERE supervision IS NOT NULL)",
                );
            }
            Some(CaseSupervisionFilter::Is(level)) => {
                sql.push(" AND c.id IN (SELECT case_id FROM case_enforcement WHERE supervision = ")
                    .arg(level.as_str())
                    .push(")");
            }
        }
        if let Some(l) = &self.lookup {
            let key = sql.bind(l.key.clone());
            sql.push(&format!(" AND (c.id = {key} OR c.report_no = {key}"));
            if let Some(rid) = &l.resident_id {
                sql.push(" OR c.resident_id = ").arg(rid.clone());
            }
            if let Some(phone) = &l.phone {
                let p = sql.bind(phone.clone());
                sql.push(&format!(
                    " OR c.victim_phone = {p} OR {}",
                    named_has(backend, "phones", &p)
                ));
            }
            if let Some(number) = l.number.as_ref().filter(|n| !n.is_empty()) {
                let n = sql.bind(number.clone());
                sql.push(&format!(
                    " OR {} OR {} OR c.victim_account = {n} \
                     OR c.id IN (SELECT case_id FROM case_transfers \
                     WHERE to_account = {n} OR from_account = {n}) \
                     OR c.id IN (SELECT case_id FROM stop_payments WHERE account = {n})",
                    named_has(backend, "phones", &n),
                    named_has(backend, "accounts", &n),
                ));
            }
            sql.push(")");
        }
    }
}

/// Apps so common among victims (the chat, payment and shopping apps everybody uses, the
/// phone itself) that sharing one says nothing about a common gang: they link no cases. Lower
/// case, as compared; a constant list, so it is written into the SQL rather than bound.
const COMMON_APPS_SQL: &str = "'微信', 'wechat', 'qq', '支付宝', 'alipay', '抖音', 'douyin', \
     '快手', '淘宝', 'taobao', '京东', '拼多多', '美团', '短信', 'sms', '电话', '手机银行', \
     '网上银行', '云闪付', '钉钉', '百度'";

/// Appends `SELECT case_id, role, class, value` over every mark of the cases that `filter`
/// admits — the numbers, accounts, apps and URLs the victim named, the accounts that received
/// money in the case's transfers (the victim's own account left out) and the accounts of its
/// stop-payments — as one `UNION ALL`. `class` says which marks compare with which: every
/// account role is of class `account`. `filter` appends a condition on `c` (the case) and,
/// given the value's expression, on the value.
fn push_marks<'a>(sql: &mut Sql<'a>, backend: Backend, filter: &mut dyn FnMut(&mut Sql<'a>, &str)) {
    let named = [
        ("phone", "phone", "phones"),
        ("named", "account", "accounts"),
        ("app", "app", "apps"),
        ("url", "url", "urls"),
    ];
    for (role, class, key) in named {
        let j = backend.json_strings("c.named", key, "j");
        sql.push(&format!(
            "SELECT c.id AS case_id, CAST('{role}' AS TEXT) AS role, \
             CAST('{class}' AS TEXT) AS class, {value} AS value \
             FROM cases c CROSS JOIN {from} WHERE {only} AND ",
            value = j.value,
            from = j.from,
            only = j.only_strings,
        ));
        filter(sql, &j.value);
        if role == "app" {
            // Channels nearly every victim names link nothing.
            sql.push(&format!(
                " AND LOWER({}) NOT IN ({})",
                j.value, COMMON_APPS_SQL
            ));
        }
        sql.push(" UNION ALL ");
    }
    sql.push(
        "SELECT t.case_id, CAST('received' AS TEXT), CAST('account' AS TEXT), t.to_account \
         FROM case_transfers t JOIN cases c ON c.id = t.case_id \
         WHERE (c.victim_account IS NULL OR t.to_account <> c.victim_account) AND ",
    );
    filter(sql, "t.to_account");
    sql.push(
        " UNION ALL SELECT s.case_id, CAST('stopped' AS TEXT), CAST('account' AS TEXT), \
         s.account FROM stop_payments s JOIN cases c ON c.id = s.case_id WHERE ",
    );
    filter(sql, "s.account");
}

/// What a shared value links, from the roles it plays on each side.
fn link_kind(class: &str, mine: &BTreeSet<String>, theirs: &BTreeSet<String>) -> LinkKind {
    let both = |role: &str| mine.contains(role) && theirs.contains(role);
    match class {
        "phone" => LinkKind::SuspectPhone,
        "app" => LinkKind::App,
        "url" => LinkKind::Url,
        _ if both("received") => LinkKind::ReceivingAccount,
        _ if both("stopped") => LinkKind::StopPaymentAccount,
        _ => LinkKind::SuspectAccount,
    }
}

/// The cases repository.
pub struct Cases<'s> {
    store: &'s Store,
}

impl<'s> Cases<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Cases { store }
    }

    /// Stores a new case. `Ok(false)` when a case with the same report number exists already
    /// (nothing is stored then); any other clash is an error.
    pub async fn create(&self, c: &NewCase) -> StoreResult<bool> {
        if c.loss_fen < 0 {
            return Err(StoreError::invalid("loss_fen", "must not be negative"));
        }
        if c.narrative.trim().is_empty() {
            return Err(StoreError::invalid("narrative", "describe what happened"));
        }
        if c.occupation_text.is_some() && c.occupation != Some(Occupation::Other) {
            return Err(StoreError::invalid(
                "occupation_text",
                "kept only for an occupation of no category (other)",
            ));
        }
        let mut sql = Sql::new(
            "INSERT INTO cases (id, resident_id, victim_name, victim_phone, unit_code, reported_at, \
             loss_fen, narrative, fraud_type, type_score, top_terms, source, report_no, \
             instruction_id, victim_account, public_sector, employer, named, created_by, created_at, updated_at, \
             occupation, occupation_text) VALUES (",
        );
        sql.arg(c.id.as_str())
            .push(", ")
            .arg(c.resident_id.as_deref())
            .push(", ")
            .arg(c.victim_name.as_deref())
            .push(", ")
            .arg(c.victim_phone.as_deref())
            .push(", ")
            .arg(c.unit_code.as_str())
            .push(", ")
            .arg(c.reported_at)
            .push(", ")
            .arg(c.loss_fen)
            .push(", ")
            .arg(c.narrative.as_str())
            .push(", ")
            .arg(c.fraud_type.as_deref())
            .push(", ")
            .arg(c.type_score)
            .push(", ")
            .arg(c.top_terms.to_string())
            .push(", ")
            .arg(c.source.as_str())
            .push(", ")
            .arg(c.report_no.as_deref())
            .push(", ")
            .arg(c.instruction_id.as_deref())
            .push(", ")
            .arg(c.victim_account.as_deref())
            .push(", ")
            .arg(c.public_sector)
            .push(", ")
            .arg(c.employer.as_deref())
            .push(", ")
            .arg(c.named.to_string())
            .push(", ")
            .arg(c.created_by.as_str())
            .push(", ")
            .arg(c.created_at)
            .push(", ")
            .arg(c.created_at)
            .push(", ")
            .arg(c.occupation.map(Occupation::code))
            .push(", ")
            .arg(c.occupation_text.as_deref())
            .push(") ON CONFLICT (report_no) DO NOTHING");
        let done = sql
            .query()
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("cases.create"))?;
        Ok(done.rows_affected() == 1)
    }

    /// The case opened from a report number, whole platform: `(case id, unit code)`. Only the
    /// identifiers, so an import can tell a duplicate without reading anyone's data.
    pub async fn by_report_no(&self, report_no: &str) -> StoreResult<Option<(String, String)>> {
        let mut sql = Sql::new("SELECT id, unit_code FROM cases WHERE report_no = ");
        sql.arg(report_no);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("cases.by_report_no"))?;
        row.map(|r| Ok((col(&r, "id")?, col(&r, "unit_code")?)))
            .transpose()
            .map_err(StoreError::query("cases.by_report_no"))
    }

    /// Links a case to warnings (each once); returns how many links are new.
    pub async fn link_warnings(&self, case_id: &str, warning_ids: &[String]) -> StoreResult<u64> {
        let mut added = 0;
        for chunk in warning_ids.chunks(200) {
            let mut sql = Sql::new("INSERT INTO case_warnings (case_id, warning_id) VALUES ");
            for (i, w) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .arg(case_id)
                    .push(", ")
                    .arg(w.as_str())
                    .push(")");
            }
            sql.push(" ON CONFLICT (case_id, warning_id) DO NOTHING");
            added += sql
                .query()
                .execute(self.store.pool())
                .await
                .map_err(StoreError::query("case_warnings.insert"))?
                .rows_affected();
        }
        Ok(added)
    }

    /// One case; [`StoreError::NotFound`] when absent or outside the scope.
    pub async fn get(&self, scope: &Scope, id: &str) -> StoreResult<Case> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM cases c WHERE c.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("cases.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("cases.get")),
            None => Err(StoreError::NotFound {
                what: "case",
                key: id.to_string(),
            }),
        }
    }

    /// Which of `ids` name cases inside the scope (for linking only what the reader may open).
    pub async fn in_scope(
        &self,
        scope: &Scope,
        ids: &[String],
    ) -> StoreResult<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new("SELECT c.id FROM cases c WHERE c.id IN (");
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.arg(id.as_str());
            }
            sql.push(") AND ");
            scope.push_condition(&mut sql, "c.unit_code");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("cases.in_scope"))?;
            for r in &rows {
                found.insert(col::<String>(r, "id").map_err(StoreError::query("cases.in_scope"))?);
            }
        }
        Ok(found)
    }

    /// The case opened from an instruction's 已被骗 feedback, if any (whole platform).
    pub async fn for_instruction(&self, instruction_id: &str) -> StoreResult<Option<String>> {
        let mut sql = Sql::new("SELECT id FROM cases WHERE instruction_id = ");
        sql.arg(instruction_id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("cases.for_instruction"))?;
        row.map(|r| col(&r, "id"))
            .transpose()
            .map_err(StoreError::query("cases.for_instruction"))
    }

    /// Cases inside the scope, newest report first; page key `"<reported_at>/<id>"`.
    pub async fn list(&self, scope: &Scope, page: &PageRequest) -> StoreResult<Page<Case>> {
        self.search(scope, &CaseFilter::default(), page).await
    }

    /// Cases inside the scope that match the filter, newest report first; paged like
    /// [`Cases::list`].
    pub async fn search(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Case>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM cases c WHERE "));
        scope.push_condition(&mut sql, "c.unit_code");
        filter.push_conditions(&mut sql, self.store.backend());
        if let Some((at, id)) = page.after.as_deref().and_then(split_time_key) {
            sql.push(" AND (c.reported_at < ")
                .arg(at)
                .push(" OR (c.reported_at = ")
                .arg(at)
                .push(" AND c.id < ")
                .arg(id.to_string())
                .push("))");
        }
        sql.push(" ORDER BY c.reported_at DESC, c.id DESC LIMIT ")
            .arg(limit + 1);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("cases.search"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("cases.search"))?;
        Ok(Page::from_overfetch(items, limit, |c| {
            format!("{}/{}", c.reported_at, c.id)
        }))
    }

    /// How many cases inside the scope match the filter.
    pub async fn count(&self, scope: &Scope, filter: &CaseFilter) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM cases c WHERE ");
        scope.push_condition(&mut sql, "c.unit_code");
        filter.push_conditions(&mut sql, self.store.backend());
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("cases.count"))?;
        col(&row, "n").map_err(StoreError::query("cases.count"))
    }

    /// The other cases inside the scope that share with this one a suspect phone number, an
    /// account (named, paid into, or stopped), an app or a URL (串并), with what they share;
    /// [`StoreError::NotFound`] when the case is absent or outside the scope.
    pub async fn linked(&self, scope: &Scope, case_id: &str) -> StoreResult<LinkedCases> {
        self.get(scope, case_id).await?;
        let backend = self.store.backend();
        let mut sql = Sql::new("WITH mine AS (");
        let id = sql.bind(case_id);
        push_marks(&mut sql, backend, &mut |sql, _| {
            sql.push(&format!("c.id = {id}"));
        });
        sql.push("), theirs AS (");
        push_marks(&mut sql, backend, &mut |sql, value| {
            sql.push(&format!("c.id <> {id} AND "));
            scope.push_condition(sql, "c.unit_code");
            sql.push(&format!(" AND {value} IN (SELECT mv.value FROM mine mv)"));
        });
        sql.push(
            ") SELECT DISTINCT t.case_id, t.class, t.value, t.role AS their_role, \
             m.role AS my_role FROM theirs t JOIN mine m ON m.class = t.class AND m.value = t.value",
        );
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("cases.linked"))?;
        // case → (class, value) → (my roles, their roles)
        type Roles = (BTreeSet<String>, BTreeSet<String>);
        let mut shared: HashMap<String, BTreeMap<(String, String), Roles>> = HashMap::new();
        for row in &rows {
            let read = |name| col::<String>(row, name).map_err(StoreError::query("cases.linked"));
            let roles = shared
                .entry(read("case_id")?)
                .or_default()
                .entry((read("class")?, read("value")?))
                .or_default();
            roles.0.insert(read("my_role")?);
            roles.1.insert(read("their_role")?);
        }
        if shared.is_empty() {
            return Ok(LinkedCases::default());
        }
        let ids: Vec<&str> = shared.keys().map(String::as_str).collect();
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS}, COUNT(*) OVER () AS linked_total, \
             CAST(SUM(c.loss_fen) OVER () AS BIGINT) AS linked_loss FROM cases c WHERE c.id "
        ));
        let list = sql.bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()));
        sql.push(&backend.in_json_list(&list)).push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" ORDER BY c.reported_at DESC, c.id DESC LIMIT ")
            .arg(i64::from(MAX_LINKED));
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("cases.linked"))?;
        let mut out = LinkedCases::default();
        for row in &rows {
            out.total = col(row, "linked_total").map_err(StoreError::query("cases.linked"))?;
            out.loss_fen = col(row, "linked_loss").map_err(StoreError::query("cases.linked"))?;
            let case = from_row(row).map_err(StoreError::query("cases.linked"))?;
            let mut links: Vec<CaseLink> = shared
                .remove(&case.id)
                .unwrap_or_default()
                .into_iter()
                .map(|((class, value), (mine, theirs))| CaseLink {
                    kind: link_kind(&class, &mine, &theirs),
                    value,
                })
                .collect();
            links.sort();
            out.cases.push(LinkedCase { case, links });
        }
        Ok(out)
    }

    /// The victims of the cases reported in `[from_ms, until_ms)` inside the scope: their ID
    /// number (when registered), the report time and the loss, for a profile by age and sex.
    /// Only what the profile needs leaves the store.
    pub async fn victims(
        &self,
        scope: &Scope,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<(Option<String>, i64, i64)>> {
        let mut sql =
            Sql::new("SELECT c.resident_id, c.reported_at, c.loss_fen FROM cases c WHERE ");
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND c.reported_at >= ")
            .arg(from_ms)
            .push(" AND c.reported_at < ")
            .arg(until_ms);
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("cases.victims"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    col(r, "resident_id")?,
                    col(r, "reported_at")?,
                    col(r, "loss_fen")?,
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("cases.victims"))
    }

    /// Cases reported in `[from_ms, until_ms)` inside the scope, counted per occupation of the
    /// victim (unknown as `None`), in no particular order: the lines add up to the cases.
    pub async fn by_occupation(
        &self,
        scope: &Scope,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<OccupationTally>> {
        let mut sql = Sql::new(
            "SELECT c.occupation, COUNT(*) AS n, CAST(SUM(c.loss_fen) AS BIGINT) AS loss \
             FROM cases c WHERE ",
        );
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND c.reported_at >= ")
            .arg(from_ms)
            .push(" AND c.reported_at < ")
            .arg(until_ms)
            .push(" GROUP BY c.occupation");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("cases.by_occupation"))?;
        rows.iter()
            .map(|r| {
                Ok(OccupationTally {
                    occupation: occupation_col(r)?,
                    cases: col(r, "n")?,
                    loss_fen: col::<Option<i64>>(r, "loss")?.unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("cases.by_occupation"))
    }

    /// Records whether outreach had reached the victim of case `id` before (`None`: not known
    /// after all) by `by` at `now`, with its audit entry (`case_prior_outreach_set`, the value
    /// before, read in the change's transaction, and after). [`StoreError::NotFound`] when the
    /// case lies outside `scope`.
    pub async fn set_prior_outreach(
        &self,
        scope: &Scope,
        id: &str,
        value: Option<PriorOutreach>,
        by: &str,
        now: i64,
    ) -> StoreResult<Case> {
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("cases.begin").await?;
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM cases c WHERE c.id = "));
        sql.arg(id).push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        let before = match sql
            .query()
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("cases.set_prior_outreach"))?
        {
            Some(r) => from_row(&r).map_err(StoreError::query("cases.set_prior_outreach"))?,
            None => {
                return Err(StoreError::NotFound {
                    what: "case",
                    key: id.to_string(),
                })
            }
        };
        let mut sql = Sql::new("UPDATE cases SET prior_outreach = ");
        sql.arg(value.map(PriorOutreach::as_str))
            .push(", updated_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id);
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("cases.set_prior_outreach"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "case_prior_outreach_set".into(),
                target_type: "case".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(before.unit_code.clone()),
                detail: serde_json::json!({
                    "prior_outreach": value.map(PriorOutreach::as_str),
                    "before": before.prior_outreach.map(PriorOutreach::as_str),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("cases.commit"))?;
        Ok(Case {
            prior_outreach: value,
            updated_at: now,
            ..before
        })
    }

    /// Cases reported in `[from_ms, until_ms)` inside the scope, counted by whether outreach
    /// had reached the victim before.
    pub async fn prior_outreach_tally(
        &self,
        scope: &Scope,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<PriorOutreachTally> {
        let mut sql = Sql::new("SELECT c.prior_outreach, COUNT(*) AS n FROM cases c WHERE ");
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND c.reported_at >= ")
            .arg(from_ms)
            .push(" AND c.reported_at < ")
            .arg(until_ms)
            .push(" GROUP BY c.prior_outreach");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("cases.prior_outreach_tally"))?;
        let mut tally = PriorOutreachTally::default();
        for r in &rows {
            let read = || -> Result<_, sqlx::Error> {
                Ok((
                    crate::field::parse_optional_code(r, "prior_outreach", PriorOutreach::parse)?,
                    col::<i64>(r, "n")?,
                ))
            };
            let (value, n) = read().map_err(StoreError::query("cases.prior_outreach_tally"))?;
            match value {
                Some(PriorOutreach::FaceToFace) => tally.face_to_face += n,
                Some(PriorOutreach::RemoteOnly) => tally.remote_only += n,
                Some(PriorOutreach::Never) => tally.never += n,
                None => tally.unknown += n,
            }
        }
        Ok(tally)
    }

    /// Cases reported in `[from_ms, until_ms)` inside the scope, counted per unit and fraud type
    /// (in no particular order).
    pub async fn tally(
        &self,
        scope: &Scope,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<CaseTally>> {
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back so both backends decode an i64.
        let mut sql = Sql::new(
            "SELECT c.unit_code, c.fraud_type, COUNT(*) AS n, \
             CAST(SUM(c.loss_fen) AS BIGINT) AS loss, \
             CAST(SUM(c.public_sector) AS BIGINT) AS public_sector FROM cases c WHERE ",
        );
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND c.reported_at >= ")
            .arg(from_ms)
            .push(" AND c.reported_at < ")
            .arg(until_ms)
            .push(" GROUP BY c.unit_code, c.fraud_type");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("cases.tally"))?;
        rows.iter()
            .map(|r| {
                Ok(CaseTally {
                    unit_code: col(r, "unit_code")?,
                    fraud_type: col(r, "fraud_type")?,
                    cases: col(r, "n")?,
                    loss_fen: col::<Option<i64>>(r, "loss")?.unwrap_or(0),
                    public_sector: col::<Option<i64>>(r, "public_sector")?.unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("cases.tally"))
    }

    /// Appends transfers to a case (numbered after those already there); returns how many.
    pub async fn add_transfers(
        &self,
        case_id: &str,
        transfers: &[CaseTransfer],
    ) -> StoreResult<usize> {
        let mut tx = self.store.begin_write("case_transfers.begin").await?;
        let mut sql =
            Sql::new("SELECT COALESCE(MAX(seq), 0) AS n FROM case_transfers WHERE case_id = ");
        sql.arg(case_id);
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("case_transfers.seq"))?;
        let mut seq: i64 = col(&row, "n").map_err(StoreError::query("case_transfers.seq"))?;
        for chunk in transfers.chunks(500) {
            let mut sql = Sql::with_capacity(chunk.len() * 40, chunk.len() * 9);
            sql.push("INSERT INTO case_transfers (case_id, seq, txn_id, from_account, to_account, at, amount_fen, channel, source_file) VALUES ");
            for (i, t) in chunk.iter().enumerate() {
                seq += 1;
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .arg(case_id)
                    .push(", ")
                    .arg(seq)
                    .push(", ")
                    .arg(t.txn_id.as_deref())
                    .push(", ")
                    .arg(t.from_account.as_str())
                    .push(", ")
                    .arg(t.to_account.as_str())
                    .push(", ")
                    .arg(t.at)
                    .push(", ")
                    .arg(t.amount_fen)
                    .push(", ")
                    .arg(t.channel.as_str())
                    .push(", ")
                    .arg(t.source_file.as_deref())
                    .push(")");
            }
            sql.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("case_transfers.insert"))?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("case_transfers.commit"))?;
        Ok(transfers.len())
    }

    /// Every transfer of a case inside the scope, in the order taken in.
    pub async fn transfers(&self, scope: &Scope, case_id: &str) -> StoreResult<Vec<CaseTransfer>> {
        self.get(scope, case_id).await?;
        let mut sql = Sql::new(
            "SELECT txn_id, from_account, to_account, at, amount_fen, channel, source_file \
             FROM case_transfers WHERE case_id = ",
        );
        sql.arg(case_id).push(" ORDER BY seq");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("case_transfers.list"))?;
        rows.iter()
            .map(|r| {
                Ok(CaseTransfer {
                    txn_id: col(r, "txn_id")?,
                    from_account: col(r, "from_account")?,
                    to_account: col(r, "to_account")?,
                    at: col(r, "at")?,
                    amount_fen: col(r, "amount_fen")?,
                    channel: col(r, "channel")?,
                    source_file: col(r, "source_file")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("case_transfers.list"))
    }
}
