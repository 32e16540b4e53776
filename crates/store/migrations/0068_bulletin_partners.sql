-- 通报有关单位: a bulletin may also be addressed to the industry partners of the issuing unit —
-- the banks and the operators whose liaisons work in its area, and the member departments of
-- its joint office (联席办成员单位) — so a new scam reaches the bank counters and the
-- operators' shops as it reaches the police stations. One row per partner addressed, with its
-- receipt: `kind` 'bank' (code: the bank code), 'operator' (code: the operator code) or
-- 'joint_member' (code: the member's id). Times epoch ms UTC.
CREATE TABLE bulletin_partners (
    bulletin_id BIGINT NOT NULL REFERENCES bulletins (id),
    kind        TEXT NOT NULL CHECK (kind IN ('bank', 'operator', 'joint_member')),
    code        TEXT NOT NULL,
    signed_by   TEXT,
    signed_at   BIGINT,
    PRIMARY KEY (bulletin_id, kind, code)
);
CREATE INDEX bulletin_partners_party ON bulletin_partners (kind, code, signed_at);
