//! fanzha-store: the operational database of the platform.
//!
//! One schema ([`migrations`]) and one set of queries run on SQLite (the default: a file in the
//! data directory) and on PostgreSQL (when the URL is `postgres://…`), through sqlx's `Any`
//! driver; the few statements that must differ live in [`dialect`].
//!
//! Entry point: [`Store::open`], then the repositories: [`Store::units`], [`Store::people`],
//! [`Store::phones`], [`Store::accounts`], [`Store::users`], [`Store::audit`],
//! [`Store::imports`], [`Store::warnings`], [`Store::instructions`], [`Store::webhooks`],
//! [`Store::sms`], [`Store::guardians`], [`Store::call_tasks`], [`Store::mule_accounts`],
//! [`Store::key_persons`], [`Store::outreach`], [`Store::two_card_leads`], [`Store::supervision`],
//! [`Store::employer_notices`], [`Store::typical_cases`], [`Store::number_disposals`],
//! [`Store::talking_points`], [`Store::outreach_posts`], [`Store::outreach_lists`], [`Store::crime_counts`],
//! [`Store::bulletins`], [`Store::operator_figures`], [`Store::bank_figures`],
//! [`Store::key_person_proposals`], [`Store::tips`], [`Store::quiz_questions`],
//! [`Store::quiz_campaigns`], [`Store::quiz_attempts`],
//! [`Store::analysis_groups`].
//!
//! Architecture invariant: every read of personal data takes a [`Scope`] (an org subtree), so a
//! query without one does not compile; the audit log is append-only, enforced by the database.

mod accounts;
mod alliance;
mod analysis_group_figures;
mod analysis_groups;
mod app_drives;
mod audit;
mod bank_figures;
mod bulletin_partners;
mod bulletins;
mod call_tasks;
mod campaigns;
mod card_cleanups;
mod case_order_sources;
mod cases;
mod cluster_operations;
mod code_enum;
mod crime_counts;
mod detection_rules;
mod detection_runs;
pub mod dialect;
mod division;
mod employer_notices;
mod enforcement;
mod error;
mod field;
mod fund_warnings;
mod guardians;
mod holdings;
mod import_writer;
mod imports;
mod instruction_batch;
mod instructions;
mod joint_office;
mod joint_tasks;
mod key_person_import;
mod key_person_involvement;
mod key_person_proposals;
mod key_persons;
mod mask;
pub mod migrations;
mod model_sites;
mod mule_accounts;
mod new_cards;
mod number_disposals;
mod operator_figures;
mod outreach;
mod outreach_lists;
mod outreach_posts;
mod page;
mod pending;
mod people;
mod phones;
mod quiz_attempts;
mod quiz_campaigns;
mod quiz_questions;
mod rollup;
mod scope;
mod sms;
mod solved_elsewhere;
mod sql;
mod statistics;
mod stop_payments;
mod store;
mod supervision;
mod talking_points;
mod team_members;
pub mod testing;
mod tips;
mod two_card_leads;
mod typical_cases;
mod units;
mod upsert;
mod users;
mod versioned;
mod warning_pushes;
mod warnings;
mod webhooks;

pub use accounts::{Account, Accounts, NewAccount};
pub use alliance::{
    Alliance, AllianceTally, Member, MemberCase, MemberEvent, MemberFigures, MemberUpdate,
    NewMember, MAX_MEMBER_NAME, MAX_MEMBER_STAFF, MAX_MEMBER_TEXT,
};
pub use analysis_group_figures::GroupFigures;
pub use analysis_groups::{
    AnalysisGroup, AnalysisGroupUpdate, AnalysisGroups, NewAnalysisGroup, MAX_GROUP_MEMBERS,
    MAX_GROUP_NAME,
};
pub use app_drives::{
    AppDrive, AppDrives, AreaReferrals, DriveFigures, DriveText as AppDriveText, EmployerPromotion,
    NewDrive as NewAppDrive, NewPromoter, NewReferral, Promoter, PromoterProgress, PromotionPeriod,
    MAX_PROMOTER_NAME, QUOTAS as APP_DRIVE_QUOTAS, REFERRALS_PER_DAY,
};
pub use audit::{Audit, AuditEntry, NewAuditEntry};
pub use bank_figures::{
    BankCounts, BankEnterer, BankFigureEntry, BankFigures, BankTotals, MAX_BANK_COUNT, MAX_BANK_FEN,
};
pub use bulletin_partners::{Partner, PartnerKind, PartnerReceipt};
pub use bulletins::{
    Bulletin, BulletinFilter, BulletinKind, BulletinReader, BulletinReceipt, Bulletins,
    NewBulletin, MAX_BULLETIN_BODY, MAX_BULLETIN_TITLE,
};
pub use call_tasks::{
    AfterCall, CallCounts, CallFigures, CallRecord, CallResult, CallTask, CallTaskFilter,
    CallTaskState, CallTasks, NewCallTask,
};
pub use campaigns::{
    Campaign, Campaigns, NewCampaign, MAX_CAMPAIGN_DAYS, MAX_CAMPAIGN_GOAL, MAX_CAMPAIGN_NAME,
};
pub use card_cleanups::{
    CardCleanup, CardCleanups, CleanupAnswer, CleanupCandidate, CleanupCounts, CleanupFigures,
    CleanupFilter, CleanupOutcome, CleanupReason, CleanupState, CleanupViewer, GeneratedCleanups,
    KnownAccount, CLEANUP_DAYS, CLEANUP_REPEAT_DAYS, MAX_CLEANUPS_PER_BATCH, MAX_CLEANUP_TEXT,
};
pub use case_order_sources::{
    CaseOrderSources, CitedDetail, LeakBy, LeakCase, LeakCoverage, LeakGroup, LeakTask,
    OrderSource, OrderSourceText, MAX_NAME as MAX_ORDER_SOURCE_NAME,
};
pub use cases::{
    Case, CaseFilter, CaseLink, CaseLookup, CaseSupervisionFilter, CaseTally, CaseTransfer, Cases,
    LinkKind, LinkedCase, LinkedCases, NewCase, OccupationFilter, OccupationTally, PriorOutreach,
    PriorOutreachTally, MAX_LINKED,
};
pub use cluster_operations::{
    ClusterOperations, NewOperation, NewTarget, Operation, OperationFigures, OperationSummary,
    Target, TargetCounts, TargetReport, TargetState, VisibleTarget, MAX_OPERATION_NAME,
    MAX_OPERATION_TARGETS, MAX_OPERATION_TEXT, MAX_STRIKE_DAYS,
};
pub use crime_counts::{
    month_ok, next_month, previous_month, shanghai_month, CrimeCountEntry, CrimeCounts,
    CrimeMonthTotal,
};
pub use detection_rules::{DetectionRules, RulesVersion};
pub use detection_runs::{DetectionRun, DetectionRuns, RunProgress};
pub use dialect::Backend;
pub use division::natural_division_code;
pub use employer_notices::{
    EmployerNotice, EmployerNotices, EmployerTally, NewEmployerNotice, NoticeFigures, NoticeFilter,
    NoticeGround, NoticeReceipt, NoticeRow, NoticeState, MAX_NOTICE_NAME, MAX_NOTICE_TEXT,
    MAX_REGISTER_ROWS, NOTICE_DUE_HOURS,
};
pub use enforcement::{
    CaseEnforcement, CaseSupervision, Dismantled, DismantledFilter, DismantledKind,
    DismantledTally, Enforcement, EnforcementFigures, EnforcementUpdate, InvestigationStatus,
    MeasureClass, NewDismantled, NewSuspect, SupervisedTally, Suspect, SuspectCharge,
    SuspectMeasure, SuspectRole, MAX_LINKED_CASES, MAX_RECOVERED_FEN,
};
pub use error::{StoreError, StoreResult};
pub use fanzha_core::Occupation;
pub use fanzha_screen::{CounterAnswer, CounterVerdict};
pub use fanzha_screen::{Finding, Level, ReasonCode, BURST_WINDOW_DAYS};
pub use fund_warnings::{
    FundWarning, FundWarningFilter, FundWarnings, WarningFund, MAX_FUND_WARNINGS,
};
pub use guardians::{
    guardian_reason, Guardian, GuardianFilter, GuardianImport, GuardianSaved, Guardians,
    ListedGuardian, NewGuardian,
};
pub use holdings::{Holding, HoldingCursor, Holdings};
pub use import_writer::{ImportWriter, COMMIT_ROWS};
pub use imports::{
    ImportCounts, ImportRun, ImportRunId, Imports, NewImportRun, QuarantineRow, QuarantinedRow,
};
pub use instruction_batch::{InstructionChange, LoadedInstruction};
pub use instructions::{
    EventRow, InstructionFilter, Instructions, NewInstruction, Projection, StoredInstruction,
};
pub use joint_office::{
    JointMember, JointMemberKind, JointMemberUpdate, JointOffice, Letter, Meeting, MeetingKind,
    NewJointMember, NewLetter, NewMeeting, NewSpotCheck, SpotCheck, MAX_JOINT_NAME,
    MAX_JOINT_STAFF, MAX_JOINT_TEXT, SPOT_CHECK_PASS_PERCENT,
};
pub use joint_tasks::{
    JointTasks, MemberTasks, NewTask, Task, TaskEvent, TaskEventKind, TaskFigures, TaskFilter,
    TaskState, MAX_TASK_DAYS,
};
pub use key_person_import::{listed_reason, KeyPersonListImport, ListedKeyPerson};
pub use key_person_involvement::{InvolvedSince, Involvement, ListedAs, PersonCase};
pub use key_person_proposals::{
    KeyPersonProposals, NewProposal, Proposal, ProposalFigures, ProposalFilter, ProposalKind,
    ProposalState, ProposalStep,
};
pub use key_persons::{
    visit_due_day, visit_overdue_from, AbroadState, ActiveMeasure, ControlState, ControlUpdate,
    KeyPerson, KeyPersonCategory, KeyPersonEvent, KeyPersonFigures, KeyPersonFilter,
    KeyPersonMeasure, KeyPersonStatus, KeyPersons, NewKeyPerson, PunishmentKind, Responsible,
    ReturneeResult, MAX_VISIT_CYCLE_DAYS,
};
pub use model_sites::{ModelSite, ModelSites, MAX_SITE_TEXT};
pub use mule_accounts::{MuleAccount, MuleAccounts};
pub use new_cards::{
    BankCardFigures, CardCheck, CardCheckRequest, CardClosure, CardFigures, CardFilter, CardImport,
    CardKind, CardState, CheckAnswer, CheckFigureTable, CheckFigures, CheckFilter, CheckOutcome,
    ClerkCardFigures, ClosureImport, ClosureRow, NewCardRow, NewCards, OutletCardFigures,
    ScreenedCard, Verdict, MAX_CARDS_PER_IMPORT, OPENED_AFTER_REFUSAL_DAYS,
};
pub use number_disposals::{
    DisposalAnswer, DisposalCounts, DisposalFigures, DisposalFilter, DisposalMeasure,
    DisposalState, DisposalViewer, NewNumberDisposal, NumberDisposal, NumberDisposals, Operator,
    DISPOSAL_MINUTES, MAX_DISPOSAL_TEXT, URGENT_DISPOSAL_MINUTES,
};
pub use operator_figures::{
    FigureEnterer, InterceptCounts, OperatorFigureEntry, OperatorFigures, OperatorTotals,
    MAX_OPERATOR_COUNT,
};
pub use outreach::{
    NewOutreach, Outreach, OutreachAudience, OutreachEvent, OutreachFilter, OutreachKind,
    OutreachQuota, OutreachTotals,
};
pub use outreach_lists::{
    group_hits, in_group, GroupHits, ListFigures, ListRow, NewOutreachList, OutreachList,
    OutreachLists, ReachRecord, ReachState, TargetGroup, VictimFacts, MAX_LIST_ROWS,
};
pub use outreach_posts::{
    NewPost, OutreachPosts, Post, PostFigures, PostFilter, PostForm, PostPlatform, PostTally,
    PostTopic,
};
pub use page::{Page, PageRequest, MAX_PAGE};
pub use people::{
    birth_of, EmployerRegistration, NewPerson, People, Person, PersonFlags, RegistrationTally,
};
pub use phones::{NewPhone, Phone, Phones};
pub use quiz_attempts::{
    draw as draw_quiz_questions, AreaParticipation, Attempt, AttemptItem, AttemptRow,
    EmployerParticipation, NewAttempt, QuizArea, QuizAttempts, QuizFigures, ANSWER_WITHIN_MS,
    ATTEMPTS_PER_DAY,
};
pub use quiz_campaigns::{
    Campaign as QuizCampaign, CampaignText as QuizCampaignText, NewCampaign as NewQuizCampaign,
    QuizCampaigns, QuizEmployer, MAX_EMPLOYERS as MAX_QUIZ_EMPLOYERS,
    MAX_PLEDGE as MAX_QUIZ_PLEDGE, QUESTION_COUNTS as QUIZ_QUESTION_COUNTS,
};
pub use quiz_questions::{
    builtin_questions as builtin_quiz_questions, Question as QuizQuestion, QuestionTally,
    QuestionText as QuizQuestionText, QuizQuestions,
};
pub use scope::Scope;
pub use sms::{valid_sms_number, NewSms, SmsMessage, SmsMessages, SmsPurpose, SmsState};
pub use solved_elsewhere::{
    NewSolvedElsewhere, SolvedElsewhere, SolvedElsewhereCases, SolvedElsewhereKind,
    SolvedElsewhereTally, MAX_SOLVED_LISTED,
};
pub use statistics::{LoopTallies, LoopTally, Statistics, TrendPoint};
pub use stop_payments::{
    AccountClaim, FundFigures, NewProtectiveStop, NewStopPayment, StopPayment, StopPaymentUpdate,
    StopPayments, Timeliness, Viewer,
};
pub use store::{MigrationReport, Store, StoreOptions};
pub use supervision::{
    MeasureCounts, MeasureKind, NewSupervision, Supervision, SupervisionEvent,
    SupervisionEventKind, SupervisionFigures, SupervisionFilter, SupervisionReason,
    SupervisionRegister, SupervisionState, TargetKind, DEFAULT_RECTIFICATION_DAYS,
    DEFAULT_RETURN_DAYS, MAX_EXTENSIONS, MAX_RECTIFICATION_DAYS, MAX_SUPERVISION_TEXT,
};
pub use talking_points::{StoredPoints, TalkingPoints, MAX_POINTS, MAX_POINT_CHARS};
pub use team_members::{
    team_reason, NewTeamMember, TeamImport, TeamKind, TeamMember, TeamMembers, VillageTeam,
    MAX_TEAM_MEMBER_NAME,
};
pub use tips::{
    NewTip, Tip, TipCounts, TipFilter, TipKind, TipSource, TipState, Tips, MAX_TIP_SUBJECT,
    MAX_TIP_TEXT,
};
pub use two_card_leads::{
    LeadFigures, LeadFilter, LeadKind, LeadResult, LeadSource, LeadState, NewTwoCardLead,
    TwoCardImport, TwoCardLead, TwoCardLeads, DEFAULT_DEADLINE_DAYS,
};
pub use typical_cases::{
    identifying, NewTypicalCase, TypicalCase, TypicalCases, TypicalFilter, MAX_TYPICAL_ADVICE,
    MAX_TYPICAL_LIST, MAX_TYPICAL_SUMMARY, MAX_TYPICAL_TITLE,
};
pub use units::{effective_populations, validate_unit_code, NewUnit, Unit, UnitLevel, Units};
pub use upsert::UpsertOutcome;
pub use users::{NewUser, Role, User, Users};
pub use warning_pushes::{
    valid_push_id, FeedbackFilter, NewPushImport, PushFeedback, PushImport, PushPlatform,
    WarningPush, WarningPushes, MAX_FEEDBACK_ROWS, MAX_PUSH_ID_CHARS,
};
pub use warnings::{
    FraudTypeFilter, LevelCounts, NewWarning, StoredWarning, WarningFilter, Warnings,
};
pub use webhooks::{DeliveryState, DueDelivery, NewWebhook, Webhook, WebhookDelivery, Webhooks};
