// Google Goldfish RTC (google,goldfish-rtc) as QEMU 7.2 implements it on the
// riscv virt board. Linux's rtc-goldfish driver uses it for the wall clock
// and wake alarms.
//
// Register map (32-bit accesses only; others read 0 and ignore writes):
//   0x00 TIME_LOW         read: low 32 bits of the time in ns, latching the
//                         high half into TIME_HIGH; write: set low half
//   0x04 TIME_HIGH        read: the latched high half; write: set high half
//   0x08 ALARM_LOW        write: set low half of the alarm and arm it
//   0x0c ALARM_HIGH       write: set high half of the alarm (does not arm)
//   0x10 IRQ_ENABLED      bit 0
//   0x14 CLEAR_ALARM      write: disarm
//   0x18 ALARM_STATUS     read: 1 while armed
//   0x1c CLEAR_INTERRUPT  write: drop the pending interrupt
// The interrupt line is high while an alarm has fired, is not cleared, and
// IRQ_ENABLED is set.
//
// Time: ns = wall-clock base + guest adjustment + virtual ns. The base comes
// only from set_wall_clock_base(), which the board feeds from the InputQueue
// (never the host clock); guest writes to TIME_LOW/HIGH change the
// adjustment. Both survive reset, as QEMU's tick_offset does. An armed alarm
// fires at a fixed virtual ns (QEMU arms its timer the same way), through
// the EventScheduler.
#pragma once

#include <cstdint>
#include <string_view>

#include "emu/core/device.h"
#include "emu/core/event_scheduler.h"
#include "emu/core/interrupt_line.h"
#include "emu/core/virtual_clock.h"

namespace emu {

class GoldfishRtc : public Device {
 public:
  // irq may be null. clock and scheduler must outlive the device.
  GoldfishRtc(const VirtualClock& clock, EventScheduler& scheduler, InterruptLine* irq);
  ~GoldfishRtc() override;
  GoldfishRtc(const GoldfishRtc&) = delete;
  GoldfishRtc& operator=(const GoldfishRtc&) = delete;

  // ns since the Unix epoch at virtual time 0.
  void set_wall_clock_base(uint64_t unix_ns);

  // The time the guest would read now, in ns since the Unix epoch.
  uint64_t now_ns() const;

  std::string_view name() const override { return "goldfish_rtc"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  void reset() override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

 private:
  void set_time(uint64_t new_time);
  void arm_alarm();
  void clear_alarm();
  void schedule_alarm(uint64_t deadline_ns);
  void fire_alarm();
  void update_interrupt();

  const VirtualClock& clock_;
  EventScheduler& scheduler_;
  InterruptLine* irq_;

  uint64_t wall_clock_base_ = 0;
  uint64_t guest_adjustment_ = 0;  // modulo 2^64
  uint64_t alarm_next_ = 0;
  bool alarm_running_ = false;
  bool irq_pending_ = false;
  bool irq_enabled_ = false;
  uint32_t time_high_ = 0;
  // Virtual ns at which the armed alarm fires, or kNever.
  uint64_t alarm_deadline_ns_ = EventScheduler::kNever;
  EventScheduler::EventId alarm_event_ = 0;  // 0: none scheduled
};

}  // namespace emu
