#include "quantd/storage/backup_schedule.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "quantd/storage/backup.h"

namespace quantd::storage {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "quantd-";
constexpr std::string_view kSuffix = "Z.db";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The UTC epoch ms a backup name carries, or -1 for any other name.
std::int64_t parse_backup_name(const std::string& name) {
  // quantd-YYYYMMDDTHHMMSS.mmmZ.db
  if (name.size() != kPrefix.size() + 19 + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return -1;
  }
  std::tm tm{};
  int ms = 0;
  char t = 0, dot = 0;
  if (std::sscanf(name.c_str() + kPrefix.size(), "%4d%2d%2d%c%2d%2d%2d%c%3d", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &t, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &dot,
                  &ms) != 9 ||
      t != 'T' || dot != '.') {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t seconds = timegm(&tm);
  if (seconds < 0) return -1;
  return static_cast<std::int64_t>(seconds) * 1000 + ms;
}

}  // namespace

std::string backup_name(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "quantd-%04d%02d%02dT%02d%02d%02d.%03dZ.db",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buffer;
}

std::vector<std::string> list_backups(const std::string& dir) {
  std::vector<std::pair<std::int64_t, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (const std::int64_t ms = parse_backup_name(name); ms >= 0 && entry.is_regular_file(ec)) {
      found.emplace_back(ms, entry.path().string());
    }
  }
  std::sort(found.begin(), found.end(), std::greater<>());
  std::vector<std::string> out;
  for (auto& [ms, path] : found) out.push_back(std::move(path));
  return out;
}

BackupSchedule::BackupSchedule(std::string db_path, BackupScheduleOptions options)
    : db_path_(std::move(db_path)), options_(std::move(options)) {}

BackupSchedule::~BackupSchedule() { stop(); }

Status BackupSchedule::start() {
  if (thread_.joinable()) return {};
  std::error_code ec;
  if (!fs::is_directory(options_.dir, ec)) {
    fs::create_directories(options_.dir, ec);
    if (ec) return Status::internal("backup.dir " + options_.dir + ": " + ec.message());
    // Backups hold the same secrets as the database.
    ::chmod(options_.dir.c_str(), 0700);
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
  spdlog::info("backups: every {} min into {}, keeping {}",
               std::chrono::duration_cast<std::chrono::minutes>(options_.every).count(),
               options_.dir, options_.keep);
  return {};
}

void BackupSchedule::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

BackupStats BackupSchedule::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

Result<std::string> BackupSchedule::take_now() {
  std::lock_guard take(take_mu_);
  std::int64_t ms = now_ms();
  // Names are unique even for two backups within a millisecond.
  const std::vector<std::string> existing = list_backups(options_.dir);
  if (!existing.empty()) {
    ms = std::max(ms, parse_backup_name(fs::path(existing.front()).filename().string()) + 1);
  }
  const std::string path = (fs::path(options_.dir) / backup_name(ms)).string();
  const auto t0 = std::chrono::steady_clock::now();
  Status st = backup_database(db_path_, path);
  {
    std::lock_guard lock(mu_);
    if (st.ok()) {
      ++stats_.taken;
      stats_.last_success_ms = ms;
    } else {
      ++stats_.failed;
    }
  }
  if (!st.ok()) {
    spdlog::error("backup failed: {}", st.message());
    return st;
  }
  std::error_code ec;
  spdlog::info(
      "backup: {} ({} bytes, {} ms)", path, fs::file_size(path, ec),
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  const std::vector<std::string> all = list_backups(options_.dir);
  for (std::size_t i = static_cast<std::size_t>(options_.keep); i < all.size(); ++i) {
    if (fs::remove(all[i], ec)) {
      spdlog::info("backup: removed {} (keeping the newest {})", all[i], options_.keep);
    } else if (ec) {
      spdlog::warn("backup: cannot remove {}: {}", all[i], ec.message());
    }
  }
  return path;
}

void BackupSchedule::run() {
  const std::int64_t every = options_.every.count();
  const std::vector<std::string> existing = list_backups(options_.dir);
  std::int64_t due =
      existing.empty() ? now_ms()
                       : parse_backup_name(fs::path(existing.front()).filename().string()) + every;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const std::int64_t now = now_ms();
    if (now >= due) {
      lock.unlock();
      const bool ok = take_now().ok();
      lock.lock();
      // A failed backup is retried sooner than a whole period later (but not in a tight loop).
      due = now_ms() + (ok ? every : std::min<std::int64_t>(every, 60'000));
      continue;
    }
    // Waits are capped so a wall clock that jumps is noticed within a minute.
    wake_.wait_for(lock, std::chrono::milliseconds(std::min<std::int64_t>(due - now, 60'000)),
                   [this] { return stopping_; });
  }
}

}  // namespace quantd::storage
