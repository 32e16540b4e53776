//! Domain types of fanzha and their validation.
//!
//! Raw strings become typed values at the edge: [`phone::PhoneNumber`], [`resident_id::ResidentId`],
//! [`credit_code::CreditCode`], [`bank_card::BankCard`], [`division_code::DivisionCode`],
//! [`money::Money`], timestamps ([`time`]). Every parser fails with a typed error that carries a
//! stable row-level reason ([`reason::Reasoned`], listed in `docs/reasons.md`) and maps to one
//! [`error_code::ErrorCode`] ([`error_code::Coded`]). Display masking lives in [`mask`].
//!
//! The reference tables (mobile number segments, administrative divisions down to villages,
//! historical address codes, bank BINs) are compiled in from `data/` and decompressed once, on
//! first use ([`reference`]).
//!
//! Architecture invariant: this crate depends on no other fanzha crate and does no I/O beyond
//! decompressing the reference tables compiled into it.

pub mod bank_card;
pub mod credit_code;
pub mod division_code;
pub mod error_code;
pub mod event;
pub mod fraud_type;
pub mod hotline;
pub mod mask;
pub mod money;
pub mod occupation;
pub mod phone;
pub mod prefetch;
pub mod push_id;
pub mod push_kind;
pub mod reason;
pub mod reference;
pub mod resident_id;
pub mod time;

pub mod apportion;
pub mod chars;
pub use chars::name_key;

pub use bank_card::BankCard;
pub use credit_code::CreditCode;
pub use division_code::{DivisionCode, DivisionLevel};
pub use fraud_type::FraudType;
pub use money::Money;
pub use occupation::Occupation;
pub use phone::{PhoneKind, PhoneNumber};
pub use push_kind::PushKind;
pub use reason::Reasoned;
pub use resident_id::{ResidentId, Sex};
