//! Service-level deadlines per warning level (DESIGN.md defaults, configurable).

use crate::level::WarningLevel;
use serde::{Deserialize, Serialize};

const MINUTE_MS: i64 = 60_000;

/// Minutes allowed, counted from issue, for each step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTimes {
    pub sign_min: u32,
    pub first_contact_min: u32,
    pub close_min: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub red: SlaTimes,
    pub orange: SlaTimes,
    pub yellow: SlaTimes,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        SlaPolicy {
            red: SlaTimes {
                sign_min: 5,
                first_contact_min: 15,
                close_min: 120,
            },
            orange: SlaTimes {
                sign_min: 30,
                first_contact_min: 120,
                close_min: 24 * 60,
            },
            yellow: SlaTimes {
                sign_min: 4 * 60,
                first_contact_min: 24 * 60,
                close_min: 72 * 60,
            },
        }
    }
}

impl SlaPolicy {
    pub fn times(&self, level: WarningLevel) -> SlaTimes {
        match level {
            WarningLevel::Red => self.red,
            WarningLevel::Orange => self.orange,
            WarningLevel::Yellow => self.yellow,
        }
    }

    /// Deadlines for an instruction of `level` issued (or raised to `level`) at `from_ms`.
    pub fn deadlines(&self, level: WarningLevel, from_ms: i64) -> Deadlines {
        let t = self.times(level);
        Deadlines {
            sign_by: from_ms + i64::from(t.sign_min) * MINUTE_MS,
            contact_by: from_ms + i64::from(t.first_contact_min) * MINUTE_MS,
            close_by: from_ms + i64::from(t.close_min) * MINUTE_MS,
        }
    }
}

/// The three deadlines of an instruction, epoch ms UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    pub sign_by: i64,
    pub contact_by: i64,
    pub close_by: i64,
}

impl Deadlines {
    /// A level raise never extends a deadline: each becomes the earlier of the two.
    pub fn tightened(self, other: Deadlines) -> Deadlines {
        Deadlines {
            sign_by: self.sign_by.min(other.sign_by),
            contact_by: self.contact_by.min(other.contact_by),
            close_by: self.close_by.min(other.close_by),
        }
    }

    pub fn of(&self, kind: SlaKind) -> i64 {
        match kind {
            SlaKind::Sign => self.sign_by,
            SlaKind::FirstContact => self.contact_by,
            SlaKind::Close => self.close_by,
        }
    }
}

/// Which deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaKind {
    Sign,
    FirstContact,
    Close,
}

impl SlaKind {
    pub const ALL: [SlaKind; 3] = [SlaKind::Sign, SlaKind::FirstContact, SlaKind::Close];

    pub fn zh(self) -> &'static str {
        match self {
            SlaKind::Sign => "签收超时",
            SlaKind::FirstContact => "首次联系超时",
            SlaKind::Close => "办结超时",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_defaults_follow_the_design_table() {
        let d = SlaPolicy::default().deadlines(WarningLevel::Red, 0);
        assert_eq!(d.sign_by, 5 * MINUTE_MS);
        assert_eq!(d.contact_by, 15 * MINUTE_MS);
        assert_eq!(d.close_by, 120 * MINUTE_MS);
    }

    #[test]
    fn raising_a_level_never_extends_a_deadline() {
        let p = SlaPolicy::default();
        let yellow = p.deadlines(WarningLevel::Yellow, 0);
        let red_later = p.deadlines(WarningLevel::Red, 10 * MINUTE_MS);
        let t = yellow.tightened(red_later);
        assert_eq!(t.sign_by, 15 * MINUTE_MS);
        assert!(t.close_by <= yellow.close_by && t.close_by <= red_later.close_by);
    }
}
