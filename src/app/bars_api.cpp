// Bars: CSV upload (row-level errors, all-or-nothing), coverage, reading and deleting series, the
// one-click synthetic sample data set, and downloads from KIS (BarDownloads).
#include <charconv>
#include <map>

#include "api_internal.h"
#include "quantd/app/bar_downloads.h"
#include "quantd/app/sample_data.h"
#include "quantd/data/bar_csv.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/bar_source_repository.h"

namespace quantd::app::api {
namespace {

// An upload stops collecting row errors after this many (each costs one more parse).
constexpr int kMaxRowErrors = 20;
constexpr std::int64_t kDefaultBarLimit = 100'000;
constexpr std::int64_t kMaxBarLimit = 1'000'000;

json bar_json(const domain::Bar& b) {
  return {{"ts", b.ts},   {"open", b.open},   {"high", b.high},
          {"low", b.low}, {"close", b.close}, {"volume", b.volume}};
}

// "upload.csv:17: high: 100 is below open 101" → 17 and "high: 100 is below open 101".
std::pair<int, std::string> split_row_error(const std::string& message, const std::string& file) {
  if (message.rfind(file + ":", 0) != 0) return {0, message};
  const char* p = message.data() + file.size() + 1;
  const char* end = message.data() + message.size();
  int row = 0;
  auto [q, ec] = std::from_chars(p, end, row);
  if (ec != std::errc() || q == end || *q != ':') return {0, message};
  std::string rest(q + 1, end);
  if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
  return {row, rest};
}

// Removes the text of 1-based line `row` (keeping its line break, so later rows keep their
// numbers: the parser skips blank lines).
bool blank_line(std::string& text, int row) {
  std::size_t start = 0;
  for (int line = 1; line < row; ++line) {
    start = text.find('\n', start);
    if (start == std::string::npos) return false;
    ++start;
  }
  std::size_t end = text.find('\n', start);
  if (end == std::string::npos) end = text.size();
  text.erase(start, end - start);
  return true;
}

std::string safe_file_name(const http::Request& request) {
  auto it = request.query.find("file");
  std::string name = it == request.query.end() ? "" : it->second;
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
        c == ' ') {
      out += c;
    }
  }
  if (out.size() > 100) out.resize(100);
  return out.empty() ? "upload.csv" : out;
}

// The interval in ?interval= (default 1d), or the problem to answer.
std::optional<domain::Interval> query_interval(const http::Request& request, Errors& errors) {
  auto it = request.query.find("interval");
  if (it == request.query.end() || it->second.empty()) return domain::Interval::k1d;
  auto interval = domain::parse_interval(it->second);
  if (!interval) {
    errors.add("interval", "must be one of 1m, 5m, 15m, 30m, 60m, 1d; got '" + it->second + "'");
  }
  return interval;
}

std::optional<TimestampMs> query_time(const http::Request& request, const char* key,
                                      bool end_of_day, Errors& errors) {
  auto it = request.query.find(key);
  if (it == request.query.end() || it->second.empty()) return std::nullopt;
  auto t = parse_timestamp(it->second);
  if (!t) {
    errors.add(key, "must be a date such as 2024-01-31, got '" + it->second + "'");
    return std::nullopt;
  }
  if (end_of_day && it->second.size() == 10) *t += kMsPerDay - 1;
  return t;
}

std::optional<domain::Symbol> path_symbol(const http::Request& request, Errors& errors) {
  const std::string s = request.param("symbol");
  if (!domain::is_valid_symbol(s)) {
    errors.add("symbol", "'" + s + "' is not a valid symbol (1-32 of A-Z a-z 0-9 . _ -)");
    return std::nullopt;
  }
  return domain::Symbol(s);
}

http::Response upload(const ApiContext& ctx, const http::Request& request) {
  if (auto full = storage_refusal(ctx)) return *full;
  Errors errors;
  auto symbol = path_symbol(request, errors);
  auto interval = query_interval(request, errors);
  if (!errors.empty()) return validation_failed(errors);
  const std::string file = safe_file_name(request);
  if (request.body.empty()) {
    return http::problem(400, "Bad Request",
                         "The request body is empty; send the CSV file as the body "
                         "(header ts,open,high,low,close,volume).");
  }

  // The parser stops at the first bad row; to show a person every bad row at once, blank each
  // reported row and parse again, up to kMaxRowErrors. Nothing is stored unless all rows are good.
  std::string text = request.body;
  std::vector<domain::Bar> bars;
  Errors row_errors;
  json rows = json::array();
  for (int attempt = 0; attempt < kMaxRowErrors; ++attempt) {
    auto parsed = data::parse_bars_csv(text, file);
    if (parsed.ok()) {
      if (rows.empty()) bars = std::move(parsed).value();
      break;
    }
    auto [row, message] = split_row_error(parsed.status().message(), file);
    rows.push_back({{"field", row > 0 ? "row " + std::to_string(row) : std::string("file")},
                    {"row", row},
                    {"message", message}});
    if (row <= 1 || !blank_line(text, row)) break;  // a header problem hides everything else
  }
  if (!rows.empty()) {
    std::string detail = file + ":" + std::to_string(rows[0]["row"].get<int>()) + ": " +
                         rows[0]["message"].get<std::string>();
    if (rows.size() > 1) {
      detail += " (" + std::to_string(rows.size()) +
                (rows.size() >= static_cast<std::size_t>(kMaxRowErrors) ? "+" : "") +
                " bad rows in all)";
    }
    detail += ". Nothing was imported.";
    return http::problem(422, "Invalid CSV", detail, rows);
  }
  if (bars.empty()) {
    Errors e;
    e.add("row 2", "the file has a header but no rows");
    return validation_failed(e, file + " has a header but no rows. Nothing was imported.");
  }

  storage::BarRepository repo(ctx.db);
  auto summary = repo.upsert(*symbol, *interval, bars);
  if (!summary.ok()) return from_status(summary.status());
  storage::BarSourceRepository sources(ctx.db);
  (void)sources.record({*symbol, *interval, "csv", file, ctx.clock.now()});
  ctx.backtests.publish("bars", {{"symbol", symbol->str()},
                                 {"interval", domain::to_string(*interval)},
                                 {"change", "imported"}});
  return http::json(200, {{"symbol", symbol->str()},
                          {"interval", domain::to_string(*interval)},
                          {"file", file},
                          {"rows", static_cast<std::int64_t>(bars.size())},
                          {"inserted", summary->inserted},
                          {"updated", summary->updated},
                          {"unchanged", summary->unchanged},
                          {"first_ts", bars.front().ts},
                          {"last_ts", bars.back().ts}});
}

http::Response coverage(const ApiContext& ctx, const http::Request&) {
  storage::BarRepository repo(ctx.db);
  auto list = repo.coverage();
  if (!list.ok()) return from_status(list.status());
  storage::BarSourceRepository sources_repo(ctx.db);
  auto sources = sources_repo.list();
  std::map<std::pair<std::string, std::string>, storage::BarSource> by_series;
  if (sources.ok()) {
    for (auto& s : *sources) {
      by_series[{s.symbol.str(), std::string(domain::to_string(s.interval))}] = s;
    }
  }
  std::map<std::string, std::string> sample_descriptions;
  for (const auto& s : sample_series()) sample_descriptions[s.symbol.str()] = s.description;
  json out = json::array();
  for (const auto& c : *list) {
    const std::string interval(domain::to_string(c.interval));
    auto it = by_series.find({c.symbol.str(), interval});
    const std::string source = it == by_series.end() ? "cli" : it->second.source;
    json j{{"symbol", c.symbol.str()},
           {"interval", interval},
           {"first_ts", c.first_ts},
           {"last_ts", c.last_ts},
           {"count", c.count},
           {"source", source},
           {"note", it == by_series.end() ? "" : it->second.note},
           {"synthetic", source == "sample"},
           {"updated_at",
            it == by_series.end() ? json(nullptr) : json(format_utc_iso(it->second.updated_at))}};
    if (source == "sample") j["note"] = sample_descriptions[c.symbol.str()];
    out.push_back(std::move(j));
  }
  return http::json(200, out);
}

http::Response load_sample(const ApiContext& ctx, const http::Request&) {
  auto series = store_sample_data(ctx);
  if (!series.ok()) return from_status(series.status());
  return http::json(201, {{"synthetic", true},
                          {"description",
                           "Synthetic daily bars generated by quantd (a seeded random walk), not "
                           "real market prices. For trying the product only."},
                          {"series", *series}});
}

http::Response get_bars(const ApiContext& ctx, const http::Request& request) {
  Errors errors;
  auto symbol = path_symbol(request, errors);
  auto interval = query_interval(request, errors);
  auto from = query_time(request, "from", false, errors);
  auto to = query_time(request, "to", true, errors);
  std::int64_t limit = kDefaultBarLimit;
  if (auto it = request.query.find("limit"); it != request.query.end()) {
    auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), limit);
    if (ec != std::errc() || p != it->second.data() + it->second.size() || limit < 1 ||
        limit > kMaxBarLimit) {
      errors.add("limit", "must be a whole number from 1 to " + std::to_string(kMaxBarLimit));
    }
  }
  if (!errors.empty()) return validation_failed(errors);
  storage::BarRepository repo(ctx.db);
  auto bars = repo.load(*symbol, *interval, from, to);
  if (!bars.ok()) return from_status(bars.status());
  if (bars->empty()) {
    return http::problem(404, "Not Found",
                         "No " + std::string(domain::to_string(*interval)) +
                             " bars are stored for " + symbol->str() +
                             (from || to ? " in that range." : "."));
  }
  const std::size_t skip =
      bars->size() > static_cast<std::size_t>(limit) ? bars->size() - limit : 0;
  json out = json::array();
  for (std::size_t i = skip; i < bars->size(); ++i) out.push_back(bar_json((*bars)[i]));
  http::Response r = http::json(200, out);
  if (skip > 0) r.set_header("X-Truncated", std::to_string(skip));
  return r;
}

http::Response delete_bars(const ApiContext& ctx, const http::Request& request) {
  Errors errors;
  auto symbol = path_symbol(request, errors);
  auto interval = query_interval(request, errors);
  if (!errors.empty()) return validation_failed(errors);
  storage::BarRepository repo(ctx.db);
  if (Status st = repo.remove(*symbol, *interval); !st.ok()) return from_status(st);
  storage::BarSourceRepository sources(ctx.db);
  (void)sources.remove(*symbol, *interval);
  ctx.backtests.publish("bars", {{"symbol", symbol->str()},
                                 {"interval", domain::to_string(*interval)},
                                 {"change", "deleted"}});
  return http::empty(204);
}

http::Response downloads_unavailable() {
  return http::problem(503, "Service Unavailable", "downloads from KIS are not set up here");
}

http::Response download_status(const ApiContext& ctx, const http::Request&) {
  if (!ctx.downloads) return downloads_unavailable();
  return http::json(200, ctx.downloads->status_json());
}

// {"symbol": "005930", "interval": "1d" | "1m", "from": "2015-01-01", "to"?: DATE (default
// today), "restart"?: bool (fetch the whole range again instead of resuming)}.
http::Response start_download(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.downloads) return downloads_unavailable();
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  Errors errors;
  auto symbol = read_string(body.value, "symbol", errors, true, 32, false);
  auto interval = read_interval(body.value, "interval", errors);
  if (!body.value.contains("interval") || body.value["interval"].is_null()) {
    errors.add("interval", "is required (1d or 1m)");
  }
  std::optional<CivilDate> days[2];
  const char* names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    auto text = read_string(body.value, names[i], errors, i == 0, 10, false);
    if (!text) continue;
    days[i] = parse_civil_date(*text);
    if (!days[i]) errors.add(names[i], "must be a date such as 2015-01-01, got '" + *text + "'");
  }
  auto restart = read_bool(body.value, "restart", errors);
  if (symbol && !domain::is_valid_symbol(*symbol)) {
    errors.add("symbol", "'" + *symbol + "' is not a KRX code such as 005930");
  }
  if (!errors.empty()) return validation_failed(errors);
  const auto status = ctx.downloads->status_json();
  if (!status["available"].get<bool>()) {
    return http::problem(503, "KIS not configured", status["reason"].get<std::string>());
  }
  kis::DownloadRequest r{domain::Symbol(*symbol), *interval, *days[0],
                         days[1].value_or(to_seoul(ctx.clock.now()).date),
                         !restart.value_or(false)};
  auto started = ctx.downloads->start(r);
  if (!started.ok()) {
    const Status& st = started.status();
    if (st.code() == StatusCode::kInvalidArgument) {
      // "interval: ..." / "symbol: ..." / "from: ...": the field is the message's first word.
      const std::string& m = st.message();
      const auto colon = m.find(':');
      Errors e;
      e.add(colon == std::string::npos ? "body" : m.substr(0, colon), m);
      return validation_failed(e, m);
    }
    return from_status(st);
  }
  return http::json(202, *started);
}

http::Response cancel_download(const ApiContext& ctx, const http::Request&) {
  if (!ctx.downloads) return downloads_unavailable();
  if (Status st = ctx.downloads->cancel(); !st.ok()) return from_status(st);
  return http::json(202, ctx.downloads->status_json()["current"]);
}

}  // namespace

Result<json> store_sample_data(const ApiContext& ctx) {
  storage::BarRepository repo(ctx.db);
  storage::BarSourceRepository sources(ctx.db);
  json series = json::array();
  for (const SampleSeries& s : sample_series()) {
    auto summary = repo.upsert(s.symbol, domain::Interval::k1d, s.bars);
    if (!summary.ok()) return summary.status();
    (void)sources.record(
        {s.symbol, domain::Interval::k1d, "sample", s.description, ctx.clock.now()});
    series.push_back({{"symbol", s.symbol.str()},
                      {"interval", "1d"},
                      {"description", s.description},
                      {"count", static_cast<std::int64_t>(s.bars.size())},
                      {"inserted", summary->inserted},
                      {"first_ts", s.bars.front().ts},
                      {"last_ts", s.bars.back().ts}});
  }
  ctx.backtests.publish("bars", {{"change", "sample"}});
  return series;
}

void register_bars_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  add_route(router, "GET", "/api/bars", ctx, guard, coverage);
  add_route(router, "POST", "/api/bars/{symbol}", ctx, guard, upload, {.accepts = "text/csv"});
  add_route(router, "GET", "/api/bars/{symbol}", ctx, guard, get_bars);
  add_route(router, "DELETE", "/api/bars/{symbol}", ctx, guard, delete_bars);
  add_route(router, "POST", "/api/sample-data", ctx, guard, load_sample);
  add_route(router, "GET", "/api/bar-downloads", ctx, guard, download_status);
  add_route(router, "POST", "/api/bar-downloads", ctx, guard, start_download);
  add_route(router, "POST", "/api/bar-downloads/cancel", ctx, guard, cancel_download);
}

}  // namespace quantd::app::api
