#include "quantd/scheduler/scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <thread>

#include "quantd/scheduler/session_ticker.h"

namespace quantd::scheduler {

struct Scheduler::Impl {
  Impl(Scheduler& owner, const Clock& clock, KrxCalendar calendar, ActiveStrategies active,
       Publish publish)
      : owner(owner),
        clock(clock),
        calendar(std::move(calendar)),
        ticker(this->calendar),
        active(std::move(active)),
        publish(std::move(publish)),
        timer(io) {}

  void arm() {
    const TimestampMs now = clock.now();
    const TimestampMs wake = ticker.next_wake(now);
    owner.next_wake_ = wake;
    // Waits are capped so a clock that jumps (NTP step, manual clock in tests) is noticed soon.
    const auto delay = std::chrono::milliseconds(std::clamp<TimestampMs>(wake - now, 1, 1000));
    timer.expires_after(delay);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping) return;
      fire();
      arm();
    });
  }

  void fire() {
    const auto minute = ticker.on_wake(clock.now());
    if (!minute) return;
    owner.ticks_.fetch_add(1);
    std::vector<std::int64_t> ids;
    try {
      ids = active();
    } catch (const std::exception& e) {
      spdlog::error("scheduler: cannot list active strategies: {}", e.what());
      return;
    }
    std::size_t refused = 0;
    for (std::int64_t id : ids) {
      if (publish(bus::EvaluateStrategy{id, *minute})) {
        owner.published_.fetch_add(1);
      } else {
        ++refused;
      }
    }
    spdlog::debug("scheduler: minute {} → {} strategies", format_seoul(*minute), ids.size());
    if (refused > 0) {
      spdlog::warn("scheduler: live queue refused {} of {} evaluations for {}", refused, ids.size(),
                   format_seoul(*minute));
    }
  }

  Scheduler& owner;
  const Clock& clock;
  KrxCalendar calendar;
  SessionTicker ticker;
  ActiveStrategies active;
  Publish publish;
  boost::asio::io_context io;
  boost::asio::steady_timer timer;
  std::thread thread;
  std::atomic<bool> stopping{false};
};

Scheduler::Scheduler(const Clock& clock, KrxCalendar calendar, ActiveStrategies active,
                     Publish publish)
    : impl_(std::make_unique<Impl>(*this, clock, std::move(calendar), std::move(active),
                                   std::move(publish))) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  if (impl_->thread.joinable()) return;
  impl_->stopping = false;
  impl_->io.restart();
  boost::asio::post(impl_->io, [this] {
    // Do not fire for a minute that completed before start: only boundaries from now on.
    impl_->ticker.on_wake(impl_->clock.now());
    impl_->arm();
  });
  impl_->thread = std::thread([this] { impl_->io.run(); });
  spdlog::info("scheduler started");
}

void Scheduler::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  boost::asio::post(impl_->io, [this] { impl_->timer.cancel(); });
  impl_->io.stop();
  impl_->thread.join();
  spdlog::info("scheduler stopped");
}

}  // namespace quantd::scheduler
