// The interface every memory-mapped device model implements. Devices are
// small and self-contained (register map at the top of their file); the bus
// hands them offsets relative to their base, never absolute addresses.
#pragma once

#include <cstdint>
#include <string_view>

#include "emu/core/state_stream.h"

namespace emu {

class Device {
 public:
  virtual ~Device() = default;

  // Short, stable name used in `info mtree`, state sections and errors.
  virtual std::string_view name() const = 0;

  // size is 1, 2, 4 or 8 and offset is within the mapped range. Accesses that
  // the hardware does not decode read as zero and ignore writes, as QEMU's
  // virt devices do; a device never throws from read/write.
  virtual uint64_t read(uint64_t offset, unsigned size) = 0;
  virtual void write(uint64_t offset, uint64_t value, unsigned size) = 0;

  // Power-on state. Called once at machine creation and on system reset.
  virtual void reset() = 0;

  // Guest-visible state, in a fixed field order. load() must accept exactly
  // what save() wrote and throw StateError on anything else.
  virtual void save(StateWriter& out) const = 0;
  virtual void load(StateReader& in) = 0;
};

}  // namespace emu
