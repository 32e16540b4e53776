//! Permissions as types: a handler names the permission it needs in its signature
//! (`Require<HandleInstructions>`), so a handler without a check does not compile, and the
//! whole role matrix is this one table.

use super::principal::Principal;
use fanzha_store::Role;

pub trait Permission: Send + Sync + 'static {
    const NAME: &'static str;
    const ROLES: &'static [Role];

    fn allows(p: &Principal) -> bool {
        p.roles.iter().any(|r| Self::ROLES.contains(r))
    }
}

macro_rules! permissions {
    ($( $(#[$doc:meta])* $name:ident => $code:literal : [$($role:ident),*]; )*) => {
        $(
            $(#[$doc])*
            pub struct $name;
            impl Permission for $name {
                const NAME: &'static str = $code;
                const ROLES: &'static [Role] = &[$(Role::$role),*];
            }
        )*
        /// Every permission with its roles, for the documentation and the RBAC matrix test.
        pub const MATRIX: &[(&str, &[Role])] = &[$(($code, $name::ROLES)),*];
    };
}

permissions! {
    /// Any logged-in user: their own profile and landing page.
    Authenticated => "authenticated": [CenterAnalyst, UnitCommander, GridWorker, BankLiaison, OperatorLiaison, JointMember, Leader, Admin];
    /// 指挥大屏 and unit figures.
    ViewDashboard => "view_dashboard": [CenterAnalyst, UnitCommander, Leader, Admin];
    /// Warning lists and details (masked personal data).
    ViewWarnings => "view_warnings": [CenterAnalyst, UnitCommander, Admin];
    /// Instruction queues and details of one's subtree (read only).
    ViewInstructions => "view_instructions": [CenterAnalyst, UnitCommander, GridWorker, Leader, Admin];
    /// Enter a warning by hand or relay the national center's push (国家反诈中心推送).
    PushWarnings => "push_warnings": [CenterAnalyst, Admin];
    /// 二次研判: approve or reject a warning before push-down.
    ReviewWarnings => "review_warnings": [CenterAnalyst];
    /// Sign, delegate, recall and record outcomes of instructions in one's subtree.
    HandleInstructions => "handle_instructions": [CenterAnalyst, UnitCommander, GridWorker];
    /// Show a person's full (unmasked) data on a detail view; every use is audited.
    ViewPersonalData => "view_personal_data": [CenterAnalyst, UnitCommander, GridWorker];
    /// The 96110 call queue of one's subtree, numbers masked (the center's seat group and
    /// whoever runs the platform).
    ViewCallTasks => "view_call_tasks": [CenterAnalyst, Admin];
    /// Work 96110 calls: claim the next (which shows its full number, audited), record the
    /// result (appended to the instruction), put one back. The seat group sits at the center.
    WorkCallTasks => "work_call_tasks": [CenterAnalyst];
    /// The cases of one's subtree, read-only: the search, the case page (victim masked), the
    /// linked cases and the employer notice. Commanders follow their area's cases, leaders
    /// read them.
    ViewCases => "view_cases": [CenterAnalyst, UnitCommander, Leader];
    /// Cases, fund tracing, stop-payment requests.
    ManageCases => "manage_cases": [CenterAnalyst];
    /// 打击成效: set a case's investigation status and recovered money (追赃), add its suspects
    /// and the measures taken (each suspect in full on its own page, every view audited), and
    /// record gangs and dens dismantled (打掉团伙/窝点) in one's subtree. Never bank liaisons.
    RecordEnforcement => "record_enforcement": [CenterAnalyst, UnitCommander];
    /// The register of gangs and dens dismantled in one's subtree and its exports (no personal
    /// data); leaders read it with the figures.
    ViewEnforcement => "view_enforcement": [CenterAnalyst, UnitCommander, Leader];
    /// The stop-payment board: police see their subtree's requests, liaisons their bank's.
    ViewStopPayments => "view_stop_payments": [CenterAnalyst, UnitCommander, BankLiaison, Leader, Admin];
    /// 涉案账户开户人: residents of one's subtree whose bank accounts received victim money,
    /// masked (两卡 leads for the unit of the holder's residence). Never bank liaisons.
    ViewMuleAccounts => "view_mule_accounts": [CenterAnalyst, UnitCommander];
    /// 重点人员 figures of one's subtree (in control by category, punished, exit bans, 劝返率);
    /// leaders see the figures only.
    ViewKeyPersons => "view_key_persons": [CenterAnalyst, UnitCommander, Leader];
    /// 重点人员 一人一档: the masked list and its exports, the dossier (full personal data,
    /// every view audited), listing a resident of one's subtree and adding measures, visits
    /// and closing. Never bank liaisons.
    ManageKeyPersons => "manage_key_persons": [CenterAnalyst, UnitCommander];
    /// 提请惩戒 / 不准出境报备: report a proposal of one's subtree up (上报) or return it, and
    /// record the decision from above (in force onto the dossier, or declined). The center.
    ReportKeyPersonMeasures => "report_key_person_measures": [CenterAnalyst];
    /// 重点人员 定期走访 on the phone (`/m/key-persons`): the key persons of one's subtree one
    /// is responsible for (包保), masked, with the visits due, and recording a visit on a
    /// dossier of one's subtree (an entry of the dossier, audited). Never bank liaisons.
    VisitKeyPersons => "visit_key_persons": [UnitCommander, GridWorker];
    /// 反诈宣传: record a talk or campaign held in one's own unit (grid workers and station
    /// officers from their phone, commanders). Never bank liaisons.
    RecordOutreach => "record_outreach": [UnitCommander, GridWorker];
    /// 反诈宣传 records and totals of one's subtree against the year's targets, with exports
    /// (no personal data; the recorder's login shown).
    ViewOutreach => "view_outreach": [CenterAnalyst, UnitCommander, GridWorker, Leader];
    /// 精准宣防名单: issue a list of a group's residents not on the anti-fraud app for a unit of
    /// one's subtree (the visits are recorded with `record_outreach`).
    IssueOutreachLists => "issue_outreach_lists": [CenterAnalyst, UnitCommander];
    /// Set the year's 反诈宣传 targets of the units directly below one's own.
    SetOutreachQuotas => "set_outreach_quotas": [CenterAnalyst, UnitCommander];
    /// 企业反诈联盟: record an enterprise of one's subtree joining the alliance, change its
    /// contact and staff, record it leaving. Never liaisons.
    ManageAlliance => "manage_alliance": [CenterAnalyst, UnitCommander];
    /// 待办事项: the work waiting for one's unit across the registers, the lines one may act
    /// on only.
    ViewTodo => "view_todo": [CenterAnalyst, UnitCommander];
    /// 联席办: the member departments of one's subtree's joint offices, their responsibility
    /// letters, tasks, meetings and spot checks (contacts masked in lists, in full on a
    /// member's page, every view audited).
    ViewJointOffice => "view_joint_office": [CenterAnalyst, UnitCommander, Leader];
    /// 联席办: add, change and retire members of one's own joint office, record their letters,
    /// meetings and spot checks, assign tasks and record their reports, accept or return them.
    ManageJointOffice => "manage_joint_office": [CenterAnalyst, UnitCommander];
    /// 本单位任务: a member department's own letter of the year and its tasks, reporting the
    /// progress of its open ones itself (the member liaison's only pages).
    ReportJointTasks => "report_joint_tasks": [JointMember];
    /// 反诈示范点: award a unit of one's subtree the title of model site, revoke it.
    ManageModelSites => "manage_model_sites": [CenterAnalyst, UnitCommander];
    /// 新媒体宣传: record a post (article, short video, live stream) published by a unit of
    /// one's subtree and count its views again. Never liaisons.
    RecordOutreachPosts => "record_outreach_posts": [CenterAnalyst, UnitCommander];
    /// 受害人回访: record on a case of one's subtree whether outreach had reached the victim
    /// before (面对面宣防率). Never liaisons.
    RecordVictimFollowUp => "record_victim_follow_up": [CenterAnalyst, UnitCommander];
    /// 两卡线索 figures of one's subtree (received, checked, overdue, by result, share lent or
    /// sold); leaders see the figures only.
    ViewTwoCardLeads => "view_two_card_leads": [CenterAnalyst, UnitCommander, Leader];
    /// 两卡线索: the masked list of one's subtree with filters and its exports. Never bank
    /// liaisons.
    ManageTwoCardLeads => "manage_two_card_leads": [CenterAnalyst, UnitCommander];
    /// 金钟罩 joint defense: the sign-ups and guardians of one's subtree, masked; a resident
    /// with their guardians in full (every view audited); adding and removing a guardian and
    /// recording or withdrawing the sign-up. Grid workers for the residents of their grid.
    ManageGuardians => "manage_guardians": [CenterAnalyst, UnitCommander, GridWorker];
    /// Import a 金钟罩 guardian list for one's subtree.
    ImportGuardians => "import_guardians": [CenterAnalyst, UnitCommander];
    /// Import a list of 两卡线索 pushed down (国务院联席办, 公安部, 省厅) for one's subtree.
    ImportTwoCardLeads => "import_two_card_leads": [CenterAnalyst];
    /// 预警推送: import the warning lists upstream platforms push (国家反诈大数据平台, 东风, 长矛),
    /// list the imports of one's subtree and export the feedback (反馈) per platform and period.
    ImportPushes => "import_pushes": [CenterAnalyst];
    /// 线索转递: hand a pending 两卡线索 of one's area on to the unit the holder belongs to, with
    /// why. Never liaisons.
    ForwardTwoCardLeads => "forward_two_card_leads": [CenterAnalyst, UnitCommander];
    /// Record the on-the-ground check of a 两卡线索 of one's area (and list a lent or sold
    /// card's holder as a key person).
    CheckTwoCardLeads => "check_two_card_leads": [UnitCommander];
    /// 督导整治 of one's subtree: figures, the list and its exports, a measure with its history
    /// and its printable notice. Bank liaisons see the measures addressed to their own bank's
    /// outlets only.
    ViewSupervision => "view_supervision": [CenterAnalyst, UnitCommander, Leader, BankLiaison];
    /// Issue 约谈, 挂牌整治, 警示单, 临时关停 or 通报 against a unit below one's own or an outlet or
    /// organisation of one's area; extend and close (验收销号) the measures one's unit or a unit
    /// below it issued.
    ManageSupervision => "manage_supervision": [CenterAnalyst, UnitCommander];
    /// Record the rectification report (整改报告) of a measure against one's area, or — bank
    /// liaisons — against one's own bank's outlets.
    ReplySupervision => "reply_supervision": [UnitCommander, BankLiaison];
    /// Confirm or refuse stop-payments addressed to one's own bank.
    ConfirmStopPayments => "confirm_stop_payments": [BankLiaison];
    /// 涉诈号码处置 figures (requested, executed on time, not possible, overdue, per operator and
    /// measure): police of their subtree, operator liaisons of their own operator's requests;
    /// leaders the figures.
    ViewNumberDisposals => "view_number_disposals": [CenterAnalyst, UnitCommander, OperatorLiaison, Leader];
    /// The requests themselves: the list with its exports (the registered holder masked) and a
    /// request's page (the holder in full for police with personal-data rights, every view
    /// audited) — police of their subtree, operator liaisons of their own operator.
    ListNumberDisposals => "list_number_disposals": [CenterAnalyst, UnitCommander, OperatorLiaison];
    /// Ask an operator to shut down, bar or intercept a number (from a warning, a case or typed
    /// in) for a unit of one's subtree, and withdraw such a request. Never bank or operator
    /// liaisons.
    RequestNumberDisposals => "request_number_disposals": [CenterAnalyst, UnitCommander];
    /// 运营商反制数据 of one's subtree by month (calls and SMS intercepted, numbers shut down):
    /// police all operators', a liaison its own operator's.
    ViewOperatorFigures => "view_operator_figures": [CenterAnalyst, UnitCommander, OperatorLiaison, Leader];
    /// Enter an operator's monthly figures for a unit of one's subtree: a liaison its own
    /// operator's, the center any operator's.
    EnterOperatorFigures => "enter_operator_figures": [CenterAnalyst, OperatorLiaison];
    /// 举报线索 of one's subtree: the list, the figures and a tip's page.
    ViewTips => "view_tips": [CenterAnalyst, UnitCommander, Leader];
    /// Record a tip (a grid worker from the phone, police at the desk).
    ReportTips => "report_tips": [CenterAnalyst, UnitCommander, GridWorker];
    /// Check a tip of one's subtree: confirmed with what was done, or dismissed with why.
    ReviewTips => "review_tips": [CenterAnalyst, UnitCommander];
    /// 反诈知识测试 of one's subtree: the campaigns, their figures (participants' numbers
    /// masked), the question bank, the posters. Grid workers hand the link out.
    ViewQuizzes => "view_quizzes": [CenterAnalyst, UnitCommander, GridWorker, Leader];
    /// Open, change and end quiz campaigns of one's subtree; write one's own unit's questions.
    ManageQuizzes => "manage_quizzes": [CenterAnalyst, UnitCommander];
    /// 国家反诈中心APP推广 of one's subtree: the drives, each department against its quota,
    /// the promoters (names and numbers masked; one in full is audited), the posters. Grid
    /// workers hand the links out.
    ViewAppDrives => "view_app_drives": [CenterAnalyst, UnitCommander, GridWorker, Leader];
    /// Open, change and end app drives of one's subtree.
    ManageAppDrives => "manage_app_drives": [CenterAnalyst, UnitCommander];
    /// 劝阻队伍 of one's subtree: each village's 反诈民警, 社区民警, 村（街道）干部 and 网格员
    /// (names and numbers masked; one in full is audited), the villages short of one. Grid
    /// workers see who they go out with.
    ViewTeams => "view_teams": [CenterAnalyst, UnitCommander, GridWorker, Leader, Admin];
    /// Add, import and remove team members of one's subtree.
    ManageTeams => "manage_teams": [CenterAnalyst, UnitCommander, Admin];
    /// 银行反诈数据 of one's subtree by month (customers dissuaded, reminders pushed): police all
    /// banks', a liaison its own bank's.
    ViewBankFigures => "view_bank_figures": [CenterAnalyst, UnitCommander, BankLiaison, Leader];
    /// Enter a bank's monthly figures for a unit of one's subtree: a liaison its own bank's, the
    /// center any bank's.
    EnterBankFigures => "enter_bank_figures": [CenterAnalyst, BankLiaison];
    /// Answer the requests addressed to one's own operator: executed (with the registered
    /// holder) or not possible and why.
    AnswerNumberDisposals => "answer_number_disposals": [OperatorLiaison];
    /// 存量卡清理 figures (requested, answered on time, overdue, accounts closed and restricted,
    /// per bank and reason): police of their subtree, bank liaisons of their own bank's
    /// requests; leaders the figures.
    ViewCardCleanups => "view_card_cleanups": [CenterAnalyst, UnitCommander, BankLiaison, Leader];
    /// The requests themselves: the list with its exports (holders masked) and a request's page
    /// (the holder and the known accounts in full — for the bank's liaison and for police with
    /// personal-data rights — every view audited).
    ListCardCleanups => "list_card_cleanups": [CenterAnalyst, UnitCommander, BankLiaison];
    /// Ask the banks about the holders of one's subtree the platform flags (who would be asked,
    /// then the requests), and withdraw such a request. Never liaisons.
    RequestCardCleanups => "request_card_cleanups": [CenterAnalyst, UnitCommander];
    /// Answer the cleanup requests addressed to one's own bank: accounts found, closed,
    /// restricted, or verified normal and why.
    AnswerCardCleanups => "answer_card_cleanups": [BankLiaison];
    /// Statistics, rankings and reports.
    ViewStatistics => "view_statistics": [CenterAnalyst, UnitCommander, Leader, Admin];
    /// 通报: read the bulletins issued along one's line (by one's unit, the units above it, and
    /// those below it) and print them. Never liaisons.
    ViewBulletins => "view_bulletins": [CenterAnalyst, UnitCommander, GridWorker, Leader];
    /// Issue a numbered 情况通报 (from the work brief) or 诈骗手法通报 to the units directly
    /// below one's own. Never liaisons.
    IssueBulletins => "issue_bulletins": [CenterAnalyst, UnitCommander];
    /// Sign (签收) a bulletin addressed to one's own unit.
    SignBulletins => "sign_bulletins": [CenterAnalyst, UnitCommander];
    /// 行业通报: read and sign (签收) the bulletins addressed to one's own bank, operator or
    /// joint-office member department — and only those. Liaisons only.
    ReadPartnerBulletins => "read_partner_bulletins": [BankLiaison, OperatorLiaison, JointMember];
    /// 刑事案件立案数: enter the criminal cases a unit of one's subtree filed in a month (the
    /// denominator of 电诈案件占刑事案件比). Never liaisons.
    EnterCrimeCounts => "enter_crime_counts": [CenterAnalyst, UnitCommander];
    /// 分类研判组 of one's subtree: the groups with their types, lead, members and period
    /// figures, and a group's page with its cases (masked) and the instructions of its types
    /// waiting for 二次研判. Never liaisons or grid workers.
    ViewAnalysisGroups => "view_analysis_groups": [CenterAnalyst, UnitCommander, Leader, Admin];
    /// Set up, change and deactivate the analysis groups of one's subtree (at the center or a
    /// county bureau): the center's analysts and the administrators.
    ManageAnalysisGroups => "manage_analysis_groups": [CenterAnalyst, Admin];
    /// The audit log.
    ViewAudit => "view_audit": [Admin, Leader];
    /// Users and units.
    ManageUsers => "manage_users": [Admin];
    /// Detection rules: edit and test-run.
    ManageRules => "manage_rules": [Admin, CenterAnalyst];
    /// 新开卡审查 figures (screened, by level and verdict, 新开卡涉案比例 per bank or operator):
    /// police of their subtree, bank and phone cards; bank liaisons of their own bank's cards
    /// and operator liaisons of their own operator's phone cards, with the list (masked,
    /// without the police's reasons); leaders the figures.
    ViewNewCards => "view_new_cards": [CenterAnalyst, UnitCommander, BankLiaison, OperatorLiaison, Leader];
    /// Upload a bank's daily list of new cards, or an operator's of new phone cards, for
    /// screening: liaisons their own bank's or operator's, the center any.
    ImportNewCards => "import_new_cards": [BankLiaison, OperatorLiaison, CenterAnalyst];
    /// The review list of one's subtree: the masked list and its exports, a card with its
    /// holder in full (every view audited), and the review (and listing a card seller as a
    /// key person). Never bank or operator liaisons.
    ReviewNewCards => "review_new_cards": [CenterAnalyst, UnitCommander];
    /// 开卡前核验: check an applicant at one's own bank's (or operator's) counter before opening
    /// a card, and record what the counter did. Never police: they read the checks.
    CheckCardApplicants => "check_card_applicants": [BankLiaison, OperatorLiaison];
    /// Send signals to the signal stream over HTTPS (`/api/v1/signals`): an operator's system
    /// the phone network's, a bank's its transfers and new cards, the center any.
    PublishSignals => "publish_signals": [CenterAnalyst, OperatorLiaison, BankLiaison, Admin];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(role: Role) -> Principal {
        Principal {
            login: "x".into(),
            display_name: "x".into(),
            unit_code: "33".into(),
            roles: vec![role],
            joint_member: None,
            bank_code: None,
            operator: None,
        }
    }

    #[test]
    fn member_liaisons_only_report_their_own_tasks() {
        let p = with(Role::JointMember);
        assert!(ReportJointTasks::allows(&p));
        for (name, roles) in MATRIX {
            if ![
                "report_joint_tasks",
                "read_partner_bulletins",
                "authenticated",
            ]
            .contains(name)
            {
                assert!(
                    !roles.contains(&Role::JointMember),
                    "{name} must not include member liaisons"
                );
            }
        }
        assert!(ReportJointTasks::ROLES == [Role::JointMember]);
    }

    #[test]
    fn operator_liaisons_only_see_and_answer_their_number_disposals() {
        let p = with(Role::OperatorLiaison);
        assert!(ViewNumberDisposals::allows(&p));
        assert!(AnswerNumberDisposals::allows(&p));
        assert!(!RequestNumberDisposals::allows(&p));
        for (name, roles) in MATRIX {
            if ![
                "view_number_disposals",
                "list_number_disposals",
                "answer_number_disposals",
                "view_operator_figures",
                "enter_operator_figures",
                "read_partner_bulletins",
                "view_new_cards",
                "import_new_cards",
                "check_card_applicants",
                "publish_signals",
                "authenticated",
            ]
            .contains(name)
            {
                assert!(
                    !roles.contains(&Role::OperatorLiaison),
                    "{name} must not include operator liaisons"
                );
            }
        }
    }

    #[test]
    fn bank_liaisons_only_see_and_confirm_stop_payments_and_answer_supervision_and_cleanups() {
        let p = with(Role::BankLiaison);
        assert!(ConfirmStopPayments::allows(&p));
        assert!(Authenticated::allows(&p));
        // Measures against their bank's outlets: read and reply, never issue.
        assert!(ViewSupervision::allows(&p));
        assert!(ReplySupervision::allows(&p));
        assert!(!ManageSupervision::allows(&p));
        // 存量卡清理 addressed to their bank: read and answer, never ask.
        assert!(AnswerCardCleanups::allows(&p) && ListCardCleanups::allows(&p));
        assert!(!RequestCardCleanups::allows(&p));
        for (name, roles) in MATRIX {
            if ![
                "confirm_stop_payments",
                "view_stop_payments",
                "view_new_cards",
                "import_new_cards",
                "check_card_applicants",
                "view_supervision",
                "reply_supervision",
                "view_card_cleanups",
                "list_card_cleanups",
                "answer_card_cleanups",
                "read_partner_bulletins",
                "view_bank_figures",
                "enter_bank_figures",
                "publish_signals",
                "authenticated",
            ]
            .contains(name)
            {
                assert!(
                    !roles.contains(&Role::BankLiaison),
                    "{name} must not include bank liaisons"
                );
            }
        }
    }

    #[test]
    fn only_admins_manage_users_and_grid_workers_handle_instructions() {
        assert!(ManageUsers::allows(&with(Role::Admin)));
        assert!(!ManageUsers::allows(&with(Role::CenterAnalyst)));
        assert!(HandleInstructions::allows(&with(Role::GridWorker)));
        assert!(!HandleInstructions::allows(&with(Role::Leader)));
    }

    #[test]
    fn permission_names_are_unique() {
        let mut names: Vec<_> = MATRIX.iter().map(|(n, _)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), MATRIX.len());
    }
}
