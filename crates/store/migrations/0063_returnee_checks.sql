-- 回流人员核查: every person back from the fraud compounds abroad (a 劝返回流 dossier, or one whose
-- 劝返 state is 已劝返) is checked one by one (逐人核查研判) and the outcome recorded —
-- `criminal` (涉嫌犯罪，已采取刑事强制措施), `administrative` (行政处罚), `admonished` (教育训诫),
-- `no_offence` (未发现违法犯罪) — as a `returnee_check` entry of the dossier; the dossier keeps the
-- latest outcome and when. Times epoch ms UTC.
ALTER TABLE key_persons ADD COLUMN returnee_check TEXT
    CHECK (returnee_check IS NULL OR returnee_check IN ('criminal', 'administrative', 'admonished', 'no_offence'));
ALTER TABLE key_persons ADD COLUMN returnee_checked_at BIGINT;
