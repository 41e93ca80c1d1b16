// A block device's storage as device models see it: a byte-addressed image
// of fixed size. Formats (raw now; qcow2 and backing-file overlays later)
// implement it; virtio-blk and future disk models use only this interface.
//
// Calls are synchronous: the machine thread waits for host I/O, so a guest
// request completes at the same instruction on every run
// (architecture.md, the replay boundary).
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace emu {

// Opening an image failed (missing file, no permission, bad format). The
// message is one line and names the file.
class BlockError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BlockBackend {
 public:
  virtual ~BlockBackend() = default;

  // Image size in bytes.
  virtual uint64_t size() const = 0;
  virtual bool read_only() const = 0;
  // What `info block` shows: the file name.
  virtual std::string filename() const = 0;

  // Guest I/O. They return false on a host I/O error, on a write to a
  // read-only image and on a range that overflows; the device model turns
  // that into its own error status and never aborts. Reads beyond the end
  // of the image return zeros.
  virtual bool read(uint64_t offset, std::span<uint8_t> out) = 0;
  virtual bool write(uint64_t offset, std::span<const uint8_t> data) = 0;
  // Makes completed writes durable (fdatasync for files).
  virtual bool flush() = 0;
};

}  // namespace emu
