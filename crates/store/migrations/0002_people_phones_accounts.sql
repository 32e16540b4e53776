-- Residents, phone numbers and bank accounts. `unit_code` is the residence's org unit; it
-- need not exist yet (people may be imported before the org tree) and is what scoping joins on.
CREATE TABLE people (
    resident_id              TEXT PRIMARY KEY,
    name                     TEXT NOT NULL,
    phone                    TEXT,
    residence_code           TEXT NOT NULL,
    unit_code                TEXT NOT NULL,
    address                  TEXT,
    employer                 TEXT,
    public_sector            BIGINT NOT NULL DEFAULT 0 CHECK (public_sector IN (0, 1)),
    app_registered           BIGINT NOT NULL DEFAULT 0 CHECK (app_registered IN (0, 1)),
    joint_defense_registered BIGINT NOT NULL DEFAULT 0 CHECK (joint_defense_registered IN (0, 1)),
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL
);
CREATE INDEX people_unit ON people (unit_code, resident_id);
CREATE INDEX people_phone ON people (phone);

CREATE TABLE phones (
    number            TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    carrier           TEXT,
    province          TEXT,
    city              TEXT,
    owner_resident_id TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX phones_owner ON phones (owner_resident_id);

CREATE TABLE bank_accounts (
    account_no         TEXT PRIMARY KEY,
    bank_code          TEXT,
    bank_name          TEXT,
    card_type          TEXT,
    holder_resident_id TEXT,
    holder_name        TEXT,
    opened_at          BIGINT,
    opened_where       TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX bank_accounts_holder ON bank_accounts (holder_resident_id);
CREATE INDEX bank_accounts_bank ON bank_accounts (bank_code);
