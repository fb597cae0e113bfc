-- The UI's login (issue 12): one password, login sessions, and the audit log of every
-- state-changing request.
--
-- auth_password holds at most one row: the Argon2id hash `quantd passwd` stores
-- (crypto_pwhash_str, "$argon2id$..."), never the password.
CREATE TABLE auth_password (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  hash   TEXT    NOT NULL,
  set_at INTEGER NOT NULL  -- UTC ms
);

-- A login session. The cookie's value is never stored: token_hash is its SHA-256 (hex), so a
-- copy of the database cannot be replayed as a cookie. id is the session's non-secret handle
-- (listed, revoked and written to the audit log by it). A revoked session's row is deleted.
CREATE TABLE auth_sessions (
  id           INTEGER PRIMARY KEY,
  token_hash   TEXT    NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,  -- UTC ms
  last_seen_at INTEGER NOT NULL,  -- UTC ms, updated at most once a minute
  expires_at   INTEGER NOT NULL,  -- UTC ms: the absolute end, whatever the activity
  user_agent   TEXT    NOT NULL,  -- clipped to 200 characters
  client       TEXT    NOT NULL   -- the peer's address at login, without its port
);

-- Every state-changing request (POST, PUT, PATCH, DELETE), allowed or refused. summary never
-- holds a body, a secret or a password. Rows beyond the newest 100,000 are pruned.
CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY,
  ts      INTEGER NOT NULL,  -- UTC ms
  actor   TEXT    NOT NULL,  -- "token", "session <id>", "loopback" or "anonymous"
  client  TEXT    NOT NULL,
  method  TEXT    NOT NULL,
  path    TEXT    NOT NULL,
  status  INTEGER NOT NULL,
  summary TEXT    NOT NULL
);
