#include "emu/chardev/pipe_chardev.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "emu/chardev/chardev_factory.h"
#include "emu/chardev/write_or_drop.h"

namespace emu {
namespace {

// Bounded so one chatty host cannot hold the machine loop in a poll.
constexpr size_t kMaxReadPerPoll = 64 * 1024;

int open_nonblocking(const std::string& path) {
  return ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

}  // namespace

PipeChardev::PipeChardev(std::string path) : path_(std::move(path)) {
  input_fd_ = open_nonblocking(path_ + ".in");
  output_fd_ = open_nonblocking(path_ + ".out");
  if (input_fd_ >= 0 && output_fd_ >= 0) return;
  if (input_fd_ >= 0) ::close(input_fd_);
  if (output_fd_ >= 0) ::close(output_fd_);
  input_fd_ = output_fd_ = open_nonblocking(path_);
  if (input_fd_ < 0) {
    throw ChardevError("could not open '" + path_ + "' (nor '" + path_ + ".in' and '" + path_ +
                       ".out'): " + std::strerror(errno));
  }
}

PipeChardev::~PipeChardev() {
  if (output_fd_ >= 0 && output_fd_ != input_fd_) ::close(output_fd_);
  if (input_fd_ >= 0) ::close(input_fd_);
}

void PipeChardev::write(std::span<const uint8_t> bytes) { write_or_drop(output_fd_, bytes); }

size_t PipeChardev::poll_input(std::vector<uint8_t>& out) {
  const size_t start = out.size();
  uint8_t buffer[4096];
  while (out.size() - start < kMaxReadPerPoll) {
    ssize_t got = ::read(input_fd_, buffer, sizeof buffer);
    if (got > 0) {
      out.insert(out.end(), buffer, buffer + got);
    } else if (!(got < 0 && errno == EINTR)) {
      break;  // EAGAIN: nothing more now (opened read-write, a FIFO never reports end of file)
    }
  }
  return out.size() - start;
}

}  // namespace emu
