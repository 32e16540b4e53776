//! Enforcement results (打击成效): where a case's investigation stands (立案侦查中, 已破案,
//! 已撤案/不立案) with the time it was solved and the money the investigation recovered (追赃,
//! apart from the stop-payment returns); the suspects (嫌疑人) of a case with their role and
//! the measure taken against each (刑事拘留, 逮捕, 取保候审, 监视居住, 行政处罚, 教育训诫);
//! and the register of gangs and dens dismantled (打掉团伙/窝点).
//!
//! Case data is scoped by the case's unit, the register by the unit that dismantled the gang.
//! Every change writes its audit entry in the same transaction; suspects' ID numbers only
//! appear masked in the audit log. The measures taken are kept as a history (one row per
//! measure, `suspect_measures`), the suspect holding the latest; a person is a suspect of a
//! case once. The period figures ([`Enforcement::figures`]) are aggregate queries that count
//! people — by ID number, else by suspect entry — from that history.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{decode_err, parse_code, parse_optional_code};
use crate::page::{push_newest_first, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use fanzha_core::mask::mask_resident_id;
use fanzha_core::phone::PhoneNumber;
use fanzha_core::ResidentId;
use sqlx::any::AnyRow;
use std::collections::HashMap;

code_enum! {
    /// Where a case's investigation stands.
    InvestigationStatus {
        /// 立案侦查中: the default of every case.
        Investigating => "investigating", "立案侦查中", "Under investigation";
        /// 已破案.
        Solved => "solved", "已破案", "Solved";
        /// 已撤案/不立案: closed without solving.
        Dropped => "dropped", "已撤案/不立案", "Dropped / not filed";
    }
}

code_enum! {
    /// What a suspect did in the fraud chain.
    SuspectRole {
        /// 上游诈骗: the one who talked the victim into paying.
        Fraudster => "fraudster", "上游诈骗", "Fraudster";
        /// 取款人/车手: withdrew or moved the money.
        CashMule => "cash_mule", "取款人/车手", "Cash mule";
        /// 卡农: sold or lent cards.
        CardSeller => "card_seller", "卡农", "Card seller";
        /// 引流: drew victims in (ads, groups, fake orders).
        LeadGenerator => "lead_generator", "引流", "Lead generator";
        /// 窝点人员: ran or staffed a den (GOIP, call centre).
        DenOperator => "den_operator", "窝点人员", "Den operator";
        /// 洗钱: laundered the money.
        MoneyLaunderer => "money_launderer", "洗钱", "Money launderer";
        /// 行业内鬼: a bank's or an operator's own employee who opened cards or accounts for
        /// the gangs.
        Insider => "insider", "行业内鬼", "Industry insider";
        Other => "other", "其他", "Other";
    }
}

code_enum! {
    /// The measure taken against a suspect.
    SuspectMeasure {
        /// 刑事拘留.
        CriminalDetention => "criminal_detention", "刑事拘留", "Criminal detention";
        /// 逮捕.
        Arrest => "arrest", "逮捕", "Arrest";
        /// 取保候审.
        Bail => "bail", "取保候审", "Bail pending trial";
        /// 监视居住.
        ResidentialSurveillance => "residential_surveillance", "监视居住", "Residential surveillance";
        /// 行政拘留/行政处罚.
        Administrative => "administrative", "行政拘留/行政处罚", "Administrative detention / penalty";
        /// 教育训诫/惩戒.
        Education => "education", "教育训诫/惩戒", "Reprimand / discipline";
    }
}

code_enum! {
    /// Who supervises a case's investigation (督办), the highest level first.
    CaseSupervision {
        /// 公安部督办.
        Ministry => "ministry", "公安部督办", "Supervised by the Ministry";
        /// 省厅督办.
        Province => "province", "省厅督办", "Supervised by the provincial department";
        /// 市局督办.
        City => "city", "市局督办", "Supervised by the city bureau";
    }
}

code_enum! {
    /// What a suspect is charged with (罪名).
    SuspectCharge {
        /// 诈骗罪.
        Fraud => "fraud", "诈骗罪", "Fraud";
        /// 帮助信息网络犯罪活动罪 (帮信罪): lending cards, SIMs or accounts to fraudsters.
        Helping => "helping", "帮助信息网络犯罪活动罪", "Assisting information-network crime";
        /// 掩饰、隐瞒犯罪所得罪 (掩隐罪): moving or cashing out the proceeds.
        Concealing => "concealing", "掩饰、隐瞒犯罪所得罪", "Concealing criminal proceeds";
        /// 偷越国（边）境罪: went abroad to the compounds illegally (most returnees charged
        /// where no fraud is proved against them).
        Border => "border", "偷越国（边）境罪", "Illegal border crossing";
        /// 其他罪名.
        Other => "other", "其他罪名", "Other charge";
    }
}

/// How the bureaus count measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureClass {
    /// 强制措施: 刑拘, 逮捕, 取保候审, 监视居住.
    Coercive,
    /// 行政处罚.
    Administrative,
    /// 教育训诫、惩戒.
    Education,
}

impl MeasureClass {
    pub const ALL: &'static [MeasureClass] = &[
        MeasureClass::Coercive,
        MeasureClass::Administrative,
        MeasureClass::Education,
    ];

    /// The class's code (`coercive`, `administrative`, `education`).
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureClass::Coercive => "coercive",
            MeasureClass::Administrative => "administrative",
            MeasureClass::Education => "education",
        }
    }
}

impl SuspectMeasure {
    pub fn class(self) -> MeasureClass {
        match self {
            SuspectMeasure::CriminalDetention
            | SuspectMeasure::Arrest
            | SuspectMeasure::Bail
            | SuspectMeasure::ResidentialSurveillance => MeasureClass::Coercive,
            SuspectMeasure::Administrative => MeasureClass::Administrative,
            SuspectMeasure::Education => MeasureClass::Education,
        }
    }
}

code_enum! {
    /// What kind of gang or den was dismantled.
    DismantledKind {
        /// 诈骗窝点.
        FraudDen => "fraud_den", "诈骗窝点", "Fraud den";
        /// 收贩卡团伙.
        CardGang => "card_gang", "收贩卡团伙", "Card-trading gang";
        /// 洗钱团伙.
        LaunderingGang => "laundering_gang", "洗钱团伙", "Money-laundering gang";
        /// GOIP窝点.
        GoipDen => "goip_den", "GOIP窝点", "GOIP den";
        /// 引流推广团伙.
        LeadGang => "lead_gang", "引流推广团伙", "Lead-generation gang";
        Other => "other", "其他", "Other";
    }
}

/// The most money one case may record as recovered (a hundred billion yuan).
pub const MAX_RECOVERED_FEN: i64 = 10_000_000_000_000;
/// The longest suspect name kept (characters).
pub const MAX_SUSPECT_NAME_CHARS: usize = 50;
/// The longest note or gang name kept (characters).
pub const MAX_ENFORCEMENT_TEXT: usize = 1000;
/// The most people, devices or cards one register entry may count.
pub const MAX_SEIZED: i64 = 1_000_000;
/// The most cases one register entry may link.
pub const MAX_LINKED_CASES: usize = 200;

/// A case's investigation status and recovered money as stored (or the default: under
/// investigation, nothing recovered, `version` 0).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CaseEnforcement {
    pub case_id: String,
    pub status: InvestigationStatus,
    /// When the case was solved (epoch ms UTC); only for [`InvestigationStatus::Solved`].
    pub solved_at: Option<i64>,
    /// 追赃: money the investigation recovered, fen.
    pub recovered_fen: i64,
    /// 督办: who supervises the investigation, when someone does.
    pub supervision: Option<CaseSupervision>,
    /// How many times it was set; 0 while never set.
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<i64>,
}

/// What to set on a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnforcementUpdate {
    pub status: InvestigationStatus,
    /// Required when solved, refused otherwise; not before the report, not in the future.
    pub solved_at: Option<i64>,
    pub recovered_fen: i64,
    /// 督办, or none.
    pub supervision: Option<CaseSupervision>,
    /// The [`CaseEnforcement::version`] the change was made from (0 while never set); when the
    /// case's values moved on meanwhile the change is refused with [`StoreError::Conflict`].
    pub expected_version: i64,
    /// Login of who sets it.
    pub by: String,
}

/// A suspect to add to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSuspect {
    pub case_id: String,
    pub name: String,
    /// A GB 11643 ID number (checked, stored normalised).
    pub resident_id: Option<String>,
    /// A phone number (checked, stored canonical).
    pub phone: Option<String>,
    pub role: SuspectRole,
    pub measure: Option<SuspectMeasure>,
    /// When the measure was taken; given exactly when `measure` is.
    pub measure_at: Option<i64>,
    pub note: String,
    pub created_by: String,
}

/// A stored suspect, in full (mask it in lists).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Suspect {
    pub id: i64,
    pub case_id: String,
    /// The case's unit.
    pub unit_code: String,
    pub name: String,
    pub resident_id: Option<String>,
    pub phone: Option<String>,
    pub role: SuspectRole,
    pub measure: Option<SuspectMeasure>,
    pub measure_at: Option<i64>,
    /// 罪名, once known.
    pub charge: Option<SuspectCharge>,
    /// When the case against them went to the procuratorate (移送起诉).
    pub prosecuted_at: Option<i64>,
    /// 上网追逃: when they were put on the wanted list.
    pub wanted_at: Option<i64>,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Suspect {
    /// On the wanted list and not caught yet (在逃): no measure taken.
    pub fn at_large(&self) -> bool {
        self.wanted_at.is_some() && self.measure.is_none()
    }
}

/// A gang or den dismantled, to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDismantled {
    /// The unit that dismantled it; inside the recorder's scope.
    pub unit_code: String,
    pub kind: DismantledKind,
    /// What the bureau calls it (`"3·15"收贩卡团伙`).
    pub name: String,
    /// The first instant of the day (Asia/Shanghai), epoch ms UTC; not in the future.
    pub dismantled_on: i64,
    pub arrested: i64,
    /// Devices seized (GOIP gateways, phones, computers).
    pub devices: i64,
    /// Phone cards (SIMs) seized.
    pub phone_cards: i64,
    /// Bank cards seized.
    pub bank_cards: i64,
    /// Cases it is linked to; each inside the recorder's scope.
    pub case_ids: Vec<String>,
    pub note: String,
    pub created_by: String,
}

/// A register entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Dismantled {
    pub id: i64,
    pub unit_code: String,
    pub kind: DismantledKind,
    pub name: String,
    pub dismantled_on: i64,
    pub arrested: i64,
    pub devices: i64,
    /// Cards seized, of every kind.
    pub cards: i64,
    /// Of those, phone cards (SIMs).
    pub phone_cards: i64,
    /// Of those, bank cards.
    pub bank_cards: i64,
    /// The linked cases, in id order.
    pub case_ids: Vec<String>,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

/// Which register entries to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DismantledFilter {
    /// Dismantled on or after this instant.
    pub from: Option<i64>,
    /// Dismantled before this instant.
    pub until: Option<i64>,
    pub kind: Option<DismantledKind>,
}

/// Gangs or dens of one kind dismantled in a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DismantledTally {
    pub kind: DismantledKind,
    pub groups: i64,
    pub arrested: i64,
    pub devices: i64,
    /// Cards seized, of every kind.
    pub cards: i64,
    pub phone_cards: i64,
    pub bank_cards: i64,
}

impl DismantledTally {
    /// Cards seized whose kind was not recorded (entries from before phone and bank cards
    /// were counted apart).
    pub fn unsplit_cards(&self) -> i64 {
        self.cards - self.phone_cards - self.bank_cards
    }
}

impl Dismantled {
    /// Cards seized whose kind was not recorded (entries from before phone and bank cards
    /// were counted apart).
    pub fn unsplit_cards(&self) -> i64 {
        self.cards - self.phone_cards - self.bank_cards
    }
}

/// The supervised cases (督办) of one level reported in a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SupervisedTally {
    pub level: CaseSupervision,
    pub cases: i64,
    /// Of those, solved (whenever).
    pub solved: i64,
}

/// A scope's enforcement results over a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EnforcementFigures {
    /// Cases reported in the period.
    pub cases: i64,
    /// Of those, solved (whenever): 破案数.
    pub solved: i64,
    /// Of those, dropped or not filed.
    pub dropped: i64,
    /// Cases solved in the period, whenever reported.
    pub solved_in_period: i64,
    /// The losses of the cases reported in the period.
    pub loss_fen: i64,
    /// 追赃 on the cases reported in the period.
    pub recovered_fen: i64,
    /// People with a measure taken in the period, per measure (every measure, in
    /// [`SuspectMeasure::ALL`] order). A person counts once per measure, however many cases
    /// they are a suspect of; one detained and then arrested in the period counts under both.
    pub by_measure: Vec<(SuspectMeasure, i64)>,
    /// 抓获: people with any measure taken in the period, each once.
    pub people_caught: i64,
    /// People with a measure of the class taken in the period, each once per class (every
    /// class, in [`MeasureClass::ALL`] order).
    pub people_by_class: Vec<(MeasureClass, i64)>,
    /// Gangs and dens dismantled in the period, per kind (only kinds with one or more).
    pub dismantled: Vec<DismantledTally>,
    /// 移送起诉: people whose case went to the procuratorate in the period, each once.
    pub prosecuted: i64,
    /// The people caught in the period by the charge of their suspect entry (every charge,
    /// in [`SuspectCharge::ALL`] order; one without a charge yet is in none).
    pub caught_by_charge: Vec<(SuspectCharge, i64)>,
    /// Of the cases reported in the period, the supervised ones (督办) per level, every level
    /// in [`CaseSupervision::ALL`] order.
    pub supervised: Vec<SupervisedTally>,
    /// 抓获网上逃犯: people caught in the period (a measure taken then) who were on the wanted
    /// list before it, each once.
    pub fugitives_caught: i64,
    /// 在逃: people of the scope on the wanted list with no measure yet, each once (as of now,
    /// whatever the period).
    pub fugitives_at_large: i64,
    /// 打掉5人以上团伙: gangs and dens dismantled in the period with five or more people
    /// arrested.
    pub gangs_of_five: i64,
    /// 上级下发线索 and 带破外地案件 solved in the period (not the area's own cases).
    pub solved_elsewhere: crate::solved_elsewhere::SolvedElsewhereTally,
}

impl EnforcementFigures {
    /// 共破获: the cases solved in the period — the area's own, whenever reported, with the
    /// leads sent down and the other areas' cases ("包括上级下发线索及带破外地案件").
    pub fn solved_all(&self) -> i64 {
        self.solved_in_period + self.solved_elsewhere.total()
    }

    /// 综合破案率: [`EnforcementFigures::solved_all`] over the cases reported in the period (may
    /// pass 100 %); `None` without cases.
    pub fn overall_solve_rate(&self) -> Option<f64> {
        (self.cases > 0).then(|| self.solved_all() as f64 / self.cases as f64)
    }

    /// 破案率: solved over the cases reported; `None` without cases.
    pub fn solve_rate(&self) -> Option<f64> {
        (self.cases > 0).then(|| self.solved as f64 / self.cases as f64)
    }

    /// 抓获: people with a measure taken in the period, each once.
    pub fn caught(&self) -> i64 {
        self.people_caught
    }

    /// People with a measure of this class taken in the period, each once.
    pub fn of_class(&self, class: MeasureClass) -> i64 {
        self.people_by_class
            .iter()
            .filter(|(c, _)| *c == class)
            .map(|(_, n)| n)
            .sum()
    }

    /// 损失追回率: (stop-payment returns + recovered) over the period's losses; `None`
    /// without losses. The returns come from [`crate::StopPayments::fund_figures`] over the
    /// same cases.
    pub fn recovery_rate(&self, returned_fen: i64) -> Option<f64> {
        (self.loss_fen > 0)
            .then(|| (returned_fen + self.recovered_fen) as f64 / self.loss_fen as f64)
    }

    /// 督办 of every level together: supervised cases reported in the period, and of those
    /// solved.
    pub fn supervised_total(&self) -> (i64, i64) {
        self.supervised
            .iter()
            .fold((0, 0), |(c, s), t| (c + t.cases, s + t.solved))
    }

    /// Gangs and dens of every kind together.
    pub fn dismantled_total(&self) -> DismantledTally {
        self.dismantled.iter().fold(
            DismantledTally {
                kind: DismantledKind::Other,
                groups: 0,
                arrested: 0,
                devices: 0,
                cards: 0,
                phone_cards: 0,
                bank_cards: 0,
            },
            |mut t, d| {
                t.groups += d.groups;
                t.arrested += d.arrested;
                t.devices += d.devices;
                t.cards += d.cards;
                t.phone_cards += d.phone_cards;
                t.bank_cards += d.bank_cards;
                t
            },
        )
    }
}

const SUSPECT_COLUMNS: &str = "s.id, s.case_id, c.unit_code, s.name, s.resident_id, s.phone, \
     s.role, s.measure, s.measure_at, s.charge, s.prosecuted_at, s.wanted_at, s.note, s.created_by, \
     s.created_at, s.updated_at";

fn suspect_from_row(row: &AnyRow) -> Result<Suspect, sqlx::Error> {
    let measure: Option<String> = col(row, "measure")?;
    Ok(Suspect {
        id: col(row, "id")?,
        case_id: col(row, "case_id")?,
        unit_code: col(row, "unit_code")?,
        name: col(row, "name")?,
        resident_id: col(row, "resident_id")?,
        phone: col(row, "phone")?,
        role: parse_code(row, "role", SuspectRole::parse)?,
        measure: measure
            .map(|m| {
                SuspectMeasure::parse(&m)
                    .ok_or_else(|| decode_err("measure", format!("unknown code `{m}`")))
            })
            .transpose()?,
        measure_at: col(row, "measure_at")?,
        charge: parse_optional_code(row, "charge", SuspectCharge::parse)?,
        prosecuted_at: col(row, "prosecuted_at")?,
        wanted_at: col(row, "wanted_at")?,
        note: col(row, "note")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

/// Who a suspect is, for counting people: the ID number, else the suspect entry. The same
/// expression on both backends (`||` and `CAST(.. AS TEXT)`).
pub(crate) const PERSON: &str = "COALESCE(s.resident_id, 'suspect:' || CAST(s.id AS TEXT))";

/// The measures' history with their suspects and cases, ending in `WHERE ` for the scope.
pub(crate) const MEASURES_IN_SCOPE: &str = "FROM suspect_measures m \
     JOIN case_suspects s ON s.id = m.suspect_id JOIN cases c ON c.id = s.case_id WHERE ";

const GROUP_COLUMNS: &str = "g.id, g.unit_code, g.kind, g.name, g.dismantled_on, g.arrested, \
     g.devices, g.cards, g.phone_cards, g.bank_cards, g.note, g.created_by, g.created_at";

fn group_from_row(row: &AnyRow) -> Result<Dismantled, sqlx::Error> {
    Ok(Dismantled {
        id: col(row, "id")?,
        unit_code: col(row, "unit_code")?,
        kind: parse_code(row, "kind", DismantledKind::parse)?,
        name: col(row, "name")?,
        dismantled_on: col(row, "dismantled_on")?,
        arrested: col(row, "arrested")?,
        devices: col(row, "devices")?,
        cards: col(row, "cards")?,
        phone_cards: col(row, "phone_cards")?,
        bank_cards: col(row, "bank_cards")?,
        case_ids: Vec::new(),
        note: col(row, "note")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
    })
}

/// A register's text field trimmed, checked for presence and length (characters).
pub(crate) fn text_ok(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> StoreResult<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(v.to_string())
}

fn count_ok(field: &'static str, n: i64) -> StoreResult<()> {
    if !(0..=MAX_SEIZED).contains(&n) {
        return Err(StoreError::invalid(
            field,
            format!("must be between 0 and {MAX_SEIZED}"),
        ));
    }
    Ok(())
}

/// A suspect checked at `now`: text trimmed, ID number and phone validated and normalised.
fn validated_suspect(s: &NewSuspect, now: i64) -> StoreResult<NewSuspect> {
    let name = text_ok("name", &s.name, MAX_SUSPECT_NAME_CHARS, true)?;
    let resident_id = match s.resident_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(v) => Some(
            ResidentId::parse_normalised(v)
                .map_err(|e| StoreError::invalid("resident_id", e.to_string()))?
                .as_str()
                .to_string(),
        ),
    };
    let phone = match s.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(v) => Some(
            PhoneNumber::parse(v)
                .map_err(|e| StoreError::invalid("phone", e.to_string()))?
                .canonical(),
        ),
    };
    measure_ok(s.measure, s.measure_at, now)?;
    Ok(NewSuspect {
        name,
        resident_id,
        phone,
        note: text_ok("note", &s.note, MAX_ENFORCEMENT_TEXT, false)?,
        ..s.clone()
    })
}

fn measure_ok(measure: Option<SuspectMeasure>, at: Option<i64>, now: i64) -> StoreResult<()> {
    match (measure, at) {
        (Some(_), None) => Err(StoreError::invalid("measure_at", "say when it was taken")),
        (None, Some(_)) => Err(StoreError::invalid("measure", "say which measure")),
        (Some(_), Some(at)) if at > now => Err(StoreError::invalid(
            "measure_at",
            "must not be in the future",
        )),
        _ => Ok(()),
    }
}

/// A case's stored status and recovered money, or the default (under investigation, nothing
/// recovered, version 0), read on `conn` (a transaction's connection, for the values a change
/// replaces).
async fn stored_enforcement(
    conn: &mut sqlx::AnyConnection,
    case_id: &str,
) -> StoreResult<CaseEnforcement> {
    let ctx = "enforcement.of_case";
    let mut sql = Sql::new(
        "SELECT status, solved_at, recovered_fen, supervision, version, updated_by, updated_at \
         FROM case_enforcement WHERE case_id = ",
    );
    sql.arg(case_id);
    let row = sql
        .query()
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query(ctx))?;
    let Some(r) = row else {
        return Ok(CaseEnforcement {
            case_id: case_id.to_string(),
            status: InvestigationStatus::Investigating,
            solved_at: None,
            recovered_fen: 0,
            supervision: None,
            version: 0,
            updated_by: None,
            updated_at: None,
        });
    };
    let read = || -> Result<CaseEnforcement, sqlx::Error> {
        Ok(CaseEnforcement {
            case_id: case_id.to_string(),
            status: parse_code(&r, "status", InvestigationStatus::parse)?,
            solved_at: col(&r, "solved_at")?,
            recovered_fen: col(&r, "recovered_fen")?,
            supervision: parse_optional_code(&r, "supervision", CaseSupervision::parse)?,
            version: col(&r, "version")?,
            updated_by: col(&r, "updated_by")?,
            updated_at: col(&r, "updated_at")?,
        })
    };
    read().map_err(StoreError::query(ctx))
}

/// The suspect `id` with its case's unit, read on `conn`; `None` when absent or its case lies
/// outside the scope.
async fn stored_suspect(
    conn: &mut sqlx::AnyConnection,
    scope: &Scope,
    id: i64,
) -> StoreResult<Option<Suspect>> {
    let ctx = "enforcement.suspect";
    let mut sql = Sql::new(format!(
        "SELECT {SUSPECT_COLUMNS} FROM case_suspects s JOIN cases c ON c.id = s.case_id \
         WHERE s.id = "
    ));
    sql.arg(id).push(" AND ");
    scope.push_condition(&mut sql, "c.unit_code");
    let row = sql
        .query()
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query(ctx))?;
    row.map(|r| suspect_from_row(&r).map_err(StoreError::query(ctx)))
        .transpose()
}

/// A change of one suspect under way: the writer's turn and its transaction.
struct SuspectChange<'s> {
    writer: Option<tokio::sync::MutexGuard<'s, ()>>,
    tx: sqlx::Transaction<'static, sqlx::Any>,
}

/// Suspect `id` of `scope` as stored, its row touched first: on PostgreSQL that takes its lock,
/// so a concurrent change of the same suspect waits and the values read are the ones this change
/// replaces. [`StoreError::NotFound`] outside `scope`.
async fn lock_suspect(
    conn: &mut sqlx::AnyConnection,
    scope: &Scope,
    id: i64,
    now: i64,
) -> StoreResult<Suspect> {
    let mut lock = Sql::new("UPDATE case_suspects SET updated_at = ");
    lock.arg(now).push(" WHERE id = ").arg(id);
    lock.query()
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query("enforcement.lock_suspect"))?;
    stored_suspect(conn, scope, id)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "suspect",
            key: id.to_string(),
        })
}

/// Records `measure` taken at `at` in the suspect's history (the same instant again corrects
/// that entry) and sets the suspect's current measure to the latest of its history.
pub(crate) async fn record_measure(
    conn: &mut sqlx::AnyConnection,
    suspect_id: i64,
    measure: SuspectMeasure,
    at: i64,
    by: &str,
    now: i64,
) -> StoreResult<()> {
    let ctx = "enforcement.record_measure";
    let mut sql = Sql::new(
        "INSERT INTO suspect_measures (suspect_id, measure, measure_at, created_by, created_at) \
         VALUES (",
    );
    sql.arg(suspect_id)
        .push(", ")
        .arg(measure.as_str())
        .push(", ")
        .arg(at)
        .push(", ")
        .arg(by)
        .push(", ")
        .arg(now)
        .push(
            ") ON CONFLICT (suspect_id, measure_at) DO UPDATE SET measure = excluded.measure, \
             created_by = excluded.created_by, created_at = excluded.created_at",
        );
    sql.query()
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(ctx))?;
    let mut sql = Sql::new(
        "UPDATE case_suspects SET measure = (SELECT m.measure FROM suspect_measures m \
         WHERE m.suspect_id = case_suspects.id ORDER BY m.measure_at DESC LIMIT 1), \
         measure_at = (SELECT MAX(m.measure_at) FROM suspect_measures m \
         WHERE m.suspect_id = case_suspects.id), updated_at = ",
    );
    sql.arg(now).push(" WHERE id = ").arg(suspect_id);
    sql.query()
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(ctx))?;
    Ok(())
}

/// Inserts suspect `s` (validated) of a case of `unit_code` on `conn` (a transaction), with its
/// measure in the history and its audit entry (`suspect_added`, the ID number masked); returns
/// its id and whether it was new. A person already a suspect of the case is left as is.
pub(crate) async fn insert_suspect_on(
    conn: &mut sqlx::AnyConnection,
    unit_code: &str,
    s: &NewSuspect,
    now: i64,
) -> StoreResult<(i64, bool)> {
    let mut sql = Sql::new(
        "INSERT INTO case_suspects (case_id, name, resident_id, phone, role, measure, \
             measure_at, note, created_by, created_at, updated_at) VALUES (",
    );
    sql.arg(s.case_id.as_str())
        .push(", ")
        .arg(s.name.as_str())
        .push(", ")
        .arg(s.resident_id.as_deref())
        .push(", ")
        .arg(s.phone.as_deref())
        .push(", ")
        .arg(s.role.as_str())
        .push(", ")
        .arg(s.measure.map(SuspectMeasure::as_str))
        .push(", ")
        .arg(s.measure_at)
        .push(", ")
        .arg(s.note.as_str())
        .push(", ")
        .arg(s.created_by.as_str())
        .push(", ")
        .arg(now)
        .push(", ")
        .arg(now)
        .push(") ON CONFLICT (case_id, resident_id) DO NOTHING RETURNING id");
    let ctx = "enforcement.add_suspect";
    let row = sql
        .query()
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query(ctx))?;
    let Some(row) = row else {
        // The person is a suspect of the case already.
        let mut sql = Sql::new("SELECT id FROM case_suspects WHERE case_id = ");
        sql.arg(s.case_id.as_str())
            .push(" AND resident_id = ")
            .arg(s.resident_id.as_deref());
        let row = sql
            .query()
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::query(ctx))?;
        return Ok((col(&row, "id").map_err(StoreError::query(ctx))?, false));
    };
    let id: i64 = col(&row, "id").map_err(StoreError::query(ctx))?;
    if let (Some(measure), Some(at)) = (s.measure, s.measure_at) {
        record_measure(conn, id, measure, at, &s.created_by, now).await?;
    }
    append_on(
        conn,
        &NewAuditEntry {
            actor: s.created_by.clone(),
            action: "suspect_added".into(),
            target_type: "suspect".into(),
            target_id: Some(id.to_string()),
            unit_code: Some(unit_code.to_string()),
            detail: serde_json::json!({
                "case_id": s.case_id,
                "role": s.role.as_str(),
                "measure": s.measure.map(SuspectMeasure::as_str),
                "measure_at": s.measure_at,
                "resident_id": s.resident_id.as_deref().map(mask_resident_id),
            }),
        },
    )
    .await?;
    Ok((id, true))
}

/// The enforcement repository.
pub struct Enforcement<'s> {
    store: &'s Store,
}

impl<'s> Enforcement<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Enforcement { store }
    }

    /// The case's `(unit code, reported at)` when it lies inside the scope.
    async fn case_in(&self, scope: &Scope, case_id: &str) -> StoreResult<(String, i64)> {
        let mut sql = Sql::new("SELECT c.unit_code, c.reported_at FROM cases c WHERE c.id = ");
        sql.arg(case_id).push(" AND ");
        scope.push_condition(&mut sql, "c.unit_code");
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("enforcement.case"))?;
        match row {
            Some(r) => Ok((
                col(&r, "unit_code").map_err(StoreError::query("enforcement.case"))?,
                col(&r, "reported_at").map_err(StoreError::query("enforcement.case"))?,
            )),
            None => Err(StoreError::NotFound {
                what: "case",
                key: case_id.to_string(),
            }),
        }
    }

    /// The case's status and recovered money; [`StoreError::NotFound`] when the case is
    /// absent or outside the scope.
    pub async fn of_case(&self, scope: &Scope, case_id: &str) -> StoreResult<CaseEnforcement> {
        self.case_in(scope, case_id).await?;
        let mut conn = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::query("enforcement.of_case"))?;
        stored_enforcement(&mut conn, case_id).await
    }

    /// Sets a case's status and recovered money at `now`, with its audit entry
    /// (`case_enforcement_set`, the values before — read in the change's transaction — and
    /// after). A solved case needs the time it was solved, not before the report and not in
    /// the future; another status takes none. The change applies only to the version it was
    /// made from ([`EnforcementUpdate::expected_version`]): when another change came first it
    /// is refused with [`StoreError::Conflict`] and nothing is written.
    pub async fn set(
        &self,
        scope: &Scope,
        case_id: &str,
        u: &EnforcementUpdate,
        now: i64,
    ) -> StoreResult<CaseEnforcement> {
        let (unit_code, reported_at) = self.case_in(scope, case_id).await?;
        match (u.status, u.solved_at) {
            (InvestigationStatus::Solved, None) => {
                return Err(StoreError::invalid("solved_at", "say when it was solved"))
            }
            (InvestigationStatus::Solved, Some(at)) if at > now => {
                return Err(StoreError::invalid(
                    "solved_at",
                    "must not be in the future",
                ))
            }
            (InvestigationStatus::Solved, Some(at)) if at < reported_at => {
                return Err(StoreError::invalid(
                    "solved_at",
                    "must not be before the case was reported",
                ))
            }
            (InvestigationStatus::Solved, _) => {}
            (_, Some(_)) => {
                return Err(StoreError::invalid(
                    "solved_at",
                    "only a solved case has a time it was solved",
                ))
            }
            (_, None) => {}
        }
        if !(0..=MAX_RECOVERED_FEN).contains(&u.recovered_fen) {
            return Err(StoreError::invalid(
                "recovered_fen",
                "must be between 0 and 100,000,000,000 yuan",
            ));
        }
        let expected = u.expected_version;
        let conflict = |found: i64| StoreError::Conflict {
            what: "case_enforcement",
            detail: format!("expected version {expected}, found {found}; reload and retry"),
        };
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("enforcement.begin").await?;
        // The values before, read in the change's transaction. The update below only applies
        // to the version read here, so they are the values it replaces.
        let before = stored_enforcement(&mut tx, case_id).await?;
        if before.version != expected {
            return Err(conflict(before.version));
        }
        let sql = if expected == 0 {
            // Never set: the first writer creates the row, a concurrent second finds it there.
            let mut sql = Sql::new(
                "INSERT INTO case_enforcement (case_id, status, solved_at, recovered_fen, \
                 supervision, version, updated_by, updated_at) VALUES (",
            );
            sql.arg(case_id)
                .push(", ")
                .arg(u.status.as_str())
                .push(", ")
                .arg(u.solved_at)
                .push(", ")
                .arg(u.recovered_fen)
                .push(", ")
                .arg(u.supervision.map(CaseSupervision::as_str))
                .push(", 1, ")
                .arg(u.by.as_str())
                .push(", ")
                .arg(now)
                .push(") ON CONFLICT (case_id) DO NOTHING");
            sql
        } else {
            let mut sql = Sql::new("UPDATE case_enforcement SET status = ");
            sql.arg(u.status.as_str())
                .push(", solved_at = ")
                .arg(u.solved_at)
                .push(", recovered_fen = ")
                .arg(u.recovered_fen)
                .push(", supervision = ")
                .arg(u.supervision.map(CaseSupervision::as_str))
                .push(", version = version + 1, updated_by = ")
                .arg(u.by.as_str())
                .push(", updated_at = ")
                .arg(now)
                .push(" WHERE case_id = ")
                .arg(case_id)
                .push(" AND version = ")
                .arg(expected);
            sql
        };
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("enforcement.set"))?;
        if done.rows_affected() != 1 {
            drop(tx);
            let found = self.of_case(scope, case_id).await?.version;
            return Err(conflict(found));
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: u.by.clone(),
                action: "case_enforcement_set".into(),
                target_type: "case".into(),
                target_id: Some(case_id.to_string()),
                unit_code: Some(unit_code),
                detail: serde_json::json!({
                    "status": u.status.as_str(),
                    "solved_at": u.solved_at,
                    "recovered_fen": u.recovered_fen,
                    "supervision": u.supervision.map(CaseSupervision::as_str),
                    "before": {
                        "status": before.status.as_str(),
                        "solved_at": before.solved_at,
                        "recovered_fen": before.recovered_fen,
                        "supervision": before.supervision.map(CaseSupervision::as_str),
                    },
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("enforcement.commit"))?;
        drop(_writer);
        self.of_case(scope, case_id).await
    }

    /// Adds a suspect to a case inside the scope at `now`, with its audit entry
    /// (`suspect_added`, the ID number masked) and the measure, when given, in the suspect's
    /// history; returns the suspect's id. A person (an ID number) is a suspect of a case once:
    /// adding them again (a form sent twice) changes nothing and returns the suspect there.
    pub async fn add_suspect(&self, scope: &Scope, s: &NewSuspect, now: i64) -> StoreResult<i64> {
        let s = validated_suspect(s, now)?;
        let (unit_code, _) = self.case_in(scope, &s.case_id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("enforcement.begin").await?;
        let (id, _) = insert_suspect_on(&mut tx, &unit_code, &s, now).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("enforcement.commit"))?;
        Ok(id)
    }

    /// The suspects of a case inside the scope, in the order they were added.
    pub async fn suspects(&self, scope: &Scope, case_id: &str) -> StoreResult<Vec<Suspect>> {
        self.case_in(scope, case_id).await?;
        let mut sql = Sql::new(format!(
            "SELECT {SUSPECT_COLUMNS} FROM case_suspects s JOIN cases c ON c.id = s.case_id \
             WHERE s.case_id = "
        ));
        sql.arg(case_id).push(" ORDER BY s.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("enforcement.suspects"))?;
        rows.iter()
            .map(suspect_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("enforcement.suspects"))
    }

    /// One suspect; [`StoreError::NotFound`] when absent or its case lies outside the scope.
    pub async fn suspect(&self, scope: &Scope, id: i64) -> StoreResult<Suspect> {
        let mut conn = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::query("enforcement.suspect"))?;
        stored_suspect(&mut conn, scope, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "suspect",
                key: id.to_string(),
            })
    }

    /// Records a measure taken against a suspect (刑拘, then 逮捕 later) in its history, in one
    /// transaction with its audit entry (`suspect_measure_set`, the measure before and after,
    /// read in that transaction). The suspect holds the latest measure of its history; the
    /// earlier ones stay counted in their periods. A measure at an instant already recorded
    /// corrects that entry.
    pub async fn set_measure(
        &self,
        scope: &Scope,
        id: i64,
        measure: SuspectMeasure,
        at: i64,
        by: &str,
        now: i64,
    ) -> StoreResult<Suspect> {
        measure_ok(Some(measure), Some(at), now)?;
        let (mut change, before) = self.begin_suspect_change(scope, id, now).await?;
        record_measure(&mut change.tx, id, measure, at, by, now).await?;
        let detail = serde_json::json!({
            "case_id": before.case_id,
            "measure": measure.as_str(),
            "measure_at": at,
            "before": {
                "measure": before.measure.map(SuspectMeasure::as_str),
                "measure_at": before.measure_at,
            },
        });
        self.finish_suspect_change(change, scope, &before, by, ("suspect_measure_set", detail))
            .await
    }

    /// Records what a suspect is charged with (罪名) and when their case went to the
    /// procuratorate (移送起诉; `None` while it has not), with its audit entry
    /// (`suspect_charge_set`, the values before and after) in one transaction. A prosecution
    /// needs a charge and may not lie in the future.
    pub async fn set_charge(
        &self,
        scope: &Scope,
        id: i64,
        charge: Option<SuspectCharge>,
        prosecuted_at: Option<i64>,
        by: &str,
        now: i64,
    ) -> StoreResult<Suspect> {
        if prosecuted_at.is_some() && charge.is_none() {
            return Err(StoreError::invalid(
                "charge",
                "name the charge the case goes to the procuratorate with",
            ));
        }
        if prosecuted_at.is_some_and(|at| at > now) {
            return Err(StoreError::invalid(
                "prosecuted_at",
                "a prosecution cannot lie in the future",
            ));
        }
        let (mut change, before) = self.begin_suspect_change(scope, id, now).await?;
        let mut sql = Sql::new("UPDATE case_suspects SET charge = ");
        sql.arg(charge.map(SuspectCharge::as_str))
            .push(", prosecuted_at = ")
            .arg(prosecuted_at)
            .push(" WHERE id = ")
            .arg(id);
        sql.query()
            .execute(&mut *change.tx)
            .await
            .map_err(StoreError::query("enforcement.set_charge"))?;
        let detail = serde_json::json!({
            "case_id": before.case_id,
            "charge": charge.map(SuspectCharge::as_str),
            "prosecuted_at": prosecuted_at,
            "before": {
                "charge": before.charge.map(SuspectCharge::as_str),
                "prosecuted_at": before.prosecuted_at,
            },
        });
        self.finish_suspect_change(change, scope, &before, by, ("suspect_charge_set", detail))
            .await
    }

    /// Puts a suspect of the scope on the wanted list at `wanted_at` (上网追逃), or takes them
    /// off it (`None`), audited as `suspect_wanted_set` with the time before. Not in the
    /// future, and not after a measure already taken (a person caught is no fugitive).
    pub async fn set_wanted(
        &self,
        scope: &Scope,
        id: i64,
        wanted_at: Option<i64>,
        by: &str,
        now: i64,
    ) -> StoreResult<Suspect> {
        if wanted_at.is_some_and(|at| at > now) {
            return Err(StoreError::invalid(
                "wanted_at",
                "a wanted notice cannot lie in the future",
            ));
        }
        let (mut change, before) = self.begin_suspect_change(scope, id, now).await?;
        if let (Some(at), Some(caught)) = (wanted_at, before.measure_at) {
            if at > caught {
                return Err(StoreError::invalid(
                    "wanted_at",
                    "the suspect was caught before that: a wanted notice comes before the measure",
                ));
            }
        }
        let mut sql = Sql::new("UPDATE case_suspects SET wanted_at = ");
        sql.arg(wanted_at).push(" WHERE id = ").arg(id);
        sql.query()
            .execute(&mut *change.tx)
            .await
            .map_err(StoreError::query("enforcement.set_wanted"))?;
        let detail = serde_json::json!({
            "case_id": before.case_id,
            "wanted_at": wanted_at,
            "before": { "wanted_at": before.wanted_at },
        });
        self.finish_suspect_change(change, scope, &before, by, ("suspect_wanted_set", detail))
            .await
    }

    /// Opens a change of suspect `id` of `scope`: the writer's turn, the transaction, and the
    /// suspect as stored, locked (see [`lock_suspect`]).
    async fn begin_suspect_change(
        &self,
        scope: &Scope,
        id: i64,
        now: i64,
    ) -> StoreResult<(SuspectChange<'s>, Suspect)> {
        let writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("enforcement.begin").await?;
        let before = lock_suspect(&mut tx, scope, id, now).await?;
        Ok((SuspectChange { writer, tx }, before))
    }

    /// Ends a change of suspect `before` with its audit entry (`action`, `detail`) in the same
    /// transaction, and answers the suspect of `scope` as it stands after.
    async fn finish_suspect_change(
        &self,
        change: SuspectChange<'s>,
        scope: &Scope,
        before: &Suspect,
        by: &str,
        (action, detail): (&str, serde_json::Value),
    ) -> StoreResult<Suspect> {
        let SuspectChange { writer, mut tx } = change;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: action.into(),
                target_type: "suspect".into(),
                target_id: Some(before.id.to_string()),
                unit_code: Some(before.unit_code.clone()),
                detail,
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("enforcement.commit"))?;
        drop(writer);
        self.suspect(scope, before.id).await
    }

    /// Records a gang or den dismantled at `now`, with its audit entry (`gang_dismantled`);
    /// returns its id. [`StoreError::NotFound`] when the unit or a linked case lies outside
    /// the scope.
    pub async fn record_dismantled(
        &self,
        scope: &Scope,
        d: &NewDismantled,
        now: i64,
    ) -> StoreResult<i64> {
        let name = text_ok("name", &d.name, MAX_ENFORCEMENT_TEXT, true)?;
        let note = text_ok("note", &d.note, MAX_ENFORCEMENT_TEXT, false)?;
        count_ok("arrested", d.arrested)?;
        count_ok("devices", d.devices)?;
        count_ok("phone_cards", d.phone_cards)?;
        count_ok("bank_cards", d.bank_cards)?;
        let cards = d.phone_cards + d.bank_cards;
        count_ok("cards", cards)?;
        if d.dismantled_on > now {
            return Err(StoreError::invalid(
                "dismantled_on",
                "must not be in the future",
            ));
        }
        let mut case_ids: Vec<String> = d
            .case_ids
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        case_ids.sort();
        case_ids.dedup();
        if case_ids.len() > MAX_LINKED_CASES {
            return Err(StoreError::invalid(
                "case_ids",
                format!("at most {MAX_LINKED_CASES} cases"),
            ));
        }
        self.store.units().in_scope(scope, &d.unit_code).await?;
        for c in &case_ids {
            self.case_in(scope, c).await?;
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("enforcement.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO dismantled_groups (unit_code, kind, name, dismantled_on, arrested, \
             devices, cards, phone_cards, bank_cards, note, created_by, created_at) VALUES (",
        );
        sql.arg(d.unit_code.as_str())
            .push(", ")
            .arg(d.kind.as_str())
            .push(", ")
            .arg(name.as_str())
            .push(", ")
            .arg(d.dismantled_on)
            .push(", ")
            .arg(d.arrested)
            .push(", ")
            .arg(d.devices)
            .push(", ")
            .arg(cards)
            .push(", ")
            .arg(d.phone_cards)
            .push(", ")
            .arg(d.bank_cards)
            .push(", ")
            .arg(note.as_str())
            .push(", ")
            .arg(d.created_by.as_str())
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("enforcement.record_dismantled"))?;
        let id: i64 =
            col(&row, "id").map_err(StoreError::query("enforcement.record_dismantled"))?;
        for c in &case_ids {
            let mut sql =
                Sql::new("INSERT INTO dismantled_group_cases (group_id, case_id) VALUES (");
            sql.arg(id).push(", ").arg(c.as_str()).push(")");
            sql.query()
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("enforcement.link_case"))?;
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: d.created_by.clone(),
                action: "gang_dismantled".into(),
                target_type: "dismantled_group".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(d.unit_code.clone()),
                detail: serde_json::json!({
                    "kind": d.kind.as_str(),
                    "name": name,
                    "dismantled_on": d.dismantled_on,
                    "arrested": d.arrested,
                    "devices": d.devices,
                    "phone_cards": d.phone_cards,
                    "bank_cards": d.bank_cards,
                    "case_ids": case_ids,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("enforcement.commit"))?;
        Ok(id)
    }

    /// Register entries inside the scope matching the filter, the latest day first (then the
    /// newest entry); the page key is `"<dismantled_on>/<id>"`.
    pub async fn dismantled(
        &self,
        scope: &Scope,
        filter: &DismantledFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Dismantled>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!(
            "SELECT {GROUP_COLUMNS} FROM dismantled_groups g WHERE "
        ));
        scope.push_condition(&mut sql, "g.unit_code");
        push_group_filter(&mut sql, filter);
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "g.dismantled_on",
            "g.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("enforcement.dismantled"))?;
        let mut items = rows
            .iter()
            .map(group_from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("enforcement.dismantled"))?;
        if !items.is_empty() {
            let mut sql = Sql::new(
                "SELECT group_id, case_id FROM dismantled_group_cases WHERE group_id IN (",
            );
            sql.args(items.iter().map(|g| g.id))
                .push(") ORDER BY group_id, case_id");
            let rows = sql
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("enforcement.dismantled_cases"))?;
            let mut links: HashMap<i64, Vec<String>> = HashMap::new();
            for r in &rows {
                let read = || -> Result<(i64, String), sqlx::Error> {
                    Ok((col(r, "group_id")?, col(r, "case_id")?))
                };
                let (g, c) = read().map_err(StoreError::query("enforcement.dismantled_cases"))?;
                links.entry(g).or_default().push(c);
            }
            for g in &mut items {
                g.case_ids = links.remove(&g.id).unwrap_or_default();
            }
        }
        Ok(Page::from_overfetch(items, limit, |g| {
            format!("{}/{}", g.dismantled_on, g.id)
        }))
    }

    /// How many entries [`Enforcement::dismantled`] would give in all.
    pub async fn count_dismantled(
        &self,
        scope: &Scope,
        filter: &DismantledFilter,
    ) -> StoreResult<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM dismantled_groups g WHERE ");
        scope.push_condition(&mut sql, "g.unit_code");
        push_group_filter(&mut sql, filter);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("enforcement.count_dismantled"))?;
        col(&row, "n").map_err(StoreError::query("enforcement.count_dismantled"))
    }

    /// The scope's enforcement results over `[from_ms, to_ms)`: the cases reported then with
    /// how many were solved or dropped, their losses and 追赃; the cases solved then; the
    /// people with a measure taken then (from the measures' history, so a later measure leaves
    /// an earlier period as it was), by measure, by class and in all, each person once; the
    /// gangs and dens dismantled then, by kind. Five aggregate queries.
    pub async fn figures(
        &self,
        scope: &Scope,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<EnforcementFigures> {
        let ctx = "enforcement.figures";
        let n = |row: &AnyRow, name: &'static str| -> StoreResult<i64> {
            Ok(col::<Option<i64>>(row, name)
                .map_err(StoreError::query(ctx))?
                .unwrap_or(0))
        };
        let mut sql = Sql::new(
            "SELECT COUNT(*) AS cases, \
             CAST(COALESCE(SUM(CASE WHEN e.status = 'solved' THEN 1 ELSE 0 END), 0) AS BIGINT) AS solved, \
             CAST(COALESCE(SUM(CASE WHEN e.status = 'dropped' THEN 1 ELSE 0 END), 0) AS BIGINT) AS dropped, \
             CAST(COALESCE(SUM(c.loss_fen), 0) AS BIGINT) AS loss, \
             CAST(COALESCE(SUM(e.recovered_fen), 0) AS BIGINT) AS recovered \
             FROM cases c LEFT JOIN case_enforcement e ON e.case_id = c.id WHERE ",
        );
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND c.reported_at >= ")
            .arg(from_ms)
            .push(" AND c.reported_at < ")
            .arg(to_ms);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let mut f = EnforcementFigures {
            cases: n(&row, "cases")?,
            solved: n(&row, "solved")?,
            dropped: n(&row, "dropped")?,
            loss_fen: n(&row, "loss")?,
            recovered_fen: n(&row, "recovered")?,
            solved_elsewhere: self
                .store
                .solved_elsewhere()
                .tally(scope, (from_ms, to_ms))
                .await?,
            ..Default::default()
        };

        let mut sql = Sql::new(
            "SELECT COUNT(*) AS n FROM case_enforcement e JOIN cases c ON c.id = e.case_id \
             WHERE e.status = 'solved' AND ",
        );
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND e.solved_at >= ")
            .arg(from_ms)
            .push(" AND e.solved_at < ")
            .arg(to_ms);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        f.solved_in_period = n(&row, "n")?;

        // People, from the measures' history: a person is their ID number, or the suspect
        // entry when none was given; each counts once however many cases they are in.
        let mut sql = Sql::new(format!(
            "SELECT m.measure, COUNT(DISTINCT {PERSON}) AS n {MEASURES_IN_SCOPE}"
        ));
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND m.measure_at >= ")
            .arg(from_ms)
            .push(" AND m.measure_at < ")
            .arg(to_ms)
            .push(" GROUP BY m.measure");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let mut by: HashMap<SuspectMeasure, i64> = HashMap::new();
        for r in &rows {
            let m =
                parse_code(r, "measure", SuspectMeasure::parse).map_err(StoreError::query(ctx))?;
            by.insert(m, n(r, "n")?);
        }
        f.by_measure = SuspectMeasure::ALL
            .iter()
            .map(|m| (*m, by.get(m).copied().unwrap_or(0)))
            .collect();

        let mut sql = Sql::new(format!("SELECT COUNT(DISTINCT {PERSON}) AS caught"));
        for class in MeasureClass::ALL {
            sql.push(", COUNT(DISTINCT CASE WHEN m.measure IN (");
            sql.args(
                SuspectMeasure::ALL
                    .iter()
                    .filter(|m| m.class() == *class)
                    .map(|m| m.as_str()),
            );
            sql.push(&format!(") THEN {PERSON} END) AS {}", class.as_str()));
        }
        sql.push(" ").push(MEASURES_IN_SCOPE);
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND m.measure_at >= ")
            .arg(from_ms)
            .push(" AND m.measure_at < ")
            .arg(to_ms);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        f.people_caught = n(&row, "caught")?;

        f.people_by_class = MeasureClass::ALL
            .iter()
            .map(|class| Ok((*class, n(&row, class.as_str())?)))
            .collect::<StoreResult<_>>()?;
        // Of those caught, by charge; and the people prosecuted in the period.
        let mut sql = Sql::new(format!(
            "SELECT s.charge, COUNT(DISTINCT {PERSON}) AS n {MEASURES_IN_SCOPE}"
        ));
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND s.charge IS NOT NULL AND m.measure_at >= ")
            .arg(from_ms)
            .push(" AND m.measure_at < ")
            .arg(to_ms)
            .push(" GROUP BY s.charge");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let mut by_charge: HashMap<SuspectCharge, i64> = HashMap::new();
        for r in &rows {
            let c =
                parse_code(r, "charge", SuspectCharge::parse).map_err(StoreError::query(ctx))?;
            by_charge.insert(c, n(r, "n")?);
        }
        f.caught_by_charge = SuspectCharge::ALL
            .iter()
            .map(|c| (*c, by_charge.get(c).copied().unwrap_or(0)))
            .collect();
        let mut sql = Sql::new(format!(
            "SELECT COUNT(DISTINCT {PERSON}) AS n FROM case_suspects s \
             JOIN cases c ON c.id = s.case_id WHERE "
        ));
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND s.prosecuted_at >= ")
            .arg(from_ms)
            .push(" AND s.prosecuted_at < ")
            .arg(to_ms);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        f.prosecuted = n(&row, "n")?;

        let mut sql = Sql::new(
            "SELECT g.kind, COUNT(*) AS n, CAST(SUM(g.arrested) AS BIGINT) AS arrested, \
             CAST(SUM(CASE WHEN g.arrested >= 5 THEN 1 ELSE 0 END) AS BIGINT) AS five, \
             CAST(SUM(g.devices) AS BIGINT) AS devices, CAST(SUM(g.cards) AS BIGINT) AS cards, \
             CAST(SUM(g.phone_cards) AS BIGINT) AS phone_cards, \
             CAST(SUM(g.bank_cards) AS BIGINT) AS bank_cards \
             FROM dismantled_groups g WHERE ",
        );
        scope.push_condition(&mut sql, "g.unit_code");
        sql.push(" AND g.dismantled_on >= ")
            .arg(from_ms)
            .push(" AND g.dismantled_on < ")
            .arg(to_ms)
            .push(" GROUP BY g.kind");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let mut kinds = Vec::with_capacity(rows.len());
        for r in &rows {
            f.gangs_of_five += n(r, "five")?;
            kinds.push(DismantledTally {
                kind: parse_code(r, "kind", DismantledKind::parse)
                    .map_err(StoreError::query(ctx))?,
                groups: n(r, "n")?,
                arrested: n(r, "arrested")?,
                devices: n(r, "devices")?,
                cards: n(r, "cards")?,
                phone_cards: n(r, "phone_cards")?,
                bank_cards: n(r, "bank_cards")?,
            });
        }
        kinds.sort_by_key(|t| t.kind);
        f.dismantled = kinds;

        let mut sql = Sql::new(
            "SELECT e.supervision AS level, COUNT(*) AS n, \
             CAST(SUM(CASE WHEN e.status = 'solved' THEN 1 ELSE 0 END) AS BIGINT) AS solved \
             FROM case_enforcement e JOIN cases c ON c.id = e.case_id \
             WHERE e.supervision IS NOT NULL AND ",
        );
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND c.reported_at >= ")
            .arg(from_ms)
            .push(" AND c.reported_at < ")
            .arg(to_ms)
            .push(" GROUP BY e.supervision");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        let mut levels: HashMap<CaseSupervision, (i64, i64)> = HashMap::new();
        for r in &rows {
            let level =
                parse_code(r, "level", CaseSupervision::parse).map_err(StoreError::query(ctx))?;
            levels.insert(level, (n(r, "n")?, n(r, "solved")?));
        }
        // Fugitives: caught in the period after a wanted notice; at large now.
        let mut sql = Sql::new(format!(
            "SELECT COUNT(DISTINCT {PERSON}) AS n {MEASURES_IN_SCOPE}"
        ));
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(
            " AND s.wanted_at IS NOT NULL AND s.wanted_at <= m.measure_at AND m.measure_at >= ",
        )
        .arg(from_ms)
        .push(" AND m.measure_at < ")
        .arg(to_ms);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        f.fugitives_caught = n(&row, "n")?;
        let mut sql = Sql::new(format!(
            "SELECT COUNT(DISTINCT {PERSON}) AS n FROM case_suspects s \
             JOIN cases c ON c.id = s.case_id WHERE "
        ));
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND s.wanted_at IS NOT NULL AND s.measure IS NULL");
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query(ctx))?;
        f.fugitives_at_large = n(&row, "n")?;

        f.supervised = CaseSupervision::ALL
            .iter()
            .map(|level| {
                let (cases, solved) = levels.get(level).copied().unwrap_or((0, 0));
                SupervisedTally {
                    level: *level,
                    cases,
                    solved,
                }
            })
            .collect();
        Ok(f)
    }
}

fn push_group_filter(sql: &mut Sql<'_>, f: &DismantledFilter) {
    if let Some(from) = f.from {
        sql.push(" AND g.dismantled_on >= ").arg(from);
    }
    if let Some(until) = f.until {
        sql.push(" AND g.dismantled_on < ").arg(until);
    }
    if let Some(k) = f.kind {
        sql.push(" AND g.kind = ").arg(k.as_str());
    }
}
