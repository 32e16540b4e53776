//! Who is calling: the logged-in user's identity, unit and roles.

use fanzha_store::{Operator, Role, User};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub login: String,
    pub display_name: String,
    /// The user's unit; everything they see lies in its subtree.
    pub unit_code: String,
    pub roles: Vec<Role>,
    /// Bank liaisons see their bank's stop-payments only.
    pub bank_code: Option<String>,
    /// Operator liaisons see the number disposals addressed to their operator only.
    pub operator: Option<Operator>,
    /// Member liaisons see and report the tasks of this joint-office member only.
    pub joint_member: Option<i64>,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

impl From<User> for Principal {
    fn from(u: User) -> Self {
        Principal {
            login: u.login,
            display_name: u.display_name,
            unit_code: u.unit_code,
            roles: u.roles,
            joint_member: u.joint_member,
            bank_code: u.bank_code,
            operator: u.operator.as_deref().and_then(Operator::parse),
        }
    }
}
