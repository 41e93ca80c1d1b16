// One RISC-V hart: architectural state plus the privileged machinery
// (CSRs, traps, address translation). The interpreter (interpreter.cpp) and
// later the JIT execute instructions against this interface.
//
// Who implements what:
//   hart.cpp      construction, reset, trap entry, interrupts, xRET, WFI, SFENCE.VMA
//   csr.cpp       Zicsr accesses with privilege checks and WARL rules
//   mmu.cpp       Sv39/Sv48 translation, the software TLB, PMP, loads/stores/AMOs
//   interpreter.cpp  fetch/decode/execute loop
//
// Error model: every operation that can fault returns bool. On false the trap
// has already been taken (pc points at the handler, the cause/epc/tval CSRs are
// written) and the caller must not touch architectural state further. No C++
// exception ever leaves these functions (the JIT calls them from generated code).
#pragma once

#include <array>
#include <cstdint>

#include "emu/core/physical_bus.h"
#include "emu/target/riscv/csr_numbers.h"
#include "emu/target/riscv/tlb.h"

namespace emu::riscv {

struct DecodedInstruction;  // decoder.h

enum class Privilege : uint8_t { User = 0, Supervisor = 1, Machine = 3 };

// Privileged spec 1.12, table 3.6 (mcause values with interrupt bit clear).
enum class Exception : uint64_t {
  InstructionAddressMisaligned = 0,
  InstructionAccessFault = 1,
  IllegalInstruction = 2,
  Breakpoint = 3,
  LoadAddressMisaligned = 4,
  LoadAccessFault = 5,
  StoreAddressMisaligned = 6,  // also AMO
  StoreAccessFault = 7,        // also AMO
  EcallFromUser = 8,
  EcallFromSupervisor = 9,
  EcallFromMachine = 11,
  InstructionPageFault = 12,
  LoadPageFault = 13,
  StorePageFault = 15,  // also AMO
};

// Interrupt numbers = bit positions in mip/mie (privileged spec 3.1.9).
enum Interrupt : unsigned {
  SupervisorSoftware = 1,
  MachineSoftware = 3,
  SupervisorTimer = 5,
  MachineTimer = 7,
  SupervisorExternal = 9,
  MachineExternal = 11,
};

enum class AmoOperation : uint8_t { Swap, Add, Xor, And, Or, Min, Max, MinUnsigned, MaxUnsigned };

// Where time comes from: the machine's virtual clock (derived from the
// instruction count, never the host clock). mtime is in 10 MHz ticks.
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual uint64_t mtime() const = 0;
};

class TraceLog;

class Hart {
 public:
  Hart(PhysicalBus& bus, uint64_t hart_id, const TimeSource& time);

  // ---- architectural state (public: the interpreter, the JIT, gdb and state
  // hashing read it directly; x[0] is kept zero by every writer) ----
  std::array<uint64_t, 32> x{};
  std::array<uint64_t, 32> f{};  // NaN-boxed: single-precision values have the upper 32 bits all ones
  uint64_t pc = 0;
  Privilege privilege = Privilege::Machine;

  // CSR storage. sstatus/sie/sip are views of mstatus/mie/mip, not copies.
  struct Csrs {
    uint64_t mstatus = 0, misa = 0, medeleg = 0, mideleg = 0, mie = 0;
    uint64_t mip = 0;  // software-writable bits only; device lines are in interrupt_lines
    uint64_t mtvec = 0, mcounteren = 0, mscratch = 0, mepc = 0, mcause = 0, mtval = 0;
    uint64_t menvcfg = 0, mcountinhibit = 0;
    uint64_t stvec = 0, scounteren = 0, sscratch = 0, sepc = 0, scause = 0, stval = 0, senvcfg = 0;
    uint64_t satp = 0;
    uint8_t fflags = 0, frm = 0;
    std::array<uint8_t, 16> pmpcfg{};  // one byte per entry (pmpcfg0 holds entries 0..7, pmpcfg2 8..15)
    std::array<uint64_t, 16> pmpaddr{};
    uint64_t tselect = 0;
    std::array<uint64_t, 3> tdata{};
  } csr;

  uint64_t instret = 0;  // retired instructions (minstret); mcycle is the same count
  uint64_t cycle_offset = 0, instret_offset = 0;  // for writes to mcycle/minstret

  // Interrupt lines driven by devices (CLINT: MSIP, MTIP; PLIC: MEIP, SEIP).
  // mip as the guest reads it = csr.mip | interrupt_lines.
  uint64_t interrupt_lines = 0;
  void set_interrupt_line(unsigned interrupt, bool level) {
    if (level) interrupt_lines |= uint64_t{1} << interrupt;
    else interrupt_lines &= ~(uint64_t{1} << interrupt);
  }
  uint64_t mip() const { return csr.mip | interrupt_lines; }

  // LR/SC reservation (physical address), cleared by SC, by trap entry is not
  // required, and by the machine at every switch between harts (so a store by
  // another hart always lands between LR and SC in a different quantum).
  bool reservation_valid = false;
  uint64_t reservation_address = 0;

  bool waiting_for_interrupt = false;  // set by WFI, cleared when an interrupt is pending
  // Set by the board when a device ends the machine's run mid-slice (a
  // poweroff or reset store to sifive_test): run() and JitEngine::run()
  // return after the current instruction or block instead of using the rest
  // of their budget. The board clears it before each slice.
  bool stop_requested = false;

  // -d tracing (trace_log.h), set by the board; null (the usual case) costs
  // one predictable branch per instruction (interpreter) or block (JIT).
  TraceLog* trace_log = nullptr;

  // The bits of the instruction being executed (16 bits if compressed), set by
  // the interpreter before executing it. csr_access and the execute_*
  // functions raise illegal-instruction with this as tval, as QEMU 7.2 does.
  uint32_t instruction_bits = 0;

  const uint64_t hart_id;
  PhysicalBus& bus;
  const TimeSource& time;

  // ---- hart.cpp ----
  void reset(uint64_t reset_pc);
  void take_trap(Exception cause, uint64_t tval);
  // Takes the highest-priority pending and enabled interrupt (spec 3.1.9
  // order MEI, MSI, MTI, SEI, SSI, STI) if any; returns true if one was taken.
  bool take_pending_interrupt();
  // True if any interrupt is pending and enabled in mie, regardless of the
  // global enables (the WFI wake-up condition).
  bool interrupt_pending_for_wfi() const { return (mip() & csr.mie) != 0; }
  // xRET set pc to mepc/sepc themselves (the caller must not advance pc);
  // WFI and SFENCE.VMA leave pc alone (the caller advances it on true).
  bool execute_mret();
  bool execute_sret();
  bool execute_wfi();
  bool execute_sfence_vma(unsigned rs1, unsigned rs2);  // register numbers: 0 means "all"

  // ---- csr.cpp ----
  // One Zicsr access. `read`/`write` say whether the instruction reads/writes
  // (csrrw with rd=x0 does not read; csrrs/csrrc with rs1=x0 do not write).
  // new_value is the already-combined value to write. Returns false after
  // raising illegal-instruction for an absent CSR, insufficient privilege, a
  // write to a read-only CSR, or a counter disabled by [ms]counteren.
  bool csr_access(uint16_t number, bool read, bool write, uint64_t& old_value, uint64_t new_value);
  // Helpers for csr_access's callers that need the old value to compute the
  // new one (csrrs/csrrc): reads without side effects, raises like csr_access.
  bool csr_read_for_update(uint16_t number, uint64_t& value);

  // mstatus.FS gate for FP instructions and the dirty marking after they write.
  bool fp_enabled() const { return (csr.mstatus & kMstatusFS) != 0; }
  void mark_fp_dirty() { csr.mstatus |= kMstatusFS | kMstatusSD; }
  void accrue_fflags(uint8_t flags) {
    if (flags) {
      csr.fflags |= flags;
      mark_fp_dirty();
    }
  }

  // ---- mmu.cpp ----
  // Data accesses of 1, 2, 4 or 8 bytes at any alignment (misaligned accesses
  // are split and work without a trap handler, as on QEMU's virt). Loads return
  // the raw little-endian bits zero-extended; callers sign-extend.
  bool load(uint64_t address, unsigned size, uint64_t& value);
  bool store(uint64_t address, unsigned size, uint64_t value);
  // Fetches the instruction at pc: 16 bits for a compressed instruction, else
  // 32 bits (each half translated separately, so a page-crossing instruction
  // faults with the right tval).
  bool fetch(uint64_t address, uint32_t& bits);
  // A extension: naturally aligned only (else address-misaligned), translated
  // with store permission for AMO/SC.
  bool load_reserved(uint64_t address, unsigned size, uint64_t& value);
  bool store_conditional(uint64_t address, unsigned size, uint64_t value, bool& succeeded);
  // load_reserved and amo return the raw memory bits zero-extended, like
  // load (the caller sign-extends word results). A W-sized Min/Max compares
  // the low 32 bits as signed/unsigned 32-bit values.
  bool amo(AmoOperation operation, uint64_t address, unsigned size, uint64_t operand, uint64_t& old_value);
  // Drops cached translations (satp writes, SFENCE.VMA, PMP writes). Privilege,
  // MPRV/MPP, SUM and MXR need no flush: the TLB tags entries with them.
  void flush_tlb() { tlb.flush(); }

  // ---- interpreter.cpp ----
  // Executes up to `budget` instructions (taking interrupts between them).
  // Returns how many instruction slots were used (a slot that traps counts:
  // virtual time advances by one per attempted instruction). Stops early when
  // the hart executes WFI with nothing pending.
  uint64_t run(uint64_t budget);
  // Executes exactly one instruction (or takes one pending interrupt first).
  void step();
  // For the JIT's helper table (emu/jit/jit_helpers.h): executes `in`, the
  // already fetched and decoded instruction at pc, exactly as run() would
  // after its fetch - but without the interrupt check before it and without
  // counting instret (the caller does both). Returns true if the
  // instruction completed (pc advanced), false if it trapped.
  bool execute_decoded(const DecodedInstruction& in);

  // Translation cache invalidation hook (FENCE.I); the JIT installs one later.
  void (*on_fence_i)(Hart&) = nullptr;

  Tlb tlb;
  // The store TLB hands out writable host pointers, so the bus's dirty-page
  // tracker re-arms it at every mark (emu/core/dirty_pages.h).
  DirtyPageTracker::WriteCache store_tlb_tracking{bus.dirty_pages(), [this] { tlb.rearm_store_tracking(); },
                                                 [this](uint64_t page) { tlb.rearm_store_tracking(page); }};
};

}  // namespace emu::riscv
