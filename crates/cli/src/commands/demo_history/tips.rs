//! 举报线索 of the history: what the grid workers and residents reported over the months — scam
//! numbers, phishing links, accounts, apps, a card collector, and a bank's genuine call-back —
//! most checked by the center (confirmed with what was done, the call-back dismissed), the last
//! two still waiting, so
//! `/tips`, the grid worker's `/m/tips` and the 待办 have records.

use super::{History, Seeded};
use crate::error::CliError;
use fanzha_store::{NewTip, TipKind, TipSource, TipState};
use rand::Rng;

/// What was reported: the kind, the subject (`None`: a fresh scam number), what happened, and
/// what the check found — `Ok` confirmed with what was done, `Err` dismissed with why.
type Reported = (
    TipKind,
    Option<&'static str>,
    &'static str,
    Result<&'static str, &'static str>,
);

const TIPS: &[Reported] = &[
    (
        TipKind::Phone,
        None,
        "自称电商客服，称商品质量问题要退款，要求下载会议软件共享屏幕",
        Ok("虚拟号段冒充客服，已申请运营商关停"),
    ),
    (
        TipKind::Url,
        Some("icbc-vip-jifen.cc/login"),
        "短信称积分即将清零，链接要求输入银行卡号和验证码",
        Ok("仿冒银行钓鱼网站，已报送封堵"),
    ),
    (
        TipKind::Phone,
        None,
        "自称公安局民警，称其涉嫌洗钱，要求添加QQ接受“调查”",
        Ok("冒充公检法诈骗号码，已申请运营商关停"),
    ),
    (
        TipKind::Phone,
        Some("95588"),
        "自称工商银行客服回访，询问是否本人办理了转账",
        Err("经核实为银行官方客服号码的正常回访，排除"),
    ),
    (
        TipKind::App,
        Some("鑫盛理财"),
        "群里有人推荐的投资APP，收益高，先充值后提现",
        Ok("虚假投资平台，已通报下载渠道下架"),
    ),
    (
        TipKind::Person,
        Some("村口“高价收卡”的外地男子"),
        "在村里以每张500元收购银行卡和手机卡",
        Ok("收贩卡人员，已移交刑侦立案"),
    ),
    (
        TipKind::Account,
        Some("6222021234567890123"),
        "“客服”让把钱转到这个“安全账户”",
        Ok("涉诈账户，已紧急止付"),
    ),
    (
        TipKind::Phone,
        None,
        "说是孩子的老师，要交资料费，让扫码付款",
        Ok("冒充老师收费，已申请运营商关停"),
    ),
    (
        TipKind::Url,
        Some("jd-refund-help.top"),
        "退款链接，打开后要求填写银行卡信息",
        Ok("仿冒电商退款网站，已报送封堵"),
    ),
];

pub(super) async fn seed(h: &mut History<'_>, out: &mut Seeded) -> Result<(), CliError> {
    let Some(village) = h.grid_village.clone() else {
        return Ok(());
    };
    let scope = h.root_scope.clone();
    let store = h.store.clone();
    let repo = store.tips();
    let mut reported: Vec<(i64, i64, TipKind)> = Vec::new();
    for (i, &(kind, subject, detail, _)) in TIPS.iter().enumerate() {
        // Spread over the history; the last two in the past two days, not checked yet.
        let at = if i + 2 >= TIPS.len() {
            h.now - h.rng.random_range(2..40) * 3_600_000
        } else {
            h.moment(3)
        };
        let subject = match subject {
            Some(s) => s.to_string(),
            None => h.suspect_number(),
        };
        let source = if i % 3 == 0 {
            TipSource::GridWorker
        } else {
            TipSource::Resident
        };
        let reporter_phone = (source == TipSource::Resident)
            .then(|| format!("139{:08}", h.rng.random_range(0..100_000_000u32)));
        let id = repo
            .report(
                &scope,
                &NewTip {
                    unit_code: village.clone(),
                    kind,
                    subject,
                    detail: detail.to_string(),
                    source,
                    reporter_phone,
                    reported_by: "grid".into(),
                },
                at,
            )
            .await?;
        reported.push((id, at, kind));
        out.tips += 1;
    }
    let checked = TIPS.len().saturating_sub(2);
    for (n, &(id, at, _)) in reported.iter().take(checked).enumerate() {
        let when = (at + h.rng.random_range(2..30) * 3_600_000).min(h.now);
        let (state, finding) = match TIPS[n].3 {
            Ok(done) => (TipState::Confirmed, done),
            Err(why) => (TipState::Dismissed, why),
        };
        repo.review(&scope, id, 1, state, finding, "analyst", when)
            .await?;
    }
    Ok(())
}
