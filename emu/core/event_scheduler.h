// The one event scheduler: device timers fire at a virtual time (ns derived
// from the instruction count). The machine loop never runs a hart past the
// next deadline, so an event fires at the same instruction on every run.
// Events with equal deadlines fire in the order they were scheduled.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <utility>

namespace emu {

class EventScheduler {
 public:
  using Callback = std::function<void()>;
  using EventId = uint64_t;
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

  EventId schedule_at_ns(uint64_t deadline_ns, Callback callback) {
    EventId id = next_id_++;
    events_.emplace(std::make_pair(deadline_ns, id), std::move(callback));
    return id;
  }

  // Cancelling an event that already fired or was cancelled does nothing.
  void cancel(EventId id) {
    for (auto it = events_.begin(); it != events_.end(); ++it) {
      if (it->first.second == id) {
        events_.erase(it);
        return;
      }
    }
  }

  uint64_t next_deadline_ns() const { return events_.empty() ? kNever : events_.begin()->first.first; }

  // Fires every event due at or before now_ns. A callback may schedule or
  // cancel events; one scheduled at or before now_ns fires in this call too.
  void run_due(uint64_t now_ns) {
    while (!events_.empty() && events_.begin()->first.first <= now_ns) {
      Callback callback = std::move(events_.begin()->second);
      events_.erase(events_.begin());
      callback();
    }
  }

  void clear() { events_.clear(); }

 private:
  std::map<std::pair<uint64_t, EventId>, Callback> events_;
  EventId next_id_ = 1;
};

}  // namespace emu
