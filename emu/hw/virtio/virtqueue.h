// Split virtqueues (virtio 1.2, 2.7) walked over guest physical memory.
//
// Guest memory layout of a queue of `size` entries (all little-endian):
//   descriptor area  16 * size         { u64 addr; u32 len; u16 flags; u16 next; }
//   driver area      6 + 2 * size      { u16 flags; u16 idx; u16 ring[size]; u16 used_event; }
//   device area      6 + 8 * size      { u16 flags; u16 idx; { u32 id; u32 len; } ring[size]; u16 avail_event; }
// Descriptor flags: NEXT 1, WRITE 2 (device-writable), INDIRECT 4 (addr/len
// is a table of descriptors). Driver area flag NO_INTERRUPT 1.
//
// Everything the guest wrote is untrusted: every address, length, index and
// chain is checked before use, and a violation breaks the queue and reports
// it through the error handler (the transport then sets DEVICE_NEEDS_RESET).
// Nothing here ever touches host memory outside guest RAM.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "emu/core/physical_bus.h"
#include "emu/core/state_stream.h"

namespace emu {

// Guest RAM as a device reaches it by DMA: only RAM (and ROM, for reads),
// never MMIO, and a range must lie inside one region. Every device write to
// guest memory goes through write(), the one place to hook dirty-page
// tracking and translation invalidation.
class GuestMemory {
 public:
  explicit GuestMemory(const PhysicalBus& bus) : bus_(bus) {}
  bool can_read(uint64_t address, uint64_t length) const;
  bool can_write(uint64_t address, uint64_t length) const;
  bool read(uint64_t address, std::span<uint8_t> out) const;
  bool write(uint64_t address, std::span<const uint8_t> data) const;

 private:
  const PhysicalBus& bus_;
};

// One guest buffer of a chain.
struct BufferSegment {
  uint64_t address = 0;
  uint32_t length = 0;
};

// A request as the driver posted it: the head index (returned in the used
// ring) and its device-readable then device-writable buffers. Both lists
// have been checked to lie in guest RAM with the right access.
struct DescriptorChain {
  uint16_t head = 0;
  std::vector<BufferSegment> readable;
  std::vector<BufferSegment> writable;
  uint64_t readable_bytes = 0;
  uint64_t writable_bytes = 0;
};

class Virtqueue {
 public:
  // Largest split queue the spec allows (2.7).
  static constexpr uint32_t kMaxSize = 32768;
  // Largest indirect table accepted, in descriptors (as QEMU's limit).
  static constexpr uint32_t kMaxIndirectDescriptors = 1024;

  // Everything guest-visible about a queue: what the driver programmed and
  // the device's position in the rings. Saved and restored as a unit.
  struct Registers {
    uint32_t size = 0;             // QueueNum as written; checked on enable
    uint64_t descriptor_area = 0;
    uint64_t driver_area = 0;
    uint64_t device_area = 0;
    bool ready = false;
    bool event_index = false;      // VIRTIO_F_EVENT_IDX negotiated
    bool broken = false;
    uint16_t last_available = 0;   // next driver-ring entry to consume
    uint16_t used_index = 0;       // the device's copy of used->idx
    uint16_t signalled_used = 0;   // used_index at the last notification decision
    bool signalled_used_valid = false;
  };

  using ErrorHandler = std::function<void(std::string_view reason)>;

  // max_size is a power of 2 in 1..kMaxSize (a device bug otherwise: throws).
  Virtqueue(const PhysicalBus& bus, uint16_t max_size, ErrorHandler on_error);

  uint16_t max_size() const { return max_size_; }
  const Registers& registers() const { return registers_; }

  // Driver-side configuration. Ignored while the queue is ready, as the
  // driver must not change a live queue (4.2.3.2).
  void set_size(uint32_t size);
  void set_descriptor_area(uint64_t address);
  void set_driver_area(uint64_t address);
  void set_device_area(uint64_t address);
  void set_event_index(bool enabled) { registers_.event_index = enabled; }

  // QueueReady = 1. Checks the size (a power of 2 up to max_size) and that
  // the three areas lie in guest RAM (the device area writable). On failure
  // reports an error and leaves the queue not ready.
  bool enable();
  // QueueReady = 0.
  void disable() { registers_.ready = false; }
  bool ready() const { return registers_.ready; }
  // Device reset: back to unconfigured.
  void reset();

  // Stops the queue until reset (the device needs a reset).
  void mark_broken() { registers_.broken = true; }
  bool broken() const { return registers_.broken; }

  // The next available chain, consumed; nullopt if none is available, the
  // queue is not ready, or the ring is malformed (then broken() is true).
  std::optional<DescriptorChain> pop();
  // The same chain pop() would return, without consuming it.
  std::optional<DescriptorChain> peek();

  // Returns a chain to the driver: `written` bytes were written to its
  // device-writable part.
  void push(uint16_t head, uint32_t written);

  // After pushes: whether to send a used buffer notification, honouring
  // VIRTQ_AVAIL_F_NO_INTERRUPT or, with EVENT_IDX, used_event (2.7.10).
  bool should_notify();

  // Copy between host memory and a chain's readable / writable bytes,
  // starting `offset` bytes into that part. False if the range exceeds it
  // (or guest memory refused the access, which a checked chain never does).
  bool read_from(const DescriptorChain& chain, uint64_t offset, std::span<uint8_t> out) const;
  bool write_to(const DescriptorChain& chain, uint64_t offset, std::span<const uint8_t> data) const;

  void save(StateWriter& out) const;
  // Parses and checks what save() wrote, for this queue's max size; throws
  // StateError. The caller applies it with restore() once all state parsed.
  Registers parse(StateReader& in) const;
  void restore(const Registers& registers) { registers_ = registers; }

 private:
  std::optional<DescriptorChain> next_chain(bool consume);
  bool walk_chain(uint16_t head, DescriptorChain& chain);
  bool read_u16(uint64_t address, uint16_t& value);
  bool write_u16(uint64_t address, uint16_t value);
  void publish_available_event();
  void fail(std::string_view reason);

  GuestMemory memory_;
  uint16_t max_size_;
  ErrorHandler on_error_;
  Registers registers_;
};

}  // namespace emu
