-- 督办: the level that supervises a case's investigation — 公安部督办 (`ministry`), 省厅督办
-- (`province`), 市局督办 (`city`) — set with the investigation status; NULL when none does.
-- The supervised cases and how many are solved are a figure leaders report (侦破部督案件).
ALTER TABLE case_enforcement ADD COLUMN supervision TEXT
    CHECK (supervision IS NULL OR supervision IN ('city', 'province', 'ministry'));
