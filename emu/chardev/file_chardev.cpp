#include "emu/chardev/file_chardev.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "emu/chardev/chardev_factory.h"
#include "emu/chardev/write_or_drop.h"

namespace emu {

FileChardev::FileChardev(std::string path, bool append) : path_(std::move(path)) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  fd_ = ::open(path_.c_str(), flags, 0666);
  if (fd_ < 0) throw ChardevError("could not open '" + path_ + "': " + std::strerror(errno));
}

FileChardev::~FileChardev() {
  if (fd_ >= 0) ::close(fd_);
}

void FileChardev::write(std::span<const uint8_t> bytes) { write_or_drop(fd_, bytes); }

}  // namespace emu
