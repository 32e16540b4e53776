//! Character folding shared by the parsers: full-width forms (common in Chinese input methods and
//! in spreadsheets exported from Chinese office software) are read as their ASCII counterparts.

/// Fold a full-width ASCII variant (U+FF01..=U+FF5E) or the ideographic space (U+3000) to ASCII;
/// every other character is returned unchanged.
#[inline]
pub(crate) fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Whitespace as the validators understand it (ASCII and Unicode, including U+3000).
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Where whitespace sits in a value, for the `whitespace` / `embedded_space` reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpaceAt {
    None,
    /// Leading or trailing only.
    Edge,
    /// Between two non-space characters.
    Inside,
}

pub(crate) fn space_at(s: &str) -> SpaceAt {
    // Fast path: ASCII without any whitespace (nearly every identifier in a file).
    if s.bytes().all(|b| b.is_ascii_graphic()) {
        return SpaceAt::None;
    }
    let trimmed = s.trim_matches(is_space);
    if trimmed.chars().any(is_space) {
        SpaceAt::Inside
    } else if trimmed.len() != s.len() {
        SpaceAt::Edge
    } else {
        SpaceAt::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_fold_to_ascii() {
        let s: String = "１３８－（＋）".chars().map(fold).collect();
        assert_eq!(s, "138-(+)");
        assert_eq!(fold('\u{3000}'), ' ');
        assert_eq!(fold('张'), '张');
    }

    #[test]
    fn space_position_is_classified() {
        assert_eq!(space_at("123"), SpaceAt::None);
        assert_eq!(space_at(" 123"), SpaceAt::Edge);
        assert_eq!(space_at("12 3"), SpaceAt::Inside);
        assert_eq!(space_at(" 12 3"), SpaceAt::Inside);
        assert_eq!(space_at(""), SpaceAt::None);
    }
}
