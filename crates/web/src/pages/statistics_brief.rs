//! 工作简报: the statistics of a unit and period written out as the paragraphs of a work brief,
//! the way bureaus report to leadership and to the unit above ("共发案X起，同比下降Y%，万人发案数Z…").
//! Built from the same figures as the statistics page (`/statistics?view=brief`), printable.

use super::statistics::{
    change, change_label, per_10k_label, rate_label, yoy_label, CaseFigures, Registration,
};
use super::victim_profile::VictimProfile;
use super::view::{percent, yuan};
use crate::crime_share::{points_label, share_label, CrimeShare};
use crate::i18n::Lang;
use fanzha_store::{
    BankCounts, CallCounts, CardFigures, CaseSupervision, CleanupCounts, DismantledTally,
    DisposalCounts, EnforcementFigures, FundFigures, InterceptCounts, KeyPersonFigures,
    LeadFigures, LeadResult, LoopTally, MeasureClass, NoticeFigures, OutreachTotals, PostTally,
    PriorOutreachTally, ProposalFigures, SuspectCharge, TipCounts, TypicalCase,
};
use fanzha_workflow::LoopFigures;

/// A unit line as the brief reads it.
pub struct BriefUnit<'a> {
    pub name: &'a str,
    pub cases: &'a CaseFigures,
    pub overdue: u64,
}

/// Everything a brief says.
pub struct BriefInput<'a> {
    pub unit_name: &'a str,
    /// "2026年1月1日至12月3日" / "1 January to 3 December 2026".
    pub span: String,
    pub cases: &'a CaseFigures,
    /// Fraud types by cases, most first: (label, cases).
    pub case_types: Vec<(&'a str, i64)>,
    pub victims: &'a VictimProfile,
    pub warnings: (i64, i64, i64),
    pub loop_figures: &'a LoopFigures,
    /// The counts behind `loop_figures`: signed, reached, dissuasion by channel.
    pub channels: &'a LoopTally,
    pub funds: &'a FundFigures,
    /// 资金预警 received in the period and how many were stopped (within 30 minutes).
    pub fund_warnings: super::fund_warnings::FundTally,
    pub return_rate: Option<f64>,
    /// "x/y" requests executed within 30 minutes, or None without requests.
    pub stopped_in_time: Option<(i64, i64)>,
    pub registration: &'a Registration,
    /// Employers of the area's residents, the lowest registration rate first.
    pub employers: &'a [fanzha_store::EmployerRegistration],
    pub key_persons: &'a KeyPersonFigures,
    /// People reported up for a punishment or an exit ban in the period.
    pub proposals: &'a ProposalFigures,
    /// Talks and campaigns held in the period.
    pub outreach: &'a OutreachTotals,
    /// New-media posts published in the period.
    pub posts: &'a PostTally,
    /// The period's victims by whether outreach had reached them before.
    pub prior_outreach: &'a PriorOutreachTally,
    /// 电诈案件占刑事案件比 over the period's whole months.
    pub crime: &'a CrimeShare,
    /// New cards opened in the period, as screened.
    pub cards: &'a CardFigures,
    /// Two-card leads pushed down, as they stand.
    pub leads: &'a LeadFigures,
    /// 存量卡清理: the requests to banks made in the period, as they stand.
    pub cleanups: &'a CleanupCounts,
    /// 通讯反制: the number disposals asked in the period, as they stand.
    pub disposals: &'a DisposalCounts,
    /// The tips reported in the period.
    pub tips: &'a TipCounts,
    /// 96110 calls made in the period.
    pub calls: &'a CallCounts,
    /// What the operators intercepted over the period's whole months.
    pub interceptions: &'a InterceptCounts,
    /// The banks' figures over the period's whole months.
    pub bank_counts: &'a BankCounts,
    /// 打击成效 of the period.
    pub enforcement: &'a EnforcementFigures,
    /// 打击成效 of the same period a year earlier, for 同比.
    pub enforcement_last_year: &'a EnforcementFigures,
    /// 损失追回率: (returns + 追赃) over the period's case losses.
    pub recovery_rate: Option<f64>,
    /// 企业反诈联盟: the members of the area and their figures for the period.
    pub alliance: &'a fanzha_store::AllianceTally,
    /// 反诈知识测试: attempts handed in during the period, all and at campaigns for
    /// public-sector staff.
    pub quiz: &'a fanzha_store::QuizFigures,
    pub quiz_public_sector: &'a fanzha_store::QuizFigures,
    /// 国家反诈中心APP推广: promoters enrolled at the area's drives and residents of the area
    /// registered through any drive, in the period.
    pub promotion: &'a fanzha_store::PromotionPeriod,
    /// 联席办: members, letters, meetings, tasks and spot checks of the period.
    pub joint: &'a super::joint_office::JointTally,
    /// 集群战役 launched in the period, with their targets as they stand.
    pub operations: &'a fanzha_store::OperationFigures,
    pub units: Vec<BriefUnit<'a>>,
    /// The employer notices (提示单) of the period's public-sector cases.
    pub notices: &'a NoticeFigures,
    /// The period's typical cases of the area (典型案例), latest first.
    pub typical: &'a [TypicalCase],
    /// More typical cases matched than `typical` holds (the list's limit).
    pub typical_more: bool,
}

/// A titled paragraph.
pub struct BriefSection {
    pub title: &'static str,
    pub text: String,
}

/// 环比 of the cases, the losses against both periods, and the "两降" verdict:
/// "；环比下降20.0%（上期5起），损失同比下降61.3%、环比上升5.0%，实现发案、损失“两降”".
fn period_changes(zh: bool, lang: Lang, c: &CaseFigures) -> String {
    let words = |label: String| {
        if zh {
            label.replace('↑', "上升").replace('↓', "下降")
        } else {
            label.replace('↑', "up ").replace('↓', "down ")
        }
    };
    let mut text = match change(c.cases, c.previous) {
        Some(_) if zh => format!(
            "；环比{}（上期{}起）",
            words(change_label(lang, c.cases, c.previous)),
            c.previous
        ),
        Some(_) => format!(
            "; {} on the previous period ({})",
            words(change_label(lang, c.cases, c.previous)),
            c.previous
        ),
        // Nothing now and nothing before: no change to report.
        None if c.cases == 0 => String::new(),
        None if zh => format!("；上期{}起", c.previous),
        None => format!("; {} in the previous period", c.previous),
    };
    let yoy = change(c.loss_fen, c.loss_last_year)
        .map(|_| words(change_label(lang, c.loss_fen, c.loss_last_year)));
    let mom = change(c.loss_fen, c.loss_previous)
        .map(|_| words(change_label(lang, c.loss_fen, c.loss_previous)));
    let parts: Vec<String> = if zh {
        [
            yoy.map(|v| format!("同比{v}")),
            mom.map(|v| format!("环比{v}")),
        ]
    } else {
        [
            yoy.map(|v| format!("{v} year on year")),
            mom.map(|v| format!("{v} on the previous period")),
        ]
    }
    .into_iter()
    .flatten()
    .collect();
    if !parts.is_empty() {
        text += &if zh {
            format!("，损失{}", parts.join("、"))
        } else {
            format!("; losses {}", parts.join(", "))
        };
    }
    text += match (c.two_down(), zh) {
        (Some(true), true) => "，实现发案、损失“两降”",
        (Some(false), true) => "，未实现发案、损失“两降”",
        (Some(true), false) => "; cases and losses both down on last year",
        (Some(false), false) => "; cases and losses not both down on last year",
        (None, _) => "",
    };
    text
}

/// "；电诈案件占刑事案件总数25.9%，同比下降21.7个百分点" — nothing when no month of the period
/// has criminal cases entered.
fn crime_clause(zh: bool, lang: Lang, crime: &CrimeShare) -> String {
    let Some(share) = crime.share() else {
        return String::new();
    };
    let (_, _, months) = crime.totals();
    let whole = months == crime.months.len();
    let change = crime
        .change_points()
        .map(|_| points_label(lang, crime.change_points()));
    if zh {
        let mut s = format!("；电诈案件占刑事案件总数{}", share_label(Some(share)));
        if !whole {
            s += &format!("（据已报{months}个月立案数）");
        }
        if let Some(c) = change {
            s += &format!("，同比{}", c.replace('↑', "上升").replace('↓', "下降"));
        }
        s
    } else {
        let mut s = format!(
            "; telecom fraud made up {} of all criminal cases",
            share_label(Some(share))
        );
        if !whole {
            s += &format!(" (over the {months} months entered)");
        }
        if let Some(c) = change {
            s += &format!(", {c} on last year");
        }
        s
    }
}

/// "其中面对面宣防X场…；新媒体发布…；回访受害人…" — the parts with any count.
fn reach_sentence(zh: bool, b: &BriefInput<'_>) -> String {
    let o = b.outreach;
    let mut parts = Vec::new();
    if o.face_to_face_events > 0 {
        parts.push(if zh {
            format!(
                "其中面对面宣防{}场、覆盖{}人",
                o.face_to_face_events, o.face_to_face_people
            )
        } else {
            format!(
                "{} of them face to face, reaching {}",
                o.face_to_face_events, o.face_to_face_people
            )
        });
    }
    if o.materials > 0 {
        parts.push(if zh {
            format!("发放宣传资料{}份", o.materials)
        } else {
            format!("{} leaflets handed out", o.materials)
        });
    }
    if o.consultations > 0 {
        parts.push(if zh {
            format!("接受群众咨询{}人次", o.consultations)
        } else {
            format!("{} questions answered", o.consultations)
        });
    }
    if b.posts.posts > 0 {
        parts.push(if zh {
            format!(
                "新媒体发布文章、视频{}条，累计阅读（播放）量{}次",
                b.posts.posts, b.posts.views
            )
        } else {
            format!(
                "{} new-media posts viewed {} times",
                b.posts.posts, b.posts.views
            )
        });
    }
    let p = b.prior_outreach;
    if let Some(rate) = p.face_to_face_rate() {
        parts.push(if zh {
            format!(
                "回访受害人{}人，此前接受过面对面宣防的{}人（占{}）",
                p.known(),
                p.face_to_face,
                rate_label(Some(rate))
            )
        } else {
            format!(
                "of {} victims asked, {} had been reached face to face ({})",
                p.known(),
                p.face_to_face,
                rate_label(Some(rate))
            )
        });
    }
    if parts.is_empty() {
        return String::new();
    }
    if zh {
        format!("{}。", parts.join("；"))
    } else {
        format!(" {}.", parts.join("; "))
    }
}

/// "签收预警劝阻指令X条，联系X人；劝阻成功中电话劝阻a人次、见面劝阻b人次…" — the channels
/// with any count, in the order the field records them.
fn channel_sentence(zh: bool, t: &LoopTally) -> String {
    let channels = [
        ("电话劝阻", "by phone", t.dissuaded_phone),
        ("见面劝阻", "face to face", t.dissuaded_visit),
        ("亲属劝阻", "through relatives", t.dissuaded_relatives),
        ("短信劝阻", "by SMS", t.dissuaded_sms),
        ("自主防范", "self-aware", t.self_aware),
    ];
    let used: Vec<String> = channels
        .iter()
        .filter(|c| c.2 > 0)
        .map(|(z, e, n)| {
            if zh {
                format!("{z}{n}人次")
            } else {
                format!("{n} {e}")
            }
        })
        .collect();
    let mut text = if zh {
        format!("签收预警劝阻指令{}条，联系到{}人", t.signed, t.contacted)
    } else {
        format!(
            " {} instructions signed, {} people reached",
            t.signed, t.contacted
        )
    };
    if !used.is_empty() {
        text += &if zh {
            format!("；劝阻方式：{}", used.join("、"))
        } else {
            format!("; dissuaded {}", used.join(", "))
        };
    }
    text += if zh { "。" } else { "." };
    text
}

/// "96110预警专线外呼N次，接通M次（接通率X%），劝阻成功K人次。" (the deployment's hotline) —
/// nothing without calls.
fn calls_sentence(zh: bool, c: &CallCounts) -> String {
    if c.calls == 0 {
        return String::new();
    }
    let rate = rate_label(c.connect_rate());
    let line = fanzha_core::hotline::number();
    if zh {
        format!(
            "{line}预警专线外呼{}次，接通{}次（接通率{}），劝阻成功{}人次。",
            c.calls, c.connected, rate, c.dissuaded
        )
    } else {
        format!(
            " The {line} seats made {} calls, {} connected ({}), {} dissuaded.",
            c.calls, c.connected, rate, c.dissuaded
        )
    }
}

/// The brief's paragraphs, in the order of a bureau's report: cases, warnings and dissuasion,
/// money, prevention, units.
pub fn brief(lang: Lang, b: &BriefInput<'_>) -> Vec<BriefSection> {
    let zh = lang == Lang::Zh;
    let mut out = Vec::new();
    let c = b.cases;
    let trend = if c.last_year == 0 {
        if zh {
            format!("去年同期{}起", c.last_year)
        } else {
            format!("{} in the same period last year", c.last_year)
        }
    } else {
        let change = yoy_label(lang, c);
        if zh {
            format!(
                "同比{}（去年同期{}起）",
                change.replace('↑', "上升").replace('↓', "下降"),
                c.last_year
            )
        } else {
            format!(
                "{} year on year ({} in the same period last year)",
                change, c.last_year
            )
        }
    };
    let per_10k = match c.per_10k() {
        Some(_) if zh => format!("，万人发案数{}", per_10k_label(c)),
        Some(_) => format!(", {} per 10,000 residents", per_10k_label(c)),
        None => String::new(),
    };
    let total = c.cases.max(1) as f64;
    let types: Vec<String> = b
        .case_types
        .iter()
        .take(3)
        .map(|(label, n)| {
            let share = *n as f64 * 100.0 / total;
            if zh {
                format!("{label}{n}起（占{share:.1}%）")
            } else {
                format!("{label} {n} ({share:.1}%)")
            }
        })
        .collect();
    let mut text = if zh {
        format!(
            "{}{}共发案{}起，{}{}，造成损失{}",
            b.span,
            b.unit_name,
            c.cases,
            trend,
            per_10k,
            yuan(c.loss_fen)
        )
    } else {
        format!(
            "{}: {} cases in {}, {}{}; losses {}",
            b.span,
            c.cases,
            b.unit_name,
            trend,
            per_10k,
            yuan(c.loss_fen)
        )
    };
    text += &period_changes(zh, lang, c);
    text += &crime_clause(zh, lang, b.crime);
    if c.public_sector > 0 {
        text += &if zh {
            format!("；其中财政供养人员被骗{}起", c.public_sector)
        } else {
            format!(
                "; {} of the victims are paid from public funds",
                c.public_sector
            )
        };
        text += &notices_clause(zh, b.notices);
    }
    if !types.is_empty() {
        text += &if zh {
            format!("。高发类型：{}", types.join("、"))
        } else {
            format!(". Most frequent: {}", types.join(", "))
        };
    }
    // The age band with most victims, when any victim's age is known (the last band is
    // "unknown").
    let known = &b.victims.ages[..b.victims.ages.len().saturating_sub(1)];
    let top_age = known.iter().filter(|l| l.cases > 0).max_by_key(|l| l.cases);
    if let Some(top) = top_age {
        text += &if zh {
            format!("；受害人以{}居多（占{}）", top.label, percent(top.share))
        } else {
            format!(
                "; most victims were aged {} ({})",
                top.label,
                percent(top.share)
            )
        };
    }
    // The leading occupations, as bureaus write them ("受害人以企业职工、个体工商户居多
    // （合计占62.4%）"); after the age band, as its continuation.
    if let Some((names, share)) = b.victims.leading_occupations() {
        let share = share * 100.0;
        let together = names.len() > 1;
        text += &match (zh, top_age.is_some(), together) {
            (true, false, true) => {
                format!("；受害人以{}居多（合计占{share:.1}%）", names.join("、"))
            }
            (true, false, false) => format!("；受害人以{}居多（占{share:.1}%）", names[0]),
            (true, true, true) => format!("，职业以{}居多（合计占{share:.1}%）", names.join("、")),
            (true, true, false) => format!("，职业以{}居多（占{share:.1}%）", names[0]),
            (false, _, true) => format!(
                "; by occupation, mostly {} ({share:.1}% together)",
                names.join(" and ")
            ),
            (false, _, false) => format!("; by occupation, mostly {} ({share:.1}%)", names[0]),
        };
    }
    text += if zh { "。" } else { "." };
    out.push(BriefSection {
        title: if zh { "一、发案情况" } else { "1. Cases" },
        text,
    });

    let f = b.loop_figures;
    let (red, orange, yellow) = b.warnings;
    let text = if zh {
        format!(
            "共产生预警{}条（红色{}条、橙色{}条、黄色{}条），下发劝阻指令{}条，劝阻成功{}人，劝阻后仍被骗{}人，无法联系{}人，劝阻成功率{}；签收及时率{}，联系及时率{}；超期未办结{}条。",
            red + orange + yellow,
            red,
            orange,
            yellow,
            f.instructions,
            f.dissuaded,
            f.defrauded,
            f.unreachable,
            percent(f.dissuasion_rate),
            percent(f.sign_in_sla_rate),
            percent(f.contact_in_sla_rate),
            f.overdue
        )
    } else {
        format!(
            "{} warnings ({} red, {} orange, {} yellow); {} instructions; {} people dissuaded, {} defrauded after the warning, {} unreachable; dissuasion rate {}; signed in time {}, contacted in time {}; {} overdue.",
            red + orange + yellow,
            red,
            orange,
            yellow,
            f.instructions,
            f.dissuaded,
            f.defrauded,
            f.unreachable,
            percent(f.dissuasion_rate),
            percent(f.sign_in_sla_rate),
            percent(f.contact_in_sla_rate),
            f.overdue
        )
    };
    let text = text + &channel_sentence(zh, b.channels) + &calls_sentence(zh, b.calls);
    out.push(BriefSection {
        title: if zh {
            "二、预警劝阻"
        } else {
            "2. Warnings and dissuasion"
        },
        text,
    });

    let m = b.funds;
    let in_time = match b.stopped_in_time {
        Some((done, of)) if zh => format!("，30分钟内完成止付{done}/{of}"),
        Some((done, of)) => format!("; {done} of {of} executed within 30 minutes"),
        None => String::new(),
    };
    let text = fund_warnings_sentence(zh, &b.fund_warnings)
        + &if zh {
            format!(
            "发起紧急止付{}次，止付账户{}个，止付金额{}{}；冻结账户{}个，冻结金额{}；返还受害人资金{}，资金返还率{}。",
            m.requested,
            m.stopped,
            yuan(m.stopped_fen),
            in_time,
            m.frozen,
            yuan(m.frozen_fen),
            yuan(m.returned_fen),
            rate_label(b.return_rate)
        )
        } else {
            format!(
            "{} stop-payment requests; {} accounts stopped holding {}{}; {} accounts frozen holding {}; {} returned to victims, a return rate of {}.",
            m.requested,
            m.stopped,
            yuan(m.stopped_fen),
            in_time,
            m.frozen,
            yuan(m.frozen_fen),
            yuan(m.returned_fen),
            rate_label(b.return_rate)
        )
        };
    out.push(BriefSection {
        title: if zh {
            "三、资金查控"
        } else {
            "3. Money stopped and returned"
        },
        text,
    });

    let r = b.registration;
    let o = b.outreach;
    let text = if zh {
        format!(
            "开展反诈宣传{}场，覆盖群众{}人，现场注册国家反诈中心APP{}人。{}辖区在册居民{}人，国家反诈中心APP注册{}人，注册率{}；16–60周岁注册率{}。{}{}{}{}{}",
            o.events,
            o.people_reached,
            o.app_registrations,
            reach_sentence(zh, b),
            r.residents,
            r.registered,
            rate_label(r.rate()),
            rate_label(r.rate_16_60()),
            employers_sentence(zh, b.employers),
            quiz_sentence(zh, b.quiz, b.quiz_public_sector),
            promotion_sentence(zh, b.promotion),
            alliance_sentence(zh, b.alliance),
            joint_sentence(zh, b.joint)
        )
    } else {
        format!(
            "{} talks and campaigns reaching {} people, {} app installs on the spot.{} {} registered residents, {} on the national anti-fraud app: {}; aged 16–60: {}.{}{}{}{}{}",
            o.events,
            o.people_reached,
            o.app_registrations,
            reach_sentence(zh, b),
            r.residents,
            r.registered,
            rate_label(r.rate()),
            rate_label(r.rate_16_60()),
            employers_sentence(zh, b.employers),
            quiz_sentence(zh, b.quiz, b.quiz_public_sector),
            promotion_sentence(zh, b.promotion),
            alliance_sentence(zh, b.alliance),
            joint_sentence(zh, b.joint)
        )
    };
    out.push(BriefSection {
        title: if zh {
            "四、宣传防范"
        } else {
            "4. Prevention"
        },
        text,
    });

    let k = b.key_persons;
    let text = if zh {
        format!(
            "在控重点人员{}人，其中惩戒中{}人、不准出境{}人；滞留境外{}人，已劝返{}人，劝返率{}。",
            k.in_control,
            k.punished,
            k.exit_bans,
            k.abroad,
            k.returned,
            rate_label(k.return_rate())
        )
    } else {
        format!(
            "{} key persons in control, {} under a punishment and {} barred from leaving the country; {} still abroad, {} persuaded back: a return rate of {}.",
            k.in_control,
            k.punished,
            k.exit_bans,
            k.abroad,
            k.returned,
            rate_label(k.return_rate())
        )
    };
    // 上报惩戒 / 不准出境报备 of the period: said only when someone was reported up.
    let text = match proposals_clause(zh, b.proposals) {
        None => text,
        Some(clause) if zh => format!("{}；{clause}。", text.trim_end_matches('。')),
        Some(clause) => format!("{}; {clause}.", text.trim_end_matches('.')),
    };
    // 走访到期未走访: said only when someone is overdue.
    let text = match k.visits_overdue {
        0 => text,
        n if zh => format!("{}；走访到期未走访{n}人。", text.trim_end_matches('。')),
        n => format!("{}; {n} overdue for a visit.", text.trim_end_matches('.')),
    };
    out.push(BriefSection {
        title: if zh {
            "五、重点人员管控"
        } else {
            "5. Key persons"
        },
        text,
    });

    out.push(BriefSection {
        title: if zh {
            "六、断卡行动"
        } else {
            "6. Card crackdown"
        },
        text: format!(
            "{}{}{}{}{}{}",
            cards_paragraph(zh, b.cards, b.leads),
            cleanups_sentence(zh, b.cleanups),
            disposals_sentence(zh, b.disposals),
            interceptions_sentence(zh, b.interceptions),
            banks_sentence(zh, b.bank_counts),
            tips_sentence(zh, b.tips)
        ),
    });

    out.push(BriefSection {
        title: if zh {
            "七、打击成效"
        } else {
            "7. Enforcement"
        },
        text: format!(
            "{}{}",
            enforcement_paragraph(zh, b.enforcement, b.enforcement_last_year, b.recovery_rate),
            operations_sentence(zh, b.operations)
        ),
    });

    if let Some(text) = units_paragraph(zh, &b.units) {
        out.push(BriefSection {
            title: if zh {
                "八、各单位情况"
            } else {
                "8. Units"
            },
            text,
        });
    }
    if !b.typical.is_empty() {
        // The last paragraph: 八 when the units have none to report, else 九.
        let eighth = out.len() == 7;
        out.push(BriefSection {
            title: match (zh, eighth) {
                (true, true) => "八、典型案例",
                (true, false) => "九、典型案例",
                (false, true) => "8. Typical cases",
                (false, false) => "9. Typical cases",
            },
            text: typical_paragraph(zh, b.typical, b.typical_more),
        });
    }
    out
}

/// How the period's public-sector cases were notified: "，已向其所在单位下发提示单2份（及时下发1
/// 份），1起尚未下发" — nothing when no notice is due.
/// "本期上报惩戒3人、不准出境报备1人", or None when nobody was reported up in the period.
fn proposals_clause(zh: bool, p: &ProposalFigures) -> Option<String> {
    let (punish, ban) = (p.people_reported_punishment, p.people_reported_exit_ban);
    match (punish, ban, zh) {
        (0, 0, _) => None,
        (n, 0, true) => Some(format!("本期上报惩戒{n}人")),
        (0, m, true) => Some(format!("本期不准出境报备{m}人")),
        (n, m, true) => Some(format!("本期上报惩戒{n}人、不准出境报备{m}人")),
        (n, 0, false) => Some(format!("{n} reported up for punishment in the period")),
        (0, m, false) => Some(format!("{m} reported up for an exit ban in the period")),
        (n, m, false) => Some(format!(
            "{n} reported up for punishment and {m} for an exit ban in the period"
        )),
    }
}

fn notices_clause(zh: bool, n: &NoticeFigures) -> String {
    if n.cases == 0 {
        return String::new();
    }
    let mut out = if zh {
        format!(
            "，已向其所在单位下发提示单{}份（及时下发{}份）",
            n.issued, n.issued_on_time
        )
    } else {
        format!(
            ", {} notice(s) sent to their employers ({} on time)",
            n.issued, n.issued_on_time
        )
    };
    if n.pending > 0 {
        out += &if zh {
            format!("，{}起尚未下发", n.pending)
        } else {
            format!(", {} not yet sent", n.pending)
        };
    }
    out
}

/// A text as a sentence: its own closing mark kept, else 。 (or .) added.
fn sentence(zh: bool, text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['。', '！', '？', '.', '!', '?', '”']) {
        t.to_string()
    } else if zh {
        format!("{t}。")
    } else {
        format!("{t}.")
    }
}

/// 典型案例: each case's title, summary and advice, numbered — the texts were checked to
/// identify nobody when they were written.
/// The latest typical cases the brief retells; the rest are on the typical-case page.
const BRIEF_TYPICAL: usize = 10;

fn typical_paragraph(zh: bool, cases: &[TypicalCase], more: bool) -> String {
    let shown = &cases[..cases.len().min(BRIEF_TYPICAL)];
    let rest = if cases.len() > shown.len() || more {
        let total = if more {
            if zh {
                format!("{}起以上", cases.len())
            } else {
                format!("over {}", cases.len())
            }
        } else if zh {
            format!("{}起", cases.len())
        } else {
            cases.len().to_string()
        };
        if zh {
            format!(
                "本期典型案例共{total}，以上为最近{}起，全部见典型案例页。",
                shown.len()
            )
        } else {
            format!(
                " The period has {total} typical cases; the latest {} are above, all are on the typical-case page.",
                shown.len()
            )
        }
    } else {
        String::new()
    };
    let lines = shown
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut line = if zh {
                format!("（{}）{}。{}", i + 1, t.title, sentence(zh, &t.summary))
            } else {
                format!("({}) {}. {}", i + 1, t.title, sentence(zh, &t.summary))
            };
            if !t.advice.is_empty() {
                line += &if zh {
                    format!("防范提示：{}", sentence(zh, &t.advice))
                } else {
                    format!(" What it teaches: {}", sentence(zh, &t.advice))
                };
            }
            line
        })
        .collect::<Vec<_>>()
        .join(if zh { "" } else { " " });
    lines + &rest
}

/// "（同比上升12.5%）" of `now` against `base` a year earlier; nothing without a base.
fn yoy_clause(zh: bool, now: i64, base: i64) -> String {
    let lang = if zh { Lang::Zh } else { Lang::En };
    match change(now, base) {
        None => String::new(),
        Some(_) => {
            let label = change_label(lang, now, base);
            if zh {
                format!(
                    "（同比{}）",
                    label.replace('↑', "上升").replace('↓', "下降")
                )
            } else {
                format!(
                    " ({} year on year)",
                    label.replace('↑', "up ").replace('↓', "down ")
                )
            }
        }
    }
}

/// What the gangs and dens dismantled yielded: devices, then phone and bank cards apart, and the
/// cards of entries recorded before the two were counted apart as a remainder of unrecorded kind.
fn seized_clause(zh: bool, g: &DismantledTally) -> String {
    let unsplit = g.unsplit_cards();
    let only_unsplit = g.phone_cards == 0 && g.bank_cards == 0;
    let mut parts = Vec::with_capacity(4);
    if zh {
        parts.push(format!("设备{}台", g.devices));
        if only_unsplit {
            parts.push(format!("卡{}张", g.cards));
        } else {
            parts.push(format!("手机卡{}张", g.phone_cards));
            parts.push(format!("银行卡{}张", g.bank_cards));
            if unsplit > 0 {
                parts.push(format!("未分类卡{unsplit}张"));
            }
        }
        parts.join("、")
    } else {
        parts.push(format!("{} devices", g.devices));
        if only_unsplit {
            parts.push(format!("{} cards", g.cards));
        } else {
            parts.push(format!("{} phone cards", g.phone_cards));
            parts.push(format!("{} bank cards", g.bank_cards));
            if unsplit > 0 {
                parts.push(format!("{unsplit} cards of unrecorded kind"));
            }
        }
        let last = parts.pop().unwrap_or_default();
        format!("{} and {last}", parts.join(", "))
    }
}

/// 打击成效: cases solved and the solve rate, suspects caught by measure (with 同比), by charge
/// and sent for prosecution, money recovered and the loss recovery rate, gangs and dens
/// dismantled with the devices seized.
fn enforcement_paragraph(
    zh: bool,
    e: &EnforcementFigures,
    last_year: &EnforcementFigures,
    recovery_rate: Option<f64>,
) -> String {
    let g = e.dismantled_total();
    let groups = if g.groups == 0 {
        String::new()
    } else {
        let kinds: Vec<String> = e
            .dismantled
            .iter()
            .map(|t| {
                if zh {
                    format!("{}{}个", t.kind.zh(), t.groups)
                } else {
                    format!("{} {}", t.groups, t.kind.en().to_lowercase())
                }
            })
            .collect();
        let five = match (zh, e.gangs_of_five) {
            (_, 0) => String::new(),
            (true, n) => format!("；其中5人以上团伙{n}个"),
            (false, n) => format!("; {n} of them of five or more people"),
        };
        if zh {
            format!(
                "打掉团伙/窝点{}个（{}{}），抓获{}人，缴获{}。",
                g.groups,
                kinds.join("、"),
                five,
                g.arrested,
                seized_clause(zh, &g)
            )
        } else {
            format!(
                " {} gangs and dens dismantled ({}{}), {} people arrested, {} seized.",
                g.groups,
                kinds.join(", "),
                five,
                g.arrested,
                seized_clause(zh, &g)
            )
        }
    };
    if zh {
        format!(
            "本期案件破案{}起，破案率{}（期内破案{}起）{}{}；抓获犯罪嫌疑人{}人{}{}，其中采取强制措施{}人、行政处罚{}人、教育训诫惩戒{}人{}；追赃{}，损失追回率{}。{}",
            e.solved,
            rate_label(e.solve_rate()),
            e.solved_in_period,
            supervised_clause(zh, e),
            elsewhere_clause(zh, e),
            e.caught(),
            yoy_clause(zh, e.caught(), last_year.caught()),
            fugitives_clause(zh, e),
            e.of_class(MeasureClass::Coercive),
            e.of_class(MeasureClass::Administrative),
            e.of_class(MeasureClass::Education),
            charges_clause(zh, e, last_year),
            yuan(e.recovered_fen),
            rate_label(recovery_rate),
            groups
        )
    } else {
        format!(
            "{} of the period's cases solved, a solve rate of {} ({} solved in the period){}{}; {} suspects dealt with{}{}: {} under coercive measures, {} administrative penalties, {} reprimanded{}; {} recovered by investigation, a loss recovery rate of {}.{}",
            e.solved,
            rate_label(e.solve_rate()),
            e.solved_in_period,
            supervised_clause(zh, e),
            elsewhere_clause(zh, e),
            e.caught(),
            yoy_clause(zh, e.caught(), last_year.caught()),
            fugitives_clause(zh, e),
            e.of_class(MeasureClass::Coercive),
            e.of_class(MeasureClass::Administrative),
            e.of_class(MeasureClass::Education),
            charges_clause(zh, e, last_year),
            yuan(e.recovered_fen),
            rate_label(recovery_rate),
            groups
        )
    }
}

/// "；开户后90天内销户N张" — the period's new cards their banks closed within weeks, when any.
fn short_lived_clause(zh: bool, c: &CardFigures) -> String {
    match (zh, c.short_lived) {
        (_, 0) => String::new(),
        (true, n) => format!("；开户后90天内销户{n}张"),
        (false, n) => format!("; {n} closed by their bank within 90 days of opening"),
    }
}

/// "（其中网上逃犯N人）" — the fugitives among the people caught, when any.
fn fugitives_clause(zh: bool, e: &EnforcementFigures) -> String {
    match (zh, e.fugitives_caught) {
        (_, 0) => String::new(),
        (true, n) => format!("（其中网上逃犯{n}人）"),
        (false, n) => format!(" ({n} of them fugitives on the wanted list)"),
    }
}

/// "，其中督办案件N起（公安部督办a起），已破M起" — the supervised cases of the period, when any.
fn supervised_clause(zh: bool, e: &EnforcementFigures) -> String {
    let (cases, solved) = e.supervised_total();
    if cases == 0 {
        return String::new();
    }
    let ministry = e
        .supervised
        .iter()
        .find(|t| t.level == CaseSupervision::Ministry)
        .map_or(0, |t| t.cases);
    match (zh, ministry) {
        (true, 0) => format!("，其中督办案件{cases}起，已破{solved}起"),
        (true, m) => format!("，其中督办案件{cases}起（公安部督办{m}起），已破{solved}起"),
        (false, 0) => format!(", {cases} of them supervised from above ({solved} solved)"),
        (false, m) => format!(
            ", {cases} of them supervised from above ({m} by the Ministry; {solved} solved)"
        ),
    }
}

/// "；按罪名：诈骗罪a人、帮信罪b人；移送起诉N人" — the charges of the people caught and the
/// people sent for prosecution, each part only when it has any.
fn charges_clause(zh: bool, e: &EnforcementFigures, last_year: &EnforcementFigures) -> String {
    let short = |c: SuspectCharge| match c {
        SuspectCharge::Fraud => ("诈骗罪", "fraud"),
        SuspectCharge::Helping => ("帮信罪", "assisting cybercrime"),
        SuspectCharge::Concealing => ("掩隐罪", "concealing proceeds"),
        SuspectCharge::Border => ("偷越国（边）境罪", "illegal border crossing"),
        SuspectCharge::Other => ("其他罪名", "other charges"),
    };
    let charged: Vec<String> = e
        .caught_by_charge
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(c, n)| {
            let (z, en) = short(*c);
            if zh {
                format!("{z}{n}人")
            } else {
                format!("{n} {en}")
            }
        })
        .collect();
    let mut out = String::new();
    if !charged.is_empty() {
        out += &if zh {
            format!("；按罪名：{}", charged.join("、"))
        } else {
            format!("; charged: {}", charged.join(", "))
        };
    }
    if e.prosecuted > 0 {
        let yoy = yoy_clause(zh, e.prosecuted, last_year.prosecuted);
        out += &if zh {
            format!("；移送起诉{}人{yoy}", e.prosecuted)
        } else {
            format!("; {} sent for prosecution{yoy}", e.prosecuted)
        };
    }
    out
}

/// 断卡: new cards screened and what became of them, the share later found in cases, and the
/// two-card leads checked on the ground.
fn cards_paragraph(zh: bool, c: &CardFigures, l: &LeadFigures) -> String {
    let sellers = c.card_sellers();
    let share = rate_label(c.involved_share());
    let given_away = rate_label(l.given_away_share());
    let dealt = match (l.dealt_with, zh) {
        (0, _) => String::new(),
        (n, true) => format!("，打击处理{n}人（其中刑事强制措施{}人）", l.coercive),
        (n, false) => format!(
            "; {n} holders dealt with, {} under coercive measures",
            l.coercive
        ),
    };
    let text = if zh {
        format!(
            "审查新开卡{}张，中高风险{}张，已审查{}张，认定涉嫌买卖两卡{}张；新开卡中已涉案{}张，新开卡涉案比例{}{}。两卡线索累计下发{}条，已核查{}条，超期未核查{}条，查实出租出借或出售{}条（占已核查{}）{}。",
            c.screened,
            c.flagged(),
            c.reviewed,
            sellers,
            c.involved,
            share,
            short_lived_clause(true, c),
            l.received,
            l.checked,
            l.overdue,
            l.given_away(),
            given_away,
            dealt
        )
    } else {
        format!(
            "{} new cards screened, {} of medium or high risk, {} reviewed, {} found opened for sale; {} of the new cards have since received victim money, a share of {}{}. {} two-card leads received, {} checked, {} overdue, {} found lent or sold ({} of those checked){}.",
            c.screened,
            c.flagged(),
            c.reviewed,
            sellers,
            c.involved,
            share,
            short_lived_clause(false, c),
            l.received,
            l.checked,
            l.overdue,
            l.given_away(),
            given_away,
            dealt
        )
    };
    // The roaming leads continue the paragraph's last sentence.
    let stop = if zh { "。" } else { "." };
    match text.strip_suffix(stop) {
        Some(head) => format!("{head}{}", roaming_clause(zh, l)),
        None => text,
    }
}

/// "；其中手机漫游线索N条，核查发现本人滞留境外a人、已回国b人。" replacing the paragraph's last stop;
/// nothing without roaming leads.
fn roaming_clause(zh: bool, l: &LeadFigures) -> String {
    let n = |r: LeadResult| l.by_result.get(&r).copied().unwrap_or(0);
    match (l.roaming, zh) {
        (0, true) => "。".into(),
        (0, false) => ".".into(),
        (r, true) => format!(
            "；其中手机漫游线索{r}条，核查发现本人滞留境外{}人、已回国{}人。",
            n(LeadResult::Abroad),
            n(LeadResult::Returned)
        ),
        (r, false) => format!(
            "; {r} of them roaming leads, whose checks found {} holders abroad and {} back home.",
            n(LeadResult::Abroad),
            n(LeadResult::Returned)
        ),
    }
}

/// 单位干部职工注册情况: the public bodies' staff registration rate and the three employers with
/// the lowest rate; nothing without employers.
fn employers_sentence(zh: bool, employers: &[fanzha_store::EmployerRegistration]) -> String {
    if employers.is_empty() {
        return String::new();
    }
    let public = employers.iter().filter(|e| e.public_sector);
    let (staff, registered) = public.fold((0, 0), |(s, r), e| (s + e.staff, r + e.registered));
    let public_rate = (staff > 0).then(|| registered as f64 / staff as f64);
    let lowest = employers
        .iter()
        .take(3)
        .map(|e| {
            if zh {
                format!("{}（{}）", e.employer, rate_label(e.rate()))
            } else {
                format!("{} ({})", e.employer, rate_label(e.rate()))
            }
        })
        .collect::<Vec<_>>();
    match (zh, public_rate) {
        (true, Some(rate)) => format!(
            "财政供养单位干部职工{}人，注册率{}；注册率最低的单位：{}。",
            staff,
            rate_label(Some(rate)),
            lowest.join("、")
        ),
        (true, None) => format!("注册率最低的单位：{}。", lowest.join("、")),
        (false, Some(rate)) => format!(
            " Public bodies' staff: {} people, {} registered; lowest employers: {}.",
            staff,
            rate_label(Some(rate)),
            lowest.join(", ")
        ),
        (false, None) => format!(" Lowest employers: {}.", lowest.join(", ")),
    }
}

/// 联席办: the member departments with this year's letters, the meetings, the tasks assigned
/// and done (on time) in the period and those overdue now, the spot checks of staff on the app;
/// nothing when the area's joint offices have no member.
fn joint_sentence(zh: bool, j: &super::joint_office::JointTally) -> String {
    if j.members == 0 {
        return String::new();
    }
    let checks = |zh: bool| match (zh, j.checks) {
        (_, 0) => String::new(),
        (true, n) => format!(
            "抽查成员单位干部职工{}人次（{}次），国家反诈中心APP注册率{}；",
            j.checked,
            n,
            j.registration()
        ),
        (false, n) => format!(
            " {n} spot checks of {} staff found {} on the national app;",
            j.checked,
            j.registration()
        ),
    };
    if zh {
        format!(
            "联席办成员单位{}个，{}个已签订本年度防范责任书；本期召开联席会议、调度会等{}次，部署任务{}项，完成{}项（按期率{}）；{}逾期未完成任务{}项。",
            j.members,
            j.signed,
            j.meetings,
            j.tasks.assigned,
            j.tasks.done,
            j.on_time(),
            checks(true),
            j.tasks.overdue
        )
    } else {
        format!(
            " The joint office has {} member departments, {} with this year's responsibility letter; {} meetings held, {} tasks assigned and {} done ({} on time);{} {} tasks overdue.",
            j.members,
            j.signed,
            j.meetings,
            j.tasks.assigned,
            j.tasks.done,
            j.on_time(),
            checks(false),
            j.tasks.overdue
        )
    }
}

/// 企业反诈联盟: the members, the events held at them and their staff defrauded in the
/// period; nothing when the area has no member.
/// "开展反诈知识测试，参与N人（其中财政供养人员K人），合格率X，签署反诈倡议书P人。" —
/// nothing when nobody took a quiz in the period.
fn quiz_sentence(
    zh: bool,
    q: &fanzha_store::QuizFigures,
    public_sector: &fanzha_store::QuizFigures,
) -> String {
    if q.participants == 0 {
        return String::new();
    }
    let rate = rate_label(q.pass_rate());
    if zh {
        let of_whom = if public_sector.participants > 0 {
            format!("（其中财政供养人员{}人）", public_sector.participants)
        } else {
            String::new()
        };
        format!(
            "开展反诈知识测试，参与{}人{of_whom}，合格率{rate}，签署反诈倡议书{}人。",
            q.participants, q.pledged
        )
    } else {
        let of_whom = if public_sector.participants > 0 {
            format!(
                " ({} of them public-sector staff)",
                public_sector.participants
            )
        } else {
            String::new()
        };
        format!(
            " {} people took the anti-fraud quiz{of_whom}, a pass rate of {rate}; {} signed the pledge.",
            q.participants, q.pledged
        )
    }
}

/// "干部职工发动亲友注册国家反诈中心APP，推广人N名，登记安装M人，经核验已注册K人。" — nothing
/// when the period saw neither a promoter nor a registration.
fn promotion_sentence(zh: bool, p: &fanzha_store::PromotionPeriod) -> String {
    if p.promoters == 0 && p.referrals == 0 {
        return String::new();
    }
    if zh {
        format!(
            "干部职工发动亲友注册国家反诈中心APP，推广人{}名，登记安装{}人，经核验已注册{}人。",
            p.promoters, p.referrals, p.verified
        )
    } else {
        format!(
            " Staff brought relatives onto the national anti-fraud app: {} promoters, {} residents recorded, {} verified as registered.",
            p.promoters, p.referrals, p.verified
        )
    }
}

fn alliance_sentence(zh: bool, a: &fanzha_store::AllianceTally) -> String {
    if a.members == 0 {
        return String::new();
    }
    if zh {
        format!(
            "企业反诈联盟成员企业{}家（职工{}人，其中财务人员{}人），本期在成员企业开展宣防{}场、覆盖{}人次，{}家尚未开展；成员企业职工被骗{}起、损失{}，其中财务人员被骗{}起。",
            a.members,
            a.staff,
            a.finance_staff,
            a.events,
            a.people_reached,
            a.without_events,
            a.victims,
            yuan(a.loss_fen),
            a.finance_victims
        )
    } else {
        format!(
            " The enterprise anti-fraud alliance has {} members ({} staff, {} in finance): {} events held at them reaching {} people, {} without one yet; {} of their staff defrauded, a loss of {}, {} of them finance staff.",
            a.members,
            a.staff,
            a.finance_staff,
            a.events,
            a.people_reached,
            a.without_events,
            a.victims,
            yuan(a.loss_fen),
            a.finance_victims
        )
    }
}

/// 集群战役: the operations launched in the period and what their targets came to; nothing
/// when none was launched.
fn operations_sentence(zh: bool, o: &fanzha_store::OperationFigures) -> String {
    if o.launched == 0 {
        return String::new();
    }
    let t = &o.targets;
    if zh {
        format!(
            "发起集群战役{}起，落地打击目标{}人（已落地{}人、未查到{}人、待落地{}人），抓获{}人。",
            o.launched,
            t.active(),
            t.located,
            t.not_found,
            t.pending,
            t.caught
        )
    } else {
        format!(
            " {} cluster operations launched with {} targets ({} located, {} not found, {} pending), {} caught.",
            o.launched,
            t.active(),
            t.located,
            t.not_found,
            t.pending,
            t.caught
        )
    }
}

/// 存量卡清理: the banks asked in the period to check and clean the cards of flagged holders,
/// what they answered and did; nothing when none was asked.
fn cleanups_sentence(zh: bool, c: &CleanupCounts) -> String {
    if c.requested == 0 {
        return String::new();
    }
    let rate = rate_label(c.on_time_rate());
    let cleaned = c.accounts_closed + c.accounts_restricted;
    if zh {
        format!(
            "存量卡清理：向银行发出核查{}条，已反馈{}条，按时反馈率{}，清理账户{}个（销户{}个、限制非柜面{}个），超时未反馈{}条。",
            c.requested, c.answered, rate, cleaned, c.accounts_closed, c.accounts_restricted, c.overdue
        )
    } else {
        format!(
            " Banks were asked to check and clean the existing cards of {} holders: {} answered, an on-time rate of {}, {} accounts cleaned ({} closed, {} restricted), {} overdue.",
            c.requested, c.answered, rate, cleaned, c.accounts_closed, c.accounts_restricted, c.overdue
        )
    }
}

/// "；共破获涉电诈案件N起（包括上级下发线索X起、带破外地案件Y起），综合破案率Z" — said only
/// when the period has cases solved outside the area's own.
fn elsewhere_clause(zh: bool, e: &EnforcementFigures) -> String {
    let s = e.solved_elsewhere;
    if s.total() == 0 {
        return String::new();
    }
    if zh {
        format!(
            "；共破获涉电诈案件{}起（包括上级下发线索{}起、带破外地案件{}起），综合破案率{}",
            e.solved_all(),
            s.upstream_leads,
            s.other_areas,
            rate_label(e.overall_solve_rate())
        )
    } else {
        format!(
            "; {} fraud cases solved in all (including {} leads sent down and {} other areas' cases), an overall solve rate of {}",
            e.solved_all(),
            s.upstream_leads,
            s.other_areas,
            rate_label(e.overall_solve_rate())
        )
    }
}

/// 资金预警: "接收资金预警N条，对收款账户发起保护性止付M条，其中30分钟内K条（占x%）。" — the
/// seeds' "提前介入，第一时间开展保护性止付"; nothing when none was received.
fn fund_warnings_sentence(zh: bool, f: &super::fund_warnings::FundTally) -> String {
    if f.received == 0 {
        return String::new();
    }
    let share = super::view::share(f.in_time, f.received);
    if zh {
        format!(
            "接收资金预警{}条，对收款账户发起保护性止付{}条，其中接收后30分钟内{}条（占{share}）。",
            f.received, f.stopped, f.in_time
        )
    } else {
        format!(
            "{} fund warnings received, a protective stop asked on the payee account for {}, {} of them within 30 minutes of receipt ({share}). ",
            f.received, f.stopped, f.in_time
        )
    }
}

/// 通讯反制: the numbers police asked operators to shut down, bar or intercept in the period,
/// with the on-time rate; nothing when none was asked.
fn disposals_sentence(zh: bool, d: &DisposalCounts) -> String {
    if d.requested == 0 {
        return String::new();
    }
    let rate = rate_label(d.on_time_rate());
    if zh {
        format!(
            "通讯反制：申请运营商处置涉诈号码{}个，已处置{}个，按时处置率{}，无法处置{}个，超时未处置{}个。",
            d.requested, d.executed, rate, d.failed, d.overdue
        )
    } else {
        format!(
            " Operators were asked to shut down, bar or intercept {} fraud numbers: {} done, an on-time rate of {}, {} not possible, {} overdue.",
            d.requested, d.executed, rate, d.failed, d.overdue
        )
    }
}

/// "运营商拦截诈骗电话N次、诈骗短信M条，自主关停涉诈号码K个，向用户推送防骗提醒短信A条、语音提醒B次。"
/// over the period's whole months; the reminders only when any were reported, nothing when no
/// operator reported anything.
fn interceptions_sentence(zh: bool, i: &InterceptCounts) -> String {
    if *i == InterceptCounts::default() {
        return String::new();
    }
    let reminders = i.awareness_sms + i.awareness_calls > 0;
    if zh {
        let mut s = format!(
            "运营商拦截诈骗电话{}次、诈骗短信{}条，自主关停涉诈号码{}个",
            i.calls_blocked, i.sms_blocked, i.numbers_shut
        );
        if reminders {
            s.push_str(&format!(
                "，向用户推送防骗提醒短信{}条、语音提醒{}次",
                i.awareness_sms, i.awareness_calls
            ));
        }
        s + "。"
    } else {
        let mut s = format!(
            " The operators intercepted {} fraud calls and {} messages and shut down {} numbers on their own",
            i.calls_blocked, i.sms_blocked, i.numbers_shut
        );
        if reminders {
            s.push_str(&format!(
                "; they texted {} anti-fraud reminders to their subscribers and made {} voice reminders",
                i.awareness_sms, i.awareness_calls
            ));
        }
        s + "."
    }
}

/// "受理举报线索N条，查实M条、排除K条，待核查J条。" — nothing when none was reported.
fn tips_sentence(zh: bool, t: &TipCounts) -> String {
    if t.reported == 0 {
        return String::new();
    }
    if zh {
        format!(
            "受理举报线索{}条，查实{}条、排除{}条，待核查{}条。",
            t.reported, t.confirmed, t.dismissed, t.pending
        )
    } else {
        format!(
            " {} tips were reported: {} confirmed, {} dismissed, {} still to check.",
            t.reported, t.confirmed, t.dismissed, t.pending
        )
    }
}

/// "各银行网点劝阻群众N人次、涉及金额X，向客户推送防骗提醒短信A条、语音提醒B次。" over the
/// period's whole months; each half only when any was reported, nothing when no bank reported.
fn banks_sentence(zh: bool, c: &BankCounts) -> String {
    if *c == BankCounts::default() {
        return String::new();
    }
    let reminders = c.awareness_sms + c.awareness_calls > 0;
    let mut parts = Vec::new();
    if zh {
        if c.dissuaded > 0 {
            parts.push(format!(
                "各银行网点劝阻群众{}人次、涉及金额{}",
                c.dissuaded,
                yuan(c.dissuaded_fen)
            ));
        }
        if reminders {
            parts.push(format!(
                "银行向客户推送防骗提醒短信{}条、语音提醒{}次",
                c.awareness_sms, c.awareness_calls
            ));
        }
        parts.join("，") + "。"
    } else {
        if c.dissuaded > 0 {
            parts.push(format!(
                " Bank branches talked {} customers out of paying fraudsters ({} kept)",
                c.dissuaded,
                yuan(c.dissuaded_fen)
            ));
        }
        if reminders {
            parts.push(format!(
                " The banks texted {} anti-fraud reminders to their customers and made {} voice reminders",
                c.awareness_sms, c.awareness_calls
            ));
        }
        parts.join(";") + "."
    }
}

/// The units that need the reader's attention: most cases, highest rate per 10,000 residents,
/// most overdue instructions. `None` when no unit has any of them.
fn units_paragraph(zh: bool, units: &[BriefUnit<'_>]) -> Option<String> {
    let mut parts = Vec::new();
    let mut by_cases: Vec<&BriefUnit<'_>> = units.iter().filter(|u| u.cases.cases > 0).collect();
    by_cases.sort_by(|a, b| b.cases.cases.cmp(&a.cases.cases).then(a.name.cmp(b.name)));
    if !by_cases.is_empty() {
        let top: Vec<String> = by_cases
            .iter()
            .take(3)
            .map(|u| {
                if zh {
                    format!("{}{}起", u.name, u.cases.cases)
                } else {
                    format!("{} {}", u.name, u.cases.cases)
                }
            })
            .collect();
        parts.push(if zh {
            format!("发案最多的是{}", top.join("、"))
        } else {
            format!("most cases: {}", top.join(", "))
        });
    }
    let highest = units
        .iter()
        .filter_map(|u| u.cases.per_10k().filter(|v| *v > 0.0).map(|v| (v, u)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, u)) = highest {
        parts.push(if zh {
            format!("万人发案数最高的是{}（{}）", u.name, per_10k_label(u.cases))
        } else {
            format!(
                "highest per 10,000 residents: {} ({})",
                u.name,
                per_10k_label(u.cases)
            )
        });
    }
    let mut overdue: Vec<&BriefUnit<'_>> = units.iter().filter(|u| u.overdue > 0).collect();
    overdue.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.name.cmp(b.name)));
    if !overdue.is_empty() {
        let names: Vec<String> = overdue
            .iter()
            .take(3)
            .map(|u| {
                if zh {
                    format!("{}{}条", u.name, u.overdue)
                } else {
                    format!("{} {}", u.name, u.overdue)
                }
            })
            .collect();
        parts.push(if zh {
            format!("存在超期指令的有{}", names.join("、"))
        } else {
            format!("overdue instructions: {}", names.join(", "))
        });
    }
    if parts.is_empty() {
        return None;
    }
    let mut text = parts.join(if zh { "；" } else { "; " });
    text += if zh { "。" } else { "." };
    if !zh {
        // Sentence case for the English paragraph.
        let mut chars = text.chars();
        if let Some(first) = chars.next() {
            text = first.to_uppercase().collect::<String>() + chars.as_str();
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::victim_profile::victim_profile;

    #[test]
    fn the_banks_sentence_says_only_what_was_reported() {
        assert_eq!(banks_sentence(true, &BankCounts::default()), "");
        let only_reminders = BankCounts {
            awareness_calls: 5,
            ..BankCounts::default()
        };
        assert_eq!(
            banks_sentence(true, &only_reminders),
            "银行向客户推送防骗提醒短信0条、语音提醒5次。"
        );
        let only_dissuaded = BankCounts {
            dissuaded: 2,
            dissuaded_fen: 1_000_000,
            ..BankCounts::default()
        };
        assert_eq!(
            banks_sentence(false, &only_dissuaded),
            " Bank branches talked 2 customers out of paying fraudsters (¥10,000.00 kept)."
        );
    }

    #[test]
    fn seized_cards_are_told_apart_and_old_entries_keep_their_total() {
        let tally = |cards, phone_cards, bank_cards| DismantledTally {
            kind: fanzha_store::DismantledKind::GoipDen,
            groups: 1,
            arrested: 2,
            devices: 3,
            cards,
            phone_cards,
            bank_cards,
        };
        assert_eq!(
            seized_clause(true, &tally(50, 0, 0)),
            "设备3台、卡50张",
            "entries of before the split say cards only"
        );
        assert_eq!(
            seized_clause(true, &tally(50, 40, 10)),
            "设备3台、手机卡40张、银行卡10张"
        );
        assert_eq!(
            seized_clause(false, &tally(60, 40, 10)),
            "3 devices, 40 phone cards, 10 bank cards and 10 cards of unrecorded kind"
        );
        assert_eq!(
            seized_clause(false, &tally(0, 0, 0)),
            "3 devices and 0 cards"
        );
    }

    fn figures(cases: i64, last_year: i64, population: Option<i64>) -> CaseFigures {
        CaseFigures {
            cases,
            last_year,
            loss_fen: cases * 1_000_000,
            public_sector: 1,
            population,
            ..CaseFigures::default()
        }
    }

    #[test]
    fn the_brief_retells_the_latest_ten_typical_cases_and_counts_the_rest() {
        let cases: Vec<TypicalCase> = (1..=12)
            .map(|i| typical_case(&format!("案例{i}"), "被骗1万元", ""))
            .collect();
        let text = typical_paragraph(true, &cases, false);
        assert!(
            text.contains("（10）案例10") && !text.contains("（11）"),
            "{text}"
        );
        assert!(
            text.ends_with("本期典型案例共12起，以上为最近10起，全部见典型案例页。"),
            "{text}"
        );
        let few = typical_paragraph(true, &cases[..3], false);
        assert!(!few.contains("本期典型案例共"), "{few}");
        let cut = typical_paragraph(true, &cases, true);
        assert!(cut.contains("本期典型案例共12起以上"), "{cut}");
    }

    fn typical_case(title: &str, summary: &str, advice: &str) -> TypicalCase {
        TypicalCase {
            case_id: "AJ1".into(),
            title: title.into(),
            summary: summary.into(),
            advice: advice.into(),
            publisher_unit: "330281".into(),
            marked_by: "a".into(),
            marked_at: 0,
            updated_by: "a".into(),
            updated_at: 0,
            version: 1,
            unit_code: "330281001".into(),
            reported_at: 0,
            loss_fen: 0,
            fraud_type: None,
        }
    }

    #[test]
    fn the_brief_reads_like_a_bureau_report() {
        let typical = [
            typical_case(
                "冒充客服退款诈骗",
                "王某接到自称客服的电话后转账3.8万元",
                "官方客服不会要求共享屏幕",
            ),
            typical_case("刷单返利诈骗", "李某做刷单任务被骗2万元！", ""),
        ];
        let cases = CaseFigures {
            previous: 30,
            loss_last_year: 70_000_000,
            loss_previous: 27_000_000,
            ..figures(27, 32, Some(200_000))
        };
        let channels = LoopTally {
            signed: 38,
            contacted: 35,
            dissuaded_phone: 20,
            dissuaded_visit: 8,
            self_aware: 2,
            ..LoopTally::default()
        };
        let east = figures(20, 10, Some(50_000));
        let west = figures(7, 22, Some(150_000));
        let loop_figures = LoopFigures {
            instructions: 40,
            dissuaded: 30,
            defrauded: 2,
            dissuasion_rate: Some(0.9375),
            overdue: 3,
            ..LoopFigures::default()
        };
        let funds = FundFigures {
            requested: 12,
            stopped: 9,
            stopped_fen: 2_000_000,
            frozen: 4,
            frozen_fen: 1_000_000,
            returned_fen: 500_000,
            ..FundFigures::default()
        };
        let registration = Registration {
            residents: 1000,
            registered: 549,
            residents_16_60: 600,
            registered_16_60: 562,
            joint_defense: 0,
        };
        let victims = victim_profile(
            Lang::Zh,
            &[
                (Some("330281199001011235".into()), 1_772_300_000_000, 1),
                (Some("330281199001011235".into()), 1_772_300_000_000, 1),
                (None, 1_772_300_000_000, 1),
            ],
        );
        let mut cards = CardFigures {
            screened: 400,
            reviewed: 30,
            involved: 8,
            short_lived: 5,
            ..CardFigures::default()
        };
        cards.by_level.insert(fanzha_store::Level::High, 20);
        cards.by_level.insert(fanzha_store::Level::Medium, 15);
        cards
            .by_verdict
            .insert(fanzha_store::Verdict::CardSeller, 6);
        let mut leads = LeadFigures {
            received: 50,
            checked: 40,
            overdue: 2,
            ..LeadFigures::default()
        };
        leads.by_result.insert(fanzha_store::LeadResult::Sold, 10);
        leads.roaming = 5;
        leads.by_result.insert(fanzha_store::LeadResult::Abroad, 2);
        leads
            .by_result
            .insert(fanzha_store::LeadResult::Returned, 1);
        let enforcement = EnforcementFigures {
            cases: 27,
            solved: 9,
            solved_in_period: 11,
            solved_elsewhere: fanzha_store::SolvedElsewhereTally {
                upstream_leads: 3,
                other_areas: 2,
            },
            loss_fen: 27_000_000,
            recovered_fen: 1_000_000,
            by_measure: vec![
                (fanzha_store::SuspectMeasure::CriminalDetention, 30),
                (fanzha_store::SuspectMeasure::Arrest, 9),
                (fanzha_store::SuspectMeasure::Administrative, 16),
                (fanzha_store::SuspectMeasure::Education, 33),
            ],
            people_caught: 88,
            people_by_class: vec![
                (MeasureClass::Coercive, 39),
                (MeasureClass::Administrative, 16),
                (MeasureClass::Education, 33),
            ],
            dismantled: vec![
                fanzha_store::DismantledTally {
                    kind: fanzha_store::DismantledKind::CardGang,
                    groups: 2,
                    arrested: 11,
                    devices: 0,
                    // 20 of them recorded before phone and bank cards were counted apart.
                    cards: 300,
                    phone_cards: 200,
                    bank_cards: 80,
                },
                fanzha_store::DismantledTally {
                    kind: fanzha_store::DismantledKind::GoipDen,
                    groups: 1,
                    arrested: 3,
                    devices: 40,
                    cards: 500,
                    phone_cards: 500,
                    bank_cards: 0,
                },
            ],
            supervised: vec![
                fanzha_store::SupervisedTally {
                    level: CaseSupervision::Ministry,
                    cases: 1,
                    solved: 1,
                },
                fanzha_store::SupervisedTally {
                    level: CaseSupervision::City,
                    cases: 2,
                    solved: 0,
                },
            ],
            fugitives_caught: 3,
            gangs_of_five: 1,
            ..EnforcementFigures::default()
        };
        let month = |month, fraud_cases, criminal| crate::crime_share::MonthShare {
            month,
            fraud_cases,
            criminal: Some(fanzha_store::CrimeMonthTotal {
                cases: criminal,
                units: 3,
            }),
        };
        let crime = CrimeShare {
            months: vec![month(202601, 15, 60), month(202602, 12, 40)],
            last_year: vec![month(202501, 20, 50), month(202502, 12, 30)],
        };
        let calls = CallCounts {
            calls: 40,
            connected: 25,
            dissuaded: 18,
            ..CallCounts::default()
        };
        let input = BriefInput {
            unit_name: "余姚市",
            span: "2026年1月1日至3月1日".into(),
            cases: &cases,
            case_types: vec![("虚假投资理财", 12), ("刷单返利", 9)],
            victims: &victims,
            warnings: (5, 3, 2),
            loop_figures: &loop_figures,
            channels: &channels,
            funds: &funds,
            fund_warnings: super::super::fund_warnings::FundTally {
                received: 6,
                stopped: 5,
                in_time: 4,
            },
            return_rate: Some(500_000.0 / 27_000_000.0),
            stopped_in_time: Some((7, 9)),
            registration: &registration,
            employers: &[
                fanzha_store::EmployerRegistration {
                    employer: "宏达电子有限公司".into(),
                    public_sector: false,
                    staff: 20,
                    registered: 5,
                },
                fanzha_store::EmployerRegistration {
                    employer: "卫生健康局".into(),
                    public_sector: true,
                    staff: 40,
                    registered: 30,
                },
                fanzha_store::EmployerRegistration {
                    employer: "教育局".into(),
                    public_sector: true,
                    staff: 60,
                    registered: 54,
                },
            ],
            cards: &cards,
            leads: &leads,
            calls: &calls,
            interceptions: &InterceptCounts {
                calls_blocked: 23_400,
                sms_blocked: 5_600,
                numbers_shut: 12,
                awareness_sms: 52_000,
                awareness_calls: 3_100,
            },
            tips: &TipCounts {
                reported: 6,
                pending: 1,
                confirmed: 4,
                dismissed: 1,
            },
            bank_counts: &BankCounts {
                dissuaded: 14,
                dissuaded_fen: 86_500_000,
                awareness_sms: 9_000,
                awareness_calls: 0,
            },
            cleanups: &CleanupCounts {
                requested: 20,
                answered: 15,
                on_time: 12,
                overdue: 3,
                pending: 5,
                cleaned: 9,
                accounts_closed: 6,
                accounts_restricted: 8,
                ..CleanupCounts::default()
            },
            disposals: &DisposalCounts {
                requested: 12,
                executed: 9,
                on_time: 8,
                failed: 1,
                pending: 2,
                overdue: 1,
                withdrawn: 0,
            },
            enforcement: &enforcement,
            enforcement_last_year: &EnforcementFigures::default(),
            recovery_rate: enforcement.recovery_rate(funds.returned_fen),
            quiz: &fanzha_store::QuizFigures {
                attempts: 160,
                participants: 120,
                passed: 102,
                pledged: 95,
                average_score: Some(88.5),
            },
            quiz_public_sector: &fanzha_store::QuizFigures {
                participants: 80,
                ..Default::default()
            },
            promotion: &fanzha_store::PromotionPeriod {
                promoters: 40,
                referrals: 1_150,
                verified: 1_020,
            },
            alliance: &fanzha_store::AllianceTally {
                members: 3,
                staff: 900,
                finance_staff: 30,
                events: 4,
                people_reached: 350,
                victims: 2,
                loss_fen: 1_234_500,
                finance_victims: 1,
                finance_loss_fen: 1_000_000,
                without_events: 1,
            },
            joint: &super::super::joint_office::JointTally {
                members: 12,
                signed: 10,
                meetings: 2,
                tasks: fanzha_store::TaskFigures {
                    assigned: 8,
                    done: 5,
                    done_on_time: 4,
                    pending: 3,
                    reported: 1,
                    overdue: 2,
                },
                checks: 3,
                checked: 60,
                registered: 51,
            },
            operations: &fanzha_store::OperationFigures {
                launched: 2,
                targets: fanzha_store::TargetCounts {
                    pending: 3,
                    located: 4,
                    caught: 11,
                    not_found: 2,
                    withdrawn: 1,
                },
            },
            outreach: &OutreachTotals {
                events: 14,
                people_reached: 2300,
                app_registrations: 410,
                face_to_face_events: 9,
                face_to_face_people: 1500,
                materials: 5000,
                consultations: 320,
            },
            posts: &PostTally {
                posts: 6,
                views: 120_000,
                shares: 900,
            },
            prior_outreach: &PriorOutreachTally {
                face_to_face: 3,
                remote_only: 4,
                never: 3,
                unknown: 5,
            },
            crime: &crime,
            key_persons: &KeyPersonFigures {
                in_control: 12,
                punished: 5,
                exit_bans: 3,
                abroad: 1,
                returned: 3,
                visits_overdue: 2,
                ..KeyPersonFigures::default()
            },
            proposals: &ProposalFigures {
                people_reported_punishment: 4,
                people_reported_exit_ban: 1,
                ..ProposalFigures::default()
            },
            units: vec![
                BriefUnit {
                    name: "阳明街道",
                    cases: &east,
                    overdue: 0,
                },
                BriefUnit {
                    name: "梨洲街道",
                    cases: &west,
                    overdue: 3,
                },
            ],
            notices: &NoticeFigures {
                cases: 1,
                issued: 1,
                issued_on_time: 1,
                ..NoticeFigures::default()
            },
            typical: &typical,
            typical_more: false,
        };
        let zh = brief(Lang::Zh, &input);
        assert_eq!(zh.len(), 9);
        assert_eq!(zh[8].title, "九、典型案例");
        assert_eq!(
            zh[8].text,
            "（1）冒充客服退款诈骗。王某接到自称客服的电话后转账3.8万元。防范提示：官方客服不会要求共享屏幕。（2）刷单返利诈骗。李某做刷单任务被骗2万元！"
        );
        let en = brief(Lang::En, &input);
        assert_eq!(en[8].title, "9. Typical cases");
        assert!(
            en[8].text.starts_with("(1) 冒充客服退款诈骗. 王某"),
            "{}",
            en[8].text
        );
        assert!(
            en[0]
                .text
                .contains("1 notice(s) sent to their employers (1 on time)"),
            "{}",
            en[0].text
        );
        assert_eq!(zh[5].title, "六、断卡行动");
        assert_eq!(zh[6].title, "七、打击成效");
        assert_eq!(
            zh[6].text,
            "本期案件破案9起，破案率33.33%（期内破案11起），其中督办案件3起（公安部督办1起），已破1起；共破获涉电诈案件16起（包括上级下发线索3起、带破外地案件2起），综合破案率59.26%；抓获犯罪嫌疑人88人（其中网上逃犯3人），其中采取强制措施39人、行政处罚16人、教育训诫惩戒33人；追赃¥10,000.00，损失追回率5.56%。打掉团伙/窝点3个（收贩卡团伙2个、GOIP窝点1个；其中5人以上团伙1个），抓获14人，缴获设备40台、手机卡700张、银行卡80张、未分类卡20张。发起集群战役2起，落地打击目标20人（已落地4人、未查到2人、待落地3人），抓获11人。"
        );
        assert!(
            en[6].text.ends_with(
                " 2 cluster operations launched with 20 targets (4 located, 2 not found, 3 pending), 11 caught."
            ),
            "{}",
            en[6].text
        );
        assert_eq!(zh[7].title, "八、各单位情况");
        assert_eq!(
            zh[5].text,
            "审查新开卡400张，中高风险35张，已审查30张，认定涉嫌买卖两卡6张；新开卡中已涉案8张，新开卡涉案比例2.00%；开户后90天内销户5张。两卡线索累计下发50条，已核查40条，超期未核查2条，查实出租出借或出售10条（占已核查25.00%）；其中手机漫游线索5条，核查发现本人滞留境外2人、已回国1人。存量卡清理：向银行发出核查20条，已反馈15条，按时反馈率66.67%，清理账户14个（销户6个、限制非柜面8个），超时未反馈3条。通讯反制：申请运营商处置涉诈号码12个，已处置9个，按时处置率72.73%，无法处置1个，超时未处置1个。运营商拦截诈骗电话23400次、诈骗短信5600条，自主关停涉诈号码12个，向用户推送防骗提醒短信52000条、语音提醒3100次。各银行网点劝阻群众14人次、涉及金额¥865,000.00，银行向客户推送防骗提醒短信9000条、语音提醒0次。受理举报线索6条，查实4条、排除1条，待核查1条。"
        );
        assert_eq!(
            zh[4].text,
            "在控重点人员12人，其中惩戒中5人、不准出境3人；滞留境外1人，已劝返3人，劝返率75.00%；本期上报惩戒4人、不准出境报备1人；走访到期未走访2人。"
        );
        assert_eq!(
            zh[0].text,
            "2026年1月1日至3月1日余姚市共发案27起，同比下降15.6%（去年同期32起），万人发案数1.35，造成损失¥270,000.00；环比下降10.0%（上期30起），损失同比下降61.4%、环比持平，实现发案、损失“两降”；电诈案件占刑事案件总数27.0%，同比下降13.0个百分点；其中财政供养人员被骗1起，已向其所在单位下发提示单1份（及时下发1份）。高发类型：虚假投资理财12起（占44.4%）、刷单返利9起（占33.3%）；受害人以36–45岁居多（占67%）。"
        );
        assert!(
            zh[1].text.starts_with("共产生预警10条（红色5条"),
            "{}",
            zh[1].text
        );
        assert!(zh[1].text.contains("劝阻成功率94%"), "{}", zh[1].text);
        assert!(
            zh[1].text.ends_with(
                "签收预警劝阻指令38条，联系到35人；劝阻方式：电话劝阻20人次、见面劝阻8人次、自主防范2人次。96110预警专线外呼40次，接通25次（接通率62.50%），劝阻成功18人次。"
            ),
            "{}",
            zh[1].text
        );
        assert!(zh[2].text.contains("30分钟内完成止付7/9"), "{}", zh[2].text);
        assert!(
            zh[2].text.starts_with(
                "接收资金预警6条，对收款账户发起保护性止付5条，其中接收后30分钟内4条（占66.7%）。发起紧急止付"
            ),
            "{}",
            zh[2].text
        );
        assert!(zh[2].text.contains("资金返还率1.85%"), "{}", zh[2].text);
        assert!(
            zh[3].text.contains("注册率54.90%；16–60周岁注册率93.67%")
                && zh[3].text.starts_with(
                    "开展反诈宣传14场，覆盖群众2300人，现场注册国家反诈中心APP410人。其中面对面宣防9场、覆盖1500人；发放宣传资料5000份；接受群众咨询320人次；新媒体发布文章、视频6条，累计阅读（播放）量120000次；回访受害人10人，此前接受过面对面宣防的3人（占30.00%）。辖区在册居民"
                ),
            "{}",
            zh[3].text
        );
        // Public bodies: 100 staff, 84 registered; the three lowest employers by name.
        assert!(
            zh[3].text.ends_with(
                "财政供养单位干部职工100人，注册率84.00%；注册率最低的单位：宏达电子有限公司（25.00%）、卫生健康局（75.00%）、教育局（90.00%）。开展反诈知识测试，参与120人（其中财政供养人员80人），合格率85.00%，签署反诈倡议书95人。干部职工发动亲友注册国家反诈中心APP，推广人40名，登记安装1150人，经核验已注册1020人。企业反诈联盟成员企业3家（职工900人，其中财务人员30人），本期在成员企业开展宣防4场、覆盖350人次，1家尚未开展；成员企业职工被骗2起、损失¥12,345.00，其中财务人员被骗1起。联席办成员单位12个，10个已签订本年度防范责任书；本期召开联席会议、调度会等2次，部署任务8项，完成5项（按期率80.0%）；抽查成员单位干部职工60人次（3次），国家反诈中心APP注册率85.0%；逾期未完成任务2项。"
            ),
            "{}",
            zh[3].text
        );
        assert_eq!(
            zh[7].text,
            "发案最多的是阳明街道20起、梨洲街道7起；万人发案数最高的是阳明街道（4.00）；存在超期指令的有梨洲街道3条。"
        );
        let en = brief(Lang::En, &input);
        assert!(en[0].text.contains("↓15.6% year on year"), "{}", en[0].text);
        assert!(
            en[5].text.starts_with("400 new cards screened"),
            "{}",
            en[5].text
        );
        assert!(
            en[6]
                .text
                .starts_with("9 of the period's cases solved, a solve rate of 33.33%"),
            "{}",
            en[6].text
        );
        assert!(en[7].text.starts_with("Most cases: "), "{}", en[7].text);
    }

    #[test]
    fn the_brief_names_the_leading_occupations_like_a_bureau() {
        let cases = figures(10, 0, None);
        let tally = |o, cases| fanzha_store::OccupationTally {
            occupation: o,
            cases,
            loss_fen: 0,
        };
        let tallies = [
            tally(Some(fanzha_store::Occupation::CompanyEmployee), 4),
            tally(Some(fanzha_store::Occupation::SelfEmployed), 2),
            tally(Some(fanzha_store::Occupation::Student), 1),
            tally(None, 3),
        ];
        let brief_of = |lang: Lang, victims: &VictimProfile| {
            let input = BriefInput {
                unit_name: "余姚市",
                span: "2026年3月".into(),
                cases: &cases,
                case_types: Vec::new(),
                victims,
                warnings: (0, 0, 0),
                loop_figures: &LoopFigures::default(),
                channels: &LoopTally::default(),
                funds: &FundFigures::default(),
                fund_warnings: Default::default(),
                return_rate: None,
                stopped_in_time: None,
                registration: &Registration::default(),
                employers: &[],
                key_persons: &KeyPersonFigures::default(),
                proposals: &ProposalFigures::default(),
                outreach: &OutreachTotals::default(),
                posts: &PostTally::default(),
                prior_outreach: &PriorOutreachTally::default(),
                crime: &CrimeShare::default(),
                cards: &CardFigures::default(),
                leads: &LeadFigures::default(),
                cleanups: &CleanupCounts::default(),
                disposals: &DisposalCounts::default(),
                calls: &CallCounts::default(),
                interceptions: &InterceptCounts::default(),
                bank_counts: &BankCounts::default(),
                tips: &TipCounts::default(),
                enforcement: &EnforcementFigures::default(),
                enforcement_last_year: &EnforcementFigures::default(),
                recovery_rate: None,
                alliance: &fanzha_store::AllianceTally::default(),
                quiz: &fanzha_store::QuizFigures::default(),
                quiz_public_sector: &fanzha_store::QuizFigures::default(),
                promotion: &fanzha_store::PromotionPeriod::default(),
                joint: &super::super::joint_office::JointTally::default(),
                operations: &fanzha_store::OperationFigures::default(),
                units: Vec::new(),
                notices: &NoticeFigures::default(),
                typical: &[],
                typical_more: false,
            };
            brief(lang, &input).remove(0).text
        };
        // No age known: the occupations alone, as the seed report words it.
        let victims = VictimProfile::default().with_occupations(Lang::Zh, &tallies);
        let zh = brief_of(Lang::Zh, &victims);
        assert!(
            zh.ends_with("；受害人以企业职工、个体工商户居多（合计占60.0%）。"),
            "{zh}"
        );
        // With the age band, the occupations continue it.
        let victims = crate::pages::victim_profile::victim_profile(
            Lang::Zh,
            &[(Some("330281199001011235".into()), 1_772_300_000_000, 1)],
        )
        .with_occupations(Lang::Zh, &tallies);
        let zh = brief_of(Lang::Zh, &victims);
        assert!(
            zh.ends_with(
                "；受害人以36–45岁居多（占100%），职业以企业职工、个体工商户居多（合计占60.0%）。"
            ),
            "{zh}"
        );
        let victims = VictimProfile::default().with_occupations(Lang::En, &tallies);
        let en = brief_of(Lang::En, &victims);
        assert!(
            en.ends_with(
                "; by occupation, mostly Company employee and Self-employed (60.0% together)."
            ),
            "{en}"
        );
        // One known occupation: no "together".
        let victims = VictimProfile::default().with_occupations(
            Lang::Zh,
            &[tally(Some(fanzha_store::Occupation::Retired), 2)],
        );
        assert!(brief_of(Lang::Zh, &victims).ends_with("；受害人以离退休人员居多（占100.0%）。"));
    }

    #[test]
    fn the_enforcement_paragraph_names_charges_and_prosecutions_when_there_are_any() {
        let mut e = EnforcementFigures {
            people_caught: 5,
            ..EnforcementFigures::default()
        };
        assert!(
            !enforcement_paragraph(true, &e, &EnforcementFigures::default(), None).contains("罪名")
        );
        e.caught_by_charge = vec![
            (SuspectCharge::Fraud, 3),
            (SuspectCharge::Helping, 2),
            (SuspectCharge::Concealing, 0),
            (SuspectCharge::Border, 1),
            (SuspectCharge::Other, 0),
        ];
        e.prosecuted = 4;
        let zh = enforcement_paragraph(true, &e, &EnforcementFigures::default(), None);
        assert!(
            zh.contains(
                "教育训诫惩戒0人；按罪名：诈骗罪3人、帮信罪2人、偷越国（边）境罪1人；移送起诉4人；追赃"
            ),
            "{zh}"
        );
        let en = enforcement_paragraph(false, &e, &EnforcementFigures::default(), None);
        // Against a year earlier: 5 caught now, 4 then; 4 prosecuted now, 8 then.
        let last_year = EnforcementFigures {
            people_caught: 4,
            prosecuted: 8,
            ..EnforcementFigures::default()
        };
        let yoy = enforcement_paragraph(true, &e, &last_year, None);
        assert!(yoy.contains("抓获犯罪嫌疑人5人（同比上升25.0%）"), "{yoy}");
        assert!(yoy.contains("移送起诉4人（同比下降50.0%）"), "{yoy}");
        assert!(
            en.contains(
                "; charged: 3 fraud, 2 assisting cybercrime, 1 illegal border crossing; 4 sent for prosecution;"
            ),
            "{en}"
        );
    }

    #[test]
    fn a_quiet_period_has_no_units_paragraph_and_no_change_to_report() {
        let none = figures(0, 0, None);
        let quiet = CaseFigures {
            public_sector: 0,
            ..none.clone()
        };
        let input = BriefInput {
            unit_name: "余姚市",
            span: "2026年3月1日".into(),
            cases: &quiet,
            case_types: Vec::new(),
            victims: &VictimProfile::default(),
            warnings: (0, 0, 0),
            loop_figures: &LoopFigures::default(),
            channels: &LoopTally::default(),
            funds: &FundFigures::default(),
            fund_warnings: Default::default(),
            return_rate: None,
            stopped_in_time: None,
            registration: &Registration::default(),
            employers: &[],
            key_persons: &KeyPersonFigures::default(),
            proposals: &ProposalFigures::default(),
            outreach: &OutreachTotals::default(),
            posts: &PostTally::default(),
            prior_outreach: &PriorOutreachTally::default(),
            crime: &CrimeShare::default(),
            cards: &CardFigures::default(),
            leads: &LeadFigures::default(),
            cleanups: &CleanupCounts::default(),
            disposals: &DisposalCounts::default(),
            calls: &CallCounts::default(),
            interceptions: &InterceptCounts::default(),
            bank_counts: &BankCounts::default(),
            tips: &TipCounts::default(),
            enforcement: &EnforcementFigures::default(),
            enforcement_last_year: &EnforcementFigures::default(),
            recovery_rate: None,
            alliance: &fanzha_store::AllianceTally::default(),
            quiz: &fanzha_store::QuizFigures::default(),
            quiz_public_sector: &fanzha_store::QuizFigures::default(),
            promotion: &fanzha_store::PromotionPeriod::default(),
            joint: &super::super::joint_office::JointTally::default(),
            operations: &fanzha_store::OperationFigures::default(),
            units: vec![BriefUnit {
                name: "阳明街道",
                cases: &quiet,
                overdue: 0,
            }],
            notices: &NoticeFigures::default(),
            typical: &[],
            typical_more: false,
        };
        let zh = brief(Lang::Zh, &input);
        assert_eq!(
            zh.len(),
            7,
            "cases, warnings, money, prevention, key persons, cards, enforcement"
        );
        // With a typical case and no units to report, it is the eighth paragraph.
        let typical = [typical_case("冒充公检法诈骗", "张某被骗", "")];
        let with_typical = BriefInput {
            typical: &typical,
            typical_more: false,
            ..input
        };
        let zh = brief(Lang::Zh, &with_typical);
        assert_eq!(zh[7].title, "八、典型案例");
        assert_eq!(zh[7].text, "（1）冒充公检法诈骗。张某被骗。");
        assert!(zh[6].text.contains("破案率—"), "{}", zh[6].text);
        assert!(!zh[6].text.contains("打掉团伙"), "{}", zh[6].text);
        assert!(zh[5].text.contains("新开卡涉案比例—"), "{}", zh[5].text);
        assert!(!zh[5].text.contains("通讯反制"), "{}", zh[5].text);
        assert_eq!(
            zh[0].text,
            "2026年3月1日余姚市共发案0起，去年同期0起，造成损失¥0.00。"
        );
        assert!(zh[2].text.contains("资金返还率—"), "{}", zh[2].text);
        assert!(
            !zh[2].text.contains("资金预警"),
            "said only when any came in"
        );
    }
}
