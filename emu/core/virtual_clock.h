// Virtual time, derived only from the instruction count (architecture.md:
// "the replay boundary"). One tick per instruction slot executed by any hart,
// plus ticks skipped forward while every hart waits in WFI. With
// `-icount shift=N` one tick is 2^N ns of virtual time.
#pragma once

#include <cstdint>

namespace emu {

class VirtualClock {
 public:
  explicit VirtualClock(unsigned shift = 0) : shift_(shift) {}

  uint64_t icount() const { return icount_; }
  unsigned shift() const { return shift_; }
  uint64_t ns() const { return icount_ << shift_; }

  void advance(uint64_t ticks) { icount_ += ticks; }
  // WFI idling: jump straight to the icount at which `ns` is reached.
  void advance_to_ns(uint64_t target_ns) {
    uint64_t target = icount_for_ns(target_ns);
    if (target > icount_) icount_ = target;
  }

  // The first icount at which virtual time is >= ns.
  uint64_t icount_for_ns(uint64_t target_ns) const {
    uint64_t unit = uint64_t{1} << shift_;
    return target_ns / unit + (target_ns % unit != 0);
  }

  // Replay and snapshots restore the count.
  void set_icount(uint64_t icount) { icount_ = icount; }

 private:
  uint64_t icount_ = 0;
  unsigned shift_;
};

}  // namespace emu
