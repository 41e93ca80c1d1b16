// SiFive PLIC (riscv,plic0) as QEMU 7.2's riscv virt board configures its
// sifive_plic: 3 priority bits, level-triggered sources, one context per
// hart and privilege mode (context 2*h is hart h M-mode, 2*h+1 its S-mode).
//
// Register map (offsets from the PLIC base; 32-bit accesses only):
//   0x000000 + 4*source          priority[source] (0-7; writes keep the low 3 bits)
//   0x001000 + 4*word            pending bits, sources 32*word .. 32*word+31 (read only)
//   0x002000 + 0x80*context + 4*word   enable bits of a context
//   0x200000 + 0x1000*context    priority threshold of a context (0-7)
//   0x200004 + 0x1000*context    read: claim; write: complete
// Everything else, and any access that is not 32 bits wide, reads 0 and
// ignores writes.
//
// Gateway: a source is pending while its level is high and it is not
// claimed. Claim takes the highest-priority pending, enabled source whose
// priority exceeds the context's threshold (ties go to the lowest id),
// clears its pending bit and marks it claimed; complete releases it, and it
// is pending again at once if its level is still high. A context's output
// line is high while a claim would return a source.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "emu/core/device.h"
#include "emu/core/interrupt_line.h"

namespace emu {

class Plic : public Device {
 public:
  static constexpr uint32_t kMaxPriority = 7;
  static constexpr unsigned kMaxSources = 1024;   // what the priority window holds
  static constexpr unsigned kMaxContexts = 15872; // what the enable window holds

  // `sources` counts source 0, as QEMU's num-sources does: valid ids are
  // 1 .. sources-1 (the virt board passes 96, so the device tree's
  // riscv,ndev is 95). context_lines has one entry per context; missing or
  // null entries are unconnected.
  Plic(unsigned sources, unsigned contexts, std::vector<InterruptLine*> context_lines);

  // Input wire from a device. Out-of-range sources are ignored.
  void set_source_level(unsigned source, bool level);

  std::string_view name() const override { return "plic"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  void reset() override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

 private:
  static bool bit(const std::vector<uint32_t>& words, unsigned index);
  static void set_bit(std::vector<uint32_t>& words, unsigned index, bool value);

  // The source a claim by `context` would return, or 0.
  unsigned best_source(unsigned context) const;
  unsigned claim(unsigned context);
  void complete(unsigned context, uint64_t source);
  // Drives every context's output line.
  void update_outputs();

  unsigned sources_;
  unsigned contexts_;
  unsigned words_;  // 32-bit words per source bitmap
  std::vector<InterruptLine*> context_lines_;

  std::vector<uint32_t> priority_;   // per source
  std::vector<uint32_t> pending_;    // bitmap
  std::vector<uint32_t> claimed_;    // bitmap
  std::vector<uint32_t> level_;      // bitmap: input wire levels
  std::vector<uint32_t> enable_;     // contexts_ * words_
  std::vector<uint32_t> threshold_;  // per context
};

}  // namespace emu
