-- Circuit breakers: the current state of each breaker, and an append-only
-- audit trail of every transition (who reset what, and why). Times are
-- epoch milliseconds (UTC). Orders, fills and positions come in later
-- migrations (0002_...).

CREATE TABLE breakers (
    name            TEXT    PRIMARY KEY NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('armed', 'tripped', 'cooling_down')),
    reason          TEXT,
    tripped_at      INTEGER,
    cooldown_until  INTEGER,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE breaker_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    breaker         TEXT    NOT NULL,
    time            INTEGER NOT NULL,
    action          TEXT    NOT NULL CHECK (action IN ('trip', 'reset', 'cool_down', 'arm')),
    from_state      TEXT    NOT NULL,
    to_state        TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    operator        TEXT,
    cooldown_until  INTEGER
);

CREATE INDEX breaker_events_by_breaker ON breaker_events (breaker, id);

CREATE TRIGGER breaker_events_no_update BEFORE UPDATE ON breaker_events
BEGIN
    SELECT RAISE(ABORT, 'breaker_events is append-only');
END;

CREATE TRIGGER breaker_events_no_delete BEFORE DELETE ON breaker_events
BEGIN
    SELECT RAISE(ABORT, 'breaker_events is append-only');
END;

-- Verifiers of operator secrets (never the secrets): a salted hash per name.
CREATE TABLE secrets (
    name        TEXT    PRIMARY KEY NOT NULL,
    algorithm   TEXT    NOT NULL,
    salt        BLOB    NOT NULL,
    hash        BLOB    NOT NULL,
    updated_at  INTEGER NOT NULL
);
