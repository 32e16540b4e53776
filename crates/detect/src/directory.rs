//! Who is who: phone numbers and accounts of the people stage 2 keys its state by. Loaded by the
//! caller from people / accounts data and extended by card-opening signals.

use crate::prefetch::PrefetchMap;
use fanzha_core::event::{AccountNo, Msisdn};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    phones: PrefetchMap<u64, u64>,
    accounts: FxHashMap<u64, u64>,
}

impl Directory {
    pub fn add_phone(&mut self, msisdn: Msisdn, person_id: u64) {
        self.phones.insert(msisdn.0, person_id);
    }

    pub fn add_account(&mut self, account: AccountNo, person_id: u64) {
        self.accounts.insert(account.0, person_id);
    }

    pub fn person_of_phone(&self, msisdn: Msisdn) -> Option<u64> {
        self.phones.get(&msisdn.0).copied()
    }

    /// Hints that the person of `msisdn` will be looked up soon. Never changes a result.
    #[inline]
    pub(crate) fn prefetch_phone(&self, msisdn: Msisdn) {
        self.phones.prefetch(&msisdn.0);
    }

    pub fn person_of_account(&self, account: AccountNo) -> Option<u64> {
        self.accounts.get(&account.0).copied()
    }

    pub fn phones(&self) -> usize {
        self.phones.len()
    }

    pub fn accounts(&self) -> usize {
        self.accounts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_what_was_added() {
        let mut d = Directory::default();
        d.add_phone(Msisdn(8613800000001), 7);
        d.add_account(AccountNo(6222000011112222), 7);
        assert_eq!(d.person_of_phone(Msisdn(8613800000001)), Some(7));
        assert_eq!(d.person_of_phone(Msisdn(8613800000002)), None);
        assert_eq!(d.person_of_account(AccountNo(6222000011112222)), Some(7));
        assert_eq!((d.phones(), d.accounts()), (1, 1));
    }
}
