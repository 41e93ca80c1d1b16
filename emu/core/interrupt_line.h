// A level-triggered wire from a device to an interrupt controller input
// (PLIC source, or a hart's mip bit). Devices hold an InterruptLine and set
// its level; they never know who is on the other end.
#pragma once

#include <functional>
#include <utility>

namespace emu {

class InterruptLine {
 public:
  InterruptLine() = default;
  explicit InterruptLine(std::function<void(bool)> sink) : sink_(std::move(sink)) {}

  void set(bool level) {
    if (level == level_) return;
    level_ = level;
    if (sink_) sink_(level);
  }
  bool level() const { return level_; }
  void connect(std::function<void(bool)> sink) { sink_ = std::move(sink); }

 private:
  std::function<void(bool)> sink_;
  bool level_ = false;
};

}  // namespace emu
