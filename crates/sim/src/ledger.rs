//! Account balances. Every transfer goes through here, in event-time order, so that no account
//! ever pays more than it holds and money is conserved (except cash-outs, which leave the
//! traceable graph).

use crate::records::AccountRecord;
use fanzha_core::event::AccountNo;
use std::collections::HashMap;

#[derive(Default)]
pub struct Ledger {
    pub accounts: Vec<AccountRecord>,
    balance: Vec<i64>,
    /// Lookups only; never iterated, so its order cannot leak into the output.
    by_number: HashMap<u64, u32>,
}

impl Ledger {
    /// Adds an account and returns its index.
    pub fn open(&mut self, record: AccountRecord) -> u32 {
        let i = self.accounts.len() as u32;
        self.balance.push(record.opening_balance_fen);
        self.by_number.insert(record.account_no.0, i);
        self.accounts.push(record);
        i
    }

    pub fn number(&self, i: u32) -> AccountNo {
        self.accounts[i as usize].account_no
    }

    pub fn index_of(&self, n: AccountNo) -> Option<u32> {
        self.by_number.get(&n.0).copied()
    }

    pub fn balance(&self, i: u32) -> i64 {
        self.balance[i as usize]
    }

    /// Moves up to `amount` fen (never more than `from` holds); returns what moved.
    /// `to = None` is a cash-out.
    pub fn transfer(&mut self, from: u32, to: Option<u32>, amount: i64) -> i64 {
        let moved = amount.min(self.balance[from as usize]).max(0);
        self.balance[from as usize] -= moved;
        if let Some(t) = to {
            self.balance[t as usize] += moved;
        }
        moved
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}
