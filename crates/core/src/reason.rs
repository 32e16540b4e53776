//! Row-level validation reasons: the short, stable `snake_case` words that say why one value was
//! rejected (`bad_luhn`, `bad_check_digit` …). They are what a quarantine entry and `fanzha check`
//! report; `docs/reasons.md` lists them all. The coarser [`crate::error_code::ErrorCode`] says which
//! kind of value failed.

/// Implemented by every validation error of this crate.
pub trait Reasoned {
    /// The stable reason code, e.g. `bad_check_digit`.
    fn reason(&self) -> &'static str;
}
