#include "emu/block/overlay_backend.h"

#include <algorithm>
#include <cstring>

namespace emu {

OverlayBackend::OverlayBackend(std::shared_ptr<BlockBackend> base, bool guest_read_only)
    : base_(std::move(base)), guest_read_only_(guest_read_only) {}

template <typename Visit>
bool OverlayBackend::for_each_block_piece(uint64_t offset, size_t length, Visit visit) {
  size_t done = 0;
  while (done < length) {
    const uint64_t position = offset + done;
    const uint64_t within = position % kBlockBytes;
    const size_t piece = static_cast<size_t>(std::min<uint64_t>(kBlockBytes - within, length - done));
    if (!visit(position / kBlockBytes, within, done, piece)) return false;
    done += piece;
  }
  return true;
}

bool OverlayBackend::read(uint64_t offset, std::span<uint8_t> out) {
  if (offset + out.size() < offset) return false;
  return for_each_block_piece(offset, out.size(), [&](uint64_t block, uint64_t within, size_t done, size_t length) {
    auto found = blocks_.find(block);
    if (found != blocks_.end()) {
      std::memcpy(out.data() + done, found->second.data() + within, length);
      return true;
    }
    return base_->read(block * kBlockBytes + within, out.subspan(done, length));
  });
}

bool OverlayBackend::write(uint64_t offset, std::span<const uint8_t> data) {
  if (guest_read_only_ || offset + data.size() < offset || offset + data.size() > size()) return false;
  return for_each_block_piece(offset, data.size(), [&](uint64_t block, uint64_t within, size_t done, size_t length) {
    auto found = blocks_.find(block);
    if (found == blocks_.end()) {
      std::array<uint8_t, kBlockBytes> contents{};
      // The base returns zeros past its end, so a last partial block works.
      if (!base_->read(block * kBlockBytes, contents)) return false;
      found = blocks_.emplace(block, contents).first;
    }
    std::memcpy(found->second.data() + within, data.data() + done, length);
    return true;
  });
}

}  // namespace emu
