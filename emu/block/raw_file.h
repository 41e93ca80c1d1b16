// A raw image: the file's bytes are the disk's bytes (QEMU's format=raw over
// its file protocol). pread/pwrite at the guest's offset, no caching of our
// own.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "emu/block/block_backend.h"

namespace emu {

class RawFileBackend : public BlockBackend {
 public:
  // Opens path read-write, or read-only (QEMU's readonly=on). Throws
  // BlockError if the file cannot be opened or is not a regular file or
  // block device.
  explicit RawFileBackend(std::string path, bool read_only = false);
  ~RawFileBackend() override;
  RawFileBackend(const RawFileBackend&) = delete;
  RawFileBackend& operator=(const RawFileBackend&) = delete;

  uint64_t size() const override { return size_; }
  bool read_only() const override { return read_only_; }
  std::string filename() const override { return path_; }

  bool read(uint64_t offset, std::span<uint8_t> out) override;
  bool write(uint64_t offset, std::span<const uint8_t> data) override;
  bool flush() override;

 private:
  std::string path_;
  bool read_only_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace emu
