// virtio-mmio transport, modern interface (virtio 1.2, 4.2; Version 2), one
// slot of the virt board. An empty slot (no device plugged) answers like
// QEMU's unused slots: magic, version and vendor read normally, DeviceID 0,
// everything else 0, writes ignored.
//
// Register map (32-bit accesses only below 0x100; others read 0 and are
// ignored; R = read, W = write):
//   0x000 R  MagicValue         0x74726976 ("virt")
//   0x004 R  Version            2
//   0x008 R  DeviceID           0 for an empty slot
//   0x00c R  VendorID           0x554d4551 ("QEMU", as QEMU)
//   0x010 R  DeviceFeatures     32 bits of the offered features, selected by
//   0x014 W  DeviceFeaturesSel  (0: bits 0-31, 1: bits 32-63, else 0)
//   0x020 W  DriverFeatures     32 bits of the accepted features, selected by
//   0x024 W  DriverFeaturesSel  (0 or 1; ignored once FEATURES_OK is set)
//   0x030 W  QueueSel           selects the queue the registers below address
//   0x034 R  QueueNumMax        0 if the selected queue does not exist
//   0x038 W  QueueNum
//   0x044 RW QueueReady         writing 1 checks and enables the queue
//   0x050 W  QueueNotify        queue index: process its new buffers
//   0x060 R  InterruptStatus    bit 0 used buffer, bit 1 configuration change
//   0x064 W  InterruptACK       clears the written bits
//   0x070 RW Status             device status (2.1); writing 0 resets
//   0x080 W  QueueDescLow/High   (0x084)
//   0x090 W  QueueDriverLow/High (0x094)
//   0x0a0 W  QueueDeviceLow/High (0x0a4)
//   0x0ac W  SHMSel; 0x0b0-0x0bc R SHMLen/SHMBase: all ones (no shared memory)
//   0x0fc R  ConfigGeneration
//   0x100+   device configuration space (1, 2, 4 or 8 byte accesses)
// The interrupt line is high while InterruptStatus is non-zero.
//
// Offered features: the device's own, VIRTIO_F_VERSION_1 (required: no
// legacy interface), VIRTIO_F_INDIRECT_DESC and VIRTIO_F_EVENT_IDX.
//
// A driver protocol error (bad ring, bad queue setup, malformed request)
// sets DEVICE_NEEDS_RESET, stops the queues and, after DRIVER_OK, raises a
// configuration change interrupt (2.1.2); only a reset recovers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "emu/core/device.h"
#include "emu/core/interrupt_line.h"
#include "emu/core/physical_bus.h"
#include "emu/hw/virtio/virtio_device.h"
#include "emu/hw/virtio/virtqueue.h"

namespace emu {

class VirtioMmio : public Device, public VirtioTransport {
 public:
  // QEMU maps 0x200 bytes per slot (slots are 0x1000 apart on virt).
  static constexpr uint64_t kRegionSize = 0x200;
  static constexpr uint32_t kMagicValue = 0x74726976;
  static constexpr uint32_t kVersion = 2;
  static constexpr uint32_t kVendorId = 0x554d4551;

  // bus is the guest memory the queues live in; irq may be null. Both must
  // outlive the transport.
  VirtioMmio(const PhysicalBus& bus, InterruptLine* irq, std::string name = "virtio-mmio");
  ~VirtioMmio() override;
  VirtioMmio(const VirtioMmio&) = delete;
  VirtioMmio& operator=(const VirtioMmio&) = delete;

  // Puts a device in the slot (board setup, before the guest runs). Throws
  // std::logic_error if the slot is taken.
  void plug(std::unique_ptr<VirtioDevice> device);
  VirtioDevice* device() const { return device_.get(); }

  // Observers (tests, `info qtree`).
  uint32_t status() const { return status_; }
  uint32_t interrupt_status() const { return interrupt_status_; }
  // Why the device last entered DEVICE_NEEDS_RESET; empty if it never did.
  const std::string& last_error() const { return last_error_; }
  uint64_t offered_features() const;

  // Device
  std::string_view name() const override { return name_; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  void reset() override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  // VirtioTransport
  Virtqueue* active_queue(unsigned index) override;
  uint64_t driver_features() const override { return driver_features_; }
  void notify_used(unsigned queue) override;
  void device_error(std::string_view reason) override;

 private:
  uint64_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint32_t value);
  uint64_t read_config(uint64_t offset, unsigned size) const;
  void write_config(uint64_t offset, uint64_t value, unsigned size);
  void write_status(uint32_t value);
  void reset_device();
  bool features_acceptable() const;
  Virtqueue* selected_queue();
  void update_interrupt();

  const PhysicalBus& bus_;
  InterruptLine* irq_;
  std::string name_;
  std::unique_ptr<VirtioDevice> device_;
  std::vector<std::unique_ptr<Virtqueue>> queues_;

  uint32_t status_ = 0;
  uint32_t device_features_select_ = 0;
  uint64_t driver_features_ = 0;
  uint32_t driver_features_select_ = 0;
  uint32_t queue_select_ = 0;
  uint32_t interrupt_status_ = 0;
  uint32_t config_generation_ = 0;
  uint32_t shared_memory_select_ = 0;
  bool broken_ = false;
  std::string last_error_;
};

}  // namespace emu
