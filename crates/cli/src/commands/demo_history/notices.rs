//! 通报 and 督导整改 of the history: the center's monthly situation report (its figures the
//! history's own cases) and a few scam-method alerts, signed by most stations; and the
//! measures taken against townships and outlets where cases or cards piled up, some answered
//! and accepted, some still running.

use super::cases::CaseMonths;
use super::{month_start, month_words, History, Seeded, DAY_MS};
use crate::error::CliError;
use fanzha_core::FraudType;
use fanzha_store::{
    BulletinKind, BulletinReader, MeasureKind, NewBulletin, NewSupervision, PartnerKind,
    SupervisionReason, TargetKind,
};
use rand::Rng;
use std::collections::BTreeMap;

pub(crate) async fn seed(
    h: &mut History<'_>,
    out: &mut Seeded,
    cases: &CaseMonths,
) -> Result<(), CliError> {
    bulletins(h, out, cases).await?;
    supervision(h, out, cases).await
}

const ALERTS: &[(FraudType, &str, &str)] = &[
    (
        FraudType::FakeInvestment,
        "关于“荐股群”虚假投资理财诈骗的预警通报",
        "近期我市发生多起以“股票内幕消息”“原始股”为诱饵的虚假投资理财诈骗。骗子通过短视频平台和社交群组引流，诱导群众下载虚假投资APP，初期小额返利取得信任后诱导大额投入，随后以“账户冻结”“缴纳保证金”为由拒绝提现。请各单位在辖区开展针对性宣传，重点提醒中老年群体和企业财务人员：凡是要求下载陌生APP炒股的都是诈骗。",
    ),
    (
        FraudType::ImpersonatingPolice,
        "关于冒充公检法“涉嫌洗钱”诈骗的预警通报",
        "骗子冒充公安机关、检察院工作人员，以受害人“涉嫌洗钱”“银行卡涉案”为由，发送伪造的通缉令，要求受害人下载会议软件进行“视频笔录”并共享屏幕，诱骗其将资金转入所谓“安全账户”。公检法机关不会通过电话办案，更没有“安全账户”。请各所对辖区独居老人开展上门提醒。",
    ),
    (
        FraudType::OrderBrushing,
        "关于刷单返利诈骗高发的预警通报",
        "刷单返利类诈骗仍是我市发案最多的类型，受害人以在校学生、宝妈和待业人员为主。骗子以“点赞关注领佣金”为开端，先小额返利，再拉入“任务群”以“连单”“卡单”为由诱导大额垫付。请各单位联合学校、社区开展专项宣传，所有刷单都是诈骗。",
    ),
];

async fn bulletins(
    h: &mut History<'_>,
    out: &mut Seeded,
    cases: &CaseMonths,
) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    let months = h.month_list(0);
    let this_month = *months.last().unwrap_or(&0);
    let mut issued = Vec::new();
    for &month in months.iter().filter(|m| **m != this_month) {
        // Issued in the first days of the next month.
        let at = month_start(fanzha_store::next_month(month))
            + h.rng.random_range(1..4) * DAY_MS
            + 2 * 3_600_000;
        if at >= h.now - DAY_MS {
            continue;
        }
        let mut by_type: BTreeMap<&'static str, (usize, i64)> = BTreeMap::new();
        let (mut n, mut loss) = (0usize, 0i64);
        for (t, fen) in cases.of_month(month) {
            let e = by_type.entry(t.zh()).or_default();
            e.0 += 1;
            e.1 += fen;
            n += 1;
            loss += fen;
        }
        let mut types: Vec<_> = by_type.into_iter().collect();
        types.sort_by_key(|(_, (k, _))| std::cmp::Reverse(*k));
        let top: Vec<String> = types
            .iter()
            .take(3)
            .map(|(t, (k, fen))| format!("{t}类{k}起、损失{:.1}万元", *fen as f64 / 1_000_000.0))
            .collect();
        let body = format!(
            "{}，全市共接报电信网络诈骗案件{n}起，造成损失{:.1}万元。从类型看，{}。\n请各单位对照本辖区发案情况，落实重点人群精准宣防，对发案较多的村社开展入户宣传，并于本月10日前反馈落实情况。",
            month_words(month),
            loss as f64 / 1_000_000.0,
            if top.is_empty() { "无新发案件".to_string() } else { top.join("；") }
        );
        let b = h
            .store
            .bulletins()
            .issue(
                &scope,
                &NewBulletin {
                    unit_code: h.root.code.clone(),
                    kind: BulletinKind::Situation,
                    title: format!("{}电信网络诈骗警情通报", month_words(month)),
                    period: format!("{}1日至月末", month_words(month)),
                    fraud_type: None,
                    body,
                    issued_by: "analyst".into(),
                    partners: Vec::new(),
                },
                at,
            )
            .await?;
        issued.push((b.id, at));
    }
    // 通报有关单位: the alerts reach the banks and operators with a liaison in the city too.
    let partners = h.store.bulletins().partners_of(&h.root.code).await?;
    let mut partner_kinds: Vec<PartnerKind> = partners
        .iter()
        .map(|p| p.kind)
        .filter(|k| *k != PartnerKind::JointMember)
        .collect();
    partner_kinds.dedup();
    let mut alerts = Vec::new();
    for (fraud_type, title, body) in ALERTS {
        let at = h.moment(3);
        let b = h
            .store
            .bulletins()
            .issue(
                &scope,
                &NewBulletin {
                    unit_code: h.root.code.clone(),
                    kind: BulletinKind::Methods,
                    title: (*title).to_string(),
                    period: String::new(),
                    fraud_type: Some(fraud_type.code().to_string()),
                    body: (*body).to_string(),
                    issued_by: "analyst".into(),
                    partners: partner_kinds.clone(),
                },
                at,
            )
            .await?;
        issued.push((b.id, at));
        alerts.push((b.id, at));
    }
    out.bulletins += issued.len();
    // Most stations sign within days; the demo station leaves the newest unread.
    let newest = issued.iter().map(|(_, at)| *at).max().unwrap_or_default();
    for t in h.townships.clone() {
        let reader = BulletinReader {
            scope: h.scope(&t.code).await?,
            unit: t.clone(),
        };
        let demo_station = h.townships.first().is_some_and(|f| f.code == t.code);
        for &(id, at) in &issued {
            if (demo_station && at == newest) || h.chance(0.12) {
                continue;
            }
            let signed = h.after(at, 3, 60_000);
            h.store
                .bulletins()
                .sign(&reader, id, "station", signed)
                .await?;
        }
    }
    // The partners sign for every alert but the newest, half a day after it came.
    let newest_alert = alerts.iter().map(|(_, at)| *at).max().unwrap_or_default();
    for &(id, at) in alerts.iter().filter(|(_, at)| *at != newest_alert) {
        for p in partners
            .iter()
            .filter(|p| p.kind != PartnerKind::JointMember)
        {
            let by = match p.kind {
                PartnerKind::Bank => format!("bank_{}", p.code.to_lowercase()),
                _ => "operator_cm".to_string(),
            };
            let signed = (at + DAY_MS / 2).min(h.now);
            h.store
                .bulletins()
                .sign_for_partner(p, id, &by, signed)
                .await?;
        }
    }
    Ok(())
}

const OUTLETS: &[(&str, &str)] = &[
    ("ICBC", "工商银行城东支行"),
    ("ABC", "农业银行城南分理处"),
    ("CCB", "建设银行开发区支行"),
    ("BOC", "中国银行城西支行"),
];

async fn supervision(
    h: &mut History<'_>,
    out: &mut Seeded,
    cases: &CaseMonths,
) -> Result<(), CliError> {
    let scope = h.root_scope.clone();
    // The townships with the most cases of the history.
    let mut per_township: BTreeMap<String, usize> = BTreeMap::new();
    for month in h.month_list(0) {
        for t in &h.townships {
            *per_township.entry(t.code.clone()).or_default() += cases.count(month, &t.code);
        }
    }
    let mut worst: Vec<_> = per_township.into_iter().collect();
    worst.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut targets: Vec<NewSupervision> = Vec::new();
    for (code, n) in worst.iter().take(2) {
        targets.push(NewSupervision {
            target_kind: TargetKind::Unit,
            target_name: String::new(),
            bank_code: None,
            unit_code: code.clone(),
            measure: MeasureKind::Interview,
            reasons: vec![
                SupervisionReason::HighIncidence,
                SupervisionReason::OutreachLacking,
            ],
            reason_text: format!("近{}个月发案{n}起，居全市前列，宣防覆盖率偏低", h.months),
            issuer_unit: h.root.code.clone(),
            issued_by: "commander".into(),
            issued_at: 0,
            deadline_days: 30,
        });
    }
    for (bank, name) in OUTLETS
        .iter()
        .take(if h.world.people.len() > 5_000 { 4 } else { 2 })
    {
        let town = h.pick(&h.townships.clone()).code.clone();
        targets.push(NewSupervision {
            target_kind: TargetKind::BankOutlet,
            target_name: (*name).to_string(),
            bank_code: Some((*bank).to_string()),
            unit_code: town,
            measure: MeasureKind::Listed,
            reasons: vec![SupervisionReason::TwoCards, SupervisionReason::CardIssuance],
            reason_text: "该网点新开卡中多张短期内涉案，开卡审核流于形式".into(),
            issuer_unit: h.root.code.clone(),
            issued_by: "commander".into(),
            issued_at: 0,
            deadline_days: 30,
        });
    }
    targets.push(NewSupervision {
        target_kind: TargetKind::TelecomOutlet,
        target_name: "移动城北营业厅".into(),
        bank_code: None,
        unit_code: h.pick(&h.townships.clone()).code.clone(),
        measure: MeasureKind::WarningNotice,
        reasons: vec![SupervisionReason::CardIssuance],
        reason_text: "为同一人短期内办理多张电话卡，未落实一证多卡核查".into(),
        issuer_unit: h.root.code.clone(),
        issued_by: "commander".into(),
        issued_at: 0,
        deadline_days: 15,
    });
    // The first measure is still waiting for its report, the second waits for acceptance,
    // the third was accepted; the others at a stage drawn by their age.
    for (k, mut new) in targets.into_iter().enumerate() {
        new.issued_at = h.moment(5);
        let m = h.store.supervision().issue(&scope, &new).await?;
        out.supervision += 1;
        let age_days = (h.now - new.issued_at) / DAY_MS;
        if k == 0 || (k > 2 && (age_days < 10 || h.chance(0.25))) {
            continue;
        }
        let replied_at = h.after(
            new.issued_at,
            new.deadline_days.min(age_days - 2).max(1),
            DAY_MS,
        );
        let (reply_scope, bank) = match new.target_kind {
            TargetKind::BankOutlet => (scope.clone(), new.bank_code.as_deref()),
            _ => (h.scope(&new.unit_code).await?, None),
        };
        let report = match new.target_kind {
            TargetKind::Unit => {
                "已召开专题会议，组织网格员对发案村社开展入户宣传，新增注册国家反诈APP一千余人"
            }
            TargetKind::BankOutlet => {
                "已对网点开卡人员开展培训，落实开卡“三问三核”，对涉案账户开户人逐一回访"
            }
            _ => "已对营业员开展培训，严格执行一证多卡核查",
        };
        let actor = match bank {
            Some("ICBC") => "bank_icbc".to_string(),
            Some(other) => format!("bank_feed_{}", other.to_lowercase()),
            None => "station".to_string(),
        };
        let m = h
            .store
            .supervision()
            .reply(&reply_scope, bank, m.id, report, &actor, replied_at)
            .await?;
        if k == 2 || (k > 2 && h.now - replied_at > 5 * DAY_MS && h.chance(0.7)) {
            let closed_at = h.after(replied_at, 7, DAY_MS);
            h.store
                .supervision()
                .close(&scope, m.id, "整改到位，验收通过", "commander", closed_at)
                .await?;
        }
    }
    Ok(())
}
