-- Bars downloaded from KIS (`quantd download-bars`, the Data page's "Download from KIS") or
-- recorded by a live session on the KIS feed are source 'kis'; note says which API and range.
-- SQLite cannot alter a CHECK constraint: the table is rebuilt with its rows.
CREATE TABLE bar_sources_new (
  symbol     TEXT    NOT NULL,
  interval   TEXT    NOT NULL,
  source     TEXT    NOT NULL CHECK (source IN ('csv', 'sample', 'cli', 'kis')),
  note       TEXT    NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (symbol, interval)
);
INSERT INTO bar_sources_new(symbol, interval, source, note, updated_at)
  SELECT symbol, interval, source, note, updated_at FROM bar_sources;
DROP TABLE bar_sources;
ALTER TABLE bar_sources_new RENAME TO bar_sources;
