// libFuzzer target for the virtio devices: the input is guest RAM contents
// followed by a stream of driver actions (register writes and reads, memory
// pokes, notifications, entropy deliveries, resets, save/load). Each input
// gets a fresh machine, so every crash reproduces from its input alone.
//
// Build and run (clang 14, libclang-rt-14-dev):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     emu/core/physical_bus.cpp emu/hw/virtio/*.cpp emu/block/*.cpp \
//     testing/fuzz/virtqueue_fuzz.cpp -o /tmp/virtqueue_fuzz
//   /tmp/virtqueue_fuzz -max_total_time=60 /tmp/virtqueue_corpus
//
// Checked beyond "no crash, no sanitizer report": a saved state loads back
// and saves identically, and the interrupt line always equals
// (InterruptStatus != 0).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "emu/block/block_backend.h"
#include "emu/core/input_queue.h"
#include "emu/core/interrupt_line.h"
#include "emu/core/physical_bus.h"
#include "emu/core/state_stream.h"
#include "emu/hw/virtio/virtio_blk.h"
#include "emu/hw/virtio/virtio_mmio.h"
#include "emu/hw/virtio/virtio_rng.h"

namespace {

using namespace emu;

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 0x4000;  // small, so random addresses often land in it
constexpr uint64_t kRomBase = 0x1000;
constexpr uint64_t kSlotBase = 0x10001000;
constexpr uint64_t kSlotStride = 0x1000;
constexpr uint32_t kEntropyTarget = 0;

class MemoryBackend : public BlockBackend {
 public:
  explicit MemoryBackend(bool read_only) : bytes_(64 * 1024, 0xa5), read_only_(read_only) {}
  uint64_t size() const override { return bytes_.size(); }
  bool read_only() const override { return read_only_; }
  std::string filename() const override { return "memory"; }
  bool read(uint64_t offset, std::span<uint8_t> out) override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset) std::abort();  // the device checked the range
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return true;
  }
  bool write(uint64_t offset, std::span<const uint8_t> data) override {
    if (read_only_) std::abort();  // the device must refuse first
    if (offset > bytes_.size() || data.size() > bytes_.size() - offset) std::abort();
    std::memcpy(bytes_.data() + offset, data.data(), data.size());
    return true;
  }
  bool flush() override { return true; }

 private:
  std::vector<uint8_t> bytes_;
  bool read_only_;
};

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return position_ >= size_; }
  uint8_t u8() { return position_ < size_ ? data_[position_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint32_t u32() { return u16() | (uint32_t{u16()} << 16); }
  uint64_t u64() { return u32() | (uint64_t{u32()} << 32); }
  std::span<const uint8_t> bytes(size_t count) {
    count = std::min(count, size_ - std::min(position_, size_));
    std::span<const uint8_t> out(data_ + position_, count);
    position_ += count;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

struct Slot {
  bool irq_level = false;
  InterruptLine irq{[this](bool level) { irq_level = level; }};
  std::unique_ptr<VirtioMmio> mmio;
};

void check_state_round_trip(VirtioMmio& mmio) {
  StateWriter first;
  mmio.save(first);
  StateReader in(first.data());
  mmio.load(in);  // must not throw: it is exactly what save() wrote
  if (!in.at_end()) std::abort();
  StateWriter second;
  mmio.save(second);
  if (second.data() != first.data()) std::abort();
}

void put_le(uint8_t* ram, uint64_t offset, uint64_t value, unsigned width) {
  for (unsigned i = 0; i < width && offset + i < kRamSize; ++i) ram[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

// A well-formed request in a live queue (header, data, status as Linux
// builds it, optionally through an indirect table), with fuzzed type,
// sector, length and placement, then a notification. Gets the walk past the
// validation into the request handling.
void post_request(VirtioMmio& mmio, uint8_t* ram, FuzzInput& input) {
  const uint32_t type = input.u8() % 10;
  const uint64_t sector = input.u8() < 16 ? input.u64() : input.u8();
  const uint32_t data_length = input.u8() * 64u;
  const uint8_t shape = input.u8();
  const uint64_t buffer = input.u16() % kRamSize;
  Virtqueue* queue = mmio.active_queue(0);
  if (!queue) return;
  const Virtqueue::Registers& registers = queue->registers();
  const uint64_t size = registers.size;
  const uint64_t table_offset = registers.descriptor_area - kRamBase;
  const uint16_t head = static_cast<uint16_t>(input.u8() % size);
  auto descriptor = [&](uint64_t table, uint64_t index, uint64_t address, uint32_t length, uint16_t flags,
                        uint16_t next) {
    put_le(ram, table + 16 * index, address, 8);
    put_le(ram, table + 16 * index + 8, length, 4);
    put_le(ram, table + 16 * index + 12, flags, 2);
    put_le(ram, table + 16 * index + 14, next, 2);
  };
  put_le(ram, buffer, type, 4);
  put_le(ram, buffer + 4, 0, 4);
  put_le(ram, buffer + 8, sector, 8);
  const uint16_t data_flags = (type == 1 ? 0 : 2) | 1;
  const uint64_t data = kRamBase + (buffer + 16) % kRamSize;
  const uint64_t status = kRamBase + (buffer + 16 + data_length) % kRamSize;
  if (shape & 1) {
    // Indirect: the table lives after the status byte.
    uint64_t table = (buffer + 32 + data_length) % kRamSize;
    descriptor(table, 0, kRamBase + buffer, 16, 1, 1);
    descriptor(table, 1, data, data_length, data_flags, 2);
    descriptor(table, 2, status, 1, 2, 0);
    descriptor(table_offset, head, kRamBase + table, 48, 4, 0);
  } else if (size >= 4) {
    descriptor(table_offset, head, kRamBase + buffer, 16, 1, static_cast<uint16_t>((head + 1) % size));
    descriptor(table_offset, (head + 1) % size, data, data_length, data_flags, static_cast<uint16_t>((head + 2) % size));
    descriptor(table_offset, (head + 2) % size, status, 1, 2, 0);
  }
  const uint64_t driver = registers.driver_area - kRamBase;
  uint16_t index = static_cast<uint16_t>(ram[(driver + 2) % kRamSize] | (ram[(driver + 3) % kRamSize] << 8));
  put_le(ram, driver + 4 + 2 * (index % size), head, 2);
  put_le(ram, driver + 2, static_cast<uint16_t>(index + 1), 2);
  mmio.write(0x050, 0, 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput input(data, size);
  PhysicalBus bus;
  uint8_t* ram = bus.map_ram(kRamBase, kRamSize, "ram");
  bus.map_rom(kRomBase, 0x1000, "rom");

  const uint8_t setup = input.u8();
  Slot slots[2];
  InputQueue inputs;
  VirtioRng* rng = nullptr;
  for (unsigned index = 0; index < 2; ++index) {
    slots[index].mmio = std::make_unique<VirtioMmio>(bus, &slots[index].irq);
    bus.map_device(kSlotBase + index * kSlotStride, VirtioMmio::kRegionSize, slots[index].mmio.get());
  }
  slots[0].mmio->plug(std::make_unique<VirtioBlk>(std::make_shared<MemoryBackend>(setup & 1), "fuzz"));
  auto rng_device = std::make_unique<VirtioRng>([](size_t) {});
  rng = rng_device.get();
  slots[1].mmio->plug(std::move(rng_device));
  inputs.register_consumer(InputKind::Entropy, kEntropyTarget,
                           [rng](const Input& entropy) { rng->provide_entropy(entropy.payload); });

  // Guest RAM image.
  size_t image = std::min<size_t>(input.u16(), kRamSize);
  std::span<const uint8_t> contents = input.bytes(image);
  std::memcpy(ram, contents.data(), contents.size());

  uint64_t icount = 0;
  while (!input.empty()) {
    const uint8_t op = input.u8();
    Slot& slot = slots[op >> 7];
    VirtioMmio& mmio = *slot.mmio;
    switch (op & 0x0f) {
      case 0: {  // register or config write
        uint64_t offset = input.u8() * 4u;
        mmio.write(offset, input.u32(), 4);
        break;
      }
      case 1: {  // config access of any width
        uint64_t offset = 0x100 + input.u8();
        unsigned width = 1u << (input.u8() & 3);
        mmio.read(offset, width);
        mmio.write(offset, input.u64(), width);
        break;
      }
      case 2: {  // guest writes RAM
        uint64_t offset = input.u16() % kRamSize;
        std::span<const uint8_t> bytes = input.bytes(std::min<size_t>(input.u8(), kRamSize - offset));
        std::memcpy(ram + offset, bytes.data(), bytes.size());
        break;
      }
      case 3: {  // driver bring-up of queue 0 with rings at RAM offsets
        uint64_t features = input.u64();
        mmio.write(0x070, 0, 4);
        mmio.write(0x070, 3, 4);
        mmio.write(0x024, 1, 4);
        mmio.write(0x020, static_cast<uint32_t>(features >> 32) | 1, 4);  // VERSION_1 mostly set
        mmio.write(0x024, 0, 4);
        mmio.write(0x020, static_cast<uint32_t>(features), 4);
        mmio.write(0x070, 0xb, 4);
        mmio.write(0x030, 0, 4);
        mmio.write(0x038, 1u << (input.u8() % 10), 4);
        mmio.write(0x080, static_cast<uint32_t>(kRamBase + input.u16() % kRamSize), 4);
        mmio.write(0x090, static_cast<uint32_t>(kRamBase + input.u16() % kRamSize), 4);
        mmio.write(0x0a0, static_cast<uint32_t>(kRamBase + input.u16() % kRamSize), 4);
        mmio.write(0x044, 1, 4);
        mmio.write(0x070, 0xf, 4);
        break;
      }
      case 4: mmio.write(0x050, input.u8() & 1, 4); break;  // notify
      case 5: {  // entropy arrives through the InputQueue
        std::span<const uint8_t> bytes = input.bytes(input.u8());
        inputs.push(icount, InputKind::Entropy, kEntropyTarget, std::vector<uint8_t>(bytes.begin(), bytes.end()));
        inputs.deliver_due(icount);
        break;
      }
      case 6: check_state_round_trip(mmio); break;
      case 7: mmio.reset(); break;
      case 8: mmio.write(0x064, mmio.read(0x060, 4), 4); break;  // interrupt handler
      case 9: {  // register read, any width
        uint64_t offset = input.u8();
        mmio.read(offset, 1u << (input.u8() & 3));
        break;
      }
      case 10: mmio.write(0x070, input.u8(), 4); break;
      case 11: post_request(mmio, ram, input); break;
      default: break;
    }
    ++icount;
    for (Slot& each : slots) {
      if (each.irq_level != (each.mmio->interrupt_status() != 0)) std::abort();
    }
  }
  for (Slot& each : slots) check_state_round_trip(*each.mmio);
  return 0;
}
