// Unit tests for virtio: the virtio-mmio transport, split virtqueues,
// virtio-blk over a raw file and virtio-rng fed through the InputQueue. A
// small in-test driver programs the registers and builds rings in guest RAM
// the way Linux's virtio_mmio and virtio_ring do.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "emu/block/raw_file.h"
#include "emu/core/input_queue.h"
#include "emu/core/interrupt_line.h"
#include "emu/core/physical_bus.h"
#include "emu/core/state_stream.h"
#include "emu/core/virtual_clock.h"
#include "emu/hw/virtio/entropy_source.h"
#include "emu/hw/virtio/virtio_blk.h"
#include "emu/hw/virtio/virtio_mmio.h"
#include "emu/hw/virtio/virtio_rng.h"

namespace emu {
namespace {

// ------------------------------------------------------------ constants

// Registers (virtio 1.2, 4.2.2).
constexpr uint64_t kMagic = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendorId = 0x00c, kDeviceFeatures = 0x010,
                   kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024, kQueueSel = 0x030,
                   kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueReady = 0x044, kQueueNotify = 0x050,
                   kInterruptStatus = 0x060, kInterruptAck = 0x064, kStatus = 0x070, kQueueDescLow = 0x080,
                   kQueueDescHigh = 0x084, kQueueDriverLow = 0x090, kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0,
                   kQueueDeviceHigh = 0x0a4, kShmSel = 0x0ac, kShmLenLow = 0x0b0, kConfigGeneration = 0x0fc,
                   kConfig = 0x100;

constexpr uint32_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8, kNeedsReset = 0x40;
constexpr uint16_t kNext = 1, kWrite = 2, kIndirect = 4;

constexpr uint64_t kIndirectDesc = uint64_t{1} << 28, kEventIdx = uint64_t{1} << 29, kVersion1 = uint64_t{1} << 32;
constexpr uint64_t kBlkSegMax = 1 << 2, kBlkRo = 1 << 5, kBlkBlkSize = 1 << 6, kBlkFlush = 1 << 9;

constexpr uint32_t kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4, kTypeGetId = 8;
constexpr uint8_t kOk = 0, kIoErr = 1, kUnsupp = 2;

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 1 << 20;

// Guest RAM layout used by the tests.
constexpr uint64_t kDescTable = kRamBase + 0x0000;
constexpr uint64_t kAvail = kRamBase + 0x1000;
constexpr uint64_t kUsed = kRamBase + 0x2000;
constexpr uint64_t kIndirectTable = kRamBase + 0x3000;
constexpr uint64_t kHeader = kRamBase + 0x4000;
constexpr uint64_t kStatusByte = kRamBase + 0x4100;
constexpr uint64_t kData = kRamBase + 0x10000;
constexpr uint16_t kQueueSize = 16;

// ------------------------------------------------------------ helpers

class TempFile {
 public:
  explicit TempFile(const std::vector<uint8_t>& contents) {
    char name[] = "/tmp/emu-virtio-test-XXXXXX";
    int fd = ::mkstemp(name);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    path_ = name;
    size_t done = 0;
    while (done < contents.size()) {
      ssize_t put = ::write(fd, contents.data() + done, contents.size() - done);
      if (put <= 0) break;
      done += static_cast<size_t>(put);
    }
    ::close(fd);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }
  std::vector<uint8_t> contents() const {
    std::vector<uint8_t> out;
    int fd = ::open(path_.c_str(), O_RDONLY);
    uint8_t buffer[4096];
    ssize_t got;
    while ((got = ::read(fd, buffer, sizeof buffer)) > 0) out.insert(out.end(), buffer, buffer + got);
    ::close(fd);
    return out;
  }

 private:
  std::string path_;
};

std::vector<uint8_t> pattern(size_t size, uint32_t seed) {
  std::vector<uint8_t> out(size);
  std::mt19937 generator(seed);
  for (auto& byte : out) byte = static_cast<uint8_t>(generator());
  return out;
}

std::vector<uint8_t> saved(const Device& device) {
  StateWriter out;
  device.save(out);
  return out.data();
}

// A guest with 1 MiB of RAM, one virtio-mmio slot, and a driver.
class Machine {
 public:
  Machine() : ram(bus.map_ram(kRamBase, kRamSize, "ram")), irq([this](bool level) { irq_level = level; }) {
    bus.map_device(0x10001000, VirtioMmio::kRegionSize, &mmio);
  }

  // Registers, through the bus as the guest reaches them.
  uint32_t reg(uint64_t offset) {
    uint64_t value = 0;
    EXPECT_TRUE(bus.read(0x10001000 + offset, 4, value));
    return static_cast<uint32_t>(value);
  }
  void set(uint64_t offset, uint32_t value) { EXPECT_TRUE(bus.write(0x10001000 + offset, 4, value)); }
  uint64_t config(uint64_t offset, unsigned size) {
    uint64_t value = 0;
    EXPECT_TRUE(bus.read(0x10001000 + kConfig + offset, size, value));
    return value;
  }

  // Guest memory.
  uint8_t* at(uint64_t address) { return ram + (address - kRamBase); }
  void put16(uint64_t address, uint16_t value) { std::memcpy(at(address), &value, 2); }
  void put32(uint64_t address, uint32_t value) { std::memcpy(at(address), &value, 4); }
  void put64(uint64_t address, uint64_t value) { std::memcpy(at(address), &value, 8); }
  uint16_t get16(uint64_t address) {
    uint16_t value;
    std::memcpy(&value, at(address), 2);
    return value;
  }
  uint32_t get32(uint64_t address) {
    uint32_t value;
    std::memcpy(&value, at(address), 4);
    return value;
  }
  void put_bytes(uint64_t address, const std::vector<uint8_t>& bytes) { std::memcpy(at(address), bytes.data(), bytes.size()); }
  std::vector<uint8_t> get_bytes(uint64_t address, size_t length) { return {at(address), at(address) + length}; }

  // 3.1.1 steps 1-6. Returns whether FEATURES_OK stuck.
  bool negotiate(uint64_t accept) {
    set(kStatus, 0);
    set(kStatus, kAcknowledge);
    set(kStatus, kAcknowledge | kDriver);
    set(kDeviceFeaturesSel, 1);
    uint64_t offered = uint64_t{reg(kDeviceFeatures)} << 32;
    set(kDeviceFeaturesSel, 0);
    offered |= reg(kDeviceFeatures);
    (void)offered;
    set(kDriverFeaturesSel, 1);
    set(kDriverFeatures, static_cast<uint32_t>(accept >> 32));
    set(kDriverFeaturesSel, 0);
    set(kDriverFeatures, static_cast<uint32_t>(accept));
    set(kStatus, kAcknowledge | kDriver | kFeaturesOk);
    return (reg(kStatus) & kFeaturesOk) != 0;
  }

  void setup_queue(uint32_t index, uint32_t size = kQueueSize, uint64_t desc = kDescTable, uint64_t avail = kAvail,
                   uint64_t used = kUsed) {
    set(kQueueSel, index);
    EXPECT_EQ(reg(kQueueReady), 0u);
    set(kQueueNum, size);
    set(kQueueDescLow, static_cast<uint32_t>(desc));
    set(kQueueDescHigh, static_cast<uint32_t>(desc >> 32));
    set(kQueueDriverLow, static_cast<uint32_t>(avail));
    set(kQueueDriverHigh, static_cast<uint32_t>(avail >> 32));
    set(kQueueDeviceLow, static_cast<uint32_t>(used));
    set(kQueueDeviceHigh, static_cast<uint32_t>(used >> 32));
    set(kQueueReady, 1);
  }

  void driver_ok() { set(kStatus, kAcknowledge | kDriver | kFeaturesOk | kDriverOk); }

  // Full bring-up of queue 0 with the given features.
  void bring_up(uint64_t accept = kVersion1) {
    ASSERT_TRUE(negotiate(accept));
    setup_queue(0);
    driver_ok();
    ASSERT_EQ(reg(kStatus), kAcknowledge | kDriver | kFeaturesOk | kDriverOk);
  }

  void descriptor(uint64_t table, uint16_t index, uint64_t address, uint32_t length, uint16_t flags,
                  uint16_t next = 0) {
    uint64_t entry = table + 16 * uint64_t{index};
    put64(entry, address);
    put32(entry + 8, length);
    put16(entry + 12, flags);
    put16(entry + 14, next);
  }

  // Makes `head` available and notifies queue 0.
  void post(uint16_t head, bool notify = true) {
    uint16_t index = get16(kAvail + 2);
    put16(kAvail + 4 + 2 * (index % kQueueSize), head);
    put16(kAvail + 2, static_cast<uint16_t>(index + 1));
    if (notify) set(kQueueNotify, 0);
  }

  uint16_t used_index() { return get16(kUsed + 2); }
  uint32_t used_id(uint16_t slot) { return get32(kUsed + 4 + 8 * (slot % kQueueSize)); }
  uint32_t used_length(uint16_t slot) { return get32(kUsed + 4 + 8 * (slot % kQueueSize) + 4); }

  void ack_interrupts() { set(kInterruptAck, reg(kInterruptStatus)); }

  PhysicalBus bus;
  uint8_t* ram;
  bool irq_level = false;
  InterruptLine irq;
  VirtioMmio mmio{bus, &irq};
};

// ------------------------------------------------------------ transport

TEST(VirtioMmioTest, EmptySlotLooksLikeQemusUnusedSlot) {
  Machine machine;
  EXPECT_EQ(machine.reg(kMagic), 0x74726976u);
  EXPECT_EQ(machine.reg(kVersion), 2u);
  EXPECT_EQ(machine.reg(kDeviceId), 0u);
  EXPECT_EQ(machine.reg(kVendorId), 0x554d4551u);
  EXPECT_EQ(machine.reg(kDeviceFeatures), 0u);
  EXPECT_EQ(machine.reg(kQueueNumMax), 0u);
  machine.set(kStatus, kAcknowledge);
  EXPECT_EQ(machine.reg(kStatus), 0u);
  EXPECT_EQ(machine.config(0, 4), 0u);
  EXPECT_FALSE(machine.irq_level);
  StateWriter out;
  machine.mmio.save(out);
  StateReader in(out.data());
  machine.mmio.load(in);
  EXPECT_TRUE(in.at_end());
}

class BlkTest : public ::testing::Test {
 protected:
  static constexpr size_t kDiskSize = 64 * 1024;  // 128 sectors

  void SetUp() override { plug(false); }

  void plug(bool read_only, const std::string& serial = "emu-disk-0") {
    backend = std::make_shared<RawFileBackend>(disk.path(), read_only);
    machine.mmio.plug(std::make_unique<VirtioBlk>(backend, serial));
  }

  void header(uint32_t type, uint64_t sector) {
    machine.put32(kHeader, type);
    machine.put32(kHeader + 4, 0);
    machine.put64(kHeader + 8, sector);
    machine.at(kStatusByte)[0] = 0xff;
  }

  // Three-descriptor request as Linux builds it without indirect
  // descriptors: header, data, status. Returns the status byte.
  uint8_t request(uint32_t type, uint64_t sector, uint32_t data_length, bool data_writable, uint16_t first = 0) {
    header(type, sector);
    machine.descriptor(kDescTable, first, kHeader, 16, kNext, first + 1);
    machine.descriptor(kDescTable, first + 1, kData, data_length, (data_writable ? kWrite : 0) | kNext, first + 2);
    machine.descriptor(kDescTable, first + 2, kStatusByte, 1, kWrite);
    machine.post(first);
    return machine.at(kStatusByte)[0];
  }

  std::vector<uint8_t> disk_bytes = pattern(kDiskSize, 1);
  TempFile disk{disk_bytes};
  std::shared_ptr<RawFileBackend> backend;
  Machine machine;
};

TEST_F(BlkTest, IdentifiesAsABlockDeviceWithItsFeaturesAndConfig) {
  EXPECT_EQ(machine.reg(kMagic), 0x74726976u);
  EXPECT_EQ(machine.reg(kVersion), 2u);
  EXPECT_EQ(machine.reg(kDeviceId), 2u);
  EXPECT_EQ(machine.reg(kVendorId), 0x554d4551u);
  machine.set(kDeviceFeaturesSel, 0);
  uint32_t low = machine.reg(kDeviceFeatures);
  machine.set(kDeviceFeaturesSel, 1);
  uint32_t high = machine.reg(kDeviceFeatures);
  machine.set(kDeviceFeaturesSel, 2);
  EXPECT_EQ(machine.reg(kDeviceFeatures), 0u);
  uint64_t features = (uint64_t{high} << 32) | low;
  EXPECT_EQ(features, kVersion1 | kIndirectDesc | kEventIdx | kBlkSegMax | kBlkBlkSize | kBlkFlush);
  EXPECT_EQ(machine.config(0, 4), 128u);  // capacity, low half
  EXPECT_EQ(machine.config(4, 4), 0u);    // capacity, high half
  EXPECT_EQ(machine.config(0, 8), 128u);
  EXPECT_EQ(machine.config(12, 4), VirtioBlk::kQueueSize - 2u);  // seg_max
  EXPECT_EQ(machine.config(20, 4), 512u);                        // blk_size
  EXPECT_EQ(machine.config(0, 1), 128u);
  EXPECT_EQ(machine.config(0, 2), 128u);
  EXPECT_EQ(machine.config(60, 4), 0u) << "beyond the config space";
  machine.set(kQueueSel, 0);
  EXPECT_EQ(machine.reg(kQueueNumMax), VirtioBlk::kQueueSize);
  machine.set(kQueueSel, 1);
  EXPECT_EQ(machine.reg(kQueueNumMax), 0u);
  machine.set(kShmSel, 0);
  EXPECT_EQ(machine.reg(kShmLenLow), 0xffffffffu) << "no shared memory region";
  EXPECT_EQ(machine.reg(kConfigGeneration), 0u);
}

TEST_F(BlkTest, RegistersNeedAligned32BitAccesses) {
  uint64_t value = 1;
  ASSERT_TRUE(machine.bus.read(0x10001000 + kMagic, 2, value));
  EXPECT_EQ(value, 0u);
  ASSERT_TRUE(machine.bus.read(0x10001000 + kMagic + 1, 1, value));
  EXPECT_EQ(value, 0u);
  machine.bus.write(0x10001000 + kStatus, 1, kAcknowledge);
  EXPECT_EQ(machine.reg(kStatus), 0u);
}

TEST_F(BlkTest, FeaturesOkOnlyForOfferedFeaturesIncludingVersion1) {
  EXPECT_FALSE(machine.negotiate(0)) << "legacy driver (no VERSION_1) is refused";
  EXPECT_FALSE(machine.negotiate(kVersion1 | kBlkRo)) << "RO is not offered for a writable drive";
  EXPECT_FALSE(machine.negotiate(kVersion1 | (uint64_t{1} << 40)));
  EXPECT_TRUE(machine.negotiate(kVersion1 | kBlkFlush | kIndirectDesc | kEventIdx));
  EXPECT_EQ(machine.mmio.driver_features(), kVersion1 | kBlkFlush | kIndirectDesc | kEventIdx);
  // Once FEATURES_OK is set the accepted set is fixed.
  machine.set(kDriverFeaturesSel, 0);
  machine.set(kDriverFeatures, 0);
  EXPECT_EQ(machine.mmio.driver_features(), kVersion1 | kBlkFlush | kIndirectDesc | kEventIdx);
}

TEST_F(BlkTest, ReadRequestCopiesSectorsAndCompletesInTheUsedRing) {
  machine.bring_up();
  EXPECT_EQ(request(kTypeIn, 3, 1024, true), kOk);
  EXPECT_EQ(machine.get_bytes(kData, 1024), std::vector<uint8_t>(disk_bytes.begin() + 3 * 512, disk_bytes.begin() + 5 * 512));
  EXPECT_EQ(machine.used_index(), 1);
  EXPECT_EQ(machine.used_id(0), 0u);
  EXPECT_EQ(machine.used_length(0), 1025u);
  EXPECT_EQ(machine.reg(kInterruptStatus), 1u);
  EXPECT_TRUE(machine.irq_level);
  machine.set(kInterruptAck, 1);
  EXPECT_EQ(machine.reg(kInterruptStatus), 0u);
  EXPECT_FALSE(machine.irq_level);
  EXPECT_EQ(machine.reg(kStatus) & kNeedsReset, 0u);
}

TEST_F(BlkTest, WriteRequestReachesTheFileAndReadsBack) {
  machine.bring_up();
  std::vector<uint8_t> data = pattern(1536, 7);
  machine.put_bytes(kData, data);
  EXPECT_EQ(request(kTypeOut, 125, 1536, false), kOk);  // the last three sectors
  EXPECT_EQ(machine.used_length(0), 1u);
  std::vector<uint8_t> file = disk.contents();
  ASSERT_EQ(file.size(), kDiskSize);
  EXPECT_EQ(std::vector<uint8_t>(file.begin() + 125 * 512, file.end()), data);
  EXPECT_EQ(std::vector<uint8_t>(file.begin(), file.begin() + 125 * 512),
            std::vector<uint8_t>(disk_bytes.begin(), disk_bytes.begin() + 125 * 512));
  std::memset(machine.at(kData), 0, 1536);
  EXPECT_EQ(request(kTypeIn, 125, 1536, true, 3), kOk);
  EXPECT_EQ(machine.get_bytes(kData, 1536), data);
  EXPECT_EQ(machine.used_index(), 2);
  EXPECT_EQ(machine.used_id(1), 3u);
}

TEST_F(BlkTest, FlushAndGetId) {
  machine.bring_up(kVersion1 | kBlkFlush);
  header(kTypeFlush, 0);
  machine.descriptor(kDescTable, 0, kHeader, 16, kNext, 1);
  machine.descriptor(kDescTable, 1, kStatusByte, 1, kWrite);
  machine.post(0);
  EXPECT_EQ(machine.at(kStatusByte)[0], kOk);
  EXPECT_EQ(machine.used_index(), 1);

  std::memset(machine.at(kData), 0xee, 20);
  EXPECT_EQ(request(kTypeGetId, 0, 20, true), kOk);
  std::vector<uint8_t> expected(20, 0);
  std::memcpy(expected.data(), "emu-disk-0", 10);
  EXPECT_EQ(machine.get_bytes(kData, 20), expected);
}

TEST_F(BlkTest, ReadsBeyondTheCapacityAndOddLengthsFailWithIoErr) {
  machine.bring_up();
  EXPECT_EQ(request(kTypeIn, 127, 1024, true), kIoErr) << "runs one sector past the end";
  EXPECT_EQ(request(kTypeIn, 128, 512, true), kIoErr);
  EXPECT_EQ(request(kTypeIn, ~uint64_t{0}, 512, true), kIoErr) << "sector * 512 overflows";
  EXPECT_EQ(request(kTypeOut, 1ull << 60, 512, false), kIoErr);
  EXPECT_EQ(request(kTypeIn, 0, 100, true), kIoErr) << "not a whole sector";
  EXPECT_EQ(request(kTypeIn, 127, 512, true), kOk) << "the last sector itself is fine";
  EXPECT_EQ(request(99, 0, 512, true), kUnsupp);
  EXPECT_EQ(machine.used_index(), 7);
  EXPECT_EQ(disk.contents(), [&] {
    std::vector<uint8_t> expected = disk_bytes;
    return expected;
  }());
  EXPECT_EQ(machine.reg(kStatus) & kNeedsReset, 0u) << "I/O errors are not protocol errors";
}

TEST_F(BlkTest, ReadOnlyDriveOffersRoAndRefusesWrites) {
  Machine other;
  auto read_only = std::make_shared<RawFileBackend>(disk.path(), true);
  other.mmio.plug(std::make_unique<VirtioBlk>(read_only));
  other.set(kDeviceFeaturesSel, 0);
  EXPECT_NE(other.reg(kDeviceFeatures) & kBlkRo, 0u);
  other.bring_up(kVersion1 | kBlkRo);
  other.put_bytes(kData, std::vector<uint8_t>(512, 0x55));
  other.put32(kHeader, kTypeOut);
  other.put64(kHeader + 8, 0);
  other.descriptor(kDescTable, 0, kHeader, 16, kNext, 1);
  other.descriptor(kDescTable, 1, kData, 512, kNext, 2);
  other.descriptor(kDescTable, 2, kStatusByte, 1, kWrite);
  other.post(0);
  EXPECT_EQ(other.at(kStatusByte)[0], kIoErr);
  EXPECT_EQ(disk.contents(), disk_bytes);
}

TEST_F(BlkTest, IndirectDescriptorTable) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  header(kTypeIn, 10);
  // Data split over two buffers, as a scatter-gather list.
  machine.descriptor(kIndirectTable, 0, kHeader, 16, kNext, 1);
  machine.descriptor(kIndirectTable, 1, kData, 512, kWrite | kNext, 2);
  machine.descriptor(kIndirectTable, 2, kData + 0x2000, 512, kWrite | kNext, 3);
  machine.descriptor(kIndirectTable, 3, kStatusByte, 1, kWrite);
  machine.descriptor(kDescTable, 5, kIndirectTable, 4 * 16, kIndirect);
  machine.post(5);
  EXPECT_EQ(machine.at(kStatusByte)[0], kOk);
  EXPECT_EQ(machine.get_bytes(kData, 512), std::vector<uint8_t>(disk_bytes.begin() + 10 * 512, disk_bytes.begin() + 11 * 512));
  EXPECT_EQ(machine.get_bytes(kData + 0x2000, 512),
            std::vector<uint8_t>(disk_bytes.begin() + 11 * 512, disk_bytes.begin() + 12 * 512));
  EXPECT_EQ(machine.used_id(0), 5u);
  EXPECT_EQ(machine.used_length(0), 1025u);

  // 2.7.5.3.2: direct descriptors followed by one indirect descriptor.
  header(kTypeIn, 20);
  machine.descriptor(kDescTable, 7, kHeader, 16, kNext, 8);
  machine.descriptor(kDescTable, 8, kIndirectTable, 2 * 16, kIndirect);
  machine.descriptor(kIndirectTable, 0, kData, 512, kWrite | kNext, 1);
  machine.descriptor(kIndirectTable, 1, kStatusByte, 1, kWrite);
  machine.post(7);
  EXPECT_EQ(machine.at(kStatusByte)[0], kOk);
  EXPECT_EQ(machine.get_bytes(kData, 512), std::vector<uint8_t>(disk_bytes.begin() + 20 * 512, disk_bytes.begin() + 21 * 512));
  EXPECT_EQ(machine.reg(kStatus) & kNeedsReset, 0u);
}

TEST_F(BlkTest, HeaderAndDataMaySplitAnywhere) {
  // VERSION_1 implies any layout (2.7.4.3): header split in two, status
  // byte in the same buffer as the read data.
  machine.bring_up();
  header(kTypeIn, 2);
  machine.descriptor(kDescTable, 0, kHeader, 5, kNext, 1);
  machine.descriptor(kDescTable, 1, kHeader + 5, 11, kNext, 2);
  machine.descriptor(kDescTable, 2, kData, 513, kWrite);
  machine.post(0);
  EXPECT_EQ(machine.get_bytes(kData, 512), std::vector<uint8_t>(disk_bytes.begin() + 2 * 512, disk_bytes.begin() + 3 * 512));
  EXPECT_EQ(machine.at(kData + 512)[0], kOk);
}

TEST_F(BlkTest, NoInterruptFlagSuppressesTheUsedBufferInterrupt) {
  machine.bring_up();
  machine.put16(kAvail, 1);  // VIRTQ_AVAIL_F_NO_INTERRUPT
  EXPECT_EQ(request(kTypeIn, 0, 512, true), kOk);
  EXPECT_EQ(machine.used_index(), 1);
  EXPECT_EQ(machine.reg(kInterruptStatus), 0u);
  EXPECT_FALSE(machine.irq_level);
  machine.put16(kAvail, 0);
  EXPECT_EQ(request(kTypeIn, 0, 512, true), kOk);
  EXPECT_EQ(machine.reg(kInterruptStatus), 1u);
}

TEST_F(BlkTest, EventIndexSuppressesInterruptsUntilUsedEventIsPassed) {
  machine.bring_up(kVersion1 | kEventIdx);
  const uint64_t used_event = kAvail + 4 + 2 * kQueueSize;
  const uint64_t avail_event = kUsed + 4 + 8 * kQueueSize;
  machine.put16(used_event, 2);  // interrupt when entry 2 is used (used idx goes 2 -> 3)
  EXPECT_EQ(request(kTypeIn, 0, 512, true), kOk);
  EXPECT_EQ(machine.reg(kInterruptStatus), 0u);
  EXPECT_EQ(machine.get16(avail_event), 1) << "device asks to hear of the next buffer";
  EXPECT_EQ(request(kTypeIn, 0, 512, true), kOk);
  EXPECT_EQ(machine.reg(kInterruptStatus), 0u);
  EXPECT_EQ(request(kTypeIn, 0, 512, true), kOk);
  EXPECT_EQ(machine.reg(kInterruptStatus), 1u);
  EXPECT_EQ(machine.get16(avail_event), 3);
  machine.ack_interrupts();
  EXPECT_EQ(request(kTypeIn, 0, 512, true), kOk);
  EXPECT_EQ(machine.reg(kInterruptStatus), 0u) << "used_event 2 is behind";
}

TEST_F(BlkTest, BuffersPostedBeforeDriverOkWaitForIt) {
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0);
  EXPECT_EQ(request(kTypeIn, 0, 512, true), 0xff) << "not processed yet";
  EXPECT_EQ(machine.used_index(), 0);
  machine.driver_ok();
  EXPECT_EQ(machine.at(kStatusByte)[0], kOk);
  EXPECT_EQ(machine.used_index(), 1);
}

TEST_F(BlkTest, ManyRequestsWrapAroundTheRing) {
  machine.bring_up();
  for (int round = 0; round < 3 * kQueueSize + 5; ++round) {
    uint64_t sector = static_cast<uint64_t>(round) % 128;
    ASSERT_EQ(request(kTypeIn, sector, 512, true, static_cast<uint16_t>((round * 3) % 12)), kOk);
    ASSERT_EQ(machine.get_bytes(kData, 512),
              std::vector<uint8_t>(disk_bytes.begin() + static_cast<std::ptrdiff_t>(sector * 512),
                                   disk_bytes.begin() + static_cast<std::ptrdiff_t>(sector * 512 + 512)));
    ASSERT_EQ(machine.used_id(static_cast<uint16_t>(round)), static_cast<uint32_t>((round * 3) % 12));
  }
  EXPECT_EQ(machine.used_index(), 3 * kQueueSize + 5);
}

TEST_F(BlkTest, StatusZeroResetsTheDevice) {
  machine.bring_up();
  EXPECT_EQ(request(kTypeIn, 0, 512, true), kOk);
  EXPECT_TRUE(machine.irq_level);
  machine.set(kStatus, 0);
  EXPECT_EQ(machine.reg(kStatus), 0u);
  EXPECT_EQ(machine.reg(kInterruptStatus), 0u);
  EXPECT_FALSE(machine.irq_level);
  machine.set(kQueueSel, 0);
  EXPECT_EQ(machine.reg(kQueueReady), 0u);
  // A notify on the reset device does nothing.
  EXPECT_EQ(request(kTypeIn, 1, 512, true), 0xff);
  // Bring it up again from scratch, as a driver does after reset.
  std::memset(machine.at(kAvail), 0, 0x2000);
  machine.bring_up();
  EXPECT_EQ(request(kTypeIn, 1, 512, true), kOk);
  EXPECT_EQ(machine.used_index(), 1);
}

TEST_F(BlkTest, QueueReadyCanBeClearedAndReadsBack) {
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0);
  EXPECT_EQ(machine.reg(kQueueReady), 1u);
  machine.set(kQueueReady, 0);
  EXPECT_EQ(machine.reg(kQueueReady), 0u);
}

// ------------------------------------------------------------ protocol errors

class BlkProtocolErrorTest : public BlkTest {
 protected:
  void expect_needs_reset(const char* why) {
    EXPECT_NE(machine.reg(kStatus) & kNeedsReset, 0u) << why;
    EXPECT_NE(machine.reg(kInterruptStatus) & 2u, 0u) << why << ": configuration change interrupt";
    EXPECT_TRUE(machine.irq_level) << why;
    EXPECT_FALSE(machine.mmio.last_error().empty()) << why;
    // The device stays stopped: a correct request now is not processed.
    uint16_t used_before = machine.used_index();
    header(kTypeIn, 0);
    machine.descriptor(kDescTable, 12, kHeader, 16, kNext, 13);
    machine.descriptor(kDescTable, 13, kData, 512, kWrite | kNext, 14);
    machine.descriptor(kDescTable, 14, kStatusByte, 1, kWrite);
    machine.post(12);
    EXPECT_EQ(machine.used_index(), used_before) << why;
    // The driver cannot clear the bit; a reset recovers.
    machine.set(kStatus, kAcknowledge | kDriver | kFeaturesOk | kDriverOk);
    EXPECT_NE(machine.reg(kStatus) & kNeedsReset, 0u);
    std::memset(machine.at(kAvail), 0, 0x2000);
    std::memset(machine.at(kIndirectTable), 0, 0x100);
    machine.bring_up(kVersion1 | kIndirectDesc);
    EXPECT_EQ(machine.reg(kStatus) & kNeedsReset, 0u);
    EXPECT_EQ(request(kTypeIn, 0, 512, true), kOk) << why << ": works again after reset";
  }
};

TEST_F(BlkProtocolErrorTest, DescriptorLoop) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kDescTable, 0, kHeader, 16, kNext, 1);
  machine.descriptor(kDescTable, 1, kData, 512, kNext, 0);
  machine.post(0);
  expect_needs_reset("loop");
}

TEST_F(BlkProtocolErrorTest, LoopInsideAnIndirectTable) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kIndirectTable, 0, kHeader, 16, kNext, 1);
  machine.descriptor(kIndirectTable, 1, kData, 512, kWrite | kNext, 1);
  machine.descriptor(kDescTable, 0, kIndirectTable, 2 * 16, kIndirect);
  machine.post(0);
  expect_needs_reset("indirect loop");
}

TEST_F(BlkProtocolErrorTest, BufferOutsideRam) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kDescTable, 0, 0x1000, 16, kNext, 1);  // boot ROM area: unmapped here
  machine.descriptor(kDescTable, 1, kStatusByte, 1, kWrite);
  machine.post(0);
  expect_needs_reset("outside RAM");
}

TEST_F(BlkProtocolErrorTest, HugeLengthRunningPastTheEndOfRam) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  header(kTypeIn, 0);
  machine.descriptor(kDescTable, 0, kHeader, 16, kNext, 1);
  machine.descriptor(kDescTable, 1, kData, 0xffffffff, kWrite | kNext, 2);
  machine.descriptor(kDescTable, 2, kStatusByte, 1, kWrite);
  machine.post(0);
  expect_needs_reset("huge length");
}

TEST_F(BlkProtocolErrorTest, AddressWrapsAroundTheAddressSpace) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kDescTable, 0, ~uint64_t{0} - 4, 16, kNext, 1);
  machine.descriptor(kDescTable, 1, kStatusByte, 1, kWrite);
  machine.post(0);
  expect_needs_reset("wrapping address");
}

TEST_F(BlkProtocolErrorTest, HeadIndexOutOfRange) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.post(kQueueSize);
  expect_needs_reset("head >= size");
}

TEST_F(BlkProtocolErrorTest, NextIndexOutOfRange) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kDescTable, 0, kHeader, 16, kNext, 999);
  machine.post(0);
  expect_needs_reset("next >= size");
}

TEST_F(BlkProtocolErrorTest, ReadableAfterWritable) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kDescTable, 0, kStatusByte, 1, kWrite | kNext, 1);
  machine.descriptor(kDescTable, 1, kHeader, 16, 0);
  machine.post(0);
  expect_needs_reset("readable after writable");
}

TEST_F(BlkProtocolErrorTest, WritableBufferInReadOnlyMemory) {
  // A ROM region: readable by the device, never writable.
  machine.bus.map_rom(0x1000, 0x1000, "rom");
  machine.bring_up(kVersion1 | kIndirectDesc);
  header(kTypeIn, 0);
  machine.descriptor(kDescTable, 0, kHeader, 16, kNext, 1);
  machine.descriptor(kDescTable, 1, 0x1000, 512, kWrite | kNext, 2);
  machine.descriptor(kDescTable, 2, kStatusByte, 1, kWrite);
  machine.post(0);
  expect_needs_reset("writable ROM");
}

TEST_F(BlkProtocolErrorTest, NestedIndirectTable) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kIndirectTable, 0, kIndirectTable + 0x80, 16, kIndirect);
  machine.descriptor(kDescTable, 0, kIndirectTable, 16, kIndirect);
  machine.post(0);
  expect_needs_reset("nested indirect");
}

TEST_F(BlkProtocolErrorTest, IndirectTableWithBadLength) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kDescTable, 0, kIndirectTable, 17, kIndirect);
  machine.post(0);
  expect_needs_reset("indirect length not a multiple of 16");
}

TEST_F(BlkProtocolErrorTest, IndirectTableTooLarge) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kDescTable, 0, kRamBase, 0x80000, kIndirect);  // 32768 entries, all in RAM
  machine.post(0);
  expect_needs_reset("indirect table too large");
}

TEST_F(BlkProtocolErrorTest, IndirectWithNext) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kIndirectTable, 0, kHeader, 16, 0);
  machine.descriptor(kDescTable, 0, kIndirectTable, 16, kIndirect | kNext, 1);
  machine.post(0);
  expect_needs_reset("indirect with NEXT");
}

TEST_F(BlkProtocolErrorTest, ZeroLengthBuffer) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kDescTable, 0, kHeader, 0, 0);
  machine.post(0);
  expect_needs_reset("zero-length buffer");
}

TEST_F(BlkProtocolErrorTest, AvailableIndexJumpsPastTheQueueSize) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.put16(kAvail + 2, kQueueSize + 1);
  machine.set(kQueueNotify, 0);
  expect_needs_reset("avail idx jump");
}

TEST_F(BlkProtocolErrorTest, RequestWithoutStatusByte) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  header(kTypeIn, 0);
  machine.descriptor(kDescTable, 0, kHeader, 16, 0);
  machine.post(0);
  expect_needs_reset("no writable status byte");
}

TEST_F(BlkProtocolErrorTest, ShortHeader) {
  machine.bring_up(kVersion1 | kIndirectDesc);
  machine.descriptor(kDescTable, 0, kHeader, 8, kNext, 1);
  machine.descriptor(kDescTable, 1, kStatusByte, 1, kWrite);
  machine.post(0);
  expect_needs_reset("header shorter than 16 bytes");
}

TEST_F(BlkProtocolErrorTest, QueueRingsOutsideRam) {
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, kQueueSize, kRamBase + kRamSize - 16);  // descriptor table runs off the end
  EXPECT_EQ(machine.reg(kQueueReady), 0u);
  EXPECT_NE(machine.reg(kStatus) & kNeedsReset, 0u);
  EXPECT_FALSE(machine.irq_level) << "no interrupt before DRIVER_OK";
  machine.driver_ok();
  expect_needs_reset("rings outside RAM");
}

TEST_F(BlkProtocolErrorTest, QueueSizeNotAPowerOfTwoOrTooLarge) {
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 12);
  EXPECT_EQ(machine.reg(kQueueReady), 0u);
  EXPECT_NE(machine.reg(kStatus) & kNeedsReset, 0u);
  ASSERT_TRUE(machine.negotiate(kVersion1));
  EXPECT_EQ(machine.reg(kStatus) & kNeedsReset, 0u);
  machine.setup_queue(0, 512);
  EXPECT_NE(machine.reg(kStatus) & kNeedsReset, 0u);
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 0);
  EXPECT_NE(machine.reg(kStatus) & kNeedsReset, 0u);
}

// Random descriptor tables and rings: whatever the guest writes, the device
// either completes requests or enters NEEDS_RESET; it never crashes (ASan
// and UBSan builds check the "never reads out of bounds" part).
TEST_F(BlkTest, RandomRingContentsNeverCrash) {
  std::mt19937_64 generator(20261124);
  for (int round = 0; round < 300; ++round) {
    std::memset(machine.at(kAvail), 0, 0x2000);
    machine.bring_up(kVersion1 | kIndirectDesc | ((round & 1) ? kEventIdx : 0));
    for (uint64_t offset = 0; offset < 0x5000; offset += 8) {
      uint64_t value = generator();
      // Bias addresses and lengths towards plausible ones so walks go deep.
      switch (generator() % 4) {
        case 0: value = kRamBase + value % (kRamSize + 0x100); break;
        case 1: value &= 0x0000ffff0000000full; break;
        default: break;
      }
      machine.put64(kDescTable + offset, value);
    }
    std::memset(machine.at(kUsed), 0, 0x1000);
    uint16_t posted = static_cast<uint16_t>(generator() % 20);
    machine.put16(kAvail + 2, posted);
    machine.set(kQueueNotify, 0);
    uint32_t status = machine.reg(kStatus);
    if (!(status & kNeedsReset)) {
      EXPECT_LE(machine.used_index(), posted);
    }
  }
}

// ------------------------------------------------------------ save / load

TEST_F(BlkTest, SaveLoadRoundTripContinuesIdentically) {
  machine.bring_up(kVersion1 | kEventIdx | kIndirectDesc);
  machine.put16(kAvail + 4 + 2 * kQueueSize, 5);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(request(kTypeIn, static_cast<uint64_t>(i), 512, true), kOk);
  std::vector<uint8_t> state = saved(machine.mmio);

  // A second machine with the same RAM and disk, restored from the state.
  Machine copy;
  copy.mmio.plug(std::make_unique<VirtioBlk>(std::make_shared<RawFileBackend>(disk.path(), false)));
  std::memcpy(copy.ram, machine.ram, kRamSize);
  StateReader in(state);
  copy.mmio.load(in);
  EXPECT_TRUE(in.at_end());
  EXPECT_EQ(saved(copy.mmio), state);
  EXPECT_EQ(copy.reg(kStatus), machine.reg(kStatus));
  EXPECT_EQ(copy.reg(kInterruptStatus), machine.reg(kInterruptStatus));
  EXPECT_EQ(copy.irq_level, machine.irq_level);

  // Both continue the same way.
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(request(kTypeIn, static_cast<uint64_t>(10 + i), 512, true), kOk);
    copy.put32(kHeader, kTypeIn);
    copy.put64(kHeader + 8, static_cast<uint64_t>(10 + i));
    copy.descriptor(kDescTable, 0, kHeader, 16, kNext, 1);
    copy.descriptor(kDescTable, 1, kData, 512, kWrite | kNext, 2);
    copy.descriptor(kDescTable, 2, kStatusByte, 1, kWrite);
    copy.post(0);
    ASSERT_EQ(copy.reg(kInterruptStatus), machine.reg(kInterruptStatus)) << i;
  }
  EXPECT_EQ(std::memcmp(copy.ram, machine.ram, kRamSize), 0);
  EXPECT_EQ(saved(copy.mmio), saved(machine.mmio));
}

TEST_F(BlkTest, LoadRejectsTruncatedOrForeignStateAndKeepsTheOldOne) {
  machine.bring_up();
  ASSERT_EQ(request(kTypeIn, 0, 512, true), kOk);
  std::vector<uint8_t> state = saved(machine.mmio);
  Machine other;
  other.mmio.plug(std::make_unique<VirtioBlk>(std::make_shared<RawFileBackend>(disk.path(), false)));
  std::vector<uint8_t> before = saved(other.mmio);
  for (size_t length = 0; length < state.size(); ++length) {
    std::vector<uint8_t> prefix(state.begin(), state.begin() + static_cast<std::ptrdiff_t>(length));
    StateReader in(prefix);
    EXPECT_THROW(other.mmio.load(in), StateError) << length;
    EXPECT_EQ(saved(other.mmio), before) << length;
  }
  // The rng's state does not fit a block slot, nor an empty slot's.
  Machine rng_machine;
  rng_machine.mmio.plug(std::make_unique<VirtioRng>(nullptr));
  StateReader in(state);
  EXPECT_THROW(rng_machine.mmio.load(in), StateError);
  Machine empty;
  StateReader in2(state);
  EXPECT_THROW(empty.mmio.load(in2), StateError);
}

// ------------------------------------------------------------ rng

class RngTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kTarget = 3;

  RngTest() {
    rng = new VirtioRng([this](size_t bytes) {
      requests.push_back(bytes);
      source.request(bytes);
    });
    machine.mmio.plug(std::unique_ptr<VirtioDevice>(rng));
    inputs.register_consumer(InputKind::Entropy, kTarget, [this](const Input& input) { rng->provide_entropy(input.payload); });
    inputs.set_observer([this](const Input& input) { delivered.push_back(input); });
  }

  void post_buffer(uint16_t head, uint64_t address, uint32_t length) {
    machine.descriptor(kDescTable, head, address, length, kWrite);
    machine.post(head);
  }

  std::vector<uint8_t> host_entropy = pattern(8192, 99);
  TempFile host_source{host_entropy};
  VirtualClock clock;
  InputQueue inputs;
  EntropySource source{inputs, clock, kTarget, host_source.path()};
  Machine machine;
  VirtioRng* rng;
  std::vector<size_t> requests;
  std::vector<Input> delivered;
};

TEST_F(RngTest, IdentifiesAsAnEntropyDevice) {
  EXPECT_EQ(machine.reg(kDeviceId), 4u);
  machine.set(kDeviceFeaturesSel, 0);
  EXPECT_EQ(machine.reg(kDeviceFeatures), static_cast<uint32_t>(kIndirectDesc | kEventIdx));
  machine.set(kQueueSel, 0);
  EXPECT_EQ(machine.reg(kQueueNumMax), 8u);
}

TEST_F(RngTest, EntropyArrivesOnlyThroughTheInputQueue) {
  // Queue of 16 does not fit the rng's maximum of 8.
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 8);
  machine.driver_ok();
  clock.advance(1234);
  post_buffer(0, kData, 64);
  ASSERT_EQ(requests, std::vector<size_t>{64});
  // Nothing reaches the guest until the machine loop delivers the input.
  EXPECT_EQ(machine.used_index(), 0);
  EXPECT_EQ(machine.get_bytes(kData, 64), std::vector<uint8_t>(64, 0));
  EXPECT_EQ(inputs.next_icount(), 1234u) << "stamped with the current icount";
  inputs.deliver_due(clock.icount());
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].kind, InputKind::Entropy);
  EXPECT_EQ(delivered[0].target, kTarget);
  EXPECT_EQ(machine.get_bytes(kData, 64), std::vector<uint8_t>(host_entropy.begin(), host_entropy.begin() + 64));
  EXPECT_EQ(machine.used_index(), 1);
  EXPECT_EQ(machine.used_id(0), 0u);
  EXPECT_EQ(machine.used_length(0), 64u);
  EXPECT_EQ(machine.reg(kInterruptStatus), 1u);
  EXPECT_TRUE(machine.irq_level);
  EXPECT_EQ(rng->outstanding_request(), 0u);
}

TEST_F(RngTest, OneRequestAtATimeThenTheNext) {
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 8);
  machine.driver_ok();
  post_buffer(0, kData, 32);
  post_buffer(1, kData + 0x100, 16);
  EXPECT_EQ(requests, std::vector<size_t>{32}) << "second buffer waits for the first request";
  inputs.deliver_due(clock.icount());  // fills buffer 0, asks for buffer 1 and delivers that too
  EXPECT_EQ(requests, (std::vector<size_t>{32, 16}));
  EXPECT_EQ(machine.used_index(), 2);
  EXPECT_EQ(machine.get_bytes(kData, 32), std::vector<uint8_t>(host_entropy.begin(), host_entropy.begin() + 32));
  EXPECT_EQ(machine.get_bytes(kData + 0x100, 16),
            std::vector<uint8_t>(host_entropy.begin() + 32, host_entropy.begin() + 48));
  EXPECT_EQ(machine.used_length(1), 16u);
}

TEST_F(RngTest, ShortDeliveryFillsPartOfTheBuffer) {
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 8);
  machine.driver_ok();
  EntropySource muted(inputs, clock, kTarget, host_source.path());
  post_buffer(0, kData, 64);
  inputs.deliver_due(0);
  // Replay-style: the log supplies an input directly.
  rng->provide_entropy(std::vector<uint8_t>{1, 2, 3});
  EXPECT_EQ(machine.used_index(), 1);
}

TEST_F(RngTest, ReplayFeedsTheSameBytesFromALog) {
  // Record: note what the queue delivered. Replay: host reads off, the log
  // is pushed instead; the guest sees the same bytes.
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 8);
  machine.driver_ok();
  post_buffer(0, kData, 48);
  inputs.deliver_due(clock.icount());
  ASSERT_EQ(delivered.size(), 1u);
  std::vector<uint8_t> recorded_guest_bytes = machine.get_bytes(kData, 48);

  Machine replay_machine;
  VirtualClock replay_clock;
  InputQueue replay_inputs;
  EntropySource replay_source(replay_inputs, replay_clock, kTarget, "/dev/urandom");
  replay_source.set_host_reads_enabled(false);
  auto* replay_rng = new VirtioRng([&](size_t bytes) { replay_source.request(bytes); });
  replay_machine.mmio.plug(std::unique_ptr<VirtioDevice>(replay_rng));
  replay_inputs.register_consumer(InputKind::Entropy, kTarget,
                                  [&](const Input& input) { replay_rng->provide_entropy(input.payload); });
  ASSERT_TRUE(replay_machine.negotiate(kVersion1));
  replay_machine.setup_queue(0, 8);
  replay_machine.driver_ok();
  replay_machine.descriptor(kDescTable, 0, kData, 48, kWrite);
  replay_machine.post(0);
  EXPECT_EQ(replay_inputs.next_icount(), UINT64_MAX) << "no host read in replay";
  for (const Input& input : delivered) replay_inputs.push(input.icount, input.kind, input.target, input.payload);
  replay_inputs.deliver_due(replay_clock.icount());
  EXPECT_EQ(replay_machine.get_bytes(kData, 48), recorded_guest_bytes);
}

TEST_F(RngTest, EntropyWithoutALiveQueueIsDropped) {
  rng->provide_entropy(std::vector<uint8_t>(16, 0xaa));
  EXPECT_EQ(machine.used_index(), 0);
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 8);
  post_buffer(0, kData, 16);  // before DRIVER_OK: no request yet
  EXPECT_TRUE(requests.empty());
  machine.driver_ok();
  EXPECT_EQ(requests, std::vector<size_t>{16});
}

TEST_F(RngTest, ReadableBufferIsAProtocolError) {
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 8);
  machine.driver_ok();
  machine.descriptor(kDescTable, 0, kData, 16, 0);
  machine.post(0);
  EXPECT_NE(machine.reg(kStatus) & kNeedsReset, 0u);
  EXPECT_NE(machine.reg(kInterruptStatus) & 2u, 0u);
  EXPECT_TRUE(requests.empty());
}

TEST_F(RngTest, ResetForgetsTheOutstandingRequest) {
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 8);
  machine.driver_ok();
  post_buffer(0, kData, 16);
  EXPECT_EQ(rng->outstanding_request(), 16u);
  machine.set(kStatus, 0);
  EXPECT_EQ(rng->outstanding_request(), 0u);
  inputs.deliver_due(clock.icount());  // arrives after the reset: dropped
  EXPECT_EQ(machine.get_bytes(kData, 16), std::vector<uint8_t>(16, 0));
}

TEST_F(RngTest, SaveLoadKeepsTheOutstandingRequest) {
  ASSERT_TRUE(machine.negotiate(kVersion1));
  machine.setup_queue(0, 8);
  machine.driver_ok();
  post_buffer(0, kData, 16);
  std::vector<uint8_t> state = saved(machine.mmio);
  Machine copy;
  auto* copy_rng = new VirtioRng(nullptr);
  copy.mmio.plug(std::unique_ptr<VirtioDevice>(copy_rng));
  std::memcpy(copy.ram, machine.ram, kRamSize);
  StateReader in(state);
  copy.mmio.load(in);
  EXPECT_TRUE(in.at_end());
  EXPECT_EQ(copy_rng->outstanding_request(), 16u);
  EXPECT_EQ(saved(copy.mmio), state);
  // The input recorded before the snapshot completes the restored device.
  copy_rng->provide_entropy(std::vector<uint8_t>(16, 0x5a));
  EXPECT_EQ(copy.used_index(), 1);
  EXPECT_EQ(copy.get_bytes(kData, 16), std::vector<uint8_t>(16, 0x5a));
}

TEST(EntropySourceTest, MissingSourceThrowsAndMutedSourceQueuesNothing) {
  VirtualClock clock;
  InputQueue inputs;
  EXPECT_THROW(EntropySource(inputs, clock, 0, "/nonexistent/entropy"), std::runtime_error);
  EntropySource source(inputs, clock, 0);
  source.set_host_reads_enabled(false);
  source.request(32);
  EXPECT_EQ(inputs.next_icount(), UINT64_MAX);
  source.set_host_reads_enabled(true);
  clock.advance(7);
  source.request(32);
  EXPECT_EQ(inputs.next_icount(), 7u);
}

// ------------------------------------------------------------ block backend

TEST(RawFileBackendTest, ReadWriteSizeAndReadOnly) {
  TempFile file(pattern(1000, 5));
  RawFileBackend backend(file.path());
  EXPECT_EQ(backend.size(), 1000u);
  EXPECT_FALSE(backend.read_only());
  std::vector<uint8_t> out(600);
  ASSERT_TRUE(backend.read(512, out));
  std::vector<uint8_t> expected = pattern(1000, 5);
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + 488), std::vector<uint8_t>(expected.begin() + 512, expected.end()));
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + 488, out.end()), std::vector<uint8_t>(112, 0)) << "zeros past EOF";
  std::vector<uint8_t> data(4, 0x42);
  ASSERT_TRUE(backend.write(10, data));
  EXPECT_TRUE(backend.flush());
  EXPECT_EQ(file.contents()[10], 0x42);
  EXPECT_FALSE(backend.read(~uint64_t{0} - 2, out)) << "range overflow";

  RawFileBackend read_only(file.path(), true);
  EXPECT_TRUE(read_only.read_only());
  EXPECT_FALSE(read_only.write(0, data));
  EXPECT_THROW(RawFileBackend("/nonexistent/disk.img"), BlockError);
  EXPECT_THROW(RawFileBackend("/tmp"), BlockError);

  // 1000 bytes is two sectors for virtio-blk, the tail reading as zeros.
  VirtioBlk blk(std::make_shared<RawFileBackend>(file.path()));
  EXPECT_EQ(blk.capacity_sectors(), 2u);
}

}  // namespace
}  // namespace emu
