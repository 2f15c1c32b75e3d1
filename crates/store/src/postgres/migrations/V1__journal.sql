-- The trading journal on PostgreSQL: the same tables and meanings as the
-- SQLite migrations V2-V6 (see crates/store/migrations), in one step.
-- Decimals are text, exactly as the model holds them (and as SQLite keeps
-- them: a copy between the two is lossless); times are epoch ms (UTC).

CREATE TABLE orders (
    client_id       TEXT    PRIMARY KEY,
    instrument      TEXT    NOT NULL,
    request         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN (
                        'new', 'pending_new', 'unknown', 'submitted', 'partially_filled',
                        'pending_cancel', 'filled', 'cancelled', 'rejected', 'expired')),
    filled_qty      TEXT    NOT NULL DEFAULT '0',
    venue_order_id  TEXT,
    reason          TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX orders_open ON orders (status)
    WHERE status IN ('pending_new', 'unknown', 'submitted', 'partially_filled', 'pending_cancel');
CREATE INDEX orders_by_venue_id ON orders (instrument, venue_order_id);
CREATE INDEX orders_by_time ON orders (created_at, client_id);

CREATE TABLE fills (
    seq             BIGINT  GENERATED ALWAYS AS IDENTITY,
    instrument      TEXT    NOT NULL,
    trade_id        TEXT    NOT NULL,
    client_id       TEXT    NOT NULL,
    time            BIGINT  NOT NULL,
    fill            TEXT    NOT NULL,
    PRIMARY KEY (instrument, trade_id)
);
CREATE INDEX fills_by_order ON fills (client_id);
CREATE INDEX fills_by_time ON fills (time, seq);

CREATE TABLE positions (
    instrument      TEXT    PRIMARY KEY,
    qty             TEXT    NOT NULL,
    avg_price       TEXT    NOT NULL,
    realized_pnl    TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL
);

-- The candle log, partitioned by month of open_time; the journal creates
-- each month's partition before it writes into it. The key includes the
-- partition column, as PostgreSQL requires, and is the log's own key.
CREATE SEQUENCE candles_seq;
CREATE TABLE candles (
    instrument      TEXT    NOT NULL,
    timeframe       TEXT    NOT NULL,
    open_time       BIGINT  NOT NULL,
    candle          TEXT    NOT NULL,
    received_at     BIGINT,
    history         BOOLEAN NOT NULL DEFAULT FALSE,
    seq             BIGINT  NOT NULL DEFAULT nextval('candles_seq'),
    PRIMARY KEY (instrument, timeframe, open_time)
) PARTITION BY RANGE (open_time);
CREATE INDEX candles_in_order ON candles (seq);

-- Every engine event a step committed, as JSON, partitioned by month: what
-- the API and other readers page through by time and kind.
CREATE SEQUENCE engine_events_seq;
CREATE TABLE engine_events (
    seq             BIGINT  NOT NULL DEFAULT nextval('engine_events_seq'),
    time            BIGINT  NOT NULL,
    kind            TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    PRIMARY KEY (time, seq)
) PARTITION BY RANGE (time);
CREATE INDEX engine_events_by_kind ON engine_events (kind, time);

CREATE TABLE venue_reports (
    seq             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key             TEXT    NOT NULL UNIQUE,
    after_candles   BIGINT  NOT NULL,
    report          TEXT    NOT NULL
);

CREATE TABLE session (
    name            TEXT    PRIMARY KEY,
    value           TEXT    NOT NULL
);
