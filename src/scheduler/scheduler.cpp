#include "quantd/scheduler/scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <thread>

#include "quantd/scheduler/session_ticker.h"

namespace quantd::scheduler {

struct Scheduler::Impl {
  Impl(Scheduler& owner, const Clock& clock, KrxCalendar calendar, Ids ids, Publish publish)
      : owner(owner),
        clock(clock),
        calendar(std::move(calendar)),
        ticker(this->calendar),
        ids(std::move(ids)),
        publish(std::move(publish)),
        timer(io) {}

  void arm() {
    owner.heartbeat_.beat();
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
    // The next wake first: whoever sees the tick counted also sees where the clock goes next.
    owner.next_wake_ = ticker.next_wake(clock.now());
    owner.ticks_.fetch_add(1);
    if (tick) {
      try {
        owner.published_.fetch_add(tick(*minute));
      } catch (const std::exception& e) {
        spdlog::error("scheduler: the tick of {} failed: {}", format_seoul(*minute), e.what());
      }
      return;
    }
    std::vector<std::int64_t> due;
    try {
      due = ids();
    } catch (const std::exception& e) {
      spdlog::error("scheduler: cannot list what to evaluate: {}", e.what());
      return;
    }
    std::size_t refused = 0;
    for (std::int64_t id : due) {
      if (publish(bus::EvaluateSession{id, *minute})) {
        owner.published_.fetch_add(1);
      } else {
        ++refused;
      }
    }
    spdlog::debug("scheduler: minute {} → {} sessions", format_seoul(*minute), due.size());
    if (refused > 0) {
      spdlog::warn("scheduler: live queue refused {} of {} evaluations for {}", refused, due.size(),
                   format_seoul(*minute));
    }
  }

  Scheduler& owner;
  const Clock& clock;
  KrxCalendar calendar;
  SessionTicker ticker;
  Ids ids;
  Publish publish;
  Tick tick;  // when set, replaces ids + publish
  boost::asio::io_context io;
  boost::asio::steady_timer timer;
  std::thread thread;
  std::atomic<bool> stopping{false};
  // True between the start handler and stop(); touched only on the io thread (and by stop()
  // after the join), so a wake() queued while stopped does nothing.
  bool running = false;
};

Scheduler::Scheduler(const Clock& clock, KrxCalendar calendar, Ids ids, Publish publish)
    : impl_(std::make_unique<Impl>(*this, clock, std::move(calendar), std::move(ids),
                                   std::move(publish))) {}

Scheduler::Scheduler(const Clock& clock, KrxCalendar calendar, Tick tick)
    : impl_(std::make_unique<Impl>(*this, clock, std::move(calendar), Ids{}, Publish{})) {
  impl_->tick = std::move(tick);
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  if (impl_->thread.joinable()) return;
  impl_->stopping = false;
  impl_->io.restart();
  std::promise<void> armed;
  boost::asio::post(impl_->io, [this, &armed] {
    // Do not fire for a minute that completed before start: only boundaries from now on.
    impl_->ticker.on_wake(impl_->clock.now());
    impl_->running = true;
    impl_->arm();
    armed.set_value();
  });
  impl_->thread = std::thread([this] { impl_->io.run(); });
  // Returning only once the clock has been read makes "before start" exact: a clock moved after
  // start() returns is always seen as a move, never folded into the starting point.
  armed.get_future().wait();
  spdlog::info("scheduler started");
}

void Scheduler::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  boost::asio::post(impl_->io, [this] { impl_->timer.cancel(); });
  impl_->io.stop();
  impl_->thread.join();
  impl_->running = false;
  spdlog::info("scheduler stopped");
}

void Scheduler::wake() {
  // Runs on the io thread like the timer's handler, so the ticker is never touched concurrently.
  // arm() replaces the pending wait (expires_after cancels it; its handler sees the abort).
  boost::asio::post(impl_->io, [this] {
    if (!impl_->running || impl_->stopping) return;
    impl_->fire();
    impl_->arm();
  });
}

}  // namespace quantd::scheduler
