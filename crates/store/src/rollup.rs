//! Figures entered by hand at several levels of the org tree (刑事案件立案数, operators'
//! interception counts): a unit's own entry stands for its whole subtree, and a unit without one
//! counts the entries below it — so one county may enter its total while another county's
//! stations enter theirs, and nothing is counted twice.

use std::collections::HashSet;
use std::hash::Hash;

/// For each `(unit path, key)` entry, whether it counts: no other entry with the same key lies
/// on a unit above it.
pub(crate) fn outermost<K: Hash + Eq>(entries: &[(String, K)]) -> Vec<bool> {
    let present: HashSet<(&str, &K)> = entries.iter().map(|(p, k)| (p.as_str(), k)).collect();
    entries
        .iter()
        .map(|(path, key)| {
            // Every proper ancestor of `/a/b/c/` is a prefix ending at one of its inner slashes.
            !path
                .char_indices()
                .filter(|&(i, c)| c == '/' && i > 0 && i + 1 < path.len())
                .any(|(i, _)| present.contains(&(&path[..=i], key)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_above_covers_those_below_with_the_same_key_only() {
        let e = |p: &str, k: i64| (p.to_string(), k);
        assert_eq!(
            outermost(&[
                e("/3302/330281/", 1),
                e("/3302/330281/330281001/", 1),
                e("/3302/330281/330281001/", 2),
                e("/3302/33028/", 1),
                e("/3302/330282/330282001/", 1),
            ]),
            vec![true, false, true, true, true]
        );
    }
}
