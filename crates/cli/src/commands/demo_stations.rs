//! 其他派出所 in the live demo: the demo logs in as one station only, while the county pushes
//! instructions down to any township. What reaches another station is worked by its duty
//! officer (the accounts the demo's history creates): signed, the person phoned, dissuaded
//! (now and then aware already, or unreachable) and closed, each step a short wait after the
//! one before, well inside the level's deadlines. The commander so sees an instruction pushed
//! to any township come back with its outcome; the demo station's are left to the demo's own
//! users. Runs only with the history (`--history-months` above 0): the browser tests start
//! without it and expect instructions to stay where they put them.

use fanzha_store::Store;
use fanzha_workflow::{
    Actor, Command, ContactChannel, LoopService, Notice, Outcome, UnreachableReason,
};
use std::sync::Arc;
use std::time::Duration;

/// The wait before each step, drawn between the two.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    pub min: Duration,
    pub max: Duration,
}

impl Pace {
    /// A demo's: 20 to 70 seconds a step, so a red instruction is closed in about three
    /// minutes (its deadlines: signed in 5, contacted in 15).
    pub const DEMO: Pace = Pace {
        min: Duration::from_secs(20),
        max: Duration::from_secs(70),
    };

    fn draw(self) -> Duration {
        let (lo, hi) = (self.min.as_millis() as u64, self.max.as_millis() as u64);
        Duration::from_millis(if hi > lo {
            rand::random_range(lo..hi)
        } else {
            lo
        })
    }
}

/// The duty officer's login of a township.
pub fn duty_login(township: &str) -> String {
    format!("duty_{township}")
}

/// Works every instruction pushed down to a township other than `demo_station` (or a village
/// of one) until the service stops; returns how many it closed.
pub async fn work_other_stations(
    service: Arc<LoopService>,
    store: Store,
    demo_station: String,
    pace: Pace,
) -> u64 {
    let mut notices = service.subscribe();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let notice = match notices.recv().await {
            Ok(n) => n,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                tracing::debug!(missed, "station duty officers missed notices");
                continue;
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
        };
        let Notice::Instruction {
            instruction_id,
            holder_unit,
            action,
            ..
        } = notice
        else {
            continue;
        };
        let Some(township) = holder_unit.get(..9) else {
            continue;
        };
        if action != "delegated" || township == demo_station {
            continue;
        }
        let scope = match store.units().scope(&holder_unit).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(unit = %holder_unit, error = %e, "unit of a pushed instruction");
                continue;
            }
        };
        let actor = Actor {
            login: duty_login(township),
            unit_code: holder_unit.clone(),
            scope,
        };
        tasks.spawn(work_one(service.clone(), actor, instruction_id, pace));
    }
    let mut closed = 0;
    while let Some(done) = tasks.join_next().await {
        closed += u64::from(done.unwrap_or(false));
    }
    closed
}

/// Signs, phones, feeds back and closes one instruction; stops quietly when someone else acted
/// on it in between (recalled, closed by the county …). True when it closed it.
async fn work_one(service: Arc<LoopService>, actor: Actor, id: String, pace: Pace) -> bool {
    let outcome = match rand::random_range(0..20u8) {
        0 => Outcome::Unreachable {
            reason: UnreachableReason::NoAnswer,
            attempts: 3,
        },
        1 | 2 => Outcome::SelfAware,
        _ => Outcome::Dissuaded {
            channel: ContactChannel::Phone,
        },
    };
    let steps: [(Vec<Command>, Option<&str>); 4] = [
        (vec![Command::Sign], None),
        (
            vec![Command::StartContact {
                channel: ContactChannel::Phone,
            }],
            None,
        ),
        (
            vec![Command::RecordOutcome {
                outcome,
                saved_fen: 0,
            }],
            Some("电话联系本人，已劝阻，叮嘱不再转账"),
        ),
        (vec![Command::Close], None),
    ];
    for (commands, note) in steps {
        tokio::time::sleep(pace.draw()).await;
        let now = fanzha_core::time::now_ms();
        if let Err(e) = service
            .act(&actor, &id, None, &commands, note.map(str::to_string), now)
            .await
        {
            tracing::debug!(instruction = %id, error = %e, "a station's duty officer stopped");
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_store::testing::TestDb;
    use fanzha_store::{NewUnit, Scope, UnitLevel};
    use fanzha_workflow::{IncomingWarning, RoutingPolicy, SlaPolicy, Status, WarningLevel};

    const COUNTY: &str = "330281";
    const DEMO_STATION: &str = "330281001";
    const OTHER_STATION: &str = "330281002";

    fn unit(code: &str, level: UnitLevel, parent: Option<&str>) -> NewUnit {
        NewUnit {
            code: code.into(),
            name: code.into(),
            level,
            parent_code: parent.map(str::to_string),
            division_code: Some(code.into()),
            population: None,
        }
    }

    async fn red_warning(service: &LoopService, village: &str, n: u8) -> String {
        let now = fanzha_core::time::now_ms();
        service
            .receive(
                IncomingWarning {
                    id: None,
                    resident_id: None,
                    msisdn: Some(format!("1390000{n:04}")),
                    residence_code: Some(village.into()),
                    level: WarningLevel::Red,
                    fraud_type: None,
                    score_permille: 900,
                    source: "engine".into(),
                    signal_at: now,
                    evidence: serde_json::json!({}),
                },
                now,
            )
            .await
            .unwrap()
            .instruction_id
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn another_station_works_what_is_pushed_to_it_and_the_demo_station_is_left_alone() {
        let db = TestDb::sqlite();
        let store = db.open().await;
        use UnitLevel::*;
        store
            .units()
            .upsert(&[
                unit(COUNTY, County, None),
                unit(DEMO_STATION, Township, Some(COUNTY)),
                unit(OTHER_STATION, Township, Some(COUNTY)),
                unit("330281001001", Village, Some(DEMO_STATION)),
                unit("330281002001", Village, Some(OTHER_STATION)),
            ])
            .await
            .unwrap();
        let service = Arc::new(
            LoopService::new(
                store.clone(),
                SlaPolicy::default(),
                RoutingPolicy::new(COUNTY),
            )
            .await
            .unwrap(),
        );
        let quick = Pace {
            min: Duration::from_millis(10),
            max: Duration::from_millis(30),
        };
        let workers = tokio::spawn(work_other_stations(
            service.clone(),
            store.clone(),
            DEMO_STATION.into(),
            quick,
        ));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let county = Actor {
            login: "commander".into(),
            unit_code: COUNTY.into(),
            scope: store.units().scope(COUNTY).await.unwrap(),
        };
        let theirs = red_warning(&service, "330281002001", 1).await;
        let ours = red_warning(&service, "330281001001", 2).await;
        for (id, to) in [(&theirs, OTHER_STATION), (&ours, DEMO_STATION)] {
            let now = fanzha_core::time::now_ms();
            service
                .act(
                    &county,
                    id,
                    None,
                    &[Command::Sign, Command::Delegate { to_unit: to.into() }],
                    None,
                    now,
                )
                .await
                .unwrap();
        }
        let mut status = Status::Issued;
        for _ in 0..200 {
            status = service
                .view(&Scope::platform(), &theirs)
                .await
                .unwrap()
                .state
                .status;
            if status == Status::Closed {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(
            status,
            Status::Closed,
            "the other station closed its instruction"
        );
        let view = service.view(&Scope::platform(), &theirs).await.unwrap();
        assert!(view.state.outcome.is_some());
        assert!(view
            .events
            .iter()
            .any(|e| e.actor == duty_login(OTHER_STATION)));
        let ours = service.view(&Scope::platform(), &ours).await.unwrap();
        assert_eq!(
            ours.state.status,
            Status::Issued,
            "the demo station's waits for its user"
        );
        drop(service);
        workers.abort();
    }
}
