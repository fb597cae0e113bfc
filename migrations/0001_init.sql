-- The daemon's first schema: strategies and the backtest job records.
-- Timestamps are UTC epoch milliseconds (INTEGER). JSON documents are TEXT.

CREATE TABLE strategies (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  description TEXT    NOT NULL DEFAULT '',
  script      TEXT    NOT NULL,            -- strategy-language source, or 'builtin:NAME'
  params      TEXT    NOT NULL DEFAULT '{}',
  symbols     TEXT    NOT NULL DEFAULT '[]',
  interval    TEXT    NOT NULL DEFAULT '1d',
  version     INTEGER NOT NULL DEFAULT 1,  -- bumped on every update
  active      INTEGER NOT NULL DEFAULT 0,  -- 1 while live trading is on
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- A backtest row is the durable job record; the bus only carries its id.
CREATE TABLE backtests (
  id               INTEGER PRIMARY KEY,
  strategy_id      INTEGER REFERENCES strategies(id) ON DELETE SET NULL,
  strategy_version INTEGER NOT NULL,
  script           TEXT    NOT NULL,       -- the exact script it ran with
  params           TEXT    NOT NULL DEFAULT '{}',
  settings         TEXT    NOT NULL DEFAULT '{}',  -- symbols, interval, from/to, cash, costs
  status           TEXT    NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'done', 'failed', 'canceled')),
  progress         REAL    NOT NULL DEFAULT 0,
  error            TEXT,
  metrics          TEXT,                   -- JSON, set when done
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER
);
CREATE INDEX backtests_by_strategy ON backtests(strategy_id, id);
CREATE INDEX backtests_by_status ON backtests(status);
