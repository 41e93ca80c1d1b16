// Zicsr accesses: privilege checks, counter enables and the WARL rules of
// every implemented CSR (privileged ISA 1.12, chapters 2-4). The CSR set and
// the legal values follow QEMU 7.2's rv64 cpu on the virt board; where the spec
// leaves a choice, the comment at the CSR says what emu does.
//
// Anything not listed in csr_numbers.h raises illegal-instruction.
#include "emu/target/riscv/hart.h"

namespace emu::riscv {
namespace {

namespace n = csr_number;

// ---- writable masks ----
// mstatus (3.1.6): UBE/SBE/MBE are 0 (little-endian only), VS and XS are 0
// (no V, no custom state), UXL/SXL are fixed at 2, SD is derived from FS.
constexpr uint64_t kMstatusWritable = kMstatusSIE | kMstatusMIE | kMstatusSPIE | kMstatusMPIE | kMstatusSPP |
                                      kMstatusMPP | kMstatusFS | kMstatusMPRV | kMstatusSUM | kMstatusMXR |
                                      kMstatusTVM | kMstatusTW | kMstatusTSR;
// sstatus (4.1.1) is a restricted view of mstatus.
constexpr uint64_t kSstatusVisible = kMstatusSIE | kMstatusSPIE | kMstatusUBE | kMstatusSPP | kMstatusVS |
                                     kMstatusFS | kMstatusXS | kMstatusSUM | kMstatusMXR | kMstatusUXL | kMstatusSD;
constexpr uint64_t kSstatusWritable = kMstatusSIE | kMstatusSPIE | kMstatusSPP | kMstatusFS | kMstatusSUM | kMstatusMXR;

constexpr uint64_t bit(unsigned n) { return uint64_t{1} << n; }
constexpr uint64_t kSupervisorInterrupts = bit(SupervisorSoftware) | bit(SupervisorTimer) | bit(SupervisorExternal);
constexpr uint64_t kMachineInterrupts = bit(MachineSoftware) | bit(MachineTimer) | bit(MachineExternal);
// medeleg (3.1.8): every exception this hart can raise except ecall from M
// (bit 11, read-only zero); reserved codes 10 and 14 read zero.
constexpr uint64_t kMedelegWritable = 0xffff & ~(bit(10) | bit(11) | bit(14));
// sip (4.1.3): only SSIP is writable from S-mode; STIP/SEIP come from M-mode or devices.
constexpr uint64_t kSipWritable = bit(SupervisorSoftware);
// menvcfg/senvcfg (3.1.18, 4.1.10): only FIOM, as QEMU 7.2's rv64 cpu without
// Zicbo*/Svpbmt/Sstc exposed here (CBIE/CBCFE/CBZE/PBMTE/STCE read zero).
constexpr uint64_t kEnvcfgFIOM = 1;
// mcountinhibit (3.1.12): CY, IR and HPM3..31 are writable; bit 1 (TM) is zero.
constexpr uint64_t kMcountinhibitWritable = 0xffffffffull & ~bit(1);

constexpr uint64_t kSatpModeShift = 60;
constexpr uint64_t kSatpModeBare = 0, kSatpModeSv39 = 8, kSatpModeSv48 = 9;

constexpr uint64_t kPmpAddressMask = (uint64_t{1} << 54) - 1;  // pmpaddr holds bits 55:2 (3.7.1)
constexpr uint8_t kPmpR = 1, kPmpW = 2, kPmpAddressMatch = 3 << 3, kPmpLock = 0x80;
constexpr uint8_t kPmpTor = 1 << 3;
constexpr uint8_t kPmpcfgWritable = 0x9f;  // bits 5 and 6 are reserved, read zero

constexpr uint64_t kSd = kMstatusSD;

// SD summarises FS/VS/XS dirty (3.1.6.6); VS and XS are always 0 here.
uint64_t with_sd(uint64_t mstatus) {
  return (mstatus & kMstatusFS) == kMstatusFS ? mstatus | kSd : mstatus & ~kSd;
}

bool is_counter(uint16_t number) { return number >= n::cycle && number <= n::hpmcounter31; }

// 3.1.11/4.1.5: a user-level counter is accessible in S-mode if its
// mcounteren bit is set, and in U-mode if its bits in mcounteren and
// scounteren are both set.
bool counter_enabled(const Hart& hart, uint16_t number) {
  const unsigned index = number - n::cycle;
  if (hart.privilege == Privilege::Machine) return true;
  if (((hart.csr.mcounteren >> index) & 1) == 0) return false;
  if (hart.privilege == Privilege::User && ((hart.csr.scounteren >> index) & 1) == 0) return false;
  return true;
}

bool is_pmpcfg(uint16_t number) { return number >= n::pmpcfg0 && number <= n::pmpcfg15; }
bool is_pmpaddr(uint16_t number) { return number >= n::pmpaddr0 && number <= n::pmpaddr63; }

// Whether `number` names a CSR this hart implements.
bool exists(uint16_t number) {
  switch (number) {
    case n::fflags: case n::frm: case n::fcsr:
    case n::sstatus: case n::sie: case n::stvec: case n::scounteren: case n::senvcfg:
    case n::sscratch: case n::sepc: case n::scause: case n::stval: case n::sip: case n::satp:
    case n::mvendorid: case n::marchid: case n::mimpid: case n::mhartid: case n::mconfigptr:
    case n::mstatus: case n::misa: case n::medeleg: case n::mideleg: case n::mie: case n::mtvec:
    case n::mcounteren: case n::menvcfg: case n::mcountinhibit:
    case n::mscratch: case n::mepc: case n::mcause: case n::mtval: case n::mip:
    case n::mcycle: case n::minstret:
    case n::tselect: case n::tdata1: case n::tdata2: case n::tdata3:
      return true;
    default:
      break;
  }
  if (is_counter(number)) return true;
  if (number >= n::mhpmcounter3 && number <= n::mhpmcounter31) return true;
  if (number >= n::mhpmevent3 && number <= n::mhpmevent31) return true;
  // RV64: only even pmpcfg registers exist (3.7.1); odd ones are illegal.
  if (is_pmpcfg(number)) return (number & 1) == 0;
  return is_pmpaddr(number);
}

// All checks that do not depend on the value: existence, privilege
// (bits 9:8 of the number, 2.1), read-only (bits 11:10 == 3), counter
// enables, FS for the FP CSRs, TVM for satp.
bool accessible(const Hart& hart, uint16_t number, bool write) {
  if (!exists(number)) return false;
  if (static_cast<unsigned>(hart.privilege) < ((number >> 8) & 3u)) return false;
  if (write && (number >> 10) == 3) return false;
  if (is_counter(number) && !counter_enabled(hart, number)) return false;
  if (number == n::fflags || number == n::frm || number == n::fcsr) return hart.fp_enabled();
  // 3.1.6.5: with TVM = 1, satp accesses in S-mode are illegal.
  if (number == n::satp && hart.privilege == Privilege::Supervisor && (hart.csr.mstatus & kMstatusTVM) != 0) {
    return false;
  }
  return true;
}

// pmpcfgN (even N) holds the config bytes of entries 4N .. 4N+7.
uint64_t read_pmpcfg(const Hart& hart, uint16_t number) {
  const unsigned first = (number - n::pmpcfg0) * 4;
  if (first >= hart.csr.pmpcfg.size()) return 0;  // entries 16..63 are not implemented: read zero
  uint64_t value = 0;
  for (unsigned i = 0; i < 8; ++i) value |= uint64_t{hart.csr.pmpcfg[first + i]} << (8 * i);
  return value;
}

bool pmp_locked(const Hart& hart, unsigned entry) { return (hart.csr.pmpcfg[entry] & kPmpLock) != 0; }

// 3.7.1: a locked entry ignores config writes. R=0 W=1 is reserved; emu
// stores it as R=0 W=0 (as later QEMU versions do; QEMU 7.2 keeps it).
void write_pmpcfg(Hart& hart, uint16_t number, uint64_t value) {
  const unsigned first = (number - n::pmpcfg0) * 4;
  if (first >= hart.csr.pmpcfg.size()) return;
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned entry = first + i;
    if (pmp_locked(hart, entry)) continue;
    uint8_t config = static_cast<uint8_t>(value >> (8 * i)) & kPmpcfgWritable;
    if ((config & (kPmpR | kPmpW)) == kPmpW) config &= static_cast<uint8_t>(~kPmpW);
    hart.csr.pmpcfg[entry] = config;
  }
  hart.flush_tlb();
}

// 3.7.1: a locked entry ignores address writes, and so does pmpaddr[i-1]
// when entry i is locked and TOR (its lower bound).
void write_pmpaddr(Hart& hart, uint16_t number, uint64_t value) {
  const unsigned entry = number - n::pmpaddr0;
  if (entry >= hart.csr.pmpaddr.size()) return;  // pmpaddr16..63: read-only zero
  if (pmp_locked(hart, entry)) return;
  if (entry + 1 < hart.csr.pmpaddr.size() && pmp_locked(hart, entry + 1) &&
      (hart.csr.pmpcfg[entry + 1] & kPmpAddressMatch) == kPmpTor) {
    return;
  }
  hart.csr.pmpaddr[entry] = value & kPmpAddressMask;
  hart.flush_tlb();
}

constexpr uint64_t kMcountinhibitIR = bit(2);
uint64_t pending_increment(const Hart& hart) { return (hart.csr.mcountinhibit & kMcountinhibitIR) ? 0 : 1; }

uint64_t mcycle(const Hart& hart) { return hart.instret + hart.cycle_offset; }
uint64_t minstret(const Hart& hart) { return hart.instret + hart.instret_offset; }

// The value a read returns. `for_update` selects the value csrrs/csrrc
// modify: for mip/sip that is the software-writable SEIP bit alone, not its
// OR with the external line (3.1.9).
uint64_t read_csr(const Hart& hart, uint16_t number, bool for_update) {
  const auto& c = hart.csr;
  switch (number) {
    case n::fflags: return c.fflags;
    case n::frm: return c.frm;
    case n::fcsr: return (uint64_t{c.frm} << 5) | c.fflags;
    case n::cycle: return mcycle(hart);
    case n::time: return hart.time.mtime();
    case n::instret: return minstret(hart);

    case n::sstatus: return c.mstatus & kSstatusVisible;
    case n::sie: return c.mie & c.mideleg;
    case n::stvec: return c.stvec;
    case n::scounteren: return c.scounteren;
    case n::senvcfg: return c.senvcfg;
    case n::sscratch: return c.sscratch;
    case n::sepc: return c.sepc;
    case n::scause: return c.scause;
    case n::stval: return c.stval;
    case n::sip: {
      const uint64_t lines = for_update ? hart.interrupt_lines & ~bit(SupervisorExternal) : hart.interrupt_lines;
      return (c.mip | lines) & c.mideleg;
    }
    case n::satp: return c.satp;

    case n::mvendorid: case n::marchid: case n::mimpid: case n::mconfigptr: return 0;
    case n::mhartid: return hart.hart_id;

    case n::mstatus: return c.mstatus;
    case n::misa: return c.misa;
    case n::medeleg: return c.medeleg;
    case n::mideleg: return c.mideleg;
    case n::mie: return c.mie;
    case n::mtvec: return c.mtvec;
    case n::mcounteren: return c.mcounteren;
    case n::menvcfg: return c.menvcfg;
    case n::mcountinhibit: return c.mcountinhibit;
    case n::mscratch: return c.mscratch;
    case n::mepc: return c.mepc;
    case n::mcause: return c.mcause;
    case n::mtval: return c.mtval;
    case n::mip: {
      const uint64_t lines = for_update ? hart.interrupt_lines & ~bit(SupervisorExternal) : hart.interrupt_lines;
      return c.mip | lines;
    }
    case n::mcycle: return mcycle(hart);
    case n::minstret: return minstret(hart);

    // Debug spec 0.13/1.0 section 5.7: no triggers. tselect is 0 and tdata1
    // reads type 0 ("no trigger at this tselect"), so software that probes
    // finds none.
    case n::tselect: case n::tdata1: case n::tdata2: case n::tdata3: return 0;
    default:
      break;
  }
  if (is_pmpcfg(number)) return read_pmpcfg(hart, number);
  if (is_pmpaddr(number)) {
    const unsigned entry = number - n::pmpaddr0;
    return entry < c.pmpaddr.size() ? c.pmpaddr[entry] : 0;
  }
  return 0;  // hpmcounter3..31, mhpmcounter3..31, mhpmevent3..31: no events are counted
}

// xtvec (3.1.7): MODE 0 (direct) and 1 (vectored) only; a write selecting a
// reserved mode is ignored entirely (QEMU 7.2 behaviour).
void write_tvec(uint64_t& tvec, uint64_t value) {
  if ((value & 3) < 2) tvec = value;
}

// 3.1.6.2: MPP is WARL over the implemented modes U, S, M; the reserved
// value 2 keeps the old MPP.
uint64_t legalize_mpp(uint64_t old_mstatus, uint64_t new_mstatus) {
  if ((new_mstatus & kMstatusMPP) == (2ull << 11)) {
    new_mstatus = (new_mstatus & ~kMstatusMPP) | (old_mstatus & kMstatusMPP);
  }
  return new_mstatus;
}

void write_mstatus(Hart& hart, uint64_t writable, uint64_t value) {
  uint64_t& mstatus = hart.csr.mstatus;
  uint64_t updated = (mstatus & ~writable) | (value & writable);
  updated = legalize_mpp(mstatus, updated);
  // The TLB tags carry the privilege, SUM and MXR and MPRV/MPP are read on
  // every access, so no mstatus change needs a flush.
  mstatus = with_sd(updated);
}

// satp (4.1.11): writes selecting an unsupported MODE have no effect at all.
// ASID is 16 bits and PPN 44 bits, so every bit of a supported write sticks.
void write_satp(Hart& hart, uint64_t value) {
  const uint64_t mode = value >> kSatpModeShift;
  if (mode != kSatpModeBare && mode != kSatpModeSv39 && mode != kSatpModeSv48) return;
  if (value != hart.csr.satp) {
    hart.csr.satp = value;
    hart.flush_tlb();
  }
}

void write_csr(Hart& hart, uint16_t number, uint64_t value) {
  auto& c = hart.csr;
  switch (number) {
    // F extension (11.2): writing any FP CSR marks the FP state dirty.
    case n::fflags: c.fflags = value & 0x1f; hart.mark_fp_dirty(); return;
    case n::frm: c.frm = value & 7; hart.mark_fp_dirty(); return;
    case n::fcsr:
      c.fflags = value & 0x1f;
      c.frm = (value >> 5) & 7;
      hart.mark_fp_dirty();
      return;

    case n::sstatus: write_mstatus(hart, kSstatusWritable, value); return;
    case n::sie: {
      const uint64_t writable = c.mideleg & kSupervisorInterrupts;
      c.mie = (c.mie & ~writable) | (value & writable);
      return;
    }
    case n::stvec: write_tvec(c.stvec, value); return;
    case n::scounteren: c.scounteren = value & 0xffffffffull; return;
    case n::senvcfg: c.senvcfg = value & kEnvcfgFIOM; return;
    case n::sscratch: c.sscratch = value; return;
    case n::sepc: c.sepc = value & ~uint64_t{1}; return;  // IALIGN=16: bit 0 is zero (4.1.7)
    case n::scause: c.scause = value; return;
    case n::stval: c.stval = value; return;
    case n::sip: {
      const uint64_t writable = c.mideleg & kSipWritable;
      c.mip = (c.mip & ~writable) | (value & writable);
      return;
    }
    case n::satp: write_satp(hart, value); return;

    case n::mstatus: write_mstatus(hart, kMstatusWritable, value); return;
    // misa (3.1.1) is WARL; emu, like QEMU 7.2's virt cpu, does not let
    // software disable extensions: writes are ignored.
    case n::misa: return;
    case n::medeleg: c.medeleg = value & kMedelegWritable; return;
    case n::mideleg: c.mideleg = value & kSupervisorInterrupts; return;  // 3.1.9: only S interrupts delegate
    case n::mie: c.mie = value & (kSupervisorInterrupts | kMachineInterrupts); return;
    case n::mtvec: write_tvec(c.mtvec, value); return;
    case n::mcounteren: c.mcounteren = value & 0xffffffffull; return;
    case n::menvcfg: c.menvcfg = value & kEnvcfgFIOM; return;
    // The inhibit bits are stored; the interpreter honours IR (minstret and,
    // since mcycle is derived from the same count, mcycle too).
    case n::mcountinhibit: c.mcountinhibit = value & kMcountinhibitWritable; return;
    case n::mscratch: c.mscratch = value; return;
    case n::mepc: c.mepc = value & ~uint64_t{1}; return;  // IALIGN=16 (3.1.14)
    case n::mcause: c.mcause = value; return;
    case n::mtval: c.mtval = value; return;
    // 3.1.9: SSIP, STIP and SEIP are writable in mip; MSIP, MTIP and MEIP
    // are read-only, driven by the CLINT and PLIC through interrupt_lines.
    case n::mip: c.mip = (c.mip & ~kSupervisorInterrupts) | (value & kSupervisorInterrupts); return;
    // Zicsr (unprivileged 9.1): a write to a counter replaces the increment
    // of the writing instruction, so the next instruction reads the value
    // written. The interpreter increments instret after a successful
    // instruction unless mcountinhibit.IR is set; mcycle shares that count.
    case n::mcycle: hart.cycle_offset = value - hart.instret - pending_increment(hart); return;
    case n::minstret: hart.instret_offset = value - hart.instret - pending_increment(hart); return;

    case n::tselect: case n::tdata1: case n::tdata2: case n::tdata3: return;  // no triggers
    default:
      break;
  }
  if (is_pmpcfg(number)) write_pmpcfg(hart, number, value);
  if (is_pmpaddr(number)) write_pmpaddr(hart, number, value);
  // mhpmcounter3..31 and mhpmevent3..31 are read-only zero (WARL): ignored.
}

}  // namespace

bool Hart::csr_access(uint16_t number, bool read, bool write, uint64_t& old_value, uint64_t new_value) {
  number &= 0xfff;
  if (!accessible(*this, number, write)) {
    take_trap(Exception::IllegalInstruction, instruction_bits);
    return false;
  }
  if (read) old_value = read_csr(*this, number, false);
  if (write) write_csr(*this, number, new_value);
  return true;
}

bool Hart::csr_read_for_update(uint16_t number, uint64_t& value) {
  number &= 0xfff;
  if (!accessible(*this, number, false)) {
    take_trap(Exception::IllegalInstruction, instruction_bits);
    return false;
  }
  value = read_csr(*this, number, true);
  return true;
}

}  // namespace emu::riscv
