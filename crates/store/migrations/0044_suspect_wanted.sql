-- 上网追逃: when a suspect was put on the wanted list (网上逃犯) before being caught. A measure
-- taken after it counts the person as a fugitive caught (抓获网上逃犯); a wanted suspect
-- without any measure is at large. Epoch ms UTC; NULL when never wanted.
ALTER TABLE case_suspects ADD COLUMN wanted_at BIGINT;
