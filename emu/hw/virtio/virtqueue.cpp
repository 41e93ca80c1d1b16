// Split virtqueue; see virtqueue.h for the ring layout. Section numbers are
// virtio 1.2's.
#include "emu/hw/virtio/virtqueue.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace emu {

namespace {

constexpr uint64_t kDescriptorSize = 16;
constexpr uint16_t kDescriptorNext = 1;
constexpr uint16_t kDescriptorWrite = 2;
constexpr uint16_t kDescriptorIndirect = 4;
constexpr uint16_t kAvailableNoInterrupt = 1;  // VIRTQ_AVAIL_F_NO_INTERRUPT

// Offsets inside the driver (available) and device (used) areas.
constexpr uint64_t kRingIndexOffset = 2;
constexpr uint64_t kRingEntriesOffset = 4;
constexpr uint64_t kUsedElementSize = 8;

constexpr uint8_t kStateVersion = 1;

bool is_power_of_two(uint64_t value) { return value != 0 && (value & (value - 1)) == 0; }

uint64_t descriptor_area_bytes(uint64_t size) { return kDescriptorSize * size; }
uint64_t driver_area_bytes(uint64_t size) { return 6 + 2 * size; }
uint64_t device_area_bytes(uint64_t size) { return 6 + kUsedElementSize * size; }

uint64_t load_le(const uint8_t* bytes, unsigned width) {
  uint64_t value = 0;
  for (unsigned i = width; i-- > 0;) value = (value << 8) | bytes[i];
  return value;
}

void store_le(uint8_t* bytes, uint64_t value, unsigned width) {
  for (unsigned i = 0; i < width; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
}

// vring_need_event (2.7.10): notify if new_index has passed event_index
// since old_index, in modulo-2^16 arithmetic.
bool need_event(uint16_t event_index, uint16_t new_index, uint16_t old_index) {
  return static_cast<uint16_t>(new_index - event_index - 1) < static_cast<uint16_t>(new_index - old_index);
}

}  // namespace

// --- GuestMemory ---

bool GuestMemory::can_read(uint64_t address, uint64_t length) const {
  return bus_.host_pointer(address, length) != nullptr;
}

bool GuestMemory::can_write(uint64_t address, uint64_t length) const {
  const PhysicalBus::Region* region = bus_.find(address);
  return region && region->host && region->writable && length <= region->size - (address - region->base);
}

bool GuestMemory::read(uint64_t address, std::span<uint8_t> out) const {
  const uint8_t* host = bus_.host_pointer(address, out.size());
  if (!host) return false;
  std::memcpy(out.data(), host, out.size());
  return true;
}

bool GuestMemory::write(uint64_t address, std::span<const uint8_t> data) const {
  if (!can_write(address, data.size())) return false;
  std::memcpy(bus_.host_pointer(address, data.size()), data.data(), data.size());
  bus_.dirty_pages().mark_written(address, data.size());
  return true;
}

// --- Virtqueue ---

Virtqueue::Virtqueue(const PhysicalBus& bus, uint16_t max_size, ErrorHandler on_error)
    : memory_(bus), max_size_(max_size), on_error_(std::move(on_error)) {
  if (!is_power_of_two(max_size)) throw std::invalid_argument("virtqueue: maximum size must be a power of 2");
}

void Virtqueue::fail(std::string_view reason) {
  registers_.broken = true;
  if (on_error_) on_error_(reason);
}

void Virtqueue::set_size(uint32_t size) {
  if (!registers_.ready) registers_.size = size;
}
void Virtqueue::set_descriptor_area(uint64_t address) {
  if (!registers_.ready) registers_.descriptor_area = address;
}
void Virtqueue::set_driver_area(uint64_t address) {
  if (!registers_.ready) registers_.driver_area = address;
}
void Virtqueue::set_device_area(uint64_t address) {
  if (!registers_.ready) registers_.device_area = address;
}

bool Virtqueue::enable() {
  if (registers_.ready) return true;
  const uint32_t size = registers_.size;
  // 2.7: split queue sizes are powers of 2; 4.2.2: at most QueueNumMax.
  if (!is_power_of_two(size) || size > max_size_) {
    fail("queue size " + std::to_string(size) + " is not a power of 2 up to " + std::to_string(max_size_));
    return false;
  }
  if (!memory_.can_read(registers_.descriptor_area, descriptor_area_bytes(size)) ||
      !memory_.can_read(registers_.driver_area, driver_area_bytes(size)) ||
      !memory_.can_write(registers_.device_area, device_area_bytes(size))) {
    fail("queue areas are not in guest RAM");
    return false;
  }
  registers_.ready = true;
  registers_.last_available = 0;
  registers_.used_index = 0;
  // The driver starts with used->idx 0 (it zeroes the ring), so that is
  // the baseline for the first notification decision.
  registers_.signalled_used = 0;
  registers_.signalled_used_valid = true;
  return true;
}

void Virtqueue::reset() { registers_ = Registers{}; }

bool Virtqueue::read_u16(uint64_t address, uint16_t& value) {
  uint8_t bytes[2];
  if (!memory_.read(address, bytes)) {
    fail("ring access outside guest RAM");
    return false;
  }
  value = static_cast<uint16_t>(load_le(bytes, 2));
  return true;
}

bool Virtqueue::write_u16(uint64_t address, uint16_t value) {
  uint8_t bytes[2];
  store_le(bytes, value, 2);
  if (!memory_.write(address, bytes)) {
    fail("ring access outside guest RAM");
    return false;
  }
  return true;
}

void Virtqueue::publish_available_event() {
  // With EVENT_IDX the device asks to be notified once the driver makes
  // entry last_available available (2.7.10): i.e. on the next new buffer.
  if (registers_.event_index) {
    write_u16(registers_.device_area + kRingEntriesOffset + kUsedElementSize * registers_.size,
              registers_.last_available);
  }
}

bool Virtqueue::walk_chain(uint16_t head, DescriptorChain& chain) {
  // 2.7.5: a chain is followed through `next` within one table; a descriptor
  // with INDIRECT (2.7.5.3) switches to its table and must be the last of the
  // chain. Visiting more descriptors than a table holds means a loop.
  if (head >= registers_.size) {
    fail("head descriptor index out of range");
    return false;
  }
  uint64_t table = registers_.descriptor_area;
  uint32_t table_size = registers_.size;
  uint32_t index = head;
  uint32_t visited = 0;
  bool in_indirect_table = false;
  for (;;) {
    if (++visited > table_size) {
      fail("descriptor chain loops or is longer than the queue");
      return false;
    }
    uint8_t raw[kDescriptorSize];
    if (!memory_.read(table + kDescriptorSize * index, raw)) {
      fail("descriptor outside guest RAM");
      return false;
    }
    const uint64_t address = load_le(raw, 8);
    const uint32_t length = static_cast<uint32_t>(load_le(raw + 8, 4));
    const uint16_t flags = static_cast<uint16_t>(load_le(raw + 12, 2));
    const uint16_t next = static_cast<uint16_t>(load_le(raw + 14, 2));

    if (flags & kDescriptorIndirect) {
      // 2.7.5.3.1: no nesting, no NEXT, a whole number of descriptors.
      if (in_indirect_table) {
        fail("indirect descriptor inside an indirect table");
        return false;
      }
      if (flags & kDescriptorNext) {
        fail("indirect descriptor with NEXT set");
        return false;
      }
      if (length == 0 || length % kDescriptorSize != 0 || length / kDescriptorSize > kMaxIndirectDescriptors) {
        fail("bad indirect table length");
        return false;
      }
      if (!memory_.can_read(address, length)) {
        fail("indirect table outside guest RAM");
        return false;
      }
      table = address;
      table_size = static_cast<uint32_t>(length / kDescriptorSize);
      index = 0;
      visited = 0;
      in_indirect_table = true;
      continue;
    }

    if (length == 0) {
      fail("zero-length buffer");  // QEMU refuses these too
      return false;
    }
    if (flags & kDescriptorWrite) {
      if (!memory_.can_write(address, length)) {
        fail("device-writable buffer outside guest RAM");
        return false;
      }
      chain.writable.push_back({address, length});
      chain.writable_bytes += length;
    } else {
      // 2.7.4.2: device-readable buffers come before device-writable ones.
      if (!chain.writable.empty()) {
        fail("device-readable buffer after a device-writable one");
        return false;
      }
      if (!memory_.can_read(address, length)) {
        fail("device-readable buffer outside guest RAM");
        return false;
      }
      chain.readable.push_back({address, length});
      chain.readable_bytes += length;
    }

    if (!(flags & kDescriptorNext)) return true;
    if (next >= table_size) {
      fail("next descriptor index out of range");
      return false;
    }
    index = next;
  }
}

std::optional<DescriptorChain> Virtqueue::next_chain(bool consume) {
  if (!registers_.ready || registers_.broken) return std::nullopt;
  const uint32_t size = registers_.size;
  uint16_t available_index = 0;
  if (!read_u16(registers_.driver_area + kRingIndexOffset, available_index)) return std::nullopt;
  const uint16_t pending = static_cast<uint16_t>(available_index - registers_.last_available);
  if (pending > size) {
    fail("driver moved the available index by more than the queue size");
    return std::nullopt;
  }
  if (pending == 0) {
    if (consume) publish_available_event();
    return std::nullopt;
  }
  uint16_t head = 0;
  uint64_t slot = registers_.driver_area + kRingEntriesOffset + 2 * uint64_t{registers_.last_available % size};
  if (!read_u16(slot, head)) return std::nullopt;
  DescriptorChain chain;
  chain.head = head;
  if (!walk_chain(head, chain)) return std::nullopt;
  if (consume) {
    ++registers_.last_available;
    publish_available_event();
  }
  return chain;
}

std::optional<DescriptorChain> Virtqueue::pop() { return next_chain(true); }
std::optional<DescriptorChain> Virtqueue::peek() { return next_chain(false); }

void Virtqueue::push(uint16_t head, uint32_t written) {
  if (!registers_.ready || registers_.broken) return;
  // 2.7.8: write the element, then publish it by advancing used->idx.
  uint8_t element[kUsedElementSize];
  store_le(element, head, 4);
  store_le(element + 4, written, 4);
  uint64_t slot = registers_.device_area + kRingEntriesOffset +
                  kUsedElementSize * uint64_t{registers_.used_index % registers_.size};
  if (!memory_.write(slot, element)) {
    fail("used ring outside guest RAM");
    return;
  }
  ++registers_.used_index;
  write_u16(registers_.device_area + kRingIndexOffset, registers_.used_index);
}

bool Virtqueue::should_notify() {
  if (!registers_.ready || registers_.broken) return false;
  const uint16_t old_used = registers_.signalled_used;
  const bool old_valid = registers_.signalled_used_valid;
  const uint16_t new_used = registers_.used_index;
  registers_.signalled_used = new_used;
  registers_.signalled_used_valid = true;
  if (old_valid && old_used == new_used) return false;  // nothing new since the last decision

  if (!registers_.event_index) {
    uint16_t flags = 0;
    if (!read_u16(registers_.driver_area, flags)) return false;
    return (flags & kAvailableNoInterrupt) == 0;
  }
  uint16_t used_event = 0;
  if (!read_u16(registers_.driver_area + kRingEntriesOffset + 2 * uint64_t{registers_.size}, used_event)) return false;
  return !old_valid || need_event(used_event, new_used, old_used);
}

bool Virtqueue::read_from(const DescriptorChain& chain, uint64_t offset, std::span<uint8_t> out) const {
  if (offset > chain.readable_bytes || out.size() > chain.readable_bytes - offset) return false;
  size_t done = 0;
  for (const BufferSegment& segment : chain.readable) {
    if (done == out.size()) break;
    if (offset >= segment.length) {
      offset -= segment.length;
      continue;
    }
    size_t piece = static_cast<size_t>(std::min<uint64_t>(segment.length - offset, out.size() - done));
    if (!memory_.read(segment.address + offset, out.subspan(done, piece))) return false;
    done += piece;
    offset = 0;
  }
  return done == out.size();
}

bool Virtqueue::write_to(const DescriptorChain& chain, uint64_t offset, std::span<const uint8_t> data) const {
  if (offset > chain.writable_bytes || data.size() > chain.writable_bytes - offset) return false;
  size_t done = 0;
  for (const BufferSegment& segment : chain.writable) {
    if (done == data.size()) break;
    if (offset >= segment.length) {
      offset -= segment.length;
      continue;
    }
    size_t piece = static_cast<size_t>(std::min<uint64_t>(segment.length - offset, data.size() - done));
    if (!memory_.write(segment.address + offset, data.subspan(done, piece))) return false;
    done += piece;
    offset = 0;
  }
  return done == data.size();
}

void Virtqueue::save(StateWriter& out) const {
  out.u8(kStateVersion);
  out.u32(registers_.size);
  out.u64(registers_.descriptor_area);
  out.u64(registers_.driver_area);
  out.u64(registers_.device_area);
  out.boolean(registers_.ready);
  out.boolean(registers_.event_index);
  out.boolean(registers_.broken);
  out.u16(registers_.last_available);
  out.u16(registers_.used_index);
  out.u16(registers_.signalled_used);
  out.boolean(registers_.signalled_used_valid);
}

Virtqueue::Registers Virtqueue::parse(StateReader& in) const {
  if (in.u8() != kStateVersion) throw StateError("virtqueue: unsupported state version");
  Registers loaded;
  loaded.size = in.u32();
  loaded.descriptor_area = in.u64();
  loaded.driver_area = in.u64();
  loaded.device_area = in.u64();
  loaded.ready = in.boolean();
  loaded.event_index = in.boolean();
  loaded.broken = in.boolean();
  loaded.last_available = in.u16();
  loaded.used_index = in.u16();
  loaded.signalled_used = in.u16();
  loaded.signalled_used_valid = in.boolean();
  if (loaded.ready) {
    // A ready queue passed enable()'s checks; anything else is not a state
    // this device could have been in.
    if (!is_power_of_two(loaded.size) || loaded.size > max_size_) throw StateError("virtqueue: bad queue size");
    if (!memory_.can_read(loaded.descriptor_area, descriptor_area_bytes(loaded.size)) ||
        !memory_.can_read(loaded.driver_area, driver_area_bytes(loaded.size)) ||
        !memory_.can_write(loaded.device_area, device_area_bytes(loaded.size))) {
      throw StateError("virtqueue: queue areas outside guest RAM");
    }
  }
  return loaded;
}

}  // namespace emu
