-- The append-only journal log's position: the last record applied here,
-- written in the transaction that applies it (a restart applies the ones
-- after it).
CREATE TABLE journal_log_position (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    applied_seq BIGINT NOT NULL
);
