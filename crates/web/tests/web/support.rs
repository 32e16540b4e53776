//! Scaffolding the test modules share.

use fanzha_store::{NewUnit, UnitLevel};
use fanzha_web::state::Clock;

/// A clock that stays where the test put it.
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.0
    }
}

/// An org unit whose division code is its own code padded to 12 digits.
pub fn unit(code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(format!("{code:0<12}")),
        population: None,
    }
}
