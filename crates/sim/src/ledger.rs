//! Account balances. Every transfer goes through here, in event-time order, so that no account
//! ever pays more than it holds and money is conserved (except cash-outs, which leave the
//! traceable graph).

use crate::records::AccountRecord;
use fanzha_core::event::AccountNo;
use std::collections::HashMap;

#[derive(Clone, Copy)]
struct Slot {
    balance: i64,
    number: AccountNo,
}

#[derive(Default)]
pub struct Ledger {
    pub accounts: Vec<AccountRecord>,
    /// Balance and number per account, side by side: a transfer reads and writes one slot per
    /// side instead of touching the whole record.
    slots: Vec<Slot>,
    /// Lookups only; never iterated, so its order cannot leak into the output.
    by_number: HashMap<u64, u32>,
}

impl Ledger {
    /// Adds an account and returns its index.
    pub fn open(&mut self, record: AccountRecord) -> u32 {
        let i = self.accounts.len() as u32;
        self.slots.push(Slot {
            balance: record.opening_balance_fen,
            number: record.account_no,
        });
        self.by_number.insert(record.account_no.0, i);
        self.accounts.push(record);
        i
    }

    #[inline]
    pub fn number(&self, i: u32) -> AccountNo {
        self.slots[i as usize].number
    }

    pub fn index_of(&self, n: AccountNo) -> Option<u32> {
        self.by_number.get(&n.0).copied()
    }

    pub fn balance(&self, i: u32) -> i64 {
        self.slots[i as usize].balance
    }

    /// Asks the processor to load account `i` ahead of a transfer (no effect on results).
    #[inline]
    pub fn prefetch(&self, i: u32) {
        fanzha_core::prefetch::slot(&self.slots, i as usize);
    }

    /// Moves up to `amount` fen (never more than `from` holds); returns what moved.
    /// `to = None` is a cash-out.
    pub fn transfer(&mut self, from: u32, to: Option<u32>, amount: i64) -> i64 {
        let moved = amount.min(self.slots[from as usize].balance).max(0);
        self.slots[from as usize].balance -= moved;
        if let Some(t) = to {
            self.slots[t as usize].balance += moved;
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
