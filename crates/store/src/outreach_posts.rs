//! New-media outreach (新媒体宣传): the articles, short videos and live streams the center and
//! the units publish on their official accounts (微信公众号, 抖音, 快手, 微博, 今日头条 …), with
//! their views (阅读/播放量) and shares, counted again as they grow. The bureaus report them as
//! "发布文章、视频N条，累计阅读量M人次".
//!
//! A post belongs to the unit that published it and is read by that unit's subtree; it holds
//! no personal data. Recording a post and counting its figures again write an audit entry in
//! the same transaction; a new count names the version it read.

use crate::audit::{append_on, NewAuditEntry};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::{bounded_text, parse_code};
use crate::outreach::MAX_COUNT;
use crate::page::{push_newest_first, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};
use crate::store::Store;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

code_enum! {
    /// Where a post went out.
    PostPlatform {
        Wechat => "wechat", "微信公众号/视频号", "WeChat";
        Douyin => "douyin", "抖音", "Douyin";
        Kuaishou => "kuaishou", "快手", "Kuaishou";
        Weibo => "weibo", "微博", "Weibo";
        Toutiao => "toutiao", "今日头条", "Toutiao";
        Bilibili => "bilibili", "哔哩哔哩", "Bilibili";
        Website => "website", "门户网站", "Website";
        Other => "other", "其他平台", "Other";
    }
}

code_enum! {
    /// What was published.
    PostForm {
        Article => "article", "文章", "Article";
        Video => "video", "短视频", "Short video";
        Live => "live", "直播", "Live stream";
    }
}

code_enum! {
    /// What a post is about.
    PostTopic {
        /// 骗局揭秘: how a scam works.
        Methods => "methods", "骗局揭秘", "How scams work";
        /// 预警提示: a scam going round now.
        Alert => "alert", "预警提示", "Alert";
        /// 典型案例: a case told as a lesson.
        TypicalCase => "typical_case", "典型案例", "Typical case";
        /// 两卡: renting out or selling bank and phone cards.
        TwoCards => "two_cards", "涉两卡", "Two cards";
        /// 国家反诈中心APP推广.
        App => "app", "反诈APP推广", "Anti-fraud app";
        /// 其他.
        Other => "other", "其他", "Other";
    }
}

/// The longest title or account name kept (characters).
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest link kept (characters).
pub const MAX_LINK_CHARS: usize = 500;

/// A post to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPost {
    /// The publishing unit; must lie inside the recorder's scope.
    pub unit_code: String,
    /// The first instant of the day it went out (Asia/Shanghai), epoch ms UTC.
    pub published_on: i64,
    pub platform: PostPlatform,
    pub form: PostForm,
    pub topic: PostTopic,
    /// The account's name (e.g. 熊猫反诈骗), required.
    pub account: String,
    /// Required.
    pub title: String,
    /// `http(s)://…`, or empty.
    pub link: String,
    pub views: i64,
    pub shares: i64,
    /// Login of the recorder.
    pub created_by: String,
}

/// A stored post.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Post {
    pub id: i64,
    pub unit_code: String,
    pub published_on: i64,
    pub platform: PostPlatform,
    pub form: PostForm,
    pub topic: PostTopic,
    pub account: String,
    pub title: String,
    pub link: String,
    pub views: i64,
    pub shares: i64,
    /// When the views and shares were last counted.
    pub counted_at: i64,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

/// Which posts to list or total (the unit is the scope).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostFilter {
    /// Published on or after this instant.
    pub from: Option<i64>,
    /// Published before this instant.
    pub until: Option<i64>,
    pub platform: Option<PostPlatform>,
    pub form: Option<PostForm>,
}

/// Posts, views and shares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PostTally {
    pub posts: i64,
    pub views: i64,
    pub shares: i64,
}

impl PostTally {
    fn add(&mut self, other: PostTally) {
        self.posts += other.posts;
        self.views += other.views;
        self.shares += other.shares;
    }
}

/// Sums over a scope and period: in all, per platform, per form, per topic (each in code
/// order, only those with posts).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PostFigures {
    pub total: PostTally,
    pub by_platform: Vec<(PostPlatform, PostTally)>,
    pub by_form: Vec<(PostForm, PostTally)>,
    pub by_topic: Vec<(PostTopic, PostTally)>,
}

const COLUMNS: &str = "p.id, p.unit_code, p.published_on, p.platform, p.form, p.topic, p.account, \
     p.title, p.link, p.views, p.shares, p.counted_at, p.created_by, p.created_at, p.version";

fn from_row(row: &AnyRow) -> Result<Post, sqlx::Error> {
    Ok(Post {
        id: col(row, "id")?,
        unit_code: col(row, "unit_code")?,
        published_on: col(row, "published_on")?,
        platform: parse_code(row, "platform", PostPlatform::parse)?,
        form: parse_code(row, "form", PostForm::parse)?,
        topic: parse_code(row, "topic", PostTopic::parse)?,
        account: col(row, "account")?,
        title: col(row, "title")?,
        link: col(row, "link")?,
        views: col(row, "views")?,
        shares: col(row, "shares")?,
        counted_at: col(row, "counted_at")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
        version: col(row, "version")?,
    })
}

fn push_filter(sql: &mut Sql<'_>, f: &PostFilter) {
    if let Some(from) = f.from {
        sql.push(" AND p.published_on >= ").arg(from);
    }
    if let Some(until) = f.until {
        sql.push(" AND p.published_on < ").arg(until);
    }
    if let Some(p) = f.platform {
        sql.push(" AND p.platform = ").arg(p.as_str());
    }
    if let Some(f) = f.form {
        sql.push(" AND p.form = ").arg(f.as_str());
    }
}

fn count_ok(field: &'static str, n: i64) -> StoreResult<()> {
    if !(0..=MAX_COUNT * 100).contains(&n) {
        return Err(StoreError::invalid(
            field,
            format!("must be between 0 and {}", MAX_COUNT * 100),
        ));
    }
    Ok(())
}

/// Checks a post at `now`, returning it with its text trimmed.
fn validated(new: &NewPost, now: i64) -> StoreResult<NewPost> {
    count_ok("views", new.views)?;
    count_ok("shares", new.shares)?;
    if new.published_on > now {
        return Err(StoreError::invalid(
            "published_on",
            "must not be in the future",
        ));
    }
    let link = bounded_text("link", &new.link, MAX_LINK_CHARS, false)?;
    let web_address = link.starts_with("https://") || link.starts_with("http://");
    if !(link.is_empty() || web_address) {
        return Err(StoreError::invalid(
            "link",
            "give the post's address starting with https://, or leave it empty",
        ));
    }
    Ok(NewPost {
        account: bounded_text("account", &new.account, MAX_TITLE_CHARS, true)?,
        title: bounded_text("title", &new.title, MAX_TITLE_CHARS, true)?,
        link,
        ..new.clone()
    })
}

/// The new-media outreach repository.
pub struct OutreachPosts<'s> {
    store: &'s Store,
}

impl<'s> OutreachPosts<'s> {
    pub(crate) fn new(store: &'s Store) -> Self {
        OutreachPosts { store }
    }

    /// Records a post at `now` with its audit entry; returns its id. [`StoreError::NotFound`]
    /// when the unit lies outside `scope`.
    pub async fn record(&self, scope: &Scope, new: &NewPost, now: i64) -> StoreResult<i64> {
        let new = validated(new, now)?;
        self.store.units().in_scope(scope, &new.unit_code).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("outreach_posts.begin").await?;
        let mut sql = Sql::new(
            "INSERT INTO outreach_posts (unit_code, published_on, platform, form, topic, account, \
             title, link, views, shares, counted_at, created_by, created_at) VALUES (",
        );
        sql.arg(new.unit_code.as_str())
            .push(", ")
            .arg(new.published_on)
            .push(", ")
            .arg(new.platform.as_str())
            .push(", ")
            .arg(new.form.as_str())
            .push(", ")
            .arg(new.topic.as_str())
            .push(", ")
            .arg(new.account.as_str())
            .push(", ")
            .arg(new.title.as_str())
            .push(", ")
            .arg(new.link.as_str())
            .push(", ")
            .arg(new.views)
            .push(", ")
            .arg(new.shares)
            .push(", ")
            .arg(now)
            .push(", ")
            .arg(new.created_by.as_str())
            .push(", ")
            .arg(now)
            .push(") RETURNING id");
        let row = sql
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("outreach_posts.record"))?;
        let id: i64 = col(&row, "id").map_err(StoreError::query("outreach_posts.record"))?;
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: new.created_by.clone(),
                action: "outreach_post_recorded".into(),
                target_type: "outreach_post".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(new.unit_code.clone()),
                detail: serde_json::json!({
                    "platform": new.platform.as_str(),
                    "form": new.form.as_str(),
                    "views": new.views,
                    "shares": new.shares,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("outreach_posts.commit"))?;
        Ok(id)
    }

    /// Post `id` when its unit lies inside `scope`; [`StoreError::NotFound`] otherwise.
    pub async fn get(&self, scope: &Scope, id: i64) -> StoreResult<Post> {
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM outreach_posts p WHERE "));
        scope.push_condition(&mut sql, "p.unit_code");
        sql.push(" AND p.id = ").arg(id);
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("outreach_posts.get"))?;
        match row {
            Some(r) => from_row(&r).map_err(StoreError::query("outreach_posts.get")),
            None => Err(StoreError::NotFound {
                what: "outreach post",
                key: id.to_string(),
            }),
        }
    }

    /// Counts post `id`'s views and shares again (read at `version`) by `actor` at `now`, with
    /// its audit entry (the figures before and after). A count may go down (a mistyped figure
    /// corrected); [`StoreError::Conflict`] when the post moved past `version`.
    #[allow(clippy::too_many_arguments)]
    pub async fn count_again(
        &self,
        scope: &Scope,
        id: i64,
        version: i64,
        views: i64,
        shares: i64,
        actor: &str,
        now: i64,
    ) -> StoreResult<Post> {
        count_ok("views", views)?;
        count_ok("shares", shares)?;
        let current = self.get(scope, id).await?;
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("outreach_posts.begin").await?;
        let mut sql = Sql::new("UPDATE outreach_posts SET views = ");
        sql.arg(views)
            .push(", shares = ")
            .arg(shares)
            .push(", counted_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(version);
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("outreach_posts.count_again"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "outreach post",
                detail: format!(
                    "post {id} changed since it was read (version {} now, {version} read): reload it",
                    current.version
                ),
            });
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "outreach_post_counted".into(),
                target_type: "outreach_post".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(current.unit_code.clone()),
                detail: serde_json::json!({
                    "views": {"from": current.views, "to": views},
                    "shares": {"from": current.shares, "to": shares},
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("outreach_posts.commit"))?;
        Ok(Post {
            views,
            shares,
            counted_at: now,
            version: version + 1,
            ..current
        })
    }

    /// Posts inside `scope` matching `filter`, the latest day first (then the newest post);
    /// the page key is `"<published_on>/<id>"`.
    pub async fn list(
        &self,
        scope: &Scope,
        filter: &PostFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Post>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM outreach_posts p WHERE "));
        scope.push_condition(&mut sql, "p.unit_code");
        push_filter(&mut sql, filter);
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "p.published_on",
            "p.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("outreach_posts.list"))?;
        let items = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("outreach_posts.list"))?;
        Ok(Page::from_overfetch(items, limit, |p| {
            format!("{}/{}", p.published_on, p.id)
        }))
    }

    /// Posts, views and shares inside `scope` matching `filter`, in all and per platform,
    /// form and topic.
    pub async fn figures(&self, scope: &Scope, filter: &PostFilter) -> StoreResult<PostFigures> {
        let mut sql = Sql::new(
            "SELECT p.platform, p.form, p.topic, COUNT(*) AS posts, \
             CAST(COALESCE(SUM(p.views), 0) AS BIGINT) AS views, \
             CAST(COALESCE(SUM(p.shares), 0) AS BIGINT) AS shares \
             FROM outreach_posts p WHERE ",
        );
        scope.push_condition(&mut sql, "p.unit_code");
        push_filter(&mut sql, filter);
        sql.push(" GROUP BY p.platform, p.form, p.topic");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("outreach_posts.figures"))?;
        let mut platforms = BTreeMap::new();
        let mut forms = BTreeMap::new();
        let mut topics = BTreeMap::new();
        let mut total = PostTally::default();
        for row in &rows {
            let read = || -> Result<_, sqlx::Error> {
                Ok((
                    parse_code(row, "platform", PostPlatform::parse)?,
                    parse_code(row, "form", PostForm::parse)?,
                    parse_code(row, "topic", PostTopic::parse)?,
                    col::<i64>(row, "posts")?,
                    col::<i64>(row, "views")?,
                    col::<i64>(row, "shares")?,
                ))
            };
            let (platform, form, topic, posts, views, shares) =
                read().map_err(StoreError::query("outreach_posts.figures"))?;
            let group = PostTally {
                posts,
                views,
                shares,
            };
            total.add(group);
            platforms
                .entry(platform)
                .or_insert_with(PostTally::default)
                .add(group);
            forms
                .entry(form)
                .or_insert_with(PostTally::default)
                .add(group);
            topics
                .entry(topic)
                .or_insert_with(PostTally::default)
                .add(group);
        }
        Ok(PostFigures {
            total,
            by_platform: platforms.into_iter().collect(),
            by_form: forms.into_iter().collect(),
            by_topic: topics.into_iter().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post() -> NewPost {
        NewPost {
            unit_code: "330281".into(),
            published_on: 100,
            platform: PostPlatform::Douyin,
            form: PostForm::Video,
            topic: PostTopic::TwoCards,
            account: " 余姚反诈 ".into(),
            title: "出租银行卡的后果".into(),
            link: String::new(),
            views: 12_000,
            shares: 300,
            created_by: "analyst".into(),
        }
    }

    #[test]
    fn codes_round_trip() {
        for p in PostPlatform::ALL {
            assert_eq!(PostPlatform::parse(p.as_str()), Some(*p));
        }
        for f in PostForm::ALL {
            assert_eq!(PostForm::parse(f.as_str()), Some(*f));
        }
        for t in PostTopic::ALL {
            assert_eq!(PostTopic::parse(t.as_str()), Some(*t));
        }
    }

    #[test]
    fn posts_are_checked_and_trimmed() {
        assert_eq!(validated(&post(), 100).unwrap().account, "余姚反诈");
        for bad in [
            NewPost {
                published_on: 101,
                ..post()
            },
            NewPost {
                views: -1,
                ..post()
            },
            NewPost {
                shares: MAX_COUNT * 100 + 1,
                ..post()
            },
            NewPost {
                title: "  ".into(),
                ..post()
            },
            NewPost {
                account: String::new(),
                ..post()
            },
            NewPost {
                link: "javascript:alert(1)".into(),
                ..post()
            },
        ] {
            assert!(validated(&bad, 100).is_err(), "{bad:?}");
        }
        let linked = NewPost {
            link: " https://v.douyin.com/abc ".into(),
            ..post()
        };
        assert_eq!(
            validated(&linked, 100).unwrap().link,
            "https://v.douyin.com/abc"
        );
    }
}
