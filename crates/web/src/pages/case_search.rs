//! The search form of the cases list, read leniently like the warnings' (`warning_search.rs`):
//! every field is text as the browser sends it, and a value that does not parse is named on the
//! page and ignored. The occupation is a category's code or name, or `unknown`. The free box `q` finds a case by its id or report number, the victim's
//! phone or ID number, or a suspect number or account of the case; a search by a phone, ID or
//! bank card number is audited.

use super::warning_search::{audit_person_search, fraud_type_filter, identify, Person};
use crate::error::WebError;
use crate::export::ExportFormat;
use crate::state::AppState;
use chrono::NaiveDate;
use fanzha_core::mask::mask_card;
use fanzha_core::time::shanghai_midnight;
use fanzha_core::{BankCard, Money};
use fanzha_store::{
    CaseFilter, CaseLookup, CaseSupervision, CaseSupervisionFilter, NewAuditEntry, Occupation,
    OccupationFilter,
};
use serde::Deserialize;

/// `/cases?…` as sent; an absent or empty field means "any".
#[derive(Debug, Default, Deserialize)]
pub struct CaseSearchForm {
    /// First day reported, `YYYY-MM-DD` in Asia/Shanghai.
    pub from: Option<String>,
    /// Last day reported (inclusive).
    pub to: Option<String>,
    /// A fraud-type code, or `untyped`.
    pub fraud_type: Option<String>,
    /// A unit inside one's own subtree.
    pub unit: Option<String>,
    /// `outcome`, `form` or `import`.
    pub source: Option<String>,
    /// `1`: public-sector victims only.
    pub public_sector: Option<String>,
    /// The least loss, in yuan.
    pub min_loss: Option<String>,
    /// The victim's occupation: a code, a Chinese or English name, or `unknown` (未知).
    pub occupation: Option<String>,
    /// A case id, report number, phone, ID number or account.
    pub q: Option<String>,
    /// An analysis group (分类研判组) of one's area: its fraud types, in its unit's area.
    pub group: Option<String>,
    /// 督办: `any`, `ministry`, `province` or `city`.
    pub supervised: Option<String>,
    /// Page key from the previous page.
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    pub after: Option<String>,
    pub format: Option<ExportFormat>,
}

/// The form turned into a store filter, plus what to echo back into the form.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CaseSearch {
    pub filter: CaseFilter,
    /// The unit the list is narrowed to (checked against the reader's subtree by the caller).
    pub unit: Option<String>,
    /// `q` names a person by phone or ID number: the search is audited.
    pub person: Option<Person>,
    /// `q` is a bank card number: the search is audited too.
    pub card: Option<String>,
    /// `q` looks like an ID number typed with a slip (i18n key): said when nothing matches.
    pub slip: Option<&'static str>,
    /// i18n keys of the fields that did not parse (they were ignored).
    pub problems: Vec<&'static str>,
    pub from: String,
    pub to: String,
    pub fraud_type: String,
    pub source: String,
    pub public_sector: bool,
    pub min_loss: String,
    /// The occupation's code, or `unknown`.
    pub occupation: String,
    pub q: String,
    /// The analysis group asked for (checked against the reader's area by the caller).
    pub group_id: Option<i64>,
    /// 督办 as asked: `any`, a level's code, or ''.
    pub supervised: String,
}

/// How a case was opened.
pub const SOURCES: [&str; 4] = ["outcome", "form", "import", "api"];

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl CaseSearch {
    pub fn read(form: &CaseSearchForm) -> CaseSearch {
        let mut s = CaseSearch::default();
        let mut day = |field: &Option<String>| {
            let text = given(field)?;
            let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            if day.is_none() {
                s.problems.push("search_bad_date");
            }
            day
        };
        let from = day(&form.from);
        let to = day(&form.to);
        s.from = from.map(|d| d.to_string()).unwrap_or_default();
        s.to = to.map(|d| d.to_string()).unwrap_or_default();
        s.filter.from_ms = from.and_then(|d| shanghai_midnight(d).ok());
        s.filter.to_ms = to
            .and_then(|d| d.succ_opt())
            .and_then(|d| shanghai_midnight(d).ok());

        if let Some(label) = given(&form.fraud_type) {
            match fraud_type_filter(label) {
                Some((code, filter)) => {
                    s.filter.fraud_type = Some(filter);
                    s.fraud_type = code.to_string();
                }
                None => s.problems.push("col_fraud_type"),
            }
        }
        match given(&form.source) {
            None => {}
            Some(src) if SOURCES.contains(&src) => {
                s.filter.source = Some(src.to_string());
                s.source = src.to_string();
            }
            Some(_) => s.problems.push("col_source"),
        }
        match given(&form.public_sector) {
            None => {}
            Some("1" | "on" | "true") => {
                s.filter.public_sector_only = true;
                s.public_sector = true;
            }
            Some(_) => s.problems.push("public_sector"),
        }
        if let Some(text) = given(&form.min_loss) {
            match Money::parse(text) {
                Ok(m) if !m.is_negative() => {
                    s.filter.min_loss_fen = Some(m.fen());
                    s.min_loss = text.to_string();
                }
                _ => s.problems.push("case_min_loss"),
            }
        }
        if let Some(text) = given(&form.occupation) {
            let read = match text {
                "unknown" => Ok(None),
                _ => Occupation::parse_label(text),
            };
            match read {
                Ok(Some(o)) => {
                    s.filter.occupation = Some(OccupationFilter::Is(o));
                    s.occupation = o.code().to_string();
                }
                Ok(None) => {
                    s.filter.occupation = Some(OccupationFilter::Unknown);
                    s.occupation = "unknown".into();
                }
                Err(_) => s.problems.push("case_occupation"),
            }
        }
        match given(&form.supervised) {
            None => {}
            Some("any") => {
                s.filter.supervision = Some(CaseSupervisionFilter::Any);
                s.supervised = "any".into();
            }
            Some(level) => match CaseSupervision::parse(level) {
                Some(l) => {
                    s.filter.supervision = Some(CaseSupervisionFilter::Is(l));
                    s.supervised = l.as_str().into();
                }
                None => s.problems.push("enf_supervision"),
            },
        }
        if let Some(g) = given(&form.group) {
            match g.parse() {
                Ok(id) => s.group_id = Some(id),
                Err(_) => s.problems.push("ag_group"),
            }
        }
        s.unit = given(&form.unit).map(str::to_string);
        if let Some(q) = given(&form.q) {
            s.q = q.to_string();
            s.filter.lookup = Some(s.lookup(q));
        }
        s
    }

    /// What `q` may be: always a case id or report number and a number as typed; besides, a
    /// phone or ID number (a person) or a bank card.
    fn lookup(&mut self, q: &str) -> CaseLookup {
        let compact: String = q
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let mut l = CaseLookup {
            key: q.to_string(),
            number: (!compact.is_empty()).then_some(compact),
            ..CaseLookup::default()
        };
        if let Ok(card) = BankCard::parse_normalised(q) {
            l.number = Some(card.as_str().to_string());
            self.card = Some(card.as_str().to_string());
        }
        match identify(q) {
            Ok(Person::ResidentId(id)) => {
                l.resident_id = Some(id.clone());
                self.person = Some(Person::ResidentId(id));
            }
            Ok(Person::Phone(p)) => {
                l.phone = Some(p.clone());
                self.person = Some(Person::Phone(p));
            }
            Err(slip @ ("search_bad_check_digit" | "search_bad_birth_date"))
                if self.card.is_none() =>
            {
                self.slip = Some(slip);
            }
            Err(_) => {}
        }
        // A long run of digits that is no card nor person is still read as an account (corporate
        // and platform accounts fail the card checks): such a look-up is audited like a card's.
        if self.card.is_none() && self.person.is_none() {
            if let Some(n) = l.number.as_deref() {
                if (10..=32).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()) {
                    self.card = Some(n.to_string());
                }
            }
        }
        l
    }

    /// The form's fields as a query string (without the page key), for links that keep them.
    pub fn query_string(&self, unit: &str) -> String {
        let group = self.group_id.map(|g| g.to_string()).unwrap_or_default();
        let pairs = [
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("fraud_type", self.fraud_type.as_str()),
            ("source", self.source.as_str()),
            ("unit", unit),
            ("public_sector", if self.public_sector { "1" } else { "" }),
            ("min_loss", self.min_loss.as_str()),
            ("occupation", self.occupation.as_str()),
            ("q", self.q.as_str()),
            ("group", &group),
            ("supervised", self.supervised.as_str()),
        ];
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            out.append_pair(k, v);
        }
        out.finish()
    }

    /// Whether any condition narrows the list (for the empty table's wording).
    pub fn narrows(&self) -> bool {
        self.filter != CaseFilter::default()
    }
}

/// Writes a search by phone, ID or bank card number to the audit log (`case_search`, the
/// number masked); other searches are no look-up of anyone.
pub async fn audit_case_search(
    state: &AppState,
    search: &CaseSearch,
    login: &str,
    unit_code: &str,
    matches: i64,
) -> Result<(), WebError> {
    if let Some(person) = &search.person {
        return audit_person_search(state, "case_search", login, unit_code, person, matches).await;
    }
    if let Some(card) = &search.card {
        state
            .store
            .audit()
            .append(&NewAuditEntry {
                actor: login.to_string(),
                action: "case_search".into(),
                target_type: "account".into(),
                target_id: Some(mask_card(card)),
                unit_code: Some(unit_code.to_string()),
                detail: serde_json::json!({"by": "account", "matches": matches}),
            })
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_store::FraudTypeFilter;

    fn form(pairs: &[(&str, &str)]) -> CaseSearchForm {
        let mut f = CaseSearchForm::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "from" => f.from = v,
                "to" => f.to = v,
                "fraud_type" => f.fraud_type = v,
                "unit" => f.unit = v,
                "source" => f.source = v,
                "public_sector" => f.public_sector = v,
                "min_loss" => f.min_loss = v,
                "occupation" => f.occupation = v,
                "q" => f.q = v,
                "supervised" => f.supervised = v,
                other => panic!("no field {other}"),
            }
        }
        f
    }

    #[test]
    fn supervised_cases_are_any_level_or_one() {
        let s = CaseSearch::read(&form(&[("supervised", "any")]));
        assert_eq!(s.filter.supervision, Some(CaseSupervisionFilter::Any));
        assert!(s.query_string("").contains("supervised=any"));
        let s = CaseSearch::read(&form(&[("supervised", "ministry")]));
        assert_eq!(
            s.filter.supervision,
            Some(CaseSupervisionFilter::Is(CaseSupervision::Ministry))
        );
        let s = CaseSearch::read(&form(&[("supervised", "部督")]));
        assert_eq!(s.filter.supervision, None);
        assert_eq!(s.problems, ["enf_supervision"]);
    }

    #[test]
    fn an_empty_form_finds_every_case() {
        let s = CaseSearch::read(&CaseSearchForm::default());
        assert_eq!(s.filter, CaseFilter::default());
        assert!(!s.narrows());
        let s = CaseSearch::read(&form(&[
            ("from", ""),
            ("fraud_type", ""),
            ("public_sector", ""),
            ("min_loss", " "),
            ("q", ""),
        ]));
        assert_eq!(s.filter, CaseFilter::default());
        assert!(s.problems.is_empty());
    }

    #[test]
    fn every_field_reaches_the_filter() {
        let s = CaseSearch::read(&form(&[
            ("from", "2026-02-01"),
            ("to", "2026-02-28"),
            ("fraud_type", "untyped"),
            ("source", "import"),
            ("public_sector", "1"),
            ("min_loss", "1.2万"),
            ("unit", "330281001"),
        ]));
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        let day = |d: &str| shanghai_midnight(d.parse().unwrap()).unwrap();
        assert_eq!(s.filter.from_ms, Some(day("2026-02-01")));
        assert_eq!(
            s.filter.to_ms,
            Some(day("2026-03-01")),
            "the last day counts"
        );
        assert_eq!(s.filter.fraud_type, Some(FraudTypeFilter::Untyped));
        assert_eq!(s.filter.source.as_deref(), Some("import"));
        assert!(s.filter.public_sector_only);
        assert_eq!(s.filter.min_loss_fen, Some(1_200_000));
        assert_eq!(s.unit.as_deref(), Some("330281001"));
        let qs = s.query_string("330281001");
        for part in ["public_sector=1", "min_loss=1.2%E4%B8%87", "source=import"] {
            assert!(qs.contains(part), "{qs}");
        }
    }

    #[test]
    fn the_occupation_is_a_code_a_name_or_unknown() {
        for (text, want, echo) in [
            (
                "company_employee",
                OccupationFilter::Is(Occupation::CompanyEmployee),
                "company_employee",
            ),
            (
                "个体户",
                OccupationFilter::Is(Occupation::SelfEmployed),
                "self_employed",
            ),
            ("unknown", OccupationFilter::Unknown, "unknown"),
            ("未知", OccupationFilter::Unknown, "unknown"),
        ] {
            let s = CaseSearch::read(&form(&[("occupation", text)]));
            assert_eq!(s.filter.occupation, Some(want), "{text}");
            assert_eq!(s.occupation, echo);
            assert!(s.narrows());
            assert!(s.query_string("").contains(&format!("occupation={echo}")));
        }
        let s = CaseSearch::read(&form(&[("occupation", "保洁员")]));
        assert_eq!(s.filter, CaseFilter::default());
        assert_eq!(s.problems, ["case_occupation"]);
    }

    #[test]
    fn a_phone_is_a_person_and_a_number_as_typed() {
        let s = CaseSearch::read(&form(&[("q", "+86 139-0000-5678")]));
        let l = s.filter.lookup.as_ref().unwrap();
        assert_eq!(l.key, "+86 139-0000-5678");
        assert_eq!(l.phone.as_deref(), Some("13900005678"));
        assert_eq!(l.number.as_deref(), Some("+8613900005678"));
        assert_eq!(s.person, Some(Person::Phone("13900005678".into())));
        assert_eq!(s.card, None);
    }

    #[test]
    fn an_id_number_and_a_card_are_told_apart() {
        let s = CaseSearch::read(&form(&[("q", "11010519491231002x")]));
        assert_eq!(
            s.filter.lookup.as_ref().unwrap().resident_id.as_deref(),
            Some("11010519491231002X")
        );
        let s = CaseSearch::read(&form(&[("q", "6222 0201 2345 6789 015")]));
        let l = s.filter.lookup.as_ref().unwrap();
        assert_eq!(l.number.as_deref(), Some("6222020123456789015"));
        assert_eq!(s.card.as_deref(), Some("6222020123456789015"));
        assert_eq!((s.person, s.slip), (None, None));
    }

    #[test]
    fn an_account_that_is_no_card_is_still_audited_as_one() {
        // A corporate account: 20 digits that fail the card checks.
        let s = CaseSearch::read(&form(&[("q", "33050161663500000123")]));
        assert_eq!(s.card.as_deref(), Some("33050161663500000123"));
        assert!(s.person.is_none());
        // Short numbers (a case's sequence, a report number) are no account.
        let s = CaseSearch::read(&form(&[("q", "20260301")]));
        assert!(s.card.is_none());
    }

    #[test]
    fn a_case_number_is_no_person_and_an_id_slip_is_kept_for_later() {
        let s = CaseSearch::read(&form(&[("q", "AJ202603011030001234")]));
        assert_eq!(
            s.filter.lookup.as_ref().unwrap().key,
            "AJ202603011030001234"
        );
        assert_eq!(
            (s.person.as_ref(), s.card.as_ref(), s.slip),
            (None, None, None)
        );
        assert!(s.problems.is_empty());
        let s = CaseSearch::read(&form(&[("q", "110105194912310021")]));
        assert_eq!(s.slip, Some("search_bad_check_digit"));
        assert!(s.problems.is_empty(), "said only when nothing matches");
    }

    #[test]
    fn values_that_do_not_parse_are_reported_and_ignored() {
        let s = CaseSearch::read(&form(&[
            ("from", "yesterday"),
            ("fraud_type", "rumour"),
            ("source", "rumour"),
            ("public_sector", "maybe"),
            ("min_loss", "-5"),
        ]));
        assert_eq!(s.filter, CaseFilter::default());
        assert_eq!(
            s.problems,
            [
                "search_bad_date",
                "col_fraud_type",
                "col_source",
                "public_sector",
                "case_min_loss"
            ]
        );
        let s = CaseSearch::read(&form(&[("min_loss", "lots")]));
        assert_eq!(s.problems, ["case_min_loss"]);
    }
}
