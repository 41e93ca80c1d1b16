#include "emu/chardev/file_chardev.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "emu/chardev/chardev_factory.h"

namespace emu {

FileChardev::FileChardev(std::string path, bool append) : path_(std::move(path)) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  fd_ = ::open(path_.c_str(), flags, 0666);
  if (fd_ < 0) throw ChardevError("could not open '" + path_ + "': " + std::strerror(errno));
}

FileChardev::~FileChardev() {
  if (fd_ >= 0) ::close(fd_);
}

void FileChardev::write(std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t written = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (written > 0) {
      done += static_cast<size_t>(written);
    } else if (!(written < 0 && errno == EINTR)) {
      return;  // disk full or similar: drop, the guest must not notice
    }
  }
}

}  // namespace emu
