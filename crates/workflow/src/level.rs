//! Warning levels: 1 red 红 (fraud in progress), 2 orange 橙, 3 yellow 黄.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    Red,
    Orange,
    Yellow,
}

impl WarningLevel {
    pub const ALL: [WarningLevel; 3] = [
        WarningLevel::Red,
        WarningLevel::Orange,
        WarningLevel::Yellow,
    ];

    /// The field's number: 1 red, 2 orange, 3 yellow.
    pub fn number(self) -> u8 {
        match self {
            WarningLevel::Red => 1,
            WarningLevel::Orange => 2,
            WarningLevel::Yellow => 3,
        }
    }

    pub fn from_number(n: u8) -> Option<WarningLevel> {
        match n {
            1 => Some(WarningLevel::Red),
            2 => Some(WarningLevel::Orange),
            3 => Some(WarningLevel::Yellow),
            _ => None,
        }
    }

    /// Red is more urgent than orange, orange than yellow.
    pub fn more_urgent_than(self, other: WarningLevel) -> bool {
        self.number() < other.number()
    }

    pub fn zh(self) -> &'static str {
        match self {
            WarningLevel::Red => "红色预警",
            WarningLevel::Orange => "橙色预警",
            WarningLevel::Yellow => "黄色预警",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_order_by_urgency() {
        for l in WarningLevel::ALL {
            assert_eq!(WarningLevel::from_number(l.number()), Some(l));
        }
        assert!(WarningLevel::Red.more_urgent_than(WarningLevel::Orange));
        assert!(!WarningLevel::Yellow.more_urgent_than(WarningLevel::Orange));
        assert_eq!(WarningLevel::from_number(0), None);
    }
}
