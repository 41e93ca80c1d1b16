// The one door through which nondeterminism enters the guest
// (architecture.md). Host-side producers (a chardev with typed bytes, the
// RTC's wall-clock base, entropy, monitor commands that touch the guest) push
// inputs; each is stamped with the icount at which the guest sees it. The
// machine loop delivers due inputs to their consumers between instructions.
// Record mode will append every delivered input to the log; replay mode will
// fill the queue from the log instead of from the host.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace emu {

enum class InputKind : uint8_t {
  SerialBytes = 1,    // bytes typed into a character device (target = consumer id)
  WallClock = 2,      // RTC base, ns since the Unix epoch (payload: 8 bytes LE)
  Entropy = 3,        // virtio-rng bytes
  MonitorCommand = 4, // system_reset and friends
};

struct Input {
  uint64_t icount = 0;
  InputKind kind = InputKind::SerialBytes;
  uint32_t target = 0;  // which consumer: e.g. the UART's id
  std::vector<uint8_t> payload;
};

class InputQueue {
 public:
  using Consumer = std::function<void(const Input&)>;

  // A consumer receives inputs of one kind addressed to one target id.
  void register_consumer(InputKind kind, uint32_t target, Consumer consumer) {
    consumers_[{kind, target}] = std::move(consumer);
  }

  // Host side: stamp with `now` (the current icount) and queue.
  void push(uint64_t now, InputKind kind, uint32_t target, std::vector<uint8_t> payload) {
    pending_.push_back(Input{now, kind, target, std::move(payload)});
  }

  bool has_due(uint64_t now) const { return !pending_.empty() && pending_.front().icount <= now; }

  // The icount of the next queued input, or UINT64_MAX.
  uint64_t next_icount() const { return pending_.empty() ? UINT64_MAX : pending_.front().icount; }

  // Delivers every input stamped at or before now, in order. An observer
  // (the recorder) sees each delivered input first. The delivered stamp is
  // `now`, the icount at which the guest really sees the input: a producer
  // called from inside a slice (an MMIO write asking for entropy) only knows
  // the icount of the slice's start, but delivery happens at a slice boundary,
  // and that boundary is what replay must reproduce.
  void deliver_due(uint64_t now) {
    while (has_due(now)) {
      Input input = std::move(pending_.front());
      pending_.pop_front();
      input.icount = now;
      if (observer_) observer_(input);
      auto consumer = consumers_.find({input.kind, input.target});
      if (consumer != consumers_.end()) consumer->second(input);
    }
  }

  void set_observer(Consumer observer) { observer_ = std::move(observer); }

 private:
  std::deque<Input> pending_;
  std::map<std::pair<InputKind, uint32_t>, Consumer> consumers_;
  Consumer observer_;
};

}  // namespace emu
