// The host side of virtio-rng: answers a device's entropy request by reading
// the host's random source and queueing the bytes as an InputKind::Entropy
// input stamped with the current icount (architecture.md: entropy enters the
// guest only through the InputQueue). The board registers the queue consumer
// that hands the input's payload to VirtioRng::provide_entropy().
//
// In replay the log supplies the inputs: host reads are switched off and
// request() does nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "emu/core/input_queue.h"
#include "emu/core/virtual_clock.h"

namespace emu {

class EntropySource {
 public:
  static constexpr const char* kDefaultPath = "/dev/urandom";
  // A request larger than this is cut short (VirtioRng asks for at most 4 KiB).
  static constexpr size_t kMaxRequestBytes = 65536;

  // target is the InputQueue target id the device's consumer listens on.
  // inputs and clock must outlive the source. Throws std::runtime_error if
  // path cannot be opened.
  EntropySource(InputQueue& inputs, const VirtualClock& clock, uint32_t target, std::string path = kDefaultPath);
  ~EntropySource();
  EntropySource(const EntropySource&) = delete;
  EntropySource& operator=(const EntropySource&) = delete;

  // Reads `bytes` from the host source and queues them. A failed host read
  // queues nothing (the guest's buffer keeps waiting, as with a starved
  // source on real hardware).
  void request(size_t bytes);

  // Replay turns host reads off.
  void set_host_reads_enabled(bool enabled) { host_reads_enabled_ = enabled; }
  uint32_t target() const { return target_; }

 private:
  InputQueue& inputs_;
  const VirtualClock& clock_;
  uint32_t target_;
  std::string path_;
  int fd_ = -1;
  bool host_reads_enabled_ = true;
};

}  // namespace emu
