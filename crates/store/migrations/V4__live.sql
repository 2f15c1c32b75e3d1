-- Live trading: every venue report (acknowledgement, rejection, cancel,
-- expiry, fill) in the order the engine applied it, written before it is
-- applied. `key` names a report whichever channel delivered it (response,
-- user stream, query, reconciliation), so one seen twice is applied once.
-- `after_candles` is how many logged candles the engine had processed when
-- it was applied: a restart replays candles and reports interleaved exactly
-- so, through a fresh deterministic engine.

CREATE TABLE venue_reports (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    key             TEXT    NOT NULL UNIQUE,
    after_candles   INTEGER NOT NULL,
    -- The report as JSON.
    report          TEXT    NOT NULL
);

-- Facts a session fixes once and keeps across restarts (its starting
-- balance on the venue, when it started, ...).
CREATE TABLE session (
    name            TEXT    PRIMARY KEY NOT NULL,
    value           TEXT    NOT NULL
);
