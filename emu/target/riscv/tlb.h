// Software TLB in front of the page walker and PMP (see mmu.cpp).
// PLACEHOLDER: the MMU work fills this in (tag + flag bits + host addend;
// any flag forces the slow path).
#pragma once

namespace emu::riscv {

class Tlb {
 public:
  void flush() {}
};

}  // namespace emu::riscv
