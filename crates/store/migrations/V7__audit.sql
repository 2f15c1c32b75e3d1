-- The audit log: every state-changing request, every breaker transition
-- and every risk decision of the engine, hash-chained. Each row's `hash`
-- is SHA-256 over the previous row's hash and every column of its own
-- (see crates/store/src/sqlite/audit/hash.rs), the first row's
-- `prev_hash` is 64 zeros, and ids have no gaps, so that an edit, a
-- deletion, an insertion or a reordering breaks the chain where it was
-- made. Times are epoch milliseconds (UTC); `detail` is JSON.
--
-- AUTOINCREMENT keeps the highest id ever issued in `sqlite_sequence`:
-- deleting the last rows leaves it ahead of the last id (which the
-- verification reports), and the next append does not reuse their ids.
-- STRICT refuses a value of the wrong type instead of storing it.

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    time        INTEGER NOT NULL,
    -- Who: `user:alice`, `key:abc123`, `engine`, `cli`, an operator.
    actor       TEXT    NOT NULL,
    -- What: `POST /api/v1/users`, `breaker.trip`, `risk.rejected`, ...
    action      TEXT    NOT NULL,
    -- On what: a user, a breaker, an order's client id ('' for nothing).
    target      TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    -- How it ended: `ok`, `denied`, an HTTP status, a verdict.
    outcome     TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
