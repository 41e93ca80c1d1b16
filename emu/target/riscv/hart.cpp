// Hart construction and reset, trap entry, interrupt selection, and the
// privileged instructions that change control state (MRET, SRET, WFI,
// SFENCE.VMA). Spec references are to the privileged ISA 1.12.
#include "emu/target/riscv/hart.h"

namespace emu::riscv {
namespace {

constexpr uint64_t kInterruptBit = 1ull << 63;  // mcause/scause bit XLEN-1 (3.1.15)

// misa for QEMU 7.2's rv64 cpu: MXL=2 (64-bit) and extensions IMAFDC + S + U (3.1.1).
constexpr uint64_t extension_bit(char letter) { return 1ull << (letter - 'A'); }
constexpr uint64_t kMisa = (2ull << 62) | extension_bit('A') | extension_bit('C') | extension_bit('D') |
                           extension_bit('F') | extension_bit('I') | extension_bit('M') | extension_bit('S') |
                           extension_bit('U');

// UXL = SXL = 2: U and S mode are 64-bit and fixed (3.1.6.2).
constexpr uint64_t kMstatusXlen64 = (2ull << 32) | (2ull << 34);

constexpr unsigned kMppShift = 11;

Privilege mstatus_mpp(uint64_t mstatus) { return static_cast<Privilege>((mstatus & kMstatusMPP) >> kMppShift); }

// Interrupts in the order they are taken when several are pending and enabled
// for the same privilege level (3.1.9).
constexpr unsigned kInterruptPriority[] = {MachineExternal, MachineSoftware, MachineTimer,
                                           SupervisorExternal, SupervisorSoftware, SupervisorTimer};

}  // namespace

Hart::Hart(PhysicalBus& bus_in, uint64_t hart_id_in, const TimeSource& time_in)
    : hart_id(hart_id_in), bus(bus_in), time(time_in) {
  reset(0);
}

// Reset state (3.4): M-mode, mstatus.MIE = MPRV = 0, misa at its widest,
// pc = reset vector, mcause = 0. Everything the spec leaves unspecified is
// zero, as in QEMU 7.2 (including mstatus.FS = Off). interrupt_lines are the
// devices' wires, not hart state, so reset leaves them to the devices.
void Hart::reset(uint64_t reset_pc) {
  x = {};
  f = {};
  csr = Csrs{};
  csr.mstatus = kMstatusXlen64;
  csr.misa = kMisa;
  instret = 0;
  cycle_offset = 0;
  instret_offset = 0;
  reservation_valid = false;
  reservation_address = 0;
  waiting_for_interrupt = false;
  instruction_bits = 0;
  privilege = Privilege::Machine;
  pc = reset_pc;
  flush_tlb();
}

namespace {

// Trap entry shared by exceptions and interrupts (3.1.6.1, 3.1.8, 4.1.1):
// cause is the full xcause value (interrupt bit included).
void enter_trap(Hart& hart, uint64_t cause, uint64_t tval) {
  const bool interrupt = (cause & kInterruptBit) != 0;
  const uint64_t code = cause & ~kInterruptBit;
  const uint64_t delegation = interrupt ? hart.csr.mideleg : hart.csr.medeleg;
  // A trap is handled in S-mode only when it is delegated and the hart is not
  // in M-mode: traps never go to a less-privileged mode (3.1.8).
  const bool to_supervisor =
      hart.privilege != Privilege::Machine && code < 64 && ((delegation >> code) & 1) != 0;
  uint64_t& mstatus = hart.csr.mstatus;
  uint64_t vector_base = 0;
  uint64_t tvec = 0;
  if (to_supervisor) {
    hart.csr.scause = cause;
    hart.csr.sepc = hart.pc;
    hart.csr.stval = tval;
    mstatus = (mstatus & ~kMstatusSPIE) | ((mstatus & kMstatusSIE) ? kMstatusSPIE : 0);
    mstatus = (mstatus & ~kMstatusSPP) | (hart.privilege == Privilege::Supervisor ? kMstatusSPP : 0);
    mstatus &= ~kMstatusSIE;
    hart.privilege = Privilege::Supervisor;
    tvec = hart.csr.stvec;
  } else {
    hart.csr.mcause = cause;
    hart.csr.mepc = hart.pc;
    hart.csr.mtval = tval;
    mstatus = (mstatus & ~kMstatusMPIE) | ((mstatus & kMstatusMIE) ? kMstatusMPIE : 0);
    mstatus = (mstatus & ~kMstatusMPP) | (static_cast<uint64_t>(hart.privilege) << kMppShift);
    mstatus &= ~kMstatusMIE;
    hart.privilege = Privilege::Machine;
    tvec = hart.csr.mtvec;
  }
  // xtvec MODE 1 (vectored) applies to interrupts only (3.1.7).
  vector_base = tvec & ~uint64_t{3};
  hart.pc = ((tvec & 3) == 1 && interrupt) ? vector_base + 4 * code : vector_base;
  hart.waiting_for_interrupt = false;
  // The TLB is tagged with the effective privilege, so no flush is needed.
}

}  // namespace

void Hart::take_trap(Exception cause, uint64_t tval) { enter_trap(*this, static_cast<uint64_t>(cause), tval); }

// 3.1.9: an interrupt destined for M-mode (not delegated) is enabled when the
// hart runs below M, or in M with mstatus.MIE; one delegated to S-mode is
// enabled below S, or in S with mstatus.SIE, and never in M-mode. Interrupts
// for M-mode are taken before those for S-mode.
bool Hart::take_pending_interrupt() {
  const uint64_t pending = mip() & csr.mie;
  if (pending == 0) return false;
  const bool machine_enabled =
      privilege != Privilege::Machine || (csr.mstatus & kMstatusMIE) != 0;
  const bool supervisor_enabled =
      privilege == Privilege::User || (privilege == Privilege::Supervisor && (csr.mstatus & kMstatusSIE) != 0);
  const uint64_t machine_pending = machine_enabled ? pending & ~csr.mideleg : 0;
  const uint64_t supervisor_pending = supervisor_enabled ? pending & csr.mideleg : 0;
  for (uint64_t candidates : {machine_pending, supervisor_pending}) {
    if (candidates == 0) continue;
    for (unsigned interrupt : kInterruptPriority) {
      if ((candidates >> interrupt) & 1) {
        enter_trap(*this, kInterruptBit | interrupt, 0);
        return true;
      }
    }
  }
  return false;
}

// 3.3.2: MRET is legal only in M-mode. It restores the privilege from MPP and
// MIE from MPIE, sets MPIE = 1 and MPP = U (the least-privileged mode), and
// clears MPRV when the new mode is below M (1.12).
bool Hart::execute_mret() {
  if (privilege != Privilege::Machine) {
    take_trap(Exception::IllegalInstruction, instruction_bits);
    return false;
  }
  uint64_t& mstatus = csr.mstatus;
  const Privilege target = mstatus_mpp(mstatus);
  mstatus = (mstatus & ~kMstatusMIE) | ((mstatus & kMstatusMPIE) ? kMstatusMIE : 0);
  mstatus |= kMstatusMPIE;
  mstatus &= ~kMstatusMPP;  // MPP = U
  if (target != Privilege::Machine) mstatus &= ~kMstatusMPRV;
  privilege = target;
  pc = csr.mepc;
  return true;
}

// 3.3.2: SRET is illegal in U-mode and, with mstatus.TSR = 1, in S-mode
// (3.1.6.5). SPP is never M, so SRET always clears MPRV (1.12).
bool Hart::execute_sret() {
  if (privilege == Privilege::User ||
      (privilege == Privilege::Supervisor && (csr.mstatus & kMstatusTSR) != 0)) {
    take_trap(Exception::IllegalInstruction, instruction_bits);
    return false;
  }
  uint64_t& mstatus = csr.mstatus;
  const Privilege target = (mstatus & kMstatusSPP) ? Privilege::Supervisor : Privilege::User;
  mstatus = (mstatus & ~kMstatusSIE) | ((mstatus & kMstatusSPIE) ? kMstatusSIE : 0);
  mstatus |= kMstatusSPIE;
  mstatus &= ~kMstatusSPP;  // SPP = U
  mstatus &= ~kMstatusMPRV;
  privilege = target;
  pc = csr.sepc;
  return true;
}

// 3.3.3 and 3.1.6.5: WFI in U-mode is illegal (S-mode is implemented), in
// S-mode it is illegal when mstatus.TW = 1 (QEMU 7.2 traps at once, the
// "time limit" being zero). Otherwise the hart stalls until an interrupt is
// pending and enabled in mie, whatever the global enables.
bool Hart::execute_wfi() {
  if (privilege == Privilege::User ||
      (privilege == Privilege::Supervisor && (csr.mstatus & kMstatusTW) != 0)) {
    take_trap(Exception::IllegalInstruction, instruction_bits);
    return false;
  }
  waiting_for_interrupt = !interrupt_pending_for_wfi();
  return true;
}

// 4.2.1: SFENCE.VMA is illegal in U-mode and, with mstatus.TVM = 1, in
// S-mode (3.1.6.5). The TLB is not tagged by ASID, so an ASID-specific fence
// flushes as much as the address-only form.
bool Hart::execute_sfence_vma(unsigned rs1, unsigned /*rs2*/) {
  if (privilege == Privilege::User ||
      (privilege == Privilege::Supervisor && (csr.mstatus & kMstatusTVM) != 0)) {
    take_trap(Exception::IllegalInstruction, instruction_bits);
    return false;
  }
  if (rs1 == 0) {
    flush_tlb();
  } else {
    tlb.flush_address(x[rs1 & 31]);
  }
  return true;
}

}  // namespace emu::riscv
