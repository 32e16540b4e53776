-- The warnings of an instruction (a person warned again merges into their open instruction):
-- counted per queue row and for the 多次预警 filter.
CREATE INDEX warnings_instruction ON warnings (instruction_id);
