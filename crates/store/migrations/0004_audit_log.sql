-- Who did what, when, to which record. Append-only: the triggers that follow reject UPDATE and
-- DELETE on every backend.
CREATE TABLE audit_log (
    id          {{ID_PK}},
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT,
    unit_code   TEXT,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_log_unit ON audit_log (unit_code, id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
{{AUDIT_APPEND_ONLY}}
