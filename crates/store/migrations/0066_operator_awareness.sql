-- 行业宣防: besides what their networks intercept, the operators report the anti-fraud
-- reminders they push to their subscribers each month ("定期向用户推送防骗短信和语音提醒"): text
-- messages sent and voice reminders (calls or ring-back announcements) made. Entries before
-- this read 0.
ALTER TABLE operator_figures ADD COLUMN awareness_sms BIGINT NOT NULL DEFAULT 0
    CHECK (awareness_sms >= 0);
ALTER TABLE operator_figures ADD COLUMN awareness_calls BIGINT NOT NULL DEFAULT 0
    CHECK (awareness_calls >= 0);
