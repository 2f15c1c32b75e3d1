-- The alerts' outbox: one row per message and channel, written before
-- delivery is tried, so that an alert survives a restart and a channel's
-- outage. `state` is pending until delivered or given up; `due_ms` is when
-- the next attempt may run. Times are epoch milliseconds (UTC).

CREATE TABLE alert_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT    NOT NULL,
    alert_key   TEXT    NOT NULL,
    -- The message as JSON (the alert, or a digest of several).
    payload     TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    due_ms      INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    state       TEXT    NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'delivered', 'abandoned')),
    done_ms     INTEGER
);

CREATE INDEX alert_outbox_due ON alert_outbox (state, due_ms);
