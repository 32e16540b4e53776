//! Chinese first, English available: the language comes from the `lang` cookie (set by the
//! toggle in the header) and defaults to Chinese.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::CookieJar;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub const COOKIE: &'static str = "lang";

    pub fn from_headers(headers: &HeaderMap) -> Lang {
        match CookieJar::from_headers(headers)
            .get(Self::COOKIE)
            .map(|c| c.value())
        {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other language, for the toggle.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The UI string for `key`; unknown keys show the key itself so a gap is visible, not blank.
    pub fn t(self, key: &str) -> &'static str {
        match STRINGS.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => "?",
        }
    }
}

/// (key, 中文, English)
const STRINGS: &[(&str, &str, &str)] = &[
    ("product", "反诈指挥平台", "fanzha anti-fraud command"),
    ("login", "登录", "Log in"),
    ("logout", "退出", "Log out"),
    ("login_name", "账号", "Login"),
    ("password", "密码", "Password"),
    ("login_failed", "账号或密码错误", "Wrong login or password"),
    (
        "login_throttled",
        "失败次数过多，请稍后再试",
        "Too many failed attempts; try again later",
    ),
    ("unit", "所属单位", "Unit"),
    ("roles", "角色", "Roles"),
    ("permissions", "可用功能", "What you can do"),
    ("welcome", "欢迎", "Welcome"),
    ("switch_lang", "English", "中文"),
    ("action", "操作", "Action"),
    ("active", "启用", "Active"),
    ("actor", "操作人", "Actor"),
    ("add_user", "新增用户", "Add user"),
    ("address", "住址", "Address"),
    ("all_actions", "全部操作", "All actions"),
    ("all_levels", "全部等级", "All levels"),
    ("all", "全部", "All"),
    (
        "search_bad_check_digit",
        "身份证号校验位不符，请核对后重新输入",
        "the ID number's check digit does not match; check it and search again",
    ),
    (
        "search_bad_birth_date",
        "身份证号中的出生日期不存在，请核对",
        "the birth date in the ID number does not exist; check it",
    ),
    ("items_suffix_instructions", "条", "instructions"),
    (
        "search_no_person",
        "没有登记此号码的人员，请改用身份证号查询",
        "Nobody is registered under this number; search by ID number",
    ),
    ("own_level", "（本级）", " (own level)"),
    ("number_origin", "号码类型与归属", "Kind and origin"),
    (
        "no_rules_fired",
        "无本地规则命中（预警来自推送或人工录入）",
        "No local rule fired (pushed or entered by hand)",
    ),
    ("search", "查询", "Search"),
    ("reset", "重置", "Reset"),
    ("matching", "共", "matching:"),
    ("items_suffix", "条", "warnings"),
    ("date_from", "起始日期", "From"),
    ("date_to", "截止日期", "To"),
    ("first_page", "第一页", "First page"),
    ("next_page", "下一页", "Next page"),
    ("instruction_open", "处置中", "Open"),
    ("instruction_closed", "已办结", "Closed"),
    ("fraud_type_untyped", "类型待定", "Type not yet known"),
    ("search_person", "电话 / 身份证号", "Phone / ID number"),
    (
        "search_person_hint",
        "完整号码，查询记入审计日志",
        "Full number; searches are audited",
    ),
    ("search_ignored", "以下条件无法识别，已忽略", "Ignored, not understood"),
    ("search_bad_date", "日期（格式 YYYY-MM-DD）", "date (YYYY-MM-DD)"),
    (
        "search_unrecognised",
        "电话 / 身份证号（请输入完整的手机号、固话或18位身份证号）",
        "phone / ID number (enter a whole mobile or landline number or an 18-digit ID number)",
    ),
    (
        "no_warnings_match",
        "没有符合条件的预警，可放宽日期或其他条件",
        "No warning matches; widen the dates or other conditions",
    ),
    ("approve_review", "研判通过", "Approve"),
    (
        "audited_hint",
        "查看完整信息将记入审计日志",
        "Viewing full data is written to the audit log",
    ),
    ("bank", "银行", "Bank"),
    ("bulk_failed", "失败", "failed"),
    ("bulk_sign", "批量签收", "Sign selected"),
    ("bulk_signed", "已签收", "Signed"),
    ("call", "拨打", "Call"),
    ("callees_24h", "24小时外呼人数", "Callees 24 h"),
    ("calls_to_person", "呼叫本人次数", "Calls to person"),
    ("close", "办结", "Close"),
    ("close_by", "办结时限", "Close by"),
    ("col_actions", "操作", "Actions"),
    ("col_deadline", "剩余时间", "Time left"),
    ("col_fraud_type", "诈骗类型", "Fraud type"),
    ("col_holder", "当前承办单位", "Held by"),
    ("col_id", "编号", "ID"),
    ("col_issued", "下发时间", "Issued"),
    ("col_level", "等级", "Level"),
    ("col_overdue", "超期", "Overdue"),
    ("col_person", "当事人", "Person"),
    ("col_phone", "电话", "Phone"),
    ("col_score", "风险分", "Score"),
    ("col_source", "来源", "Source"),
    ("col_status", "状态", "Status"),
    ("col_target", "属地单位", "Residence unit"),
    ("col_time", "时间", "Time"),
    ("contact_by", "首次联系时限", "First contact by"),
    ("contact_in_sla", "联系及时率", "Contact in SLA"),
    ("defrauded", "已被骗", "Defrauded"),
    ("detail", "详情", "Detail"),
    ("dissuaded", "劝阻成功", "Dissuaded"),
    ("dissuasion_rate", "劝阻成功率", "Dissuasion rate"),
    ("done_tasks", "已反馈", "Reported"),
    ("features", "特征值", "Features"),
    ("feedback", "反馈", "Feedback"),
    ("filter", "筛选", "Filter"),
    ("history", "处置记录", "History"),
    ("instruction", "指令", "Instruction"),
    ("instructions_today", "今日指令", "Today"),
    ("last_7_days", "近7天", "last 7 days"),
    ("lists", "名单", "Lists"),
    ("live_warnings", "实时预警", "Live warnings"),
    ("longest_call_s", "最长通话", "Longest call"),
    ("loss", "损失金额", "Losses"),
    ("loss_yuan", "损失金额(元)", "Loss (yuan)"),
    ("my_tasks", "我的任务", "My tasks"),
    ("name", "姓名", "Name"),
    ("nav_admin", "系统管理", "Admin"),
    ("nav_audit", "审计日志", "Audit log"),
    ("nav_dashboard", "指挥大屏", "Dashboard"),
    ("nav_instructions", "指令", "Instructions"),
    ("nav_tasks", "网格任务", "My tasks"),
    ("nav_warnings", "预警", "Warnings"),
    // 96110外呼: the seat group's call queue.
    ("nav_calls", "96110外呼", "96110 calls"),
    ("claim_next", "领取下一个", "Claim next"),
    ("calls_open", "待呼/进行中", "To call"),
    ("calls_mine", "我正在处理", "Mine now"),
    ("calls_empty", "没有外呼任务", "No calls"),
    (
        "calls_none_to_claim",
        "队列中暂无可领取的外呼任务",
        "Nothing to claim in the queue",
    ),
    ("call_queued", "待呼", "Queued"),
    ("call_claimed", "呼叫中", "Claimed"),
    ("call_done", "已完成", "Done"),
    ("call_cancelled", "已取消", "Cancelled"),
    ("call_waiting", "已等待", "Waiting"),
    ("call_attempts", "呼叫次数", "Calls"),
    ("call_result", "呼叫结果", "Result"),
    ("call_retry_in", "重呼倒计时", "Retry in"),
    ("call_recorded", "已记录", "Recorded"),
    ("call_lease", "领取剩余", "Held for"),
    (
        "call_not_yours",
        "此任务未由您领取，号码已隐藏",
        "You do not hold this call; the number is hidden",
    ),
    ("call_release", "放回队列", "Put back"),
    ("cr_dissuaded", "接通·劝阻成功", "Reached · dissuaded"),
    ("cr_insisted", "接通·不听劝阻", "Reached · insists"),
    ("cr_no_answer", "无人接听", "No answer"),
    ("cr_switched_off", "关机", "Switched off"),
    ("cr_empty_number", "空号", "Empty number"),
    ("cr_refused", "拒接", "Refused"),
    ("new_round", "再次劝阻", "New round"),
    ("no", "否", "No"),
    ("no_tasks", "暂无待办任务", "No open tasks"),
    ("no_warnings_yet", "暂无预警", "No warnings yet"),
    ("note", "备注", "Note"),
    ("o_defrauded", "已被骗", "Defrauded"),
    ("o_dissuaded_phone", "电话劝阻成功", "Dissuaded by phone"),
    (
        "o_dissuaded_relatives",
        "亲属劝阻成功",
        "Dissuaded via relatives",
    ),
    ("o_dissuaded_sms", "短信劝阻", "Dissuaded by SMS"),
    ("o_dissuaded_visit", "上门劝阻成功", "Dissuaded in person"),
    ("o_false_alarm", "误报", "False alarm"),
    ("o_self_aware", "自主防范", "Already aware"),
    ("o_unreachable_empty_number", "空号", "Empty number"),
    ("o_unreachable_no_answer", "无人接听", "No answer"),
    ("o_unreachable_refused", "拒接", "Refused"),
    ("o_unreachable_switched_off", "关机", "Switched off"),
    ("older", "更早", "Older"),
    ("open_instructions", "在办指令", "Open"),
    ("orange_warnings", "橙色预警", "Orange"),
    ("overdue", "超期", "Overdue"),
    ("people_in_scope", "辖区人口", "People"),
    ("push_down", "下发", "Push down"),
    ("push_down_to", "下发至", "Push down to"),
    ("queue_empty", "暂无指令", "No instructions"),
    ("recall", "收回", "Recall"),
    ("red_warnings", "红色预警", "Red"),
    ("reject_review", "误报", "Reject"),
    ("reputation", "风险分", "Reputation"),
    ("resident_id", "身份证号", "Resident ID"),
    ("round", "劝阻轮次", "Round"),
    ("rules_fired", "命中规则", "Rules fired"),
    ("save", "保存", "Save"),
    ("saved", "挽损金额", "Saved"),
    ("saved_yuan", "挽损金额(元)", "Saved (yuan)"),
    ("select_all", "全选", "Select all"),
    ("show_full", "显示完整信息", "Show full data"),
    ("sign", "签收", "Sign"),
    ("sign_by", "签收时限", "Sign by"),
    ("sign_in_sla", "签收及时率", "Signed in SLA"),
    ("signal_at", "信号时间", "Signal time"),
    ("source_engine", "模型预警", "Engine"),
    ("source_manual", "人工录入", "Manual"),
    ("source_national_push", "国家中心推送", "National push"),
    ("start_contact", "开始劝阻", "Start contact"),
    ("submit", "提交", "Submit"),
    ("suspects", "涉诈号码", "Suspect numbers"),
    ("tab_all", "全部", "All"),
    ("tab_closed", "已办结", "Closed"),
    ("tab_mine", "本单位待办", "My unit"),
    ("tab_open", "辖区在办", "Open in area"),
    ("tab_overdue", "超期", "Overdue"),
    ("talking_points", "劝阻话术", "What to say"),
    ("target", "对象", "Target"),
    ("today", "今日", "Today"),
    ("unit_load", "辖区在办与超期", "Load by unit"),
    ("unit_ranking", "下级单位排名", "Units below"),
    ("units_in_scope", "辖区单位", "Units"),
    ("unknown_person", "身份待核实", "Identity unknown"),
    ("unreachable", "无法联系", "Unreachable"),
    ("user_saved", "已保存用户", "Saved user"),
    ("users", "用户", "Users"),
    ("warning", "预警", "Warning"),
    ("warnings", "预警", "Warnings"),
    (
        "warnings_by_hour",
        "今日预警时段分布",
        "Warnings by hour today",
    ),
    ("yellow_warnings", "黄色预警", "Yellow"),
    ("yes", "是", "Yes"),
    ("org_units", "组织机构", "Org units"),
    ("unit_name", "名称", "Name"),
    ("units_hint", "本单位及下一级；完整机构树见导出。机构由行政区划导入（fanzha import divisions --root 代码）。", "Your unit and the level below; the export holds the whole tree. Units come from the division tables (fanzha import divisions --root CODE)."),
    ("level", "层级", "Level"),
    ("parent_unit", "上级单位", "Parent"),
    ("population", "人口", "Population"),
    ("guardians", "金钟罩家属", "Registered family (金钟罩)"),
    ("texts_sent", "已发短信", "Texts sent"),
    ("sms_guardian_alert", "家属提醒", "Family alert"),
    ("sms_warning_to_person", "反诈提醒", "Warning to the person"),
    ("sms_escalation", "超时提醒", "Escalation"),
    ("tab_pending", "在办", "Open"),
    ("instructions_count", "指令数", "Instructions"),
    ("rules", "检测规则", "Detection rules"),
    ("rule", "规则", "Rule"),
    ("condition", "条件", "Condition"),
    ("rules_draft", "编辑规则（TOML）", "Edit rules (TOML)"),
    ("rules_check", "检查", "Check"),
    ("rules_test_run", "试运行", "Test-run"),
    ("rules_activate", "启用", "Activate"),
    ("rules_valid", "规则有效，条数", "Valid rules:"),
    (
        "rules_activated",
        "已启用，实时引擎将重新加载，条数",
        "Activated; the live engine reloads. Rules:",
    ),
    ("running", "运行中", "Running"),
    ("residents", "居民", "residents"),
    ("days", "天", "days"),
    ("signals", "条信号", "signals"),
    ("victims_in_truth", "真实受害人", "true victims"),
    ("warned_people", "预警人数", "people warned"),
    ("warned_victims", "命中受害人", "victims warned"),
    ("fired", "触发次数", "fired"),
    ("nav_statistics", "统计", "Statistics"),
    ("up_one_level", "上一级", "Up one level"),
    ("last_30_days", "近30天", "last 30 days"),
    ("this_month", "本月", "This month"),
    ("this_year", "本年", "This year"),
    ("cases_section", "发案情况", "Cases reported"),
    ("case_count", "发案数", "Cases"),
    ("cases_last_year", "去年同期", "Same period last year"),
    ("yoy", "同比", "Year on year"),
    ("yoy_flat", "持平", "flat"),
    ("per_10k", "万人发案数", "Cases per 10,000 residents"),
    ("case_loss", "案件损失", "Case losses"),
    (
        "public_sector_cases",
        "财政供养人员发案",
        "Public-sector victims",
    ),
    ("cases_by_type", "发案类型分布", "Cases by fraud type"),
    ("funds_section", "资金查控", "Money stopped and returned"),
    ("stop_requests", "止付请求", "Stop-payment requests"),
    ("stopped_accounts", "止付账户", "Accounts stopped"),
    ("stopped_amount", "止付金额", "Amount stopped"),
    ("frozen_accounts", "冻结账户", "Accounts frozen"),
    ("frozen_amount", "冻结金额", "Amount frozen"),
    ("returned_amount", "返还资金", "Returned to victims"),
    ("return_rate", "资金返还率", "Return rate"),
    (
        "registration_section",
        "国家反诈中心APP注册（截至今日）",
        "National anti-fraud app registration (as of today)",
    ),
    ("resident_count", "居民数", "Residents"),
    ("app_registered", "已注册", "Registered"),
    ("registration_rate", "注册率", "Registration rate"),
    ("residents_16_60", "16–60周岁居民", "Residents aged 16–60"),
    (
        "registration_rate_16_60",
        "16–60周岁注册率",
        "Registration rate, aged 16–60",
    ),
    (
        "truncated_hint",
        "数据量超过单页上限，仅统计最近的部分",
        "More rows than one page holds; the figures cover the most recent ones",
    ),
    ("median_sign_min", "签收中位时长(分)", "Median sign (min)"),
    (
        "warnings_by_type",
        "预警诈骗类型分布",
        "Warnings by fraud type",
    ),
    ("account", "账户", "Account"),
    ("case", "案件", "Case"),
    ("confirm_held", "确认止付", "Confirm held"),
    ("deciding_terms", "判定依据", "Deciding terms"),
    ("employer_notice", "打印单位提示单", "Print employer notice"),
    ("executed_in_time", "30分钟内止付", "Held within 30 min"),
    ("extracts", "银行流水", "Bank extracts"),
    ("fail_reason", "失败原因", "Reason"),
    ("freeze", "转冻结", "Freeze"),
    ("held", "已止付金额", "Held"),
    ("held_amount_yuan", "止付金额(元)", "Amount held (yuan)"),
    ("held_in_accounts", "账户内尚存", "Still in accounts"),
    ("held_total", "止付合计", "Held in total"),
    ("holders", "涉案账户", "Holders"),
    ("institution", "机构", "Institution"),
    ("narrative", "简要案情", "What happened"),
    ("nav_cases", "案件", "Cases"),
    ("nav_stop_payments", "止付", "Stop-payments"),
    ("new_requests", "新止付请求", "New requests"),
    ("open_case", "登记案件", "Open a case"),
    ("public_sector", "财政供养人员", "Public-sector staff"),
    ("r_account_closed", "账户已销户", "Account closed"),
    ("r_account_not_found", "查无此账户", "Account not found"),
    ("r_no_balance", "余额不足", "No balance left"),
    ("renew", "续止付", "Renew"),
    ("renew_freeze", "续冻", "Renew freeze"),
    ("report_failed", "止付失败", "Report failure"),
    ("reported_at", "报案时间", "Reported"),
    ("requested", "请求止付金额", "Requested"),
    ("return_money", "返还", "Return"),
    ("rows_rejected", "拒收行", "rows rejected"),
    ("stop_payments", "紧急止付", "Stop-payments"),
    (
        "trace_and_request",
        "资金追踪并发起止付",
        "Trace and request stops",
    ),
    ("traced", "已追踪", "Traced"),
    ("transfers_taken_in", "已导入交易", "Transfers taken in"),
    ("upload_extract", "导入流水", "Import extract"),
    ("victim", "受害人", "Victim"),
    ("victim_account", "受害人账户", "Victim's account"),
    // Case import (案件导入) and the returns plan (发还计算).
    (
        "import_reports",
        "导入报警/96110案件",
        "Import 110 / 96110 reports",
    ),
    (
        "import_reports_hint",
        "报警或96110接警系统导出的CSV（UTF-8或GBK）或XLSX文件，列名按原系统（警情编号、报警人、身份证号、报警时间、损失金额、简要案情、嫌疑电话、嫌疑账号、管辖单位…）。同一警情编号只建一案；有问题的行列出行号和原因，不会丢失。",
        "A CSV (UTF-8 or GBK) or XLSX export of the 110 or 96110 system, with its own column names (report number, reporter, ID number, time, loss, narrative, suspect numbers and accounts, unit…). A report number opens one case only; rows with problems are listed with line and reason, never dropped.",
    ),
    ("report_file", "导出文件", "Export file"),
    ("file_format", "格式", "Format"),
    ("format_auto", "自动识别", "Detect"),
    ("rows_read", "读取行", "Rows read"),
    ("imported", "新建案件", "Imported"),
    ("duplicates", "已导入过", "Imported before"),
    (
        "import_nothing_new",
        "文件中的警情此前均已导入，未新建案件。",
        "Every report in the file was imported before; no case was created.",
    ),
    ("ignored_columns", "未识别的列", "Columns not recognised"),
    ("line", "行号", "Line"),
    ("column", "列", "Column"),
    ("reason", "原因", "Reason"),
    ("report_no", "警情编号", "Report number"),
    ("suspect_phones", "嫌疑电话", "Suspect numbers"),
    ("suspect_accounts", "嫌疑账号", "Suspect accounts"),
    ("apps", "涉案APP", "Apps"),
    ("urls", "涉案网址", "URLs"),
    ("victims_warnings", "受害人此前预警", "The victim's earlier warnings"),
    ("returns_plan", "发还计算", "Returns plan"),
    ("print_returns_list", "打印发还清单", "Print the returns list"),
    ("returns_pool", "在账止付/冻结资金", "Held in the account"),
    ("frozen_part", "其中已冻结", "frozen"),
    ("claims_total", "流入被骗资金合计", "Victim money traced in"),
    ("unclaimed", "超出被骗资金部分", "Beyond the victims' claims"),
    (
        "returns_rule",
        "按各受害人流入该账户的被骗资金比例分配，以分计；尾差按余数大小依次分配，余数相同按报案先后；各份额与超出部分之和等于在账资金。",
        "Split in proportion to the victim money each case's trace found in the account, in whole fen; remainders go by largest fraction, ties to the earlier report; the shares and the rest add up to the balance held.",
    ),
    (
        "returns_need_freeze",
        "部分资金尚为止付状态，发还前须先转冻结。",
        "Part of the money is only stopped: freeze it before it can be returned.",
    ),
    ("traced_claim", "流入金额", "Traced in"),
    ("return_share", "应发还", "Share"),
    ("record_return", "记录发还", "Record return"),
    ("already_returned", "已发还", "Already returned"),
    ("other_unit_case", "其他单位案件", "Another unit's case"),
    // 涉案账户开户人: local holders of accounts that received victim money (两卡).
    ("nav_mule_accounts", "涉案账户开户人", "Mule-account holders"),
    (
        "mule_accounts_hint",
        "本辖区居民名下、接收过被骗资金的银行账户（来自止付请求和案件资金流水，不含受害人本人账户），供核查出租、出借、出售“两卡”人员。",
        "Bank accounts held by residents of your area that received victim money (from stop-payment requests and the cases' transfers; victims' own accounts left out): leads for checking who rented, lent or sold their cards.",
    ),
    ("mule_holder", "开户人", "Holder"),
    ("mule_opened", "开户时间/网点", "Opened"),
    ("mule_cases", "涉案数", "Cases"),
    ("mule_received", "流入被骗资金", "Victim money received"),
    ("mule_first_case", "首次涉案", "First case"),
    ("mule_last_case", "最近涉案", "Latest case"),
    (
        "case_local_holders",
        "止付账户本地开户人",
        "Local holders of the stop-payment accounts",
    ),
    ("mule_see_all", "查看全部", "See all"),
    // Empty tables say what is missing and, where there is one, the way to fill them.
    ("audit_empty", "暂无审计记录", "No audit entries"),
    ("action_code", "操作代码", "Action code"),
    (
        "cases_empty",
        "暂无案件：在下方立案，或导入110/96110接警记录",
        "No cases yet: open one below or import 110 / 96110 reports",
    ),
    (
        "case_requests_empty",
        "暂无止付请求：导入流水并溯源后生成",
        "No stop-payment requests yet: take in the transfers and trace them",
    ),
    ("returns_empty", "暂无可发还的账户", "No accounts to return from"),
    ("statistics_empty", "所选时段暂无数据", "Nothing in this period"),
    ("stop_payments_empty", "暂无止付请求", "No stop-payment requests"),
    (
        "mule_accounts_empty",
        "暂无本辖区居民名下的涉案账户（需导入银行开户数据并有案件流水或止付）",
        "No account of a resident of your area has received victim money (needs imported bank accounts and cases with transfers or stop-payments)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_and_is_unique() {
        let mut keys: Vec<_> = STRINGS.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), STRINGS.len());
        for (k, zh, en) in STRINGS {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(Lang::Zh.t("login"), "登录");
        assert_eq!(Lang::En.t("login"), "Log in");
    }

    #[test]
    fn every_key_the_templates_use_exists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut used = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("lang.t(\"") {
                let rest = &text[i + "lang.t(\"".len()..];
                let key = &rest[..rest.find('"').unwrap()];
                assert!(
                    STRINGS.iter().any(|(k, _, _)| *k == key),
                    "{} uses the unknown key {key:?}",
                    path.display()
                );
                used += 1;
            }
        }
        assert!(used > 100, "only {used} keys found: the scan is broken");
    }
}
