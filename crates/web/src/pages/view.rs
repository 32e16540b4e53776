//! Display helpers shared by the pages: labels for levels, statuses, fraud types and
//! actions in the page's language, Asia/Shanghai times, masked people.

use super::choices::Choice;
use crate::error::WebError;
use crate::i18n::Lang;
use chrono::NaiveDate;
use fanzha_core::time::{format_shanghai, shanghai_midnight};
use fanzha_core::FraudType;
use std::borrow::Borrow;

// Helpers take `impl Borrow<T>` so templates (which pass references) and code (which passes
// values) call them alike.

pub fn level_label(lang: Lang, level: impl Borrow<u8>) -> &'static str {
    match (lang, *level.borrow()) {
        (Lang::Zh, 1) => "红色",
        (Lang::Zh, 2) => "橙色",
        (Lang::Zh, _) => "黄色",
        (Lang::En, 1) => "Red",
        (Lang::En, 2) => "Orange",
        (Lang::En, _) => "Yellow",
    }
}

pub fn level_class(level: impl Borrow<u8>) -> &'static str {
    match *level.borrow() {
        1 => "red",
        2 => "orange",
        _ => "yellow",
    }
}

pub fn status_label(lang: Lang, status: &str) -> &'static str {
    let (zh, en) = match status {
        "pending_review" => ("待研判", "Pending review"),
        "issued" => ("待签收", "To sign"),
        "signed" => ("已签收", "Signed"),
        "contacting" => ("劝阻中", "Contacting"),
        "dissuaded" => ("劝阻成功", "Dissuaded"),
        "defrauded" => ("已被骗", "Defrauded"),
        "unreachable" => ("无法联系", "Unreachable"),
        "false_alarm" => ("误报", "False alarm"),
        "resolved" => ("已反馈", "Reported"),
        "closed" => ("已办结", "Closed"),
        _ => ("未知", "Unknown"),
    };
    pick(lang, zh, en)
}

/// A fraud type in words; none named yet reads 类型待定, a label this build does not know as
/// it was written.
pub fn fraud_type_label(lang: Lang, code: Option<&str>) -> String {
    let Some(code) = code else {
        return lang.t("fraud_type_untyped").to_string();
    };
    match FraudType::parse_label(code) {
        Ok(t) => pick(lang, t.zh(), t.en()).to_string(),
        Err(_) => code.to_string(),
    }
}

/// `?year=` of a page by year: a year from 2000 to this one, this one when not given.
pub fn year_param(given: Option<&str>, today: NaiveDate) -> Result<i32, WebError> {
    use chrono::Datelike;
    match given {
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=today.year()).contains(y))
            .ok_or_else(|| {
                WebError::BadRequest(format!("year must lie between 2000 and {}", today.year()))
            }),
        None => Ok(today.year()),
    }
}

/// A month typed in a form, `YYYY-MM` (or `YYYYMM`), as `YYYYMM`.
pub fn form_month(value: &str) -> Result<i64, WebError> {
    let digits: String = value.trim().chars().filter(|c| *c != '-').collect();
    digits
        .parse::<i64>()
        .ok()
        .filter(|m| digits.len() == 6 && fanzha_store::month_ok(*m))
        .ok_or_else(|| {
            WebError::BadRequest(format!("month must be YYYY-MM, not `{}`", value.trim()))
        })
}

/// A count typed in a figures form (thousands separators allowed); `None` when left empty.
pub fn form_count(value: &str, what: &str) -> Result<Option<i64>, WebError> {
    let v = value.trim().replace([',', '，'], "");
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| WebError::BadRequest(format!("{what} must be a whole number, not `{v}`")))
}

/// The month of `year` whose entries a monthly-figures page lists: the `YYYY-MM` given, else
/// the latest of `with_entries` (`YYYYMM`), else January. A register of a county's year holds
/// hundreds of entries (institutions × units × months), so its page lists one month at a time.
pub fn listed_month(given: Option<&str>, year: i32, with_entries: &[i64]) -> Result<i64, WebError> {
    let first = i64::from(year) * 100 + 1;
    match given {
        Some(v) => Some(form_month(v)?)
            .filter(|m| (first..=first + 11).contains(m))
            .ok_or_else(|| {
                WebError::BadRequest(format!("month must be YYYY-MM of {year}, not `{v}`"))
            }),
        None => Ok(with_entries.last().copied().unwrap_or(first)),
    }
}

/// The months of `year` with entries, and `listed`, as choices (`YYYY-MM`), `listed` selected.
pub fn entry_month_choices(year: i32, with_entries: &[i64], listed: i64) -> Vec<Choice> {
    let first = i64::from(year) * 100 + 1;
    (first..=first + 11)
        .filter(|m| with_entries.contains(m) || *m == listed)
        .map(|m| {
            let label = format!("{}-{:02}", m / 100, m % 100);
            Choice {
                value: label.clone(),
                label,
                selected: m == listed,
            }
        })
        .collect()
}

/// The twelve months as column heads: 1月 … 12月, Jan … Dec.
pub fn month_heads(lang: Lang) -> Vec<String> {
    (1..=12u32)
        .map(|m| match lang {
            Lang::Zh => format!("{m}月"),
            Lang::En => chrono::Month::try_from(m as u8)
                .map(|m| m.name()[..3].to_string())
                .unwrap_or_default(),
        })
        .collect()
}

/// The platform's own accounts in words: the closed loop's steps (`system`), the feeds the
/// demo and integrations write through (`110_feed`, `bank_feed_<bank>`), the command line
/// (`cli`); empty for anyone else, whose login is their name here.
pub fn actor_label(lang: Lang, actor: &str) -> String {
    let words = |zh: &'static str, en: &'static str| pick(lang, zh, en).to_string();
    match actor {
        fanzha_workflow::service::SYSTEM => words("系统", "system"),
        "cli" => words("命令行导入", "command line"),
        "110_feed" => words("110接警数据", "110 report feed"),
        a => match (
            a.strip_prefix("bank_feed_"),
            a.strip_prefix("operator_feed_")
                .and_then(fanzha_store::Operator::parse),
        ) {
            (Some(bank), _) => format!(
                "{}{}",
                bank.to_uppercase(),
                pick(lang, " 银行数据接口", " bank feed")
            ),
            (_, Some(op)) => format!(
                "{}{}",
                pick(lang, op.zh(), op.en()),
                pick(lang, " 运营商数据接口", " operator feed")
            ),
            _ => String::new(),
        },
    }
}

/// Who acted, in words: the platform's own accounts as [`actor_label`] names them, a user by
/// their account's display name; empty for a login no account has.
pub async fn actor_name(state: &crate::AppState, lang: Lang, login: &str) -> String {
    let label = actor_label(lang, login);
    if !label.is_empty() {
        return label;
    }
    match state
        .store
        .users()
        .get(&fanzha_store::Scope::platform(), login)
        .await
    {
        Ok(user) => user.display_name.trim().to_string(),
        Err(_) => String::new(),
    }
}

/// An audit-log action code in words: instruction and stop-payment actions by their step
/// (`instruction_signed` → 指令·签收), the others from a table; an unknown code as it is.
pub fn audit_action_label(lang: Lang, code: &str) -> String {
    if let Some((zh, en)) = code
        .strip_prefix("instruction_")
        .and_then(instruction_action_words)
    {
        return format!(
            "{}·{}",
            pick(lang, "指令", "Instruction"),
            pick(lang, zh, en)
        );
    }
    if let Some(state) = code.strip_prefix("stop_payment_") {
        let label = match state {
            "requested" => Some(("已请求", "requested")),
            "held" => Some(("已止付", "held")),
            "failed" => Some(("止付失败", "failed")),
            "lapsed" => Some(("已失效", "lapsed")),
            "frozen" => Some(("已冻结", "frozen")),
            "returned" => Some(("已发还", "returned")),
            _ => None,
        };
        if let Some((zh, en)) = label {
            return format!(
                "{}·{}",
                pick(lang, "止付", "Stop-payment"),
                pick(lang, zh, en)
            );
        }
    }
    if let Some(kind) = code.strip_prefix("key_person_") {
        let label = match kind {
            "registered" => Some(("列管", "listed")),
            "reopened" => Some(("重新列管", "listed again")),
            "punishment" => Some(("惩戒", "punishment")),
            "exit_ban" => Some(("不准出境", "exit ban")),
            "persuasion" => Some(("劝返", "persuasion")),
            "visit" => Some(("走访", "visit")),
            "returnee_check" => Some(("回流核查", "returnee check")),
            "closed" => Some(("移出", "closed")),
            "assigned" => Some(("包保责任人", "responsible officer")),
            "visit_cycle" => Some(("走访周期", "visit cycle")),
            "proposal_made" => Some(("提请惩戒/不准出境", "proposal made")),
            "proposal_step" => Some(("提请审批", "proposal step")),
            _ => None,
        };
        if let Some((zh, en)) = label {
            return format!(
                "{}·{}",
                pick(lang, "重点人员", "Key person"),
                pick(lang, zh, en)
            );
        }
    }
    if let Some(kind) = code
        .strip_prefix("supervision_")
        .and_then(fanzha_store::SupervisionEventKind::parse)
    {
        return format!(
            "{}·{}",
            pick(lang, "督导", "Supervision"),
            pick(lang, kind.zh(), kind.en())
        );
    }
    let known = match code {
        "view_personal_data" => Some(("查看完整个人信息", "Viewed personal data")),
        "search_personal_data" => Some(("按身份证号查询个人", "Searched a person by ID number")),
        "export_personal_data" => Some(("导出完整个人信息", "Exported personal data")),
        "analysis_group_created" => Some(("成立研判组", "Analysis group set up")),
        "analysis_group_updated" => Some(("修改研判组", "Analysis group changed")),
        "analysis_group_deactivated" => Some(("撤销研判组", "Analysis group deactivated")),
        "bulletin_issued" => Some(("发布通报", "Bulletin issued")),
        "bulletin_signed" => Some(("签收通报", "Bulletin signed")),
        "case_enforcement_set" => Some(("登记打击成效", "Enforcement recorded")),
        "case_prior_outreach_set" => Some(("登记受害人宣防情况", "Prior outreach recorded")),
        "criminal_case_count_set" => Some(("填报刑事案件立案数", "Criminal cases entered")),
        "employer_notice_issued" => Some(("下发提示单", "Employer notice issued")),
        "employer_notice_receipt" => Some(("提示单回执", "Employer notice receipt")),
        "gang_dismantled" => Some(("登记打掉团伙", "Gang dismantled")),
        "solved_elsewhere_recorded" => {
            Some(("登记带破/上级线索破案", "Case solved elsewhere recorded"))
        }
        "guardian_removed" => Some(("删除家属", "Guardian removed")),
        "guardian_saved" => Some(("登记家属", "Guardian saved")),
        "guardians_imported" => Some(("导入家属名单", "Guardian list imported")),
        "new_card_reviewed" => Some(("新开卡审查结论", "New card reviewed")),
        "new_cards_imported" => Some(("导入新开卡名单", "New cards imported")),
        "campaign_created" => Some(("登记专项行动", "Campaign recorded")),
        "joint_member_added" => Some(("登记联席办成员单位", "Joint-office member added")),
        "joint_member_updated" => Some(("修改联席办成员单位", "Joint-office member changed")),
        "joint_member_left" => Some(("成员单位退出联席会议", "Joint-office member left")),
        "joint_letter_signed" => Some(("登记签订责任书", "Responsibility letter recorded")),
        "joint_meeting_recorded" => Some(("登记联席会议", "Joint-office meeting recorded")),
        "joint_spot_check_recorded" => Some(("登记APP注册抽查", "App spot check recorded")),
        "joint_task_assigned" => Some(("部署联席办任务", "Joint-office task assigned")),
        "joint_task_reported" => Some(("登记任务落实情况", "Task progress reported")),
        "joint_task_returned" => Some(("退回联席办任务", "Joint-office task returned")),
        "joint_task_accepted" => Some(("验收联席办任务", "Joint-office task accepted")),
        "joint_task_pressed" => Some(("督办联席办任务", "Joint-office task pressed")),
        "alliance_member_joined" => Some(("登记入盟企业", "Alliance member joined")),
        "model_site_awarded" => Some(("反诈示范点授牌", "Model site awarded")),
        "model_site_revoked" => Some(("反诈示范点摘牌", "Model site revoked")),
        "alliance_member_updated" => Some(("修改入盟企业", "Alliance member changed")),
        "alliance_member_left" => Some(("入盟企业退出", "Alliance member left")),
        "cluster_operation_launched" => Some(("发起集群战役", "Cluster operation launched")),
        "cluster_operation_ended" => Some(("结束集群战役", "Cluster operation ended")),
        "cluster_target_added" => Some(("添加集群战役目标", "Cluster-operation target added")),
        "cluster_target_reported" => {
            Some(("上报集群战役目标落地", "Cluster-operation target reported"))
        }
        "cluster_target_withdrawn" => {
            Some(("撤销集群战役目标", "Cluster-operation target withdrawn"))
        }
        "card_closures_imported" => Some(("导入销户名单", "Card closures imported")),
        "number_disposal_requested" => Some(("申请号码处置", "Number disposal requested")),
        "number_disposal_answered" => Some(("运营商答复号码处置", "Number disposal answered")),
        "number_disposal_withdrawn" => Some(("撤回号码处置", "Number disposal withdrawn")),
        "card_cleanup_requested" => Some(("发出存量卡清理核查", "Card cleanup requested")),
        "card_cleanup_answered" => Some(("银行反馈存量卡清理", "Card cleanup answered")),
        "card_check" => Some(("开卡前核验", "Counter check of a card applicant")),
        "card_check_outcome" => Some(("开卡核验·登记办理结果", "Counter check outcome recorded")),
        "card_cleanup_withdrawn" => Some(("撤回存量卡清理核查", "Card cleanup withdrawn")),
        "card_cleanup_holder_viewed" => {
            Some(("查看存量卡清理持卡人", "Card cleanup holder viewed"))
        }
        "card_cleanup_worklist_exported" => Some((
            "下载存量卡清理待反馈清单",
            "Card cleanup work list downloaded",
        )),
        "operator_figures_set" => Some(("填报运营商反制数据", "Operator figures entered")),
        "bank_figures_set" => Some(("填报银行反诈数据", "Bank figures entered")),
        "tip_reported" => Some(("登记举报线索", "Tip reported")),
        "exposure_notice_printed" => Some(("生成惩戒曝光公告", "Punishment notice made")),
        "quiz_question_added" => Some(("新增测试题", "Quiz question added")),
        "quiz_question_updated" => Some(("修改测试题", "Quiz question changed")),
        "quiz_questions_loaded" => Some(("载入内置测试题", "Built-in quiz questions loaded")),
        "quiz_campaign_opened" => Some(("发起反诈知识测试", "Quiz campaign opened")),
        "quiz_campaign_updated" => Some(("修改反诈知识测试", "Quiz campaign changed")),
        "quiz_campaign_closed" => Some(("提前结束反诈知识测试", "Quiz campaign ended early")),
        "case_order_source_set" => Some(("录入订单信息泄露情况", "Order source recorded")),
        "team_member_added" => Some(("登记劝阻队员", "Team member added")),
        "team_members_imported" => Some(("导入劝阻队伍名单", "Team roster imported")),
        "team_member_removed" => Some(("移出劝阻队员", "Team member removed")),
        "app_drive_opened" => Some(("发起APP推广活动", "App drive opened")),
        "app_drive_updated" => Some(("修改APP推广活动", "App drive changed")),
        "app_drive_closed" => Some(("提前结束APP推广活动", "App drive ended early")),
        "app_drive_promoter_viewed" => Some(("查看推广人信息", "Promoter viewed in full")),
        "tip_reviewed" => Some(("核查举报线索", "Tip checked")),
        "tip_reporter_viewed" => Some(("查看举报人电话", "Tip reporter's number viewed")),
        "outreach_recorded" => Some(("登记宣传活动", "Outreach recorded")),
        "outreach_quota_set" => Some(("下达宣传任务", "Outreach target set")),
        "outreach_post_recorded" => Some(("登记新媒体发布", "Post recorded")),
        "outreach_post_counted" => Some(("更新阅读量", "Post views counted")),
        "outreach_list_issued" => Some(("发布精准宣防名单", "Targeted outreach list issued")),
        "outreach_target_recorded" => {
            Some(("登记精准宣防走访", "Targeted outreach visit recorded"))
        }
        "suspect_added" => Some(("登记嫌疑人", "Suspect added")),
        "suspect_charge_set" => Some(("登记涉嫌罪名", "Charge recorded")),
        "suspect_wanted_set" => Some(("登记上网追逃", "Wanted notice recorded")),
        "suspect_measure_set" => Some(("登记处理措施", "Measure recorded")),
        "talking_points_set" => Some(("修改劝阻话术", "Talking points changed")),
        "talking_points_reset" => Some(("恢复默认话术", "Talking points reset")),
        "two_card_leads_imported" => Some(("导入两卡线索", "Two-card leads imported")),
        "two_card_lead_checked" => Some(("两卡线索核查", "Two-card lead checked")),
        "two_card_lead_forwarded" => Some(("两卡线索转递", "Two-card lead handed on")),
        "two_card_lead_measure_set" => Some(("两卡线索处置", "Two-card lead measure")),
        "typical_case_marked" => Some(("列为典型案例", "Marked typical")),
        "typical_case_edited" => Some(("修改典型案例", "Typical case edited")),
        "typical_case_unmarked" => Some(("取消典型案例", "Typical case unmarked")),
        "warning_search" => Some((
            "按电话或身份证号查询预警",
            "Searched warnings by phone or ID number",
        )),
        "instruction_search" => Some((
            "按电话或身份证号查询指令",
            "Searched instructions by phone or ID number",
        )),
        "case_search" => Some((
            "按电话、身份证号或账号查询案件",
            "Searched cases by phone, ID or account number",
        )),
        "warning_received" => Some(("接收预警", "Warning received")),
        "user_added" => Some(("新增用户", "User added")),
        "user_saved" => Some(("修改用户", "User changed")),
        "rules_activated" => Some(("启用检测规则", "Rules activated")),
        "signals_pushed" => Some(("接收信令", "Signals received")),
        "import_divisions" => Some(("导入行政区划", "Divisions imported")),
        "cases_imported" => Some(("导入接警案件", "Reports imported")),
        "case_opened" => Some(("立案", "Case opened")),
        "case_extract_imported" => Some(("导入资金流水", "Transfers taken in")),
        "case_traced" => Some(("资金溯源", "Funds traced")),
        "returns_list_printed" => Some(("打印发还清单", "Returns list printed")),
        _ => None,
    };
    match known {
        Some((zh, en)) => pick(lang, zh, en).to_string(),
        None => code.to_string(),
    }
}

pub fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

pub fn action_label(lang: Lang, action: &str) -> &'static str {
    let (zh, en) = instruction_action_words(action).unwrap_or(("操作", "Action"));
    pick(lang, zh, en)
}

/// An instruction event's action in (中文, English), `None` for a code the workflow does not
/// emit.
fn instruction_action_words(action: &str) -> Option<(&'static str, &'static str)> {
    let words = match action {
        "issued" => ("下发指令", "Issued"),
        "review_approved" => ("研判通过", "Review approved"),
        "review_rejected" => ("研判为误报", "Review rejected"),
        "signed" => ("签收", "Signed"),
        "delegated" => ("下发至下级", "Pushed down"),
        "recalled" => ("收回", "Recalled"),
        "assigned" => ("指派", "Assigned"),
        "contact_started" => ("开始劝阻", "Contact started"),
        "attempt_failed" => ("联系未果", "Attempt failed"),
        "outcome_recorded" => ("反馈结果", "Outcome recorded"),
        "new_round" => ("再次劝阻", "New round"),
        "closed" => ("办结", "Closed"),
        "warning_merged" => ("合并预警", "Warning merged"),
        "level_raised" => ("升级", "Level raised"),
        "escalated" => ("超时上报", "Escalated"),
        _ => return None,
    };
    Some(words)
}

pub fn time(ms: i64) -> String {
    format_shanghai(ms)
}

/// `HH:MM` in Asia/Shanghai.
pub fn clock(ms: i64) -> String {
    fanzha_core::time::to_shanghai(ms)
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_default()
}

/// Fen as yuan with two decimals and thousands separators.
pub fn yuan(fen: impl Borrow<i64>) -> String {
    let fen = *fen.borrow();
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}¥{grouped}.{:02}", fen % 100)
}

/// Fen as a short amount for a counter tile, the way the field's dashboards write money: below
/// ten thousand yuan as [`yuan`]; above, in 万 / 亿 (Chinese) or k / M (English) with two
/// decimals, rounded half up. Tiles carry the exact [`yuan`] amount as their tooltip.
pub fn yuan_short(lang: Lang, fen: impl Borrow<i64>) -> String {
    let fen = *fen.borrow();
    let abs = u128::from(fen.unsigned_abs());
    let (unit_fen, suffix): (u128, &str) = match lang {
        Lang::Zh if abs >= 100_000_000 * 100 => (100_000_000 * 100, "亿"),
        Lang::Zh if abs >= 10_000 * 100 => (10_000 * 100, "万"),
        Lang::En if abs >= 1_000_000 * 100 => (1_000_000 * 100, "M"),
        Lang::En if abs >= 10_000 * 100 => (1_000 * 100, "k"),
        _ => return yuan(fen),
    };
    // Hundredths of the unit, rounded half up, in integers (money is never a float here).
    let hundredths = (abs * 100 + unit_fen / 2) / unit_fen;
    let sign = if fen < 0 { "-" } else { "" };
    format!(
        "{sign}¥{}.{:02}{suffix}",
        hundredths / 100,
        hundredths % 100
    )
}

pub fn percent(rate: impl Borrow<Option<f64>>) -> String {
    (*rate.borrow())
        .map(|r| format!("{:.0}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// `n` of `of` as a percentage with one decimal (`75.0%`); `—` when `of` is 0.
pub fn share(n: i64, of: i64) -> String {
    match of {
        0 => "—".into(),
        of => format!("{:.1}%", n as f64 * 100.0 / of as f64),
    }
}

/// A form's count field: a whole number, 0 when left empty.
pub fn whole_number(field: &str, v: &str) -> Result<i64, WebError> {
    match v.trim() {
        "" => Ok(0),
        v => v
            .parse()
            .map_err(|_| WebError::BadRequest(format!("{field}: not a whole number `{v}`"))),
    }
}

/// The last instant (epoch ms UTC) of an Asia/Shanghai day: what a deadline given as a date
/// means.
pub fn end_of_day(d: NaiveDate) -> Result<i64, WebError> {
    Ok(midnight(d)? + 86_400_000 - 1)
}

/// A form's `YYYY-MM-DD` date (an Asia/Shanghai day).
pub fn date(value: &str) -> Result<NaiveDate, WebError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| WebError::BadRequest(format!("not a date: `{value}`")))
}

/// The first instant (epoch ms UTC) of an Asia/Shanghai day.
pub fn midnight(d: NaiveDate) -> Result<i64, WebError> {
    shanghai_midnight(d).map_err(|e| WebError::BadRequest(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_rates_read_like_the_field_writes_them() {
        assert_eq!(yuan(123_456_789), "¥1,234,567.89");
        assert_eq!(yuan(5), "¥0.05");
        assert_eq!(yuan(-100), "-¥1.00");
        assert_eq!(yuan_short(Lang::Zh, 999_999), "¥9,999.99");
        assert_eq!(yuan_short(Lang::Zh, 2_000_000), "¥2.00万");
        assert_eq!(yuan_short(Lang::Zh, 123_456_789), "¥123.46万");
        assert_eq!(yuan_short(Lang::Zh, 12_345_678_900), "¥1.23亿");
        assert_eq!(yuan_short(Lang::Zh, -2_000_000), "-¥2.00万");
        assert_eq!(yuan_short(Lang::En, 2_000_000), "¥20.00k");
        assert_eq!(yuan_short(Lang::En, 123_456_789), "¥1.23M");
        assert_eq!(yuan_short(Lang::En, 500), "¥5.00");
        assert_eq!(yuan_short(Lang::Zh, i64::MIN), "-¥922337203.69亿");
        assert_eq!(percent(Some(0.956)), "96%");
        assert_eq!(
            audit_action_label(Lang::Zh, "instruction_signed"),
            "指令·签收"
        );
        assert_eq!(
            audit_action_label(Lang::En, "stop_payment_held"),
            "Stop-payment·held"
        );
        assert_eq!(
            audit_action_label(Lang::Zh, "view_personal_data"),
            "查看完整个人信息"
        );
        assert_eq!(
            audit_action_label(Lang::Zh, "instruction_unheard_of"),
            "instruction_unheard_of"
        );
        assert_eq!(
            audit_action_label(Lang::En, "something_new"),
            "something_new"
        );
        assert_eq!(percent(None), "—");
    }

    #[test]
    fn fraud_types_show_in_both_languages() {
        assert_eq!(
            fraud_type_label(Lang::Zh, Some("impersonating_police")),
            "冒充公检法"
        );
        assert_eq!(
            fraud_type_label(Lang::En, Some("impersonate_police")),
            "Impersonating police"
        );
        assert_eq!(fraud_type_label(Lang::Zh, None), "类型待定");
        assert_eq!(fraud_type_label(Lang::Zh, Some("某新类型")), "某新类型");
    }
}

#[cfg(test)]
mod audit_label_tests {
    use super::*;

    /// Every action the code writes to the audit log as a literal (`action: "…"`) reads in
    /// words on the audit page.
    #[test]
    fn every_audited_action_has_a_label() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut missing = Vec::new();
        let mut seen = 0;
        let mut dirs = vec![
            root.join("store/src"),
            root.join("web/src"),
            root.join("workflow/src"),
            root.join("cli/src"),
        ];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split("action: \"").skip(1) {
                    let Some((code, _)) = part.split_once('"') else {
                        continue;
                    };
                    if !code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                        continue;
                    }
                    seen += 1;
                    for lang in [Lang::Zh, Lang::En] {
                        if audit_action_label(lang, code) == code {
                            missing.push(format!("{code} ({})", path.display()));
                        }
                    }
                }
            }
        }
        assert!(seen > 30, "the audited actions were found: {seen}");
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "audit actions without a label: {missing:#?}"
        );
        assert_eq!(
            audit_action_label(Lang::Zh, "key_person_returnee_check"),
            "重点人员·回流核查"
        );
        assert_eq!(
            audit_action_label(Lang::Zh, "key_person_visit"),
            "重点人员·走访"
        );
        assert_eq!(
            audit_action_label(Lang::Zh, "supervision_replied"),
            "督导·整改报告"
        );
    }
}

/// Why an SMS was sent, as its label.
pub fn sms_purpose(lang: Lang, p: fanzha_store::SmsPurpose) -> &'static str {
    use fanzha_store::SmsPurpose::*;
    lang.t(match p {
        GuardianAlert => "sms_guardian_alert",
        WarningToPerson => "sms_warning_to_person",
        Escalation => "sms_escalation",
        JointTask => "sms_joint_task",
    })
}

/// Where an SMS stands, as its label.
pub fn sms_state(lang: Lang, s: fanzha_store::SmsState) -> &'static str {
    use fanzha_store::SmsState::*;
    lang.t(match s {
        Queued => "sms_state_queued",
        Submitted => "sms_state_submitted",
        Delivered => "sms_state_delivered",
        Failed => "sms_state_failed",
        Dead => "sms_state_dead",
    })
}
