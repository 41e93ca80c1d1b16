// Character device backends (QEMU's -chardev): where a UART's output goes and
// where its input comes from. Host input never reaches a device directly: the
// machine loop polls backends and pushes what they read into the InputQueue.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace emu {

class Chardev {
 public:
  virtual ~Chardev() = default;
  // Guest output. Never blocks the machine for long; a backend with no reader
  // (a socket with no client) drops the bytes, as QEMU does.
  virtual void write(std::span<const uint8_t> bytes) = 0;
  // Appends host input available now without blocking; returns bytes appended.
  virtual size_t poll_input(std::vector<uint8_t>& out) {
    (void)out;
    return 0;
  }
  // A host file descriptor the machine loop may wait on for input, or -1.
  virtual int input_fd() const { return -1; }
  virtual std::string describe() const = 0;  // for `info chardev`: "stdio", "file:out.log", ...
};

}  // namespace emu
