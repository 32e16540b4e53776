-- Typical cases (典型案例): cases the center picks to warn others — in the work brief to
-- leadership and units (以案说法), in awareness talks and bulletins. The summary is written for
-- publication: it names nobody (the store refuses a summary holding the victim's name, ID
-- number or phone). One entry per case; `version` counts its changes. Times epoch ms UTC.
-- `publisher_unit` is the unit that picked it (the marker's): the entry is published to every
-- unit below it — a grid worker reads the county's typical cases for their talks — while the
-- case itself stays with its own unit's area.
CREATE TABLE typical_cases (
    case_id    TEXT PRIMARY KEY REFERENCES cases (id),
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL,
    advice     TEXT NOT NULL,
    publisher_unit TEXT NOT NULL,
    marked_by  TEXT NOT NULL,
    marked_at  BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version    BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX typical_cases_marked ON typical_cases (marked_at);
