// Guest output to a host file descriptor that must never stall the machine
// (a file, a FIFO): writes what the descriptor takes and drops the rest on
// any error, a full non-blocking FIFO included. The guest cannot tell.
#pragma once

#include <cerrno>
#include <cstdint>
#include <span>
#include <unistd.h>

namespace emu {

inline void write_or_drop(int fd, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t written = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (written > 0) {
      done += static_cast<size_t>(written);
    } else if (!(written < 0 && errno == EINTR)) {
      return;
    }
  }
}

}  // namespace emu
