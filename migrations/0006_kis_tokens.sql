-- KIS access tokens (LIVE.md §3.2 KisAuth, PROTOCOL §2.1): one per environment and app key, so a
-- restart reuses the token instead of asking tokenP again (KIS throttles it and texts the user on
-- every real issue). The app key itself is never stored: key_hash is its SHA-256.
-- last_request_at is the last tokenP attempt (successful or not): quantd never asks twice within
-- 61 s, across restarts. token is a secret at rest: quantd keeps the database file mode 0600.
CREATE TABLE broker_tokens (
  environment     TEXT    NOT NULL CHECK (environment IN ('paper', 'real')),
  key_hash        TEXT    NOT NULL,
  token           TEXT,
  expires_at      INTEGER,  -- UTC ms, from access_token_token_expired (KST)
  issued_at       INTEGER,
  last_request_at INTEGER NOT NULL,
  revoked         INTEGER NOT NULL DEFAULT 0,  -- revoked after KIS kept answering it was invalid
  PRIMARY KEY (environment, key_hash)
) WITHOUT ROWID;
