#include "quantd/data/bar_csv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

#include "quantd/core/memory.h"
#include "quantd/core/time.h"

namespace quantd::data {
namespace {

using domain::Bar;

enum class Role : std::uint8_t { kTime, kOpen, kHigh, kLow, kClose, kVolume, kIgnored };
constexpr int kRequiredRoles = 6;  // kTime .. kVolume
// More columns than any accepted header has; bounds the per-row field array.
constexpr int kMaxColumns = 8;

constexpr std::string_view kExpectedHeaders =
    "ts,open,high,low,close,volume or Date,Open,High,Low,Close,Adj Close,Volume";

struct Layout {
  int columns = 0;
  std::array<Role, kMaxColumns> roles{};
  std::array<std::string, kRequiredRoles> names;  // each role's column name as the header spells it
  int time_column = 0;
};

struct Field {
  const char* begin;
  const char* end;
  std::string_view view() const { return {begin, static_cast<std::size_t>(end - begin)}; }
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Strips surrounding spaces/tabs and then one pair of double quotes. Most fields need neither,
// so the common case is two comparisons.
Field trim(Field f) {
  if (f.begin == f.end) return f;
  if (!is_blank(*f.begin) && !is_blank(f.end[-1]) && *f.begin != '"') return f;
  while (f.begin < f.end && is_blank(*f.begin)) ++f.begin;
  while (f.end > f.begin && is_blank(f.end[-1])) --f.end;
  if (f.end - f.begin >= 2 && *f.begin == '"' && f.end[-1] == '"') {
    ++f.begin;
    --f.end;
  }
  return f;
}

// The field for an error message: quoted, cut to a readable length.
std::string quoted(Field f) {
  std::string_view v = f.view();
  std::string out = "\"";
  if (v.size() > 40) {
    out.append(v.substr(0, 40));
    out += "...";
  } else {
    out.append(v);
  }
  out += '"';
  return out;
}

std::string format_number(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

std::optional<Role> role_of(std::string_view lower) {
  if (lower == "ts" || lower == "date" || lower == "datetime" || lower == "time" ||
      lower == "timestamp") {
    return Role::kTime;
  }
  if (lower == "open") return Role::kOpen;
  if (lower == "high") return Role::kHigh;
  if (lower == "low") return Role::kLow;
  if (lower == "close") return Role::kClose;
  if (lower == "volume") return Role::kVolume;
  if (lower == "adj close" || lower == "adj_close" || lower == "adjclose") return Role::kIgnored;
  return std::nullopt;
}

constexpr std::array<std::string_view, kRequiredRoles> kRoleNames = {"ts",  "open",  "high",
                                                                     "low", "close", "volume"};

// A price in from_chars syntax (the general path; parse_line reads plain whole numbers itself).
bool parse_double(Field f, double& out) {
  const auto r = std::from_chars(f.begin, f.end, out);
  return f.begin != f.end && r.ec == std::errc() && r.ptr == f.end;
}

// Bounds that catch a unit or column mix-up (1e308, year 0001) before it is stored: no price
// anywhere reaches a trillion, and market data starts after 1900.
constexpr double kMaxPrice = 1e12;
constexpr int kFirstYear = 1900;
constexpr int kLastYear = 2100;
constexpr TimestampMs kFirstTs =
    days_from_civil(CivilDate{kFirstYear, 1, 1}) * kMsPerDay - kSeoulOffsetMs;
constexpr TimestampMs kEndTs =
    days_from_civil(CivilDate{kLastYear + 1, 1, 1}) * kMsPerDay - kSeoulOffsetMs;

enum class VolumeError { kNone, kNotNumber, kNegative, kFraction, kTooLarge };

// A whole number, optionally followed by '.' and zeros ("123.0").
VolumeError parse_volume(Field f, std::int64_t& out) {
  const char* p = f.begin;
  const bool negative = p < f.end && *p == '-';
  if (negative) ++p;
  const char* digits = p;
  std::int64_t v = 0;
  for (; p < f.end; ++p) {
    const unsigned d = static_cast<unsigned>(*p) - '0';
    if (d > 9) break;
    if (p - digits >= 18) return VolumeError::kTooLarge;  // would overflow int64
    v = v * 10 + d;
  }
  if (p == digits) return VolumeError::kNotNumber;
  if (p < f.end) {
    if (*p != '.') return VolumeError::kNotNumber;
    ++p;
    bool nonzero = false;
    for (; p < f.end; ++p) {
      const unsigned d = static_cast<unsigned>(*p) - '0';
      if (d > 9) return VolumeError::kNotNumber;
      nonzero |= d != 0;
    }
    if (nonzero) return negative ? VolumeError::kNegative : VolumeError::kFraction;
  }
  if (negative && v != 0) return VolumeError::kNegative;
  out = v;
  return VolumeError::kNone;
}

// Splits [begin, end) at commas into at most kMaxColumns + 1 fields; returns how many were found
// (kMaxColumns + 1 means "more than any layout has").
int split(const char* begin, const char* end, std::array<Field, kMaxColumns + 1>& fields) {
  int n = 0;
  const char* f = begin;
  for (;;) {
    const char* c = f;
    while (c < end && *c != ',') ++c;
    fields[static_cast<std::size_t>(n++)] = Field{f, c};
    if (c == end || n == kMaxColumns + 1) return n;
    f = c + 1;
  }
}

// Line sources: for_each(fn) calls fn(begin, end) for every line in order, without its '\n'
// (a '\r' before it is kept; the parser strips it), until fn returns false. The last line may
// lack a '\n'. Returns a non-ok Status only when the source cannot be read.

// The lines of an in-memory text.
class TextLines {
 public:
  explicit TextLines(std::string_view text) : text_(text) {}
  std::size_t size_hint() const { return text_.size(); }

  template <typename Fn>
  Status for_each(Fn&& fn) const {
    const char* p = text_.data();
    const char* const end = p + text_.size();
    while (p < end) {
      const char* nl =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      if (!fn(p, nl ? nl : end)) break;
      p = nl ? nl + 1 : end;
    }
    return Status::ok_status();
  }

 private:
  std::string_view text_;
};

// The lines of a file, read in chunks through a small buffer: copying from the page cache into
// a buffer that stays in L2 is faster than mapping the file (no page faults), and the file never
// adds to the process's memory.
class FileLines {
 public:
  explicit FileLines(const std::string& path) : path_(path) {}
  FileLines(const FileLines&) = delete;
  FileLines& operator=(const FileLines&) = delete;
  ~FileLines() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status open() {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Status::invalid_argument(path_ + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      return Status::invalid_argument(path_ + ": cannot open: " + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
      return Status::invalid_argument(path_ + ": cannot open: is a directory");
    size_ = S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) : 0;
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    return Status::ok_status();
  }
  std::size_t size_hint() const { return size_; }

  template <typename Fn>
  Status for_each(Fn&& fn) {
    if (::lseek(fd_, 0, SEEK_SET) != 0 && size_ > 0) return read_error();
    std::size_t cap = kChunk;
    std::unique_ptr<char[]> buf(new char[cap]);
    std::size_t have = 0;  // bytes of an unfinished line at the start of buf
    for (;;) {
      if (have == cap) {  // a line longer than the buffer
        std::unique_ptr<char[]> bigger(new char[cap * 2]);
        std::memcpy(bigger.get(), buf.get(), have);
        buf = std::move(bigger);
        cap *= 2;
      }
      const ssize_t k = ::read(fd_, buf.get() + have, cap - have);
      if (k < 0) {
        if (errno == EINTR) continue;
        return read_error();
      }
      if (k == 0) {
        if (have > 0) fn(buf.get(), buf.get() + have);
        return Status::ok_status();
      }
      const char* p = buf.get();
      const char* const end = p + have + static_cast<std::size_t>(k);
      while (const char* nl = static_cast<const char*>(
                 std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) {
        if (!fn(p, nl)) return Status::ok_status();
        p = nl + 1;
      }
      have = static_cast<std::size_t>(end - p);
      std::memmove(buf.get(), p, have);
    }
  }

 private:
  static constexpr std::size_t kChunk = std::size_t{256} << 10;
  Status read_error() const {
    return Status::invalid_argument(path_ + ": cannot read: " + std::strerror(errno));
  }

  std::string path_;
  int fd_ = -1;
  std::size_t size_ = 0;
};

// Parses the lines of one CSV file into bars.
template <typename Lines>
class Parser {
 public:
  Parser(Lines& lines, std::string_view file_name) : lines_(lines), file_(file_name) {}

  Result<std::vector<Bar>> run();
  Result<CsvScan> scan(const CsvScanOptions& options, const BarBatchSink& sink);

 private:
  Status error(std::int64_t line, std::string what) const {
    std::string m;
    m.reserve(file_.size() + what.size() + 16);
    m.append(file_);
    m += ':';
    m += std::to_string(line);
    m += ": ";
    m += what;
    return Status::invalid_argument(std::move(m));
  }
  const std::string& name(Role r) const { return layout_.names[static_cast<std::size_t>(r)]; }

  Status parse_header(const char* begin, const char* end);
  // Parses data line `line` ([p, le), no line end) into `bar`. Returns ok, or the error naming
  // the line and column; `skip` is set for a line of only spaces.
  Status parse_line(std::int64_t line, const char* p, const char* le, Bar& bar, bool& skip);
  // The general path for one field (any syntax the header comment allows), with its errors.
  Status parse_field(std::int64_t line, Role role, Field raw, Bar& bar) const;
  // The error for a line whose field `bad` failed: a wrong field count takes precedence.
  Status line_error(std::int64_t line, const char* p, const char* le, Status bad, bool& skip) const;
  // The fast path for the common "YYYY-MM-DD[T ]HH:MM:SS" and "YYYY-MM-DD": returns the end of
  // the field, or nullptr to take the general path. Consecutive rows share their date, so the
  // date's day number is cached.
  const char* parse_time_fast(const char* f, const char* le, TimestampMs& out);
  // The error for a timestamp found twice in unsorted input: a second pass finds its lines.
  Status duplicate_error(TimestampMs ts) const;

  Lines& lines_;
  std::string_view file_;
  Layout layout_;
  bool have_cached_date_ = false;
  char cached_date_[10] = {};  // the date text whose day cached_day_ms_ holds
  TimestampMs cached_day_ms_ = 0;
};

template <typename Lines>
Status Parser<Lines>::parse_header(const char* begin, const char* end) {
  std::array<Field, kMaxColumns + 1> fields;
  const int n = split(begin, end, fields);
  if (n == 1 && trim(fields[0]).begin == trim(fields[0]).end) {
    return error(1, "empty header: expected " + std::string(kExpectedHeaders));
  }
  if (n > kMaxColumns) {
    return error(1, "too many columns: expected " + std::string(kExpectedHeaders));
  }
  std::array<bool, kRequiredRoles + 1> seen{};
  for (int i = 0; i < n; ++i) {
    const Field f = trim(fields[static_cast<std::size_t>(i)]);
    std::string lower(f.view());
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::optional<Role> role = role_of(lower);
    if (!role) {
      return error(1,
                   "unknown column " + quoted(f) + ": expected " + std::string(kExpectedHeaders));
    }
    const auto r = static_cast<std::size_t>(*role);
    if (seen[r]) return error(1, "column " + quoted(f) + " appears twice");
    seen[r] = true;
    layout_.roles[static_cast<std::size_t>(i)] = *role;
    if (*role != Role::kIgnored) layout_.names[r] = std::string(f.view());
    if (*role == Role::kTime) layout_.time_column = i;
  }
  for (int r = 0; r < kRequiredRoles; ++r) {
    if (!seen[static_cast<std::size_t>(r)]) {
      return error(1, "missing column \"" + std::string(kRoleNames[static_cast<std::size_t>(r)]) +
                          "\": expected " + std::string(kExpectedHeaders));
    }
  }
  layout_.columns = n;
  return Status::ok_status();
}

template <typename Lines>
Status Parser<Lines>::parse_field(std::int64_t line, Role role, Field raw, Bar& bar) const {
  const Field f = trim(raw);
  switch (role) {
    case Role::kTime: {
      const std::optional<TimestampMs> ts = parse_timestamp(f.view());
      if (!ts) return error(line, name(role) + ": not an ISO date or datetime: " + quoted(f));
      bar.ts = *ts;
      break;
    }
    case Role::kOpen:
    case Role::kHigh:
    case Role::kLow:
    case Role::kClose: {
      double& out = role == Role::kOpen   ? bar.open
                    : role == Role::kHigh ? bar.high
                    : role == Role::kLow  ? bar.low
                                          : bar.close;
      if (!parse_double(f, out)) return error(line, name(role) + ": not a number: " + quoted(f));
      // `!(out > 0)` also catches NaN.
      if (!(out > 0) || !std::isfinite(out)) {
        return error(line, name(role) + ": must be a positive number, got " + quoted(f));
      }
      break;
    }
    case Role::kVolume:
      switch (parse_volume(f, bar.volume)) {
        case VolumeError::kNone:
          break;
        case VolumeError::kNotNumber:
        case VolumeError::kFraction:
          return error(line, name(role) + ": not a whole number: " + quoted(f));
        case VolumeError::kNegative:
          return error(line, name(role) + ": must not be negative, got " + quoted(f));
        case VolumeError::kTooLarge:
          return error(line, name(role) + ": " + quoted(f) +
                                 " is too large for a volume (at most 18 digits)");
      }
      break;
    case Role::kIgnored:
      break;
  }
  return Status::ok_status();
}

template <typename Lines>
Status Parser<Lines>::line_error(std::int64_t line, const char* p, const char* le, Status bad,
                                 bool& skip) const {
  std::array<Field, kMaxColumns + 1> fields;
  const int n = split(p, le, fields);
  if (n == layout_.columns) return bad;
  if (n == 1 && trim(fields[0]).begin == trim(fields[0]).end) {
    skip = true;
    return Status::ok_status();
  }
  return error(line, "expected " + std::to_string(layout_.columns) + " fields, found " +
                         (n > kMaxColumns ? "more" : std::to_string(n)));
}

template <typename Lines>
const char* Parser<Lines>::parse_time_fast(const char* f, const char* le, TimestampMs& out) {
  std::size_t len;
  if (le - f >= 19 && (le - f == 19 || f[19] == ',') && (f[10] == 'T' || f[10] == ' ')) {
    len = 19;
  } else if (le - f >= 10 && (le - f == 10 || f[10] == ',')) {
    len = 10;
  } else {
    return nullptr;
  }
  if (!have_cached_date_ || std::memcmp(f, cached_date_, 10) != 0) {
    const std::optional<CivilDate> d = parse_civil_date(std::string_view(f, 10));
    if (!d) return nullptr;
    std::memcpy(cached_date_, f, 10);
    have_cached_date_ = true;
    cached_day_ms_ = days_from_civil(*d) * kMsPerDay;
  }
  if (len == 10) {
    out = cached_day_ms_ - kSeoulOffsetMs;
    return f + 10;
  }
  auto digit = [f](int i) { return static_cast<unsigned>(f[i]) - '0'; };
  const unsigned h1 = digit(11), h2 = digit(12), m1 = digit(14), m2 = digit(15), s1 = digit(17),
                 s2 = digit(18);
  if (std::max({h1, h2, m1, m2, s1, s2}) > 9 || f[13] != ':' || f[16] != ':') return nullptr;
  const unsigned h = h1 * 10 + h2, m = m1 * 10 + m2, sec = s1 * 10 + s2;
  if (h > 23 || m > 59 || sec > 60) return nullptr;  // parse_timestamp's limits
  out = cached_day_ms_ + h * kMsPerHour + m * kMsPerMinute + sec * kMsPerSecond - kSeoulOffsetMs;
  return f + 19;
}

template <typename Lines>
Status Parser<Lines>::parse_line(std::int64_t line, const char* p, const char* le, Bar& bar,
                                 bool& skip) {
  // Fields are parsed where they are found, whole numbers and the common time format on a fast
  // path; anything else (spaces, quotes, decimals, errors) goes through parse_field.
  const char* f = p;
  for (int i = 0; i < layout_.columns; ++i) {
    if (i > 0) {
      if (f == le) return line_error(line, p, le, Status::ok_status(), skip);  // too few fields
      ++f;                                                                     // the ','
    }
    const Role role = layout_.roles[static_cast<std::size_t>(i)];
    const char* e = nullptr;
    if (role == Role::kTime) {
      e = parse_time_fast(f, le, bar.ts);
    } else if (role != Role::kIgnored) {
      const char* q = f;
      std::uint64_t v = 0;
      for (unsigned d; q < le && (d = static_cast<unsigned>(*q) - '0') <= 9; ++q) v = v * 10 + d;
      if (q != f && q - f <= 15 && (q == le || *q == ',')) {
        if (role == Role::kVolume) {
          bar.volume = static_cast<std::int64_t>(v);
          e = q;
        } else if (v > 0) {
          (role == Role::kOpen   ? bar.open
           : role == Role::kHigh ? bar.high
           : role == Role::kLow  ? bar.low
                                 : bar.close) = static_cast<double>(v);
          e = q;
        }
      }
    }
    if (e == nullptr) {
      e = f;
      while (e < le && *e != ',') ++e;
      if (Status s = parse_field(line, role, Field{f, e}, bar); !s.ok()) {
        return line_error(line, p, le, std::move(s), skip);
      }
    }
    f = e;
  }
  if (f != le) return line_error(line, p, le, Status::ok_status(), skip);  // too many fields

  auto relation = [&](Role a, double av, const char* rel, Role b, double bv) {
    return error(line, name(a) + ": " + format_number(av) + " is " + rel + " " + name(b) + " " +
                           format_number(bv));
  };
  if (bar.low > bar.open) return relation(Role::kLow, bar.low, "above", Role::kOpen, bar.open);
  if (bar.low > bar.close) return relation(Role::kLow, bar.low, "above", Role::kClose, bar.close);
  if (bar.high < bar.open) return relation(Role::kHigh, bar.high, "below", Role::kOpen, bar.open);
  if (bar.high < bar.close) {
    return relation(Role::kHigh, bar.high, "below", Role::kClose, bar.close);
  }
  // high is the largest price now: one check bounds them all.
  if (bar.high > kMaxPrice) {
    return error(line, name(Role::kHigh) + ": " + format_number(bar.high) +
                           " is above the largest price accepted (" + format_number(kMaxPrice) +
                           ")");
  }
  if (bar.ts < kFirstTs || bar.ts >= kEndTs) {
    return error(line, name(Role::kTime) + ": " + format_seoul(bar.ts).substr(0, 10) +
                           " is outside the years " + std::to_string(kFirstYear) + " to " +
                           std::to_string(kLastYear));
  }
  return Status::ok_status();
}

template <typename Lines>
Status Parser<Lines>::duplicate_error(TimestampMs ts) const {
  std::int64_t line = 0;
  std::int64_t first = 0;
  std::int64_t second = 0;
  std::array<Field, kMaxColumns + 1> fields;
  const Status read = lines_.for_each([&](const char* p, const char* le) {
    if (++line == 1) return true;  // the header
    if (le > p && le[-1] == '\r') --le;
    if (le == p) return true;
    split(p, le, fields);
    const auto t =
        parse_timestamp(trim(fields[static_cast<std::size_t>(layout_.time_column)]).view());
    if (!t || *t != ts) return true;
    (first == 0 ? first : second) = line;
    return second == 0;
  });
  if (!read.ok()) return read;
  if (second == 0) {  // the file changed between the passes
    return error(first, "duplicate timestamp " + format_seoul(ts));
  }
  return error(second, "duplicate timestamp " + format_seoul(ts) + " (also on line " +
                           std::to_string(first) + ")");
}

template <typename Lines>
Result<std::vector<Bar>> Parser<Lines>::run() {
  std::vector<Bar> bars;
  std::int64_t line = 0;
  std::int64_t prev_line = 0;
  TimestampMs prev_ts = 0;
  bool sorted = true;
  Status failed;
  const Status read = lines_.for_each([&](const char* p, const char* le) {
    ++line;
    if (le > p && le[-1] == '\r') --le;
    if (line == 1) {
      if (le - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;  // UTF-8 BOM
      failed = parse_header(p, le);
      if (!failed.ok()) return false;
      // Upper bound on the rows: every row has a date (10 bytes), one byte per other field,
      // the commas and a line end. Reserving it once means the vector never reallocates (which
      // would briefly hold two copies); capacity past size() is never touched, so it costs
      // address space, not memory.
      const std::size_t min_row = 10 + 2 * static_cast<std::size_t>(layout_.columns - 1) + 1;
      bars.reserve(lines_.size_hint() / min_row + 1);
      advise_huge_pages(bars.data(), bars.capacity() * sizeof(Bar));
      return true;
    }
    if (le == p) return true;  // blank line
    Bar bar;
    bool skip = false;
    failed = parse_line(line, p, le, bar, skip);
    if (!failed.ok()) return false;
    if (skip) return true;
    if (!bars.empty()) {
      if (bar.ts == prev_ts) {
        failed = error(line, "duplicate timestamp " + format_seoul(bar.ts) + " (also on line " +
                                 std::to_string(prev_line) + ")");
        return false;
      }
      sorted &= bar.ts > prev_ts;
    }
    prev_ts = bar.ts;
    prev_line = line;
    bars.push_back(bar);
    return true;
  });
  if (!read.ok()) return read;
  if (!failed.ok()) return failed;
  if (line == 0) return error(1, "empty header: expected " + std::string(kExpectedHeaders));

  if (!sorted) {
    std::sort(bars.begin(), bars.end(), [](const Bar& a, const Bar& b) { return a.ts < b.ts; });
    const auto dup = std::adjacent_find(bars.begin(), bars.end(),
                                        [](const Bar& a, const Bar& b) { return a.ts == b.ts; });
    if (dup != bars.end()) return duplicate_error(dup->ts);
  }
  return bars;
}

template <typename Lines>
Result<CsvScan> Parser<Lines>::scan(const CsvScanOptions& options, const BarBatchSink& sink) {
  CsvScan out;
  const std::size_t max_errors = static_cast<std::size_t>(std::max(options.max_errors, 1));
  const std::size_t batch_bars = std::max<std::size_t>(options.batch_bars, 1);
  std::vector<Bar> batch;
  // Every row's ts (8 bytes a row, a sixth of its text), for the duplicate check of unsorted
  // input at the end: a row may repeat any earlier one, long since handed to the sink.
  std::vector<TimestampMs> seen;
  std::int64_t line = 0;
  std::int64_t prev_line = 0;
  TimestampMs prev_ts = 0;
  bool sorted = true;
  bool header_ok = false;
  Status sink_failed;
  auto bad_row = [&](Status s) {
    out.errors.push_back(std::move(s));
    batch.clear();
    return out.errors.size() < max_errors;
  };
  auto flush = [&] {
    if (!batch.empty() && out.errors.empty()) sink_failed = sink(batch);
    batch.clear();
    return sink_failed.ok();
  };
  const Status read = lines_.for_each([&](const char* p, const char* le) {
    ++line;
    if (le > p && le[-1] == '\r') --le;
    if (line == 1) {
      if (le - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;  // UTF-8 BOM
      Status header = parse_header(p, le);
      if (!header.ok()) {
        out.errors.push_back(std::move(header));  // a header problem hides everything else
        return false;
      }
      header_ok = true;
      batch.reserve(batch_bars);
      if (options.check_duplicates) {
        // Reserved once from an upper bound on the rows (see run()): no reallocation, which
        // would briefly hold two copies; capacity past size() is never touched.
        const std::size_t min_row = 10 + 2 * static_cast<std::size_t>(layout_.columns - 1) + 1;
        seen.reserve(lines_.size_hint() / min_row + 1);
      }
      return true;
    }
    if (le == p) return true;  // blank line
    Bar bar;
    bool skip = false;
    Status row = parse_line(line, p, le, bar, skip);
    if (!row.ok()) return bad_row(std::move(row));
    if (skip) return true;
    if (prev_line != 0) {
      if (bar.ts == prev_ts) {
        return bad_row(error(line, "duplicate timestamp " + format_seoul(bar.ts) +
                                       " (also on line " + std::to_string(prev_line) + ")"));
      }
      sorted &= bar.ts > prev_ts;
    }
    prev_ts = bar.ts;
    prev_line = line;
    if (options.check_duplicates) seen.push_back(bar.ts);
    ++out.rows;
    if (!out.errors.empty()) return true;
    batch.push_back(bar);
    return batch.size() < batch_bars || flush();
  });
  if (!read.ok()) return read;
  if (!sink_failed.ok()) return sink_failed;
  if (line == 0) {
    out.errors.push_back(error(1, "empty header: expected " + std::string(kExpectedHeaders)));
    return out;
  }
  if (!header_ok || !out.errors.empty()) return out;
  if (!sorted && options.check_duplicates) {
    std::sort(seen.begin(), seen.end());
    const auto dup = std::adjacent_find(seen.begin(), seen.end());
    if (dup != seen.end()) {
      out.errors.push_back(duplicate_error(*dup));
      return out;
    }
  }
  if (!flush()) return sink_failed;
  return out;
}

}  // namespace

Result<CsvScan> scan_bars_csv(std::string_view text, std::string_view file_name,
                              const CsvScanOptions& options, const BarBatchSink& sink) {
  TextLines lines(text);
  return Parser(lines, file_name).scan(options, sink);
}

Result<CsvScan> scan_bars_csv_file(const std::string& path, std::string_view file_name,
                                   const CsvScanOptions& options, const BarBatchSink& sink) {
  FileLines lines(path);
  if (Status s = lines.open(); !s.ok()) return s;
  return Parser(lines, file_name).scan(options, sink);
}

Result<std::vector<domain::Bar>> parse_bars_csv(std::string_view text, std::string_view file_name) {
  TextLines lines(text);
  return Parser(lines, file_name).run();
}

Result<std::vector<domain::Bar>> read_bars_csv(const std::string& path) {
  FileLines lines(path);
  if (Status s = lines.open(); !s.ok()) return s;
  return Parser(lines, path).run();
}

}  // namespace quantd::data
