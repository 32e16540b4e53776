//! SMS messages and guardians: validation, the submission schedule, receipts by SMSC id, and
//! guardians scoped through their resident's unit.

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_core::error_code::{Coded, ErrorCode};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;

fn sms(to: &str, purpose: SmsPurpose) -> NewSms {
    NewSms {
        to_number: to.into(),
        text: "【反诈提醒】请勿转账，如有疑问请拨打96110。".into(),
        purpose,
        instruction_id: Some("ZL1".into()),
        warning_id: Some("YJ1".into()),
        joint_task_id: None,
    }
}

/// Queued messages are validated, due in order, submitted once, and settled by their receipt.
pub async fn sms_messages_are_submitted_then_settled_by_receipt(store: &Store) {
    let repo = store.sms();
    let bad = repo
        .enqueue(&sms("138-0000", SmsPurpose::WarningToPerson), T0)
        .await
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::RecordInvalid, "{bad}");
    let mut empty = sms("13800000001", SmsPurpose::WarningToPerson);
    empty.text = "  ".into();
    assert_eq!(
        repo.enqueue(&empty, T0).await.unwrap_err().code(),
        ErrorCode::RecordInvalid
    );

    let a = repo
        .enqueue(&sms("13800000001", SmsPurpose::WarningToPerson), T0 + 5)
        .await
        .unwrap();
    let b = repo
        .enqueue(&sms("+8613900000002", SmsPurpose::GuardianAlert), T0)
        .await
        .unwrap();
    let c = repo
        .enqueue(&sms("13700000003", SmsPurpose::Escalation), T0 + 10)
        .await
        .unwrap();
    let due: Vec<i64> = repo
        .due(T0 + 5, 10)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(due, vec![b, a], "earliest first, not yet due left out");
    assert_eq!(repo.due(T0 + 10, 2).await.unwrap().len(), 2, "limit");

    let m = repo.get(a).await.unwrap();
    assert_eq!(m.state, SmsState::Queued);
    assert_eq!(m.purpose, SmsPurpose::WarningToPerson);
    assert_eq!(m.text, "【反诈提醒】请勿转账，如有疑问请拨打96110。");
    assert_eq!(
        (m.instruction_id.as_deref(), m.warning_id.as_deref()),
        (Some("ZL1"), Some("YJ1"))
    );

    // A receipt for an id no submitted message carries changes nothing.
    assert_eq!(
        repo.record_receipt("SMSC-A", true, None, T0).await.unwrap(),
        None
    );
    repo.mark_submitted(a, "SMSC-A", T0 + 20).await.unwrap();
    let again = repo.mark_submitted(a, "SMSC-X", T0 + 21).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::Conflict, "{again}");
    repo.mark_submitted(b, "SMSC-B", T0 + 20).await.unwrap();
    let due: Vec<i64> = repo
        .due(T0 + 100, 10)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(due, vec![c], "submitted messages are not due");

    let delivered = repo
        .record_receipt("SMSC-A", true, Some("stat:DELIVRD err:000"), T0 + 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(delivered.id, a);
    assert_eq!(delivered.state, SmsState::Delivered);
    assert_eq!(delivered.smsc_message_id.as_deref(), Some("SMSC-A"));
    assert_eq!(
        (
            delivered.attempts,
            delivered.submitted_at,
            delivered.delivered_at
        ),
        (1, Some(T0 + 20), Some(T0 + 30))
    );
    assert_eq!(delivered.last_error, None);
    // A settled message takes no second receipt.
    assert_eq!(
        repo.record_receipt("SMSC-A", false, Some("stat:UNDELIV"), T0 + 40)
            .await
            .unwrap(),
        None
    );
    let failed = repo
        .record_receipt("SMSC-B", false, Some("stat:UNDELIV err:001"), T0 + 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.state, SmsState::Failed);
    assert_eq!(failed.last_error.as_deref(), Some("stat:UNDELIV err:001"));
    assert_eq!(failed.delivered_at, None);

    let for_instruction = repo.for_instruction("ZL1").await.unwrap();
    assert_eq!(for_instruction.len(), 3);
    assert_eq!(repo.for_warning("YJ1").await.unwrap(), for_instruction);
}

/// Failed submissions follow the schedule, then the message is dead until requeued.
pub async fn failed_submissions_back_off_then_die(store: &Store) {
    let repo = store.sms();
    let delays = [10_000, 30_000];
    let id = repo
        .enqueue(&sms("13800000001", SmsPurpose::GuardianAlert), T0)
        .await
        .unwrap();
    assert_eq!(
        repo.mark_submit_failed(id, "SMSC unreachable", T0, &delays)
            .await
            .unwrap(),
        SmsState::Queued
    );
    let m = repo.get(id).await.unwrap();
    assert_eq!((m.attempts, m.next_attempt_at), (1, T0 + 10_000));
    assert_eq!(m.last_error.as_deref(), Some("SMSC unreachable"));
    assert!(repo.due(T0 + 9_999, 10).await.unwrap().is_empty());
    assert_eq!(
        repo.mark_submit_failed(id, "x", T0 + 10_000, &delays)
            .await
            .unwrap(),
        SmsState::Queued
    );
    assert_eq!(repo.get(id).await.unwrap().next_attempt_at, T0 + 40_000);
    let long_error = "e".repeat(2_000);
    assert_eq!(
        repo.mark_submit_failed(id, &long_error, T0 + 40_000, &delays)
            .await
            .unwrap(),
        SmsState::Dead
    );
    let dead = repo.get(id).await.unwrap();
    assert_eq!((dead.state, dead.attempts), (SmsState::Dead, 3));
    assert_eq!(dead.last_error.as_deref().map(str::len), Some(500));
    assert_eq!(repo.dead_letters(10).await.unwrap(), vec![dead]);
    assert!(repo.due(T0 + 1_000_000, 10).await.unwrap().is_empty());
    let conflict = repo
        .mark_submit_failed(id, "x", T0, &delays)
        .await
        .unwrap_err();
    assert_eq!(conflict.code(), ErrorCode::Conflict, "{conflict}");

    repo.requeue(id, T0 + 50_000).await.unwrap();
    let m = repo.get(id).await.unwrap();
    assert_eq!(
        (m.state, m.attempts, m.next_attempt_at),
        (SmsState::Queued, 0, T0 + 50_000)
    );
    assert_eq!(
        repo.requeue(id, T0).await.unwrap_err().code(),
        ErrorCode::Conflict
    );
    assert_eq!(
        repo.get(999_999).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
}

/// Guardians are added and read only through a scope holding their resident.
pub async fn guardians_are_scoped_through_their_resident(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[person(1, "330281001001"), person(2, "330282001001")])
        .await
        .unwrap();
    let township = store.units().scope("330281001").await.unwrap();
    let other = store.units().scope("330282").await.unwrap();
    let new = |n: u32, phone: &str, rel: &str| NewGuardian {
        resident_id: resident_id(n),
        name: "陈静".into(),
        phone: phone.into(),
        relationship: rel.into(),
        created_at: T0,
    };
    let a = store
        .guardians()
        .add(&township, &new(1, "13911110001", "女儿"))
        .await
        .unwrap();
    let b = store
        .guardians()
        .add(&Scope::platform(), &new(1, "+8613911110002", "配偶"))
        .await
        .unwrap();
    let outside = store
        .guardians()
        .add(&township, &new(2, "13911110003", "父亲"))
        .await
        .unwrap_err();
    assert_eq!(outside.code(), ErrorCode::NotFound, "{outside}");
    let absent = store
        .guardians()
        .add(&Scope::platform(), &new(99, "13911110004", "父亲"))
        .await
        .unwrap_err();
    assert_eq!(absent.code(), ErrorCode::NotFound, "{absent}");
    for bad in [new(1, "abc", "女儿"), new(1, "13911110005", " ")] {
        let e = store.guardians().add(&township, &bad).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::RecordInvalid, "{e}");
    }
    assert_eq!(
        store
            .guardians()
            .for_resident(&township, &resident_id(1))
            .await
            .unwrap(),
        vec![a.clone(), b.clone()]
    );
    assert!(store
        .guardians()
        .for_resident(&other, &resident_id(1))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .guardians()
            .remove(&other, a.id)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    store.guardians().remove(&township, a.id).await.unwrap();
    assert_eq!(
        store
            .guardians()
            .for_resident(&Scope::platform(), &resident_id(1))
            .await
            .unwrap(),
        vec![b]
    );
}

/// A member department's task notice is stored with its task and read back by the task.
pub async fn joint_task_messages_are_read_by_their_task(store: &Store) {
    with_tree(store).await;
    let yuyao = store.units().scope("330281").await.unwrap();
    let member = store
        .joint_office()
        .add_member(
            &yuyao,
            &NewJointMember {
                unit_code: "330281".into(),
                name: "余姚市教育局".into(),
                kind: JointMemberKind::Government,
                contact_name: "李科长".into(),
                contact_phone: "13900002222".into(),
                staff: 120,
                note: String::new(),
                by: "office".into(),
            },
            T0,
        )
        .await
        .unwrap();
    let task = store
        .joint_tasks()
        .assign(
            &yuyao,
            &NewTask {
                member_id: member,
                meeting_id: None,
                title: "组织全员安装国家反诈中心APP".into(),
                detail: String::new(),
                due_at: T0 + 86_400_000,
                by: "office".into(),
            },
            T0,
        )
        .await
        .unwrap();
    let notice = NewSms {
        to_number: "13900002222".into(),
        text: "【反诈联席办】您单位有新任务".into(),
        purpose: SmsPurpose::JointTask,
        instruction_id: None,
        warning_id: None,
        joint_task_id: Some(task),
    };
    let id = store.sms().enqueue(&notice, T0).await.unwrap();
    store
        .sms()
        .enqueue(&sms("13800000001", SmsPurpose::WarningToPerson), T0)
        .await
        .unwrap();
    let read = store.sms().for_joint_task(task).await.unwrap();
    assert_eq!(read.len(), 1, "only the task's own message");
    assert_eq!(read[0].id, id);
    assert_eq!(read[0].purpose, SmsPurpose::JointTask);
    assert_eq!(read[0].joint_task_id, Some(task));
    assert_eq!(store.sms().get(id).await.unwrap(), read[0]);
}
