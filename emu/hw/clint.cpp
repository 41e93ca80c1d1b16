// SiFive CLINT; see clint.h for the register map and the timer rules.
// Spec: RISC-V ACLINT 1.0 (MSWI and MTIMER), SiFive CLINT in the FU540 manual.
#include "emu/hw/clint.h"

#include <limits>
#include <utility>

namespace emu {

namespace {

constexpr uint64_t kMsipBase = 0x0000;
constexpr uint64_t kMtimecmpBase = 0x4000;
constexpr uint64_t kMtime = 0xbff8;

constexpr uint8_t kStateVersion = 1;

uint64_t replace_low_half(uint64_t value, uint64_t low) { return (value & ~0xffffffffull) | (low & 0xffffffff); }
uint64_t replace_high_half(uint64_t value, uint64_t high) { return (value & 0xffffffff) | (high << 32); }

}  // namespace

Clint::Clint(unsigned harts, const VirtualClock& clock, EventScheduler& scheduler,
             std::vector<InterruptLine*> msip_lines, std::vector<InterruptLine*> mtip_lines)
    : clock_(clock), scheduler_(scheduler), msip_lines_(std::move(msip_lines)), mtip_lines_(std::move(mtip_lines)),
      harts_(harts) {
  msip_lines_.resize(harts, nullptr);
  mtip_lines_.resize(harts, nullptr);
  reset();
}

Clint::~Clint() {
  for (unsigned hart = 0; hart < harts_.size(); ++hart) cancel_event(hart);
}

uint64_t Clint::mtime() const { return clock_.ns() / kNsPerTick + mtime_offset_; }

void Clint::set_msip(unsigned hart, bool level) {
  harts_[hart].msip = level;
  if (msip_lines_[hart]) msip_lines_[hart]->set(level);
}

void Clint::set_mtip(unsigned hart, bool level) {
  harts_[hart].mtip = level;
  if (mtip_lines_[hart]) mtip_lines_[hart]->set(level);
}

void Clint::cancel_event(unsigned hart) {
  Hart& state = harts_[hart];
  if (state.event != 0) scheduler_.cancel(state.event);
  state.event = 0;
  state.deadline_ns = EventScheduler::kNever;
}

void Clint::schedule_event(unsigned hart, uint64_t deadline_ns) {
  cancel_event(hart);
  if (deadline_ns == EventScheduler::kNever) return;
  Hart& state = harts_[hart];
  state.deadline_ns = deadline_ns;
  state.event = scheduler_.schedule_at_ns(deadline_ns, [this, hart] {
    harts_[hart].event = 0;
    harts_[hart].deadline_ns = EventScheduler::kNever;
    // The deadline is exactly when mtime reaches mtimecmp; raising
    // unconditionally (as QEMU's timer callback does) keeps run_due from
    // looping if it is ever called ahead of the clock.
    set_mtip(hart, true);
  });
}

void Clint::evaluate_timer(unsigned hart) {
  cancel_event(hart);
  uint64_t now_mtime = mtime();
  uint64_t compare = harts_[hart].mtimecmp;
  if (compare <= now_mtime) {
    set_mtip(hart, true);
    return;
  }
  set_mtip(hart, false);
  // mtime reaches compare after `remaining` more ticks, at the first ns of
  // tick now_ticks + remaining. Past 2^64 ns the event never fires (this is
  // where mtimecmp = all-ones lands).
  uint64_t remaining = compare - now_mtime;
  uint64_t now_ticks = clock_.ns() / kNsPerTick;
  constexpr uint64_t kLastTick = std::numeric_limits<uint64_t>::max() / kNsPerTick;
  if (remaining > kLastTick - now_ticks) return;
  schedule_event(hart, (now_ticks + remaining) * kNsPerTick);
}

void Clint::write_mtime(uint64_t new_mtime) {
  mtime_offset_ = new_mtime - clock_.ns() / kNsPerTick;
  // Moving mtime moves every hart's deadline.
  for (unsigned hart = 0; hart < harts_.size(); ++hart) evaluate_timer(hart);
}

uint64_t Clint::read(uint64_t offset, unsigned size) {
  uint64_t hart_count = harts_.size();
  if (offset >= kMsipBase && offset < kMsipBase + 4 * hart_count) {
    if (size != 4 || (offset & 3) != 0) return 0;
    return harts_[(offset - kMsipBase) / 4].msip ? 1 : 0;
  }
  if (size != 4 && size != 8) return 0;
  if (offset >= kMtimecmpBase && offset < kMtimecmpBase + 8 * hart_count) {
    uint64_t compare = harts_[(offset - kMtimecmpBase) / 8].mtimecmp;
    switch (offset & 7) {
      case 0: return size == 4 ? (compare & 0xffffffff) : compare;
      case 4: return compare >> 32;
      default: return 0;
    }
  }
  if (offset == kMtime) return size == 4 ? (mtime() & 0xffffffff) : mtime();
  if (offset == kMtime + 4) return mtime() >> 32;
  return 0;
}

void Clint::write(uint64_t offset, uint64_t value, unsigned size) {
  uint64_t hart_count = harts_.size();
  if (offset >= kMsipBase && offset < kMsipBase + 4 * hart_count) {
    if (size != 4 || (offset & 3) != 0) return;
    set_msip(static_cast<unsigned>((offset - kMsipBase) / 4), (value & 1) != 0);
    return;
  }
  if (size != 4 && size != 8) return;
  if (offset >= kMtimecmpBase && offset < kMtimecmpBase + 8 * hart_count) {
    auto hart = static_cast<unsigned>((offset - kMtimecmpBase) / 8);
    uint64_t& compare = harts_[hart].mtimecmp;
    switch (offset & 7) {
      case 0:
        compare = size == 4 ? replace_low_half(compare, value) : value;
        break;
      case 4:
        if (size != 4) return;  // a 64-bit access at +4 is not decoded
        compare = replace_high_half(compare, value);
        break;
      default:
        return;
    }
    evaluate_timer(hart);
    return;
  }
  if (offset == kMtime) {
    write_mtime(size == 4 ? replace_low_half(mtime(), value) : value);
  } else if (offset == kMtime + 4 && size == 4) {
    write_mtime(replace_high_half(mtime(), value));
  }
}

void Clint::reset() {
  mtime_offset_ = 0;
  for (unsigned hart = 0; hart < harts_.size(); ++hart) {
    cancel_event(hart);
    harts_[hart].mtimecmp = 0;
    set_msip(hart, false);
    // MTIP is mtime >= mtimecmp (privileged spec 3.2.1). Both are 0 after
    // reset, so the timer interrupt is pending from the first instruction,
    // as on QEMU 7.2; firmware writes mtimecmp before enabling MTIE.
    evaluate_timer(hart);
  }
}

void Clint::save(StateWriter& out) const {
  out.u8(kStateVersion);
  out.u32(static_cast<uint32_t>(harts_.size()));
  out.u64(mtime_offset_);
  for (const Hart& hart : harts_) {
    out.boolean(hart.msip);
    out.u64(hart.mtimecmp);
    out.boolean(hart.mtip);
    // The armed deadline, so that load re-arms exactly this event whatever
    // order the board restores the clock and the devices in.
    out.u64(hart.deadline_ns);
  }
}

void Clint::load(StateReader& in) {
  if (in.u8() != kStateVersion) throw StateError("clint: unsupported state version");
  if (in.u32() != harts_.size()) throw StateError("clint: hart count differs");
  uint64_t mtime_offset = in.u64();
  std::vector<Hart> loaded(harts_.size());
  for (Hart& hart : loaded) {
    hart.msip = in.boolean();
    hart.mtimecmp = in.u64();
    hart.mtip = in.boolean();
    hart.deadline_ns = in.u64();
  }

  mtime_offset_ = mtime_offset;
  for (unsigned hart = 0; hart < harts_.size(); ++hart) {
    cancel_event(hart);
    harts_[hart].mtimecmp = loaded[hart].mtimecmp;
    set_msip(hart, loaded[hart].msip);
    set_mtip(hart, loaded[hart].mtip);
    schedule_event(hart, loaded[hart].deadline_ns);
  }
}

}  // namespace emu
