// virtio entropy device (virtio 1.2, 5.4): one queue of device-writable
// buffers that the device fills with random bytes. No feature bits, no
// configuration space.
//
// Entropy is a host input (architecture.md, the replay boundary): the device
// never reads a host random source. When the driver posts a buffer, the
// device asks for bytes through its request callback (the board connects it
// to an EntropySource, which reads the host and queues an InputKind::Entropy
// input; in replay the log supplies the input instead). The bytes reach the
// device only through provide_entropy(), called when the InputQueue delivers
// the input; they fill posted buffers in order. One request is outstanding
// at a time; when it is answered and more buffers wait, the next follows.
// Bytes that find no buffer (the driver reset the device meanwhile) are
// dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "emu/hw/virtio/virtio_device.h"

namespace emu {

class VirtioRng : public VirtioDevice {
 public:
  static constexpr uint16_t kQueueSize = 8;         // as QEMU's virtio-rng
  static constexpr size_t kMaxRequestBytes = 4096;  // one request fills at most this much

  using EntropyRequest = std::function<void(size_t bytes)>;

  // request may be empty (tests feed provide_entropy directly).
  explicit VirtioRng(EntropyRequest request);

  // Host input: random bytes for the guest (see above).
  void provide_entropy(std::span<const uint8_t> bytes);

  // Bytes asked for and not yet delivered.
  uint64_t outstanding_request() const { return requested_; }

  std::string_view name() const override { return "virtio-rng"; }
  uint32_t device_id() const override { return virtio::kDeviceIdEntropy; }
  uint64_t features() const override { return 0; }
  unsigned queue_count() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  uint32_t config_size() const override { return 0; }
  void read_config(uint32_t, std::span<uint8_t>) const override {}
  void process(unsigned queue) override;
  void reset() override { requested_ = 0; }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

 private:
  void request_more();

  EntropyRequest request_;
  uint64_t requested_ = 0;
};

}  // namespace emu
