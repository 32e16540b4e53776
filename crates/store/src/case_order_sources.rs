//! 订单信息泄露溯源: per case, the order a fake customer-service caller knew — platform, shop,
//! courier and outlet, the order's date, the details cited — and the grouping that finds where
//! the data leaked: shops and courier outlets that several victims' orders went through
//! (seed 002: "发现了冒充电商物流诈骗类案件信息泄露的源头和具体环节"). Recorded from the version
//! read and audited; read by the cases' subtree.

use crate::audit::{append_on, NewAuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::field::bounded_text;
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use fanzha_core::{name_key, FraudType};
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// The longest platform, shop, courier or outlet name kept (characters).
pub const MAX_NAME: usize = 100;

/// A detail of the order the caller knew.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum CitedDetail {
    OrderNo,
    Goods,
    Name,
    Phone,
    Address,
    Waybill,
    Amount,
}

impl CitedDetail {
    pub const ALL: [CitedDetail; 7] = [
        CitedDetail::OrderNo,
        CitedDetail::Goods,
        CitedDetail::Name,
        CitedDetail::Phone,
        CitedDetail::Address,
        CitedDetail::Waybill,
        CitedDetail::Amount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CitedDetail::OrderNo => "order_no",
            CitedDetail::Goods => "goods",
            CitedDetail::Name => "name",
            CitedDetail::Phone => "phone",
            CitedDetail::Address => "address",
            CitedDetail::Waybill => "waybill",
            CitedDetail::Amount => "amount",
        }
    }

    pub fn parse(s: &str) -> Option<CitedDetail> {
        CitedDetail::ALL
            .into_iter()
            .find(|d| d.as_str() == s.trim())
    }

    /// A detail as a report export or a form writes it: its code, its label in either
    /// language, or the words the hotlines use (`运单号` for the waybill, `姓名`, `电话`,
    /// `地址`, `商品`, `金额`). `None` for anything else.
    pub fn from_written(s: &str) -> Option<CitedDetail> {
        let w = s.trim();
        if let Some(d) = CitedDetail::parse(w) {
            return Some(d);
        }
        if let Some(d) = CitedDetail::ALL
            .into_iter()
            .find(|d| d.zh() == w || d.en().eq_ignore_ascii_case(w))
        {
            return Some(d);
        }
        // The order number before the other "单号"s: 订单号 is the platform's, 快递单号 the
        // courier's.
        const WORDS: [(&str, CitedDetail); 14] = [
            ("订单号", CitedDetail::OrderNo),
            ("订单编号", CitedDetail::OrderNo),
            ("快递单", CitedDetail::Waybill),
            ("运单", CitedDetail::Waybill),
            ("物流单", CitedDetail::Waybill),
            ("面单", CitedDetail::Waybill),
            ("商品", CitedDetail::Goods),
            ("货品", CitedDetail::Goods),
            ("姓名", CitedDetail::Name),
            ("电话", CitedDetail::Phone),
            ("手机", CitedDetail::Phone),
            ("地址", CitedDetail::Address),
            ("金额", CitedDetail::Amount),
            ("价格", CitedDetail::Amount),
        ];
        WORDS
            .into_iter()
            .find(|(word, _)| w.contains(word))
            .map(|(_, d)| d)
    }

    pub fn zh(self) -> &'static str {
        match self {
            CitedDetail::OrderNo => "订单号",
            CitedDetail::Goods => "商品信息",
            CitedDetail::Name => "收件人姓名",
            CitedDetail::Phone => "手机号",
            CitedDetail::Address => "收货地址",
            CitedDetail::Waybill => "快递单号",
            CitedDetail::Amount => "订单金额",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CitedDetail::OrderNo => "Order number",
            CitedDetail::Goods => "Goods",
            CitedDetail::Name => "Recipient's name",
            CitedDetail::Phone => "Phone number",
            CitedDetail::Address => "Address",
            CitedDetail::Waybill => "Waybill number",
            CitedDetail::Amount => "Order amount",
        }
    }

    /// Where the detail is kept: a waybill (面单) carries the name, phone, address and waybill
    /// number; the order number, goods and amount are the platform's or the shop's.
    pub fn on_waybill(self) -> bool {
        matches!(
            self,
            CitedDetail::Name | CitedDetail::Phone | CitedDetail::Address | CitedDetail::Waybill
        )
    }
}

/// What is recorded for a case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderSourceText {
    pub platform: String,
    pub shop: String,
    pub courier: String,
    pub outlet: String,
    /// The order's date, `YYYY-MM-DD`.
    pub ordered_on: Option<chrono::NaiveDate>,
    pub cited: Vec<CitedDetail>,
}

/// A case's recorded order source.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OrderSource {
    pub case_id: String,
    pub platform: String,
    pub shop: String,
    pub courier: String,
    pub outlet: String,
    pub ordered_on: Option<chrono::NaiveDate>,
    pub cited: Vec<CitedDetail>,
    pub recorded_by: String,
    pub recorded_at: i64,
    pub version: i64,
}

/// What cases are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeakBy {
    /// The platform and shop the order was placed at.
    Shop,
    /// The courier and outlet that shipped it.
    Outlet,
}

impl LeakBy {
    pub fn as_str(self) -> &'static str {
        match self {
            LeakBy::Shop => "shop",
            LeakBy::Outlet => "outlet",
        }
    }

    pub fn parse(s: &str) -> Option<LeakBy> {
        match s.trim() {
            "shop" => Some(LeakBy::Shop),
            "outlet" => Some(LeakBy::Outlet),
            _ => None,
        }
    }
}

/// A joint-office task a group was handed over in, as it stands.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeakTask {
    pub task_id: i64,
    pub state: crate::joint_tasks::TaskState,
}

/// A case of a group.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeakCase {
    pub case_id: String,
    pub unit_code: String,
    pub reported_at: i64,
    pub loss_fen: i64,
    pub ordered_on: Option<chrono::NaiveDate>,
    pub cited: Vec<CitedDetail>,
}

/// Cases whose orders went through one shop or one outlet.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeakGroup {
    /// The grouping key (`fanzha_core::name_key` of the platform or courier with the name).
    pub key: String,
    /// The platform (by shop) or the courier (by outlet).
    pub company: String,
    /// The shop or the outlet, as first written.
    pub name: String,
    pub cases: Vec<LeakCase>,
}

impl LeakGroup {
    pub fn loss_fen(&self) -> i64 {
        self.cases.iter().map(|c| c.loss_fen).sum()
    }

    /// The units (the victims' residences) the cases come from.
    pub fn units(&self) -> usize {
        let mut u: Vec<&str> = self.cases.iter().map(|c| c.unit_code.as_str()).collect();
        u.sort_unstable();
        u.dedup();
        u.len()
    }

    /// How many cases cited each detail, the most cited first.
    pub fn cited(&self) -> Vec<(CitedDetail, usize)> {
        let mut n: HashMap<CitedDetail, usize> = HashMap::new();
        for c in &self.cases {
            for d in &c.cited {
                *n.entry(*d).or_default() += 1;
            }
        }
        let mut out: Vec<(CitedDetail, usize)> = n.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// How many of a period's 冒充电商物流客服 cases have their order source recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LeakCoverage {
    pub cases: i64,
    pub recorded: i64,
}

fn cited_of(text: &str) -> Vec<CitedDetail> {
    let mut out: Vec<CitedDetail> = text.split(',').filter_map(CitedDetail::parse).collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn cited_text(cited: &[CitedDetail]) -> String {
    let mut c = cited.to_vec();
    c.sort_unstable();
    c.dedup();
    c.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",")
}

fn date_of(v: Option<String>) -> Option<chrono::NaiveDate> {
    v.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
}

const COLUMNS: &str = "s.case_id, s.platform, s.shop, s.courier, s.outlet, s.ordered_on, \
     s.cited, s.recorded_by, s.recorded_at, s.version";

fn from_row(r: &AnyRow) -> Result<OrderSource, sqlx::Error> {
    let cited: String = col(r, "cited")?;
    Ok(OrderSource {
        case_id: col(r, "case_id")?,
        platform: col(r, "platform")?,
        shop: col(r, "shop")?,
        courier: col(r, "courier")?,
        outlet: col(r, "outlet")?,
        ordered_on: date_of(col(r, "ordered_on")?),
        cited: cited_of(&cited),
        recorded_by: col(r, "recorded_by")?,
        recorded_at: col(r, "recorded_at")?,
        version: col(r, "version")?,
    })
}

/// The text checked and trimmed: something of the order named.
fn checked(t: &OrderSourceText) -> StoreResult<OrderSourceText> {
    let out = OrderSourceText {
        platform: bounded_text("platform", &t.platform, MAX_NAME, false)?,
        shop: bounded_text("shop", &t.shop, MAX_NAME, false)?,
        courier: bounded_text("courier", &t.courier, MAX_NAME, false)?,
        outlet: bounded_text("outlet", &t.outlet, MAX_NAME, false)?,
        ordered_on: t.ordered_on,
        cited: t.cited.clone(),
    };
    if out.platform.is_empty()
        && out.shop.is_empty()
        && out.courier.is_empty()
        && out.outlet.is_empty()
    {
        return Err(StoreError::invalid(
            "platform",
            "name the platform, the shop, the courier or the outlet",
        ));
    }
    if !out.outlet.is_empty() && out.courier.is_empty() {
        return Err(StoreError::invalid(
            "courier",
            "an outlet belongs to a courier: name the courier",
        ));
    }
    Ok(out)
}

/// The order-source repository.
pub struct CaseOrderSources<'s> {
    store: &'s Store,
}

impl<'s> CaseOrderSources<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        CaseOrderSources { store }
    }

    /// The order source recorded for case `case_id`, if any (the caller read the case in its
    /// scope).
    pub async fn get(&self, case_id: &str) -> StoreResult<Option<OrderSource>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM case_order_sources s WHERE s.case_id = "
        ));
        sql.arg(case_id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("case_order_sources.get"))?;
        row.as_ref()
            .map(from_row)
            .transpose()
            .map_err(StoreError::query("case_order_sources.get"))
    }

    /// Records `t` for case `case_id` of `scope`: a first record with `version` `None`, a
    /// change from the version read (audited `case_order_source_set` with the values before).
    /// [`StoreError::NotFound`] for a case outside `scope`; [`StoreError::Invalid`] naming the
    /// field when nothing of the order is named, an outlet lacks its courier or a name is too
    /// long; [`StoreError::Conflict`] when it changed since it was read.
    pub async fn set(
        &self,
        scope: &Scope,
        case_id: &str,
        version: Option<i64>,
        t: &OrderSourceText,
        by: &str,
        now: i64,
    ) -> StoreResult<OrderSource> {
        let t = checked(t)?;
        let case = self.store.cases().get(scope, case_id).await?;
        let _writer = self.store.write_guard().await;
        let before = self.get(case_id).await?;
        let stale = || StoreError::Conflict {
            what: "order source",
            detail: format!("the order source of case {case_id} changed: reload it"),
        };
        let ordered = t.ordered_on.map(|d| d.to_string());
        let mut tx = self.store.begin_write("case_order_sources.begin").await?;
        let mut sql;
        match (&before, version) {
            (None, None) => {
                sql = Sql::new(
                    "INSERT INTO case_order_sources (case_id, platform, shop, shop_key, courier, \
                     outlet, outlet_key, ordered_on, cited, recorded_by, recorded_at) VALUES (",
                );
                sql.arg(case_id)
                    .push(", ")
                    .arg(t.platform.as_str())
                    .push(", ")
                    .arg(t.shop.as_str())
                    .push(", ")
                    .arg(shop_key(&t))
                    .push(", ")
                    .arg(t.courier.as_str())
                    .push(", ")
                    .arg(t.outlet.as_str())
                    .push(", ")
                    .arg(outlet_key(&t))
                    .push(", ")
                    .arg(ordered.as_deref())
                    .push(", ")
                    .arg(cited_text(&t.cited))
                    .push(", ")
                    .arg(by)
                    .push(", ")
                    .arg(now)
                    .push(")");
            }
            (Some(b), Some(v)) if b.version == v => {
                sql = Sql::new("UPDATE case_order_sources SET platform = ");
                sql.arg(t.platform.as_str())
                    .push(", shop = ")
                    .arg(t.shop.as_str())
                    .push(", shop_key = ")
                    .arg(shop_key(&t))
                    .push(", courier = ")
                    .arg(t.courier.as_str())
                    .push(", outlet = ")
                    .arg(t.outlet.as_str())
                    .push(", outlet_key = ")
                    .arg(outlet_key(&t))
                    .push(", ordered_on = ")
                    .arg(ordered.as_deref())
                    .push(", cited = ")
                    .arg(cited_text(&t.cited))
                    .push(", recorded_by = ")
                    .arg(by)
                    .push(", recorded_at = ")
                    .arg(now)
                    .push(", version = version + 1 WHERE case_id = ")
                    .arg(case_id)
                    .push(" AND version = ")
                    .arg(v);
            }
            _ => return Err(stale()),
        }
        let done = sql.query().execute(&mut *tx).await.map_err(|e| {
            match StoreError::query("case_order_sources.set")(e) {
                StoreError::Conflict { .. } => stale(),
                other => other,
            }
        })?;
        if done.rows_affected() != 1 {
            return Err(stale());
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: by.to_string(),
                action: "case_order_source_set".into(),
                target_type: "case".into(),
                target_id: Some(case_id.to_string()),
                unit_code: Some(case.unit_code.clone()),
                detail: serde_json::json!({
                    "platform": t.platform,
                    "shop": t.shop,
                    "courier": t.courier,
                    "outlet": t.outlet,
                    "before": before.as_ref().map(|b| serde_json::json!({
                        "platform": b.platform,
                        "shop": b.shop,
                        "courier": b.courier,
                        "outlet": b.outlet,
                    })),
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("case_order_sources.commit"))?;
        self.get(case_id).await?.ok_or_else(stale)
    }

    /// The cases of `scope` reported in `[from, until)` with an order source, grouped `by` shop
    /// or outlet (cases naming neither stay out), the most cases first, then the largest loss.
    pub async fn groups(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
        by: LeakBy,
    ) -> StoreResult<Vec<LeakGroup>> {
        let key = match by {
            LeakBy::Shop => "s.shop_key",
            LeakBy::Outlet => "s.outlet_key",
        };
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS}, {key} AS group_key, c.unit_code, c.reported_at, c.loss_fen \
             FROM case_order_sources s JOIN cases c ON c.id = s.case_id WHERE "
        ));
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND c.reported_at >= ")
            .arg(from)
            .push(" AND c.reported_at < ")
            .arg(until)
            .push(" AND ")
            .push(key)
            .push(" <> '' ORDER BY c.reported_at, c.id");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("case_order_sources.groups"))?;
        let mut groups: Vec<LeakGroup> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for r in &rows {
            let (s, key, case) = (|| {
                let s = from_row(r)?;
                let key: String = col(r, "group_key")?;
                let case = LeakCase {
                    case_id: s.case_id.clone(),
                    unit_code: col(r, "unit_code")?,
                    reported_at: col(r, "reported_at")?,
                    loss_fen: col(r, "loss_fen")?,
                    ordered_on: s.ordered_on,
                    cited: s.cited.clone(),
                };
                Ok::<_, sqlx::Error>((s, key, case))
            })()
            .map_err(StoreError::query("case_order_sources.groups"))?;
            let i = *at.entry(key.clone()).or_insert_with(|| {
                groups.push(LeakGroup {
                    key,
                    company: match by {
                        LeakBy::Shop => s.platform.clone(),
                        LeakBy::Outlet => s.courier.clone(),
                    },
                    name: match by {
                        LeakBy::Shop => s.shop.clone(),
                        LeakBy::Outlet => s.outlet.clone(),
                    },
                    cases: Vec::new(),
                });
                groups.len() - 1
            });
            groups[i].cases.push(case);
        }
        groups.sort_by(|a, b| {
            b.cases
                .len()
                .cmp(&a.cases.len())
                .then(b.loss_fen().cmp(&a.loss_fen()))
                .then(a.key.cmp(&b.key))
        });
        Ok(groups)
    }

    /// The 冒充电商物流客服 cases of `scope` reported in `[from, until)`, and how many of them
    /// have an order source recorded.
    pub async fn coverage(
        &self,
        scope: &Scope,
        from: i64,
        until: i64,
    ) -> StoreResult<LeakCoverage> {
        let mut sql = Sql::new(
            "SELECT COUNT(*) AS n, COUNT(s.case_id) AS recorded FROM cases c \
             LEFT JOIN case_order_sources s ON s.case_id = c.id WHERE ",
        );
        scope.push_condition(&mut sql, "c.unit_code");
        sql.push(" AND c.fraud_type = ")
            .arg(FraudType::FakeCustomerService.code())
            .push(" AND c.reported_at >= ")
            .arg(from)
            .push(" AND c.reported_at < ")
            .arg(until);
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("case_order_sources.coverage"))?;
        Ok(LeakCoverage {
            cases: col(&row, "n").map_err(StoreError::query("case_order_sources.coverage"))?,
            recorded: col(&row, "recorded")
                .map_err(StoreError::query("case_order_sources.coverage"))?,
        })
    }
}

/// A shop groups by platform and name (the same shop name on two platforms is two shops).
fn shop_key(t: &OrderSourceText) -> String {
    if t.shop.is_empty() {
        String::new()
    } else {
        format!("{}|{}", name_key(&t.platform), name_key(&t.shop))
    }
}

/// An outlet groups by courier and name.
fn outlet_key(t: &OrderSourceText) -> String {
    if t.outlet.is_empty() {
        String::new()
    } else {
        format!("{}|{}", name_key(&t.courier), name_key(&t.outlet))
    }
}

impl CaseOrderSources<'_> {
    /// Hands group `key` (grouped `by`) of `scope`'s leak sources to a member department of the
    /// joint office as task `task` (assigned as [`crate::JointTasks::assign`] does, audited
    /// `joint_task_assigned`), keeping the link in the same transaction; returns the task's id.
    /// [`StoreError::Invalid`] naming `key` for a group with no case in `scope`.
    pub async fn hand_over(
        &self,
        scope: &Scope,
        by: LeakBy,
        key: &str,
        task: &crate::joint_tasks::NewTask,
        now: i64,
    ) -> StoreResult<i64> {
        let column = match by {
            LeakBy::Shop => "s.shop_key",
            LeakBy::Outlet => "s.outlet_key",
        };
        let mut known = Sql::new(
            "SELECT COUNT(*) AS n FROM case_order_sources s JOIN cases c ON c.id = s.case_id \
             WHERE ",
        );
        known.push(column).push(" = ").arg(key).push(" AND ");
        scope.push_condition(&mut known, "c.unit_code");
        let row = known
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("leak_source_tasks.hand_over"))?;
        let n: i64 = col(&row, "n").map_err(StoreError::query("leak_source_tasks.hand_over"))?;
        if n == 0 || key.is_empty() {
            return Err(StoreError::invalid(
                "key",
                "no case of one's area names this shop or outlet",
            ));
        }
        // The task and the record of what it was handed over for, in one transaction.
        self.store
            .joint_tasks()
            .assign_with(scope, task, now, Some((by.as_str(), key)))
            .await
    }

    /// The tasks `scope`'s groups (by `by`) were handed over in, per group key, the latest first.
    pub async fn tasks(
        &self,
        scope: &Scope,
        by: LeakBy,
    ) -> StoreResult<HashMap<String, Vec<LeakTask>>> {
        let mut sql = Sql::new(
            "SELECT l.group_key, t.id, t.state FROM leak_source_tasks l \
             JOIN joint_tasks t ON t.id = l.task_id WHERE l.group_by = ",
        );
        sql.arg(by.as_str()).push(" AND ");
        scope.push_condition(&mut sql, "l.unit_code");
        sql.push(" ORDER BY l.created_at DESC, l.id DESC");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("leak_source_tasks.tasks"))?;
        let mut out: HashMap<String, Vec<LeakTask>> = HashMap::new();
        for r in &rows {
            let (key, task) = (|| {
                Ok::<_, sqlx::Error>((
                    col::<String>(r, "group_key")?,
                    LeakTask {
                        task_id: col(r, "id")?,
                        state: crate::field::parse_code(
                            r,
                            "state",
                            crate::joint_tasks::TaskState::parse,
                        )?,
                    },
                ))
            })()
            .map_err(StoreError::query("leak_source_tasks.tasks"))?;
            out.entry(key).or_default().push(task);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::CitedDetail;

    #[test]
    fn a_detail_is_read_as_the_hotlines_write_it() {
        for d in CitedDetail::ALL {
            assert_eq!(CitedDetail::from_written(d.as_str()), Some(d));
            assert_eq!(CitedDetail::from_written(d.zh()), Some(d));
            assert_eq!(CitedDetail::from_written(&d.en().to_uppercase()), Some(d));
        }
        let read = |s| CitedDetail::from_written(s);
        assert_eq!(read("订单编号"), Some(CitedDetail::OrderNo));
        assert_eq!(read("运单号"), Some(CitedDetail::Waybill));
        assert_eq!(read("快递单号码"), Some(CitedDetail::Waybill));
        assert_eq!(read("收件人电话"), Some(CitedDetail::Phone));
        assert_eq!(read("姓名"), Some(CitedDetail::Name));
        assert_eq!(read("购买的商品"), Some(CitedDetail::Goods));
        assert_eq!(read("身份证号"), None);
        assert_eq!(read(""), None);
    }
}
