//! What a quarantined row's reason and column mean, in the reader's language: the import
//! pages show `unit_outside_area` as 单位不在本辖区, with the stable code kept beside it (in the
//! cell's `data-reason` and tooltip) for whoever looks it up in docs/reasons.md. A code without
//! a label is shown as itself; a test keeps every documented code labelled.

use crate::i18n::Lang;

/// (code, 中文, English) for every reason of docs/reasons.md and docs/ingest.md.
const REASONS: &[(&str, &str, &str)] = &[
    // Values (fanzha-core).
    ("empty", "为空", "empty"),
    ("whitespace", "首尾有空格", "leading or trailing space"),
    ("embedded_space", "中间有空格", "space inside"),
    ("bad_length", "位数不对", "wrong length"),
    (
        "non_digit",
        "含不应有的字符",
        "character that cannot appear",
    ),
    (
        "lowercase_check_char",
        "校验位 x 应为大写 X",
        "check character x should be X",
    ),
    (
        "bad_check_digit",
        "身份证校验位不符",
        "ID check digit does not match",
    ),
    (
        "bad_birth_date",
        "出生日期不存在",
        "birth date does not exist",
    ),
    (
        "birth_date_in_future",
        "出生日期晚于今天",
        "born after today",
    ),
    (
        "unknown_division_code",
        "地址码不存在",
        "unknown address code",
    ),
    ("lowercase", "含小写字母", "lower-case letter"),
    ("forbidden_char", "含不允许的字符", "character not allowed"),
    (
        "bad_check_char",
        "校验码不符",
        "check character does not match",
    ),
    (
        "unassigned_authority_code",
        "登记管理部门代码无效",
        "no such registration authority",
    ),
    (
        "bad_org_code_check",
        "组织机构代码校验不符",
        "organisation-code check fails",
    ),
    (
        "bad_luhn",
        "卡号校验位不符",
        "card check digit does not match",
    ),
    ("too_long", "过长", "too long"),
    ("unknown_segment", "号段不存在", "unknown number segment"),
    ("unknown_area_code", "区号不存在", "unknown area code"),
    ("missing_area_code", "固话缺少区号", "area code missing"),
    (
        "bad_subscriber_number",
        "本地号码格式不对",
        "bad local number",
    ),
    (
        "unknown_country_code",
        "国家代码不存在",
        "unknown country code",
    ),
    ("bad_format", "格式不对", "bad format"),
    (
        "too_many_decimals",
        "小数位过多（不足一分）",
        "below one fen",
    ),
    ("overflow", "数额超出范围", "out of range"),
    ("out_of_range", "时间不存在", "no such time"),
    // Rows of any file (fanzha-ingest).
    (
        "wrong_field_count",
        "列数与表头不符",
        "field count differs from the header",
    ),
    ("empty_required", "必填项为空", "required field empty"),
    (
        "duplicate_in_file",
        "与文件中前面的行重复",
        "repeats an earlier line",
    ),
    (
        "encoding_error",
        "文字编码错误",
        "invalid bytes for the encoding",
    ),
    ("unterminated_quote", "引号未闭合", "quote never closed"),
    ("bad_json", "不是 JSON 对象", "not a JSON object"),
    ("bad_flag", "是/否取值无法识别", "not a yes/no value"),
    (
        "not_applied",
        "导入中断，本行未录入，请重新导入",
        "import stopped before this row: import again",
    ),
    // Signals on the bus.
    (
        "message_too_large",
        "消息过大，不是信令",
        "message too large to be a signal",
    ),
    (
        "unknown_signal_type",
        "信令类型无法识别",
        "unknown kind of signal",
    ),
    (
        "bad_field",
        "字段缺失或类型不对",
        "field missing or of the wrong type",
    ),
    (
        "bad_amount",
        "转账金额须为正",
        "transfer amount must be positive",
    ),
    (
        "signal_type_not_allowed",
        "本机构不报送此类信令",
        "not a kind of signal this institution sends",
    ),
    (
        "account_not_of_bank",
        "不涉及本行账户",
        "touches no account of this bank",
    ),
    (
        "number_not_of_operator",
        "不涉及本网号码",
        "touches no number of this operator's network",
    ),
    // Case reports.
    ("negative_amount", "损失金额为负", "negative loss"),
    ("unknown_unit", "单位不存在", "no such unit"),
    (
        "ambiguous_unit",
        "单位名称重名，请填代码",
        "several units of that name: give the code",
    ),
    (
        "unit_out_of_scope",
        "单位不在本辖区",
        "unit outside your area",
    ),
    (
        "unknown_order_detail",
        "对方掌握信息无法识别（应为订单号、商品信息、收件人姓名、手机号、收货地址、快递单号、订单金额）",
        "not a detail of an order (order number, goods, name, phone, address, waybill, amount)",
    ),
    (
        "outlet_without_courier",
        "填了快递网点但未填快递公司",
        "an outlet without its courier",
    ),
    (
        "order_unnamed",
        "填了订单信息但未填平台、店铺或快递公司",
        "order details without the platform, shop or courier",
    ),
    // Team rosters.
    (
        "unknown_team_kind",
        "岗位无法识别（应为反诈民警、社区民警、村（街道）干部、网格员）",
        "not a team kind (anti-fraud officer, community officer, village cadre, grid worker)",
    ),
    (
        "not_a_village_or_township",
        "应为村（社区）或乡镇（街道、派出所）",
        "not a village or a township",
    ),
    ("unknown_login", "系统账号不存在", "no such login in your area"),
    (
        "team_member_invalid",
        "姓名或电话不符合要求",
        "name or number breaks the register's rules",
    ),
    // Population and monthly figure tables.
    ("bad_unit_code", "单位代码格式不对", "bad unit code"),
    ("bad_population", "人口数格式不对", "bad population"),
    ("unit_not_found", "单位不存在", "no such unit"),
    ("bad_month", "月份格式不对", "bad month"),
    ("bad_request_id", "编号不是核查编号", "not a request number"),
    ("unknown_outcome", "核查结果无法识别", "unknown outcome"),
    (
        "request_not_found",
        "本行无此核查编号",
        "no such request of this bank",
    ),
    (
        "request_not_pending",
        "该核查已反馈或已撤回",
        "answered or withdrawn already",
    ),
    ("unknown_operator", "运营商无法识别", "unknown operator"),
    ("bad_count", "数量格式不对", "bad count"),
    (
        "unit_outside_area",
        "单位不在本辖区",
        "unit outside your area",
    ),
    ("future_month", "月份尚未到来", "month still to come"),
    ("no_operator", "未指明运营商", "no operator given"),
    ("unknown_bank", "银行无法识别", "unknown bank"),
    ("bad_amount", "金额格式不对", "bad amount"),
    ("no_bank", "未指明银行", "no bank given"),
    ("not_own_bank", "非本行数据", "another bank's row"),
    (
        "not_own_operator",
        "非本运营商数据",
        "another operator's figures",
    ),
    ("invalid_value", "数值不被接受", "value refused"),
    // Two-card leads.
    (
        "two_numbers",
        "同时填了银行卡号和手机号",
        "both a card and a phone number",
    ),
    (
        "place_without_phone",
        "银行卡线索不应有漫游地",
        "roaming place on a bank card",
    ),
    // Joint-office task lists.
    (
        "unknown_member",
        "不是本联席办成员单位",
        "not a member of your joint office",
    ),
    ("due_passed", "完成时限已过", "deadline passed"),
    (
        "due_too_far",
        "完成时限超过一年",
        "deadline more than a year ahead",
    ),
    // Key-person lists.
    ("unknown_category", "人员类别无法识别", "unknown category"),
    ("unknown_role", "人员角色无法识别", "unknown role"),
    (
        "not_placed",
        "无法确定落地单位",
        "no landing unit can be found",
    ),
    (
        "unknown_punishment",
        "惩戒类型无法识别",
        "unknown punishment",
    ),
    (
        "unknown_abroad_state",
        "在外状态无法识别",
        "unknown abroad state",
    ),
    (
        "period_reversed",
        "结束日期早于开始日期",
        "ends before it starts",
    ),
    ("measure_incomplete", "措施信息不完整", "measure incomplete"),
    (
        "person_unknown",
        "本辖区无此居民，请先导入人口",
        "no such resident in your area: import people first",
    ),
    (
        "held_elsewhere",
        "档案在辖区外单位，需对方先移出",
        "dossier open at a unit outside your area",
    ),
    (
        "measure_invalid",
        "措施不符合档案规则，未录入",
        "measure breaks a dossier rule",
    ),
    // Guardian lists.
    (
        "not_mobile",
        "不是手机号，收不到短信",
        "not a mobile number: no SMS",
    ),
    ("unknown_relation", "关系无法识别", "unknown relation"),
    (
        "guardian_invalid",
        "家属信息不符合规则",
        "guardian breaks a rule",
    ),
    // Pushed warnings.
    ("bad_push_id", "推送编号格式不对", "bad push id"),
    (
        "no_person",
        "既无手机号也无身份证号",
        "neither phone nor ID number",
    ),
    ("bad_level", "预警等级无法识别", "unknown level"),
    (
        "pushed_in_future",
        "推送时间晚于导入时间",
        "pushed in the future",
    ),
    ("unknown_push_kind", "预警种类无法识别", "unknown warning kind"),
    ("amount_not_positive", "金额须大于零", "amount not above zero"),
    ("paid_in_future", "转账时间晚于导入时间", "paid in the future"),
    ("bad_account", "账号格式不对", "bad account number"),
    (
        "fund_detail_on_other_kind",
        "非资金预警却填了转账信息",
        "payment details on a warning of another kind",
    ),
    // New cards.
    ("other_bank", "卡号属于其他银行", "another bank's card"),
    ("bank_unknown", "无法确定发卡行", "bank unknown"),
    (
        "other_operator",
        "号码属于其他运营商",
        "another operator's number",
    ),
    (
        "not_mobile",
        "不是手机或虚拟运营商号码",
        "not a mobile number",
    ),
    (
        "operator_unknown",
        "无法确定号码所属运营商",
        "operator unknown",
    ),
    (
        "opened_in_future",
        "开卡时间晚于上传时间",
        "opened in the future",
    ),
    (
        "opened_before_birth",
        "开卡日期早于持卡人出生日期",
        "opened before the holder's birth",
    ),
    (
        "closed_in_future",
        "销户时间晚于上传时间",
        "closed in the future",
    ),
    (
        "closed_before_opened",
        "销户日期早于开户日期",
        "closed before it was opened",
    ),
];

/// The columns a quarantined row names.
const COLUMNS: &[(&str, &str, &str)] = &[
    ("push_kind", "预警种类", "warning kind"),
    ("amount", "金额", "amount"),
    ("paid_at", "转账时间", "paid at"),
    ("payee_bank", "收款银行", "payee bank"),
    ("payer_account", "付款账号", "paid from"),
    ("resident_id", "身份证号", "ID number"),
    ("id_number", "身份证号", "ID number"),
    ("name", "姓名", "name"),
    ("phone", "手机号", "phone"),
    ("card", "卡号", "card"),
    ("unit", "单位", "unit"),
    ("month", "月份", "month"),
    ("operator", "运营商", "operator"),
    ("calls_blocked", "拦截诈骗电话", "calls blocked"),
    ("sms_blocked", "拦截诈骗短信", "SMS blocked"),
    ("numbers_shut", "关停涉诈号码", "numbers shut"),
    ("awareness_sms", "推送防骗短信", "reminders texted"),
    ("awareness_calls", "防骗语音提醒", "voice reminders"),
    ("cases", "刑事案件立案数", "criminal cases"),
    ("population", "人口", "population"),
    ("category", "人员类别", "category"),
    ("punishment", "惩戒类型", "punishment"),
    ("punishment_from", "惩戒开始", "punishment from"),
    ("exit_ban_to", "不准出境截止", "exit ban until"),
    ("abroad_state", "在外状态", "abroad state"),
    ("place", "地点", "place"),
    ("push_id", "推送编号", "push id"),
    ("pushed_at", "推送时间", "pushed at"),
    ("level", "预警等级", "level"),
    ("relation", "关系", "relation"),
    ("reason", "原因", "reason"),
    ("lead_id", "线索编号", "lead id"),
    ("opened_at", "开卡时间", "opened at"),
    ("closed_at", "销户时间", "closed at"),
    ("outlet_division", "开卡网点区划", "outlet division"),
    ("report_no", "警情编号", "report number"),
    ("reported_at", "报警时间", "reported at"),
    ("loss", "损失金额", "loss"),
    ("narrative", "简要案情", "narrative"),
    ("kind", "岗位", "kind"),
    ("login", "系统账号", "login"),
    ("platform", "电商平台", "platform"),
    ("shop", "店铺", "shop"),
    ("courier", "快递公司", "courier"),
    ("outlet", "快递网点", "outlet"),
    ("ordered_on", "下单日期", "order date"),
    ("order_known", "对方掌握信息", "what the caller knew"),
    ("id", "编号", "number"),
    ("outcome", "核查结果", "outcome"),
    ("accounts_found", "查见账户数", "accounts found"),
    ("accounts_closed", "销户数", "accounts closed"),
    ("accounts_restricted", "限制非柜面数", "accounts restricted"),
    ("note", "说明", "note"),
];

fn lookup(
    table: &[(&str, &'static str, &'static str)],
    lang: Lang,
    code: &str,
) -> Option<&'static str> {
    table
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| match lang {
            Lang::Zh => *zh,
            Lang::En => *en,
        })
}

/// What a reason code means, in `lang`; the code itself when it has no label. (References,
/// as templates pass their fields.)
pub fn reason<'a>(lang: &Lang, code: &'a str) -> &'a str {
    lookup(REASONS, *lang, code).unwrap_or(code)
}

/// A quarantined row's column, in `lang`; the name itself when it has no label.
pub fn column<'a>(lang: &Lang, name: &'a str) -> &'a str {
    lookup(COLUMNS, *lang, name).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reason codes of the docs' tables (`| \`code\` | … |`).
    fn documented() -> Vec<String> {
        let mut codes = Vec::new();
        for doc in [
            include_str!("../../../docs/reasons.md"),
            include_str!("../../../docs/ingest.md"),
        ] {
            for line in doc.lines() {
                let Some(rest) = line.strip_prefix("| `") else {
                    continue;
                };
                let Some((code, _)) = rest.split_once("` |") else {
                    continue;
                };
                if code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    codes.push(code.to_string());
                }
            }
        }
        codes
    }

    #[test]
    fn every_documented_reason_is_labelled_in_both_languages() {
        let codes = documented();
        assert!(codes.len() > 60, "the docs' tables were found: {codes:?}");
        let missing: Vec<&String> = codes
            .iter()
            .filter(|c| lookup(REASONS, Lang::Zh, c).is_none())
            .collect();
        assert!(missing.is_empty(), "reasons without a label: {missing:?}");
        for (code, zh, en) in REASONS {
            assert!(!zh.is_empty() && !en.is_empty() && zh != code, "{code}");
        }
    }

    #[test]
    fn a_code_is_shown_in_the_readers_language_or_as_itself() {
        assert_eq!(reason(&Lang::Zh, "unit_outside_area"), "单位不在本辖区");
        assert_eq!(
            reason(&Lang::En, "bad_luhn"),
            "card check digit does not match"
        );
        assert_eq!(reason(&Lang::Zh, "something_new"), "something_new");
        assert_eq!(column(&Lang::Zh, "resident_id"), "身份证号");
        assert_eq!(column(&Lang::En, "x_col"), "x_col");
    }
}
