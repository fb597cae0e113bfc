// minimal_loop: the speed of light for `quantd backtest --strategy builtin:sma_cross` on a CSV.
//
//   minimal_loop FILE.csv [--cash KRW] [--commission-bps X] [--fast N] [--slow N]
//                [--symbol SYM] [--trades-csv OUT] [--no-hugepages]
//
// Reads the whole file with one read(), parses gen_bars' exact format (`ts,open,high,low,close,
// volume`, ts "YYYY-MM-DDTHH:MM:SS" Seoul, whole-won prices) with no validation into column
// arrays, then runs SMA(fast)/SMA(slow) all-in long-only crossover over them once, cold: a pass
// of pure arithmetic that finds the crossings, then a pass over the crossings that fills them.
// Prints key/value lines (timings, bars/s, trades, final cash) for bench/run.sh.
//
// Semantics shared with the engine's sma_cross (and checked trade for trade by run.sh):
// - SMA_n = (exact running sum of the last n closes) / n, as Backtrader (math.fsum(window) /
//   period) and TTR (runSum / n) compute it: one rounding, so averages that are equal in exact
//   arithmetic compare equal (the reference's rule, followed by indicators::Sma, not copied from
//   it). The sums are exact: whole-won prices, far below 2^53. NA during warm-up, no signal then.
// - crossover at bar t: fast > slow and, at the latest earlier bar (with both defined) where
//   fast != slow, fast < slow; bars with fast == slow neither start nor end a cross. Crossunder
//   is the mirror image.
// - Decided at bar t's close, filled at bar t+1's open; a signal on the last bar is not filled;
//   no forced close at the end.
// - Buy when flat on a crossover with all cash: qty = floor(cash / (open * (1 + rate))), reduced
//   while cash - qty * open - fee < 0, fee = floor(qty * open * rate) (rate = bps / 10,000,
//   computed exactly in integers).
//   Sell everything on a crossunder when long, paying the same fee (tax and slippage zero).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/time.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Columns {
  std::vector<std::int64_t> ts;
  std::vector<double> open, high, low, close;
  std::vector<std::int64_t> volume;
};

// Reads the digits up to the next ',' or '\n'; leaves p after the separator.
inline std::int64_t read_int(const char*& p) {
  std::int64_t v = 0;
  while (static_cast<unsigned>(*p - '0') <= 9) v = v * 10 + (*p++ - '0');
  ++p;
  return v;
}

inline int two(const char* p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

// Transparent huge pages for a big buffer's 2 MiB-aligned interior. On this project's VMs a
// 4 KiB page fault costs ~20 us, so first-touching 100 MB page by page costs more than all the
// parsing; quantd's CSV reader does the same for its bars. --no-hugepages shows the difference.
bool g_hugepages = true;
void advise_huge_pages(const void* p, std::size_t bytes) {
  if (!g_hugepages) return;
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

Columns parse(const char* p, const char* end) {
  Columns c;
  while (p < end && *p++ != '\n') {
  }
  // An upper bound on the rows (the shortest possible row is 21 bytes), so nothing reallocates.
  const std::size_t max_rows = static_cast<std::size_t>(end - p) / 21 + 1;
  for (auto* v : {&c.ts, &c.volume}) {
    v->reserve(max_rows);
    advise_huge_pages(v->data(), max_rows * sizeof(std::int64_t));
  }
  for (auto* v : {&c.open, &c.high, &c.low, &c.close}) {
    v->reserve(max_rows);
    advise_huge_pages(v->data(), max_rows * sizeof(double));
  }
  char last_date[10] = {};
  std::int64_t day_ms = 0;
  while (p + 19 < end) {
    if (std::memcmp(p, last_date, 10) != 0) {
      std::memcpy(last_date, p, 10);
      const quantd::CivilDate d{two(p) * 100 + two(p + 2), two(p + 5), two(p + 8)};
      day_ms = quantd::days_from_civil(d) * quantd::kMsPerDay - quantd::kSeoulOffsetMs;
    }
    c.ts.push_back(day_ms + two(p + 11) * quantd::kMsPerHour + two(p + 14) * quantd::kMsPerMinute +
                   two(p + 17) * quantd::kMsPerSecond);
    p += 20;
    c.open.push_back(static_cast<double>(read_int(p)));
    c.high.push_back(static_cast<double>(read_int(p)));
    c.low.push_back(static_cast<double>(read_int(p)));
    c.close.push_back(static_cast<double>(read_int(p)));
    c.volume.push_back(read_int(p));
    if (p < end && *p == '\n') ++p;  // after a '\r'
  }
  return c;
}

struct Trade {
  std::size_t entry_bar, exit_bar;  // exit_bar == SIZE_MAX: still open at the end
  std::int64_t qty;
  double entry_price, exit_price;
  std::int64_t fees;  // entry + exit commission
  std::int64_t pnl;   // exit notional - entry notional - fees
};

// A fixed-capacity array in 2 MiB-aligned, huge-page-backed memory: a few page faults instead of
// one per 4 KiB for the loop's outputs.
template <typename T>
class HugeArray {
 public:
  explicit HugeArray(std::size_t capacity) {
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    const std::size_t bytes =
        (std::max<std::size_t>(capacity, 1) * sizeof(T) + kHuge - 1) / kHuge * kHuge;
    data_ = static_cast<T*>(std::aligned_alloc(kHuge, bytes));
    if (data_ == nullptr) std::abort();
    if (g_hugepages) ::madvise(data_, bytes, MADV_HUGEPAGE);
  }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  ~HugeArray() { std::free(data_); }
  T* data() { return data_; }
  const T& operator[](std::size_t i) const { return data_[i]; }

 private:
  T* data_;
};

struct RunResult {
  explicit RunResult(std::size_t max_trades) : trades(max_trades) {}
  HugeArray<Trade> trades;
  std::size_t count = 0;  // trades[0, count), the last possibly open
  std::int64_t cash = 0;
};

// The commission rate in units of 1e-10 (1 bp = 1,000,000): fees are exact integer arithmetic,
// floor(notional * rate), as brokers (and the engine's CostModel) compute them.
inline std::int64_t fee_of(std::int64_t notional, std::int64_t rate_e10) {
  __extension__ typedef __int128 Int128;
  return static_cast<std::int64_t>(static_cast<Int128>(notional) * rate_e10 / 10'000'000'000);
}

// Two passes, both timed as "the loop". Signals depend on prices only, so the first pass is pure
// arithmetic with no calls or position state (the sums stay in registers, the crossing test is
// branch-free) and records each crossing bar; the second pass walks those few bars, filling at
// the next bar's open only when the position allows (buy when flat, sell when long), which is
// exactly the one-pass semantics.
std::unique_ptr<RunResult> run(const Columns& c, std::int64_t cash, double bps, int fast_n,
                               int slow_n) {
  const std::size_t n = c.close.size();
  const double* close = c.close.data();
  const double* open = c.open.data();
  const auto fast = static_cast<std::size_t>(fast_n);
  const auto slow = static_cast<std::size_t>(slow_n);
  const std::size_t first = std::max(fast, slow) - 1;  // first bar with both SMAs defined

  // Pass 1: crossings, as (bar << 1) | up.
  HugeArray<std::uint64_t> events(n / 2 + 2);  // crossings alternate, so at most n/2 + 1
  std::uint64_t* ev = events.data();
  std::size_t n_events = 0;
  if (n > first) {
    const double n_fast = fast_n;
    const double n_slow = slow_n;
    double sum_fast = 0, sum_slow = 0;
    for (std::size_t t = 0; t < first; ++t) {
      sum_fast += close[t];
      sum_slow += close[t];
      if (t >= fast) sum_fast -= close[t - fast];
      if (t >= slow) sum_slow -= close[t - slow];
    }
    int side = 0;  // sign of fast - slow at the latest bar where they differed
    for (std::size_t t = first; t < n; ++t) {
      sum_fast += close[t];
      sum_slow += close[t];
      if (t >= fast) sum_fast -= close[t - fast];
      if (t >= slow) sum_slow -= close[t - slow];
      const double f = sum_fast / n_fast;
      const double s = sum_slow / n_slow;
      const int now = (f > s) - (f < s);
      ev[n_events] = (static_cast<std::uint64_t>(t) << 1) | static_cast<std::uint64_t>(now > 0);
      n_events += static_cast<std::size_t>(now != 0 && side != 0 && now != side);
      side = now != 0 ? now : side;
    }
  }

  // Pass 2: fills at the next bar's open.
  auto r = std::make_unique<RunResult>(n_events / 2 + 1);
  Trade* trades = r->trades.data();
  const std::int64_t rate_e10 = std::llround(bps * 1'000'000.0);
  const double rate = bps / 10'000.0;  // for sizing only
  std::int64_t held = 0;
  for (std::size_t k = 0; k < n_events; ++k) {
    const std::size_t t = static_cast<std::size_t>(ev[k] >> 1) + 1;  // the fill bar
    if (t >= n) break;  // a signal on the last bar is not filled
    const double px = open[t];
    if ((ev[k] & 1) != 0 && held == 0) {
      auto qty =
          static_cast<std::int64_t>(std::floor(static_cast<double>(cash) / (px * (1 + rate))));
      std::int64_t notional = 0, fee = 0;
      for (; qty > 0; --qty) {
        notional = std::llround(static_cast<double>(qty) * px);
        fee = fee_of(notional, rate_e10);
        if (notional + fee <= cash) break;
      }
      if (qty > 0) {
        cash -= notional + fee;
        held = qty;
        trades[r->count] =
            Trade{t, SIZE_MAX, qty, px, 0, fee, -notional};  // pnl completed at the exit
      }
    } else if ((ev[k] & 1) == 0 && held > 0) {
      Trade& cur = trades[r->count++];
      const std::int64_t notional = std::llround(static_cast<double>(held) * px);
      const std::int64_t fee = fee_of(notional, rate_e10);
      cash += notional - fee;
      cur.exit_bar = t;
      cur.exit_price = px;
      cur.fees += fee;
      cur.pnl += notional - cur.fees;
      held = 0;
    }
  }
  if (held > 0) ++r->count;  // the open position
  r->cash = cash;
  return r;
}

std::string seoul(std::int64_t ts) {
  const quantd::SeoulTime t = quantd::to_seoul(ts);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.date.year, t.date.month,
                t.date.day, t.hour, t.minute, t.second);
  return buf;
}

bool write_trades(const std::string& path, const Columns& c, const RunResult& r,
                  const std::string& symbol) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  std::fprintf(f, "entry_ts,exit_ts,symbol,qty,entry_price,exit_price,pnl,fees,exit_reason\n");
  // Prices as the engine's report writes them: whole numbers as integers ("100000", not
  // "1e+05"), others in the shortest round-trip form.
  auto price = [](double x) {
    if (x == std::trunc(x) && std::fabs(x) < 9.0e15) {
      return std::to_string(static_cast<long long>(x));
    }
    char buf[64];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
  };
  for (std::size_t i = 0; i < r.count; ++i) {
    const Trade& t = r.trades[i];
    if (t.exit_bar == SIZE_MAX) continue;  // open at the end: not a closed trade
    std::fprintf(f, "%s,%s,%s,%lld,%s,%s,%lld,%lld,signal\n", seoul(c.ts[t.entry_bar]).c_str(),
                 seoul(c.ts[t.exit_bar]).c_str(), symbol.c_str(), static_cast<long long>(t.qty),
                 price(t.entry_price).c_str(), price(t.exit_price).c_str(),
                 static_cast<long long>(t.pnl), static_cast<long long>(t.fees));
  }
  return std::fclose(f) == 0;
}

int usage(const std::string& why) {
  std::fprintf(stderr,
               "minimal_loop: %s\nusage: minimal_loop FILE.csv [--cash KRW] [--commission-bps X] "
               "[--fast N] [--slow N] [--symbol SYM] [--trades-csv OUT] [--no-hugepages]\n",
               why.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, trades_path, symbol = "BENCH";
  std::int64_t cash = 100'000'000;
  double bps = 1.5;
  int fast_n = 10, slow_n = 30;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (!a.starts_with("--")) {
      if (!path.empty()) return usage("more than one FILE");
      path = argv[i];
      continue;
    }
    if (a == "--no-hugepages") {
      g_hugepages = false;
      continue;
    }
    if (i + 1 >= argc) return usage("missing value for " + std::string(a));
    const char* v = argv[++i];
    if (a == "--cash")
      cash = std::atoll(v);
    else if (a == "--commission-bps")
      bps = std::atof(v);
    else if (a == "--fast")
      fast_n = std::atoi(v);
    else if (a == "--slow")
      slow_n = std::atoi(v);
    else if (a == "--symbol")
      symbol = v;
    else if (a == "--trades-csv")
      trades_path = v;
    else
      return usage("unknown flag " + std::string(a));
  }
  if (path.empty()) return usage("missing FILE");
  if (fast_n < 1 || slow_n < 1) return usage("--fast/--slow must be >= 1");

  const auto t0 = Clock::now();
  const int fd = ::open(path.c_str(), O_RDONLY);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    std::fprintf(stderr, "minimal_loop: cannot open %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  std::unique_ptr<char[]> buf(new char[size + 1]);
  advise_huge_pages(buf.get(), size + 1);
  for (std::size_t got = 0; got < size;) {
    const ssize_t k = ::read(fd, buf.get() + got, size - got);
    if (k <= 0) {
      std::fprintf(stderr, "minimal_loop: read failed\n");
      return 1;
    }
    got += static_cast<std::size_t>(k);
  }
  buf[size] = '\0';  // read_int stops at a non-digit
  ::close(fd);
  const double read_s = seconds_since(t0);

  const auto t1 = Clock::now();
  const Columns c = parse(buf.get(), buf.get() + size);
  const double parse_s = seconds_since(t1);

  const auto t2 = Clock::now();
  const std::unique_ptr<RunResult> r = run(c, cash, bps, fast_n, slow_n);
  const double loop_s = seconds_since(t2);

  std::size_t closed = 0;
  for (std::size_t i = 0; i < r->count; ++i) closed += r->trades[i].exit_bar != SIZE_MAX;
  std::printf("bars %zu\nread_seconds %.6f\nparse_seconds %.6f\nloop_seconds %.6f\n",
              c.close.size(), read_s, parse_s, loop_s);
  std::printf("loop_bars_per_second %.0f\nparse_bars_per_second %.0f\n",
              static_cast<double>(c.close.size()) / loop_s,
              static_cast<double>(c.close.size()) / parse_s);
  std::printf("closed_trades %zu\nopen_position %s\nfinal_cash %lld\n", closed,
              r->count > closed ? "yes" : "no", static_cast<long long>(r->cash));
  if (!trades_path.empty() && !write_trades(trades_path, c, *r, symbol)) {
    std::fprintf(stderr, "minimal_loop: cannot write %s\n", trades_path.c_str());
    return 1;
  }
  return 0;
}
