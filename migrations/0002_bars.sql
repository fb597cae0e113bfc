-- OHLCV bars, one row per (symbol, interval, bar open time).
-- ts is the bar's open time in UTC epoch milliseconds; prices are REAL (whole won for KRX data);
-- volume is a share count. WITHOUT ROWID: the primary key is the table's only B-tree, so rows of
-- one series are stored together in time order and a range load is one sequential scan.

CREATE TABLE bars (
  symbol   TEXT    NOT NULL,
  interval TEXT    NOT NULL,  -- '1m', '5m', '15m', '30m', '60m', '1d'
  ts       INTEGER NOT NULL,
  open     REAL    NOT NULL,
  high     REAL    NOT NULL,
  low      REAL    NOT NULL,
  close    REAL    NOT NULL,
  volume   INTEGER NOT NULL,
  PRIMARY KEY (symbol, interval, ts)
) WITHOUT ROWID;

-- One row per stored series, kept by BarRepository in the same transaction as the series' bars
-- (BarRepository is the only writer of both tables), so listing the stored data costs one row per
-- series instead of a scan of every bar.
CREATE TABLE bar_series (
  symbol   TEXT    NOT NULL,
  interval TEXT    NOT NULL,
  first_ts INTEGER NOT NULL,
  last_ts  INTEGER NOT NULL,
  count    INTEGER NOT NULL,
  PRIMARY KEY (symbol, interval)
) WITHOUT ROWID;
