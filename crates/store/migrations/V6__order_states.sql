-- One state machine for orders (smc_model::OrderStatus): the journal's
-- 'pending' is now 'pending_new' (sent, not acknowledged), and a requested
-- but unconfirmed cancel is 'pending_cancel'. SQLite cannot change a CHECK
-- constraint, so the table is rebuilt and its rows copied.

CREATE TABLE orders_new (
    client_id       TEXT    PRIMARY KEY NOT NULL,
    instrument      TEXT    NOT NULL,
    -- The whole OrderRequest as JSON (side, qty, kind, time in force, ...).
    request         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN (
                        'new', 'pending_new', 'unknown', 'submitted', 'partially_filled',
                        'pending_cancel', 'filled', 'cancelled', 'rejected', 'expired')),
    filled_qty      TEXT    NOT NULL DEFAULT '0',
    venue_order_id  TEXT,
    reason          TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

INSERT INTO orders_new
    SELECT client_id, instrument, request,
           CASE status WHEN 'pending' THEN 'pending_new' ELSE status END,
           filled_qty, venue_order_id, reason, created_at, updated_at
    FROM orders;

DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;

CREATE INDEX orders_open ON orders (status)
    WHERE status IN ('pending_new', 'unknown', 'submitted', 'partially_filled', 'pending_cancel');
CREATE INDEX orders_by_venue_id ON orders (instrument, venue_order_id);
