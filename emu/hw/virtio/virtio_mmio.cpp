// virtio-mmio transport; see virtio_mmio.h for the register map. Section
// numbers are virtio 1.2's.
#include "emu/hw/virtio/virtio_mmio.h"

#include <stdexcept>

namespace emu {

namespace {

constexpr uint64_t kMagicValueRegister = 0x000;
constexpr uint64_t kVersionRegister = 0x004;
constexpr uint64_t kDeviceIdRegister = 0x008;
constexpr uint64_t kVendorIdRegister = 0x00c;
constexpr uint64_t kDeviceFeatures = 0x010;
constexpr uint64_t kDeviceFeaturesSelect = 0x014;
constexpr uint64_t kDriverFeatures = 0x020;
constexpr uint64_t kDriverFeaturesSelect = 0x024;
constexpr uint64_t kQueueSelect = 0x030;
constexpr uint64_t kQueueNumMax = 0x034;
constexpr uint64_t kQueueNum = 0x038;
constexpr uint64_t kQueueReady = 0x044;
constexpr uint64_t kQueueNotify = 0x050;
constexpr uint64_t kInterruptStatus = 0x060;
constexpr uint64_t kInterruptAck = 0x064;
constexpr uint64_t kStatus = 0x070;
constexpr uint64_t kQueueDescLow = 0x080;
constexpr uint64_t kQueueDescHigh = 0x084;
constexpr uint64_t kQueueDriverLow = 0x090;
constexpr uint64_t kQueueDriverHigh = 0x094;
constexpr uint64_t kQueueDeviceLow = 0x0a0;
constexpr uint64_t kQueueDeviceHigh = 0x0a4;
constexpr uint64_t kSharedMemorySelect = 0x0ac;
constexpr uint64_t kSharedMemoryLengthLow = 0x0b0;
constexpr uint64_t kSharedMemoryBaseHigh = 0x0bc;
constexpr uint64_t kConfigGeneration = 0x0fc;
constexpr uint64_t kConfigSpace = 0x100;

// InterruptStatus bits (4.2.2).
constexpr uint32_t kInterruptUsedBuffer = 1;
constexpr uint32_t kInterruptConfigChange = 2;

// The reserved features this transport and Virtqueue implement.
constexpr uint64_t kTransportFeatures = virtio::feature_bit(virtio::kFeatureVersion1) |
                                        virtio::feature_bit(virtio::kFeatureIndirectDesc) |
                                        virtio::feature_bit(virtio::kFeatureEventIdx);
// Device types own bits 0-23 (6).
constexpr uint64_t kDeviceTypeFeatureMask = 0xffffff;

constexpr uint8_t kStateVersion = 1;

uint64_t replace_low_half(uint64_t value, uint32_t low) { return (value & ~0xffffffffull) | low; }
uint64_t replace_high_half(uint64_t value, uint32_t high) { return (value & 0xffffffffull) | (uint64_t{high} << 32); }

}  // namespace

VirtioMmio::VirtioMmio(const PhysicalBus& bus, InterruptLine* irq, std::string name)
    : bus_(bus), irq_(irq), name_(std::move(name)) {}

VirtioMmio::~VirtioMmio() = default;

void VirtioMmio::plug(std::unique_ptr<VirtioDevice> device) {
  if (device_) throw std::logic_error("virtio-mmio: slot already holds a device");
  if (!device) return;
  device_ = std::move(device);
  device_->attach(this);
  queues_.clear();
  for (unsigned index = 0; index < device_->queue_count(); ++index) {
    queues_.push_back(std::make_unique<Virtqueue>(bus_, device_->queue_max_size(index),
                                                  [this](std::string_view reason) { device_error(reason); }));
  }
  reset_device();
}

uint64_t VirtioMmio::offered_features() const {
  if (!device_) return 0;
  return (device_->features() & kDeviceTypeFeatureMask) | kTransportFeatures;
}

void VirtioMmio::update_interrupt() {
  if (irq_) irq_->set(interrupt_status_ != 0);
}

Virtqueue* VirtioMmio::selected_queue() {
  return queue_select_ < queues_.size() ? queues_[queue_select_].get() : nullptr;
}

Virtqueue* VirtioMmio::active_queue(unsigned index) {
  if (index >= queues_.size() || broken_ || !(status_ & virtio::kStatusDriverOk)) return nullptr;
  Virtqueue* queue = queues_[index].get();
  return queue->ready() && !queue->broken() ? queue : nullptr;
}

void VirtioMmio::notify_used(unsigned queue) {
  if (queue >= queues_.size() || !queues_[queue]->should_notify()) return;
  interrupt_status_ |= kInterruptUsedBuffer;
  update_interrupt();
}

void VirtioMmio::device_error(std::string_view reason) {
  last_error_ = reason;
  broken_ = true;
  for (auto& queue : queues_) queue->mark_broken();
  status_ |= virtio::kStatusDeviceNeedsReset;
  // 2.1.2: once DRIVER_OK is set, the driver learns of it through a
  // configuration change notification.
  if (status_ & virtio::kStatusDriverOk) {
    interrupt_status_ |= kInterruptConfigChange;
    update_interrupt();
  }
}

void VirtioMmio::reset_device() {
  // 2.4 / 4.2.3.1: status 0 returns the device and every queue to their
  // initial state; the interrupt is withdrawn.
  if (device_) device_->reset();
  for (auto& queue : queues_) queue->reset();
  status_ = 0;
  device_features_select_ = 0;
  driver_features_ = 0;
  driver_features_select_ = 0;
  queue_select_ = 0;
  interrupt_status_ = 0;
  shared_memory_select_ = 0;
  broken_ = false;
  update_interrupt();
}

void VirtioMmio::reset() {
  reset_device();
  config_generation_ = 0;
  last_error_.clear();
}

bool VirtioMmio::features_acceptable() const {
  // 3.1.1: the driver may only accept offered features. Without
  // VERSION_1 it would expect the legacy interface, which this transport
  // does not have (4.2.4).
  return (driver_features_ & ~offered_features()) == 0 &&
         (driver_features_ & virtio::feature_bit(virtio::kFeatureVersion1)) != 0;
}

void VirtioMmio::write_status(uint32_t value) {
  if (value == 0) {
    reset_device();
    return;
  }
  const uint32_t old = status_;
  // DEVICE_NEEDS_RESET belongs to the device: the driver cannot clear it.
  uint32_t next = (value & 0xff & ~virtio::kStatusDeviceNeedsReset) | (old & virtio::kStatusDeviceNeedsReset);
  if ((next & virtio::kStatusFeaturesOk) && !(old & virtio::kStatusFeaturesOk)) {
    // 3.1.1 step 5-6: refusing leaves FEATURES_OK clear when read back.
    if (!features_acceptable()) {
      next &= ~virtio::kStatusFeaturesOk;
    } else {
      bool event_index = (driver_features_ & virtio::feature_bit(virtio::kFeatureEventIdx)) != 0;
      for (auto& queue : queues_) queue->set_event_index(event_index);
    }
  }
  status_ = next;
  if ((next & virtio::kStatusDriverOk) && !(old & virtio::kStatusDriverOk)) {
    if (next & virtio::kStatusDeviceNeedsReset) {
      // An error found during setup (a bad queue) is reported now, when the
      // driver starts listening (2.1.2).
      interrupt_status_ |= kInterruptConfigChange;
      update_interrupt();
      return;
    }
    // Buffers posted before DRIVER_OK wait until now (the device must not
    // use them earlier).
    for (unsigned index = 0; index < queues_.size(); ++index) {
      if (active_queue(index)) device_->process(index);
    }
  }
}

uint64_t VirtioMmio::read_register(uint64_t offset) {
  switch (offset) {
    case kMagicValueRegister: return kMagicValue;
    case kVersionRegister: return kVersion;
    case kVendorIdRegister: return kVendorId;
    default: break;
  }
  if (!device_) return 0;
  switch (offset) {
    case kDeviceIdRegister: return device_->device_id();
    case kDeviceFeatures:
      if (device_features_select_ == 0) return offered_features() & 0xffffffff;
      if (device_features_select_ == 1) return offered_features() >> 32;
      return 0;
    case kQueueNumMax: {
      Virtqueue* queue = selected_queue();
      return queue ? queue->max_size() : 0;
    }
    case kQueueReady: {
      Virtqueue* queue = selected_queue();
      return queue && queue->ready() ? 1 : 0;
    }
    case kInterruptStatus: return interrupt_status_;
    case kStatus: return status_;
    case kConfigGeneration: return config_generation_;
    default:
      // No shared memory regions: their length and base read as all ones.
      if (offset >= kSharedMemoryLengthLow && offset <= kSharedMemoryBaseHigh) return 0xffffffff;
      return 0;  // write-only and reserved registers
  }
}

void VirtioMmio::write_register(uint64_t offset, uint32_t value) {
  if (!device_) return;
  Virtqueue* queue = selected_queue();
  switch (offset) {
    case kDeviceFeaturesSelect: device_features_select_ = value; break;
    case kDriverFeatures:
      if (status_ & virtio::kStatusFeaturesOk) break;  // negotiation is over (3.1.1)
      if (driver_features_select_ == 0) driver_features_ = replace_low_half(driver_features_, value);
      if (driver_features_select_ == 1) driver_features_ = replace_high_half(driver_features_, value);
      break;
    case kDriverFeaturesSelect: driver_features_select_ = value; break;
    case kQueueSelect: queue_select_ = value; break;
    case kQueueNum:
      if (queue) queue->set_size(value);
      break;
    case kQueueReady:
      if (!queue) break;
      if (value & 1) {
        if (!broken_) queue->enable();
      } else {
        queue->disable();
      }
      break;
    case kQueueNotify: {
      unsigned index = value & 0xffff;
      if (active_queue(index)) device_->process(index);
      break;
    }
    case kInterruptAck:
      interrupt_status_ &= ~value;
      update_interrupt();
      break;
    case kStatus: write_status(value); break;
    case kQueueDescLow:
      if (queue) queue->set_descriptor_area(replace_low_half(queue->registers().descriptor_area, value));
      break;
    case kQueueDescHigh:
      if (queue) queue->set_descriptor_area(replace_high_half(queue->registers().descriptor_area, value));
      break;
    case kQueueDriverLow:
      if (queue) queue->set_driver_area(replace_low_half(queue->registers().driver_area, value));
      break;
    case kQueueDriverHigh:
      if (queue) queue->set_driver_area(replace_high_half(queue->registers().driver_area, value));
      break;
    case kQueueDeviceLow:
      if (queue) queue->set_device_area(replace_low_half(queue->registers().device_area, value));
      break;
    case kQueueDeviceHigh:
      if (queue) queue->set_device_area(replace_high_half(queue->registers().device_area, value));
      break;
    case kSharedMemorySelect: shared_memory_select_ = value; break;
    default: break;
  }
}

uint64_t VirtioMmio::read_config(uint64_t offset, unsigned size) const {
  if (!device_ || offset > device_->config_size() || size > device_->config_size() - offset) return 0;
  uint8_t bytes[8] = {};
  device_->read_config(static_cast<uint32_t>(offset), std::span<uint8_t>(bytes, size));
  uint64_t value = 0;
  for (unsigned i = size; i-- > 0;) value = (value << 8) | bytes[i];
  return value;
}

void VirtioMmio::write_config(uint64_t offset, uint64_t value, unsigned size) {
  if (!device_ || offset > device_->config_size() || size > device_->config_size() - offset) return;
  uint8_t bytes[8];
  for (unsigned i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  device_->write_config(static_cast<uint32_t>(offset), std::span<const uint8_t>(bytes, size));
}

uint64_t VirtioMmio::read(uint64_t offset, unsigned size) {
  if (offset >= kConfigSpace) return read_config(offset - kConfigSpace, size);
  // 4.2.2.2: control registers are 32 bits wide and aligned.
  if (size != 4 || offset % 4 != 0) return 0;
  return read_register(offset);
}

void VirtioMmio::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset >= kConfigSpace) {
    write_config(offset - kConfigSpace, value, size);
    return;
  }
  if (size != 4 || offset % 4 != 0) return;
  write_register(offset, static_cast<uint32_t>(value));
}

void VirtioMmio::save(StateWriter& out) const {
  out.u8(kStateVersion);
  out.boolean(device_ != nullptr);
  if (!device_) return;
  out.u32(device_->device_id());
  out.u32(status_);
  out.u32(device_features_select_);
  out.u64(driver_features_);
  out.u32(driver_features_select_);
  out.u32(queue_select_);
  out.u32(interrupt_status_);
  out.u32(config_generation_);
  out.u32(shared_memory_select_);
  out.boolean(broken_);
  out.u32(static_cast<uint32_t>(queues_.size()));
  for (const auto& queue : queues_) queue->save(out);
  device_->save(out);
}

void VirtioMmio::load(StateReader& in) {
  if (in.u8() != kStateVersion) throw StateError(name_ + ": unsupported state version");
  bool has_device = in.boolean();
  if (has_device != (device_ != nullptr)) throw StateError(name_ + ": state is for a different slot population");
  if (!device_) return;
  if (in.u32() != device_->device_id()) throw StateError(name_ + ": state is for a different device type");
  uint32_t status = in.u32();
  uint32_t device_features_select = in.u32();
  uint64_t driver_features = in.u64();
  uint32_t driver_features_select = in.u32();
  uint32_t queue_select = in.u32();
  uint32_t interrupt_status = in.u32();
  uint32_t config_generation = in.u32();
  uint32_t shared_memory_select = in.u32();
  bool broken = in.boolean();
  if (status > 0xff) throw StateError(name_ + ": bad device status");
  if (interrupt_status & ~(kInterruptUsedBuffer | kInterruptConfigChange)) {
    throw StateError(name_ + ": bad interrupt status");
  }
  if (in.u32() != queues_.size()) throw StateError(name_ + ": queue count differs");
  std::vector<Virtqueue::Registers> queue_registers;
  for (const auto& queue : queues_) queue_registers.push_back(queue->parse(in));
  device_->load(in);  // last: it either succeeds or leaves everything as it was

  status_ = status;
  device_features_select_ = device_features_select;
  driver_features_ = driver_features;
  driver_features_select_ = driver_features_select;
  queue_select_ = queue_select;
  interrupt_status_ = interrupt_status;
  config_generation_ = config_generation;
  shared_memory_select_ = shared_memory_select;
  broken_ = broken;
  for (size_t index = 0; index < queues_.size(); ++index) queues_[index]->restore(queue_registers[index]);
  update_interrupt();
}

}  // namespace emu
