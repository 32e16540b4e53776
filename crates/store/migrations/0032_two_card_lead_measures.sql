-- 打击处理 of a two-card lead: the measure taken against the holder of a card found lent or sold
-- (刑拘, 逮捕, 取保候审, 监视居住, 行政处罚, 教育训诫) and when (epoch ms UTC), so that the leads'
-- results count the people dealt with ("抓获…人，其中采取刑事强制措施…人").
ALTER TABLE two_card_leads ADD COLUMN measure TEXT
    CHECK (measure IS NULL OR measure IN ('criminal_detention', 'arrest', 'bail',
                                          'residential_surveillance', 'administrative',
                                          'education'));
ALTER TABLE two_card_leads ADD COLUMN measure_at BIGINT;
