//! The statistics page as a workbook: every figure the page shows, a sheet per table (units,
//! the figures of the tiles, cases by type, the trend, the victim profile, enforcement,
//! warnings by type). CSV gives one of them, chosen by `section=`.

use super::*;
use crate::export::{Sheet, Sheets};

pub(super) fn sheets(p: &StatsPage, name: String) -> Sheets {
    let lang = p.lang;
    let t = |k: &str| lang.t(k).to_string();
    let heads = |keys: &[&str]| keys.iter().map(|k| t(k)).collect::<Vec<_>>();
    let sheet = |key: &'static str, title: String, headers: Vec<String>, rows| Sheet {
        key,
        title,
        table: Table {
            name: String::new(),
            headers,
            rows,
        },
    };
    Sheets {
        name,
        sheets: vec![
            sheet("units", t("st_x_units"), heads(&UNIT_HEADS), units(p)),
            sheet(
                "employers",
                t("employer_registration"),
                heads(&[
                    "employer",
                    "employer_public",
                    "employer_staff",
                    "app_registered",
                    "registration_rate",
                ]),
                p.employers
                    .iter()
                    .map(|e| {
                        vec![
                            e.employer.clone(),
                            if e.public_sector { t("yes") } else { t("no") },
                            e.staff.to_string(),
                            e.registered.to_string(),
                            rate_label(e.rate()),
                        ]
                    })
                    .collect(),
            ),
            sheet(
                "figures",
                t("st_x_figures"),
                heads(&["st_x_section", "st_x_figure", "st_x_value"]),
                figures(p),
            ),
            sheet(
                "case_types",
                t("cases_by_type"),
                heads(&[
                    "col_fraud_type",
                    "case_count",
                    "case_loss",
                    "cases_last_year",
                    "yoy",
                    "stp_previous",
                    "stp_mom",
                    "stp_loss_yoy",
                    "stp_loss_mom",
                ]),
                p.case_types
                    .iter()
                    .map(|c| {
                        vec![
                            c.label.clone(),
                            c.cases.to_string(),
                            yuan(c.loss_fen),
                            c.last_year.to_string(),
                            change_label(lang, c.cases, c.last_year),
                            c.previous.to_string(),
                            change_label(lang, c.cases, c.previous),
                            change_label(lang, c.loss_fen, c.loss_last_year),
                            change_label(lang, c.loss_fen, c.loss_previous),
                        ]
                    })
                    .collect(),
            ),
            sheet(
                "trend",
                t("stp_trend"),
                heads(&["stp_month", "case_count", "case_loss", "stp_warnings"]),
                p.trend
                    .iter()
                    .map(|m| {
                        vec![
                            m.month.clone(),
                            m.point.cases.to_string(),
                            yuan(m.point.loss_fen),
                            m.point.warnings.to_string(),
                        ]
                    })
                    .collect(),
            ),
            sheet(
                "victims",
                t("victim_profile"),
                heads(&[
                    "st_x_dimension",
                    "st_x_category",
                    "case_count",
                    "share",
                    "case_loss",
                ]),
                victims(p),
            ),
            sheet(
                "enf_measures",
                t("st_x_enf_measures"),
                heads(&["enf_measure", "enf_count"]),
                p.enf_measures
                    .iter()
                    .map(|(_, label, n)| vec![label.to_string(), n.to_string()])
                    .collect(),
            ),
            sheet(
                "enf_gangs",
                t("nav_gangs"),
                heads(&[
                    "enf_gang_kind",
                    "enf_groups",
                    "enf_arrested",
                    "enf_devices",
                    "enf_phone_cards",
                    "enf_bank_cards",
                    "enf_cards",
                ]),
                p.enf_group_lines
                    .iter()
                    .map(|(_, label, g)| {
                        vec![
                            label.to_string(),
                            g.groups.to_string(),
                            g.arrested.to_string(),
                            g.devices.to_string(),
                            g.phone_cards.to_string(),
                            g.bank_cards.to_string(),
                            g.cards.to_string(),
                        ]
                    })
                    .collect(),
            ),
            sheet(
                "warning_types",
                t("warnings_by_type"),
                heads(&["col_fraud_type", "stp_warnings"]),
                p.types
                    .iter()
                    .map(|w| vec![w.label.clone(), w.count.to_string()])
                    .collect(),
            ),
        ],
    }
}

const UNIT_HEADS: [&str; 38] = [
    "unit",
    "instructions_count",
    "dissuaded",
    "defrauded",
    "unreachable",
    "overdue",
    "sign_in_sla",
    "contact_in_sla",
    "dissuasion_rate",
    "median_sign_min",
    "loss",
    "saved",
    "population",
    "case_count",
    "cases_last_year",
    "yoy",
    "per_10k",
    "case_loss",
    "public_sector_cases",
    "resident_count",
    "app_registered",
    "registration_rate",
    "residents_16_60",
    "registration_rate_16_60",
    "jd_signed_up",
    "jd_share",
    "stp_signed",
    "stp_reached",
    "stp_ch_phone",
    "stp_ch_visit",
    "stp_ch_relatives",
    "stp_ch_sms",
    "stp_ch_self_aware",
    "stp_previous",
    "stp_mom",
    "stp_loss_last_year",
    "stp_loss_yoy",
    "stp_loss_mom",
];

fn units(p: &StatsPage) -> Vec<Vec<String>> {
    let lang = p.lang;
    p.lines
        .iter()
        .map(|l| {
            vec![
                l.name.clone(),
                l.f.instructions.to_string(),
                l.f.dissuaded.to_string(),
                l.f.defrauded.to_string(),
                l.f.unreachable.to_string(),
                l.f.overdue.to_string(),
                percent(l.f.sign_in_sla_rate),
                percent(l.f.contact_in_sla_rate),
                percent(l.f.dissuasion_rate),
                minutes(l.f.median_sign_minutes),
                yuan(l.f.loss_fen),
                yuan(l.f.saved_fen),
                l.c.population.map(|p| p.to_string()).unwrap_or_default(),
                l.c.cases.to_string(),
                l.c.last_year.to_string(),
                yoy_label(lang, &l.c),
                per_10k_label(&l.c),
                yuan(l.c.loss_fen),
                l.c.public_sector.to_string(),
                l.r.residents.to_string(),
                l.r.registered.to_string(),
                rate_label(l.r.rate()),
                l.r.residents_16_60.to_string(),
                rate_label(l.r.rate_16_60()),
                l.r.joint_defense.to_string(),
                rate_label(l.r.joint_defense_rate()),
                l.t.signed.to_string(),
                l.t.contacted.to_string(),
                l.t.dissuaded_phone.to_string(),
                l.t.dissuaded_visit.to_string(),
                l.t.dissuaded_relatives.to_string(),
                l.t.dissuaded_sms.to_string(),
                l.t.self_aware.to_string(),
                l.c.previous.to_string(),
                change_label(lang, l.c.cases, l.c.previous),
                yuan(l.c.loss_last_year),
                change_label(lang, l.c.loss_fen, l.c.loss_last_year),
                change_label(lang, l.c.loss_fen, l.c.loss_previous),
            ]
        })
        .collect()
}

/// The tiles of the page, each as (section, figure, value), in the page's order.
fn figures(p: &StatsPage) -> Vec<Vec<String>> {
    let lang = p.lang;
    let (c, f, tl) = (&p.cases, &p.total, &p.total_tally);
    let sections: [(&str, Vec<(&str, String)>); 10] = [
        (
            "nav_group_warnings",
            vec![
                ("red_warnings", p.red.to_string()),
                ("orange_warnings", p.orange.to_string()),
                ("yellow_warnings", p.yellow.to_string()),
                ("instructions_count", f.instructions.to_string()),
                ("dissuaded", f.dissuaded.to_string()),
                ("defrauded", f.defrauded.to_string()),
                ("sign_in_sla", percent(f.sign_in_sla_rate)),
                ("contact_in_sla", percent(f.contact_in_sla_rate)),
                ("dissuasion_rate", percent(f.dissuasion_rate)),
                ("executed_in_time", p.stop_in_time.clone()),
                ("held_total", yuan(p.held_fen)),
            ],
        ),
        (
            "stp_channels",
            vec![
                ("stp_signed", tl.signed.to_string()),
                ("stp_reached", tl.contacted.to_string()),
                ("stp_ch_phone", tl.dissuaded_phone.to_string()),
                ("stp_ch_visit", tl.dissuaded_visit.to_string()),
                ("stp_ch_relatives", tl.dissuaded_relatives.to_string()),
                ("stp_ch_sms", tl.dissuaded_sms.to_string()),
                ("stp_ch_self_aware", tl.self_aware.to_string()),
            ],
        ),
        (
            "cf_title",
            vec![
                ("cf_calls", p.calls.calls.to_string()),
                ("cf_connected", p.calls.connected.to_string()),
                ("cf_connect_rate", rate_label(p.calls.connect_rate())),
                ("cf_dissuaded", p.calls.dissuaded.to_string()),
            ],
        ),
        (
            "cases_section",
            vec![
                ("case_count", c.cases.to_string()),
                ("cases_last_year", c.last_year.to_string()),
                ("yoy", yoy_label(lang, c)),
                ("per_10k", per_10k_label(c)),
                (
                    "population",
                    c.population.map(|n| n.to_string()).unwrap_or_default(),
                ),
                ("case_loss", yuan(c.loss_fen)),
                (
                    "crime_share",
                    crate::crime_share::share_label(p.crime.share()),
                ),
                (
                    "crime_last_year_share",
                    crate::crime_share::share_label(p.crime.last_year_share()),
                ),
                (
                    "crime_change",
                    crate::crime_share::points_label(lang, p.crime.change_points()),
                ),
                ("public_sector_cases", c.public_sector.to_string()),
                ("stp_previous", c.previous.to_string()),
                ("stp_mom", change_label(lang, c.cases, c.previous)),
                ("stp_loss_last_year", yuan(c.loss_last_year)),
                (
                    "stp_loss_yoy",
                    change_label(lang, c.loss_fen, c.loss_last_year),
                ),
                (
                    "stp_loss_mom",
                    change_label(lang, c.loss_fen, c.loss_previous),
                ),
                ("stp_two_down", two_down_label(lang, c).to_string()),
            ],
        ),
        (
            "funds_section",
            vec![
                ("stop_requests", p.funds.requested.to_string()),
                ("stopped_accounts", p.funds.stopped.to_string()),
                ("stopped_amount", yuan(p.funds.stopped_fen)),
                ("frozen_accounts", p.funds.frozen.to_string()),
                ("frozen_amount", yuan(p.funds.frozen_fen)),
                ("returned_amount", yuan(p.funds.returned_fen)),
                ("return_rate", rate_label(p.return_rate)),
            ],
        ),
        (
            "enf_title",
            vec![
                ("enf_solved", p.enf.solved.to_string()),
                ("enf_solve_rate", rate_label(p.enf.solve_rate())),
                ("enf_solved_in_period", p.enf.solved_in_period.to_string()),
                ("enf_supervised", p.enf.supervised_total().0.to_string()),
                (
                    "enf_supervised_solved",
                    p.enf.supervised_total().1.to_string(),
                ),
                ("enf_caught", p.enf.caught().to_string()),
                ("enf_caught_yoy", p.enf_caught_yoy.clone()),
                ("enf_caught_fraud", p.enf_caught_fraud.to_string()),
                ("enf_prosecuted_n", p.enf.prosecuted.to_string()),
                ("enf_prosecuted_yoy", p.enf_prosecuted_yoy.clone()),
                ("enf_coercive", p.enf_coercive.to_string()),
                ("enf_administrative", p.enf_administrative.to_string()),
                ("enf_education", p.enf_education.to_string()),
                ("enf_recovered", yuan(p.enf.recovered_fen)),
                ("enf_recovery_rate", rate_label(p.enf_recovery_rate)),
                ("enf_groups", p.enf_groups_total.groups.to_string()),
                ("stats_operations", p.operations.launched.to_string()),
                (
                    "stats_operation_targets",
                    p.operations.targets.active().to_string(),
                ),
                (
                    "stats_operation_caught",
                    p.operations.targets.caught.to_string(),
                ),
            ],
        ),
        (
            "key_persons_section",
            vec![
                ("kp_in_control", p.key_persons.in_control.to_string()),
                ("kp_punished_now", p.key_persons.punished.to_string()),
                ("kp_exit_ban_now", p.key_persons.exit_bans.to_string()),
                ("kp_still_abroad", p.key_persons.abroad.to_string()),
                ("kp_return_rate", rate_label(p.key_persons.return_rate())),
                (
                    "st_kp_reported_punishment",
                    p.proposals.people_reported_punishment.to_string(),
                ),
                (
                    "st_kp_reported_exit_ban",
                    p.proposals.people_reported_exit_ban.to_string(),
                ),
            ],
        ),
        (
            "cards_section",
            vec![
                ("nc_screened_n", p.cards.screened.to_string()),
                ("nc_flagged_n", p.cards.flagged().to_string()),
                ("nc_card_sellers", p.cards.card_sellers().to_string()),
                ("nc_involved_share", rate_label(p.cards.involved_share())),
                ("nc_short_lived_n", p.cards.short_lived.to_string()),
                (
                    "stats_leads_checked",
                    format!("{}/{}", p.leads.checked, p.leads.received),
                ),
                ("tcl_overdue_n", p.leads.overdue.to_string()),
                (
                    "tcl_given_away_share",
                    rate_label(p.leads.given_away_share()),
                ),
                ("tcl_dealt_with", p.leads.dealt_with.to_string()),
                ("tcl_coercive", p.leads.coercive.to_string()),
                ("cc_requested", p.cleanups.requested.to_string()),
                ("cc_answered", p.cleanups.answered.to_string()),
                ("cc_on_time_rate", rate_label(p.cleanups.on_time_rate())),
                ("cc_overdue", p.cleanups.overdue.to_string()),
                ("cc_accounts_closed", p.cleanups.accounts_closed.to_string()),
                (
                    "cc_accounts_restricted",
                    p.cleanups.accounts_restricted.to_string(),
                ),
            ],
        ),
        (
            "nd_section",
            vec![
                ("nd_requested", p.disposals.requested.to_string()),
                ("nd_executed", p.disposals.executed.to_string()),
                ("nd_on_time_rate", rate_label(p.disposals.on_time_rate())),
                ("nd_failed", p.disposals.failed.to_string()),
                ("nd_overdue", p.disposals.overdue.to_string()),
                ("of_calls", p.interceptions.calls_blocked.to_string()),
                ("of_sms", p.interceptions.sms_blocked.to_string()),
                ("of_shut", p.interceptions.numbers_shut.to_string()),
                (
                    "of_awareness_sms",
                    p.interceptions.awareness_sms.to_string(),
                ),
                (
                    "of_awareness_calls",
                    p.interceptions.awareness_calls.to_string(),
                ),
                ("bf_dissuaded_by_banks", p.bank_counts.dissuaded.to_string()),
                ("bf_dissuaded_yuan", yuan(p.bank_counts.dissuaded_fen)),
                ("bf_awareness_sms", p.bank_counts.awareness_sms.to_string()),
                (
                    "bf_awareness_calls",
                    p.bank_counts.awareness_calls.to_string(),
                ),
                ("tip_title", p.tips.reported.to_string()),
                ("tip_confirmed_stat", p.tips.confirmed.to_string()),
            ],
        ),
        (
            "registration_section",
            vec![
                ("outreach_events_period", p.outreach.events.to_string()),
                (
                    "outreach_people_period",
                    p.outreach.people_reached.to_string(),
                ),
                (
                    "outreach_face_to_face",
                    p.outreach.face_to_face_events.to_string(),
                ),
                (
                    "outreach_face_to_face_people",
                    p.outreach.face_to_face_people.to_string(),
                ),
                ("outreach_materials", p.outreach.materials.to_string()),
                (
                    "outreach_consultations",
                    p.outreach.consultations.to_string(),
                ),
                ("posts_count", p.posts.posts.to_string()),
                ("posts_views", p.posts.views.to_string()),
                ("quiz_participants_stat", p.quiz.participants.to_string()),
                ("quiz_pledged_people", p.quiz.pledged.to_string()),
                ("ad_stat_referrals", p.promotion.referrals.to_string()),
                ("ad_stat_verified", p.promotion.verified.to_string()),
                ("prior_outreach_asked", p.prior_outreach.known().to_string()),
                (
                    "prior_outreach_rate",
                    rate_label(p.prior_outreach.face_to_face_rate()),
                ),
                ("resident_count", p.registration.residents.to_string()),
                ("app_registered", p.registration.registered.to_string()),
                ("registration_rate", rate_label(p.registration.rate())),
                (
                    "registration_rate_16_60",
                    rate_label(p.registration.rate_16_60()),
                ),
                ("jd_signed_up", p.registration.joint_defense.to_string()),
                ("jd_share", rate_label(p.registration.joint_defense_rate())),
            ],
        ),
    ];
    sections
        .into_iter()
        .flat_map(|(section, lines)| {
            lines.into_iter().map(move |(figure, value)| {
                vec![
                    lang.t(section).to_string(),
                    lang.t(figure).to_string(),
                    value,
                ]
            })
        })
        .collect()
}

/// Age bands, sexes and occupations, each line with its dimension.
fn victims(p: &StatsPage) -> Vec<Vec<String>> {
    let lang = p.lang;
    let v = &p.victims;
    let dims = [
        ("age_band", v.ages.iter().collect::<Vec<_>>()),
        ("sex", v.sexes.iter().collect()),
        ("occupation", v.occupations.iter().map(|(_, l)| l).collect()),
    ];
    dims.into_iter()
        .flat_map(|(dim, lines)| {
            lines.into_iter().map(move |l| {
                vec![
                    lang.t(dim).to_string(),
                    l.label.to_string(),
                    l.cases.to_string(),
                    percent(l.share),
                    yuan(l.loss_fen),
                ]
            })
        })
        .collect()
}
