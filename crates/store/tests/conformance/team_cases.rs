//! 劝阻队伍: members at villages and townships of one's area (a county or a city is refused, a
//! login must be an account of the area), the same person of the same kind at one place once; a
//! village's team is its own members and its township's; the villages short of a kind; the
//! accounts at a village that take instructions; an import that adds once and quarantines what
//! it cannot place; removal from the version read, audited.

use crate::fixtures::{audits, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;

fn member(unit: &str, kind: TeamKind, name: &str, phone: &str) -> NewTeamMember {
    NewTeamMember {
        unit_code: unit.into(),
        kind,
        name: name.into(),
        phone: phone.into(),
        login: None,
    }
}

async fn account(store: &Store, login: &str, unit: &str, role: Role, active: bool) {
    store
        .users()
        .upsert(&NewUser {
            login: login.into(),
            display_name: login.into(),
            unit_code: unit.into(),
            roles: vec![role],
            joint_member: None,
            bank_code: None,
            operator: None,
            password_hash: None,
        })
        .await
        .unwrap();
    if !active {
        store.users().set_active(login, false).await.unwrap();
    }
}

pub async fn a_village_team_is_its_own_members_and_its_townships(store: &Store) {
    use TeamKind::*;
    with_tree(store).await;
    account(store, "grid_ss", "330281001001", Role::GridWorker, true).await;
    account(store, "grid_off", "330281001002", Role::GridWorker, false).await;
    account(store, "grid_cx", "330282001001", Role::GridWorker, true).await;
    let teams = store.team_members();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();

    // Refusals: a county, another area's village, a bad number, a login of another area.
    let refused = |r: StoreResult<TeamMember>| match r {
        Err(StoreError::Invalid { field, .. }) => field.to_string(),
        Err(StoreError::NotFound { what, .. }) => format!("not found {what}"),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        refused(
            teams
                .add(
                    &yuyao,
                    &member("330281", GridWorker, "甲", "13900000001"),
                    "c",
                    T0
                )
                .await
        ),
        "unit_code"
    );
    assert_eq!(
        refused(
            teams
                .add(
                    &yuyao,
                    &member("330282001001", GridWorker, "甲", "13900000001"),
                    "c",
                    T0
                )
                .await
        ),
        "not found unit"
    );
    assert_eq!(
        refused(
            teams
                .add(
                    &yuyao,
                    &member("330281001001", GridWorker, "甲", "1390000"),
                    "c",
                    T0
                )
                .await
        ),
        "phone"
    );
    let mut foreign_login = member("330281001001", GridWorker, "甲", "13900000001");
    foreign_login.login = Some("grid_cx".into());
    assert_eq!(
        refused(teams.add(&yuyao, &foreign_login, "c", T0).await),
        "login"
    );

    // 舜水社区: its own grid worker (with the account) and cadre; the station's two officers
    // serve every village of 阳明街道.
    let mut grid = member("330281001001", GridWorker, "张丽", "139 0000 0001");
    grid.login = Some("grid_ss".into());
    let grid = teams.add(&yuyao, &grid, "commander", T0).await.unwrap();
    assert_eq!(
        (grid.phone.as_str(), grid.unit_name.as_str()),
        ("13900000001", "舜水社区")
    );
    assert_eq!(grid.login.as_deref(), Some("grid_ss"));
    teams
        .add(
            &yuyao,
            &member("330281001001", Cadre, "王书记", "13900000002"),
            "commander",
            T0,
        )
        .await
        .unwrap();
    teams
        .add(
            &yuyao,
            &member("330281001", AntiFraudOfficer, "李警官", "13900000003"),
            "commander",
            T0,
        )
        .await
        .unwrap();
    let community = teams
        .add(
            &yuyao,
            &member("330281001", CommunityOfficer, "赵警官", "0574-62345678"),
            "commander",
            T0,
        )
        .await
        .unwrap();
    // The same person of the same kind at the same place twice is a conflict.
    assert!(matches!(
        teams
            .add(
                &yuyao,
                &member("330281001001", Cadre, "王书记", "13900000002"),
                "commander",
                T0
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(audits(store, "team_member_added").await, 4);

    let villages = teams.villages(&yuyao).await.unwrap();
    let codes: Vec<&str> = villages.iter().map(|v| v.code.as_str()).collect();
    assert_eq!(codes, ["330281001001", "330281001002", "330281002001"]);
    let shunshui = &villages[0];
    assert!(shunshui.complete(), "{shunshui:?}");
    assert_eq!(shunshui.township_code.as_deref(), Some("330281001"));
    assert_eq!(shunshui.township_name, "阳明街道");
    assert_eq!(shunshui.accounts, 1);
    assert_eq!(
        shunshui.of_kind(CommunityOfficer).next().unwrap().id,
        community.id
    );
    // 新建社区 has only the station's officers; its grid worker's account is inactive.
    let xinjian = &villages[1];
    assert_eq!(xinjian.missing(), [Cadre, GridWorker]);
    assert_eq!(xinjian.accounts, 0);
    // 西郊社区 has nobody.
    assert!(villages[2].members.is_empty());
    assert_eq!(villages[2].missing(), TeamKind::ALL);
    // Another county sees none of it; a village's own scope sees its township's members.
    assert!(teams.villages(&cixi).await.unwrap()[0].members.is_empty());
    assert!(matches!(
        teams.get(&cixi, grid.id).await,
        Err(StoreError::NotFound { .. })
    ));
    let own = store.units().scope("330281001001").await.unwrap();
    let seen = teams.villages(&own).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].complete(), "{:?}", seen[0]);

    // An import: added once, what was there unchanged, what cannot be placed rejected.
    let rows = [
        member("330281001002", GridWorker, "钱网格", "13900000011"),
        member("330281001001", Cadre, "王书记", "13900000002"),
        member("330281", Cadre, "县里", "13900000012"),
        member("330282001001", Cadre, "慈溪", "13900000013"),
        NewTeamMember {
            login: Some("nobody".into()),
            ..member("330281002001", GridWorker, "孙网格", "13900000014")
        },
        member("330281002001", GridWorker, "", "13900000015"),
    ];
    let done = teams.import(&yuyao, &rows, "commander", T0).await.unwrap();
    assert_eq!((done.added, done.unchanged), (1, 1));
    assert_eq!(
        done.rejected,
        [
            (2, team_reason::NOT_A_VILLAGE_OR_TOWNSHIP),
            (3, "unit_outside_area"),
            (4, team_reason::UNKNOWN_LOGIN),
            (5, team_reason::INVALID),
        ]
    );
    let again = teams
        .import(&yuyao, &rows[..2], "commander", T0)
        .await
        .unwrap();
    assert_eq!((again.added, again.unchanged), (0, 2));
    assert_eq!(audits(store, "team_members_imported").await, 2);
    assert_eq!(teams.villages(&yuyao).await.unwrap()[1].missing(), [Cadre]);

    // Removal from the version read, audited; the entry is kept, off the team.
    assert!(matches!(
        teams.remove(&yuyao, grid.id, 2, "commander", T0 + 1).await,
        Err(StoreError::Conflict { .. })
    ));
    let removed = teams
        .remove(&yuyao, grid.id, 1, "commander", T0 + 1)
        .await
        .unwrap();
    assert_eq!((removed.removed_at, removed.version), (Some(T0 + 1), 2));
    assert!(matches!(
        teams.remove(&yuyao, grid.id, 2, "commander", T0 + 2).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(audits(store, "team_member_removed").await, 1);
    assert_eq!(
        teams.villages(&yuyao).await.unwrap()[0].missing(),
        [GridWorker]
    );
    // Added again after removal: a new entry.
    teams
        .add(
            &yuyao,
            &member("330281001001", GridWorker, "张丽", "13900000001"),
            "commander",
            T0 + 3,
        )
        .await
        .unwrap();
    assert!(teams.villages(&yuyao).await.unwrap()[0].complete());
}
