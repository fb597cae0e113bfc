-- Backtest results, strategy names on job records, and where stored bar series came from.

-- The strategy's name as it was when the backtest was created: a result keeps its label after the
-- strategy is renamed or deleted (strategy_id then becomes NULL).
ALTER TABLE backtests ADD COLUMN strategy_name TEXT NOT NULL DEFAULT '';

-- One row per finished backtest. Each column is a JSON array, stored exactly as the API serves it,
-- so reading a result never re-serializes it.
CREATE TABLE backtest_results (
  backtest_id INTEGER PRIMARY KEY REFERENCES backtests(id) ON DELETE CASCADE,
  equity      TEXT NOT NULL,  -- [{"ts", "equity", "benchmark", "drawdown"}]
  trades      TEXT NOT NULL,  -- closed round trips
  orders      TEXT NOT NULL   -- every order
);

-- Where a bar series came from: 'csv' (an upload, note = file name) or 'sample' (the synthetic
-- demo data set, never real prices). Series without a row were imported with the CLI.
CREATE TABLE bar_sources (
  symbol     TEXT    NOT NULL,
  interval   TEXT    NOT NULL,
  source     TEXT    NOT NULL CHECK (source IN ('csv', 'sample', 'cli')),
  note       TEXT    NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (symbol, interval)
);
