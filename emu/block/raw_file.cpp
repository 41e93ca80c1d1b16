#include "emu/block/raw_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

namespace emu {

namespace {

// pread/pwrite take off_t; ranges beyond it are refused, not wrapped.
constexpr uint64_t kMaxOffset = static_cast<uint64_t>(std::numeric_limits<off_t>::max());

bool range_fits(uint64_t offset, uint64_t length) { return offset <= kMaxOffset && length <= kMaxOffset - offset; }

}  // namespace

RawFileBackend::RawFileBackend(std::string path, bool read_only) : path_(std::move(path)), read_only_(read_only) {
  fd_ = ::open(path_.c_str(), (read_only_ ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd_ < 0) throw BlockError("could not open '" + path_ + "': " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    int error = errno;
    ::close(fd_);
    throw BlockError("could not open '" + path_ + "': " + std::strerror(error));
  }
  if (S_ISREG(info.st_mode)) {
    size_ = static_cast<uint64_t>(info.st_size);
  } else if (S_ISBLK(info.st_mode)) {
    off_t end = ::lseek(fd_, 0, SEEK_END);
    size_ = end < 0 ? 0 : static_cast<uint64_t>(end);
  } else {
    ::close(fd_);
    throw BlockError("could not open '" + path_ + "': not a regular file or block device");
  }
}

RawFileBackend::~RawFileBackend() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawFileBackend::read(uint64_t offset, std::span<uint8_t> out) {
  if (!range_fits(offset, out.size())) return false;
  size_t done = 0;
  while (done < out.size()) {
    ssize_t got = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (got > 0) {
      done += static_cast<size_t>(got);
    } else if (got == 0) {
      // End of file: the rest of the image reads as zeros, as QEMU's raw
      // driver does for a file whose size is not a multiple of the sector.
      std::memset(out.data() + done, 0, out.size() - done);
      return true;
    } else if (errno != EINTR) {
      return false;
    }
  }
  return true;
}

bool RawFileBackend::write(uint64_t offset, std::span<const uint8_t> data) {
  if (read_only_ || !range_fits(offset, data.size())) return false;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t put = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (put > 0) {
      done += static_cast<size_t>(put);
    } else if (put == 0 || errno != EINTR) {
      return false;  // disk full, I/O error
    }
  }
  if (offset + data.size() > size_) size_ = offset + data.size();
  return true;
}

bool RawFileBackend::flush() {
  if (read_only_) return true;
  while (::fdatasync(fd_) != 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

}  // namespace emu
