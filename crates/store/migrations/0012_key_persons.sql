-- Key persons under watch (涉诈重点人员, 一人一档): one dossier per resident and category, scoped
-- by the unit of the person's residence (copied from `people` when the dossier is opened).
--
-- The truth of a dossier is its entries in `key_person_events` (registered, punishment,
-- exit_ban, persuasion, visit, closed, reopened); the measure columns of `key_persons` are the
-- projection that lists, filters and figures read, written in the same transaction as each
-- entry, which takes the dossier's new `version` as its `seq`. Measure periods are epoch ms
-- UTC: `*_from` the first instant, `*_until` the first instant after (NULL: open-ended).
CREATE TABLE key_persons (
    id               {{ID_PK}},
    resident_id      TEXT NOT NULL,
    unit_code        TEXT NOT NULL,
    category         TEXT NOT NULL CHECK (category IN ('two_cards', 'fraud_record',
                                                      'abroad_high_risk', 'returned',
                                                      'recruiter', 'other')),
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    reason           TEXT NOT NULL,
    source           TEXT NOT NULL,
    punishment_kind  TEXT CHECK (punishment_kind IN ('financial', 'telecom', 'credit')),
    punishment_from  BIGINT,
    punishment_until BIGINT,
    exit_ban_from    BIGINT,
    exit_ban_until   BIGINT,
    -- 劝返: still abroad, persuaded back, or refusing to come back.
    abroad_state     TEXT CHECK (abroad_state IN ('abroad', 'returned', 'refused')),
    abroad_place     TEXT,
    last_visit_at    BIGINT,
    closed_reason    TEXT,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE UNIQUE INDEX key_persons_resident_category ON key_persons (resident_id, category);
CREATE INDEX key_persons_unit ON key_persons (unit_code, status);

CREATE TABLE key_person_events (
    key_person_id BIGINT NOT NULL REFERENCES key_persons (id),
    seq           BIGINT NOT NULL CHECK (seq >= 1),
    at            BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    detail        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    PRIMARY KEY (key_person_id, seq)
);
