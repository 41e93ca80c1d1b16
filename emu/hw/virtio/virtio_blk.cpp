// virtio block device; see virtio_blk.h. Section numbers are virtio 1.2's.
#include "emu/hw/virtio/virtio_blk.h"

#include <algorithm>
#include <cstring>

namespace emu {

namespace {

constexpr uint32_t kTypeIn = 0;
constexpr uint32_t kTypeOut = 1;
constexpr uint32_t kTypeFlush = 4;
constexpr uint32_t kTypeGetId = 8;

constexpr uint8_t kStatusOk = 0;
constexpr uint8_t kStatusIoError = 1;
constexpr uint8_t kStatusUnsupported = 2;

constexpr uint64_t kHeaderSize = 16;
constexpr size_t kTransferChunk = 64 * 1024;

// Configuration space offsets.
constexpr size_t kConfigCapacity = 0x00;
constexpr size_t kConfigSegMax = 0x0c;
constexpr size_t kConfigBlockSize = 0x14;
constexpr size_t kConfigSize = 60;

constexpr uint8_t kStateVersion = 1;

void store_le(uint8_t* bytes, uint64_t value, unsigned width) {
  for (unsigned i = 0; i < width; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
}
uint64_t load_le(const uint8_t* bytes, unsigned width) {
  uint64_t value = 0;
  for (unsigned i = width; i-- > 0;) value = (value << 8) | bytes[i];
  return value;
}

}  // namespace

VirtioBlk::VirtioBlk(std::shared_ptr<BlockBackend> backend, std::string serial)
    : backend_(std::move(backend)), serial_(std::move(serial)) {
  // A size that is not a whole number of sectors rounds up; the tail reads
  // as zeros (the backend's rule), as with QEMU's raw driver.
  capacity_sectors_ = backend_->size() / kSectorSize + (backend_->size() % kSectorSize != 0);
}

uint64_t VirtioBlk::features() const {
  uint64_t offered = virtio::feature_bit(kFeatureSegMax) | virtio::feature_bit(kFeatureBlockSize) |
                     virtio::feature_bit(kFeatureFlush);
  if (backend_->read_only()) offered |= virtio::feature_bit(kFeatureReadOnly);
  return offered;
}

void VirtioBlk::read_config(uint32_t offset, std::span<uint8_t> out) const {
  uint8_t config[kConfigSize] = {};
  store_le(config + kConfigCapacity, capacity_sectors_, 8);
  // Two descriptors of every chain carry the header and the status (QEMU
  // reports queue size - 2 too).
  store_le(config + kConfigSegMax, kQueueSize - 2, 4);
  store_le(config + kConfigBlockSize, kSectorSize, 4);
  if (offset > kConfigSize || out.size() > kConfigSize - offset) return;
  std::memcpy(out.data(), config + offset, out.size());
}

bool VirtioBlk::range_ok(uint64_t sector, uint64_t length) const {
  if (length % kSectorSize != 0) return false;
  return sector <= capacity_sectors_ && length / kSectorSize <= capacity_sectors_ - sector;
}

uint8_t VirtioBlk::transfer_in(Virtqueue& queue, const DescriptorChain& chain, uint64_t sector, uint64_t length) {
  if (!range_ok(sector, length)) return kStatusIoError;
  bounce_.resize(kTransferChunk);
  for (uint64_t done = 0; done < length;) {
    size_t piece = static_cast<size_t>(std::min<uint64_t>(kTransferChunk, length - done));
    std::span<uint8_t> chunk(bounce_.data(), piece);
    if (!backend_->read(sector * kSectorSize + done, chunk)) return kStatusIoError;
    if (!queue.write_to(chain, done, chunk)) return kStatusIoError;
    done += piece;
  }
  return kStatusOk;
}

uint8_t VirtioBlk::transfer_out(Virtqueue& queue, const DescriptorChain& chain, uint64_t sector, uint64_t length) {
  // 5.2.6.2: a read-only device fails writes and writes nothing.
  if (backend_->read_only()) return kStatusIoError;
  if (!range_ok(sector, length)) return kStatusIoError;
  bounce_.resize(kTransferChunk);
  for (uint64_t done = 0; done < length;) {
    size_t piece = static_cast<size_t>(std::min<uint64_t>(kTransferChunk, length - done));
    std::span<uint8_t> chunk(bounce_.data(), piece);
    if (!queue.read_from(chain, kHeaderSize + done, chunk)) return kStatusIoError;
    if (!backend_->write(sector * kSectorSize + done, chunk)) return kStatusIoError;
    done += piece;
  }
  return kStatusOk;
}

uint8_t VirtioBlk::get_id(Virtqueue& queue, const DescriptorChain& chain, uint64_t length) {
  // 5.2.6.1: up to 20 bytes, NUL-padded (not terminated when exactly 20).
  uint8_t id[kIdBytes] = {};
  std::memcpy(id, serial_.data(), std::min(serial_.size(), kIdBytes));
  size_t count = static_cast<size_t>(std::min<uint64_t>(length, kIdBytes));
  if (!queue.write_to(chain, 0, std::span<const uint8_t>(id, count))) return kStatusIoError;
  return kStatusOk;
}

uint8_t VirtioBlk::execute(Virtqueue& queue, const DescriptorChain& chain, uint32_t type, uint64_t sector) {
  const uint64_t data_in = chain.writable_bytes - 1;  // writable bytes before the status byte
  const uint64_t data_out = chain.readable_bytes - kHeaderSize;
  switch (type) {
    case kTypeIn: return transfer_in(queue, chain, sector, data_in);
    case kTypeOut: return transfer_out(queue, chain, sector, data_out);
    case kTypeFlush: return backend_->flush() ? kStatusOk : kStatusIoError;
    case kTypeGetId: return get_id(queue, chain, data_in);
    default: return kStatusUnsupported;
  }
}

void VirtioBlk::process(unsigned queue_index) {
  Virtqueue* queue = transport_ ? transport_->active_queue(queue_index) : nullptr;
  if (!queue) return;
  bool completed = false;
  while (std::optional<DescriptorChain> chain = queue->pop()) {
    uint8_t header[kHeaderSize];
    if (chain->readable_bytes < kHeaderSize || chain->writable_bytes < 1 || !queue->read_from(*chain, 0, header)) {
      transport_->device_error("virtio-blk: request without header or status byte");
      return;
    }
    uint32_t type = static_cast<uint32_t>(load_le(header, 4));
    uint64_t sector = load_le(header + 8, 8);
    uint8_t status = execute(*queue, *chain, type, sector);
    queue->write_to(*chain, chain->writable_bytes - 1, std::span<const uint8_t>(&status, 1));
    // The used length counts the whole device-writable part, as QEMU
    // reports it; drivers read only the status.
    queue->push(chain->head, static_cast<uint32_t>(std::min<uint64_t>(chain->writable_bytes, UINT32_MAX)));
    completed = true;
  }
  if (completed) transport_->notify_used(queue_index);
}

void VirtioBlk::save(StateWriter& out) const {
  // Requests never stay in flight, so only the identity is state: it lets
  // a restore detect a different disk.
  out.u8(kStateVersion);
  out.u64(capacity_sectors_);
}

void VirtioBlk::load(StateReader& in) {
  if (in.u8() != kStateVersion) throw StateError("virtio-blk: unsupported state version");
  if (in.u64() != capacity_sectors_) throw StateError("virtio-blk: state is for a disk of another size");
}

}  // namespace emu
