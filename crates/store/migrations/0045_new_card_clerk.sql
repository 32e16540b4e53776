-- 谁办卡、谁负责: the clerk (经办人 / 柜员号 / 受理人) who opened a new card, as the issuer's list
-- names them; '' when the list has no such column. Ranked with the outlet for the cards later
-- found in cases, sold, or closed within weeks.
ALTER TABLE new_cards ADD COLUMN clerk TEXT NOT NULL DEFAULT '';
