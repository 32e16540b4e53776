-- 反诈知识测试 · 反诈倡议书: the online awareness quiz a center runs for residents and, by
-- campaign, for all staff paid from public funds (seed 002: "集反诈测试题、反诈倡议书、宣传视频于一
-- 体…要求财政供养人员全员参与"). The question bank is kept per unit: a campaign draws from its
-- own unit's questions and those of the units above it. A campaign has a public link code; the
-- participant names the area where they live or work and, where the campaign lists employers
-- with the staff expected to take part (应参与人数), their employer; a mobile number (personal
-- data: masked in lists) counts each person once. Each attempt keeps the questions drawn and
-- every answer, so the miss rate of each question and fraud type can be read. Times epoch ms
-- UTC; flags 0/1.
CREATE TABLE quiz_questions (
    id          {{ID_PK}},
    unit_code   TEXT NOT NULL REFERENCES org_units (code),
    fraud_type  TEXT NOT NULL,
    stem        TEXT NOT NULL,
    -- JSON array of 2 to 5 option texts.
    options     TEXT NOT NULL,
    answer      BIGINT NOT NULL CHECK (answer >= 0 AND answer < 5),
    explanation TEXT NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_by  TEXT,
    updated_at  BIGINT,
    version     BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX quiz_questions_unit ON quiz_questions (unit_code, active);

CREATE TABLE quiz_campaigns (
    id             {{ID_PK}},
    unit_code      TEXT NOT NULL REFERENCES org_units (code),
    code           TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    audience       TEXT NOT NULL CHECK (audience IN ('school', 'enterprise', 'community',
                                                     'elderly', 'public_sector', 'other')),
    question_count BIGINT NOT NULL CHECK (question_count BETWEEN 5 AND 50),
    pass_score     BIGINT NOT NULL CHECK (pass_score BETWEEN 1 AND 100),
    pledge         TEXT NOT NULL DEFAULT '',
    opens_at       BIGINT NOT NULL,
    closes_at      BIGINT NOT NULL,
    closed_at      BIGINT,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_by     TEXT,
    updated_at     BIGINT,
    version        BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (closes_at > opens_at)
);
CREATE INDEX quiz_campaigns_unit ON quiz_campaigns (unit_code, opens_at);

-- The employers a campaign expects to take part, with how many of their staff.
CREATE TABLE quiz_employers (
    campaign_id BIGINT NOT NULL REFERENCES quiz_campaigns (id),
    name        TEXT NOT NULL,
    headcount   BIGINT NOT NULL CHECK (headcount >= 1),
    PRIMARY KEY (campaign_id, name)
);

CREATE TABLE quiz_attempts (
    id           {{ID_PK}},
    campaign_id  BIGINT NOT NULL REFERENCES quiz_campaigns (id),
    token        TEXT NOT NULL UNIQUE,
    unit_code    TEXT NOT NULL REFERENCES org_units (code),
    employer     TEXT,
    phone        TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    submitted_at BIGINT,
    correct      BIGINT,
    score        BIGINT,
    passed       BIGINT CHECK (passed IN (0, 1)),
    pledged_at   BIGINT,
    CHECK ((submitted_at IS NULL) = (score IS NULL))
);
CREATE INDEX quiz_attempts_campaign ON quiz_attempts (campaign_id, submitted_at);
CREATE INDEX quiz_attempts_phone ON quiz_attempts (campaign_id, phone, started_at);

-- The questions an attempt drew, in order, and the option chosen (NULL before submitting).
CREATE TABLE quiz_answers (
    attempt_id  BIGINT NOT NULL REFERENCES quiz_attempts (id),
    position    BIGINT NOT NULL,
    question_id BIGINT NOT NULL REFERENCES quiz_questions (id),
    chosen      BIGINT,
    correct     BIGINT CHECK (correct IN (0, 1)),
    PRIMARY KEY (attempt_id, position)
);
CREATE INDEX quiz_answers_question ON quiz_answers (question_id);
