// virtio entropy device; see virtio_rng.h. Section numbers are virtio 1.2's.
#include "emu/hw/virtio/virtio_rng.h"

#include <algorithm>

#include "emu/hw/virtio/virtqueue.h"

namespace emu {

namespace {

constexpr unsigned kRequestQueue = 0;
constexpr uint8_t kStateVersion = 1;

// 5.4.6.1: the driver posts only device-writable buffers.
bool well_formed(const DescriptorChain& chain) { return chain.readable.empty() && chain.writable_bytes > 0; }

}  // namespace

VirtioRng::VirtioRng(EntropyRequest request) : request_(std::move(request)) {}

void VirtioRng::request_more() {
  if (requested_ != 0 || !transport_) return;
  Virtqueue* queue = transport_->active_queue(kRequestQueue);
  if (!queue) return;
  std::optional<DescriptorChain> chain = queue->peek();
  if (!chain) return;
  if (!well_formed(*chain)) {
    transport_->device_error("virtio-rng: buffer is not device-writable");
    return;
  }
  requested_ = std::min<uint64_t>(chain->writable_bytes, kMaxRequestBytes);
  if (request_) request_(static_cast<size_t>(requested_));
}

void VirtioRng::process(unsigned queue) {
  if (queue == kRequestQueue) request_more();
}

void VirtioRng::provide_entropy(std::span<const uint8_t> bytes) {
  requested_ -= std::min<uint64_t>(requested_, bytes.size());
  Virtqueue* queue = transport_ ? transport_->active_queue(kRequestQueue) : nullptr;
  if (!queue) return;
  bool completed = false;
  while (!bytes.empty()) {
    std::optional<DescriptorChain> chain = queue->pop();
    if (!chain) break;
    if (!well_formed(*chain)) {
      transport_->device_error("virtio-rng: buffer is not device-writable");
      return;
    }
    // 5.4.6.1: one or more bytes per buffer; a short delivery fills part.
    size_t count = static_cast<size_t>(std::min<uint64_t>(chain->writable_bytes, bytes.size()));
    queue->write_to(*chain, 0, bytes.first(count));
    queue->push(chain->head, static_cast<uint32_t>(count));
    bytes = bytes.subspan(count);
    completed = true;
  }
  if (completed) transport_->notify_used(kRequestQueue);
  request_more();
}

void VirtioRng::save(StateWriter& out) const {
  out.u8(kStateVersion);
  out.u64(requested_);
}

void VirtioRng::load(StateReader& in) {
  if (in.u8() != kStateVersion) throw StateError("virtio-rng: unsupported state version");
  uint64_t requested = in.u64();
  if (requested > kMaxRequestBytes) throw StateError("virtio-rng: impossible outstanding request");
  requested_ = requested;
}

}  // namespace emu
