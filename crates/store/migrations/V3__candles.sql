-- The closed candles a paper or live run has processed, written before the
-- engine sees them. The engine is deterministic, so replaying them through a
-- fresh engine after a restart rebuilds its exact state (strategy, orders,
-- positions), which the journal then confirms.

CREATE TABLE candles (
    instrument      TEXT    NOT NULL,
    timeframe       TEXT    NOT NULL,
    open_time       INTEGER NOT NULL,
    -- The whole Candle as JSON (exact decimals as strings).
    candle          TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    PRIMARY KEY (instrument, timeframe, open_time)
);

CREATE UNIQUE INDEX candles_in_order ON candles (seq);
