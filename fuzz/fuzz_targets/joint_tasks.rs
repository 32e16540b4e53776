//! Any bytes as a joint office's task list: reading never panics; every data row read is either
//! accepted or rejected with a line, and accepted rows carry a member, a task (the pair once per
//! list) and texts within their bounds.
#![no_main]
use fanzha_ingest::joint_tasks::{
    read_task_list, MAX_DETAIL_CHARS, MAX_MEMBER_CHARS, MAX_TASK_CHARS,
};
use fanzha_ingest::reports::ReportFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for format in [ReportFormat::Auto, ReportFormat::Csv] {
        if let Ok(list) = read_task_list("tasks.csv", bytes, format) {
            assert_eq!(list.read, list.rows.len() + list.rejected.len());
            let mut seen = std::collections::HashSet::new();
            for r in &list.rows {
                assert!(r.line >= 2, "a data row lies below the header");
                assert!(!r.member.is_empty() && r.member.chars().count() <= MAX_MEMBER_CHARS);
                assert!(!r.task.is_empty() && r.task.chars().count() <= MAX_TASK_CHARS);
                assert!(r.detail.chars().count() <= MAX_DETAIL_CHARS);
                assert!(
                    seen.insert((r.member.clone(), r.task.clone())),
                    "a member's task once per list"
                );
            }
        }
    }
});
