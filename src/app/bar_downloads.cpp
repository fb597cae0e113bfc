#include "quantd/app/bar_downloads.h"

#include <spdlog/spdlog.h>

#include "quantd/core/time.h"
#include "quantd/kis/kis_rest.h"

namespace quantd::app {

using nlohmann::json;

namespace {

std::string day_text(CivilDate d) { return format_seoul_date(from_seoul(d)); }

json time_or_null(TimestampMs ts) { return ts == 0 ? json(nullptr) : json(format_utc_iso(ts)); }

}  // namespace

BarDownloads::BarDownloads(std::shared_ptr<kis::KisRest> rest, std::string environment,
                           storage::Database& db, const Clock& clock, Publish publish)
    : rest_(std::move(rest)),
      environment_(std::move(environment)),
      db_(db),
      clock_(clock),
      publish_(std::move(publish)) {}

BarDownloads::~BarDownloads() {
  cancel_ = true;
  if (thread_.joinable()) thread_.join();
}

json BarDownloads::current_json() const {
  if (!current_) return nullptr;
  const Current& c = *current_;
  return {{"id", c.id},
          {"symbol", c.request.symbol.str()},
          {"interval", std::string(domain::to_string(c.request.interval))},
          {"from", day_text(c.request.from)},
          {"to", day_text(c.request.to)},
          {"restart", !c.request.resume},
          {"state", c.state},
          {"fraction", c.progress.fraction},
          {"reached", c.progress.calls == 0 ? json(nullptr) : json(day_text(c.progress.reached))},
          {"bars", c.progress.bars},
          {"inserted", c.progress.inserted},
          {"calls", c.progress.calls},
          {"error", c.error.empty() ? json(nullptr) : json(c.error)},
          {"started_at", time_or_null(c.started_at)},
          {"finished_at", time_or_null(c.finished_at)}};
}

json BarDownloads::status_json() const {
  std::lock_guard lock(mu_);
  json out = {{"available", rest_ != nullptr},
              {"environment", rest_ ? json(environment_) : json(nullptr)},
              {"current", current_json()}};
  if (!rest_) {
    out["reason"] =
        "KIS is not configured: set kis.app_key, kis.app_secret and kis.account (or "
        "QUANTD_KIS_APP_KEY, QUANTD_KIS_APP_SECRET, QUANTD_KIS_ACCOUNT) and restart quantd";
  }
  return out;
}

Result<json> BarDownloads::start(const kis::DownloadRequest& request) {
  if (!rest_) return Status::failed_precondition(status_json()["reason"].get<std::string>());
  const TimestampMs now = clock_.now();
  std::lock_guard lock(mu_);
  if (current_ && current_->state == "running") {
    return Status::failed_precondition("a download is running (" + current_->request.symbol.str() +
                                       " " +
                                       std::string(domain::to_string(current_->request.interval)) +
                                       "); cancel it or wait for it to end");
  }
  auto first = kis::download_start(*rest_, db_, request, now);
  if (!first.ok()) return first.status();
  if (thread_.joinable()) thread_.join();  // the last one has ended: its thread is done
  Current c;
  c.id = next_id_++;
  c.request = request;
  c.request.to = std::min(request.to, to_seoul(now).date);
  c.state = "running";
  c.progress.reached = *first;
  c.started_at = now;
  current_ = c;
  cancel_ = false;
  thread_ = std::thread([this, request = c.request, now] { run(request, now); });
  return current_json();
}

Status BarDownloads::cancel() {
  std::lock_guard lock(mu_);
  if (!current_ || current_->state != "running") {
    return Status::not_found("no download is running");
  }
  cancel_ = true;
  return {};
}

void BarDownloads::run(kis::DownloadRequest request, TimestampMs now) {
  publish_current();
  auto done = kis::download_bars(*rest_, db_, request, now, [&](const kis::DownloadProgress& p) {
    {
      std::lock_guard lock(mu_);
      current_->progress = p;
    }
    publish_current();
    return !cancel_.load();
  });
  {
    std::lock_guard lock(mu_);
    Current& c = *current_;
    c.finished_at = clock_.now();
    if (!done.ok()) {
      c.state = "failed";
      c.error = done.status().message();
      spdlog::warn("download of {} {} from KIS failed: {}", request.symbol.str(),
                   domain::to_string(request.interval), c.error);
    } else {
      c.progress = *done;
      c.state = cancel_ && c.progress.reached < c.request.to ? "cancelled" : "done";
      if (c.state == "done") c.progress.fraction = 1;
      spdlog::info("downloaded {} bars of {} {} from KIS ({} new, {} calls){}", c.progress.bars,
                   request.symbol.str(), domain::to_string(request.interval), c.progress.inserted,
                   c.progress.calls, c.state == "cancelled" ? ", cancelled" : "");
    }
  }
  publish_current();
  publish_("bars", {{"symbol", request.symbol.str()},
                    {"interval", std::string(domain::to_string(request.interval))},
                    {"change", "downloaded"}});
}

void BarDownloads::publish_current() {
  json data;
  {
    std::lock_guard lock(mu_);
    data = current_json();
  }
  publish_("bars.download", data);
}

}  // namespace quantd::app
