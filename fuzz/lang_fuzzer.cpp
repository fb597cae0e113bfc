// libFuzzer target for the strategy language: parse + check every input as a script and as an
// eval expression, format the diagnostics, and when the script is valid compile it and run it
// over a few hundred bars (block and bar-by-bar, with a position that changes), comparing the
// two. Any crash, sanitizer report, hang, unbounded allocation or block/bar mismatch is a bug.
//
// Built with clang (-fsanitize=fuzzer,address,undefined) by fuzz/CMakeLists.txt; `make test`
// runs it for a bounded time (the lang_fuzz test), seeded from examples/strategies and
// fuzz/seeds, with fuzz/lang.dict.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/lang/evaluator.h"
#include "quantd/lang/rule_strategy.h"

namespace {

using namespace quantd;

// Deterministic bars with a few NA fields, built once.
const std::vector<domain::Bar>& bars() {
  static const std::vector<domain::Bar> v = [] {
    std::vector<domain::Bar> b;
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    double price = 10'000;
    for (int i = 0; i < 300; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const double open = price;
      price = std::max(100.0, price + static_cast<double>(static_cast<int>(x % 21) - 10) * 10);
      domain::Bar bar{i * 60'000LL,
                      open,
                      std::max(open, price) + 10,
                      std::min(open, price) - 10,
                      price,
                      static_cast<std::int64_t>(x % 1000)};
      if (i % 97 == 50) bar.close = std::nan("");
      b.push_back(bar);
    }
    return b;
  }();
  return v;
}

class Context final : public strategy::DataContext {
 public:
  TimestampMs now() const override { return 0; }
  const domain::Symbol& symbol() const override { return symbol_; }
  std::span<const domain::Bar> bars() const override { return {}; }
  std::int64_t position() const override { return position_; }
  double entry_price() const override { return position_ ? 10'000 : 0; }
  std::int64_t bars_held() const override { return held_; }
  std::int64_t cash() const override { return 0; }
  double equity() const override { return 0; }
  domain::Symbol symbol_{"FUZZ"};
  std::int64_t position_ = 0;
  std::int64_t held_ = 0;
};

// The intents of one run: 0 none, 1 entry, 2 flat, per bar. The position follows the intents.
std::vector<int> run(strategy::Strategy& s, bool announce) {
  const auto& b = bars();
  if (announce) s.on_series(b);
  Context ctx;
  strategy::IntentSink out;
  std::vector<int> v;
  for (const domain::Bar& bar : b) {
    out.clear();
    s.on_bar(ctx, bar, out);
    int what = 0;
    if (out.has_intent()) what = out.intent().is_flat() ? 2 : 1;
    v.push_back(what);
    if (what == 1) ctx.position_ = 10, ctx.held_ = 0;
    if (what == 2) ctx.position_ = 0, ctx.held_ = 0;
    if (ctx.position_) ++ctx.held_;
  }
  return v;
}

void check_program(const std::shared_ptr<const lang::Program>& p) {
  // Evaluators of huge programs would only test the allocator.
  if (p->history_values() > 200'000 || p->node_count() > 2'000) return;
  if (p->is_expression()) {
    auto a = lang::evaluate_series(p, bars(), 1);
    auto b = lang::evaluate_series(p, bars(), 64);
    if (!a.ok() || !b.ok()) std::abort();
    for (std::size_t i = 0; i < a->size(); ++i) {
      const double x = (*a)[i];
      const double y = (*b)[i];
      if (!(std::isnan(x) && std::isnan(y)) && std::memcmp(&x, &y, sizeof x) != 0) {
        std::fprintf(stderr, "block/bar mismatch at %zu: %.17g vs %.17g\n", i, x, y);
        std::abort();
      }
    }
    return;
  }
  lang::RuleStrategy blocks(p, 64);
  lang::RuleStrategy single(p, 1);
  if (run(blocks, true) != run(single, false)) {
    std::fprintf(stderr, "block/bar-by-bar runs differ\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const lang::Script script = lang::Script::analyze(text);
  const std::string formatted = lang::format_diagnostics("f.qs", text, script.diagnostics());
  if (script.diagnostics().size() > static_cast<std::size_t>(lang::kMaxDiagnostics)) std::abort();
  if (script.ok()) {
    auto p = lang::compile(script);
    if (p.ok()) check_program(*p);
  }
  const lang::Script expr = lang::Script::analyze_expression(text, {{"n", 5}, {"k", 2}});
  (void)lang::format_diagnostics("--expr", text, expr.diagnostics());
  if (expr.ok()) {
    auto p = lang::compile(expr);
    if (p.ok()) check_program(*p);
  }
  return formatted.empty() ? 0 : 0;
}
