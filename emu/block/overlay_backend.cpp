#include "emu/block/overlay_backend.h"

#include <algorithm>
#include <cstring>

namespace emu {

OverlayBackend::OverlayBackend(std::shared_ptr<BlockBackend> base, bool guest_read_only)
    : base_(std::move(base)), guest_read_only_(guest_read_only) {}

bool OverlayBackend::read(uint64_t offset, std::span<uint8_t> out) {
  if (offset + out.size() < offset) return false;
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t position = offset + done;
    const uint64_t block = position / kBlockBytes;
    const uint64_t within = position % kBlockBytes;
    const size_t length = static_cast<size_t>(std::min<uint64_t>(kBlockBytes - within, out.size() - done));
    auto found = blocks_.find(block);
    if (found != blocks_.end()) {
      std::memcpy(out.data() + done, found->second.data() + within, length);
    } else if (!base_->read(position, out.subspan(done, length))) {
      return false;
    }
    done += length;
  }
  return true;
}

bool OverlayBackend::write(uint64_t offset, std::span<const uint8_t> data) {
  if (guest_read_only_ || offset + data.size() < offset || offset + data.size() > size()) return false;
  size_t done = 0;
  while (done < data.size()) {
    const uint64_t position = offset + done;
    const uint64_t block = position / kBlockBytes;
    const uint64_t within = position % kBlockBytes;
    const size_t length = static_cast<size_t>(std::min<uint64_t>(kBlockBytes - within, data.size() - done));
    auto found = blocks_.find(block);
    if (found == blocks_.end()) {
      std::array<uint8_t, kBlockBytes> contents{};
      // The base returns zeros past its end, so a last partial block works.
      if (!base_->read(block * kBlockBytes, contents)) return false;
      found = blocks_.emplace(block, contents).first;
    }
    std::memcpy(found->second.data() + within, data.data() + done, length);
    done += length;
  }
  return true;
}

}  // namespace emu
