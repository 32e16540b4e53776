-- A joint-office task still open past its deadline is texted to its member department once per
-- deadline (催办): the deadline a reminder went out for. A return sets a new deadline, so the
-- task can be reminded again when that one passes too.
ALTER TABLE joint_tasks ADD COLUMN reminded_due_at BIGINT;
CREATE INDEX joint_tasks_open_due ON joint_tasks (state, due_at);
