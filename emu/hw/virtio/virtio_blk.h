// virtio block device (virtio 1.2, 5.2) over a BlockBackend, one request
// queue. Requests complete synchronously inside the queue notification, so
// a guest sees its I/O finish at the same instruction on every run.
//
// Request layout (5.2.6), in the chain's device-readable then
// device-writable bytes:
//   readable: { le32 type; le32 reserved; le64 sector; } [data for OUT]
//   writable: [data for IN / GET_ID] u8 status
// Types: IN 0, OUT 1, FLUSH 4, GET_ID 8; others answer UNSUPP. Status: OK 0,
// IOERR 1, UNSUPP 2. IN/OUT data is a whole number of 512-byte sectors
// inside the capacity, else IOERR (as QEMU); OUT on a read-only drive is
// IOERR. A chain too short for the header or the status byte is a protocol
// error: DEVICE_NEEDS_RESET.
//
// Configuration space (5.2.4), little-endian, 60 bytes:
//   0x00 le64 capacity (512-byte sectors)   0x08 le32 size_max (0: not offered)
//   0x0c le32 seg_max                        0x10 geometry (0: not offered)
//   0x14 le32 blk_size (512)                 0x18 topology (0: not offered)
//   0x20 u8 writeback, then num_queues, discard and write-zeroes limits (0)
// Features: SEG_MAX, BLK_SIZE, FLUSH, and RO for a read-only drive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "emu/block/block_backend.h"
#include "emu/hw/virtio/virtio_device.h"
#include "emu/hw/virtio/virtqueue.h"

namespace emu {

class VirtioBlk : public VirtioDevice {
 public:
  static constexpr uint16_t kQueueSize = 256;  // QEMU's default queue-size
  static constexpr uint64_t kSectorSize = 512;
  static constexpr size_t kIdBytes = 20;  // VIRTIO_BLK_ID_BYTES

  // Feature bits (5.2.3).
  static constexpr unsigned kFeatureSegMax = 2;
  static constexpr unsigned kFeatureReadOnly = 5;
  static constexpr unsigned kFeatureBlockSize = 6;
  static constexpr unsigned kFeatureFlush = 9;

  // serial is what GET_ID returns (QEMU's -device ...,serial=); at most 20
  // bytes are used. The drive is read-only if the backend is.
  explicit VirtioBlk(std::shared_ptr<BlockBackend> backend, std::string serial = {});

  BlockBackend& backend() const { return *backend_; }
  uint64_t capacity_sectors() const { return capacity_sectors_; }

  std::string_view name() const override { return "virtio-blk"; }
  uint32_t device_id() const override { return virtio::kDeviceIdBlock; }
  uint64_t features() const override;
  unsigned queue_count() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  uint32_t config_size() const override { return 60; }
  void read_config(uint32_t offset, std::span<uint8_t> out) const override;
  void process(unsigned queue) override;
  void reset() override {}
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

 private:
  uint8_t execute(Virtqueue& queue, const DescriptorChain& chain, uint32_t type, uint64_t sector);
  uint8_t transfer_in(Virtqueue& queue, const DescriptorChain& chain, uint64_t sector, uint64_t length);
  uint8_t transfer_out(Virtqueue& queue, const DescriptorChain& chain, uint64_t sector, uint64_t length);
  uint8_t get_id(Virtqueue& queue, const DescriptorChain& chain, uint64_t length);
  bool range_ok(uint64_t sector, uint64_t length) const;

  std::shared_ptr<BlockBackend> backend_;
  std::string serial_;
  uint64_t capacity_sectors_;
  std::vector<uint8_t> bounce_;  // host side of a transfer, one chunk at a time
};

}  // namespace emu
