// SiFive CLINT (core-local interruptor) as QEMU 7.2's riscv virt board maps it
// (an ACLINT MSWI at +0x0000 and an MTIMER at +0x4000, riscv,clint0).
//
// Register map (offsets from the CLINT base):
//   0x0000 + 4*hart   msip[hart]      32-bit; bit 0 drives the hart's MSIP
//   0x4000 + 8*hart   mtimecmp[hart]  64-bit; 32-bit halves at +0 and +4
//   0xbff8            mtime           64-bit; 32-bit halves at +0 and +4
// msip takes 32-bit accesses only; mtimecmp and mtime take 32- and 64-bit
// accesses (QEMU's valid access sizes). Anything else reads 0, ignores writes.
//
// Time: mtime = virtual ns / 100 (the 10 MHz timebase) + an offset the guest
// sets by writing mtime. MTIP follows QEMU's rule: it is re-evaluated
// (mtime >= mtimecmp) whenever mtimecmp or mtime is written, and raised by a
// scheduler event at the exact virtual ns at which mtime reaches mtimecmp.
// mtimecmp powers on as 0 (QEMU 7.2 zero-initialises it and has no MTIMER
// reset handler), and because nothing is evaluated before the first write
// MTIP powers on low, as in QEMU 7.2. OpenSBI writes mtimecmp (all-ones)
// before it enables MTIE.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "emu/core/device.h"
#include "emu/core/event_scheduler.h"
#include "emu/core/interrupt_line.h"
#include "emu/core/virtual_clock.h"

namespace emu {

class Clint : public Device {
 public:
  static constexpr uint64_t kNsPerTick = 100;  // 1e9 / 10 MHz timebase

  // msip_lines and mtip_lines hold one entry per hart; missing or null
  // entries are treated as unconnected. clock and scheduler must outlive
  // the Clint.
  Clint(unsigned harts, const VirtualClock& clock, EventScheduler& scheduler,
        std::vector<InterruptLine*> msip_lines, std::vector<InterruptLine*> mtip_lines);
  ~Clint() override;
  Clint(const Clint&) = delete;
  Clint& operator=(const Clint&) = delete;

  // The current mtime, as the guest would read it.
  uint64_t mtime() const;

  std::string_view name() const override { return "clint"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  void reset() override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

 private:
  struct Hart {
    bool msip = false;
    uint64_t mtimecmp = 0;
    bool mtip = false;
    // Virtual ns at which the armed event raises MTIP, or kNever.
    uint64_t deadline_ns = EventScheduler::kNever;
    EventScheduler::EventId event = 0;  // 0: none scheduled
  };

  void set_msip(unsigned hart, bool level);
  void set_mtip(unsigned hart, bool level);
  // QEMU's write_timecmp: raise MTIP now if mtime >= mtimecmp, else lower it
  // and schedule the event for when mtime gets there.
  void evaluate_timer(unsigned hart);
  void cancel_event(unsigned hart);
  void schedule_event(unsigned hart, uint64_t deadline_ns);
  void write_mtime(uint64_t new_mtime);

  const VirtualClock& clock_;
  EventScheduler& scheduler_;
  std::vector<InterruptLine*> msip_lines_;
  std::vector<InterruptLine*> mtip_lines_;
  std::vector<Hart> harts_;
  uint64_t mtime_offset_ = 0;  // mtime - virtual ticks, modulo 2^64
};

}  // namespace emu
