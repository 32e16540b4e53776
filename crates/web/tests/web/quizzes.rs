//! 反诈知识测试, on SQLite and PostgreSQL: the county loads the built-in questions and opens a
//! campaign for its public-sector staff with two employers; residents take it through the
//! public link without a login — refused for a landline, a question left open —, see the score
//! with the answers explained and sign the pledge; the campaign's page counts participants per
//! employer against the staff expected, numbers masked, exports, and its poster carries the QR
//! code; the campaign is edited from the version read and ended, after which its link refuses
//! attempts; another county never sees it; a bank's liaison has no quiz pages.

use axum::http::StatusCode;
use chrono::DateTime;
use fanzha_store::{Role, UnitLevel};
use fanzha_web::AppState;
use std::sync::Arc;

use crate::support::{ok, send_anonymous, send_as, unit, urlencoded, Answer, FixedClock};
use fanzha_store::testing::TestDb as Db;

fanzha_store::on_both_backends! {
    a_county_quizzes_its_public_sector_staff,
}

const COUNTY: &str = "330281";
const TOWNSHIP: &str = "330281001";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";

/// 2026-03-10 10:30 in Shanghai.
fn t0() -> i64 {
    DateTime::parse_from_rfc3339("2026-03-10T10:30:00+08:00")
        .unwrap()
        .timestamp_millis()
}

async fn world(db: &Db) -> AppState {
    let store = db.open().await;
    use UnitLevel::*;
    store
        .units()
        .upsert(&[
            unit("3302", "宁波市", City, None),
            unit(COUNTY, "余姚市", County, Some("3302")),
            unit(TOWNSHIP, "阳明街道", Township, Some(COUNTY)),
            unit(VILLAGE, "舜水社区", Village, Some(TOWNSHIP)),
            unit(OTHER_COUNTY, "慈溪市", County, Some("3302")),
        ])
        .await
        .unwrap();
    let mut state = AppState::new(store).await.unwrap();
    state.clock = Arc::new(FixedClock(t0()));
    state
}

async fn send(
    state: &AppState,
    role: Role,
    unit: &str,
    method: &str,
    path: &str,
    form: &str,
) -> Answer {
    send_as(state, role, unit, t0(), (method, path, form)).await
}

/// Starts an attempt on the public page; its token.
async fn start(state: &AppState, code: &str, employer: &str, phone: &str) -> String {
    let r = send_anonymous(
        state,
        (
            "POST",
            &format!("/q/{code}/start"),
            &format!(
                "unit_code={VILLAGE}&employer={}&phone={phone}",
                urlencoded(employer)
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.location.trim_start_matches("/qa/").to_string()
}

/// The answers of `token`'s questions: right ones, or the first `wrong` wrong.
async fn answers(state: &AppState, token: &str, wrong: usize) -> String {
    let a = state.store.quiz_attempts().get(token).await.unwrap();
    a.items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let right = item.question.answer;
            let pick = if i < wrong {
                (right + 1) % item.question.options.len()
            } else {
                right
            };
            format!("q{i}={pick}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn a_county_quizzes_its_public_sector_staff(db: &Db) {
    let state = world(db).await;
    let c = Role::UnitCommander;

    // The bank starts empty; the built-in questions load once.
    let bank = ok(&send(&state, c, COUNTY, "GET", "/quizzes/questions", "").await);
    assert!(bank.contains(r#"data-total="0""#), "{bank}");
    let r = send(&state, c, COUNTY, "POST", "/quizzes/questions/builtin", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let builtin = fanzha_store::builtin_quiz_questions().unwrap().len();
    assert_eq!(r.location, format!("/quizzes/questions?loaded={builtin}"));
    let bank = ok(&send(
        &state,
        c,
        COUNTY,
        "GET",
        "/quizzes/questions?fraud_type=fake_loan",
        "",
    )
    .await);
    assert!(bank.contains(r#"data-total="4""#), "four loan questions");
    // A question of one's own is added; a bad one is refused naming the field.
    let question = format!(
        "fraud_type=fake_loan&stem={}&options={}&answer=1&explanation={}",
        urlencoded("网贷平台称“解冻费”交了才能放款，怎么办？"),
        urlencoded("交钱解冻\n拒绝并报警\n找朋友借钱交"),
        urlencoded("凡是放款前收费的都是诈骗。")
    );
    let r = send(&state, c, COUNTY, "POST", "/quizzes/questions", &question).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let bad = send(
        &state,
        c,
        COUNTY,
        "POST",
        "/quizzes/questions",
        "fraud_type=fake_loan&stem=x&options=only&answer=0&explanation=y",
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("options"), "{}", bad.text());

    // Opening a campaign: refused without a title, with a bad employer line or too many
    // questions; then opened.
    let open = |title: &str, employers: &str, count: &str| {
        format!(
            "title={}&audience=public_sector&opens=2026-03-10&closes=2026-03-31&question_count={count}&pass_score=80&pledge={}&employers={}",
            urlencoded(title),
            urlencoded("我承诺：不出租出借银行卡。"),
            urlencoded(employers)
        )
    };
    for (form, field) in [
        (open("", "余姚市财政局,2", "10"), "title"),
        (open("测试", "余姚市财政局", "10"), "employers"),
        (open("测试", "余姚市财政局,2", "60"), "question_count"),
    ] {
        let r = send(&state, c, COUNTY, "POST", "/quizzes", &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}: {}", r.text());
        assert!(r.text().contains(field), "{field}: {}", r.text());
    }
    let r = send(
        &state,
        c,
        COUNTY,
        "POST",
        "/quizzes",
        &open(
            "2026年财政供养人员反诈测试",
            "余姚市财政局,2\n余姚市教育局,1",
            "10",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page_path = r.location.clone();
    let id: i64 = page_path.trim_start_matches("/quizzes/").parse().unwrap();
    let campaign = state
        .store
        .quiz_campaigns()
        .get(&fanzha_store::Scope::platform(), id)
        .await
        .unwrap();
    let code = campaign.code.clone();
    let page = ok(&send(&state, c, COUNTY, "GET", &page_path, "").await);
    assert!(
        page.contains(&format!("http://127.0.0.1:8080/q/{code}")),
        "{page}"
    );
    assert!(page.contains("<svg"), "the QR code");
    assert!(page.contains(r#"data-stat="quiz-participants">0<"#));

    // The township's short videos: the one with a link is recommended after the quiz.
    for (title, link) in [
        ("三分钟看懂刷单诈骗", "https://v.example.cn/shuadan"),
        ("没有链接的视频", ""),
    ] {
        state
            .store
            .outreach_posts()
            .record(
                &fanzha_store::Scope::platform(),
                &fanzha_store::NewPost {
                    unit_code: TOWNSHIP.into(),
                    published_on: t0() - 86_400_000,
                    platform: fanzha_store::PostPlatform::Douyin,
                    form: fanzha_store::PostForm::Video,
                    topic: fanzha_store::PostTopic::Methods,
                    account: "余姚反诈".into(),
                    title: title.into(),
                    link: link.into(),
                    views: 100,
                    shares: 1,
                    created_by: "setup".into(),
                },
                t0(),
            )
            .await
            .unwrap();
    }

    // The public page, without a login: the areas and the employers to choose.
    let landing = send_anonymous(&state, ("GET", &format!("/q/{code}"), "")).await;
    assert_eq!(landing.status, StatusCode::OK);
    let landing = landing.text();
    for needle in [
        "2026年财政供养人员反诈测试",
        "余姚市财政局",
        "舜水社区",
        r#"name="phone""#,
    ] {
        assert!(landing.contains(needle), "{needle} in {landing}");
    }
    // A landline, or no employer, is refused with what to fix.
    for (form, message) in [
        (
            format!(
                "unit_code={VILLAGE}&employer={}&phone=057462345678",
                urlencoded("余姚市财政局")
            ),
            "手机号码",
        ),
        (format!("unit_code={VILLAGE}&phone=13900000001"), "工作单位"),
    ] {
        let r = send_anonymous(&state, ("POST", &format!("/q/{code}/start"), &form)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}");
        assert!(r.text().contains(message), "{message}: {}", r.text());
    }

    // The first resident: one question left open, then all right, then the pledge.
    let token = start(&state, &code, "余姚市财政局", "13900000001").await;
    let questions = send_anonymous(&state, ("GET", &format!("/qa/{token}"), "")).await;
    let questions = questions.text();
    assert_eq!(
        questions.matches("class=\"card quiz-q\"").count(),
        10,
        "{questions}"
    );
    let all = answers(&state, &token, 0).await;
    let missing_fourth: String = all
        .split('&')
        .filter(|p| !p.starts_with("q3="))
        .collect::<Vec<_>>()
        .join("&");
    let r = send_anonymous(&state, ("POST", &format!("/qa/{token}"), &missing_fourth)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("第4题还没有作答"), "{}", r.text());
    let r = send_anonymous(&state, ("POST", &format!("/qa/{token}"), &all)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let result = send_anonymous(&state, ("GET", &format!("/qa/{token}"), ""))
        .await
        .text();
    assert!(
        result.contains(r#"data-score="100""#) && result.contains(r#"data-passed="true""#),
        "{result}"
    );
    assert!(result.contains("正确答案"), "the answers explained");
    assert!(
        result.contains("三分钟看懂刷单诈骗") && result.contains("https://v.example.cn/shuadan"),
        "the videos to watch"
    );
    assert!(!result.contains("没有链接的视频"));
    assert!(result.contains("我承诺：不出租出借银行卡。"));
    let r = send_anonymous(&state, ("POST", &format!("/qa/{token}/pledge"), "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let result = send_anonymous(&state, ("GET", &format!("/qa/{token}"), ""))
        .await
        .text();
    assert!(result.contains(r#"id="pledged""#), "{result}");
    // Handing in twice shows the score, changing nothing.
    let again = send_anonymous(&state, ("POST", &format!("/qa/{token}"), &all)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // A token nobody was given is not found.
    let none = send_anonymous(&state, ("GET", "/qa/0123456789abcdef0123456789abcdef", "")).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);

    // The second: the education bureau, half wrong.
    let token2 = start(&state, &code, "余姚市教育局", "13900000002").await;
    let half = answers(&state, &token2, 5).await;
    let r = send_anonymous(&state, ("POST", &format!("/qa/{token2}"), &half)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The campaign's page: per employer against the staff expected, numbers masked.
    let page = ok(&send(&state, c, COUNTY, "GET", &page_path, "").await);
    for needle in [
        r#"data-stat="quiz-participants">2<"#,
        r#"data-stat="quiz-passed">1<"#,
        r#"data-stat="quiz-pledged">1<"#,
        r#"data-stat="quiz-participation">66.7%<"#,
        r#"data-stat="quiz-employers-done">1/2<"#,
        "139****0001",
        "未全员参与",
        // Both took it in 舜水社区, under 阳明街道; one passed.
        r#"<td>阳明街道</td><td class="num">2</td><td class="num">1</td>"#,
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    assert!(!page.contains("13900000001"), "a full number on the page");
    let finance = page.find(r#"data-employer="余姚市财政局""#).unwrap();
    let education = page.find(r#"data-employer="余姚市教育局""#).unwrap();
    assert!(finance < education, "the lowest share first");
    let csv = ok(&send(
        &state,
        c,
        COUNTY,
        "GET",
        &format!("{page_path}?format=csv&section=employers"),
        "",
    )
    .await);
    assert!(csv.contains("余姚市财政局,2,1,50.0%,1"), "{csv}");
    let xlsx = send(
        &state,
        c,
        COUNTY,
        "GET",
        &format!("{page_path}?format=xlsx"),
        "",
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"));
    let poster = ok(&send(&state, c, COUNTY, "GET", &format!("{page_path}/poster"), "").await);
    assert!(poster.contains("<svg") && poster.contains(&format!("/q/{code}")));
    let list = ok(&send(&state, Role::Leader, COUNTY, "GET", "/quizzes", "").await);
    assert!(
        list.contains(r#"data-stat="quiz-participants">2<"#),
        "{list}"
    );

    // The county's 待办: one employer of the open campaign not all in (nothing pressing yet:
    // it closes in three weeks).
    let todo = ok(&send(&state, c, COUNTY, "GET", "/todo", "").await);
    assert!(
        todo.contains(r#"data-todo="todo_quizzes"><span class="n" data-open>1<"#),
        "{todo}"
    );

    // The village's grid worker hands the county's campaign out from the phone; the other
    // county's sees none.
    let grid = ok(&send(&state, Role::GridWorker, VILLAGE, "GET", "/m/quizzes", "").await);
    assert!(
        grid.contains(&format!(
            r#"data-quiz-link="http://127.0.0.1:8080/q/{code}""#
        )),
        "{grid}"
    );
    assert!(grid.contains("<svg"));
    let other = ok(&send(&state, c, OTHER_COUNTY, "GET", "/m/quizzes", "").await);
    assert!(!other.contains("data-quiz-link"), "{other}");

    // The month's statistics and brief count them.
    let stats = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month",
        "",
    )
    .await);
    assert!(
        stats.contains(r#"data-stat="quiz-participants">2<"#),
        "{stats}"
    );
    let brief = ok(&send(
        &state,
        Role::Leader,
        COUNTY,
        "GET",
        "/statistics?period=month&view=brief",
        "",
    )
    .await);
    assert!(
        brief.contains(
            "开展反诈知识测试，参与2人（其中财政供养人员2人），合格率50.00%，签署反诈倡议书1人。"
        ),
        "{brief}"
    );

    // Another county, a bank's liaison.
    let foreign = send(&state, c, OTHER_COUNTY, "GET", &page_path, "").await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let bank = send(&state, Role::BankLiaison, COUNTY, "GET", "/quizzes", "").await;
    assert_eq!(bank.status, StatusCode::FORBIDDEN);

    // Edited from the version read; a stale form is a conflict; ended, the link refuses.
    let edit = |version: i64| {
        format!(
            "title={}&closes=2026-04-15&pledge={}&employers={}&version={version}",
            urlencoded("2026年财政供养人员反诈测试（延期）"),
            urlencoded("我承诺。"),
            urlencoded("余姚市财政局,2\n余姚市教育局,1\n余姚市卫健局,3")
        )
    };
    let r = send(
        &state,
        c,
        COUNTY,
        "POST",
        &page_path,
        &edit(campaign.version),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let stale = send(
        &state,
        c,
        COUNTY,
        "POST",
        &page_path,
        &edit(campaign.version),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let page = ok(&send(&state, c, COUNTY, "GET", &page_path, "").await);
    assert!(
        page.contains("余姚市卫健局") && page.contains("2026-04-15"),
        "{page}"
    );
    let r = send(
        &state,
        c,
        COUNTY,
        "POST",
        &format!("{page_path}/close"),
        &format!("version={}", campaign.version + 1),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let landing = send_anonymous(&state, ("GET", &format!("/q/{code}"), ""))
        .await
        .text();
    assert!(landing.contains(r#"id="quiz-closed""#), "{landing}");
    let late = send_anonymous(
        &state,
        (
            "POST",
            &format!("/q/{code}/start"),
            &format!(
                "unit_code={VILLAGE}&employer={}&phone=13900000003",
                urlencoded("余姚市财政局")
            ),
        ),
    )
    .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(late.text().contains("已结束"));

    // Every change is in the audit log.
    let audit = ok(&send(&state, Role::Leader, "3302", "GET", "/audit", "").await);
    for label in [
        "发起反诈知识测试",
        "修改反诈知识测试",
        "提前结束反诈知识测试",
        "载入内置测试题",
        "新增测试题",
    ] {
        assert!(audit.contains(label), "{label} in the audit log");
    }
}
