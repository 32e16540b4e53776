-- The supervision register (督导整治): measures the center or a county takes against a township
-- or street of its own tree, or against an outside organisation in its area (a bank outlet, a
-- telecom business hall, a company): 约谈, 挂牌整治, 警示单 / 提示函, 临时关停 (outlets only),
-- 通报. Each has a deadline for rectification, may be extended at most twice, receives a
-- rectification report (整改报告) and is closed on acceptance (验收通过 / 摘牌).
--
-- `unit_code` is the unit in whose area the target lies (for a unit target, the unit itself):
-- reads are scoped by it. `issuer_unit` is the unit that issued the measure: it, or a unit
-- above it, extends and closes. `reasons` holds the reason codes separated by commas.
-- `version` counts the entries of `supervision_events`, the measure's history. Times are epoch
-- ms UTC.
CREATE TABLE supervision_measures (
    id           {{ID_PK}},
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('unit', 'bank_outlet', 'telecom_outlet',
                                                      'organisation')),
    target_name  TEXT NOT NULL,
    bank_code    TEXT,
    unit_code    TEXT NOT NULL,
    measure      TEXT NOT NULL CHECK (measure IN ('interview', 'listed', 'warning_notice',
                                                  'closure', 'circulated')),
    reasons      TEXT NOT NULL,
    reason_text  TEXT NOT NULL,
    issuer_unit  TEXT NOT NULL,
    issued_by    TEXT NOT NULL,
    issued_at    BIGINT NOT NULL,
    deadline     BIGINT NOT NULL,
    extensions   BIGINT NOT NULL CHECK (extensions BETWEEN 0 AND 2),
    state        TEXT NOT NULL CHECK (state IN ('issued', 'replied', 'closed')),
    report       TEXT,
    replied_by   TEXT,
    replied_at   BIGINT,
    closed_by    TEXT,
    closed_at    BIGINT,
    close_note   TEXT,
    version      BIGINT NOT NULL CHECK (version >= 1),
    CHECK ((target_kind = 'bank_outlet' AND bank_code IS NOT NULL)
           OR (target_kind <> 'bank_outlet' AND bank_code IS NULL)),
    CHECK (measure <> 'closure' OR target_kind IN ('bank_outlet', 'telecom_outlet'))
);
CREATE INDEX supervision_measures_unit ON supervision_measures (unit_code, issued_at);
CREATE INDEX supervision_measures_bank ON supervision_measures (bank_code, issued_at);

CREATE TABLE supervision_events (
    measure_id BIGINT NOT NULL REFERENCES supervision_measures (id),
    seq        BIGINT NOT NULL CHECK (seq >= 1),
    kind       TEXT NOT NULL CHECK (kind IN ('issued', 'replied', 'extended', 'closed')),
    actor      TEXT NOT NULL,
    at         BIGINT NOT NULL,
    note       TEXT NOT NULL,
    deadline   BIGINT,
    PRIMARY KEY (measure_id, seq)
);
