//! Which unit gets a new instruction: the deepest unit of the org tree that owns the person's
//! residence (village/community → township/station → county → city); the center when the
//! residence is unknown or outside the tree.

use crate::level::WarningLevel;
use serde::{Deserialize, Serialize};

/// What routing needs to know of the org tree (implemented by the store and by test trees).
pub trait OrgTree {
    /// Whether a unit with this code exists.
    fn contains(&self, code: &str) -> bool;
    /// The parent unit's code; None at the root.
    fn parent(&self, code: &str) -> Option<String>;
}

/// Per-level choice of 二次研判 (secondary analysis at the center before push-down).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingPolicy {
    /// The center's own unit: receives instructions with unknown residence and reviews.
    pub center_unit: String,
    pub review_red: bool,
    pub review_orange: bool,
    pub review_yellow: bool,
    /// Issue to the commanding unit above the owner — the nearest enclosing unit whose code
    /// has at most this many digits (6: the county bureau), which signs and pushes it down
    /// (市、县、乡、村四级联防). `None` issues straight to the owning unit.
    pub issue_at_code_len: Option<usize>,
}

impl RoutingPolicy {
    /// Red goes straight down; orange and yellow are reviewed by the center first.
    pub fn new(center_unit: impl Into<String>) -> Self {
        RoutingPolicy {
            center_unit: center_unit.into(),
            review_red: false,
            review_orange: true,
            review_yellow: true,
            issue_at_code_len: Some(6),
        }
    }

    pub fn needs_review(&self, level: WarningLevel) -> bool {
        match level {
            WarningLevel::Red => self.review_red,
            WarningLevel::Orange => self.review_orange,
            WarningLevel::Yellow => self.review_yellow,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The unit that will act on the instruction first.
    pub unit: String,
    /// The unit owning the residence, where the instruction should end up (the suggested
    /// target of a push-down).
    pub owner: String,
    /// Reviewed at the center first; the instruction is held there until approved.
    pub review: bool,
    /// The residence could not be placed in the tree.
    pub unplaced: bool,
}

/// Routes a warning of `level` for a person living in division `residence` (2–12 digits).
pub fn route(
    residence: Option<&str>,
    level: WarningLevel,
    tree: &impl OrgTree,
    policy: &RoutingPolicy,
) -> Route {
    let owner = residence.and_then(|code| owning_unit(code, tree));
    let review = policy.needs_review(level);
    match owner {
        Some(owner) => Route {
            unit: commanding_unit(&owner, tree, policy.issue_at_code_len),
            owner,
            review,
            unplaced: false,
        },
        None => Route {
            unit: policy.center_unit.clone(),
            owner: policy.center_unit.clone(),
            review,
            unplaced: true,
        },
    }
}

/// The nearest unit at or above `owner` whose code has at most `max_len` digits (the owner when
/// it is already that high, or when no such ancestor exists).
fn commanding_unit(owner: &str, tree: &impl OrgTree, max_len: Option<usize>) -> String {
    let Some(max_len) = max_len else {
        return owner.to_string();
    };
    let mut unit = owner.to_string();
    while unit.len() > max_len {
        match tree.parent(&unit) {
            Some(parent) => unit = parent,
            None => return owner.to_string(),
        }
    }
    unit
}

/// The residence code itself if it is a unit, else the nearest enclosing unit, by cutting the
/// code to the next shorter division level (12 → 9 → 6 → 4 → 2 digits).
fn owning_unit(code: &str, tree: &impl OrgTree) -> Option<String> {
    let code = code.trim();
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Padded forms (330281000000) name the same unit as their significant prefix.
    let significant = significant_prefix(code);
    [12usize, 9, 6, 4, 2]
        .into_iter()
        .filter(|&len| len <= significant.len())
        .map(|len| &significant[..len])
        .find(|c| tree.contains(c))
        .map(str::to_string)
}

fn significant_prefix(code: &str) -> &str {
    let mut s = code;
    for (len, zeros) in [(12usize, 3usize), (9, 3), (6, 2), (4, 2)] {
        if s.len() == len && s[len - zeros..].bytes().all(|b| b == b'0') {
            s = &s[..len - zeros];
        }
    }
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A small tree: 3302 宁波市 → 330281 余姚市 → 330281001 阳明街道 → 330281001001 某社区.
    pub struct TestTree(pub BTreeMap<String, Option<String>>);

    impl TestTree {
        pub fn yuyao() -> Self {
            let mut m = BTreeMap::new();
            m.insert("3302".into(), None);
            m.insert("330281".into(), Some("3302".into()));
            m.insert("330281001".into(), Some("330281".into()));
            m.insert("330281001001".into(), Some("330281001".into()));
            m.insert("330281002".into(), Some("330281".into()));
            TestTree(m)
        }
    }

    impl OrgTree for TestTree {
        fn contains(&self, code: &str) -> bool {
            self.0.contains_key(code)
        }
        fn parent(&self, code: &str) -> Option<String> {
            self.0.get(code).cloned().flatten()
        }
    }

    fn direct(center: &str) -> RoutingPolicy {
        RoutingPolicy {
            issue_at_code_len: None,
            ..RoutingPolicy::new(center)
        }
    }

    #[test]
    fn a_known_village_owns_its_residents() {
        let r = route(
            Some("330281001001"),
            WarningLevel::Red,
            &TestTree::yuyao(),
            &direct("3302"),
        );
        assert_eq!(
            r,
            Route {
                unit: "330281001001".into(),
                owner: "330281001001".into(),
                review: false,
                unplaced: false
            }
        );
    }

    #[test]
    fn by_default_the_county_receives_and_the_village_is_the_target() {
        let r = route(
            Some("330281001001"),
            WarningLevel::Red,
            &TestTree::yuyao(),
            &RoutingPolicy::new("3302"),
        );
        assert_eq!(r.unit, "330281");
        assert_eq!(r.owner, "330281001001");
        // A residence known only to the city stays with the city.
        let r = route(
            Some("3302"),
            WarningLevel::Red,
            &TestTree::yuyao(),
            &RoutingPolicy::new("3302"),
        );
        assert_eq!((r.unit.as_str(), r.owner.as_str()), ("3302", "3302"));
    }

    #[test]
    fn an_unknown_village_goes_to_its_township() {
        let r = route(
            Some("330281002777"),
            WarningLevel::Red,
            &TestTree::yuyao(),
            &direct("3302"),
        );
        assert_eq!(r.unit, "330281002");
    }

    #[test]
    fn padded_codes_name_the_same_unit() {
        let r = route(
            Some("330281000000"),
            WarningLevel::Red,
            &TestTree::yuyao(),
            &direct("3302"),
        );
        assert_eq!(r.unit, "330281");
    }

    #[test]
    fn unknown_or_foreign_residence_goes_to_the_center() {
        let p = RoutingPolicy::new("3302");
        for res in [None, Some(""), Some("abc"), Some("110101001001")] {
            let r = route(res, WarningLevel::Orange, &TestTree::yuyao(), &p);
            assert_eq!(r.unit, "3302");
            assert!(r.unplaced && r.review);
        }
    }

    #[test]
    fn review_is_configurable_per_level() {
        let mut p = RoutingPolicy::new("3302");
        assert!(!p.needs_review(WarningLevel::Red));
        assert!(p.needs_review(WarningLevel::Yellow));
        p.review_red = true;
        assert!(
            route(
                Some("330281001001"),
                WarningLevel::Red,
                &TestTree::yuyao(),
                &p
            )
            .review
        );
    }
}
