-- 金钟罩 guardians are imported in bulk: one guardian per resident and phone number, so a list
-- imported again finds the guardians it recorded instead of adding them twice. Duplicates
-- recorded before (same resident, same phone) keep their first row.
DELETE FROM guardians
WHERE id NOT IN (SELECT MIN(g.id) FROM guardians g GROUP BY g.resident_id, g.phone);
CREATE UNIQUE INDEX guardians_resident_phone ON guardians (resident_id, phone);
