-- The API server's accounts: users (argon2id password hashes, TOTP),
-- one-time recovery codes (SHA-256 digests), rotating refresh tokens
-- (SHA-256 digests, grouped in families for reuse detection), API keys
-- (SHA-256 digests), exchange keys sealed with AES-256-GCM, and server
-- settings such as the token-signing key. No secret is stored in clear
-- except where a column says so. Times are epoch milliseconds (UTC).

CREATE TABLE users (
    username        TEXT    PRIMARY KEY NOT NULL,
    password_hash   TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'trader', 'viewer', 'auditor')),
    -- Base32 TOTP secret once confirmed; pending until the first code.
    totp_secret     TEXT,
    totp_pending    TEXT,
    -- The last time step a code was accepted for: a code is good once.
    totp_last_step  INTEGER,
    created_at      INTEGER NOT NULL
);

CREATE TABLE recovery_codes (
    username    TEXT    NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    digest      TEXT    NOT NULL,
    used_at     INTEGER,
    PRIMARY KEY (username, digest)
);

CREATE TABLE refresh_tokens (
    digest      TEXT    PRIMARY KEY NOT NULL,
    username    TEXT    NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    family      TEXT    NOT NULL,
    issued_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    revoked_at  INTEGER
);

CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);

CREATE TABLE api_keys (
    id          TEXT    PRIMARY KEY NOT NULL,
    digest      TEXT    NOT NULL UNIQUE,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'trader', 'viewer', 'auditor')),
    owner       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
);

CREATE TABLE exchange_keys (
    venue       TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    -- nonce || AES-256-GCM ciphertext, hex; the AAD is "venue:name".
    sealed      TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (venue, name)
);

CREATE TABLE server_settings (
    name        TEXT    PRIMARY KEY NOT NULL,
    value       TEXT    NOT NULL
);
