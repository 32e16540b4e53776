-- 劝阻话术 as the center writes them: per fraud type, the sentences grid workers and 96110 seats
-- say on the phone (one per line, Chinese and English), replacing the built-in ones as scams
-- change. A type without a row uses the built-in sentences. Times epoch ms UTC; `version`
-- counts the row's changes (a write names the version it read).
CREATE TABLE talking_points (
    fraud_type TEXT PRIMARY KEY,
    zh         TEXT NOT NULL,
    en         TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version    BIGINT NOT NULL CHECK (version >= 1)
);
