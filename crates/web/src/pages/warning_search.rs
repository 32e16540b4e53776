//! The search form of the warnings list, read leniently: every field is text as the browser
//! sends it (an empty select is ""), and a value that does not parse becomes a message on the
//! page instead of a 400, so an analyst never loses the rest of the form.

use crate::error::WebError;
use crate::export::ExportFormat;
use crate::state::AppState;
use chrono::{Duration, NaiveDate};
use fanzha_core::mask::{mask_phone, mask_resident_id};
use fanzha_core::resident_id::ResidentIdError;
use fanzha_core::time::{shanghai_date, shanghai_midnight};
use fanzha_core::{FraudType, PhoneNumber, ResidentId};
use fanzha_store::NewAuditEntry;
use fanzha_store::{FraudTypeFilter, WarningFilter};
use serde::Deserialize;

/// Days shown when the form has not been submitted yet.
pub const DEFAULT_DAYS: i64 = 7;

/// `/warnings?…` as sent. A field absent from the URL takes its default; present but empty
/// means "any".
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    /// First day, `YYYY-MM-DD` in Asia/Shanghai.
    pub from: Option<String>,
    /// Last day (inclusive).
    pub to: Option<String>,
    pub min_level: Option<String>,
    /// A fraud-type code, or `untyped`.
    pub fraud_type: Option<String>,
    pub source: Option<String>,
    /// A unit inside one's own subtree.
    pub unit: Option<String>,
    /// An analysis group (分类研判组) of one's area: its fraud types in its unit's area.
    pub group: Option<String>,
    /// `open` or `closed` (the instruction).
    pub status: Option<String>,
    /// A phone number or resident ID.
    pub q: Option<String>,
    /// Page key from the previous page.
    #[serde(default, deserialize_with = "crate::pages::empty_as_none")]
    pub after: Option<String>,
    pub format: Option<ExportFormat>,
}

/// Whom the free-text box names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Person {
    ResidentId(String),
    Phone(String),
}

/// The form turned into a store filter, plus what to echo back into the form.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Search {
    pub filter: WarningFilter,
    /// The unit the list is narrowed to (checked against the reader's subtree by the caller).
    pub unit: Option<String>,
    /// The analysis group asked for (checked against the reader's area by the caller).
    pub group_id: Option<i64>,
    pub person: Option<Person>,
    /// i18n keys of the fields that did not parse (they were ignored).
    pub problems: Vec<&'static str>,
    /// The values to show in the form.
    pub from: String,
    pub to: String,
    pub min_level: String,
    pub fraud_type: String,
    pub source: String,
    pub status: String,
    pub q: String,
}

/// The sources a warning can come from.
pub const SOURCES: [&str; 3] = ["engine", "national_push", "manual"];

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl Search {
    /// Reads the form; `now_ms` fixes the default period (the last [`DEFAULT_DAYS`] days).
    pub fn read(form: &SearchForm, now_ms: i64) -> Search {
        let mut s = Search::default();
        let today = shanghai_date(now_ms).unwrap_or_default();
        let from = match &form.from {
            None => Some(today - Duration::days(DEFAULT_DAYS - 1)),
            Some(_) => match given(&form.from) {
                None => None,
                Some(text) => {
                    let day = parse_day(text);
                    if day.is_none() {
                        s.problems.push("search_bad_date");
                    }
                    day
                }
            },
        };
        let to = given(&form.to).and_then(|text| {
            let day = parse_day(text);
            if day.is_none() {
                s.problems.push("search_bad_date");
            }
            day
        });
        s.from = from.map(|d| d.to_string()).unwrap_or_default();
        s.to = to.map(|d| d.to_string()).unwrap_or_default();
        s.filter.from_ms = from.and_then(|d| shanghai_midnight(d).ok());
        s.filter.to_ms = to
            .and_then(|d| d.succ_opt())
            .and_then(|d| shanghai_midnight(d).ok());

        match given(&form.min_level) {
            None => {}
            Some(l @ ("1" | "2" | "3")) => {
                s.filter.min_level = l.parse().ok();
                s.min_level = l.to_string();
            }
            Some(_) => s.problems.push("col_level"),
        }
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
        match given(&form.status) {
            None => {}
            Some("open") => {
                s.filter.instruction_open = Some(true);
                s.status = "open".into();
            }
            Some("closed") => {
                s.filter.instruction_open = Some(false);
                s.status = "closed".into();
            }
            Some(_) => s.problems.push("col_status"),
        }
        s.unit = given(&form.unit).map(str::to_string);
        if let Some(g) = given(&form.group) {
            match g.parse() {
                Ok(id) => s.group_id = Some(id),
                Err(_) => s.problems.push("ag_group"),
            }
        }
        if let Some(q) = given(&form.q) {
            s.q = q.to_string();
            match identify(q) {
                Ok(Person::ResidentId(id)) => {
                    s.filter.resident_id = Some(id.clone());
                    s.person = Some(Person::ResidentId(id));
                }
                Ok(Person::Phone(p)) => {
                    s.filter.msisdn = Some(p.clone());
                    s.person = Some(Person::Phone(p));
                }
                Err(problem) => s.problems.push(problem),
            }
        }
        s
    }

    /// The form's fields as a query string (without the page key), for links that keep them.
    pub fn query_string(&self, unit: &str) -> String {
        let group = self.group_id.map(|g| g.to_string()).unwrap_or_default();
        let pairs = [
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("min_level", self.min_level.as_str()),
            ("fraud_type", self.fraud_type.as_str()),
            ("source", self.source.as_str()),
            ("unit", unit),
            ("group", group.as_str()),
            ("status", self.status.as_str()),
            ("q", self.q.as_str()),
        ];
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

/// `untyped`, or a fraud type by its code or any of its names: the code to echo and the filter
/// (matching the code and the names, which older rows may hold instead of the code).
pub fn fraud_type_filter(label: &str) -> Option<(&'static str, FraudTypeFilter)> {
    if label == "untyped" {
        return Some(("untyped", FraudTypeFilter::Untyped));
    }
    let t = FraudType::parse_label(label).ok()?;
    let spellings = [t.code(), t.zh(), t.en()].map(str::to_string);
    Some((t.code(), FraudTypeFilter::AnyOf(spellings.to_vec())))
}

/// A resident ID (18 digits, or the 15-digit legacy form) or a phone number, in the form the
/// store keeps them.
///
/// Otherwise the i18n key of what to tell the reader: an ID number whose check digit or birth
/// date is wrong (a typing slip, worth saying so), or text that is neither.
pub fn identify(q: &str) -> Result<Person, &'static str> {
    match ResidentId::parse_normalised(q) {
        Ok(id) => return Ok(Person::ResidentId(id.as_str().to_string())),
        Err(ResidentIdError::BadCheckDigit) => return Err("search_bad_check_digit"),
        Err(ResidentIdError::BadBirthDate | ResidentIdError::BirthDateInFuture) => {
            return Err("search_bad_birth_date")
        }
        Err(_) => {}
    }
    PhoneNumber::parse(q)
        .map(|p| Person::Phone(p.canonical()))
        .map_err(|_| "search_unrecognised")
}

/// A list searched by phone number or ID number looks for a person: the search is written to
/// the audit log like any other look-up of personal data (`action`; the number masked).
pub async fn audit_person_search(
    state: &AppState,
    action: &str,
    login: &str,
    unit_code: &str,
    person: &Person,
    matches: i64,
) -> Result<(), WebError> {
    let (by, masked) = match person {
        Person::ResidentId(id) => ("resident_id", mask_resident_id(id)),
        Person::Phone(p) => ("phone", mask_phone(p)),
    };
    state
        .store
        .audit()
        .append(&NewAuditEntry {
            actor: login.to_string(),
            action: action.to_string(),
            target_type: "person".into(),
            target_id: Some(masked),
            unit_code: Some(unit_code.to_string()),
            detail: serde_json::json!({"by": by, "matches": matches}),
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_core::time::from_shanghai;

    fn at(day: &str) -> i64 {
        from_shanghai(parse_day(day).unwrap().and_hms_opt(10, 0, 0).unwrap()).unwrap()
    }

    fn midnight(day: &str) -> i64 {
        shanghai_midnight(parse_day(day).unwrap()).unwrap()
    }

    #[test]
    fn a_first_visit_shows_the_last_seven_days() {
        let s = Search::read(&SearchForm::default(), at("2026-12-03"));
        assert_eq!(s.from, "2026-11-27");
        assert_eq!(s.filter.from_ms, Some(midnight("2026-11-27")));
        assert_eq!(s.filter.to_ms, None);
        assert!(s.problems.is_empty());
    }

    #[test]
    fn an_emptied_start_date_means_no_lower_bound_and_the_end_day_is_inclusive() {
        let form = SearchForm {
            from: Some(String::new()),
            to: Some("2026-12-01".into()),
            ..Default::default()
        };
        let s = Search::read(&form, at("2026-12-03"));
        assert_eq!(s.filter.from_ms, None);
        assert_eq!(s.filter.to_ms, Some(midnight("2026-12-02")));
        assert_eq!(s.to, "2026-12-01");
    }

    #[test]
    fn every_field_reaches_the_filter() {
        let form = SearchForm {
            from: Some("2026-11-01".into()),
            min_level: Some("2".into()),
            fraud_type: Some("investment".into()),
            source: Some("national_push".into()),
            status: Some("open".into()),
            unit: Some("330281001".into()),
            q: Some("+86 138-1234-5678".into()),
            ..Default::default()
        };
        let s = Search::read(&form, at("2026-12-03"));
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.filter.min_level, Some(2));
        assert_eq!(
            s.filter.fraud_type,
            Some(FraudTypeFilter::AnyOf(vec![
                "fake_investment".into(),
                FraudType::FakeInvestment.zh().into(),
                FraudType::FakeInvestment.en().into(),
            ]))
        );
        assert_eq!(s.fraud_type, "fake_investment");
        assert_eq!(s.filter.source.as_deref(), Some("national_push"));
        assert_eq!(s.filter.instruction_open, Some(true));
        assert_eq!(s.unit.as_deref(), Some("330281001"));
        assert_eq!(s.filter.msisdn.as_deref(), Some("13812345678"));
        assert_eq!(s.person, Some(Person::Phone("13812345678".into())));
        let qs = s.query_string("330281001");
        assert!(qs.contains("fraud_type=fake_investment"), "{qs}");
        assert!(qs.contains("q=%2B86+138-1234-5678"), "{qs}");
    }

    #[test]
    fn untyped_and_closed_are_choices_of_their_own() {
        let form = SearchForm {
            fraud_type: Some("untyped".into()),
            status: Some("closed".into()),
            ..Default::default()
        };
        let s = Search::read(&form, at("2026-12-03"));
        assert_eq!(s.filter.fraud_type, Some(FraudTypeFilter::Untyped));
        assert_eq!(s.filter.instruction_open, Some(false));
    }

    #[test]
    fn a_resident_id_is_searched_in_its_eighteen_digit_form() {
        let form = SearchForm {
            q: Some(" 11010519491231002x ".into()),
            ..Default::default()
        };
        let s = Search::read(&form, at("2026-12-03"));
        assert_eq!(s.filter.resident_id.as_deref(), Some("11010519491231002X"));
        assert_eq!(s.filter.msisdn, None);
    }

    #[test]
    fn a_mistyped_id_number_is_named_as_such() {
        assert_eq!(identify("11010519491231002X").map(|_| ()), Ok(()));
        assert_eq!(
            identify("110105194912310021"),
            Err("search_bad_check_digit")
        );
        assert_eq!(
            identify("110105194913310021").map(|_| ()).unwrap_err(),
            "search_bad_birth_date"
        );
        assert_eq!(identify("张三"), Err("search_unrecognised"));
    }

    #[test]
    fn values_that_do_not_parse_are_reported_and_ignored() {
        let form = SearchForm {
            from: Some("yesterday".into()),
            to: Some("2026-13-40".into()),
            min_level: Some("9".into()),
            fraud_type: Some("no such type".into()),
            source: Some("rumour".into()),
            status: Some("maybe".into()),
            q: Some("张三".into()),
            ..Default::default()
        };
        let s = Search::read(&form, at("2026-12-03"));
        assert_eq!(s.filter, WarningFilter::default());
        assert_eq!(
            s.problems,
            [
                "search_bad_date",
                "search_bad_date",
                "col_level",
                "col_fraud_type",
                "col_source",
                "col_status",
                "search_unrecognised"
            ]
        );
    }
}
