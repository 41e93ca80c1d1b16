#include "emu/hw/virtio/entropy_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace emu {

EntropySource::EntropySource(InputQueue& inputs, const VirtualClock& clock, uint32_t target, std::string path)
    : inputs_(inputs), clock_(clock), target_(target), path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("could not open entropy source '" + path_ + "': " + std::strerror(errno));
}

EntropySource::~EntropySource() {
  if (fd_ >= 0) ::close(fd_);
}

void EntropySource::request(size_t bytes) {
  if (!host_reads_enabled_ || bytes == 0) return;
  std::vector<uint8_t> payload(std::min(bytes, kMaxRequestBytes));
  size_t done = 0;
  while (done < payload.size()) {
    ssize_t got = ::read(fd_, payload.data() + done, payload.size() - done);
    if (got > 0) {
      done += static_cast<size_t>(got);
    } else if (got == 0 || errno != EINTR) {
      break;
    }
  }
  if (done == 0) return;
  payload.resize(done);
  inputs_.push(clock_.icount(), InputKind::Entropy, target_, std::move(payload));
}

}  // namespace emu
