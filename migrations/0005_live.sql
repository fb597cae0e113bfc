-- Live trading (LIVE.md §5): accounts, sessions, the intent and order journals, fills, the
-- per-session ledgers, reconciliation and the paper broker's own book.
-- Timestamps are UTC epoch ms; money is integral KRW; prices are REAL (whole won for KRX).

-- One row per broker account quantd trades. The paper broker's account is created on first use.
-- trading_state is the account's kill switch and risk state (LIVE.md §4.5); it survives restarts.
CREATE TABLE broker_accounts (
  id               INTEGER PRIMARY KEY,
  broker           TEXT    NOT NULL CHECK (broker IN ('paper', 'kis')),
  environment      TEXT    NOT NULL CHECK (environment IN ('sim', 'paper', 'real')),
  label            TEXT    NOT NULL,  -- shown to people; for KIS the masked number, never the full one
  trading_state    TEXT    NOT NULL DEFAULT 'active'
                   CHECK (trading_state IN ('active', 'reducing', 'halted')),
  state_reason     TEXT,
  state_changed_at INTEGER,
  created_at       INTEGER NOT NULL,
  UNIQUE (broker, environment, label)
);

-- A live session: one activation of one strategy, pinned to the strategy's code at that moment
-- (editing the strategy never changes a running session).
CREATE TABLE live_sessions (
  id               INTEGER PRIMARY KEY,
  strategy_id      INTEGER REFERENCES strategies(id) ON DELETE SET NULL,
  strategy_version INTEGER NOT NULL,
  strategy_name    TEXT    NOT NULL,
  script           TEXT    NOT NULL,
  params           TEXT    NOT NULL,
  symbols          TEXT    NOT NULL,  -- JSON array
  interval         TEXT    NOT NULL,
  market           TEXT    NOT NULL DEFAULT 'kospi',
  account_id       INTEGER NOT NULL REFERENCES broker_accounts(id),
  capital          INTEGER NOT NULL CHECK (capital > 0),
  cash             INTEGER NOT NULL CHECK (cash >= 0),  -- the session's virtual ledger
  settings         TEXT    NOT NULL DEFAULT '{}',       -- costs, order policy, risk limits
  state            TEXT    NOT NULL
                   CHECK (state IN ('warming', 'active', 'reducing', 'halted', 'stopping',
                                    'stopped', 'failed')),
  state_reason     TEXT,
  warmup_from_ts   INTEGER,  -- first bar fed (a restart replays from here)
  trade_from_ts    INTEGER,  -- first bar whose decision may trade
  last_bar_ts      INTEGER,  -- last bar fed and recorded
  data_note        TEXT,     -- why no bar arrived lately ("no replay data ..."), or NULL
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  stopped_at       INTEGER
);
CREATE UNIQUE INDEX live_sessions_one_running ON live_sessions(strategy_id)
  WHERE state NOT IN ('stopped', 'failed');
CREATE INDEX live_sessions_by_account ON live_sessions(account_id, state);

-- The intent journal: every target a session decided while it may trade.
CREATE TABLE live_targets (
  id         INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
  symbol     TEXT    NOT NULL,
  decided_ts INTEGER NOT NULL,  -- open time of the bar whose close produced it
  kind       TEXT    NOT NULL CHECK (kind IN ('shares', 'percent', 'krw')),
  value      REAL    NOT NULL,
  exits      TEXT    NOT NULL DEFAULT '{}',
  status     TEXT    NOT NULL
             CHECK (status IN ('pending', 'acting', 'done', 'superseded', 'expired')),
  created_at INTEGER NOT NULL,
  UNIQUE (session_id, symbol, decided_ts)
);
CREATE INDEX live_targets_open ON live_targets(session_id, status)
  WHERE status IN ('pending', 'acting');

-- What the DataContext said at each bar a session fed while it could trade, and what it decided:
-- the evaluation log, and the record a restart replays against.
CREATE TABLE live_evaluations (
  session_id  INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
  symbol      TEXT    NOT NULL,
  bar_ts      INTEGER NOT NULL,
  close       REAL    NOT NULL,
  position    INTEGER NOT NULL,
  entry_price REAL    NOT NULL,
  bars_held   INTEGER NOT NULL,
  cash        INTEGER NOT NULL,
  equity      REAL    NOT NULL,
  target_id   INTEGER,  -- the intent decided at this bar, if any
  PRIMARY KEY (session_id, symbol, bar_ts)
) WITHOUT ROWID;

-- The order journal. A row is committed before anything is sent (LIVE.md I1); its id is quantd's
-- client order id. session_id NULL: an order nobody at quantd placed (external, adopted).
CREATE TABLE orders (
  id              INTEGER PRIMARY KEY,
  account_id      INTEGER NOT NULL REFERENCES broker_accounts(id),
  session_id      INTEGER REFERENCES live_sessions(id),
  target_id       INTEGER REFERENCES live_targets(id),
  parent_order_id INTEGER REFERENCES orders(id),  -- a cancel of
  symbol          TEXT    NOT NULL,
  side            TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
  reason          TEXT    NOT NULL,  -- signal, stop_loss, take_profit, trailing_stop, flatten, cancel, external
  order_type      TEXT    NOT NULL CHECK (order_type IN ('limit', 'market', 'stop_market')),
  quantity        INTEGER NOT NULL CHECK (quantity > 0),
  limit_price     REAL    NOT NULL DEFAULT 0,
  trigger_price   REAL    NOT NULL DEFAULT 0,
  bar_ts          INTEGER NOT NULL DEFAULT 0,  -- simulation: the bar it executes in
  bar_interval    TEXT    NOT NULL DEFAULT '1m',
  decided_ts      INTEGER,
  ref_price       REAL,
  state           TEXT    NOT NULL
                  CHECK (state IN ('denied', 'pending_submit', 'unknown', 'accepted',
                                   'partially_filled', 'filled', 'cancel_pending', 'cancelled',
                                   'expired', 'rejected', 'not_placed', 'needs_attention')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  empty_checks    INTEGER NOT NULL DEFAULT 0,
  sent_at         INTEGER,  -- daemon clock
  acked_at        INTEGER,
  broker_order_no TEXT,
  broker_branch   TEXT,
  broker_date     TEXT,     -- YYYY-MM-DD
  broker_time     TEXT,
  filled_qty      INTEGER NOT NULL DEFAULT 0,
  filled_amount   INTEGER NOT NULL DEFAULT 0,
  cancelled_qty   INTEGER NOT NULL DEFAULT 0,
  reject_code     TEXT,
  reject_message  TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX orders_broker_no ON orders(account_id, broker_date, broker_order_no)
  WHERE broker_order_no IS NOT NULL;
CREATE INDEX orders_open ON orders(account_id, symbol, state)
  WHERE state IN ('pending_submit', 'unknown', 'accepted', 'partially_filled', 'cancel_pending',
                  'needs_attention');
CREATE INDEX orders_by_session ON orders(session_id, id);

-- Fills as increments of the broker's cumulative quantity per order (LIVE.md I5): replaying a
-- snapshot that was already applied inserts nothing, by the unique key.
CREATE TABLE fills (
  id          INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL REFERENCES orders(id),
  session_id  INTEGER,
  symbol      TEXT    NOT NULL,
  side        TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity    INTEGER NOT NULL CHECK (quantity > 0),
  price       REAL    NOT NULL,
  notional    INTEGER NOT NULL,
  commission  INTEGER NOT NULL,
  tax         INTEGER NOT NULL,
  cum_qty     INTEGER NOT NULL,
  fill_ts     INTEGER NOT NULL,  -- when it executed (the bar's open time when simulated)
  observed_at INTEGER NOT NULL,  -- when quantd learnt of it (daemon clock)
  source      TEXT    NOT NULL CHECK (source IN ('ccld', 'ws', 'paper', 'operator')),
  UNIQUE (order_id, cum_qty)
);
CREATE INDEX fills_by_session ON fills(session_id, id);

-- The per-session virtual ledger's positions (cash is live_sessions.cash).
CREATE TABLE positions (
  session_id    INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
  symbol        TEXT    NOT NULL,
  quantity      INTEGER NOT NULL CHECK (quantity >= 0),
  avg_price     REAL    NOT NULL DEFAULT 0,
  entry_ts      INTEGER NOT NULL DEFAULT 0,
  exits         TEXT    NOT NULL DEFAULT '{}',  -- protective exits of the open position
  exit_levels   TEXT    NOT NULL DEFAULT '{}',  -- their price levels {stop, take, trail}
  highest_close REAL    NOT NULL DEFAULT 0,
  in_force      TEXT,                           -- the target last acted upon, while open
  realized_pnl  INTEGER NOT NULL DEFAULT 0,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (session_id, symbol)
) WITHOUT ROWID;

-- Holdings of an account that no session owns (pre-existing, manual, left by a stopped session).
CREATE TABLE account_baseline (
  account_id INTEGER NOT NULL REFERENCES broker_accounts(id),
  symbol     TEXT    NOT NULL,
  quantity   INTEGER NOT NULL,
  note       TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, symbol)
) WITHOUT ROWID;

-- Equity of each session at each bar it traded through; session_id 0 is reserved for the account.
CREATE TABLE equity_snapshots (
  session_id      INTEGER NOT NULL,
  ts              INTEGER NOT NULL,
  cash            INTEGER NOT NULL,
  positions_value REAL    NOT NULL,
  equity          REAL    NOT NULL,
  PRIMARY KEY (session_id, ts)
) WITHOUT ROWID;

-- Append-only audit of every state change (orders, sessions, accounts, risk, reconciliation).
-- detail never holds secrets (LIVE.md I10).
CREATE TABLE journal (
  id         INTEGER PRIMARY KEY,
  ts         INTEGER NOT NULL,
  account_id INTEGER,
  session_id INTEGER,
  order_id   INTEGER,
  kind       TEXT    NOT NULL,  -- order_state, session_state, account_state, risk_denied, reconcile, operator
  from_state TEXT,
  to_state   TEXT,
  source     TEXT    NOT NULL,  -- broker, reconcile, restart, operator, risk, session
  detail     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX journal_by_order ON journal(order_id, id);
CREATE INDEX journal_by_session ON journal(session_id, id);

CREATE TABLE reconciliations (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES broker_accounts(id),
  ts         INTEGER NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('startup', 'cycle', 'periodic', 'eod', 'resume')),
  result     TEXT    NOT NULL CHECK (result IN ('ok', 'mismatch', 'incomplete')),
  report     TEXT    NOT NULL
);
CREATE INDEX reconciliations_by_account ON reconciliations(account_id, id);

-- One row per scheduler minute the live pool worked on: health, tests and the UI.
CREATE TABLE live_cycles (
  minute        INTEGER PRIMARY KEY,
  started_at    INTEGER NOT NULL,  -- daemon clock
  finished_at   INTEGER,
  sessions      INTEGER NOT NULL DEFAULT 0,
  done_sessions INTEGER NOT NULL DEFAULT 0,
  orders_sent   INTEGER NOT NULL DEFAULT 0,
  bars_fed      INTEGER NOT NULL DEFAULT 0,
  wall_ms       REAL,             -- steady-clock milliseconds from the tick to the last session
  late          INTEGER NOT NULL DEFAULT 0,
  note          TEXT
);

-- The paper broker's own book: the "other side" that reconciliation and restarts are tested
-- against. Same shape as the answers of a real broker.
CREATE TABLE paper_accounts (
  account_id INTEGER PRIMARY KEY REFERENCES broker_accounts(id),
  cash       INTEGER NOT NULL CHECK (cash >= 0),
  next_order INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL
);

CREATE TABLE paper_orders (
  account_id    INTEGER NOT NULL REFERENCES broker_accounts(id),
  order_no      TEXT    NOT NULL,
  order_date    TEXT    NOT NULL,  -- YYYY-MM-DD (KST)
  order_ts      INTEGER NOT NULL,
  symbol        TEXT    NOT NULL,
  market        TEXT    NOT NULL,
  side          TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
  order_type    TEXT    NOT NULL,
  quantity      INTEGER NOT NULL CHECK (quantity > 0),
  limit_price   REAL    NOT NULL DEFAULT 0,
  trigger_price REAL    NOT NULL DEFAULT 0,
  bar_ts        INTEGER NOT NULL DEFAULT 0,
  bar_interval  TEXT    NOT NULL DEFAULT '1m',
  filled_qty    INTEGER NOT NULL DEFAULT 0,
  filled_amount INTEGER NOT NULL DEFAULT 0,
  avg_price     REAL    NOT NULL DEFAULT 0,
  fill_ts       INTEGER NOT NULL DEFAULT 0,
  cancelled_qty INTEGER NOT NULL DEFAULT 0,
  commission    INTEGER NOT NULL DEFAULT 0,
  tax           INTEGER NOT NULL DEFAULT 0,
  status        TEXT    NOT NULL CHECK (status IN ('open', 'filled', 'cancelled', 'expired')),
  PRIMARY KEY (account_id, order_date, order_no)
) WITHOUT ROWID;

CREATE INDEX paper_orders_by_symbol ON paper_orders(account_id, order_date, symbol);
CREATE INDEX paper_orders_open ON paper_orders(account_id, status) WHERE status = 'open';

CREATE TABLE paper_holdings (
  account_id INTEGER NOT NULL REFERENCES broker_accounts(id),
  symbol     TEXT    NOT NULL,
  quantity   INTEGER NOT NULL CHECK (quantity >= 0),
  avg_price  REAL    NOT NULL,
  PRIMARY KEY (account_id, symbol)
) WITHOUT ROWID;
