//! Outcomes of a dissuasion (反馈), with the field's codes.

use serde::{Deserialize, Serialize};

/// How the person was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    /// 电话劝阻
    Phone,
    /// 见面劝阻 / 上门
    Visit,
    /// 通过亲属劝阻
    Relatives,
    /// 短信 / 闪信
    Sms,
}

impl ContactChannel {
    pub fn zh(self) -> &'static str {
        match self {
            ContactChannel::Phone => "电话劝阻",
            ContactChannel::Visit => "见面劝阻",
            ContactChannel::Relatives => "亲属劝阻",
            ContactChannel::Sms => "短信劝阻",
        }
    }
}

/// Why the person could not be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnreachableReason {
    /// 空号
    EmptyNumber,
    /// 关机
    SwitchedOff,
    /// 拒接 / 拒绝配合
    Refused,
    /// 无人接听
    NoAnswer,
}

impl UnreachableReason {
    pub fn zh(self) -> &'static str {
        match self {
            UnreachableReason::EmptyNumber => "空号",
            UnreachableReason::SwitchedOff => "关机",
            UnreachableReason::Refused => "拒接",
            UnreachableReason::NoAnswer => "无人接听",
        }
    }
}

/// The result reported back up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// 劝阻成功
    Dissuaded { channel: ContactChannel },
    /// 自主防范: the person had already recognised the fraud.
    SelfAware,
    /// 已被骗: opens a case.
    Defrauded { loss_fen: i64 },
    /// 无法联系
    Unreachable {
        reason: UnreachableReason,
        attempts: u32,
    },
    /// 误报
    FalseAlarm,
}

impl Outcome {
    /// Stable code, e.g. `dissuaded_phone`, `unreachable_switched_off`.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Dissuaded {
                channel: ContactChannel::Phone,
            } => "dissuaded_phone",
            Outcome::Dissuaded {
                channel: ContactChannel::Visit,
            } => "dissuaded_visit",
            Outcome::Dissuaded {
                channel: ContactChannel::Relatives,
            } => "dissuaded_relatives",
            Outcome::Dissuaded {
                channel: ContactChannel::Sms,
            } => "dissuaded_sms",
            Outcome::SelfAware => "self_aware",
            Outcome::Defrauded { .. } => "defrauded",
            Outcome::Unreachable {
                reason: UnreachableReason::EmptyNumber,
                ..
            } => "unreachable_empty_number",
            Outcome::Unreachable {
                reason: UnreachableReason::SwitchedOff,
                ..
            } => "unreachable_switched_off",
            Outcome::Unreachable {
                reason: UnreachableReason::Refused,
                ..
            } => "unreachable_refused",
            Outcome::Unreachable {
                reason: UnreachableReason::NoAnswer,
                ..
            } => "unreachable_no_answer",
            Outcome::FalseAlarm => "false_alarm",
        }
    }

    pub fn zh(&self) -> String {
        match self {
            Outcome::Dissuaded { channel } => channel.zh().to_string(),
            Outcome::SelfAware => "自主防范".into(),
            Outcome::Defrauded { .. } => "已被骗".into(),
            Outcome::Unreachable { reason, attempts } => {
                format!("无法联系（{}，{}次）", reason.zh(), attempts)
            }
            Outcome::FalseAlarm => "误报".into(),
        }
    }

    /// Counts as a prevented fraud in the dissuasion rate.
    pub fn is_prevented(&self) -> bool {
        matches!(self, Outcome::Dissuaded { .. } | Outcome::SelfAware)
    }
}
