-- Parameter sweeps and walk-forward analyses (issue 13).
--
-- A `sweeps` row is the job record, as a `backtests` row is: the bus carries only its id. The
-- runs it is made of are fixed by spec_json (docs/api.md, "Sweeps"), so a restarted sweep derives
-- the same runs again and resumes after the ones already in sweep_runs. A run keeps its metrics,
-- the 16 blocks' return statistics the overfitting statistic needs, and nothing else: its curves
-- are built again, by an ordinary backtest, when someone opens it (runs are deterministic;
-- bars_fingerprint tells whether the bars changed since).
CREATE TABLE sweeps (
  id               INTEGER PRIMARY KEY,
  kind             TEXT    NOT NULL CHECK (kind IN ('grid', 'random', 'walk_forward')),
  strategy_id      INTEGER REFERENCES strategies(id) ON DELETE SET NULL,
  strategy_version INTEGER NOT NULL,
  strategy_name    TEXT    NOT NULL,
  script           TEXT    NOT NULL,  -- the exact script every run uses
  settings         TEXT    NOT NULL,  -- the backtest settings every run shares (as backtests)
  spec             TEXT    NOT NULL,  -- axes, fixed params, draws, walk-forward, metric
  runs_total       INTEGER NOT NULL,
  status           TEXT    NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'done', 'failed', 'canceled')),
  progress         REAL    NOT NULL DEFAULT 0,
  error            TEXT    NOT NULL DEFAULT '',
  bars_fingerprint TEXT    NOT NULL DEFAULT '',  -- of the bars the runs saw; '' before loading
  summary          TEXT    NOT NULL DEFAULT '',  -- JSON once done: best run, PBO, walk-forward
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER
);
CREATE INDEX sweeps_unfinished ON sweeps(status) WHERE status IN ('queued', 'running');

CREATE TABLE sweep_runs (
  sweep_id    INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  task        INTEGER NOT NULL,  -- its index in the plan
  phase       TEXT    NOT NULL CHECK (phase IN ('full', 'in_sample', 'out_of_sample')),
  window      INTEGER,           -- walk-forward window; NULL for full-period runs
  combo       INTEGER NOT NULL,  -- index of its parameter set in the plan
  params      TEXT    NOT NULL,  -- JSON object, every parameter
  status      TEXT    NOT NULL CHECK (status IN ('done', 'failed')),
  error       TEXT    NOT NULL DEFAULT '',
  metrics     TEXT    NOT NULL DEFAULT '',  -- JSON object when done
  blocks      TEXT    NOT NULL DEFAULT '',  -- JSON [[n, sum, sum_sq] x 16] when done
  bars        INTEGER NOT NULL DEFAULT 0,
  seconds     REAL    NOT NULL DEFAULT 0,
  backtest_id INTEGER REFERENCES backtests(id) ON DELETE SET NULL,  -- once opened
  PRIMARY KEY (sweep_id, task)
) WITHOUT ROWID;

-- Something a finished backtest's reader must know, e.g. that the bars changed since the sweep
-- whose run it rebuilds.
ALTER TABLE backtests ADD COLUMN notice TEXT NOT NULL DEFAULT '';
