//! Rules as data: a TOML file of named rules, each a CEL condition over the stage-2 features
//! ([`PersonFeatures`]), a warning level, a fraud-type hint and descriptions in Chinese and
//! English. Conditions are compiled once when the file is loaded and checked before the rule
//! set replaces the one in force.
//!
//! ```toml
//! [[rule]]
//! name = "suspect_call_then_screen_share"
//! level = 1
//! fraud_type = "冒充公检法"
//! weight = 0.95
//! when = "longest_suspect_call_s >= 300 && screen_share_after_contact"
//! zh = "与涉诈号码长时间通话后安装屏幕共享软件"
//! en = "Long call with a suspect number, then a screen-sharing app installed"
//! ```

use crate::error::DetectError;
use crate::features::{FeatureValue, PersonFeatures};
use cel_interpreter::objects::Value;
use cel_interpreter::{Context, Program};
use serde::Deserialize;

/// The rule set compiled into the binary (`rules/default.toml`).
pub const DEFAULT_RULES: &str = include_str!("../../../rules/default.toml");

/// At most this many rules, so a person's fired rules fit one `u64`.
pub const MAX_RULES: usize = 64;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    name: String,
    level: u8,
    #[serde(default)]
    fraud_type: Option<String>,
    #[serde(default)]
    weight: Option<f32>,
    when: String,
    zh: String,
    en: String,
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub name: String,
    /// 1 red, 2 orange, 3 yellow.
    pub level: u8,
    pub fraud_type: Option<String>,
    /// Contribution to the warning score: score = 1 − Π(1 − weight) over fired rules.
    pub weight: f32,
    pub when: String,
    pub zh: String,
    pub en: String,
    /// Feature names the condition reads (the evidence shown when it fires).
    pub features: Vec<&'static str>,
    program: Program,
}

/// A validated, compiled rule set.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Union of every rule's features: only these are put into the evaluation context.
    used: Vec<&'static str>,
}

fn default_weight(level: u8) -> f32 {
    match level {
        1 => 0.9,
        2 => 0.7,
        _ => 0.4,
    }
}

fn to_value(v: FeatureValue) -> Value {
    match v {
        FeatureValue::Bool(b) => Value::Bool(b),
        FeatureValue::Int(i) => Value::Int(i),
        FeatureValue::Float(x) => Value::Float(x),
    }
}

impl RuleSet {
    /// Parses, compiles and validates a rules file. Nothing is returned unless every rule is
    /// valid: names unique and snake_case, level 1–3, weight in (0, 1], a condition that
    /// compiles, reads only known features, calls no functions and yields a boolean.
    pub fn parse(text: &str) -> Result<RuleSet, DetectError> {
        let file: RulesFile =
            toml::from_str(text).map_err(|e| DetectError::RulesFile(e.to_string()))?;
        if file.rule.len() > MAX_RULES {
            return Err(DetectError::RulesFile(format!(
                "{} rules; at most {MAX_RULES}",
                file.rule.len()
            )));
        }
        let mut rules: Vec<Rule> = Vec::with_capacity(file.rule.len());
        for spec in file.rule {
            let invalid = |reason: String| DetectError::RuleInvalid {
                rule: spec.name.clone(),
                reason,
            };
            if spec.name.is_empty()
                || !spec
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(invalid("name must be snake_case ASCII".into()));
            }
            if rules.iter().any(|r| r.name == spec.name) {
                return Err(invalid("name used twice".into()));
            }
            if !(1..=3).contains(&spec.level) {
                return Err(invalid(format!(
                    "level {} (use 1 red, 2 orange, 3 yellow)",
                    spec.level
                )));
            }
            let weight = spec.weight.unwrap_or_else(|| default_weight(spec.level));
            if !(weight > 0.0 && weight <= 1.0) {
                return Err(invalid(format!("weight {weight} is not in (0, 1]")));
            }
            if spec.zh.trim().is_empty() || spec.en.trim().is_empty() {
                return Err(invalid("zh and en descriptions are required".into()));
            }
            let program = compile(&spec.when).map_err(&invalid)?;
            let refs = program.references();
            // Operators appear as functions named `_op_`; anything else is a function call.
            if let Some(f) = refs.functions().into_iter().find(|f| !f.starts_with('_')) {
                return Err(invalid(format!(
                    "calls function `{f}`; conditions use operators only"
                )));
            }
            let mut features = Vec::new();
            for v in refs.variables() {
                match PersonFeatures::NAMES.iter().find(|(n, _)| *n == v) {
                    Some((n, _)) => features.push(*n),
                    None => return Err(invalid(format!("unknown feature `{v}`"))),
                }
            }
            features.sort_unstable();
            features.dedup();
            let rule = Rule {
                name: spec.name.clone(),
                level: spec.level,
                fraud_type: spec.fraud_type.filter(|s| !s.trim().is_empty()),
                weight,
                when: spec.when.clone(),
                zh: spec.zh.clone(),
                en: spec.en.clone(),
                features,
                program,
            };
            // A condition must give a boolean whatever the features are; try the extremes.
            for probe in [PersonFeatures::default(), probe_high()] {
                match rule.check(&probe) {
                    Ok(_) => {}
                    Err(e) => return Err(invalid(e)),
                }
            }
            rules.push(rule);
        }
        let mut used: Vec<&'static str> = rules.iter().flat_map(|r| r.features.clone()).collect();
        used.sort_unstable();
        used.dedup();
        Ok(RuleSet { rules, used })
    }

    /// The rule set shipped with fanzha.
    pub fn default_rules() -> Result<RuleSet, DetectError> {
        RuleSet::parse(DEFAULT_RULES)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules that fire for `f`, as a bit mask over [`RuleSet::rules`], and how many
    /// conditions failed to evaluate (counted, treated as not firing).
    pub fn evaluate(&self, f: &PersonFeatures) -> (u64, u32) {
        let mut ctx = Context::empty();
        for name in &self.used {
            if let Some(v) = f.get(name) {
                ctx.add_variable_from_value(*name, to_value(v));
            }
        }
        let mut fired = 0u64;
        let mut errors = 0u32;
        for (i, r) in self.rules.iter().enumerate() {
            match r.program.execute(&ctx) {
                Ok(Value::Bool(true)) => fired |= 1 << i,
                Ok(Value::Bool(false)) => {}
                _ => errors += 1,
            }
        }
        (fired, errors)
    }
}

impl Rule {
    /// Evaluates this rule alone; `Err` says why it did not give a boolean.
    pub fn check(&self, f: &PersonFeatures) -> Result<bool, String> {
        let mut ctx = Context::empty();
        for name in &self.features {
            if let Some(v) = f.get(name) {
                ctx.add_variable_from_value(*name, to_value(v));
            }
        }
        match self.program.execute(&ctx) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "condition gives {:?}, not a boolean",
                other.type_of()
            )),
            Err(e) => Err(format!("condition fails to evaluate: {e}")),
        }
    }
}

/// Compiles a condition. The CEL parser panics on some malformed input instead of returning an
/// error; that is caught here so a bad rules file is a `rule_invalid`, never a crash.
fn compile(when: &str) -> Result<Program, String> {
    match std::panic::catch_unwind(|| Program::compile(when)) {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(format!("condition does not parse: {e}")),
        Err(_) => Err("condition does not parse".to_string()),
    }
}

/// Every feature at a large value, so that both branches of typical conditions are exercised.
fn probe_high() -> PersonFeatures {
    PersonFeatures {
        suspect_contacts: 5,
        suspect_calls: 9,
        longest_suspect_call_s: 3_600,
        total_suspect_call_s: 7_200,
        longest_suspect_call_score: 0.9,
        max_suspect_score: 1.0,
        minutes_since_suspect_contact: 30,
        suspect_link_sms: 3,
        remote_contacts: 2,
        longest_remote_call_s: 3_600,
        remote_call_before_app_s: 3_600,
        longest_stranger_call_s: 3_600,
        longest_stranger_call_before_app_s: 3_600,
        screen_share_after_contact: true,
        remote_control_after_contact: true,
        investment_app_after_contact: true,
        loan_app_after_contact: true,
        minutes_contact_to_risky_app: 10,
        risky_app_after_stranger: true,
        fraud_link_opened: true,
        opened_stranger_link: true,
        fraud_domain_visits: 2,
        new_payee_transfers_after_contact: 2,
        new_payee_fen_after_contact: 10_000_000,
        new_payee_fen_within_24h_of_contact: 10_000_000,
        new_payee_fen_after_stranger: 10_000_000,
        national_push_level: 1,
        prior_warnings: 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(when: &str) -> String {
        format!(
            "[[rule]]\nname = \"r\"\nlevel = 2\nwhen = '''{when}'''\nzh = \"测试\"\nen = \"test\"\n"
        )
    }

    #[test]
    fn default_rules_are_valid() {
        let rs = RuleSet::default_rules().expect("shipped rules compile");
        assert!(rs.len() >= 8);
        for r in rs.rules() {
            assert!(!r.features.is_empty(), "rule {} reads no feature", r.name);
        }
    }

    #[test]
    fn fires_on_the_features_it_names() {
        let rs = RuleSet::parse(&one(
            "longest_suspect_call_s >= 300 && screen_share_after_contact",
        ))
        .unwrap();
        let mut f = PersonFeatures {
            longest_suspect_call_s: 600,
            ..Default::default()
        };
        assert_eq!(rs.evaluate(&f), (0, 0));
        f.screen_share_after_contact = true;
        assert_eq!(rs.evaluate(&f), (1, 0));
        assert_eq!(
            rs.rules()[0].features,
            vec!["longest_suspect_call_s", "screen_share_after_contact"]
        );
    }

    #[test]
    fn float_and_int_compare() {
        let rs = RuleSet::parse(&one("max_suspect_score >= 0.8 && suspect_contacts > 0")).unwrap();
        let f = PersonFeatures {
            max_suspect_score: 0.85,
            suspect_contacts: 1,
            ..Default::default()
        };
        assert_eq!(rs.evaluate(&f).0, 1);
    }

    #[test]
    fn unknown_feature_is_rule_invalid() {
        let e = RuleSet::parse(&one("no_such_thing > 1")).unwrap_err();
        assert!(matches!(e, DetectError::RuleInvalid { .. }), "{e}");
        assert!(e.to_string().contains("no_such_thing"));
    }

    #[test]
    fn syntax_error_is_rule_invalid() {
        let e = RuleSet::parse(&one("suspect_contacts >")).unwrap_err();
        assert!(matches!(e, DetectError::RuleInvalid { .. }), "{e}");
    }

    #[test]
    fn non_boolean_condition_is_rule_invalid() {
        let e = RuleSet::parse(&one("suspect_contacts + 1")).unwrap_err();
        assert!(e.to_string().contains("not a boolean"), "{e}");
    }

    #[test]
    fn function_calls_are_refused() {
        let e = RuleSet::parse(&one("size(\"x\") > 0")).unwrap_err();
        assert!(e.to_string().contains("function"), "{e}");
    }

    #[test]
    fn bad_level_duplicate_names_and_bad_toml_are_refused() {
        let bad_level = one("suspect_contacts > 0").replace("level = 2", "level = 4");
        assert!(RuleSet::parse(&bad_level).is_err());
        let twice = format!(
            "{}{}",
            one("suspect_contacts > 0"),
            one("suspect_contacts > 1")
        );
        assert!(RuleSet::parse(&twice)
            .unwrap_err()
            .to_string()
            .contains("twice"));
        assert!(matches!(
            RuleSet::parse("[[rule]\n").unwrap_err(),
            DetectError::RulesFile(_)
        ));
    }

    #[test]
    fn weight_defaults_by_level() {
        let rs = RuleSet::parse(&one("suspect_contacts > 0")).unwrap();
        assert!((rs.rules()[0].weight - 0.7).abs() < 1e-6);
    }
}
