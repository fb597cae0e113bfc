-- Columnar bars (issue 13): a series' bars are stored as chunks of packed columns, up to 2,048
-- bars a row (BarRepository's kBarChunkBars), instead of one row per bar. A row's `data` is the
-- binary form of include/quantd/storage/bar_chunk.h: base + deltas for ts, whole prices as small
-- integers, a format version and a checksum. Loading a million bars reads ~500 rows and decodes
-- them in tens of milliseconds, where reading a million rows through SQLite took 0.6 s.
--
-- Ranges: first_ts and last_ts are the chunk's first and last bar; the chunks of a series never
-- overlap, so a range load reads the last chunk starting at or before `from` and those starting
-- up to `to`, by the primary key. count is the number of bars in data.
CREATE TABLE bar_chunks (
  symbol   TEXT    NOT NULL,
  interval TEXT    NOT NULL,
  first_ts INTEGER NOT NULL,
  last_ts  INTEGER NOT NULL,
  count    INTEGER NOT NULL,
  data     BLOB    NOT NULL,
  PRIMARY KEY (symbol, interval, first_ts)
) WITHOUT ROWID;

-- The series summary gains a revision: a value of the one database-wide counter below, taken
-- each time a write changes any bar of the series. A sweep records it to tell later whether the
-- bars it ran on changed. Because the counter is global (not per series from 1), a series removed
-- and imported again never gets back a revision it had before.
ALTER TABLE bar_series ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TABLE bar_revision (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
);
INSERT INTO bar_revision(id, value) VALUES (1, 0);

-- Converting the existing rows needs C++ (the blobs are packed), so Database::migrate runs
-- storage::detail::convert_row_bars_to_chunks (src/storage/bar_migration.cpp) right after this
-- file, in the same transaction: it moves the `bars` table into chunks series by series, in
-- primary-key order with one chunk in memory at a time, rebuilds bar_series (each series gets a
-- fresh revision) and drops `bars`. Eager, not lazy as 0010 was, because the conversion is a
-- single sequential pass of about 0.6 s of CPU per million bars (1.8 s wall on a loaded 2-vCPU VM;
-- bar_load_bench's BM_MigrateRowsToChunks), so even 20 M stored bars convert well within
-- systemd's 90 s start timeout, and because one storage form keeps every later read and write
-- simple: a lazy scheme would leave two forms that every load, import and delete had to merge. A
-- failure rolls the whole migration back, leaving the database at 0010 with every bar in place.
--
-- The dropped table's pages are reused by new chunks; to give them back to the filesystem, stop
-- the daemon and run `sqlite3 quantd.db VACUUM` (docs/operations.md, "Stored results").
