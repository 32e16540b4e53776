//! The id an upstream platform (国家反诈大数据平台, 东风, 长矛 …) gives a pushed warning: the
//! import checks it when reading a list (`fanzha-ingest`) and the store when keeping it on the
//! warning (`fanzha-store`), by this one rule.

/// The longest push id kept (characters).
pub const MAX_PUSH_ID_CHARS: usize = 64;

/// Whether a push id is acceptable: 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
pub fn valid_push_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_PUSH_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_ids_are_checked() {
        assert!(valid_push_id("GJ20260301-000123"));
        assert!(valid_push_id("a.b_c"));
        assert!(valid_push_id(&"9".repeat(MAX_PUSH_ID_CHARS)));
        assert!(!valid_push_id(""));
        assert!(!valid_push_id("有中文"));
        assert!(!valid_push_id("a b"));
        assert!(!valid_push_id(&"9".repeat(MAX_PUSH_ID_CHARS + 1)));
    }
}
