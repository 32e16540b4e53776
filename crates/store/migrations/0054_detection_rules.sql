-- The detection rules the live engine runs, every activated version kept: the rules page
-- activates a text (checked first), the server and the detection workers load the newest at
-- start and reload when a newer one appears, and the history says who changed what when.
CREATE TABLE detection_rules (
    version      BIGINT PRIMARY KEY,
    text         TEXT NOT NULL,
    rule_count   BIGINT NOT NULL,
    activated_by TEXT NOT NULL,
    activated_at BIGINT NOT NULL
);
