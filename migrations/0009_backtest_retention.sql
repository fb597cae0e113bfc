-- Result retention (backtest.keep_results): the oldest finished runs beyond the limit are
-- deleted, never a pinned one.
ALTER TABLE backtests ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1));
CREATE INDEX backtests_retention ON backtests(pinned, finished_at) WHERE finished_at IS NOT NULL;
