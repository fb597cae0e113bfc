-- A thinned copy of each equity curve (at most 2,000 evenly spaced points, first and last kept):
-- a minute-bar run stores a million points, and charts need only a screen's width of them.
ALTER TABLE backtest_results ADD COLUMN equity_preview TEXT;
