-- 资金预警: a pushed warning says what kind it is (a fund warning — the person paid a known fraud
-- account — or a call, SMS, app or web-site warning), and a fund warning keeps the payment the
-- platform reported (amount, time, payee account and bank, the person's own account), so that
-- the center asks the payee's bank to hold the money at once (保护性止付) and counts how many
-- fund warnings it stopped within 30 minutes. Warnings from the engine or typed by hand, and
-- pushes whose list states no kind, leave push_kind empty.
ALTER TABLE warnings ADD COLUMN push_kind TEXT
    CHECK (push_kind IS NULL OR push_kind IN ('fund', 'call', 'sms', 'app', 'url', 'other'));
CREATE INDEX warnings_push_kind ON warnings (push_kind, detected_at);

CREATE TABLE warning_funds (
    warning_id      TEXT PRIMARY KEY REFERENCES warnings (id),
    amount_fen      BIGINT CHECK (amount_fen IS NULL OR amount_fen > 0),
    paid_at         BIGINT,
    payee_account   TEXT,
    payee_bank_code TEXT,
    payee_bank      TEXT,
    payer_account   TEXT
);
