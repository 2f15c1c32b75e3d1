-- The trading journal: every order (written before it is sent), every fill
-- (de-duplicated by the venue's trade id, whichever channel reported it),
-- and each instrument's position. Decimals are stored as text, exactly as
-- the model holds them; times are epoch milliseconds (UTC).

CREATE TABLE orders (
    client_id       TEXT    PRIMARY KEY NOT NULL,
    instrument      TEXT    NOT NULL,
    -- The whole OrderRequest as JSON (side, qty, kind, time in force, ...).
    request         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN (
                        'pending', 'submitted', 'partially_filled', 'filled',
                        'cancelled', 'rejected', 'expired', 'unknown')),
    filled_qty      TEXT    NOT NULL DEFAULT '0',
    venue_order_id  TEXT,
    reason          TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE INDEX orders_open ON orders (status)
    WHERE status IN ('pending', 'submitted', 'partially_filled', 'unknown');

CREATE TABLE fills (
    instrument      TEXT    NOT NULL,
    trade_id        TEXT    NOT NULL,
    client_id       TEXT    NOT NULL,
    time            INTEGER NOT NULL,
    -- The whole Fill as JSON (side, price, qty, fee, liquidity).
    fill            TEXT    NOT NULL,
    PRIMARY KEY (instrument, trade_id)
);

CREATE INDEX fills_by_order ON fills (client_id);

CREATE TABLE positions (
    instrument      TEXT    PRIMARY KEY NOT NULL,
    qty             TEXT    NOT NULL,
    avg_price       TEXT    NOT NULL,
    realized_pnl    TEXT    NOT NULL,
    updated_at      INTEGER NOT NULL
);
