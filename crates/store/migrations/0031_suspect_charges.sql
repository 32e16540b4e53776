-- 罪名 and 移送起诉: what a suspect is charged with — 诈骗罪, 帮助信息网络犯罪活动罪 (帮信罪),
-- 掩饰、隐瞒犯罪所得罪 (掩隐罪) or another — and when the case against them went to the
-- procuratorate (epoch ms UTC). Bureaus report "抓获…其中诈骗罪名N人" and "移送起诉M人".
ALTER TABLE case_suspects ADD COLUMN charge TEXT
    CHECK (charge IS NULL OR charge IN ('fraud', 'helping', 'concealing', 'other'));
ALTER TABLE case_suspects ADD COLUMN prosecuted_at BIGINT;
CREATE INDEX case_suspects_prosecuted ON case_suspects (prosecuted_at);
