// Reading OHLCV bars from CSV files: the input of `quantd import-bars` and `quantd backtest
// --data`.
//
// Design: one pass over the bytes, the file read through a 256 KiB buffer (so it never adds to
// the process's memory), numbers parsed with std::from_chars (whole numbers directly), no
// allocation per row, the output reserved once from an upper bound on the row count (untouched
// capacity costs address space, not memory) and backed by transparent huge pages. Reading a file
// holds little more than the bars themselves. All functions are pure apart from reading the named
// file, and thread-safe.
//
// Accepted input:
// - A header line, matched case-insensitively after trimming spaces and double quotes. The columns
//   may come in any order; each must appear once:
//     time    "ts", "date", "datetime", "time" or "timestamp"
//     prices  "open", "high", "low", "close"
//     volume  "volume"
//   plus an optional "adj close" (also "adj_close", "adjclose"), which is ignored: bars keep the
//   traded Close, as the exchange printed it. So both `ts,open,high,low,close,volume` and Yahoo's
//   `Date,Open,High,Low,Close,Adj Close,Volume` are read. Any other column is an error.
// - Times as parse_timestamp() accepts them: "YYYY-MM-DD" (midnight), "YYYY-MM-DD HH:MM[:SS[.fff]]"
//   or with 'T', optionally with 'Z' or "+HH:MM"; without an offset the time is Asia/Seoul.
// - Prices: decimal numbers (from_chars syntax, no leading '+'), finite, > 0 and at most 1e12.
// - Times: in the years 1900 to 2100 (Asia/Seoul).
// - Volume: a non-negative integer of at most 18 digits. "123.0" / "123.00" are accepted as 123,
// since spreadsheet and
//   pandas exports write whole volumes that way; a non-zero fraction ("123.5") is an error.
// - Fields may be surrounded by spaces or one pair of double quotes. LF or CRLF line ends; blank
//   lines (e.g. a trailing one) are skipped; a UTF-8 byte-order mark before the header is ignored.
//
// Validation: low <= open, close <= high; prices > 0; volume >= 0; no two rows with the same
// timestamp. Rows out of order are accepted and the result is sorted by time.
//
// Errors are invalid_argument with the message "FILE:ROW: what is wrong", ROW being the 1-based
// line number in the file (the header is line 1), naming the column as the header spells it, e.g.
//   bars.csv:17: high: 100 is below open 101
//   bars.csv:9: Date: not an ISO date or datetime: "2024/01/02"
//   bars.csv:40: duplicate timestamp 2024-01-02T09:00:00 (also on line 12)
// The first bad row stops parsing; no bars are returned then.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/domain/bar.h"

namespace quantd::data {

// Parses CSV text (the whole file, header included). `file_name` is only used in error messages.
// Returns the bars sorted by ascending ts (an empty vector for a header-only file), or
// invalid_argument "FILE:ROW: ..." for the first bad line (a duplicate timestamp in unsorted
// input is found after all rows passed their checks). A file with no header at all is an error
// on line 1. The vector's capacity may exceed its size (see Design).
Result<std::vector<domain::Bar>> parse_bars_csv(std::string_view text, std::string_view file_name);

// Reads and parses the file at `path` (see parse_bars_csv; messages use `path` as FILE).
// Errors: those of parse_bars_csv, or invalid_argument "PATH: cannot open: REASON" /
// "PATH: cannot read: REASON" when the file cannot be opened or read.
Result<std::vector<domain::Bar>> read_bars_csv(const std::string& path);

// Streaming, for inputs larger than memory (a browser upload spooled to a file): the same rules,
// but the bars go to a sink in batches, in file order (not sorted), and only one batch plus 8
// bytes a row (each row's ts, for the duplicate check of unsorted input; reserved from the
// input's size, so only rows read are touched) is ever held.
struct CsvScanOptions {
  std::size_t batch_bars = 65'536;  // bars per sink call (the last batch may be smaller)
  int max_errors = 1;               // bad rows to collect before stopping
  // Off: a ts repeated out of order (not on consecutive rows) is not found, and the 8 bytes a
  // row are not held; for a second pass over input a first pass has checked.
  bool check_duplicates = true;
};

// What a scan found. `errors` are "FILE:ROW: ..." invalid_argument Statuses in line order, at most
// max_errors; a header problem is the only error then. With any error the sink has not been given
// the rest of the rows, and the caller must discard what it was given.
struct CsvScan {
  std::int64_t rows = 0;       // good data rows
  std::vector<Status> errors;  // empty: every row was good and went to the sink
};

// Receives one batch; a non-ok Status stops the scan and is returned as its result.
using BarBatchSink = std::function<Status(std::span<const domain::Bar>)>;

// Scans CSV text. Returns the scan, or the sink's first error.
Result<CsvScan> scan_bars_csv(std::string_view text, std::string_view file_name,
                              const CsvScanOptions& options, const BarBatchSink& sink);

// Scans the file at `path`; messages name `file_name`. Returns the scan, the sink's first error,
// or invalid_argument "PATH: cannot open/read: REASON".
Result<CsvScan> scan_bars_csv_file(const std::string& path, std::string_view file_name,
                                   const CsvScanOptions& options, const BarBatchSink& sink);

}  // namespace quantd::data
