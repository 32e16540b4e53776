//! 银行反诈数据: entered per bank, unit and month — a liaison for its own bank only, a bank of
//! the reference table only — a unit's own entry standing for its subtree, totalled per bank,
//! removed by an empty entry, audited with the figures before.

use crate::fixtures::{audits, with_tree};
use fanzha_store::*;

/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;

fn counts(dissuaded: i64, yuan: i64, sms: i64) -> BankCounts {
    BankCounts {
        dissuaded,
        dissuaded_fen: yuan * 100,
        awareness_sms: sms,
        awareness_calls: 0,
    }
}

pub async fn bank_figures_roll_up_without_counting_twice(store: &Store) {
    with_tree(store).await;
    let f = store.bank_figures();
    let city = store.units().scope("3302").await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let icbc = BankEnterer::Bank("ICBC".into());
    // ICBC: 余姚's two townships in January, and 余姚 itself in February; ABC: the city itself.
    for (who, bank, unit, month, c) in [
        (&icbc, "ICBC", "330281001", 202701, counts(3, 50_000, 4_000)),
        (&icbc, "ICBC", "330281002", 202701, counts(1, 8_000, 1_000)),
        (&icbc, "ICBC", "330281", 202612, counts(2, 10_000, 0)),
        (
            &BankEnterer::Police,
            "ABC",
            "3302",
            202701,
            counts(5, 90_000, 0),
        ),
    ] {
        let scope = if unit == "3302" { &city } else { &yuyao };
        f.set(scope, who, bank, unit, month, Some(c), "liaison", T0)
            .await
            .unwrap();
    }
    // 余姚's own January entry for ICBC stands for its townships.
    f.set(
        &yuyao,
        &icbc,
        "ICBC",
        "330281",
        202701,
        Some(BankCounts {
            awareness_calls: 30,
            ..counts(6, 70_000, 6_000)
        }),
        "liaison",
        T0,
    )
    .await
    .unwrap();

    let jan = f.totals(&yuyao, 202701, 202701).await.unwrap();
    assert_eq!(
        jan.of("ICBC").dissuaded,
        6,
        "余姚's own entry, not 3 + 1 + 6"
    );
    assert_eq!(jan.of("ICBC").awareness_calls, 30);
    assert_eq!(
        jan.of("ABC"),
        BankCounts::default(),
        "the city's entry is above 余姚"
    );
    let year = f.totals(&city, 202612, 202701).await.unwrap();
    assert_eq!(
        year.by_bank
            .iter()
            .map(|(b, _)| b.as_str())
            .collect::<Vec<_>>(),
        ["ABC", "ICBC"]
    );
    assert_eq!(year.total.dissuaded, 5 + 6 + 2);
    assert_eq!(year.total.dissuaded_fen, (90_000 + 70_000 + 10_000) * 100);
    assert_eq!(year.months, [202612, 202701]);
    // Month by month from one read: each the same as that month's own totals.
    let monthly = f.monthly_totals(&city, 202611, 202702).await.unwrap();
    assert_eq!(
        monthly.keys().copied().collect::<Vec<_>>(),
        [202612, 202701]
    );
    for (month, t) in &monthly {
        assert_eq!(
            *t,
            f.totals(&city, *month, *month).await.unwrap(),
            "{month}"
        );
    }
    // A township reads its own entry only.
    let township = store.units().scope("330281001").await.unwrap();
    assert_eq!(
        f.totals(&township, 202701, 202701).await.unwrap().total,
        counts(3, 50_000, 4_000)
    );
    assert_eq!(f.entries(&yuyao, 202701, 202701).await.unwrap().len(), 3);

    // Refused: another bank's figures by a liaison, an unknown bank, a future month, a negative
    // count, money without anyone dissuaded, a unit outside the scope.
    let refused = [
        (icbc.clone(), "ABC", "330281", 202701, counts(1, 1, 0)),
        (
            BankEnterer::Police,
            "NOBANK",
            "330281",
            202701,
            counts(1, 1, 0),
        ),
        (
            BankEnterer::Police,
            "ICBC",
            "330281",
            202702,
            counts(1, 1, 0),
        ),
        (
            BankEnterer::Police,
            "ICBC",
            "330281",
            202701,
            counts(-1, 0, 0),
        ),
        (
            BankEnterer::Police,
            "ICBC",
            "330281",
            202701,
            counts(0, 5, 0),
        ),
        (
            BankEnterer::Police,
            "ICBC",
            "330282",
            202701,
            counts(1, 1, 0),
        ),
    ];
    for (who, bank, unit, month, c) in refused {
        let err = f
            .set(&yuyao, &who, bank, unit, month, Some(c), "x", T0)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::DutySeparated { .. }
                    | StoreError::Invalid { .. }
                    | StoreError::NotFound { .. }
            ),
            "{bank} {unit} {month}: {err:?}"
        );
    }
    assert_eq!(f.entries(&city, 200001, 210012).await.unwrap().len(), 5);

    // An empty entry removes it; the audit keeps what was there.
    f.set(&yuyao, &icbc, "ICBC", "330281", 202612, None, "liaison", T0)
        .await
        .unwrap();
    assert_eq!(
        f.totals(&yuyao, 202612, 202612).await.unwrap().total,
        BankCounts::default()
    );
    assert_eq!(audits(store, "bank_figures_set").await, 6);
    let trail = store
        .audit()
        .for_target(&yuyao, "unit", "330281")
        .await
        .unwrap();
    let removal = trail
        .iter()
        .find(|e| e.action == "bank_figures_set" && e.detail["counts"].is_null())
        .expect("the removal is audited");
    assert_eq!(removal.detail["before"]["dissuaded"], 2);
}
