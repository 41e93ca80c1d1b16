// The two sides of a virtio device (virtio 1.2, chapter 2 and 4):
//   - VirtioDevice: a device type (block, entropy, ...). It knows its
//     feature bits, configuration space and what to do with buffers.
//   - VirtioTransport: how the guest reaches it (virtio-mmio now, virtio-pci
//     later). The transport owns the registers, the device status, feature
//     negotiation and the virtqueues, and raises interrupts.
// A device only sees the VirtioTransport interface, so a device type works
// unchanged on every transport.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "emu/core/state_stream.h"

namespace emu {

class Virtqueue;

namespace virtio {

// Device IDs (virtio 1.2, 5 "Device Types").
inline constexpr uint32_t kDeviceIdNone = 0;  // an empty slot
inline constexpr uint32_t kDeviceIdBlock = 2;
inline constexpr uint32_t kDeviceIdEntropy = 4;

// Device status bits (2.1).
inline constexpr uint32_t kStatusAcknowledge = 1;
inline constexpr uint32_t kStatusDriver = 2;
inline constexpr uint32_t kStatusDriverOk = 4;
inline constexpr uint32_t kStatusFeaturesOk = 8;
inline constexpr uint32_t kStatusDeviceNeedsReset = 0x40;
inline constexpr uint32_t kStatusFailed = 0x80;

// Reserved (device-independent) feature bits (6).
inline constexpr unsigned kFeatureIndirectDesc = 28;  // VIRTIO_F_INDIRECT_DESC
inline constexpr unsigned kFeatureEventIdx = 29;      // VIRTIO_F_EVENT_IDX
inline constexpr unsigned kFeatureVersion1 = 32;      // VIRTIO_F_VERSION_1

constexpr uint64_t feature_bit(unsigned bit) { return uint64_t{1} << bit; }

}  // namespace virtio

class VirtioTransport {
 public:
  virtual ~VirtioTransport() = default;

  // The queue if the device may use it now: the driver has set DRIVER_OK and
  // enabled the queue, and the device is not in the needs-reset state
  // (2.1.2, 3.1.1). nullptr otherwise.
  virtual Virtqueue* active_queue(unsigned index) = 0;

  // Features the driver accepted (valid once FEATURES_OK is set).
  virtual uint64_t driver_features() const = 0;

  // The device put buffers in queue's used ring: send a used buffer
  // notification unless the driver suppressed it (2.7.7, 2.7.10).
  virtual void notify_used(unsigned queue) = 0;

  // The driver broke the protocol (a malformed request or ring): enter the
  // DEVICE_NEEDS_RESET state and tell the driver (2.1.2). Queues stop until
  // the driver resets the device.
  virtual void device_error(std::string_view reason) = 0;
};

class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;

  virtual std::string_view name() const = 0;
  virtual uint32_t device_id() const = 0;

  // Device-type feature bits (bits 0-23). The transport adds the reserved
  // bits it implements (VERSION_1, INDIRECT_DESC, EVENT_IDX).
  virtual uint64_t features() const = 0;

  virtual unsigned queue_count() const = 0;
  // Largest queue size the device supports; a power of 2 (2.7).
  virtual uint16_t queue_max_size(unsigned queue) const = 0;

  // Device configuration space, little-endian (2.5). The transport bounds
  // every access to config_size().
  virtual uint32_t config_size() const = 0;
  virtual void read_config(uint32_t offset, std::span<uint8_t> out) const = 0;
  virtual void write_config(uint32_t /*offset*/, std::span<const uint8_t> /*data*/) {}

  // The driver made buffers available in `queue` (a queue notification, or
  // the device just became live with buffers already posted). Only called
  // while active_queue(queue) is non-null.
  virtual void process(unsigned queue) = 0;

  // Device reset (status 0 or machine reset): forget everything in flight.
  virtual void reset() = 0;

  // Device-type state; the transport saves its own registers and queues.
  // load() throws StateError and leaves the device unchanged on bad input.
  virtual void save(StateWriter& out) const = 0;
  virtual void load(StateReader& in) = 0;

  // Called once by the transport the device is plugged into.
  void attach(VirtioTransport* transport) { transport_ = transport; }

 protected:
  VirtioTransport* transport_ = nullptr;
};

}  // namespace emu
