-- Webhook subscriptions and their deliveries. A subscription receives the closed loop's notices
-- for its unit's subtree; each matching notice becomes one delivery row, retried with backoff
-- until the receiver answers 2xx (`delivered`) or the attempts run out (`dead`, the
-- dead-letter list). Rows survive restarts: a worker resumes from `next_attempt_at`.
CREATE TABLE webhooks (
    id          {{ID_PK}},
    unit_code   TEXT NOT NULL REFERENCES org_units (code),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhooks_unit ON webhooks (unit_code);

CREATE TABLE webhook_deliveries (
    id              {{ID_PK}},
    webhook_id      BIGINT NOT NULL REFERENCES webhooks (id),
    notice          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at BIGINT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'dead')),
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
