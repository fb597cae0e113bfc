// Bars: CSV upload (row-level errors, all-or-nothing), coverage, reading and deleting series, the
// one-click synthetic sample data set, and downloads from KIS (BarDownloads).
#include <charconv>
#include <filesystem>
#include <map>

#include "api_internal.h"
#include "quantd/app/bar_downloads.h"
#include "quantd/app/sample_data.h"
#include "quantd/data/bar_csv.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/bar_source_repository.h"

namespace quantd::app::api {
namespace {

// An upload stops collecting row errors after this many.
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

// Parses the body (in memory, or spooled to request.body_file by the server for a large upload)
// with `sink` receiving the bars batch by batch.
Result<data::CsvScan> scan_body(const http::Request& request, const std::string& file,
                                int max_errors, bool check_duplicates,
                                const data::BarBatchSink& sink) {
  data::CsvScanOptions options;
  options.max_errors = max_errors;
  options.check_duplicates = check_duplicates;
  if (!request.body_file.empty()) {
    return data::scan_bars_csv_file(request.body_file, file, options, sink);
  }
  return data::scan_bars_csv(request.body, file, options, sink);
}

http::Response upload(const ApiContext& ctx, const http::Request& request) {
  if (auto full = storage_refusal(ctx)) return *full;
  Errors errors;
  auto symbol = path_symbol(request, errors);
  auto interval = query_interval(request, errors);
  if (!errors.empty()) return validation_failed(errors);
  const std::string file = safe_file_name(request);
  std::error_code size_error;
  const bool empty = request.body_file.empty()
                         ? request.body.empty()
                         : std::filesystem::file_size(request.body_file, size_error) == 0;
  if (empty) {
    return http::problem(400, "Bad Request",
                         "The request body is empty; send the CSV file as the body "
                         "(header ts,open,high,low,close,volume).");
  }

  // Two passes over the body, neither holding it parsed in memory (a year of minute bars is
  // ~100 MB of CSV). The first checks every row and collects up to kMaxRowErrors bad ones to
  // show a person at once, without the database's write lock. The second feeds the bars to one
  // import transaction batch by batch: nothing is stored unless every row is good.
  auto checked = scan_body(request, file, kMaxRowErrors, true,
                           [](std::span<const domain::Bar>) { return Status::ok_status(); });
  if (!checked.ok()) return from_status(checked.status());
  if (!checked->errors.empty()) {
    json rows = json::array();
    for (const Status& e : checked->errors) {
      auto [row, message] = split_row_error(e.message(), file);
      rows.push_back({{"field", row > 0 ? "row " + std::to_string(row) : std::string("file")},
                      {"row", row},
                      {"message", message}});
    }
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
  if (checked->rows == 0) {
    Errors e;
    e.add("row 2", "the file has a header but no rows");
    return validation_failed(e, file + " has a header but no rows. Nothing was imported.");
  }

  storage::BarRepository repo(ctx.db);
  auto import = repo.begin_import(*symbol, *interval);
  if (!import.ok()) return from_status(import.status());
  auto stored = scan_body(request, file, 1, false, [&](std::span<const domain::Bar> batch) {
    return (*import)->add(batch);
  });
  if (!stored.ok()) return from_status(stored.status());                    // the import rolls back
  if (!stored->errors.empty()) return from_status(stored->errors.front());  // the file changed
  auto summary = (*import)->commit();
  import->reset();
  if (!summary.ok()) return from_status(summary.status());
  storage::BarSourceRepository sources(ctx.db);
  (void)sources.record({*symbol, *interval, "csv", file, ctx.clock.now()});
  ctx.backtests.publish("bars", {{"symbol", symbol->str()},
                                 {"interval", domain::to_string(*interval)},
                                 {"change", "imported"}});
  return http::json(200, {{"symbol", symbol->str()},
                          {"interval", domain::to_string(*interval)},
                          {"file", file},
                          {"rows", stored->rows},
                          {"inserted", summary->inserted},
                          {"updated", summary->updated},
                          {"unchanged", summary->unchanged},
                          {"first_ts", summary->first_ts.value_or(0)},
                          {"last_ts", summary->last_ts.value_or(0)}});
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
           {"revision", c.revision},
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
  // The body may be larger than server.body_limit_bytes (a year of minute bars): the server
  // spools it to a file (Request::body_file) up to server.upload_limit_bytes.
  add_route(router, "POST", "/api/bars/{symbol}", ctx, guard, upload,
            {.accepts = "text/csv", .streams_body = true});
  add_route(router, "GET", "/api/bars/{symbol}", ctx, guard, get_bars);
  add_route(router, "DELETE", "/api/bars/{symbol}", ctx, guard, delete_bars);
  add_route(router, "POST", "/api/sample-data", ctx, guard, load_sample);
  add_route(router, "GET", "/api/bar-downloads", ctx, guard, download_status);
  add_route(router, "POST", "/api/bar-downloads", ctx, guard, start_download);
  add_route(router, "POST", "/api/bar-downloads/cancel", ctx, guard, cancel_download);
}

}  // namespace quantd::app::api
