// Goldfish RTC; see goldfish_rtc.h for the register map. Register semantics
// from the Goldfish virtual hardware document (GOLDFISH-VIRTUAL-HARDWARE.TXT)
// and QEMU 7.2's hw/rtc/goldfish_rtc.c.
#include "emu/hw/goldfish_rtc.h"

#include <limits>

namespace emu {

namespace {

constexpr uint64_t kTimeLow = 0x00;
constexpr uint64_t kTimeHigh = 0x04;
constexpr uint64_t kAlarmLow = 0x08;
constexpr uint64_t kAlarmHigh = 0x0c;
constexpr uint64_t kIrqEnabled = 0x10;
constexpr uint64_t kClearAlarm = 0x14;
constexpr uint64_t kAlarmStatus = 0x18;
constexpr uint64_t kClearInterrupt = 0x1c;

constexpr uint8_t kStateVersion = 1;

uint64_t replace_low_half(uint64_t value, uint64_t low) { return (value & ~0xffffffffull) | (low & 0xffffffff); }
uint64_t replace_high_half(uint64_t value, uint64_t high) { return (value & 0xffffffff) | ((high & 0xffffffff) << 32); }

}  // namespace

GoldfishRtc::GoldfishRtc(const VirtualClock& clock, EventScheduler& scheduler, InterruptLine* irq)
    : clock_(clock), scheduler_(scheduler), irq_(irq) {
  reset();
}

GoldfishRtc::~GoldfishRtc() {
  if (alarm_event_ != 0) scheduler_.cancel(alarm_event_);
}

void GoldfishRtc::set_wall_clock_base(uint64_t unix_ns) { wall_clock_base_ = unix_ns; }

uint64_t GoldfishRtc::now_ns() const { return wall_clock_base_ + guest_adjustment_ + clock_.ns(); }

void GoldfishRtc::set_time(uint64_t new_time) { guest_adjustment_ += new_time - now_ns(); }

void GoldfishRtc::update_interrupt() {
  if (irq_) irq_->set(irq_pending_ && irq_enabled_);
}

void GoldfishRtc::fire_alarm() {
  alarm_running_ = false;
  irq_pending_ = true;
  update_interrupt();
}

void GoldfishRtc::clear_alarm() {
  if (alarm_event_ != 0) scheduler_.cancel(alarm_event_);
  alarm_event_ = 0;
  alarm_deadline_ns_ = EventScheduler::kNever;
  alarm_running_ = false;
}

void GoldfishRtc::schedule_alarm(uint64_t deadline_ns) {
  alarm_deadline_ns_ = deadline_ns;
  if (deadline_ns == EventScheduler::kNever) return;
  alarm_event_ = scheduler_.schedule_at_ns(deadline_ns, [this] {
    alarm_event_ = 0;
    alarm_deadline_ns_ = EventScheduler::kNever;
    fire_alarm();
  });
}

void GoldfishRtc::arm_alarm() {
  clear_alarm();
  uint64_t now = now_ns();
  if (alarm_next_ <= now) {
    // An alarm in the past fires at once.
    fire_alarm();
    return;
  }
  alarm_running_ = true;
  uint64_t remaining = alarm_next_ - now;
  uint64_t virtual_now = clock_.ns();
  // Beyond 2^64 virtual ns the alarm stays armed but never fires.
  bool overflows = remaining > std::numeric_limits<uint64_t>::max() - 1 - virtual_now;
  schedule_alarm(overflows ? EventScheduler::kNever : virtual_now + remaining);
}

uint64_t GoldfishRtc::read(uint64_t offset, unsigned size) {
  if (size != 4) return 0;
  switch (offset) {
    case kTimeLow: {
      uint64_t now = now_ns();
      time_high_ = static_cast<uint32_t>(now >> 32);
      return now & 0xffffffff;
    }
    case kTimeHigh: return time_high_;
    case kAlarmLow: return alarm_next_ & 0xffffffff;
    case kAlarmHigh: return alarm_next_ >> 32;
    case kIrqEnabled: return irq_enabled_ ? 1 : 0;
    case kAlarmStatus: return alarm_running_ ? 1 : 0;
    default: return 0;
  }
}

void GoldfishRtc::write(uint64_t offset, uint64_t value, unsigned size) {
  if (size != 4) return;
  switch (offset) {
    case kTimeLow: set_time(replace_low_half(now_ns(), value)); break;
    case kTimeHigh: set_time(replace_high_half(now_ns(), value)); break;
    case kAlarmLow:
      alarm_next_ = replace_low_half(alarm_next_, value);
      arm_alarm();
      break;
    case kAlarmHigh: alarm_next_ = replace_high_half(alarm_next_, value); break;
    case kIrqEnabled:
      irq_enabled_ = (value & 1) != 0;
      update_interrupt();
      break;
    case kClearAlarm: clear_alarm(); break;
    case kClearInterrupt:
      irq_pending_ = false;
      update_interrupt();
      break;
    default: break;
  }
}

void GoldfishRtc::reset() {
  // The time itself (base and guest adjustment) survives reset, like a real
  // battery-backed RTC and QEMU's tick_offset.
  clear_alarm();
  alarm_next_ = 0;
  irq_pending_ = false;
  irq_enabled_ = false;
  time_high_ = 0;
  update_interrupt();
}

void GoldfishRtc::save(StateWriter& out) const {
  out.u8(kStateVersion);
  out.u64(wall_clock_base_);
  out.u64(guest_adjustment_);
  out.u64(alarm_next_);
  out.boolean(alarm_running_);
  out.boolean(irq_pending_);
  out.boolean(irq_enabled_);
  out.u32(time_high_);
  out.u64(alarm_deadline_ns_);
}

void GoldfishRtc::load(StateReader& in) {
  if (in.u8() != kStateVersion) throw StateError("goldfish_rtc: unsupported state version");
  uint64_t wall_clock_base = in.u64();
  uint64_t guest_adjustment = in.u64();
  uint64_t alarm_next = in.u64();
  bool alarm_running = in.boolean();
  bool irq_pending = in.boolean();
  bool irq_enabled = in.boolean();
  uint32_t time_high = in.u32();
  uint64_t alarm_deadline_ns = in.u64();
  if (!alarm_running && alarm_deadline_ns != EventScheduler::kNever) {
    throw StateError("goldfish_rtc: alarm deadline without a running alarm");
  }

  clear_alarm();
  wall_clock_base_ = wall_clock_base;
  guest_adjustment_ = guest_adjustment;
  alarm_next_ = alarm_next;
  alarm_running_ = alarm_running;
  irq_pending_ = irq_pending;
  irq_enabled_ = irq_enabled;
  time_high_ = time_high;
  schedule_alarm(alarm_deadline_ns);
  update_interrupt();
}

}  // namespace emu
