//! The fields a record file can carry, and which record kind needs which of them.

use serde::Serialize;

/// A column's meaning once its header has been mapped (see `aliases.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    IdNumber,
    Name,
    Phone,
    Address,
    VillageCode,
    Employer,
    PublicSector,
    /// Registered on the national anti-fraud app (国家反诈中心APP).
    AppRegistered,
    /// Signed up for 金钟罩 joint defense (warnings also go to the resident's guardians).
    JointDefense,
    OpenedAt,
    AccountNo,
    Bank,
    OpenedDivision,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::IdNumber,
        Field::Name,
        Field::Phone,
        Field::Address,
        Field::VillageCode,
        Field::Employer,
        Field::PublicSector,
        Field::AppRegistered,
        Field::JointDefense,
        Field::OpenedAt,
        Field::AccountNo,
        Field::Bank,
        Field::OpenedDivision,
    ];

    /// The canonical (English, snake_case) name, as in `aliases.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::IdNumber => "id_number",
            Field::Name => "name",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::VillageCode => "village_code",
            Field::Employer => "employer",
            Field::PublicSector => "public_sector",
            Field::AppRegistered => "app_registered",
            Field::JointDefense => "joint_defense",
            Field::OpenedAt => "opened_at",
            Field::AccountNo => "account_no",
            Field::Bank => "bank",
            Field::OpenedDivision => "opened_division",
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which records a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Residents: keyed by resident ID number.
    People,
    /// Phone numbers (SIM cards): keyed by the number.
    Phones,
    /// Bank accounts / cards: keyed by the account number.
    Accounts,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::People => "people",
            RecordKind::Phones => "phones",
            RecordKind::Accounts => "accounts",
        }
    }

    /// The fields this kind reads, in order, with whether each is required.
    pub fn fields(self) -> &'static [(Field, Presence)] {
        use Presence::{Optional, Required};
        match self {
            RecordKind::People => &[
                (Field::IdNumber, Required),
                (Field::Name, Required),
                (Field::Phone, Optional),
                (Field::Address, Optional),
                (Field::VillageCode, Optional),
                (Field::Employer, Optional),
                (Field::PublicSector, Optional),
                (Field::AppRegistered, Optional),
                (Field::JointDefense, Optional),
            ],
            RecordKind::Phones => &[
                (Field::Phone, Required),
                (Field::IdNumber, Optional),
                (Field::OpenedAt, Optional),
            ],
            RecordKind::Accounts => &[
                (Field::AccountNo, Required),
                (Field::IdNumber, Optional),
                (Field::Bank, Optional),
                (Field::OpenedAt, Optional),
                (Field::OpenedDivision, Optional),
            ],
        }
    }

    /// The field that identifies a record (its natural key).
    pub fn key_field(self) -> Field {
        match self {
            RecordKind::People => Field::IdNumber,
            RecordKind::Phones => Field::Phone,
            RecordKind::Accounts => Field::AccountNo,
        }
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a column must be present in the header (and non-empty in each row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
}
