//! Domain types of fanzha and their validation.
//!
//! Architecture invariant: this crate depends on no other fanzha crate and does no I/O beyond
//! decompressing the reference tables compiled into it.

pub mod error_code;
pub mod event;
