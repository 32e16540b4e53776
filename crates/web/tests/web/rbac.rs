//! The role matrix over every route: each role × each endpoint × a record inside and outside
//! the caller's subtree, with the expected answer derived from `permission::MATRIX` and the
//! scope rule (missing permission 403 `forbidden`; a record held outside the subtree 404
//! `not_found`; a write without the session's CSRF token 403 `csrf_rejected`). Refused writes
//! must change nothing.
//!
//! The route table is data and must list every route of the router: the test reads the router's
//! source and fails when a route is missing here (or listed here but gone there).

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::DateTime;
use fanzha_store::{
    BulletinKind, BulletinReader, CardKind, CardState, CaseTransfer, DisposalMeasure,
    DisposalState, DisposalViewer, KeyPersonCategory, KeyPersonFilter, LeadKind, LeadSource,
    LeadState, NewBulletin, NewCardRow, NewCase, NewKeyPerson, NewNumberDisposal, NewPerson,
    NewPost, NewStopPayment, NewTwoCardLead, NewUser, Operator, PageRequest, PostForm,
    PostPlatform, PostTopic, PushPlatform, Role, Scope, Store, UnitLevel, Viewer, WarningFund,
    WarningPush,
};
use fanzha_trace::stop_payment::{Institution, StopPaymentRequest};
use fanzha_web::auth::password::hash_password;
use fanzha_web::auth::permission::MATRIX;
use fanzha_web::auth::principal::Principal;
use fanzha_web::auth::session::COOKIE;
use fanzha_web::casework::{act_on_stop_payment, StopAction};
use fanzha_web::{router, AppState};
use fanzha_workflow::{Actor, Command, IncomingWarning, WarningLevel};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

const CITY: &str = "3302";
const COUNTY: &str = "330281";
const VILLAGE: &str = "330281001001";
const OTHER_COUNTY: &str = "330282";
const OTHER_COUNTY_VILLAGE: &str = "330282001001";
const PASSWORD: &str = "rbac-matrix-2026";
/// The bank of the matrix's bank liaison.
const LIAISON_BANK: &str = "ICBC";
/// Card numbers by BIN: the victim's (BOC), a mule's at ICBC, the next one's at CCB.
const VICTIM_ACCOUNT: &str = "6216610123456789013";
const ICBC_ACCOUNT: &str = "6222020123456789015";
const CCB_ACCOUNT: &str = "6217000123456789019";

// ---------------------------------------------------------------------------------------------
// The route table.

/// What a route's path (or body) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rec {
    /// Nothing held by a unit.
    None,
    /// `{id}` is an instruction.
    Instruction,
    /// `{id}` is a warning.
    Warning,
    /// `{id}` is a fund warning (资金预警) with its payee account and amount.
    FundWarning,
    /// `{resident_id}` is a person.
    Person,
    /// `{code}` is a unit (in the path, the query or the form).
    Unit,
    /// A list of instruction ids in the form; each outside the subtree is skipped, not a 404.
    Batch,
    /// `{id}` is a case (a public-sector victim, transfers taken in, the victim's account
    /// known); `{code}` is the case's unit.
    Case,
    /// `{id}` is a stop-payment request of a case. A bank liaison's side is the bank: their
    /// own bank's request in another county, another bank's in their own county.
    StopPayment,
    /// `{id}` is a 96110 call task of a fresh red instruction, claimed by the caller.
    CallTask,
    /// `{resident_id}` is a fresh resident with a valid ID number (no dossier yet).
    Resident,
    /// `{id}` is a fresh key-person dossier (重点人员) of a resident.
    KeyPerson,
    /// `{id}` is a fresh 金钟罩 guardian of a fresh signed-up resident.
    Guardian,
    /// `{code}` is a unit directly below the place (a 反诈宣传 target is set by the unit above).
    ChildUnit,
    /// `{id}` is a fresh supervision measure (督导整治) against a bank outlet in the place's
    /// area, issued by the place's unit. A bank liaison's side is the bank: their own bank's
    /// outlet, or another bank's in their own area.
    Supervision,
    /// The same, with its rectification report recorded (ready to close or return).
    RepliedSupervision,
    /// The same, issued by the unit above the place's unit: the place's side records its
    /// report (the issuing unit never does — separation of duties).
    SupervisionFromAbove,
    /// `{id}` is a fresh pending 两卡线索 held by the place's unit.
    TwoCardLead,
    /// The same, its card found sold (打击处理 may be recorded).
    SoldTwoCardLead,
    /// `{code}` is a fraud type whose talking points (劝阻话术) the center wrote, `{version}`
    /// their version now: platform-wide, no subtree (only the own side is tried).
    TalkingPoints,
    /// `{id}` is a fresh new card (新开卡审查) of an unregistered holder, held by the place's
    /// unit.
    NewCard,
    /// `{id}` is a fresh suspect (嫌疑人, no measure yet) of a fresh case of the place's unit.
    Suspect,
    /// As `Suspect`, the suspect entered with the ID number of a fresh resident of the place
    /// (`{resident_id}`), listed nowhere yet.
    ResidentSuspect,
    /// `{id}` is a public-sector case (as `Case`) whose employer notice (提示单) is issued,
    /// its version 1, the place's unit the station told; `{code}` is the case's unit.
    NoticedCase,
    /// `{id}` is a case (as `Case`) marked as a typical case (典型案例), its entry at version 1.
    TypicalCase,
    NumberDisposal,
    /// `{id}` is a fresh new-media post (新媒体宣传) of the place's unit, `{version}` 1.
    OutreachPost,
    /// `{id}` is a fresh pending tip (举报线索) of the place's unit, at version 1.
    Tip,
    /// `{id}` is a fresh 精准宣防名单 issued for the place's unit (holding a fresh elderly
    /// resident of the place not on the app), `{code}` the place's unit; another such resident
    /// is left off it, so a list issued now is not empty.
    OutreachList,
    /// `{id}` is the pending row (version 0) of that list's fresh resident.
    OutreachRow,
    /// `{id}` is a fresh 提请不准出境 of a fresh dossier of the place's unit, at version 1.
    Proposal,
    /// `{id}` is a fresh bulletin (通报): on one's own side issued by the unit above the
    /// place's unit (so the place's unit is to sign it), on the other side issued by the
    /// place's unit itself (out of the caller's line).
    Bulletin,
    /// `{id}` is a fresh bulletin of the city addressed to one industry partner: on one's own
    /// side the caller's (their bank, operator or member department), on the other side
    /// another bank.
    PartnerBulletin,
    /// `{id}` is a fresh analysis group (分类研判组) of the place's county, at version 1 (the
    /// county's earlier groups deactivated, so its types are free).
    AnalysisGroup,
    /// `{code}` is the place's county, without an active analysis group.
    FreeGroupUnit,
    /// `{id}` is a fresh pending 存量卡清理 request about a punished resident of the place. A
    /// bank liaison's side is the bank: their own bank's request in another county, another
    /// bank's in their own county.
    CardCleanup,
    /// `{id}` is a fresh 开卡前核验 (no outcome yet, version 1) of an unregistered applicant,
    /// held by the place's unit. A liaison's side is the issuer: their own bank's (operator's)
    /// check in another county, another issuer's in their own county.
    CardCheck,
    /// `{id}` is a fresh 集群战役 launched by the place's unit from a fresh case of it, with one
    /// pending target landed on the place's unit; `{resident_id}` a valid ID number that is no
    /// target of it yet, `{code}` the place's unit.
    ClusterOperation,
    /// `{id}` is the pending target (version 1) of such an operation.
    ClusterTarget,
    /// `{id}` is a fresh 企业反诈联盟 member of the place's unit, at version 1.
    AllianceMember,
    /// `{id}` is a fresh 联席办 member department of the place's unit, at version 1, without a
    /// letter, spot check or task; `{deadline}` a date a month ahead.
    JointMember,
    /// `{id}` is a fresh meeting of the place's unit's joint office.
    JointMeeting,
    /// `{id}` is a fresh open task (version 1) of a fresh member of the place's unit;
    /// `{deadline}` a date a month ahead.
    JointTask,
    /// The same, its progress reported (version 2).
    ReportedJointTask,
    /// `{id}` is a fresh open task (version 1) of the county's office: for a member liaison, of
    /// the member they report for (their side) or of another member of the same office (the
    /// other side, inside their subtree); for everyone else, as [`Rec::JointTask`].
    OwnJointTask,
    /// `{code}` is a fresh township-level unit inside the place's county (no title yet).
    FreshUnit,
    /// `{id}` is a standing 反诈示范点 title (version 1) of a fresh unit inside the place's county.
    ModelSite,
    /// `{id}` is a fresh open 反诈知识测试 campaign (version 1) of the place's unit.
    QuizCampaign,
    /// `{id}` is the public link code of such a campaign; `{code}` the place's unit.
    QuizLink,
    /// `{id}` is the token of a fresh attempt at such a campaign, not handed in.
    QuizAttempt,
    /// `{id}` is the token of such an attempt, handed in.
    QuizAnswered,
    /// `{id}` is a fresh question (version 1) of the place's unit's bank.
    QuizQuestion,
    /// `{id}` is a fresh open APP推广 drive (version 1) of the place's unit.
    AppDrive,
    /// `{id}` is the enrolment link code of such a drive.
    AppDriveLink,
    /// `{id}` is the id of a promoter enrolled at such a drive.
    AppDrivePromoter,
    /// `{id}` is the own-page token of such a promoter.
    AppDriveToken,
    /// `{id}` is the personal code of such a promoter; `{code}` the place's unit.
    AppDriveInvite,
    /// `{id}` is `KEY&member_id=M`: a fresh courier outlet named by a fresh case of the place's
    /// unit (信息泄露溯源), and a fresh member of the place's unit's joint office.
    LeakSource,
    /// `{id}` is a fresh 劝阻队伍 member (version 1) of the place's village.
    TeamMember,
}

#[derive(Clone, Copy, Debug)]
enum Payload {
    Empty,
    Form(&'static str),
    Json(&'static str),
    /// A `multipart/form-data` body with this text as the file field `file`.
    Multipart(&'static str),
}

#[derive(Clone, Copy, Debug)]
struct Endpoint {
    method: &'static str,
    /// Placeholders: `{id}`, `{resident_id}`, `{code}`, `{version}`, `{n}`, `{lang}`, `{*path}`.
    path: &'static str,
    /// A name from `permission::MATRIX`, several joined by `|` (any of them), or `public`.
    permission: &'static str,
    rec: Rec,
    payload: Payload,
}

const fn ep(
    method: &'static str,
    path: &'static str,
    permission: &'static str,
    rec: Rec,
    payload: Payload,
) -> Endpoint {
    Endpoint {
        method,
        path,
        permission,
        rec,
        payload,
    }
}

use crate::support::unit;
use Payload::{Empty, Form, Json, Multipart};

/// One row per method and route of `fanzha_web::router`.
const ENDPOINTS: &[Endpoint] = &[
    // Public.
    ep("GET", "/login", "public", Rec::None, Empty),
    ep(
        "POST",
        "/login",
        "public",
        Rec::None,
        Form("login=rbac_admin&password=rbac-matrix-2026&next=%2Fapi%2Fv1%2Fme"),
    ),
    ep("GET", "/lang/{lang}", "public", Rec::None, Empty),
    ep("GET", "/assets/{*path}", "public", Rec::None, Empty),
    ep("GET", "/healthz", "public", Rec::None, Empty),
    ep("GET", "/api/openapi.json", "public", Rec::None, Empty),
    // Pages and fragments.
    ep("GET", "/", "authenticated", Rec::None, Empty),
    ep("POST", "/logout", "authenticated", Rec::None, Empty),
    ep("GET", "/api/v1/me", "authenticated", Rec::None, Empty),
    ep("GET", "/dashboard", "view_dashboard", Rec::None, Empty),
    ep("GET", "/dashboard/counters", "view_dashboard", Rec::None, Empty),
    ep("GET", "/dashboard/live", "view_dashboard", Rec::None, Empty),
    ep("GET", "/warnings", "view_warnings", Rec::None, Empty),
    ep("GET", "/warnings/pushes", "import_pushes", Rec::None, Empty),
    ep(
        "POST",
        "/warnings/pushes",
        "import_pushes",
        Rec::None,
        Multipart("推送编号,推送时间,手机号码\nRBAC-1,2026-01-01 08:00,13800138000\n"),
    ),
    ep(
        "GET",
        "/warnings/pushes/feedback?platform=national&from=2026-01-01&to=2026-01-31",
        "import_pushes",
        Rec::None,
        Empty,
    ),
    ep("GET", "/warnings/{id}", "view_warnings", Rec::Warning, Empty),
    ep(
        "GET",
        "/warnings/{id}/person",
        "view_personal_data",
        Rec::Warning,
        Empty,
    ),
    ep(
        "POST",
        "/warnings/{id}/protective-stops",
        "manage_cases",
        Rec::Warning,
        Form("account=6222020123456789015&amount_yuan=100&reason=rbac+{n}"),
    ),
    ep("GET", "/warnings/funds", "view_warnings", Rec::None, Empty),
    ep(
        "POST",
        "/warnings/{id}/fund-stop",
        "manage_cases",
        Rec::FundWarning,
        Form("back=list"),
    ),
    ep("GET", "/instructions", "view_instructions", Rec::None, Empty),
    ep(
        "POST",
        "/instructions/bulk-sign",
        "handle_instructions",
        Rec::Batch,
        Form("ids={id}"),
    ),
    ep(
        "GET",
        "/instructions/{id}",
        "view_instructions",
        Rec::Instruction,
        Empty,
    ),
    ep(
        "POST",
        "/instructions/{id}/act",
        "handle_instructions",
        Rec::Instruction,
        Form("command=sign&version={version}"),
    ),
    ep(
        "POST",
        "/instructions/{id}/feedback",
        "handle_instructions",
        Rec::Instruction,
        Form("command=sign&version={version}"),
    ),
    ep("GET", "/m", "handle_instructions", Rec::None, Empty),
    ep(
        "GET",
        "/m/instructions/{id}",
        "handle_instructions",
        Rec::Instruction,
        Empty,
    ),
    ep(
        "POST",
        "/m/instructions/{id}/outcome",
        "handle_instructions",
        Rec::Instruction,
        Form("command=dissuaded_phone&version={version}"),
    ),
    ep("GET", "/m/outreach", "record_outreach", Rec::None, Empty),
    ep(
        "POST",
        "/m/outreach",
        "record_outreach",
        Rec::None,
        Form("held_on=2025-03-01&kind=lecture&audience=school&place=rbac+{n}&people_reached=10&app_registrations=1"),
    ),
    ep("GET", "/m/key-persons", "visit_key_persons", Rec::None, Empty),
    ep(
        "POST",
        "/m/key-persons/{id}/visit",
        "visit_key_persons",
        Rec::KeyPerson,
        Form("note=rbac+{n}"),
    ),
    ep("GET", "/calls", "view_call_tasks", Rec::None, Empty),
    ep("GET", "/scripts", "manage_rules", Rec::None, Empty),
    ep(
        "POST",
        "/scripts/{code}",
        "manage_rules",
        Rec::TalkingPoints,
        Form("zh=%E5%85%88%E6%8C%82%E6%96%AD%E3%80%82+{n}&en=&version={version}"),
    ),
    ep(
        "POST",
        "/scripts/{code}/reset",
        "manage_rules",
        Rec::TalkingPoints,
        Form("version={version}"),
    ),
    ep("GET", "/calls/figures", "view_call_tasks", Rec::None, Empty),
    ep("POST", "/calls/claim", "work_call_tasks", Rec::None, Empty),
    ep("GET", "/calls/{id}", "work_call_tasks", Rec::CallTask, Empty),
    ep(
        "POST",
        "/calls/{id}/result",
        "work_call_tasks",
        Rec::CallTask,
        Form("result=no_answer&note=rbac"),
    ),
    ep(
        "POST",
        "/calls/{id}/release",
        "work_call_tasks",
        Rec::CallTask,
        Empty,
    ),
    ep("GET", "/cases", "view_cases", Rec::None, Empty),
    ep(
        "POST",
        "/cases",
        "manage_cases",
        Rec::Case,
        Form("unit_code={code}&victim_name=%E5%8F%97%E5%AE%B3%E4%BA%BA&loss_yuan=1000&narrative=rbac+{n}+refund+scam"),
    ),
    ep(
        "POST",
        "/cases/import",
        "manage_cases",
        Rec::None,
        Multipart("警情编号,报警时间,损失金额,简要案情\nRBAC-1,2026-03-01 10:00,100,冒充客服退款\n"),
    ),
    ep("GET", "/cases/{id}", "view_cases", Rec::Case, Empty),
    ep(
        "POST",
        "/cases/{id}/extracts",
        "manage_cases",
        Rec::Case,
        Multipart("交易时间,付款账号,收款账号,金额\n2026-03-01 11:00:00,6217000123456789019,6228480000000000001,100\n"),
    ),
    ep(
        "POST",
        "/cases/{id}/trace",
        "manage_cases",
        Rec::Case,
        Form("victim_account=6216610123456789013"),
    ),
    ep(
        "POST",
        "/cases/{id}/intake-stops",
        "manage_cases",
        Rec::Case,
        Empty,
    ),
    ep(
        "POST",
        "/cases/{id}/order-source",
        "record_victim_follow_up",
        Rec::Case,
        Form("platform=%E6%B7%98%E5%AE%9D&courier=%E4%B8%AD%E9%80%9A&outlet=rbac+{n}&cited=waybill"),
    ),
    ep("GET", "/leak-sources", "view_cases", Rec::None, Empty),
    ep(
        "POST",
        "/leak-sources/tasks",
        "manage_joint_office",
        Rec::LeakSource,
        Form("by=outlet&key={id}&due={deadline}"),
    ),
    ep(
        "POST",
        "/cases/{id}/prior-outreach",
        "record_victim_follow_up",
        Rec::Case,
        Form("prior_outreach=never"),
    ),
    ep("GET", "/cases/{id}/notice", "view_cases", Rec::Case, Empty),
    ep(
        "POST",
        "/cases/{id}/employer-notice",
        "manage_cases",
        Rec::Case,
        Form("employer=rbac+{n}&department=&station_unit={code}"),
    ),
    ep(
        "POST",
        "/cases/{id}/employer-notice/receipt",
        "manage_cases",
        Rec::NoticedCase,
        Form("version=1&signatory=rbac+{n}&receipt_at=2020-01-01T10%3A00&measures=rbac"),
    ),
    ep("GET", "/public-sector", "view_cases", Rec::None, Empty),
    ep(
        "POST",
        "/cases/{id}/typical",
        "manage_cases",
        Rec::Case,
        Form("title=rbac+{n}&summary=rbac+summary+{n}&advice=&version=0"),
    ),
    ep(
        "POST",
        "/cases/{id}/typical/remove",
        "manage_cases",
        Rec::TypicalCase,
        Form("version=1"),
    ),
    ep("GET", "/typical-cases", "view_outreach", Rec::None, Empty),
    ep(
        "POST",
        "/cases/{id}/enforcement",
        "record_enforcement",
        Rec::Case,
        Form("status=dropped&recovered_yuan={n}&version=0"),
    ),
    ep(
        "POST",
        "/cases/{id}/suspects",
        "record_enforcement",
        Rec::Case,
        Form("name=%E5%AB%8C%E7%96%91%E4%BA%BA&role=cash_mule&note=rbac+{n}"),
    ),
    ep("GET", "/suspects/{id}", "record_enforcement", Rec::Suspect, Empty),
    ep(
        "POST",
        "/suspects/{id}/measure",
        "record_enforcement",
        Rec::Suspect,
        Form("measure=education&measure_at=2020-01-01T10%3A00"),
    ),
    ep(
        "POST",
        "/suspects/{id}/charge",
        "record_enforcement",
        Rec::Suspect,
        Form("charge=helping&prosecuted_on=2020-01-02"),
    ),
    ep(
        "POST",
        "/suspects/{id}/wanted",
        "record_enforcement",
        Rec::Suspect,
        Form("wanted_on=2020-01-02"),
    ),
    ep(
        "POST",
        "/suspects/{id}/key-person",
        "manage_key_persons",
        Rec::ResidentSuspect,
        Empty,
    ),
    ep("GET", "/gangs", "view_enforcement", Rec::None, Empty),
    ep(
        "POST",
        "/gangs",
        "record_enforcement",
        Rec::None,
        Form("kind=goip_den&name=rbac+{n}&dismantled_on=2020-01-01&arrested=1&devices=2"),
    ),
    ep("GET", "/solved-elsewhere", "view_enforcement", Rec::None, Empty),
    ep(
        "POST",
        "/solved-elsewhere",
        "record_enforcement",
        Rec::None,
        Form("kind=other_area&reference=RBAC-{n}&origin=rbac&solved_on=2020-01-01"),
    ),
    ep("GET", "/campaigns", "view_enforcement", Rec::None, Empty),
    ep(
        "POST",
        "/campaigns",
        "record_enforcement",
        Rec::None,
        Form("name=rbac+{n}&from=2020-01-01&to=2020-01-31&goal="),
    ),
    ep("GET", "/model-sites", "view_statistics", Rec::None, Empty),
    ep(
        "POST",
        "/model-sites",
        "manage_model_sites",
        Rec::FreshUnit,
        Form("unit_code={code}&note=rbac"),
    ),
    ep(
        "POST",
        "/model-sites/{id}/revoke",
        "manage_model_sites",
        Rec::ModelSite,
        Form("reason=rbac&version=1"),
    ),
    ep("GET", "/alliance", "view_outreach", Rec::None, Empty),
    ep(
        "POST",
        "/alliance",
        "manage_alliance",
        Rec::None,
        Form("name=rbac+{n}&credit_code={credit_code}&contact_name=x&contact_phone=13900001111&staff=10&finance_staff=1"),
    ),
    ep(
        "GET",
        "/alliance/{id}",
        "view_outreach",
        Rec::AllianceMember,
        Empty,
    ),
    ep(
        "POST",
        "/alliance/{id}",
        "manage_alliance",
        Rec::AllianceMember,
        Form("contact_name=y&contact_phone=13900002222&staff=20&finance_staff=2&version=1"),
    ),
    ep(
        "POST",
        "/alliance/{id}/leave",
        "manage_alliance",
        Rec::AllianceMember,
        Form("reason=rbac&version=1"),
    ),
    ep("GET", "/todo", "view_todo", Rec::None, Empty),
    ep("GET", "/joint-office", "view_joint_office", Rec::None, Empty),
    ep(
        "POST",
        "/joint-office/members",
        "manage_joint_office",
        Rec::None,
        Form("name=rbac+{n}&kind=government&contact_name=x&contact_phone=13900001111&staff=10"),
    ),
    ep(
        "GET",
        "/joint-office/members/{id}",
        "view_joint_office",
        Rec::JointMember,
        Empty,
    ),
    ep(
        "POST",
        "/joint-office/members/{id}",
        "manage_joint_office",
        Rec::JointMember,
        Form("contact_name=y&contact_phone=13900002222&staff=20&version=1"),
    ),
    ep(
        "POST",
        "/joint-office/members/{id}/leave",
        "manage_joint_office",
        Rec::JointMember,
        Form("reason=rbac&version=1"),
    ),
    ep(
        "POST",
        "/joint-office/members/{id}/letters",
        "manage_joint_office",
        Rec::JointMember,
        Form("signer=rbac&duties=x"),
    ),
    ep(
        "POST",
        "/joint-office/members/{id}/spot-checks",
        "manage_joint_office",
        Rec::JointMember,
        Form("checked=10&registered=9"),
    ),
    ep(
        "POST",
        "/joint-office/meetings",
        "manage_joint_office",
        Rec::None,
        Form("kind=joint&title=rbac+{n}"),
    ),
    ep(
        "GET",
        "/joint-office/meetings/{id}",
        "view_joint_office",
        Rec::JointMeeting,
        Empty,
    ),
    ep(
        "POST",
        "/joint-office/tasks",
        "manage_joint_office",
        Rec::JointMember,
        Form("member_id={id}&title=rbac&due_on={deadline}"),
    ),
    ep(
        "GET",
        "/joint-office/tasks",
        "view_joint_office",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/joint-office/tasks/import",
        "manage_joint_office",
        Rec::None,
        Multipart("责任单位,任务,完成时限\n不存在的单位,rbac,2099-01-01\n"),
    ),
    ep(
        "GET",
        "/joint-office/tasks/{id}",
        "view_joint_office",
        Rec::JointTask,
        Empty,
    ),
    ep(
        "POST",
        "/joint-office/tasks/{id}/report",
        "manage_joint_office",
        Rec::JointTask,
        Form("report=rbac&reporter=x&version=1"),
    ),
    ep("GET", "/joint-office/mine", "report_joint_tasks", Rec::None, Empty),
    ep(
        "POST",
        "/joint-office/mine/tasks/{id}/report",
        "report_joint_tasks",
        Rec::OwnJointTask,
        Form("report=rbac&version=1"),
    ),
    ep(
        "POST",
        "/joint-office/tasks/{id}/accept",
        "manage_joint_office",
        Rec::ReportedJointTask,
        Form("version=2"),
    ),
    ep(
        "POST",
        "/joint-office/tasks/{id}/press",
        "manage_joint_office",
        Rec::JointTask,
        Form("note=rbac&version=1"),
    ),
    ep(
        "POST",
        "/joint-office/tasks/{id}/return",
        "manage_joint_office",
        Rec::ReportedJointTask,
        Form("note=rbac&due_on={deadline}&version=2"),
    ),
    ep("GET", "/operations", "view_enforcement", Rec::None, Empty),
    ep(
        "POST",
        "/operations",
        "record_enforcement",
        Rec::Case,
        Form("case_id={id}&name=rbac+{n}&strike_on="),
    ),
    ep(
        "GET",
        "/operations/{id}",
        "view_enforcement",
        Rec::ClusterOperation,
        Empty,
    ),
    ep(
        "POST",
        "/operations/{id}/targets",
        "record_enforcement",
        Rec::ClusterOperation,
        Form("name=rbac&resident_id={resident_id}&role=cash_mule&unit_code={code}"),
    ),
    ep(
        "POST",
        "/operations/{id}/targets/import",
        "record_enforcement",
        Rec::ClusterOperation,
        Multipart("姓名,身份证号,落地单位\n目标,11010519491231002X,\n"),
    ),
    ep(
        "POST",
        "/operations/{id}/end",
        "record_enforcement",
        Rec::ClusterOperation,
        Empty,
    ),
    ep(
        "GET",
        "/operation-targets/{id}",
        "record_enforcement",
        Rec::ClusterTarget,
        Empty,
    ),
    ep(
        "POST",
        "/operation-targets/{id}/report",
        "record_enforcement",
        Rec::ClusterTarget,
        Form("state=located&version=1"),
    ),
    ep(
        "POST",
        "/operation-targets/{id}/withdraw",
        "record_enforcement",
        Rec::ClusterTarget,
        Form("note=rbac&version=1"),
    ),
    ep("GET", "/mule-accounts", "view_mule_accounts", Rec::None, Empty),
    ep("GET", "/key-persons", "view_key_persons", Rec::None, Empty),
    ep(
        "POST",
        "/key-persons",
        "manage_key_persons",
        Rec::Resident,
        Form("resident_id={resident_id}&category=two_cards&reason=rbac+{n}"),
    ),
    ep(
        "POST",
        "/key-persons/import",
        "manage_key_persons",
        Rec::None,
        Multipart("身份证号,类别,列管原因\n11010519491231002X,两卡,rbac\n"),
    ),
    ep(
        "GET",
        "/key-persons/{id}",
        "manage_key_persons",
        Rec::KeyPerson,
        Empty,
    ),
    ep(
        "POST",
        "/key-persons/{id}/events",
        "manage_key_persons",
        Rec::KeyPerson,
        Form("kind=visit&note=rbac+{n}"),
    ),
    ep("GET", "/guardians", "manage_guardians", Rec::None, Empty),
    ep(
        "POST",
        "/guardians",
        "manage_guardians",
        Rec::Resident,
        Form("resident_id={resident_id}&name=%E5%AE%B6%E5%B1%9E&phone=13911110000&relation=child"),
    ),
    ep(
        "POST",
        "/guardians/import",
        "import_guardians",
        Rec::None,
        Multipart("被保护人身份证号,监护人姓名,监护人手机号,与本人关系\n11010519491231002X,家属,13911110000,子女\n"),
    ),
    ep("GET", "/guardians/{id}", "manage_guardians", Rec::Guardian, Empty),
    ep(
        "POST",
        "/guardians/{id}/remove",
        "manage_guardians",
        Rec::Guardian,
        Empty,
    ),
    ep(
        "POST",
        "/guardians/{id}/sign-up",
        "manage_guardians",
        Rec::Guardian,
        Form("signed_up=0"),
    ),
    ep("GET", "/outreach", "view_outreach", Rec::None, Empty),
    ep("GET", "/outreach/posts", "view_outreach", Rec::None, Empty),
    ep(
        "POST",
        "/outreach/posts",
        "record_outreach_posts",
        Rec::ChildUnit,
        Form("unit_code={code}&published_on=2026-01-05&platform=douyin&form=video&topic=alert&account=rbac&title=rbac+{n}&views={n}"),
    ),
    ep(
        "POST",
        "/outreach/posts/{id}/count",
        "record_outreach_posts",
        Rec::OutreachPost,
        Form("version={version}&views={n}&shares=1"),
    ),
    ep("GET", "/outreach/lists", "view_outreach", Rec::None, Empty),
    ep(
        "POST",
        "/outreach/lists",
        "issue_outreach_lists",
        Rec::OutreachList,
        Form("unit={code}&group=elderly&days=30"),
    ),
    ep("GET", "/outreach/lists/{id}", "view_outreach", Rec::OutreachList, Empty),
    ep(
        "POST",
        "/outreach/list-rows/{id}",
        "record_outreach",
        Rec::OutreachRow,
        Form("version={version}&result=reached&app=1"),
    ),
    ep("GET", "/crime-counts", "view_statistics", Rec::None, Empty),
    ep(
        "POST",
        "/crime-counts/import",
        "enter_crime_counts",
        Rec::None,
        Multipart("单位代码,月份,刑事案件立案数\n330281,2025-06,7\n"),
    ),
    ep(
        "POST",
        "/operator-figures/import",
        "enter_operator_figures",
        Rec::None,
        Multipart("单位代码,运营商,月份,拦截诈骗电话\n330281,中国移动,2025-06,7\n"),
    ),
    ep(
        "GET",
        "/operator-figures",
        "view_operator_figures",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/operator-figures",
        "enter_operator_figures",
        Rec::ChildUnit,
        Form("unit_code={code}&operator=china_mobile&month=2025-06&calls_blocked={n}"),
    ),
    ep("GET", "/tips", "view_tips", Rec::None, Empty),
    ep(
        "POST",
        "/tips",
        "report_tips",
        Rec::ChildUnit,
        Form("unit_code={code}&kind=person&subject=rbac+{n}&detail=x"),
    ),
    ep("GET", "/tips/{id}", "view_tips", Rec::Tip, Empty),
    ep(
        "POST",
        "/tips/{id}/review",
        "review_tips",
        Rec::Tip,
        Form("state=dismissed&finding=rbac&version=1"),
    ),
    ep("GET", "/m/tips", "report_tips", Rec::None, Empty),
    ep("GET", "/key-persons/exposure", "manage_key_persons", Rec::None, Empty),
    ep(
        "GET",
        "/key-persons/exposure/notice?id={id}",
        "manage_key_persons",
        Rec::KeyPerson,
        Empty,
    ),
    ep("GET", "/quizzes", "view_quizzes", Rec::None, Empty),
    ep("GET", "/m/quizzes", "view_quizzes", Rec::None, Empty),
    ep(
        "POST",
        "/quizzes",
        "manage_quizzes",
        Rec::ChildUnit,
        Form("unit_code={code}&title=rbac+{n}&audience=other&opens=2026-06-01&closes=2026-07-01&question_count=5"),
    ),
    ep("GET", "/quizzes/questions", "view_quizzes", Rec::None, Empty),
    ep(
        "POST",
        "/quizzes/questions",
        "manage_quizzes",
        Rec::None,
        Form("fraud_type=fake_loan&stem=rbac+{n}&options=A%0AB&answer=0&explanation=x"),
    ),
    ep(
        "POST",
        "/quizzes/questions/builtin",
        "manage_quizzes",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/quizzes/questions/{id}",
        "manage_quizzes",
        Rec::QuizQuestion,
        Form("fraud_type=fake_loan&stem=rbac+{n}&options=A%0AB&answer=0&explanation=x&active=1&version={version}"),
    ),
    ep("GET", "/quizzes/{id}", "view_quizzes", Rec::QuizCampaign, Empty),
    ep(
        "POST",
        "/quizzes/{id}",
        "manage_quizzes",
        Rec::QuizCampaign,
        Form("title=rbac+{n}&closes=2027-12-31&version={version}"),
    ),
    ep(
        "POST",
        "/quizzes/{id}/close",
        "manage_quizzes",
        Rec::QuizCampaign,
        Form("version={version}"),
    ),
    ep("GET", "/quizzes/{id}/poster", "view_quizzes", Rec::QuizCampaign, Empty),
    ep("GET", "/q/{id}", "public", Rec::QuizLink, Empty),
    ep(
        "POST",
        "/q/{id}/start",
        "public",
        Rec::QuizLink,
        Form("unit_code={code}&phone={msisdn}"),
    ),
    ep("GET", "/qa/{id}", "public", Rec::QuizAttempt, Empty),
    ep(
        "POST",
        "/qa/{id}",
        "public",
        Rec::QuizAttempt,
        Form("q0=0&q1=0&q2=0&q3=0&q4=0"),
    ),
    ep("POST", "/qa/{id}/pledge", "public", Rec::QuizAnswered, Empty),
    ep("GET", "/outreach/allocate", "set_outreach_quotas", Rec::None, Empty),
    ep(
        "POST",
        "/outreach/allocate",
        "set_outreach_quotas",
        Rec::None,
        Form("year=2031&events=10&people=100"),
    ),
    ep("GET", "/teams", "view_teams", Rec::None, Empty),
    ep(
        "POST",
        "/teams/members",
        "manage_teams",
        Rec::ChildUnit,
        Form("unit={code}&kind=grid_worker&name=rbac+{n}&phone={msisdn}"),
    ),
    ep(
        "POST",
        "/teams/import",
        "manage_teams",
        Rec::None,
        Multipart("村（社区）,岗位,姓名,手机号\n330281001001,网格员,队员,13911112222\n"),
    ),
    ep("GET", "/teams/members/{id}", "view_teams", Rec::TeamMember, Empty),
    ep(
        "POST",
        "/teams/members/{id}/remove",
        "manage_teams",
        Rec::TeamMember,
        Form("version={version}"),
    ),
    ep("GET", "/app-drives", "view_app_drives", Rec::None, Empty),
    ep(
        "POST",
        "/app-drives",
        "manage_app_drives",
        Rec::ChildUnit,
        Form("unit_code={code}&title=rbac+{n}&opens=2026-06-01&closes=2026-07-01&quota=30"),
    ),
    ep("GET", "/app-drives/{id}", "view_app_drives", Rec::AppDrive, Empty),
    ep(
        "POST",
        "/app-drives/{id}",
        "manage_app_drives",
        Rec::AppDrive,
        Form("title=rbac+{n}&closes=2027-12-31&quota=20&version={version}"),
    ),
    ep(
        "POST",
        "/app-drives/{id}/close",
        "manage_app_drives",
        Rec::AppDrive,
        Form("version={version}"),
    ),
    ep("GET", "/app-drives/{id}/poster", "view_app_drives", Rec::AppDrive, Empty),
    ep(
        "GET",
        "/app-drives/promoters/{id}",
        "manage_app_drives",
        Rec::AppDrivePromoter,
        Empty,
    ),
    ep("GET", "/t/{id}", "public", Rec::AppDriveLink, Empty),
    ep(
        "POST",
        "/t/{id}",
        "public",
        Rec::AppDriveLink,
        Form("name=rbac&phone={msisdn}"),
    ),
    ep("GET", "/tm/{id}", "public", Rec::AppDriveToken, Empty),
    ep("GET", "/tm/{id}/poster", "public", Rec::AppDriveToken, Empty),
    ep("GET", "/r/{id}", "public", Rec::AppDriveInvite, Empty),
    ep(
        "POST",
        "/r/{id}",
        "public",
        Rec::AppDriveInvite,
        Form("unit_code={code}&phone={msisdn}&installed=1"),
    ),
    ep("GET", "/bank-figures", "view_bank_figures", Rec::None, Empty),
    ep(
        "POST",
        "/bank-figures/import",
        "enter_bank_figures",
        Rec::None,
        Multipart("单位代码,银行,月份,劝阻群众\n330281,中国工商银行,2025-06,7\n"),
    ),
    ep(
        "POST",
        "/bank-figures",
        "enter_bank_figures",
        Rec::ChildUnit,
        Form("unit_code={code}&bank_code=ICBC&month=2025-06&dissuaded={n}"),
    ),
    ep(
        "GET",
        "/key-persons/proposals",
        "manage_key_persons",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/key-persons/{id}/proposals",
        "manage_key_persons",
        Rec::KeyPerson,
        Form("kind=exit_ban&reason=rbac+{n}"),
    ),
    ep(
        "GET",
        "/key-persons/proposals/report-list?kind=punishment&format=csv",
        "report_key_person_measures",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/key-persons/proposals/{id}/step",
        "report_key_person_measures",
        Rec::Proposal,
        Form("version=1&step=report"),
    ),
    ep("GET", "/bulletins", "view_bulletins", Rec::None, Empty),
    ep(
        "POST",
        "/bulletins",
        "issue_bulletins",
        Rec::None,
        Form("kind=methods&title=rbac+{n}&body=rbac"),
    ),
    ep("GET", "/bulletins/{id}", "view_bulletins", Rec::Bulletin, Empty),
    ep(
        "POST",
        "/bulletins/{id}/sign",
        "sign_bulletins",
        Rec::Bulletin,
        Empty,
    ),
    ep(
        "GET",
        "/partner-bulletins",
        "read_partner_bulletins",
        Rec::None,
        Empty,
    ),
    ep(
        "GET",
        "/partner-bulletins/{id}",
        "read_partner_bulletins",
        Rec::PartnerBulletin,
        Empty,
    ),
    ep(
        "POST",
        "/partner-bulletins/{id}/sign",
        "read_partner_bulletins",
        Rec::PartnerBulletin,
        Empty,
    ),
    ep(
        "POST",
        "/crime-counts",
        "enter_crime_counts",
        Rec::ChildUnit,
        Form("unit_code={code}&month=2025-06&cases={n}"),
    ),
    ep(
        "POST",
        "/outreach/quotas",
        "set_outreach_quotas",
        Rec::ChildUnit,
        Form("unit_code={code}&year=2026&events={n}&people=100"),
    ),
    ep(
        "GET",
        "/number-disposals",
        "view_number_disposals",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/number-disposals",
        "request_number_disposals",
        Rec::None,
        Form("number={msisdn}&measure=shutdown&reason=rbac+{n}"),
    ),
    ep(
        "GET",
        "/number-disposals/{id}",
        "list_number_disposals",
        Rec::NumberDisposal,
        Empty,
    ),
    ep(
        "POST",
        "/number-disposals/{id}/answer",
        "answer_number_disposals",
        Rec::NumberDisposal,
        Form("version={version}&outcome=executed&note=rbac+{n}"),
    ),
    ep(
        "POST",
        "/number-disposals/{id}/withdraw",
        "request_number_disposals",
        Rec::NumberDisposal,
        Form("version={version}&note=rbac+{n}"),
    ),
    ep("GET", "/card-cleanups", "view_card_cleanups", Rec::None, Empty),
    ep(
        "POST",
        "/card-cleanups/generate",
        "request_card_cleanups",
        Rec::None,
        Form("note=rbac+{n}"),
    ),
    ep(
        "GET",
        "/card-cleanups/worklist",
        "answer_card_cleanups",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/card-cleanups/answers",
        "answer_card_cleanups",
        Rec::None,
        Multipart("编号,核查结果\n999999999,本行无账户\n"),
    ),
    ep(
        "GET",
        "/card-cleanups/{id}",
        "list_card_cleanups",
        Rec::CardCleanup,
        Empty,
    ),
    ep(
        "POST",
        "/card-cleanups/{id}/answer",
        "answer_card_cleanups",
        Rec::CardCleanup,
        Form("version={version}&outcome=no_accounts&note=rbac+{n}"),
    ),
    ep(
        "POST",
        "/card-cleanups/{id}/withdraw",
        "request_card_cleanups",
        Rec::CardCleanup,
        Form("version={version}&note=rbac+{n}"),
    ),
    ep("GET", "/two-card-leads", "view_two_card_leads", Rec::None, Empty),
    ep(
        "POST",
        "/two-card-leads/import",
        "import_two_card_leads",
        Rec::None,
        Multipart("银行卡号,身份证号,姓名,线索原因\n6222020123456789015,11010519491231002X,张三,涉案账户\n"),
    ),
    ep(
        "POST",
        "/two-card-leads/{id}/measure",
        "record_enforcement",
        Rec::SoldTwoCardLead,
        Form("measure=education&measure_at=2020-01-01"),
    ),
    ep(
        "POST",
        "/two-card-leads/{id}/forward",
        "forward_two_card_leads",
        Rec::TwoCardLead,
        Form("unit=330281002001&reason=rbac+{n}"),
    ),
    ep(
        "POST",
        "/two-card-leads/{id}/check",
        "check_two_card_leads",
        Rec::TwoCardLead,
        Form("result=normal&note=rbac+{n}"),
    ),
    ep("GET", "/card-screening", "view_new_cards", Rec::None, Empty),
    ep("GET", "/card-checks", "view_new_cards", Rec::None, Empty),
    ep(
        "POST",
        "/card-checks",
        "check_card_applicants",
        Rec::None,
        Form("resident_id=11010519491231002X&holder_name=rbac&outlet_division=330281"),
    ),
    ep(
        "GET",
        "/card-checks/{id}",
        "review_new_cards|import_new_cards",
        Rec::CardCheck,
        Empty,
    ),
    ep(
        "POST",
        "/card-checks/{id}/outcome",
        "check_card_applicants",
        Rec::CardCheck,
        Form("version={version}&outcome=refused&note=rbac+{n}"),
    ),
    ep(
        "POST",
        "/card-screening/import",
        "import_new_cards",
        Rec::None,
        // Read as a bank's list by bank liaisons and the center (手机号码: the reserved
        // phone), as a list of new phone cards by an operator's liaison (手机号码: the card).
        Multipart("卡号,手机号码,户名,证件号码,开户日期\n6222020123456789015,13800138000,张三,11010519491231002X,2026-01-01\n"),
    ),
    ep("GET", "/card-screening/{id}", "review_new_cards", Rec::NewCard, Empty),
    ep(
        "POST",
        "/card-screening/{id}/review",
        "review_new_cards",
        Rec::NewCard,
        Form("verdict=watch&note=rbac+{n}"),
    ),
    ep(
        "POST",
        "/card-screening/{id}/lead",
        "import_two_card_leads",
        Rec::NewCard,
        Empty,
    ),
    ep("GET", "/stop-payments", "view_stop_payments", Rec::None, Empty),
    ep(
        "POST",
        "/stop-payments/{id}/act",
        "confirm_stop_payments",
        Rec::StopPayment,
        Form("action=held&amount_yuan=100"),
    ),
    ep(
        "GET",
        "/stop-payments/{id}/account",
        "manage_cases",
        Rec::StopPayment,
        Empty,
    ),
    ep(
        "GET",
        "/stop-payments/{id}/returns",
        "manage_cases",
        Rec::StopPayment,
        Empty,
    ),
    ep(
        "GET",
        "/stop-payments/{id}/returns/print",
        "manage_cases",
        Rec::StopPayment,
        Empty,
    ),
    ep("GET", "/statistics", "view_statistics", Rec::None, Empty),
    ep("GET", "/assessment", "view_statistics", Rec::None, Empty),
    ep("GET", "/analysis-groups", "view_analysis_groups", Rec::None, Empty),
    ep(
        "POST",
        "/analysis-groups",
        "manage_analysis_groups",
        Rec::FreeGroupUnit,
        Form("unit_code={code}&name=rbac+group+{n}&types=fake_loan"),
    ),
    ep(
        "GET",
        "/analysis-groups/{id}",
        "view_analysis_groups",
        Rec::AnalysisGroup,
        Empty,
    ),
    ep(
        "POST",
        "/analysis-groups/{id}",
        "manage_analysis_groups",
        Rec::AnalysisGroup,
        Form("name=rbac+changed+{n}&types=fake_loan&types=fake_credit_repair&version={version}"),
    ),
    ep(
        "POST",
        "/analysis-groups/{id}/deactivate",
        "manage_analysis_groups",
        Rec::AnalysisGroup,
        Form("version={version}"),
    ),
    ep("GET", "/supervision", "view_supervision", Rec::None, Empty),
    ep(
        "POST",
        "/supervision",
        "manage_supervision",
        Rec::ChildUnit,
        Form("target_kind=unit&unit_code={code}&measure=interview&reason=other&reason_text=supervision+rbac+{n}"),
    ),
    ep("GET", "/supervision/new", "manage_supervision", Rec::None, Empty),
    ep("GET", "/supervision/{id}", "view_supervision", Rec::Supervision, Empty),
    ep(
        "POST",
        "/supervision/{id}/reply",
        "reply_supervision",
        Rec::SupervisionFromAbove,
        Form("report=rbac+{n}"),
    ),
    ep(
        "POST",
        "/supervision/{id}/extend",
        "manage_supervision",
        Rec::Supervision,
        Form("deadline={deadline}&note=rbac+{n}"),
    ),
    ep(
        "POST",
        "/supervision/{id}/reject",
        "manage_supervision",
        Rec::RepliedSupervision,
        Form("note=rbac+{n}"),
    ),
    ep(
        "POST",
        "/supervision/{id}/close",
        "manage_supervision",
        Rec::RepliedSupervision,
        Form("note=rbac+{n}"),
    ),
    ep(
        "GET",
        "/supervision/{id}/notice",
        "view_supervision",
        Rec::Supervision,
        Empty,
    ),
    ep("GET", "/audit", "view_audit", Rec::None, Empty),
    ep("GET", "/admin", "manage_users", Rec::None, Empty),
    ep(
        "POST",
        "/admin/users",
        "manage_users",
        Rec::Unit,
        Form("login=added_{n}&display_name=%E6%96%B0%E7%BD%91%E6%A0%BC%E5%91%98&unit_code={code}&role=grid_worker&password=rbac-matrix-2026"),
    ),
    ep("GET", "/admin/rules", "manage_rules", Rec::None, Empty),
    ep(
        "POST",
        "/admin/rules",
        "manage_rules",
        Rec::None,
        Form("action=check&text="),
    ),
    ep("GET", "/events", "view_instructions", Rec::None, Empty),
    // The JSON API.
    ep("GET", "/api/v1/warnings", "view_warnings", Rec::None, Empty),
    ep(
        "POST",
        "/api/v1/warnings",
        "push_warnings",
        Rec::None,
        Json(r#"{"level":1,"residence_code":"330281001001","note":"rbac"}"#),
    ),
    ep("GET", "/api/v1/warnings/{id}", "view_warnings", Rec::Warning, Empty),
    ep("GET", "/api/v1/instructions", "view_instructions", Rec::None, Empty),
    ep(
        "GET",
        "/api/v1/instructions/{id}",
        "view_instructions",
        Rec::Instruction,
        Empty,
    ),
    ep(
        "POST",
        "/api/v1/instructions/{id}/commands",
        "handle_instructions",
        Rec::Instruction,
        Json(r#"{"version":{version},"commands":[{"command":"sign"}]}"#),
    ),
    ep("GET", "/api/v1/call-tasks", "view_call_tasks", Rec::None, Empty),
    ep(
        "POST",
        "/api/v1/call-tasks/claim",
        "work_call_tasks",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/api/v1/call-tasks/{id}/result",
        "work_call_tasks",
        Rec::CallTask,
        Json(r#"{"result":"switched_off"}"#),
    ),
    ep(
        "POST",
        "/api/v1/call-tasks/{id}/release",
        "work_call_tasks",
        Rec::CallTask,
        Empty,
    ),
    ep(
        "GET",
        "/api/v1/figures?unit={code}",
        "view_dashboard",
        Rec::Unit,
        Empty,
    ),
    ep("GET", "/api/v1/people", "view_warnings", Rec::None, Empty),
    ep(
        "GET",
        "/api/v1/people/{resident_id}",
        "view_personal_data",
        Rec::Person,
        Empty,
    ),
    ep(
        "GET",
        "/api/v1/units/{code}/children",
        "view_instructions",
        Rec::Unit,
        Empty,
    ),
    // The list is for those who review or upload (leaders read the figures on the page).
    ep(
        "GET",
        "/api/v1/new-cards",
        "review_new_cards|import_new_cards",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/api/v1/new-cards",
        "import_new_cards",
        Rec::None,
        Json(
            r#"{"cards":[{"card_no":"6222020123456789015","holder_name":"张三","resident_id":"11010519491231002X","opened_at":"2026-01-01T09:00:00+08:00"}]}"#,
        ),
    ),
    ep(
        "POST",
        "/api/v1/cases",
        "manage_cases",
        Rec::None,
        Json(
            r#"{"report_no":"RBAC-API-{n}","reported_at":"2026-03-01 10:00","loss_fen":10000,"narrative":"冒充客服退款","suspect_accounts":["6222020123456789015"]}"#,
        ),
    ),
    ep(
        "POST",
        "/api/v1/card-checks",
        "check_card_applicants",
        Rec::None,
        Json(r#"{"resident_id":"11010519491231002X","outlet_division":"330281"}"#),
    ),
    ep(
        "POST",
        "/api/v1/card-checks/{id}/outcome",
        "check_card_applicants",
        Rec::CardCheck,
        Json(r#"{"version":{version},"outcome":"refused"}"#),
    ),
    ep(
        "GET",
        "/api/v1/card-cleanups",
        "list_card_cleanups",
        Rec::None,
        Empty,
    ),
    ep(
        "POST",
        "/api/v1/card-cleanups/{id}/answer",
        "answer_card_cleanups",
        Rec::CardCleanup,
        Json(r#"{"version":{version},"outcome":"no_accounts"}"#),
    ),
    ep(
        "POST",
        "/api/v1/card-closures",
        "import_new_cards",
        Rec::None,
        Json(
            r#"{"closures":[{"card_no":"6222020123456789015","resident_id":"11010519491231002X","closed_at":"2026-01-01T09:00:00+08:00"}]}"#,
        ),
    ),
    // One call: an operator's kind of signal (a bank's system answers 200 with the line
    // rejected as signal_type_not_allowed).
    ep(
        "POST",
        "/api/v1/signals",
        "publish_signals",
        Rec::None,
        Json(
            r#"{"type":"call","ts":1796090400000,"caller":8617012345678,"callee":8613800000001,"duration_s":300,"caller_cell":0}"#,
        ),
    ),
    ep(
        "GET",
        "/api/v1/new-cards/{id}",
        "review_new_cards",
        Rec::NewCard,
        Empty,
    ),
    ep(
        "POST",
        "/api/v1/new-cards/{id}/review",
        "review_new_cards",
        Rec::NewCard,
        Json(r#"{"verdict":"watch","note":"rbac {n}"}"#),
    ),
];

impl Endpoint {
    fn route_path(&self) -> &'static str {
        self.path.split('?').next().unwrap_or(self.path)
    }

    fn is_write(&self) -> bool {
        self.method != "GET"
    }

    fn roles(&self) -> Vec<Role> {
        if self.permission == "public" {
            return Role::ALL.to_vec();
        }
        let mut out = Vec::new();
        for permission in self.permission.split('|') {
            let roles = MATRIX
                .iter()
                .find(|(name, _)| *name == permission)
                .map(|(_, roles)| *roles)
                .unwrap_or_else(|| panic!("{permission} is not in permission::MATRIX"));
            out.extend(
                roles
                    .iter()
                    .filter(|r| !out.contains(*r))
                    .copied()
                    .collect::<Vec<_>>(),
            );
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// The router's own list of routes, read from its source.

/// `(METHOD, path)` of every `.route(` call in `src`, and the number of such calls.
fn routes_in(src: &str) -> (BTreeSet<(String, String)>, usize) {
    let mut out = BTreeSet::new();
    let mut calls = 0;
    for (start, _) in src.match_indices(".route(") {
        calls += 1;
        let rest = &src[start + ".route(".len()..];
        // The call's text up to its closing parenthesis.
        let mut depth = 1;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let call = &rest[..end];
        let open = call.find('"').expect("route path literal");
        let close = open + 1 + call[open + 1..].find('"').expect("closing quote");
        let path = &call[open + 1..close];
        let handlers = &call[close + 1..];
        let mut methods = 0;
        for method in ["get", "post", "put", "patch", "delete"] {
            let needle = format!("{method}(");
            for (i, _) in handlers.match_indices(&needle) {
                let before = handlers[..i].chars().last().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' || before == ':' {
                    continue;
                }
                out.insert((method.to_uppercase(), path.to_string()));
                methods += 1;
            }
        }
        assert!(methods > 0, "no method found for route {path}");
    }
    (out, calls)
}

#[test]
fn the_table_lists_every_route_of_the_router() {
    let (mut routes, mut calls) = routes_in(include_str!("../../src/lib.rs"));
    let (api, api_calls) = routes_in(include_str!("../../src/api/mod.rs"));
    assert!(
        include_str!("../../src/lib.rs").contains(".merge(api::routes())"),
        "the API routes are merged into the router"
    );
    routes.extend(api);
    calls += api_calls;
    let table: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .map(|e| (e.method.to_string(), e.route_path().to_string()))
        .collect();
    assert_eq!(table.len(), ENDPOINTS.len(), "a route is listed twice");
    let missing: Vec<_> = routes.difference(&table).collect();
    let stale: Vec<_> = table.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes missing from ENDPOINTS: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "ENDPOINTS lists routes the router lacks: {stale:?}"
    );
    let paths: BTreeSet<&str> = ENDPOINTS.iter().map(|e| e.route_path()).collect();
    assert_eq!(paths.len(), calls, "one `.route(` per path");
    // Every permission of the matrix names a real one.
    for e in ENDPOINTS {
        e.roles();
    }
}

// ---------------------------------------------------------------------------------------------
// The world: a small tree, people, records in each subtree, and one session per request.

struct World {
    app: Router,
    state: AppState,
    /// The county office's member the member liaison reports for.
    own_member: i64,
    next: AtomicU32,
    _dir: tempfile::TempDir,
}

/// Where a record lies: held by a county, or pushed down to a village.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Held by 330281, residence in its village 330281001001.
    County,
    /// Pushed down to village 330281001001.
    Village,
    /// Held by 330282.
    OtherCounty,
}

impl Place {
    fn unit_code(self) -> &'static str {
        match self {
            Place::County => COUNTY,
            Place::Village => VILLAGE,
            Place::OtherCounty => OTHER_COUNTY,
        }
    }
}

fn transfer(from: &str, to: &str, at: i64, amount_fen: i64) -> CaseTransfer {
    CaseTransfer {
        txn_id: None,
        from_account: from.into(),
        to_account: to.into(),
        at,
        amount_fen,
        channel: "bank".into(),
        source_file: Some("setup.csv".into()),
    }
}

/// One record of each kind at one place.
#[derive(Debug, Default)]
struct Record {
    instruction_id: String,
    warning_id: String,
    resident_id: String,
    unit_code: &'static str,
    version: i64,
    case_id: String,
    stop_id: String,
    call_task_id: String,
    call_task_version: i64,
    supervision_id: String,
    /// A date (Shanghai) a supervision measure's deadline may be extended to.
    supervision_extend_to: String,
    key_person_id: String,
    guardian_id: String,
    two_card_lead_id: String,
    new_card_id: String,
    suspect_id: String,
    number_disposal_id: String,
    outreach_post_id: String,
    tip_id: String,
    outreach_list_id: String,
    outreach_row_id: String,
    bulletin_id: String,
    proposal_id: String,
    analysis_group_id: String,
    card_cleanup_id: String,
    card_check_id: String,
    cluster_operation_id: String,
    cluster_target_id: String,
    alliance_member_id: String,
    model_site_id: String,
    joint_member_id: String,
    joint_meeting_id: String,
    joint_task_id: String,
    /// A quiz campaign's id or link code, an attempt's token or a question's id.
    quiz_key: String,
    /// An app drive's id or link code, a promoter's id, token or personal code.
    drive_key: String,
    /// A leak source's key (URL-encoded) and a joint-office member: `KEY&member_id=M`.
    leak_form: String,
    team_member_id: String,
}

/// A fresh member department (at version 1) of the joint office of `unit_code`.
async fn add_joint_member(store: &Store, unit_code: &str, name: &str, now: i64) -> i64 {
    store
        .joint_office()
        .add_member(
            &Scope::platform(),
            &fanzha_store::NewJointMember {
                unit_code: unit_code.into(),
                name: name.into(),
                kind: fanzha_store::JointMemberKind::Government,
                contact_name: "联络员".into(),
                contact_phone: "13900003333".into(),
                staff: 100,
                note: String::new(),
                by: "setup".into(),
            },
            now,
        )
        .await
        .unwrap()
}

/// A caller: a role at a unit, with the places that are inside and outside its subtree.
#[derive(Clone, Debug)]
struct Caller {
    login: String,
    role: Role,
    unit_code: &'static str,
    own: Place,
    foreign: Place,
}

fn callers() -> Vec<Caller> {
    let mut out: Vec<Caller> = Role::ALL
        .iter()
        .map(|&role| Caller {
            login: format!("yy_{}", role.as_str()),
            role,
            unit_code: COUNTY,
            own: Place::County,
            foreign: Place::OtherCounty,
        })
        .collect();
    out.push(Caller {
        login: "village_grid_worker".into(),
        role: Role::GridWorker,
        unit_code: VILLAGE,
        own: Place::Village,
        foreign: Place::OtherCounty,
    });
    out.push(Caller {
        login: "cx_unit_commander".into(),
        role: Role::UnitCommander,
        unit_code: OTHER_COUNTY,
        own: Place::OtherCounty,
        foreign: Place::County,
    });
    out
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let store = Store::open(&url).await.unwrap();
        use UnitLevel::*;
        store
            .units()
            .upsert(&[
                unit(CITY, "宁波市", City, None),
                unit(COUNTY, "余姚市", County, Some(CITY)),
                unit("330281001", "阳明街道", Township, Some(COUNTY)),
                unit(VILLAGE, "舜水社区", Village, Some("330281001")),
                unit("330281001002", "新建社区", Village, Some("330281001")),
                unit("330281002", "梨洲街道", Township, Some(COUNTY)),
                unit("330281002001", "西郊社区", Village, Some("330281002")),
                unit(OTHER_COUNTY, "慈溪市", County, Some(CITY)),
                unit("330282001", "浒山街道", Township, Some(OTHER_COUNTY)),
                unit(OTHER_COUNTY_VILLAGE, "虞波社区", Village, Some("330282001")),
            ])
            .await
            .unwrap();
        let now = fanzha_core::time::now_ms();
        let own_member = add_joint_member(&store, COUNTY, "本成员单位", now).await;
        for c in callers() {
            store
                .users()
                .upsert(&NewUser {
                    login: c.login.clone(),
                    display_name: c.login.clone(),
                    unit_code: c.unit_code.into(),
                    roles: vec![c.role],
                    joint_member: (c.role == Role::JointMember).then_some(own_member),
                    bank_code: (c.role == Role::BankLiaison).then(|| LIAISON_BANK.into()),
                    operator: (c.role == Role::OperatorLiaison).then(|| "china_mobile".into()),
                    password_hash: None,
                })
                .await
                .unwrap();
        }
        store
            .users()
            .upsert(&NewUser {
                login: "rbac_admin".into(),
                display_name: "管理员".into(),
                unit_code: COUNTY.into(),
                roles: vec![Role::Admin],
                joint_member: None,
                bank_code: None,
                operator: None,
                password_hash: Some(hash_password(PASSWORD).unwrap()),
            })
            .await
            .unwrap();
        // The city's quiz bank, which every campaign below draws from.
        store
            .quiz_questions()
            .load_builtin(CITY, "setup", 0)
            .await
            .unwrap();
        let mut state = AppState::new(store).await.unwrap();
        // Signals pushed over HTTPS are kept in memory here (the stream is tested elsewhere).
        state.intake = Some(std::sync::Arc::new(crate::signals_api::Collected::default()));
        World {
            app: router(state.clone()),
            state,
            own_member,
            next: AtomicU32::new(1),
            _dir: dir,
        }
    }

    /// A fresh case held by `place`: the victim's 500 yuan went to an ICBC account, 300 of it
    /// on to a CCB account.
    /// A fresh suspect, without a measure, of a fresh case at `place`.
    async fn noticed_case_at(&self, place: Place) -> Record {
        let r = self.case_at(place, true).await;
        self.store()
            .employer_notices()
            .issue(
                &Scope::platform(),
                &fanzha_store::NewEmployerNotice {
                    case_id: r.case_id.clone(),
                    issuer_unit: r.unit_code.into(),
                    employer: "余姚市某局".into(),
                    department: None,
                    station_unit: r.unit_code.into(),
                    by: "setup".into(),
                },
                // Issued before the receipt time the forms send.
                DateTime::parse_from_rfc3339("2019-12-31T10:00:00+08:00")
                    .unwrap()
                    .timestamp_millis(),
            )
            .await
            .unwrap();
        r
    }

    async fn typical_case_at(&self, place: Place) -> Record {
        let r = self.case_at(place, false).await;
        self.store()
            .typical_cases()
            .mark(
                &Scope::platform(),
                &fanzha_store::NewTypicalCase {
                    case_id: r.case_id.clone(),
                    title: "冒充客服诈骗".into(),
                    summary: "某某接到自称客服的电话后转账".into(),
                    advice: String::new(),
                    publisher_unit: r.unit_code.into(),
                    by: "setup".into(),
                    expected_version: 0,
                },
                self.now(),
            )
            .await
            .unwrap();
        r
    }

    async fn resident_suspect_at(&self, place: Place) -> Record {
        let resident = self.resident_at(place).await;
        let r = self
            .suspect_of(
                place,
                Some(resident.resident_id.clone()),
                fanzha_store::SuspectRole::CardSeller,
            )
            .await;
        Record {
            resident_id: resident.resident_id,
            ..r
        }
    }

    async fn suspect_at(&self, place: Place) -> Record {
        self.suspect_of(place, None, fanzha_store::SuspectRole::Fraudster)
            .await
    }

    /// A fresh case of the place's unit with one suspect, no measure yet.
    async fn suspect_of(
        &self,
        place: Place,
        resident_id: Option<String>,
        role: fanzha_store::SuspectRole,
    ) -> Record {
        let r = self.case_at(place, false).await;
        let id = self
            .store()
            .enforcement()
            .add_suspect(
                &Scope::platform(),
                &fanzha_store::NewSuspect {
                    case_id: r.case_id.clone(),
                    name: "嫌疑人".into(),
                    resident_id,
                    phone: None,
                    role,
                    measure: None,
                    measure_at: None,
                    note: String::new(),
                    created_by: "setup".into(),
                },
                self.now(),
            )
            .await
            .unwrap();
        Record {
            suspect_id: id.to_string(),
            ..r
        }
    }

    /// A new township-level unit inside the place's county (a village has none below it: its
    /// township's), its code leaked to fit `Record::unit_code`.
    async fn fresh_unit_at(&self, place: Place) -> &'static str {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let (parent, level) = match place {
            Place::County => (COUNTY, UnitLevel::Township),
            Place::Village => ("330281001", UnitLevel::Village),
            Place::OtherCounty => (OTHER_COUNTY, UnitLevel::Township),
        };
        let code: &'static str = Box::leak(format!("{parent}9{n:05}").into_boxed_str());
        self.store()
            .units()
            .upsert(&[unit(code, &format!("新单位{n}"), level, Some(parent))])
            .await
            .unwrap();
        code
    }

    async fn site_at(&self, place: Place) -> Record {
        let unit_code = self.fresh_unit_at(place).await;
        let id = self
            .store()
            .model_sites()
            .award(&Scope::platform(), unit_code, "", "setup", self.now())
            .await
            .unwrap();
        Record {
            unit_code,
            model_site_id: id.to_string(),
            ..Record::default()
        }
    }

    async fn member_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let unit_code = place.unit_code();
        let id = self
            .store()
            .alliance()
            .join(
                &Scope::platform(),
                &fanzha_store::NewMember {
                    unit_code: unit_code.into(),
                    name: format!("联盟企业{n}"),
                    credit_code: credit_code(n),
                    contact_name: "联络员".into(),
                    contact_phone: "13900003333".into(),
                    staff: 100,
                    finance_staff: 5,
                    joined_at: self.now(),
                    note: String::new(),
                    by: "setup".into(),
                },
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code,
            alliance_member_id: id.to_string(),
            ..Record::default()
        }
    }

    async fn joint_member_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let unit_code = place.unit_code();
        let name = format!("成员单位{n}");
        let id = add_joint_member(self.store(), unit_code, &name, self.now()).await;
        Record {
            unit_code,
            joint_member_id: id.to_string(),
            supervision_extend_to: fanzha_core::time::format_shanghai_date(
                self.now() + 30 * 86_400_000,
            ),
            ..Record::default()
        }
    }

    async fn joint_meeting_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let unit_code = place.unit_code();
        let id = self
            .store()
            .joint_office()
            .record_meeting(
                &Scope::platform(),
                &fanzha_store::NewMeeting {
                    unit_code: unit_code.into(),
                    kind: fanzha_store::MeetingKind::Dispatch,
                    title: format!("调度会{n}"),
                    held_at: self.now(),
                    chair: String::new(),
                    summary: String::new(),
                    attendees: Vec::new(),
                    by: "setup".into(),
                },
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code,
            joint_meeting_id: id.to_string(),
            ..Record::default()
        }
    }

    async fn joint_task_at(&self, place: Place, reported: bool) -> Record {
        let r = self.joint_member_at(place).await;
        let member = r.joint_member_id.parse().unwrap();
        self.joint_task_of(r, member, reported).await
    }

    /// A fresh task of `member` (whose unit `r` names).
    async fn joint_task_of(&self, mut r: Record, member: i64, reported: bool) -> Record {
        let tasks = self.store().joint_tasks();
        let id = tasks
            .assign(
                &Scope::platform(),
                &fanzha_store::NewTask {
                    member_id: member,
                    meeting_id: None,
                    title: "rbac task".into(),
                    detail: String::new(),
                    due_at: self.now() + 10 * 86_400_000,
                    by: "setup".into(),
                },
                self.now(),
            )
            .await
            .unwrap();
        if reported {
            tasks
                .report(
                    &Scope::platform(),
                    id,
                    ("done", "x"),
                    (1, "setup", self.now()),
                )
                .await
                .unwrap();
        }
        r.joint_task_id = id.to_string();
        r
    }

    async fn operation_at(&self, place: Place) -> Record {
        let r = self.case_at(place, false).await;
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id_number = |k: u32| {
            // A birth day per record over 49 years, then the next sequence number: unique,
            // and never in the future however many records the matrix makes.
            let day = u64::from(n) * 2 + u64::from(k);
            let birth = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                + chrono::Days::new(day % 18_000);
            let sequence = 3 + 2 * u16::try_from(day / 18_000).unwrap_or(0);
            fanzha_core::ResidentId::generate(330281, birth, sequence, fanzha_core::Sex::Male)
                .unwrap()
                .as_str()
                .to_string()
        };
        let ops = self.store().cluster_operations();
        let now = self.now();
        let id = ops
            .launch(
                &Scope::platform(),
                &fanzha_store::NewOperation {
                    unit_code: r.unit_code.into(),
                    name: format!("集群战役{n}"),
                    case_id: r.case_id.clone(),
                    strike_at: now,
                    goal: String::new(),
                    by: "setup".into(),
                    at: now,
                },
            )
            .await
            .unwrap();
        ops.add_targets(
            &Scope::platform(),
            id,
            &[fanzha_store::NewTarget {
                name: "目标".into(),
                resident_id: id_number(0),
                phone: None,
                role: fanzha_store::SuspectRole::CashMule,
                unit_code: Some(r.unit_code.into()),
                clue: String::new(),
            }],
            "setup",
            now,
        )
        .await
        .unwrap();
        let target = ops.targets(&Scope::platform(), id).await.unwrap().remove(0);
        Record {
            cluster_operation_id: id.to_string(),
            cluster_target_id: target.id.to_string(),
            resident_id: id_number(1),
            ..r
        }
    }

    async fn case_at(&self, place: Place, public_sector: bool) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let unit_code = place.unit_code();
        let now = self.now();
        let case_id = format!("AJRBAC{n:06}");
        self.store()
            .cases()
            .create(&NewCase {
                id: case_id.clone(),
                victim_name: Some(format!("受害人{n}")),
                unit_code: unit_code.into(),
                reported_at: now,
                loss_fen: 50_000,
                narrative: "对方冒充客服称可退款，诱导受害人转账".into(),
                top_terms: serde_json::json!([]),
                source: "form".into(),
                victim_account: Some(VICTIM_ACCOUNT.into()),
                public_sector,
                employer: public_sector.then(|| "余姚市某局".into()),
                // The account the victim paid into, for 接警止付 by hand (stored directly, so
                // nothing was asked at opening).
                named: serde_json::json!({"accounts": [ICBC_ACCOUNT]}),
                created_by: "setup".into(),
                created_at: now,
                ..NewCase::default()
            })
            .await
            .unwrap();
        self.store()
            .cases()
            .add_transfers(
                &case_id,
                &[
                    transfer(VICTIM_ACCOUNT, ICBC_ACCOUNT, now - 20 * 60_000, 50_000),
                    transfer(ICBC_ACCOUNT, CCB_ACCOUNT, now - 10 * 60_000, 30_000),
                ],
            )
            .await
            .unwrap();
        Record {
            unit_code,
            case_id,
            ..Record::default()
        }
    }

    /// A fresh case at `place` with one stop-payment request to ICBC and one to CCB; the
    /// record names the one for `account`.
    async fn stop_at(&self, place: Place, account: &str) -> Record {
        let mut r = self.case_at(place, true).await;
        let now = self.now();
        let reported = DateTime::from_timestamp_millis(now).unwrap();
        let mut requests = Vec::new();
        for (acc, bank) in [(ICBC_ACCOUNT, "ICBC"), (CCB_ACCOUNT, "CCB")] {
            let institution = Institution::of_account(acc, false);
            let bank_code = match &institution {
                Institution::Bank { code, .. } => Some(code.clone()),
                _ => None,
            };
            assert_eq!(bank_code.as_deref(), Some(bank), "BIN of {acc}");
            let req = StopPaymentRequest::new(acc, institution.clone(), 20_000, reported);
            let id = format!("ZF{}{bank}", r.case_id);
            if acc == account {
                r.stop_id = id.clone();
            }
            requests.push(NewStopPayment {
                id,
                case_id: r.case_id.clone(),
                unit_code: r.unit_code.into(),
                account: acc.into(),
                bank_code,
                institution: serde_json::to_value(&institution).unwrap(),
                requested_fen: 20_000,
                requested_at: now,
                deadline: req.deadline.timestamp_millis(),
                detail: serde_json::to_value(&req).unwrap(),
                reason: None,
                requested_by: None,
            });
        }
        assert_eq!(
            self.store()
                .stop_payments()
                .create_many(&requests)
                .await
                .unwrap(),
            2
        );
        r
    }

    /// The record a route names for a caller (`None`: anonymous) on one side of its subtree.
    async fn make(&self, rec: Rec, c: Option<&Caller>, side: Side) -> Option<Record> {
        let (own, foreign, liaison) = c
            .map(|c| (c.own, c.foreign, c.role == Role::BankLiaison))
            .unwrap_or((Place::County, Place::OtherCounty, false));
        let place = match side {
            Side::Own => own,
            Side::Foreign => foreign,
        };
        Some(match rec {
            Rec::None => return None,
            Rec::TalkingPoints => {
                let code = fanzha_core::FraudType::ImpersonatingPolice.code();
                let repo = self.store().talking_points();
                let stored = match repo.get(code).await.unwrap() {
                    Some(p) => p,
                    None => repo
                        .set(code, "公安机关不会电话办案。", "", 0, "setup", self.now())
                        .await
                        .unwrap(),
                };
                Record {
                    unit_code: code,
                    version: stored.version,
                    ..Record::default()
                }
            }
            // As for stop-payments: a liaison's side is the bank (inside their own area);
            // police see every bank's outlets of their subtree.
            Rec::Supervision | Rec::RepliedSupervision | Rec::SupervisionFromAbove => {
                let replied = rec == Rec::RepliedSupervision;
                let above = rec == Rec::SupervisionFromAbove;
                let (place, bank) = match (liaison, side) {
                    (true, Side::Own) => (own, "ICBC"),
                    (true, Side::Foreign) => (own, "CCB"),
                    (false, Side::Own) => (own, "CCB"),
                    (false, Side::Foreign) => (foreign, "ICBC"),
                };
                self.supervision_at(place, bank, replied, above).await
            }
            Rec::Case => self.case_at(place, true).await,
            Rec::AnalysisGroup => self.analysis_group_at(place, true).await,
            Rec::FreeGroupUnit => self.analysis_group_at(place, false).await,
            Rec::Resident => self.resident_at(place).await,
            Rec::KeyPerson => self.key_person_at(place).await,
            Rec::Guardian => self.guardian_at(place).await,
            Rec::TwoCardLead => self.two_card_lead_at(place).await,
            Rec::SoldTwoCardLead => {
                let r = self.two_card_lead_at(place).await;
                self.store()
                    .two_card_leads()
                    .record_result(
                        &Scope::platform(),
                        r.two_card_lead_id.parse().unwrap(),
                        fanzha_store::LeadResult::Sold,
                        "",
                        "setup",
                        self.now(),
                    )
                    .await
                    .unwrap();
                r
            }
            Rec::Proposal => {
                let mut r = self.key_person_at(place).await;
                let p = self
                    .store()
                    .key_person_proposals()
                    .propose(
                        &Scope::platform(),
                        &fanzha_store::NewProposal {
                            key_person_id: r.key_person_id.parse().unwrap(),
                            kind: fanzha_store::ProposalKind::ExitBan,
                            punishment_kind: None,
                            reason: "setup".into(),
                            proposed_by: "setup".into(),
                        },
                        self.now(),
                    )
                    .await
                    .unwrap();
                r.proposal_id = p.id.to_string();
                r
            }
            Rec::Bulletin => {
                let issuer = match (side, place) {
                    (Side::Own, Place::Village) => "330281001",
                    (Side::Own, _) => CITY,
                    (Side::Foreign, p) => p.unit_code(),
                };
                self.bulletin_by(issuer, place).await
            }
            Rec::PartnerBulletin => {
                let r = self.bulletin_by(CITY, place).await;
                let (kind, code) = match (c.map(|c| c.role), side) {
                    (Some(Role::BankLiaison), Side::Own) => ("bank", LIAISON_BANK.to_string()),
                    (Some(Role::OperatorLiaison), Side::Own) => {
                        ("operator", "china_mobile".to_string())
                    }
                    (Some(Role::JointMember), Side::Own) => {
                        ("joint_member", self.own_member.to_string())
                    }
                    _ => ("bank", "CCB".to_string()),
                };
                // Addressed directly: which partners an issue reaches depends on the liaison
                // accounts of the issuer's area, which the matrix's callers do not mirror.
                sqlx::query(&format!(
                    "INSERT INTO bulletin_partners (bulletin_id, kind, code) \
                     VALUES ({}, '{kind}', '{code}')",
                    r.bulletin_id
                ))
                .execute(self.store().pool())
                .await
                .unwrap();
                r
            }
            // An operator liaison's side is the operator (whichever unit asked); police see
            // the requests of their subtree to any operator.
            Rec::NumberDisposal => {
                let operator_liaison = c.is_some_and(|c| c.role == Role::OperatorLiaison);
                let (place, operator) = match (operator_liaison, side) {
                    (true, Side::Own) => (foreign, Operator::ChinaMobile),
                    (true, Side::Foreign) => (own, Operator::ChinaUnicom),
                    (false, Side::Own) => (own, Operator::ChinaUnicom),
                    (false, Side::Foreign) => (foreign, Operator::ChinaMobile),
                };
                self.number_disposal_at(place, operator).await
            }
            Rec::CardCleanup => match (liaison, side) {
                (true, Side::Own) => self.card_cleanup_at(foreign, LIAISON_BANK).await,
                (true, Side::Foreign) => self.card_cleanup_at(own, "CCB").await,
                (false, Side::Own) => self.card_cleanup_at(own, "CCB").await,
                (false, Side::Foreign) => self.card_cleanup_at(foreign, LIAISON_BANK).await,
            },
            Rec::CardCheck => {
                let role = c.map(|c| c.role);
                let (place, kind, issuer) = match (role, side) {
                    (Some(Role::BankLiaison), Side::Own) => {
                        (foreign, CardKind::BankCard, LIAISON_BANK)
                    }
                    (Some(Role::BankLiaison), Side::Foreign) => (own, CardKind::BankCard, "CCB"),
                    (Some(Role::OperatorLiaison), Side::Own) => {
                        (foreign, CardKind::SimCard, "china_mobile")
                    }
                    (Some(Role::OperatorLiaison), Side::Foreign) => {
                        (own, CardKind::SimCard, "china_unicom")
                    }
                    (_, Side::Own) => (own, CardKind::BankCard, "CCB"),
                    (_, Side::Foreign) => (foreign, CardKind::BankCard, LIAISON_BANK),
                };
                self.card_check_at(place, kind, issuer).await
            }
            Rec::NewCard => self.new_card_at(place).await,
            Rec::Suspect => self.suspect_at(place).await,
            Rec::ResidentSuspect => self.resident_suspect_at(place).await,
            Rec::ClusterOperation | Rec::ClusterTarget => self.operation_at(place).await,
            Rec::AllianceMember => self.member_at(place).await,
            Rec::JointMember => self.joint_member_at(place).await,
            Rec::JointMeeting => self.joint_meeting_at(place).await,
            Rec::JointTask => self.joint_task_at(place, false).await,
            Rec::OwnJointTask => match (c.is_some_and(|c| c.role == Role::JointMember), side) {
                (true, Side::Own) => {
                    let r = Record {
                        unit_code: COUNTY,
                        ..Record::default()
                    };
                    self.joint_task_of(r, self.own_member, false).await
                }
                (true, Side::Foreign) => self.joint_task_at(own, false).await,
                (false, _) => self.joint_task_at(place, false).await,
            },
            Rec::ReportedJointTask => self.joint_task_at(place, true).await,
            Rec::FreshUnit => Record {
                unit_code: self.fresh_unit_at(place).await,
                ..Record::default()
            },
            Rec::ModelSite => self.site_at(place).await,
            Rec::NoticedCase => self.noticed_case_at(place).await,
            Rec::TypicalCase => self.typical_case_at(place).await,
            Rec::OutreachPost => self.outreach_post_at(place).await,
            Rec::Tip => self.tip_at(place).await,
            Rec::QuizCampaign | Rec::QuizLink => self.quiz_at(place, rec).await,
            Rec::QuizAttempt | Rec::QuizAnswered => self.quiz_at(place, rec).await,
            Rec::QuizQuestion => self.quiz_question_at(place).await,
            Rec::AppDrive
            | Rec::AppDriveLink
            | Rec::AppDrivePromoter
            | Rec::AppDriveToken
            | Rec::AppDriveInvite => self.drive_at(place, rec).await,
            Rec::LeakSource => self.leak_source_at(place).await,
            Rec::TeamMember => self.team_member_at(place).await,
            Rec::OutreachList | Rec::OutreachRow => self.outreach_list_at(place).await,
            Rec::ChildUnit => Record {
                unit_code: match place {
                    Place::County => "330281001",
                    Place::Village => VILLAGE,
                    Place::OtherCounty => "330282001",
                },
                ..Record::default()
            },
            Rec::CallTask => {
                let login = c.map(|c| c.login.as_str()).unwrap_or("nobody");
                self.call_task_at(place, login).await
            }
            // A liaison's side is the bank, whatever the subtree; police see every bank's
            // requests of their subtree.
            Rec::StopPayment => match (liaison, side) {
                (true, Side::Own) => self.stop_at(foreign, ICBC_ACCOUNT).await,
                (true, Side::Foreign) => self.stop_at(own, CCB_ACCOUNT).await,
                (false, Side::Own) => self.stop_at(own, CCB_ACCOUNT).await,
                (false, Side::Foreign) => self.stop_at(foreign, ICBC_ACCOUNT).await,
            },
            Rec::FundWarning => {
                let r = self.record(place).await;
                let n = self.next.fetch_add(1, Ordering::Relaxed);
                self.store()
                    .warning_pushes()
                    .attach(
                        &r.warning_id,
                        &WarningPush {
                            platform: PushPlatform::National,
                            push_id: format!("ZJ-{n}"),
                            pushed_at: self.now(),
                            import_run: None,
                            kind: Some(fanzha_core::PushKind::Fund),
                            fund: Some(WarningFund {
                                amount_fen: Some(500_000),
                                paid_at: Some(self.now()),
                                payee_account: Some("6222020123456789015".into()),
                                payee_bank_code: Some("ICBC".into()),
                                payee_bank: None,
                                payer_account: None,
                            }),
                        },
                    )
                    .await
                    .unwrap();
                r
            }
            _ => self.record(place).await,
        })
    }

    /// What a case or stop-payment write would change, as text to compare before and after.
    async fn snapshot(&self, e: &Endpoint, r: &Record) -> String {
        let store = self.store();
        let police = Viewer::Police(Scope::platform());
        match e.rec {
            Rec::Case | Rec::TypicalCase if e.route_path().contains("/typical") => {
                let t = store
                    .typical_cases()
                    .of_case(&Scope::platform(), &r.case_id)
                    .await
                    .unwrap();
                format!("{:?}", t.map(|t| (t.version, t.title)))
            }
            Rec::Case | Rec::NoticedCase if e.route_path().contains("/employer-notice") => {
                let n = store
                    .employer_notices()
                    .of_case(&Scope::platform(), &r.case_id)
                    .await
                    .unwrap();
                format!("{:?}", n.map(|n| (n.version, n.receipt_signatory)))
            }
            Rec::Case if e.route_path() == "/operations" => {
                let o = store
                    .cluster_operations()
                    .of_case(&Scope::platform(), &r.case_id)
                    .await
                    .unwrap();
                format!("{}", o.len())
            }
            Rec::Case if e.route_path() == "/cases" => {
                let all = store
                    .cases()
                    .list(&Scope::platform(), &PageRequest::first(10_000))
                    .await
                    .unwrap();
                format!("{} cases", all.items.len())
            }
            Rec::Case if e.route_path().ends_with("/order-source") => {
                let o = store.case_order_sources().get(&r.case_id).await.unwrap();
                format!("{o:?}")
            }
            Rec::Case if e.route_path().ends_with("/prior-outreach") => {
                let c = store
                    .cases()
                    .get(&Scope::platform(), &r.case_id)
                    .await
                    .unwrap();
                format!("{:?}", c.prior_outreach)
            }
            Rec::Case if e.route_path().ends_with("/extracts") => {
                let t = store
                    .cases()
                    .transfers(&Scope::platform(), &r.case_id)
                    .await
                    .unwrap();
                format!("{} transfers", t.len())
            }
            Rec::Case if e.route_path().ends_with("/enforcement") => {
                let s = store
                    .enforcement()
                    .of_case(&Scope::platform(), &r.case_id)
                    .await
                    .unwrap();
                format!("{} v{} {}", s.status.as_str(), s.version, s.recovered_fen)
            }
            Rec::Case if e.route_path().ends_with("/suspects") => {
                let s = store
                    .enforcement()
                    .suspects(&Scope::platform(), &r.case_id)
                    .await
                    .unwrap();
                format!("{} suspects", s.len())
            }
            Rec::Case
                if e.route_path().ends_with("/trace")
                    || e.route_path().ends_with("/intake-stops") =>
            {
                let page = store
                    .stop_payments()
                    .list(&police, Some(&r.case_id), false, &PageRequest::first(100))
                    .await
                    .unwrap();
                format!("{} requests", page.items.len())
            }
            Rec::StopPayment => {
                let s = store
                    .stop_payments()
                    .get(&police, &r.stop_id)
                    .await
                    .unwrap();
                format!("{} v{} held {}", s.state, s.version, s.held_fen)
            }
            _ => panic!("no snapshot for {} {}", e.method, e.path),
        }
    }

    fn store(&self) -> &Store {
        &self.state.store
    }

    /// A fresh red instruction at `place`, whose 96110 call `login` has claimed.
    async fn call_task_at(&self, place: Place, login: &str) -> Record {
        let mut r = self.record(place).await;
        let tasks = self
            .store()
            .call_tasks()
            .for_instruction(&Scope::platform(), &r.instruction_id)
            .await
            .unwrap();
        assert_eq!(tasks.len(), 1, "a red warning queues one call");
        let held = self
            .store()
            .call_tasks()
            .claim(&Scope::platform(), tasks[0].id, login, self.now(), 600_000)
            .await
            .unwrap();
        r.call_task_id = held.id.to_string();
        r.call_task_version = held.version;
        r
    }

    async fn call_task_version(&self, r: &Record) -> i64 {
        self.store()
            .call_tasks()
            .get(&Scope::platform(), r.call_task_id.parse().unwrap())
            .await
            .unwrap()
            .version
    }

    fn now(&self) -> i64 {
        self.state.clock.now_ms()
    }

    /// A fresh resident at `place` whose ID number passes validation.
    async fn resident_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let birth =
            chrono::NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + chrono::Days::new(u64::from(n));
        let resident_id =
            fanzha_core::ResidentId::generate(330281, birth, 1, fanzha_core::Sex::Male)
                .unwrap()
                .as_str()
                .to_string();
        let village = match place {
            Place::County | Place::Village => VILLAGE,
            Place::OtherCounty => OTHER_COUNTY_VILLAGE,
        };
        self.store()
            .people()
            .upsert(&[NewPerson {
                resident_id: resident_id.clone(),
                name: format!("重点{n}"),
                phone: None,
                residence_code: village.into(),
                address: None,
                employer: None,
                public_sector: false,
                app_registered: false,
                joint_defense_registered: false,
            }])
            .await
            .unwrap();
        Record {
            resident_id,
            unit_code: place.unit_code(),
            ..Record::default()
        }
    }

    /// A fresh guardian of a fresh resident at `place`, signed up for 金钟罩.
    async fn guardian_at(&self, place: Place) -> Record {
        let mut r = self.resident_at(place).await;
        let (g, _) = self
            .store()
            .guardians()
            .save(
                &Scope::platform(),
                &fanzha_store::NewGuardian {
                    resident_id: r.resident_id.clone(),
                    name: "家属".into(),
                    phone: "13911110000".into(),
                    relationship: "子女".into(),
                    created_at: self.now(),
                },
                "setup",
            )
            .await
            .unwrap();
        r.guardian_id = g.id.to_string();
        r
    }

    /// The guardians of a record's resident and their sign-up, to compare before and after.
    async fn guardian_state(&self, r: &Record) -> (usize, bool) {
        let guardians = self
            .store()
            .guardians()
            .for_resident(&Scope::platform(), &r.resident_id)
            .await
            .unwrap()
            .len();
        let person = self
            .store()
            .people()
            .get(&Scope::platform(), &r.resident_id)
            .await
            .unwrap();
        (guardians, person.joint_defense_registered)
    }

    /// A fresh dossier of a fresh resident at `place`.
    async fn key_person_at(&self, place: Place) -> Record {
        let mut r = self.resident_at(place).await;
        let (id, _) = self
            .store()
            .key_persons()
            .create(
                &Scope::platform(),
                &NewKeyPerson {
                    resident_id: r.resident_id.clone(),
                    category: KeyPersonCategory::Returned,
                    reason: "setup".into(),
                    source: "setup".into(),
                    created_by: "setup".into(),
                    at: self.now(),
                },
            )
            .await
            .unwrap();
        r.key_person_id = id.to_string();
        r
    }

    /// A fresh supervision measure against an outlet of `bank` in `place`'s area, issued by
    /// the place's unit (by the unit above it when `above`; due in 30 days), its report
    /// recorded (by the bank) when `replied`.
    async fn supervision_at(&self, place: Place, bank: &str, replied: bool, above: bool) -> Record {
        let (issuer, area) = match (place, above) {
            (Place::County, false) => (COUNTY, "330281001"),
            (Place::Village, _) => ("330281001", VILLAGE),
            (Place::OtherCounty, false) => (OTHER_COUNTY, "330282001"),
            (Place::County, true) => (CITY, "330281001"),
            (Place::OtherCounty, true) => (CITY, "330282001"),
        };
        let now = self.now();
        let repo = self.store().supervision();
        let m = repo
            .issue(
                &Scope::platform(),
                &fanzha_store::NewSupervision {
                    target_kind: fanzha_store::TargetKind::BankOutlet,
                    target_name: format!("{bank} outlet"),
                    bank_code: Some(bank.into()),
                    unit_code: area.into(),
                    measure: fanzha_store::MeasureKind::Listed,
                    reasons: vec![fanzha_store::SupervisionReason::TwoCards],
                    reason_text: "setup".into(),
                    issuer_unit: issuer.into(),
                    issued_by: "setup".into(),
                    issued_at: now,
                    deadline_days: 30,
                },
            )
            .await
            .unwrap();
        let m = if replied {
            repo.reply(&Scope::platform(), Some(bank), m.id, "setup", "setup", now)
                .await
                .unwrap()
        } else {
            m
        };
        Record {
            unit_code: area,
            supervision_id: m.id.to_string(),
            version: m.version,
            supervision_extend_to: fanzha_core::time::format_shanghai_date(
                m.deadline + 10 * 86_400_000,
            ),
            ..Record::default()
        }
    }

    /// The county of `place` with its active analysis groups deactivated, and a fresh group
    /// there when `fresh` (led by the county's analyst).
    async fn analysis_group_at(&self, place: Place, fresh: bool) -> Record {
        let county = match place {
            Place::County | Place::Village => COUNTY,
            Place::OtherCounty => OTHER_COUNTY,
        };
        let repo = self.store().analysis_groups();
        let scope = self.store().units().scope(county).await.unwrap();
        for g in repo.list(&scope, false).await.unwrap() {
            if g.unit_code == county {
                repo.deactivate(&scope, g.id, g.version, "setup", self.now())
                    .await
                    .unwrap();
            }
        }
        let mut r = Record {
            unit_code: county,
            ..Record::default()
        };
        if fresh {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            let g = repo
                .create(
                    &scope,
                    &fanzha_store::NewAnalysisGroup {
                        unit_code: county.into(),
                        name: format!("研判组{n}"),
                        fraud_types: vec![fanzha_core::FraudType::FakeLoan],
                        lead: match county {
                            COUNTY => "yy_center_analyst".into(),
                            _ => "cx_unit_commander".into(),
                        },
                        members: Vec::new(),
                        by: "setup".into(),
                        at: self.now(),
                    },
                )
                .await
                .unwrap();
            r.analysis_group_id = g.id.to_string();
            r.version = g.version;
        }
        r
    }

    /// A pending cleanup request to `bank` about a fresh resident of `place` under a
    /// punishment, with an account at that bank.
    async fn card_cleanup_at(&self, place: Place, bank: &str) -> Record {
        let mut r = self.key_person_at(place).await;
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.store()
            .accounts()
            .upsert(&[fanzha_store::NewAccount {
                account_no: format!("CC{n:012}"),
                bank_code: Some(bank.into()),
                bank_name: Some(bank.into()),
                card_type: None,
                holder_resident_id: Some(r.resident_id.clone()),
                holder_name: None,
                opened_at: None,
                opened_where: None,
            }])
            .await
            .unwrap();
        self.store()
            .key_persons()
            .add_event(
                &Scope::platform(),
                r.key_person_id.parse().unwrap(),
                &fanzha_store::KeyPersonMeasure::Punishment {
                    kind: fanzha_store::PunishmentKind::Financial,
                    from: self.now() - 86_400_000,
                    until: None,
                },
                "setup",
                self.now() - 86_400_000,
            )
            .await
            .unwrap();
        let repo = self.store().card_cleanups();
        repo.generate(
            &Scope::platform(),
            Some(bank),
            &[],
            "setup",
            "setup",
            self.now(),
        )
        .await
        .unwrap();
        let c = repo
            .list(
                &fanzha_store::CleanupViewer::Police(Scope::platform()),
                &fanzha_store::CleanupFilter {
                    resident_id: Some(r.resident_id.clone()),
                    ..Default::default()
                },
                &PageRequest::first(1),
                self.now(),
            )
            .await
            .unwrap()
            .items
            .remove(0);
        r.card_cleanup_id = c.id.to_string();
        r.version = c.version;
        r
    }

    /// A pending request to `operator` by the unit at `place`, for a fresh number.
    async fn number_disposal_at(&self, place: Place, operator: Operator) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let d = self
            .store()
            .number_disposals()
            .request(
                &Scope::platform(),
                &NewNumberDisposal {
                    number: format!("17{n:09}"),
                    operator: Some(operator),
                    measure: DisposalMeasure::Shutdown,
                    reason: "setup".into(),
                    warning_id: None,
                    case_id: None,
                    unit_code: place.unit_code().into(),
                    urgent: false,
                },
                "setup",
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code: place.unit_code(),
            number_disposal_id: d.id.to_string(),
            version: d.version,
            ..Record::default()
        }
    }

    async fn bulletin_by(&self, issuer: &str, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let b = self
            .store()
            .bulletins()
            .issue(
                &Scope::platform(),
                &NewBulletin {
                    unit_code: issuer.into(),
                    kind: BulletinKind::Methods,
                    title: format!("setup {n}"),
                    period: String::new(),
                    fraud_type: None,
                    body: "setup".into(),
                    issued_by: "setup".into(),
                    partners: Vec::new(),
                },
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code: place.unit_code(),
            bulletin_id: b.id.to_string(),
            ..Record::default()
        }
    }

    /// A fresh open quiz campaign of `place`'s unit, and for an attempt, an attempt at it.
    async fn quiz_at(&self, place: Place, rec: Rec) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let now = self.now();
        let code = format!("rbac{n:06}");
        let id = self
            .store()
            .quiz_campaigns()
            .open(
                &Scope::platform(),
                &fanzha_store::NewQuizCampaign {
                    unit_code: place.unit_code().into(),
                    code: code.clone(),
                    audience: fanzha_store::OutreachAudience::Other,
                    question_count: 5,
                    pass_score: 60,
                    opens_at: now - 86_400_000,
                    text: fanzha_store::QuizCampaignText {
                        title: format!("setup {n}"),
                        pledge: "我承诺。".into(),
                        closes_at: now + 30 * 86_400_000,
                        employers: Vec::new(),
                    },
                    created_by: "setup".into(),
                },
                now,
            )
            .await
            .unwrap();
        let key = match rec {
            Rec::QuizCampaign => id.to_string(),
            Rec::QuizLink => code,
            _ => {
                let campaign = self.store().quiz_campaigns().by_code(&code).await.unwrap();
                let token = self
                    .store()
                    .quiz_attempts()
                    .start(
                        &campaign,
                        &fanzha_store::NewAttempt {
                            unit_code: place.unit_code().into(),
                            employer: None,
                            phone: format!("138{n:08}"),
                            token: format!("rbac-token-{n:08}"),
                            seed: u64::from(n),
                        },
                        now,
                    )
                    .await
                    .unwrap();
                if rec == Rec::QuizAnswered {
                    self.store()
                        .quiz_attempts()
                        .submit(&token, &[Some(0); 5], now)
                        .await
                        .unwrap();
                }
                token
            }
        };
        Record {
            unit_code: place.unit_code(),
            quiz_key: key,
            version: 1,
            ..Record::default()
        }
    }

    /// A fresh case of `place`'s unit with its order through a fresh courier outlet, and a
    /// fresh member of the unit's joint office to hand it to.
    async fn leak_source_at(&self, place: Place) -> Record {
        let case = self.case_at(place, false).await;
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let outlet = format!("rbac网点{n}");
        self.store()
            .case_order_sources()
            .set(
                &Scope::platform(),
                &case.case_id,
                None,
                &fanzha_store::OrderSourceText {
                    courier: "中通".into(),
                    outlet: outlet.clone(),
                    ..Default::default()
                },
                "setup",
                self.now(),
            )
            .await
            .unwrap();
        let member = add_joint_member(
            self.store(),
            place.unit_code(),
            &format!("邮政管理局{n}"),
            self.now(),
        )
        .await;
        let key = format!(
            "{}|{}",
            fanzha_core::name_key("中通"),
            fanzha_core::name_key(&outlet)
        );
        Record {
            unit_code: place.unit_code(),
            leak_form: format!(
                "{}&member_id={member}",
                form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>()
            ),
            supervision_extend_to: fanzha_core::time::format_shanghai_date(
                self.now() + 30 * 86_400_000,
            ),
            ..Record::default()
        }
    }

    /// A fresh team member of `place`'s village.
    async fn team_member_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let village = match place {
            Place::County | Place::Village => VILLAGE,
            Place::OtherCounty => OTHER_COUNTY_VILLAGE,
        };
        let m = self
            .store()
            .team_members()
            .add(
                &Scope::platform(),
                &fanzha_store::NewTeamMember {
                    unit_code: village.into(),
                    kind: fanzha_store::TeamKind::Cadre,
                    name: format!("队员{n}"),
                    phone: format!("136{n:08}"),
                    login: None,
                },
                "setup",
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code: place.unit_code(),
            team_member_id: m.id.to_string(),
            version: 1,
            ..Record::default()
        }
    }

    /// A fresh open app drive of `place`'s unit, and for a promoter, one enrolled at it.
    async fn drive_at(&self, place: Place, rec: Rec) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let now = self.now();
        let code = format!("rbacd{n:06}");
        let drives = self.store().app_drives();
        let id = drives
            .open(
                &Scope::platform(),
                &fanzha_store::NewAppDrive {
                    unit_code: place.unit_code().into(),
                    code: code.clone(),
                    opens_at: now - 86_400_000,
                    text: fanzha_store::AppDriveText {
                        title: format!("setup {n}"),
                        quota: 30,
                        closes_at: now + 30 * 86_400_000,
                        employers: Vec::new(),
                    },
                    created_by: "setup".into(),
                },
                now,
            )
            .await
            .unwrap();
        let key = match rec {
            Rec::AppDrive => id.to_string(),
            Rec::AppDriveLink => code,
            _ => {
                let drive = drives.by_code(&code).await.unwrap();
                let p = drives
                    .enroll(
                        &drive,
                        &fanzha_store::NewPromoter {
                            employer: None,
                            name: format!("推广人{n}"),
                            phone: format!("137{n:08}"),
                            code: format!("rbacp{n:06}"),
                            token: format!("rbac-promoter-{n:08}"),
                        },
                        now,
                    )
                    .await
                    .unwrap();
                match rec {
                    Rec::AppDrivePromoter => p.id.to_string(),
                    Rec::AppDriveToken => p.token,
                    _ => p.code,
                }
            }
        };
        Record {
            unit_code: place.unit_code(),
            drive_key: key,
            version: 1,
            ..Record::default()
        }
    }

    async fn quiz_question_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = self
            .store()
            .quiz_questions()
            .add(
                place.unit_code(),
                &fanzha_store::QuizQuestionText {
                    fraud_type: fanzha_core::FraudType::FakeLoan,
                    stem: format!("setup {n}"),
                    options: vec!["交".into(), "不交".into()],
                    answer: 1,
                    explanation: "放款前收费的都是诈骗。".into(),
                },
                "setup",
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code: place.unit_code(),
            quiz_key: id.to_string(),
            version: 1,
            ..Record::default()
        }
    }

    async fn tip_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = self
            .store()
            .tips()
            .report(
                &Scope::platform(),
                &fanzha_store::NewTip {
                    unit_code: place.unit_code().into(),
                    kind: fanzha_store::TipKind::Other,
                    subject: format!("setup {n}"),
                    detail: String::new(),
                    source: fanzha_store::TipSource::Resident,
                    reporter_phone: None,
                    reported_by: "setup".into(),
                },
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code: place.unit_code(),
            tip_id: id.to_string(),
            version: 1,
            ..Record::default()
        }
    }

    async fn outreach_post_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = self
            .store()
            .outreach_posts()
            .record(
                &Scope::platform(),
                &NewPost {
                    unit_code: place.unit_code().into(),
                    published_on: self.now() - 86_400_000,
                    platform: PostPlatform::Douyin,
                    form: PostForm::Video,
                    topic: PostTopic::Alert,
                    account: "setup".into(),
                    title: format!("setup {n}"),
                    link: String::new(),
                    views: 10,
                    shares: 0,
                    created_by: "setup".into(),
                },
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code: place.unit_code(),
            outreach_post_id: id.to_string(),
            version: 1,
            ..Record::default()
        }
    }

    /// A fresh elderly resident of the place, not on the app.
    async fn elderly_resident_at(&self, place: Place) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        // Born 1 January 1950 (the store does not check the digit).
        let id = format!("33028119500101{:04}", n % 10_000);
        self.store()
            .people()
            .upsert(&[NewPerson {
                resident_id: id.clone(),
                name: format!("宣防{n}"),
                phone: None,
                residence_code: format!("{:0<12}", place.unit_code()),
                address: None,
                employer: None,
                public_sector: false,
                app_registered: false,
                joint_defense_registered: false,
            }])
            .await
            .unwrap();
        id
    }

    async fn outreach_list_at(&self, place: Place) -> Record {
        let resident = self.elderly_resident_at(place).await;
        let now = self.now();
        let today = fanzha_core::time::shanghai_date(now).unwrap();
        let (id, _) = self
            .store()
            .outreach_lists()
            .issue(
                &Scope::platform(),
                &fanzha_store::NewOutreachList {
                    unit_code: place.unit_code().into(),
                    group: fanzha_store::TargetGroup::Elderly,
                    fraud_type: None,
                    deadline: now + 30 * 86_400_000,
                    created_by: "setup".into(),
                },
                today,
                now,
            )
            .await
            .unwrap();
        let row = self
            .store()
            .outreach_lists()
            .rows(&Scope::platform(), id, None, &PageRequest::first(500))
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|r| r.resident_id == resident)
            .unwrap();
        self.elderly_resident_at(place).await;
        Record {
            unit_code: place.unit_code(),
            outreach_list_id: id.to_string(),
            outreach_row_id: row.id.to_string(),
            version: row.version,
            ..Record::default()
        }
    }

    async fn two_card_lead_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let done = self
            .store()
            .two_card_leads()
            .import(
                &Scope::platform(),
                place.unit_code(),
                &[NewTwoCardLead {
                    kind: LeadKind::Sim,
                    number: format!("139{n:08}"),
                    resident_id: "11010519491231002X".into(),
                    holder_name: "张三".into(),
                    reason: "setup".into(),
                    source: LeadSource::National,
                    batch: "setup".into(),
                    upstream_id: String::new(),
                    place: String::new(),
                }],
                "setup",
                self.now(),
                7,
            )
            .await
            .unwrap();
        Record {
            unit_code: place.unit_code(),
            two_card_lead_id: done.ids[0].to_string(),
            ..Record::default()
        }
    }

    /// A fresh counter check by `issuer` of an unregistered applicant, held by the place's unit.
    async fn card_check_at(&self, place: Place, kind: CardKind, issuer: &str) -> Record {
        let check = self
            .store()
            .new_cards()
            .check_applicant(
                place.unit_code(),
                &fanzha_store::CardCheckRequest {
                    kind,
                    issuer_code: issuer.into(),
                    issuer_name: issuer.into(),
                    resident_id: "11010519491231002X".into(),
                    holder_name: "张三".into(),
                    phone: None,
                    number: None,
                    outlet: "setup".into(),
                    outlet_division: None,
                    clerk: String::new(),
                },
                "setup",
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code: place.unit_code(),
            card_check_id: check.id.to_string(),
            version: check.version,
            ..Record::default()
        }
    }

    async fn new_card_at(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let body = format!("622202{n:012}");
        let check = fanzha_core::bank_card::luhn_check_digit(body.as_bytes()) as char;
        let done = self
            .store()
            .new_cards()
            .import(
                &Scope::platform(),
                place.unit_code(),
                &[NewCardRow {
                    kind: CardKind::BankCard,
                    account_no: format!("{body}{check}"),
                    bank_code: "ICBC".into(),
                    bank_name: "中国工商银行".into(),
                    resident_id: "11010519491231002X".into(),
                    holder_name: "张三".into(),
                    phone: None,
                    opened_at: self.now(),
                    outlet: "setup".into(),
                    outlet_division: None,
                    batch: "setup".into(),
                    clerk: String::new(),
                }],
                "setup",
                self.now(),
            )
            .await
            .unwrap();
        Record {
            unit_code: place.unit_code(),
            new_card_id: done.ids[0].to_string(),
            ..Record::default()
        }
    }

    /// Entries a write added: the dossier's beyond its first, or the resident's dossiers.
    async fn key_person_entries(&self, r: &Record) -> usize {
        let kp = self.store().key_persons();
        if let Ok(id) = r.key_person_id.parse::<i64>() {
            return kp.events(&Scope::platform(), id).await.unwrap().len() - 1;
        }
        let filter = KeyPersonFilter {
            resident_id: Some(r.resident_id.clone()),
            ..KeyPersonFilter::default()
        };
        kp.count(&Scope::platform(), &filter, self.now())
            .await
            .unwrap() as usize
    }

    /// A fresh person, warning and instruction at `place` (so every write starts alike).
    async fn record(&self, place: Place) -> Record {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let village = match place {
            Place::County | Place::Village => VILLAGE,
            Place::OtherCounty => OTHER_COUNTY_VILLAGE,
        };
        let resident_id = format!("33028119900101{n:04}");
        self.store()
            .people()
            .upsert(&[NewPerson {
                resident_id: resident_id.clone(),
                name: format!("居民{n}"),
                phone: Some(format!("139{n:08}")),
                residence_code: village.into(),
                address: Some(format!("幸福路{n}号")),
                employer: None,
                public_sector: false,
                app_registered: false,
                joint_defense_registered: false,
            }])
            .await
            .unwrap();
        let now = self.now();
        let r = self
            .state
            .loop_service
            .receive(
                IncomingWarning {
                    id: None,
                    resident_id: Some(resident_id.clone()),
                    msisdn: None,
                    residence_code: None,
                    level: WarningLevel::Red,
                    fraud_type: Some("impersonation".into()),
                    score_permille: 900,
                    source: "engine".into(),
                    signal_at: now,
                    evidence: serde_json::json!({}),
                },
                now,
            )
            .await
            .unwrap();
        let unit_code = match place {
            Place::County => COUNTY,
            Place::Village => VILLAGE,
            Place::OtherCounty => OTHER_COUNTY,
        };
        if place == Place::Village {
            let county = Actor {
                login: "setup".into(),
                unit_code: COUNTY.into(),
                scope: Scope::platform(),
            };
            self.state
                .loop_service
                .act(
                    &county,
                    &r.instruction_id,
                    None,
                    &[
                        Command::Sign,
                        Command::Delegate {
                            to_unit: VILLAGE.into(),
                        },
                    ],
                    None,
                    now,
                )
                .await
                .unwrap();
        }
        let record = Record {
            version: self.version(&r.instruction_id).await,
            instruction_id: r.instruction_id,
            warning_id: r.warning_id,
            resident_id,
            unit_code,
            ..Record::default()
        };
        assert_eq!(
            self.store()
                .instructions()
                .get(&Scope::platform(), &record.instruction_id)
                .await
                .unwrap()
                .projection
                .holder_unit,
            unit_code
        );
        record
    }

    async fn version(&self, instruction_id: &str) -> i64 {
        self.store()
            .instructions()
            .get(&Scope::platform(), instruction_id)
            .await
            .unwrap()
            .projection
            .version
    }

    /// A new session for the caller: (cookie, CSRF token).
    fn session(&self, c: &Caller) -> (String, String) {
        let (token, session) = self.state.sessions.create(
            Principal {
                login: c.login.clone(),
                display_name: c.login.clone(),
                unit_code: c.unit_code.into(),
                roles: vec![c.role],
                joint_member: (c.role == Role::JointMember).then_some(self.own_member),
                bank_code: (c.role == Role::BankLiaison).then(|| LIAISON_BANK.into()),
                operator: (c.role == Role::OperatorLiaison).then_some(Operator::ChinaMobile),
            },
            self.now(),
        );
        (format!("{COOKIE}={token}"), session.csrf_token)
    }

    async fn send(&self, mut req: Request<Body>) -> (StatusCode, String, Option<String>) {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))));
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // The event stream never ends: its headers are the answer.
        let is_stream = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/event-stream"));
        let body = if is_stream {
            String::new()
        } else {
            let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
                .await
                .unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        (status, body, location)
    }
}

/// A valid unified social credit code of its own for each `n`.
fn credit_code(n: u32) -> String {
    let body: [u8; 8] = format!("MA{:06}", n % 1_000_000)
        .as_bytes()
        .try_into()
        .unwrap();
    fanzha_core::CreditCode::generate(b'9', b'1', 330281, &body)
        .unwrap()
        .as_str()
        .to_string()
}

fn fill(template: &str, record: Option<&Record>, n: u32) -> String {
    let mut s = template
        .replace("{credit_code}", &credit_code(n))
        .replace("{lang}", "en")
        .replace("{*path}", "vendor/echarts.min.js")
        .replace("{msisdn}", &format!("139{n:08}"))
        .replace("{n}", &n.to_string());
    if let Some(r) = record {
        s = s
            .replace("{resident_id}", &r.resident_id)
            .replace("{code}", r.unit_code)
            .replace("{version}", &r.version.to_string())
            .replace("{deadline}", &r.supervision_extend_to);
    }
    s
}

fn request(
    e: &Endpoint,
    record: Option<&Record>,
    n: u32,
    session: Option<(&str, Option<&str>)>,
) -> Request<Body> {
    let id = match (e.rec, record) {
        (Rec::Supervision | Rec::RepliedSupervision | Rec::SupervisionFromAbove, Some(r)) => {
            r.supervision_id.as_str()
        }
        (Rec::Warning | Rec::FundWarning, Some(r)) => r.warning_id.as_str(),
        (Rec::Case | Rec::NoticedCase | Rec::TypicalCase, Some(r)) => r.case_id.as_str(),
        (Rec::StopPayment, Some(r)) => r.stop_id.as_str(),
        (Rec::CallTask, Some(r)) => r.call_task_id.as_str(),
        (Rec::KeyPerson, Some(r)) => r.key_person_id.as_str(),
        (Rec::Guardian, Some(r)) => r.guardian_id.as_str(),
        (Rec::TwoCardLead | Rec::SoldTwoCardLead, Some(r)) => r.two_card_lead_id.as_str(),
        (Rec::NewCard, Some(r)) => r.new_card_id.as_str(),
        (Rec::Suspect | Rec::ResidentSuspect, Some(r)) => r.suspect_id.as_str(),
        (Rec::NumberDisposal, Some(r)) => r.number_disposal_id.as_str(),
        (Rec::CardCleanup, Some(r)) => r.card_cleanup_id.as_str(),
        (Rec::CardCheck, Some(r)) => r.card_check_id.as_str(),
        (Rec::ClusterOperation, Some(r)) => r.cluster_operation_id.as_str(),
        (Rec::ClusterTarget, Some(r)) => r.cluster_target_id.as_str(),
        (Rec::AllianceMember, Some(r)) => r.alliance_member_id.as_str(),
        (Rec::JointMember, Some(r)) => r.joint_member_id.as_str(),
        (Rec::JointMeeting, Some(r)) => r.joint_meeting_id.as_str(),
        (Rec::JointTask | Rec::ReportedJointTask | Rec::OwnJointTask, Some(r)) => {
            r.joint_task_id.as_str()
        }
        (Rec::ModelSite, Some(r)) => r.model_site_id.as_str(),
        (Rec::OutreachPost, Some(r)) => r.outreach_post_id.as_str(),
        (Rec::Tip, Some(r)) => r.tip_id.as_str(),
        (
            Rec::QuizCampaign
            | Rec::QuizLink
            | Rec::QuizAttempt
            | Rec::QuizAnswered
            | Rec::QuizQuestion,
            Some(r),
        ) => r.quiz_key.as_str(),
        (
            Rec::AppDrive
            | Rec::AppDriveLink
            | Rec::AppDrivePromoter
            | Rec::AppDriveToken
            | Rec::AppDriveInvite,
            Some(r),
        ) => r.drive_key.as_str(),
        (Rec::LeakSource, Some(r)) => r.leak_form.as_str(),
        (Rec::TeamMember, Some(r)) => r.team_member_id.as_str(),
        (Rec::OutreachList, Some(r)) => r.outreach_list_id.as_str(),
        (Rec::OutreachRow, Some(r)) => r.outreach_row_id.as_str(),
        (Rec::Bulletin | Rec::PartnerBulletin, Some(r)) => r.bulletin_id.as_str(),
        (Rec::Proposal, Some(r)) => r.proposal_id.as_str(),
        (Rec::AnalysisGroup, Some(r)) => r.analysis_group_id.as_str(),
        (_, Some(r)) => r.instruction_id.as_str(),
        (_, None) => "",
    };
    let uri = fill(&e.path.replace("{id}", id), record, n);
    let mut b = Request::builder()
        .method(e.method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080");
    if let Some((cookie, csrf)) = session {
        b = b.header(header::COOKIE, cookie);
        if let Some(t) = csrf {
            b = b.header("x-csrf-token", t);
        }
    }
    let body = match e.payload {
        Empty => Body::empty(),
        Form(f) => {
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(fill(&f.replace("{id}", id), record, n))
        }
        Json(j) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(fill(&j.replace("{id}", id), record, n))
        }
        Multipart(file) => {
            let boundary = "fanzha-rbac-boundary";
            b = b.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            Body::from(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"extract.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n\
                 --{boundary}--\r\n"
            ))
        }
    };
    b.body(body).unwrap()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Allowed,
    Forbidden,
    NotFound,
    CsrfRejected,
    /// A batch skips records outside the subtree: 200, nothing done.
    Skipped,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Own,
    Foreign,
}

fn expected(e: &Endpoint, c: &Caller, side: Side, with_csrf: bool) -> Expect {
    if e.is_write() && !with_csrf {
        return Expect::CsrfRejected;
    }
    if !e.roles().contains(&c.role) {
        return Expect::Forbidden;
    }
    match (side, e.rec) {
        (Side::Own, _) | (_, Rec::None) => Expect::Allowed,
        (Side::Foreign, Rec::Batch) => Expect::Skipped,
        (Side::Foreign, _) => Expect::NotFound,
    }
}

fn code_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Checks one answer; returns a description of the mismatch, if any.
fn check(
    expect: Expect,
    status: StatusCode,
    body: &str,
    location: Option<&str>,
) -> Result<(), String> {
    let code = code_of(body);
    let ok = match expect {
        Expect::Allowed => {
            (status.is_success() || status.is_redirection())
                && !location.is_some_and(|l| l.starts_with("/login?"))
        }
        Expect::Skipped => status == StatusCode::OK && body.contains(r#"data-bulk-signed="0""#),
        Expect::Forbidden => status == StatusCode::FORBIDDEN && code == "forbidden",
        Expect::CsrfRejected => status == StatusCode::FORBIDDEN && code == "csrf_rejected",
        Expect::NotFound => status == StatusCode::NOT_FOUND && code == "not_found",
    };
    if ok {
        Ok(())
    } else {
        let head: String = body.chars().take(200).collect();
        Err(format!("expected {expect:?}, got {status} {head}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_on_every_route_inside_and_outside_its_subtree() {
    let w = World::new().await;
    let mut failures = Vec::new();
    let mut checked = 0;

    // Public routes answer without a session; every other route refuses one.
    for e in ENDPOINTS {
        let n = w.next.fetch_add(1, Ordering::Relaxed);
        let record = w.make(e.rec, None, Side::Own).await;
        let (status, body, location) = w.send(request(e, record.as_ref(), n, None)).await;
        checked += 1;
        let ok = if e.permission == "public" {
            (status.is_success() || status.is_redirection()) && status != StatusCode::NOT_FOUND
        } else {
            status == StatusCode::UNAUTHORIZED
                || (status == StatusCode::SEE_OTHER
                    && location.as_deref().is_some_and(|l| l.starts_with("/login")))
                || (e.is_write() && status == StatusCode::FORBIDDEN)
        };
        if !ok {
            failures.push(format!(
                "anonymous {} {}: got {status} {}",
                e.method,
                e.path,
                body.chars().take(120).collect::<String>()
            ));
        }
    }

    for c in callers() {
        for e in ENDPOINTS.iter().filter(|e| e.permission != "public") {
            let sides: &[Side] = if matches!(e.rec, Rec::None | Rec::TalkingPoints) {
                &[Side::Own]
            } else {
                &[Side::Own, Side::Foreign]
            };
            let csrf_variants: &[bool] = if e.is_write() {
                &[true, false]
            } else {
                &[true]
            };
            for &side in sides {
                for &with_csrf in csrf_variants {
                    let record = w.make(e.rec, Some(&c), side).await;
                    let before = match (&record, e.rec) {
                        (
                            Some(r),
                            Rec::Case | Rec::StopPayment | Rec::NoticedCase | Rec::TypicalCase,
                        ) if e.is_write() => Some(w.snapshot(e, r).await),
                        _ => None,
                    };
                    let n = w.next.fetch_add(1, Ordering::Relaxed);
                    let (cookie, csrf) = w.session(&c);
                    let token = with_csrf.then_some(csrf.as_str());
                    let req = request(e, record.as_ref(), n, Some((&cookie, token)));
                    let (status, body, location) = w.send(req).await;
                    checked += 1;
                    let expect = expected(e, &c, side, with_csrf);
                    let what = format!(
                        "{} ({}@{}) {} {} [{side:?}{}]",
                        c.login,
                        c.role.as_str(),
                        c.unit_code,
                        e.method,
                        e.path,
                        if with_csrf { "" } else { ", no CSRF" }
                    );
                    if let Err(m) = check(expect, status, &body, location.as_deref()) {
                        failures.push(format!("{what}: {m}"));
                        continue;
                    }
                    // Writes take effect exactly when allowed.
                    if !e.is_write() {
                        continue;
                    }
                    let changed = match (e.rec, &record) {
                        (
                            Rec::Supervision | Rec::RepliedSupervision | Rec::SupervisionFromAbove,
                            Some(r),
                        ) => Some(
                            w.store()
                                .supervision()
                                .get(&Scope::platform(), None, r.supervision_id.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != r.version,
                        ),
                        (Rec::ChildUnit, Some(_)) if e.path == "/supervision" => Some(
                            w.store()
                                .supervision()
                                .list(
                                    &Scope::platform(),
                                    None,
                                    &Default::default(),
                                    &PageRequest::first(500),
                                    w.now(),
                                )
                                .await
                                .unwrap()
                                .items
                                .iter()
                                .any(|m| m.reason_text == format!("supervision rbac {n}")),
                        ),
                        (Rec::Instruction | Rec::Batch, Some(r)) => {
                            Some(w.version(&r.instruction_id).await != r.version)
                        }
                        (Rec::AnalysisGroup, Some(r)) => Some(
                            w.store()
                                .analysis_groups()
                                .get(&Scope::platform(), r.analysis_group_id.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != r.version,
                        ),
                        (Rec::FreeGroupUnit, Some(_)) => Some(
                            w.store()
                                .analysis_groups()
                                .list(&Scope::platform(), false)
                                .await
                                .unwrap()
                                .iter()
                                .any(|g| g.name == format!("rbac group {n}")),
                        ),
                        (Rec::Unit, Some(_)) => Some(
                            w.store()
                                .users()
                                .get(&Scope::platform(), &format!("added_{n}"))
                                .await
                                .is_ok(),
                        ),
                        (
                            Rec::Case | Rec::StopPayment | Rec::NoticedCase | Rec::TypicalCase,
                            Some(r),
                        ) => Some(Some(w.snapshot(e, r).await) != before),
                        (Rec::CallTask, Some(r)) => {
                            Some(w.call_task_version(r).await != r.call_task_version)
                        }
                        (Rec::KeyPerson, Some(r)) if e.path.ends_with("/proposals") => Some(
                            !w.store()
                                .key_person_proposals()
                                .list(
                                    &Scope::platform(),
                                    &fanzha_store::ProposalFilter {
                                        key_person_id: Some(r.key_person_id.parse().unwrap()),
                                        ..Default::default()
                                    },
                                    &PageRequest::first(10),
                                )
                                .await
                                .unwrap()
                                .items
                                .is_empty(),
                        ),
                        (Rec::Resident | Rec::KeyPerson, Some(r)) => Some(
                            w.key_person_entries(r).await > 0
                                || w.guardian_state(r).await != (0, false),
                        ),
                        (Rec::Guardian, Some(r)) => Some(w.guardian_state(r).await != (1, true)),
                        (Rec::TwoCardLead, Some(r)) => {
                            let lead = w
                                .store()
                                .two_card_leads()
                                .get(&Scope::platform(), r.two_card_lead_id.parse().unwrap())
                                .await
                                .unwrap();
                            // Checked, or handed on to another unit.
                            Some(lead.state == LeadState::Checked || lead.unit_code != r.unit_code)
                        }
                        (Rec::NewCard, Some(r))
                            if e.route_path() == "/card-screening/{id}/lead" =>
                        {
                            Some(
                                !w.store()
                                    .two_card_leads()
                                    .list(
                                        &Scope::platform(),
                                        &fanzha_store::LeadFilter {
                                            batch: Some(format!("新开卡审查 #{}", r.new_card_id)),
                                            ..Default::default()
                                        },
                                        &PageRequest::first(5),
                                        0,
                                    )
                                    .await
                                    .unwrap()
                                    .items
                                    .is_empty(),
                            )
                        }
                        (Rec::NewCard, Some(r)) => Some(
                            w.store()
                                .new_cards()
                                .get(
                                    &Viewer::Police(Scope::platform()),
                                    r.new_card_id.parse().unwrap(),
                                )
                                .await
                                .unwrap()
                                .state
                                == CardState::Reviewed,
                        ),
                        (Rec::SoldTwoCardLead, Some(r)) => Some(
                            w.store()
                                .two_card_leads()
                                .get(&Scope::platform(), r.two_card_lead_id.parse().unwrap())
                                .await
                                .unwrap()
                                .measure
                                .is_some(),
                        ),
                        (Rec::ClusterOperation, Some(r)) => {
                            let id = r.cluster_operation_id.parse().unwrap();
                            let ops = w.store().cluster_operations();
                            match e.route_path() {
                                "/operations/{id}/targets" => Some(
                                    ops.targets(&Scope::platform(), id).await.unwrap().len() > 1,
                                ),
                                "/operations/{id}/end" => Some(
                                    !ops.get(&Scope::platform(), id)
                                        .await
                                        .unwrap()
                                        .operation
                                        .running(),
                                ),
                                // The list's one row lands nowhere: quarantined either way.
                                _ => None,
                            }
                        }
                        (Rec::FreshUnit, Some(r)) => Some(
                            w.store()
                                .model_sites()
                                .list(&Scope::platform(), false)
                                .await
                                .unwrap()
                                .iter()
                                .any(|s| s.unit_code == r.unit_code),
                        ),
                        (Rec::ModelSite, Some(r)) => Some(
                            w.store()
                                .model_sites()
                                .get(&Scope::platform(), r.model_site_id.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != 1,
                        ),
                        (Rec::JointMember, Some(r)) => {
                            let id: i64 = r.joint_member_id.parse().unwrap();
                            let office = w.store().joint_office();
                            let all = Scope::platform();
                            Some(match e.route_path() {
                                "/joint-office/members/{id}/letters" => {
                                    let member = office.member(&all, id).await.unwrap();
                                    !office.letters(&member).await.unwrap().is_empty()
                                }
                                "/joint-office/members/{id}/spot-checks" => !office
                                    .spot_checks(&all, Some(id), (i64::MIN, i64::MAX))
                                    .await
                                    .unwrap()
                                    .is_empty(),
                                "/joint-office/tasks" => !w
                                    .store()
                                    .joint_tasks()
                                    .list(
                                        &all,
                                        fanzha_store::TaskFilter {
                                            member: Some(id),
                                            ..Default::default()
                                        },
                                    )
                                    .await
                                    .unwrap()
                                    .is_empty(),
                                _ => office.member(&all, id).await.unwrap().version != 1,
                            })
                        }
                        (Rec::JointTask | Rec::ReportedJointTask | Rec::OwnJointTask, Some(r)) => {
                            Some(
                                w.store()
                                    .joint_tasks()
                                    .get(&Scope::platform(), r.joint_task_id.parse().unwrap())
                                    .await
                                    .unwrap()
                                    .version
                                    != if e.rec == Rec::ReportedJointTask {
                                        2
                                    } else {
                                        1
                                    },
                            )
                        }
                        (Rec::AllianceMember, Some(r)) => Some(
                            w.store()
                                .alliance()
                                .get(&Scope::platform(), r.alliance_member_id.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != 1,
                        ),
                        (Rec::ClusterTarget, Some(r)) => Some(
                            w.store()
                                .cluster_operations()
                                .target(&Scope::platform(), r.cluster_target_id.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != 1,
                        ),
                        (Rec::OutreachList, Some(r)) if e.method == "POST" => Some(
                            w.store()
                                .outreach_lists()
                                .lists(&Scope::platform(), 1)
                                .await
                                .unwrap()
                                .first()
                                .is_some_and(|l| l.id > r.outreach_list_id.parse().unwrap()),
                        ),
                        (Rec::OutreachRow, Some(r)) => Some(
                            w.store()
                                .outreach_lists()
                                .row(&Scope::platform(), r.outreach_row_id.parse().unwrap())
                                .await
                                .unwrap()
                                .state
                                != fanzha_store::ReachState::Pending,
                        ),
                        (Rec::CardCheck, Some(r)) => Some(
                            w.store()
                                .new_cards()
                                .get_check(
                                    &Viewer::Police(Scope::platform()),
                                    r.card_check_id.parse().unwrap(),
                                )
                                .await
                                .unwrap()
                                .outcome
                                .is_some(),
                        ),
                        (Rec::CardCleanup, Some(r)) => Some(
                            w.store()
                                .card_cleanups()
                                .get(
                                    &fanzha_store::CleanupViewer::Police(Scope::platform()),
                                    r.card_cleanup_id.parse().unwrap(),
                                )
                                .await
                                .unwrap()
                                .state
                                != fanzha_store::CleanupState::Pending,
                        ),
                        (Rec::NumberDisposal, Some(r)) => Some(
                            w.store()
                                .number_disposals()
                                .get(
                                    &DisposalViewer::Police(Scope::platform()),
                                    r.number_disposal_id.parse().unwrap(),
                                )
                                .await
                                .unwrap()
                                .state
                                != DisposalState::Pending,
                        ),
                        (Rec::ResidentSuspect, Some(r)) => Some(
                            !w.store()
                                .key_persons()
                                .list(
                                    &Scope::platform(),
                                    &KeyPersonFilter {
                                        resident_id: Some(r.resident_id.clone()),
                                        ..KeyPersonFilter::default()
                                    },
                                    &PageRequest::first(5),
                                    w.now(),
                                )
                                .await
                                .unwrap()
                                .items
                                .is_empty(),
                        ),
                        (Rec::Suspect, Some(r)) => Some({
                            let s = w
                                .store()
                                .enforcement()
                                .suspect(&Scope::platform(), r.suspect_id.parse().unwrap())
                                .await
                                .unwrap();
                            s.measure.is_some() || s.charge.is_some() || s.wanted_at.is_some()
                        }),
                        (Rec::Warning | Rec::FundWarning, Some(r))
                            if e.route_path() == "/warnings/{id}/protective-stops"
                                || e.route_path() == "/warnings/{id}/fund-stop" =>
                        {
                            Some(
                                !w.store()
                                    .stop_payments()
                                    .for_warning(&Viewer::Police(Scope::platform()), &r.warning_id)
                                    .await
                                    .unwrap()
                                    .is_empty(),
                            )
                        }
                        (Rec::Proposal, Some(r)) => Some(
                            w.store()
                                .key_person_proposals()
                                .get(&Scope::platform(), r.proposal_id.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != 1,
                        ),
                        (Rec::QuizCampaign, Some(r)) => Some(
                            w.store()
                                .quiz_campaigns()
                                .get(&Scope::platform(), r.quiz_key.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != 1,
                        ),
                        (Rec::AppDrive, Some(r)) => Some(
                            w.store()
                                .app_drives()
                                .get(&Scope::platform(), r.drive_key.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != 1,
                        ),
                        (Rec::TeamMember, Some(r)) => Some(
                            w.store()
                                .team_members()
                                .get(&Scope::platform(), r.team_member_id.parse().unwrap())
                                .await
                                .unwrap()
                                .removed_at
                                .is_some(),
                        ),
                        (Rec::ChildUnit, Some(r)) if e.path == "/teams/members" => Some(
                            w.store()
                                .team_members()
                                .list(&Scope::platform())
                                .await
                                .unwrap()
                                .iter()
                                .any(|m| {
                                    m.unit_code == r.unit_code && m.name == format!("rbac {n}")
                                }),
                        ),
                        (Rec::ChildUnit, Some(r)) if e.path == "/app-drives" => Some(
                            w.store()
                                .app_drives()
                                .list(&Scope::platform(), 1_000)
                                .await
                                .unwrap()
                                .iter()
                                .any(|d| {
                                    d.unit_code == r.unit_code && d.title == format!("rbac {n}")
                                }),
                        ),
                        (Rec::QuizQuestion, Some(r)) => Some(
                            w.store()
                                .quiz_questions()
                                .get(r.quiz_key.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != 1,
                        ),
                        (Rec::ChildUnit, Some(r)) if e.path == "/quizzes" => Some(
                            w.store()
                                .quiz_campaigns()
                                .list(&Scope::platform(), 1_000)
                                .await
                                .unwrap()
                                .iter()
                                .any(|c| {
                                    c.unit_code == r.unit_code && c.title == format!("rbac {n}")
                                }),
                        ),
                        (Rec::Tip, Some(r)) => Some(
                            w.store()
                                .tips()
                                .get(&Scope::platform(), r.tip_id.parse().unwrap())
                                .await
                                .unwrap()
                                .state
                                != fanzha_store::TipState::Pending,
                        ),
                        (Rec::ChildUnit, Some(r)) if e.path == "/tips" => Some(
                            w.store()
                                .tips()
                                .list(
                                    &Scope::platform(),
                                    &fanzha_store::TipFilter::default(),
                                    &PageRequest::first(500),
                                )
                                .await
                                .unwrap()
                                .items
                                .iter()
                                .any(|t| {
                                    t.unit_code == r.unit_code && t.subject == format!("rbac {n}")
                                }),
                        ),
                        (Rec::PartnerBulletin, Some(r)) => Some({
                            let reader = BulletinReader {
                                unit: w.store().units().get(CITY).await.unwrap(),
                                scope: Scope::platform(),
                            };
                            w.store()
                                .bulletins()
                                .get(&reader, r.bulletin_id.parse().unwrap())
                                .await
                                .unwrap()
                                .partners_signed
                                > 0
                        }),
                        (Rec::Bulletin, Some(r)) => Some({
                            let reader = BulletinReader {
                                unit: w.store().units().get(CITY).await.unwrap(),
                                scope: Scope::platform(),
                            };
                            w.store()
                                .bulletins()
                                .get(&reader, r.bulletin_id.parse().unwrap())
                                .await
                                .unwrap()
                                .signed
                                > 0
                        }),
                        (Rec::OutreachPost, Some(r)) => Some(
                            w.store()
                                .outreach_posts()
                                .get(&Scope::platform(), r.outreach_post_id.parse().unwrap())
                                .await
                                .unwrap()
                                .version
                                != 1,
                        ),
                        (Rec::ChildUnit, Some(_)) if e.path == "/outreach/posts" => Some(
                            w.store()
                                .outreach_posts()
                                .list(
                                    &Scope::platform(),
                                    &Default::default(),
                                    &PageRequest::first(500),
                                )
                                .await
                                .unwrap()
                                .items
                                .iter()
                                .any(|p| p.title == format!("rbac {n}")),
                        ),
                        (Rec::ChildUnit, Some(r)) if e.path == "/operator-figures" => Some(
                            w.store()
                                .operator_figures()
                                .entries(&Scope::platform(), 202506, 202506)
                                .await
                                .unwrap()
                                .iter()
                                .any(|c| {
                                    c.unit_code == r.unit_code
                                        && c.counts.calls_blocked == i64::from(n)
                                }),
                        ),
                        (Rec::ChildUnit, Some(r)) if e.path == "/bank-figures" => Some(
                            w.store()
                                .bank_figures()
                                .entries(&Scope::platform(), 202506, 202506)
                                .await
                                .unwrap()
                                .iter()
                                .any(|c| {
                                    c.unit_code == r.unit_code && c.counts.dissuaded == i64::from(n)
                                }),
                        ),
                        (Rec::ChildUnit, Some(r)) if e.path == "/crime-counts" => Some(
                            w.store()
                                .crime_counts()
                                .entries(&Scope::platform(), 202506, 202506)
                                .await
                                .unwrap()
                                .iter()
                                .any(|c| c.unit_code == r.unit_code && c.cases == i64::from(n)),
                        ),
                        (Rec::ChildUnit, Some(r)) => Some(
                            w.store()
                                .outreach()
                                .quota(&Scope::platform(), r.unit_code, 2026)
                                .await
                                .unwrap()
                                .is_some_and(|q| q.events == i64::from(n)),
                        ),
                        _ => None,
                    };
                    if let Some(changed) = changed {
                        if changed != (expect == Expect::Allowed) {
                            failures.push(format!(
                                "{what}: answered {status} but the record {} changed",
                                if changed { "was" } else { "was not" }
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 400, "only {checked} checks ran");
    eprintln!("{checked} role × route × subtree checks passed");
}

/// 二次研判 decisions need `review_warnings` on top of `handle_instructions`, on every path that
/// takes a command: a commander cannot approve a pending review through any form or the API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_decisions_need_the_review_permission_on_every_write_path() {
    let w = World::new().await;
    let paths: [(&str, Payload); 4] = [
        (
            "/instructions/{id}/act",
            Form("command=approve_review&version=1"),
        ),
        (
            "/instructions/{id}/feedback",
            Form("command=approve_review&version=1"),
        ),
        (
            "/m/instructions/{id}/outcome",
            Form("command=approve_review&version=1"),
        ),
        (
            "/api/v1/instructions/{id}/commands",
            Json(r#"{"version":1,"commands":[{"command":"approve_review"}]}"#),
        ),
    ];
    let commander = callers()
        .into_iter()
        .find(|c| c.role == Role::UnitCommander && c.unit_code == COUNTY)
        .unwrap();
    let analyst = callers()
        .into_iter()
        .find(|c| c.role == Role::CenterAnalyst)
        .unwrap();
    let mut failures = Vec::new();
    for (path, payload) in paths {
        let e = ep(
            "POST",
            path,
            "handle_instructions",
            Rec::Instruction,
            payload,
        );
        for c in [&commander, &analyst] {
            // An orange warning waits for review at the county.
            let n = w.next.fetch_add(1, Ordering::Relaxed);
            let rid = format!("33028119900102{n:04}");
            w.store()
                .people()
                .upsert(&[NewPerson {
                    resident_id: rid.clone(),
                    name: format!("居民{n}"),
                    phone: None,
                    residence_code: VILLAGE.into(),
                    address: None,
                    employer: None,
                    public_sector: false,
                    app_registered: false,
                    joint_defense_registered: false,
                }])
                .await
                .unwrap();
            let now = w.now();
            let r = w
                .state
                .loop_service
                .receive(
                    IncomingWarning {
                        id: None,
                        resident_id: Some(rid.clone()),
                        msisdn: None,
                        residence_code: None,
                        level: WarningLevel::Orange,
                        fraud_type: None,
                        score_permille: 700,
                        source: "engine".into(),
                        signal_at: now,
                        evidence: serde_json::json!({}),
                    },
                    now,
                )
                .await
                .unwrap();
            let record = Record {
                instruction_id: r.instruction_id.clone(),
                warning_id: r.warning_id,
                resident_id: rid,
                unit_code: COUNTY,
                version: 1,
                ..Record::default()
            };
            let (cookie, csrf) = w.session(c);
            let req = request(&e, Some(&record), n, Some((&cookie, Some(&csrf))));
            let (status, body, location) = w.send(req).await;
            let may_review = c.role == Role::CenterAnalyst;
            let expect = if may_review {
                Expect::Allowed
            } else {
                Expect::Forbidden
            };
            if let Err(m) = check(expect, status, &body, location.as_deref()) {
                failures.push(format!("{} POST {path}: {m}", c.login));
            }
            let status_now = w
                .store()
                .instructions()
                .get(&Scope::platform(), &r.instruction_id)
                .await
                .unwrap()
                .projection
                .status;
            let want = if may_review {
                "issued"
            } else {
                "pending_review"
            };
            if status_now != want {
                failures.push(format!(
                    "{} POST {path}: instruction is {status_now}, expected {want}",
                    c.login
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each action on a stop-payment needs its own permission: the bank liaison confirms the amount
/// held or reports a failure (for their bank only, in any subtree), the analyst renews,
/// freezes and returns (in their subtree only). The action takes effect exactly when allowed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_payment_actions_need_their_permission_and_the_right_bank_or_subtree() {
    let w = World::new().await;
    let held = StopAction::Held { amount_fen: 15_000 };
    // (form, permission, actions that lead to the starting state, the state it leads to)
    let actions: Vec<(&'static str, &'static str, Vec<StopAction>, &str)> = vec![
        (
            "action=held&amount_yuan=150",
            "confirm_stop_payments",
            vec![],
            "held",
        ),
        (
            "action=failed&reason=no_balance",
            "confirm_stop_payments",
            vec![],
            "failed",
        ),
        ("action=renew", "manage_cases", vec![held.clone()], "held"),
        (
            "action=freeze",
            "manage_cases",
            vec![held.clone()],
            "frozen",
        ),
        (
            "action=renew_freeze",
            "manage_cases",
            vec![held.clone(), StopAction::Freeze],
            "frozen",
        ),
        (
            "action=return",
            "manage_cases",
            vec![held.clone(), StopAction::Freeze],
            "returned",
        ),
    ];
    let platform = Viewer::Police(Scope::platform());
    let mut failures = Vec::new();
    let mut checked = 0;
    for (form, permission, prepare, to) in &actions {
        let e = ep(
            "POST",
            "/stop-payments/{id}/act",
            permission,
            Rec::StopPayment,
            Form(form),
        );
        for c in callers() {
            for side in [Side::Own, Side::Foreign] {
                let r = w.make(Rec::StopPayment, Some(&c), side).await.unwrap();
                for a in prepare {
                    act_on_stop_payment(&w.state, "setup", &platform, &r.stop_id, a.clone())
                        .await
                        .unwrap();
                }
                let before = w.snapshot(&e, &r).await;
                let n = w.next.fetch_add(1, Ordering::Relaxed);
                let (cookie, csrf) = w.session(&c);
                let req = request(&e, Some(&r), n, Some((&cookie, Some(&csrf))));
                let (status, body, location) = w.send(req).await;
                checked += 1;
                let expect = expected(&e, &c, side, true);
                let what = format!("{} ({}) {form} [{side:?}]", c.login, c.role.as_str());
                if let Err(m) = check(expect, status, &body, location.as_deref()) {
                    failures.push(format!("{what}: {m}"));
                    continue;
                }
                let after = w.snapshot(&e, &r).await;
                let allowed = expect == Expect::Allowed;
                if (after != before) != allowed {
                    failures.push(format!("{what}: answered {status}, {before} -> {after}"));
                }
                let state = w
                    .store()
                    .stop_payments()
                    .get(&platform, &r.stop_id)
                    .await
                    .unwrap()
                    .state;
                if allowed && state != *to {
                    failures.push(format!("{what}: state {state}, expected {to}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Each action is allowed to exactly one role here, on its own side only.
    assert_eq!(checked, actions.len() * callers().len() * 2);
    eprintln!("{checked} stop-payment action checks passed");
}

/// The employer notice (提示单) prints for a public-sector victim and is refused, as a bad
/// request, for anyone else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_employer_notice_is_only_for_public_sector_victims() {
    let w = World::new().await;
    let analyst = callers()
        .into_iter()
        .find(|c| c.role == Role::CenterAnalyst)
        .unwrap();
    let e = ep(
        "GET",
        "/cases/{id}/notice",
        "manage_cases",
        Rec::Case,
        Empty,
    );
    for public_sector in [true, false] {
        let r = w.case_at(Place::County, public_sector).await;
        let (cookie, _) = w.session(&analyst);
        let (status, body, _) = w
            .send(request(&e, Some(&r), 0, Some((&cookie, None))))
            .await;
        if public_sector {
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(body.contains("余姚市某局"), "the notice names the employer");
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(code_of(&body), "request_invalid");
        }
    }
}
