-- 企业反诈联盟: an awareness event held at a member enterprise names the member it was held at
-- (picked on the form), so the member's figures count it whatever the place's text says.
-- Events without one are still matched by the enterprise's name in the place.
ALTER TABLE outreach_events ADD COLUMN alliance_member_id BIGINT REFERENCES alliance_members (id);
CREATE INDEX outreach_events_alliance_member ON outreach_events (alliance_member_id);
