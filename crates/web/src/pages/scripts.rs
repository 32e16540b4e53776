//! 劝阻话术: what the grid worker or the 96110 seat says on the phone, per fraud type — the key
//! sentence that breaks the script the fraudster gave the victim, in Chinese and English. The
//! built-in sentences below apply until the center writes its own on `/scripts`
//! (`pages/script_editor.rs`, stored by [`fanzha_store::TalkingPoints`]), as scams change.

use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;
use fanzha_core::FraudType;

/// The fraud type a label names (its code, Chinese name or an alias), else 其他.
pub fn fraud_type_of(fraud_type: Option<&str>) -> FraudType {
    fraud_type
        .and_then(|c| FraudType::parse_label(c).ok())
        .unwrap_or(FraudType::Other)
}

/// The sentences for a fraud type: the center's own when it wrote them (English falling back to
/// the built-in English when it wrote only Chinese), else the built-in ones.
pub async fn talking_points(
    state: &AppState,
    lang: Lang,
    fraud_type: Option<&str>,
) -> Result<Vec<String>, WebError> {
    let t = fraud_type_of(fraud_type);
    let stored = state.store.talking_points().get(t.code()).await?;
    let own = stored.and_then(|p| {
        let lines = match lang {
            Lang::Zh => p.zh,
            Lang::En => p.en,
        };
        (!lines.is_empty()).then_some(lines)
    });
    Ok(own.unwrap_or_else(|| {
        builtin_points(lang, t)
            .into_iter()
            .map(str::to_string)
            .collect()
    }))
}

/// The built-in sentences of a fraud type (naming the deployment's hotline).
pub fn builtin_points(lang: Lang, t: FraudType) -> Vec<&'static str> {
    let (zh, en): (&[&str], &[&str]) = match t {
        FraudType::OrderBrushing => (
            &["所有刷单都是诈骗，先给小额返利是诱饵。", "不要再垫付任何“任务”资金，立即退出群聊。", "已转账请马上拨打110或96110。"],
            &["Every paid 'task' scheme is fraud; the first small rebate is bait.", "Do not advance money for any further task; leave the group now.", "If you already paid, call 110 or 96110 at once."],
        ),
        FraudType::FakeInvestment => (
            &["“内幕消息”“稳赚不赔”的投资平台都是假的。", "不要再充值或“交税费”提现，钱提不出来。", "保存聊天记录和转账凭证，马上报警。"],
            &["Platforms promising insider tips and sure gains are fake.", "Do not top up or pay 'fees' to withdraw: the money will not come out.", "Keep the chats and receipts and report to the police now."],
        ),
        FraudType::FakeLoan => (
            &["正规贷款放款前不收任何费用。", "要求先交“保证金”“解冻费”的都是诈骗。", "不要提供验证码，不要下载陌生App。"],
            &["Real lenders charge nothing before paying out.", "A 'deposit' or 'unfreezing fee' before the loan is fraud.", "Give no verification codes; install no unknown apps."],
        ),
        FraudType::FakeCustomerService => (
            &["电商、快递客服不会让您转账或开启屏幕共享。", "立即挂断，关闭屏幕共享，卸载对方让装的App。", "通过官方App自行核实订单。"],
            &["Shop and courier staff never ask for transfers or screen sharing.", "Hang up, stop screen sharing, remove the app they had you install.", "Check the order yourself in the official app."],
        ),
        FraudType::ImpersonatingPolice => (
            &["公安机关不会电话办案，更没有“安全账户”。", "不会通过网络发送通缉令或要求视频笔录。", "请立即挂断，我就是辖区民警/网格员，可以当面核实。"],
            &["Police never handle cases by phone and there is no 'safe account'.", "No warrant is ever sent online, no statement taken by video call.", "Hang up now; I am your local officer and can meet you in person."],
        ),
        FraudType::FakeCreditRepair => (
            &["征信只能由人民银行征信中心依法更正，没有“消除不良记录”。", "不要为“注销校园贷”转账或贷款。", "挂断电话，不要提供验证码。"],
            &["Only the central bank's credit bureau corrects records; nobody can 'erase' them.", "Do not borrow or transfer to 'close a student loan'.", "Hang up and give no verification codes."],
        ),
        FraudType::OnlineRomance => (
            &["从未见面、引导您投资或博彩的“恋人”是骗子。", "不要再转账，停止在对方推荐的平台操作。", "您不是一个人，我们可以帮您。"],
            &["A partner you never met who steers you to invest or gamble is a fraudster.", "Stop transferring and stop using the platform they suggested.", "You are not alone; we can help."],
        ),
        FraudType::ImpersonatingAcquaintance => (
            &["“领导”“熟人”在网上借钱、让代转账，先打原号码或当面核实。", "不要通过社交软件直接转账。"],
            &["A 'boss' or 'friend' asking online for money: call their known number or meet first.", "Do not transfer through a chat app."],
        ),
        FraudType::GameTrading => (
            &["游戏装备、账号交易请走官方平台。", "要求私下转账、“解冻”“保证金”的都是诈骗。"],
            &["Trade game items and accounts only on the official platform.", "Private transfers, 'unfreezing' or 'deposits' are fraud."],
        ),
        FraudType::FakeShopping => (
            &["低价商品、代购要求私下付款的都有风险。", "不要脱离平台交易，不要扫对方发来的二维码。"],
            &["Bargains and purchasing agents asking for private payment are risky.", "Do not leave the platform or scan codes they send."],
        ),
        FraudType::Other | FraudType::Normal => (
            &["任何要求转账、提供验证码、开启屏幕共享的陌生来电都要警惕。", "先挂断，拨打96110咨询。"],
            &["Be wary of any stranger asking for transfers, codes or screen sharing.", "Hang up first and call 96110 to check."],
        ),
    };
    let lines = match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    lines
        .iter()
        .map(|s| fanzha_core::hotline::localize_static(s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_points_in_both_languages() {
        for t in FraudType::ALL {
            let zh = builtin_points(Lang::Zh, t);
            let en = builtin_points(Lang::En, t);
            assert!(!zh.is_empty() && zh.len() == en.len(), "{t:?}");
        }
        assert_eq!(
            builtin_points(Lang::Zh, fraud_type_of(Some("impersonate_police")))[0],
            "公安机关不会电话办案，更没有“安全账户”。"
        );
    }
}
