//! The hot parsers allocate nothing once the reference tables are loaded: a counting global
//! allocator watches each parse on this thread.

use fanzha_core::bank_card::BankCard;
use fanzha_core::credit_code::CreditCode;
use fanzha_core::division_code::DivisionCode;
use fanzha_core::money::Money;
use fanzha_core::phone::PhoneNumber;
use fanzha_core::resident_id::ResidentId;
use fanzha_core::time::parse_timestamp;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|a| a.set(a.get() + 1));
        // SAFETY: forwards to the system allocator with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

#[test]
fn parsers_do_not_allocate() {
    // The counter sees allocations on this thread.
    assert_eq!(allocations(|| drop(black_box(vec![1u8]))), 1);
    // Load every table first (these allocate, once).
    let _ = PhoneNumber::parse("13800138000");
    let _ = ResidentId::parse("00000019900101991X");
    let _ = BankCard::parse("6228480123456789015");
    let _ = CreditCode::parse("91410102MA1ABCD03N");
    let _ = parse_timestamp("2026-01-02 03:04:05");

    let phones = [
        "13800138000",
        "+86 138-0013-8000",
        "0574-62345678",
        "96110",
        "+1 202 555 0123",
        "17001234567",
        "x",
        "",
    ];
    for s in phones {
        assert_eq!(
            allocations(|| {
                let _ = black_box(PhoneNumber::parse(s));
            }),
            0,
            "phone {s:?}"
        );
    }
    for s in [
        "11010519491231002X",
        "410102199001019990",
        "00000019900101991X",
        " 1",
    ] {
        assert_eq!(
            allocations(|| {
                let _ = black_box(ResidentId::parse(s));
            }),
            0,
            "id {s:?}"
        );
    }
    for s in [
        "6228480123456789015",
        "6228480123456789016",
        "62284801",
        "a",
    ] {
        assert_eq!(
            allocations(|| {
                let _ = black_box(BankCard::parse(s));
            }),
            0,
            "card {s:?}"
        );
    }
    for s in ["91410102MA1ABCD03N", "91410102MA1ABCD03P"] {
        assert_eq!(
            allocations(|| {
                let _ = black_box(CreditCode::parse(s));
            }),
            0,
            "code {s:?}"
        );
    }
    for s in ["1,234.56", "1.2万", "￥88.5", "abc"] {
        assert_eq!(
            allocations(|| {
                let _ = black_box(Money::parse(s));
            }),
            0,
            "money {s:?}"
        );
    }
    for s in [
        "2026-01-02 03:04:05",
        "20260102030405",
        "2026-01-01T19:04:05Z",
        "nope",
    ] {
        assert_eq!(
            allocations(|| {
                let _ = black_box(parse_timestamp(s));
            }),
            0,
            "time {s:?}"
        );
    }
    for s in ["330281", "33028100100x"] {
        assert_eq!(
            allocations(|| {
                let _ = black_box(DivisionCode::parse(s));
            }),
            0,
            "division {s:?}"
        );
    }
}
