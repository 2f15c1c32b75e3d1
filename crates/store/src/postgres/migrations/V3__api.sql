-- The API server's accounts on PostgreSQL: the same tables, constraints
-- and meanings as the SQLite migration V8 (see crates/store/migrations):
-- users (argon2id hashes, TOTP), recovery codes and refresh tokens and API
-- keys as SHA-256 digests, sealed exchange keys, server settings. Times are
-- epoch ms (UTC).

CREATE TABLE users (
    username        TEXT    PRIMARY KEY,
    password_hash   TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'trader', 'viewer', 'auditor')),
    totp_secret     TEXT,
    totp_pending    TEXT,
    totp_last_step  BIGINT,
    created_at      BIGINT  NOT NULL
);

CREATE TABLE recovery_codes (
    username    TEXT    NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    digest      TEXT    NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (username, digest)
);

CREATE TABLE refresh_tokens (
    digest      TEXT    PRIMARY KEY,
    username    TEXT    NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    family      TEXT    NOT NULL,
    issued_at   BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);

CREATE TABLE api_keys (
    id          TEXT    PRIMARY KEY,
    digest      TEXT    NOT NULL UNIQUE,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'trader', 'viewer', 'auditor')),
    owner       TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);

CREATE TABLE exchange_keys (
    venue       TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    sealed      TEXT    NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (venue, name)
);

CREATE TABLE server_settings (
    name        TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL
);
