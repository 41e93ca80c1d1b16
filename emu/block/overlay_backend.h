// A temporary copy-on-write layer over another backend: guest writes land in
// host memory, reads see them over the base image, and the base is opened
// read-only and never modified. Record and replay run every disk through one
// (docs/replay.md): a replay must start from the image the recording saw and
// must leave the user's disk as it was. The overlay is dropped with the VM.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "emu/block/block_backend.h"

namespace emu {

class OverlayBackend : public BlockBackend {
 public:
  static constexpr uint64_t kBlockBytes = 4096;

  // guest_read_only: the drive as the guest sees it (readonly=on refuses
  // writes as the plain backend would).
  OverlayBackend(std::shared_ptr<BlockBackend> base, bool guest_read_only);

  uint64_t size() const override { return base_->size(); }
  bool read_only() const override { return guest_read_only_; }
  std::string filename() const override { return base_->filename(); }

  bool read(uint64_t offset, std::span<uint8_t> out) override;
  bool write(uint64_t offset, std::span<const uint8_t> data) override;
  bool flush() override { return true; }  // nothing is durable, by design

  size_t dirty_blocks() const { return blocks_.size(); }

 private:
  // Calls visit(block index, offset within the block, offset within the
  // request, length) for each block piece of [offset, offset + length);
  // stops at the first false.
  template <typename Visit>
  static bool for_each_block_piece(uint64_t offset, size_t length, Visit visit);

  std::shared_ptr<BlockBackend> base_;
  bool guest_read_only_;
  std::map<uint64_t, std::array<uint8_t, kBlockBytes>> blocks_;  // block index -> contents
};

}  // namespace emu
