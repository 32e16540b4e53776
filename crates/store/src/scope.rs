//! Org scoping: which part of the org tree a reader may see.
//!
//! Every repository method that reads personal data takes a `&Scope`, so a query without one
//! does not compile. A `Scope` is obtained from the store ([`crate::units::Units::scope`]),
//! which checks that the unit exists and records its materialised path; the whole platform is
//! a deliberate, separately named choice ([`Scope::platform`]).

use crate::sql::Sql;

/// The part of the org tree a reader may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// Everything, including records whose unit is not (yet) in the org tree.
    Platform,
    /// One unit and all units below it.
    Subtree { unit_code: String, path: String },
}

impl Scope {
    /// The whole platform: for administrators and the center's own analysts.
    pub fn platform() -> Scope {
        Scope {
            kind: Kind::Platform,
        }
    }

    /// A unit's subtree; `path` is the unit's materialised path (`/33/3302/330281/`).
    pub(crate) fn subtree(unit_code: String, path: String) -> Scope {
        Scope {
            kind: Kind::Subtree { unit_code, path },
        }
    }

    /// The unit at the top of the scope; `None` for the whole platform.
    pub fn unit_code(&self) -> Option<&str> {
        match &self.kind {
            Kind::Platform => None,
            Kind::Subtree { unit_code, .. } => Some(unit_code),
        }
    }

    /// Whether a unit with this materialised path lies inside the scope.
    pub fn contains_path(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Platform => true,
            Kind::Subtree { path: root, .. } => path.starts_with(root.as_str()),
        }
    }

    /// Appends an SQL condition that holds when the unit code in `unit_column` lies inside the
    /// scope. Subtrees are a range scan on the path index: every path below `/a/b/` sorts
    /// between `/a/b/` and `/a/b0` because `'/'` directly precedes `'0'` and codes are
    /// alphanumeric.
    pub(crate) fn push_condition(&self, sql: &mut Sql<'_>, unit_column: &str) {
        match &self.kind {
            Kind::Platform => {
                sql.push("1 = 1");
            }
            Kind::Subtree { path, .. } => {
                let (lo, hi) = path_range(path);
                sql.push(unit_column)
                    .push(" IN (SELECT code FROM org_units WHERE path >= ")
                    .arg(lo)
                    .push(" AND path < ")
                    .arg(hi)
                    .push(")");
            }
        }
    }
}

/// `[lo, hi)` holding exactly the paths at or below `path` (which ends in `/`).
pub(crate) fn path_range(path: &str) -> (String, String) {
    let stem = path.strip_suffix('/').unwrap_or(path);
    (path.to_string(), format!("{stem}0"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn platform_sees_every_path() {
        assert!(Scope::platform().contains_path("/11/"));
        assert_eq!(Scope::platform().unit_code(), None);
    }

    #[test]
    fn subtree_stops_at_siblings_sharing_a_prefix() {
        let s = Scope::subtree("3302".into(), "/33/3302/".into());
        assert!(s.contains_path("/33/3302/"));
        assert!(s.contains_path("/33/3302/330281/"));
        assert!(!s.contains_path("/33/33021/"));
        assert!(!s.contains_path("/33/3303/"));
    }

    proptest! {
        /// The SQL range and the in-memory check agree on every alphanumeric path.
        #[test]
        fn range_matches_prefix(root in "[0-9A-Za-z]{1,6}", other in "(/[0-9A-Za-z]{1,6}){1,4}/") {
            let path = format!("/33/{root}/");
            let (lo, hi) = path_range(&path);
            let candidate = format!("/33{other}");
            let in_range = candidate.as_str() >= lo.as_str() && candidate.as_str() < hi.as_str();
            prop_assert_eq!(in_range, candidate.starts_with(&path));
        }
    }
}
