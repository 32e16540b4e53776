-- 订单信息泄露溯源: for a case where the caller knew the victim's order (冒充电商物流客服 —
-- "your parcel is lost", "the item is faulty, we refund"), what the victim says the caller
-- knew and where that order was placed and shipped: the shopping platform, the shop, the
-- courier and its outlet (快递网点), the order's date, and the details cited (order number,
-- goods, name, phone, address, waybill number). Cases sharing a shop or an outlet point to
-- where the data leaked (seed 002: waybill data stolen from courier outlets). One row per
-- case, rewritten from the version read. Times epoch ms UTC; the order date YYYY-MM-DD.
CREATE TABLE case_order_sources (
    case_id      TEXT PRIMARY KEY REFERENCES cases (id),
    platform     TEXT NOT NULL DEFAULT '',
    shop         TEXT NOT NULL DEFAULT '',
    shop_key     TEXT NOT NULL DEFAULT '',
    courier      TEXT NOT NULL DEFAULT '',
    outlet       TEXT NOT NULL DEFAULT '',
    outlet_key   TEXT NOT NULL DEFAULT '',
    ordered_on   TEXT,
    -- Comma-separated codes: order_no, goods, name, phone, address, waybill, amount.
    cited        TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX case_order_sources_shop ON case_order_sources (shop_key);
CREATE INDEX case_order_sources_outlet ON case_order_sources (outlet_key);
