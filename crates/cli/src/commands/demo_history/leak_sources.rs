//! 订单信息泄露溯源 of the history: most of the fake customer-service cases have the order the
//! caller knew recorded after the victim was asked — platforms, shops and couriers as they
//! come — and behind several of them one courier outlet and one shop: the leak the page finds.

use super::{History, Seeded};
use crate::error::CliError;
use fanzha_core::FraudType;
use fanzha_store::{CaseFilter, CitedDetail, FraudTypeFilter, OrderSourceText, PageRequest};
use rand::Rng;

const PLATFORMS: [&str; 5] = ["淘宝", "拼多多", "京东", "抖音", "天猫"];
const COURIERS: [&str; 5] = ["中通", "圆通", "韵达", "申通", "极兔"];
const GOODS_SHOPS: [&str; 8] = [
    "优选母婴专营店",
    "佳美服饰旗舰店",
    "小米数码专营店",
    "惠民家电旗舰店",
    "百草味零食店",
    "森林鞋业专卖店",
    "潮流女装店",
    "好运来家居旗舰店",
];

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let cases = h
        .store
        .cases()
        .search(
            &scope,
            &CaseFilter {
                fraud_type: Some(FraudTypeFilter::AnyOf(vec![FraudType::FakeCustomerService
                    .code()
                    .to_string()])),
                ..CaseFilter::default()
            },
            &PageRequest::first(500),
        )
        .await?
        .items;
    let county = h.root.name.trim_end_matches(['市', '县', '区']).to_string();
    let leaky_outlet = format!("{county}城东网点");
    for (n, c) in cases.iter().enumerate() {
        // The latest three and one in three before them came through the leaking outlet; two
        // and one in six at the leaking shop. A few other victims were never asked.
        let via_outlet = n < 3 || n % 3 == 0;
        let at_shop = n == 1 || n % 6 == 4;
        if !via_outlet && !h.chance(0.85) {
            continue;
        }
        let (courier, outlet) = if via_outlet {
            ("中通".to_string(), leaky_outlet.clone())
        } else if h.chance(0.5) {
            let courier = COURIERS[h.rng.random_range(0..COURIERS.len())];
            let outlet = format!(
                "{county}{}网点",
                ["城西", "城北", "开发区", "梨洲", "凤山"][n % 5]
            );
            // Outlets other than the leaking one come up once or twice at most.
            (
                courier.to_string(),
                if h.chance(0.3) { outlet } else { String::new() },
            )
        } else {
            (String::new(), String::new())
        };
        let (platform, shop) = if at_shop {
            ("淘宝".to_string(), "佳美服饰旗舰店".to_string())
        } else {
            let platform = PLATFORMS[h.rng.random_range(0..PLATFORMS.len())];
            let shop = if h.chance(0.6) {
                format!(
                    "{}{}",
                    ["", "新", "鑫", "诚信"][h.rng.random_range(0..4)],
                    GOODS_SHOPS[h.rng.random_range(0..GOODS_SHOPS.len())]
                )
            } else {
                String::new()
            };
            (platform.to_string(), shop)
        };
        let cited = if via_outlet {
            vec![
                CitedDetail::Name,
                CitedDetail::Phone,
                CitedDetail::Address,
                CitedDetail::Waybill,
            ]
        } else {
            vec![
                CitedDetail::OrderNo,
                CitedDetail::Goods,
                CitedDetail::Amount,
            ]
        };
        let ordered_on = fanzha_core::time::shanghai_date(c.reported_at)
            .and_then(|d| d.checked_sub_days(chrono::Days::new(h.rng.random_range(2..15))));
        let asked = c.reported_at + h.rng.random_range(1..48) * 3_600_000;
        if asked >= h.now {
            continue;
        }
        h.store
            .case_order_sources()
            .set(
                &scope,
                &c.id,
                None,
                &OrderSourceText {
                    platform,
                    shop,
                    courier,
                    outlet,
                    ordered_on,
                    cited,
                },
                "commander",
                asked,
            )
            .await?;
        out.order_sources += 1;
    }
    Ok(())
}
