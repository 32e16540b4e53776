-- Fuller outreach figures, as the bureaus report them: leaflets and brochures handed out
-- (发放宣传资料 份) and people who asked questions (接受群众咨询 人次) at a talk or stand; posts on
-- the center's and units' new-media accounts (新媒体宣传: articles, short videos, live streams)
-- with their views and shares, counted again as they grow; and, on a case, whether the victim
-- had been reached by outreach before (受害人宣防情况), from which the share of victims reached
-- face to face (面对面宣防率) is computed.
ALTER TABLE outreach_events ADD COLUMN materials BIGINT NOT NULL DEFAULT 0 CHECK (materials >= 0);
ALTER TABLE outreach_events ADD COLUMN consultations BIGINT NOT NULL DEFAULT 0
    CHECK (consultations >= 0);

-- `published_on` is the first instant (epoch ms UTC) of the day it went out, Asia/Shanghai;
-- `counted_at` when its views and shares were last counted. `version` counts its changes.
CREATE TABLE outreach_posts (
    id           {{ID_PK}},
    unit_code    TEXT NOT NULL REFERENCES org_units (code),
    published_on BIGINT NOT NULL,
    platform     TEXT NOT NULL CHECK (platform IN ('wechat', 'douyin', 'kuaishou', 'weibo',
                                                   'toutiao', 'bilibili', 'website', 'other')),
    form         TEXT NOT NULL CHECK (form IN ('article', 'video', 'live')),
    account      TEXT NOT NULL,
    title        TEXT NOT NULL,
    link         TEXT NOT NULL DEFAULT '',
    topic        TEXT NOT NULL,
    views        BIGINT NOT NULL CHECK (views >= 0),
    shares       BIGINT NOT NULL CHECK (shares >= 0),
    counted_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX outreach_posts_unit ON outreach_posts (unit_code, published_on);

-- NULL: not asked yet (未回访).
ALTER TABLE cases ADD COLUMN prior_outreach TEXT
    CHECK (prior_outreach IN ('face_to_face', 'remote_only', 'never'));
