// CSR WARL rules, privilege checks, counter enables, trap entry/delegation,
// interrupt priority and the xRET/WFI/SFENCE.VMA state transitions
// (hart.cpp, csr.cpp), against the privileged ISA 1.12.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <memory>

#include "emu/core/physical_bus.h"
#include "emu/target/riscv/hart.h"

namespace emu::riscv {
namespace {

namespace n = csr_number;

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kInterruptFlag = 1ull << 63;
constexpr uint64_t kHandler = 0x80001000;
constexpr uint64_t kSupervisorHandler = 0x80002000;
constexpr uint64_t kCodeAddress = 0x80000400;
constexpr uint32_t kSomeInstruction = 0x30002573;  // csrr a0, mstatus

class FixedClock : public TimeSource {
 public:
  uint64_t now = 0;
  uint64_t mtime() const override { return now; }
};

uint64_t mpp_of(uint64_t mstatus) { return (mstatus >> 11) & 3; }

class CsrTest : public ::testing::Test {
 protected:
  CsrTest() {
    bus.map_ram(kRamBase, 1 << 20, "ram");
    hart = std::make_unique<Hart>(bus, 3, clock);
    hart->reset(kCodeAddress);
    hart->csr.mtvec = kHandler;
    hart->csr.stvec = kSupervisorHandler;
    hart->instruction_bits = kSomeInstruction;
  }

  uint64_t read(uint16_t number) {
    uint64_t value = 0;
    EXPECT_TRUE(hart->csr_access(number, true, false, value, 0)) << std::hex << number;
    return value;
  }
  void write(uint16_t number, uint64_t value) {
    uint64_t ignored = 0;
    EXPECT_TRUE(hart->csr_access(number, false, true, ignored, value)) << std::hex << number;
  }
  // Attempts an access and, if it traps, restores pc/privilege so the next
  // attempt starts from the same place.
  bool try_access(uint16_t number, bool write_it, uint64_t value = 0) {
    const Privilege privilege = hart->privilege;
    uint64_t old_value = 0;
    const bool ok = hart->csr_access(number, !write_it, write_it, old_value, value);
    if (!ok) {
      EXPECT_EQ(hart->csr.mcause, static_cast<uint64_t>(Exception::IllegalInstruction));
      EXPECT_EQ(hart->pc, kHandler);
      hart->privilege = privilege;
      hart->pc = kCodeAddress;
    }
    return ok;
  }

  PhysicalBus bus;
  FixedClock clock;
  std::unique_ptr<Hart> hart;
};

// ---- reset and identification ----

TEST_F(CsrTest, ResetState) {
  hart->x[5] = 7;
  hart->csr.mscratch = 9;
  hart->privilege = Privilege::User;
  hart->reset(0x1000);
  EXPECT_EQ(hart->pc, 0x1000u);
  EXPECT_EQ(hart->privilege, Privilege::Machine);
  EXPECT_EQ(hart->x[5], 0u);
  EXPECT_EQ(read(n::mscratch), 0u);
  // UXL = SXL = 2 (64-bit), FS = Off, everything else zero.
  EXPECT_EQ(read(n::mstatus), 0x0000000a00000000ull);
  // RV64 (MXL=2) with A C D F I M S U.
  EXPECT_EQ(read(n::misa), 0x800000000014112Dull);
  EXPECT_EQ(read(n::mhartid), 3u);
  EXPECT_EQ(read(n::mvendorid), 0u);
  EXPECT_EQ(read(n::marchid), 0u);
  EXPECT_EQ(read(n::mimpid), 0u);
  EXPECT_EQ(read(n::mconfigptr), 0u);
}

TEST_F(CsrTest, MisaWritesAreIgnored) {
  write(n::misa, 0);
  EXPECT_EQ(read(n::misa), 0x800000000014112Dull);
}

TEST_F(CsrTest, IdentificationRegistersAreReadOnly) {
  EXPECT_FALSE(try_access(n::mhartid, true, 5));
  EXPECT_FALSE(try_access(n::mvendorid, true, 5));
  EXPECT_EQ(read(n::mhartid), 3u);
  // csrrs with rs1 = x0 reads a read-only CSR without trapping.
  uint64_t value = 0;
  EXPECT_TRUE(hart->csr_access(n::mhartid, true, false, value, 0));
  EXPECT_EQ(value, 3u);
}

// ---- mstatus / sstatus ----

TEST_F(CsrTest, MstatusMppIgnoresReservedValue) {
  write(n::mstatus, 1ull << 11);  // MPP = S
  EXPECT_EQ(mpp_of(read(n::mstatus)), 1u);
  write(n::mstatus, 2ull << 11);  // reserved: keeps S
  EXPECT_EQ(mpp_of(read(n::mstatus)), 1u);
  write(n::mstatus, 3ull << 11);
  EXPECT_EQ(mpp_of(read(n::mstatus)), 3u);
  write(n::mstatus, 0);
  EXPECT_EQ(mpp_of(read(n::mstatus)), 0u);
}

TEST_F(CsrTest, MstatusFixedAndDerivedFields) {
  write(n::mstatus, ~uint64_t{0});
  const uint64_t value = read(n::mstatus);
  EXPECT_EQ(value & kMstatusVS, 0u);
  EXPECT_EQ(value & kMstatusXS, 0u);
  EXPECT_EQ(value & (kMstatusUBE | kMstatusSBE | kMstatusMBE), 0u);
  EXPECT_EQ(value & (kMstatusUXL | kMstatusSXL), 0x0000000a00000000ull);
  EXPECT_EQ(value & kMstatusFS, kMstatusFS);
  EXPECT_NE(value & kMstatusSD, 0u);  // FS dirty
  const uint64_t expected_writable = kMstatusSIE | kMstatusMIE | kMstatusSPIE | kMstatusMPIE | kMstatusSPP |
                                     kMstatusMPP | kMstatusFS | kMstatusMPRV | kMstatusSUM | kMstatusMXR |
                                     kMstatusTVM | kMstatusTW | kMstatusTSR;
  EXPECT_EQ(value, expected_writable | kMstatusSD | 0x0000000a00000000ull);

  write(n::mstatus, 1ull << 13);  // FS = Initial: SD clear
  EXPECT_EQ(read(n::mstatus) & kMstatusSD, 0u);
  write(n::mstatus, kMstatusSD);  // SD itself is not writable
  EXPECT_EQ(read(n::mstatus) & kMstatusSD, 0u);
}

TEST_F(CsrTest, SstatusIsARestrictedView) {
  write(n::mstatus, kMstatusMIE | kMstatusMPIE | (3ull << 11) | kMstatusTVM | kMstatusSIE);
  const uint64_t sstatus = read(n::sstatus);
  EXPECT_EQ(sstatus & (kMstatusMIE | kMstatusMPIE | kMstatusMPP | kMstatusTVM), 0u);
  EXPECT_NE(sstatus & kMstatusSIE, 0u);
  EXPECT_EQ(sstatus & kMstatusUXL, 2ull << 32);
  // Writing sstatus cannot touch M-only fields.
  write(n::sstatus, kMstatusSUM | kMstatusMXR | kMstatusSPP | kMstatusFS);
  const uint64_t mstatus = read(n::mstatus);
  EXPECT_EQ(mstatus & (kMstatusMIE | kMstatusMPIE | kMstatusMPP | kMstatusTVM),
            kMstatusMIE | kMstatusMPIE | kMstatusMPP | kMstatusTVM);
  EXPECT_EQ(mstatus & kMstatusSIE, 0u);
  EXPECT_NE(mstatus & kMstatusSUM, 0u);
  EXPECT_NE(mstatus & kMstatusSD, 0u);
  EXPECT_NE(read(n::sstatus) & kMstatusSD, 0u);
}

// ---- delegation and interrupt-enable registers ----

TEST_F(CsrTest, DelegationMasks) {
  write(n::medeleg, ~uint64_t{0});
  EXPECT_EQ(read(n::medeleg), 0xB3FFu);  // bit 11 (ecall from M) and reserved 10, 14 read zero
  write(n::mideleg, ~uint64_t{0});
  EXPECT_EQ(read(n::mideleg), 0x222u);  // SSIP, STIP, SEIP
  write(n::mie, ~uint64_t{0});
  EXPECT_EQ(read(n::mie), 0xAAAu);
}

TEST_F(CsrTest, MipSoftwareAndLineBits) {
  write(n::mip, ~uint64_t{0});
  EXPECT_EQ(read(n::mip), 0x222u);
  hart->set_interrupt_line(MachineTimer, true);
  hart->set_interrupt_line(MachineExternal, true);
  EXPECT_EQ(read(n::mip), 0xAA2u);
  write(n::mip, 0);  // cannot clear device lines
  EXPECT_EQ(read(n::mip), 0x880u);
  hart->set_interrupt_line(MachineTimer, false);
  EXPECT_EQ(read(n::mip), 0x800u);
}

TEST_F(CsrTest, SeipReadsAsOrButReadModifyWriteUsesSoftwareBit) {
  hart->set_interrupt_line(SupervisorExternal, true);
  EXPECT_EQ(read(n::mip), 0x200u);
  uint64_t for_update = 0;
  ASSERT_TRUE(hart->csr_read_for_update(n::mip, for_update));
  EXPECT_EQ(for_update, 0u);  // csrs mip, SSIP must not latch SEIP into the software bit
  uint64_t old_value = 0;
  ASSERT_TRUE(hart->csr_access(n::mip, true, true, old_value, for_update | 0x2));
  EXPECT_EQ(old_value, 0x200u);
  hart->set_interrupt_line(SupervisorExternal, false);
  EXPECT_EQ(read(n::mip), 0x2u);
}

TEST_F(CsrTest, SieAndSipAreFilteredByMideleg) {
  write(n::mie, 0x888);  // M bits only
  write(n::mideleg, 0x2);  // SSIP delegated
  write(n::sie, ~uint64_t{0});
  EXPECT_EQ(read(n::sie), 0x2u);
  EXPECT_EQ(read(n::mie), 0x88Au);
  write(n::mip, 0x220);  // STIP, SEIP pending (not delegated)
  EXPECT_EQ(read(n::sip), 0u);
  write(n::sip, ~uint64_t{0});
  EXPECT_EQ(read(n::sip), 0x2u);
  EXPECT_EQ(read(n::mip), 0x222u);
  write(n::mideleg, 0x222);
  write(n::sip, 0);  // only SSIP is writable through sip
  EXPECT_EQ(read(n::sip), 0x220u);
}

// ---- trap vectors and exception registers ----

TEST_F(CsrTest, TvecModes) {
  write(n::mtvec, 0x80000101);
  EXPECT_EQ(read(n::mtvec), 0x80000101u);
  write(n::mtvec, 0x80000203);  // mode 3 reserved: whole write ignored
  EXPECT_EQ(read(n::mtvec), 0x80000101u);
  write(n::mtvec, 0x80000202);  // mode 2 reserved
  EXPECT_EQ(read(n::mtvec), 0x80000101u);
  write(n::stvec, 0x80000200);
  EXPECT_EQ(read(n::stvec), 0x80000200u);
  write(n::stvec, 0x80000303);
  EXPECT_EQ(read(n::stvec), 0x80000200u);
}

TEST_F(CsrTest, EpcBitZeroIsZero) {
  write(n::mepc, 0x80000003);
  EXPECT_EQ(read(n::mepc), 0x80000002u);
  write(n::sepc, ~uint64_t{0});
  EXPECT_EQ(read(n::sepc), ~uint64_t{1});
}

TEST_F(CsrTest, ScratchCauseTvalHoldAnyValue) {
  for (uint16_t number : {n::mscratch, n::mcause, n::mtval, n::sscratch, n::scause, n::stval}) {
    write(number, 0xdeadbeefcafef00dull);
    EXPECT_EQ(read(number), 0xdeadbeefcafef00dull) << std::hex << number;
  }
}

TEST_F(CsrTest, EnvcfgAndCountinhibit) {
  write(n::menvcfg, ~uint64_t{0});
  EXPECT_EQ(read(n::menvcfg), 1u);  // FIOM only
  write(n::senvcfg, ~uint64_t{0});
  EXPECT_EQ(read(n::senvcfg), 1u);
  write(n::mcountinhibit, ~uint64_t{0});
  EXPECT_EQ(read(n::mcountinhibit), 0xFFFFFFFDu);  // TM is read-only zero
  write(n::mcounteren, ~uint64_t{0});
  EXPECT_EQ(read(n::mcounteren), 0xFFFFFFFFu);
  write(n::scounteren, ~uint64_t{0});
  EXPECT_EQ(read(n::scounteren), 0xFFFFFFFFu);
}

TEST_F(CsrTest, TriggersAreAbsent) {
  write(n::tselect, 5);
  EXPECT_EQ(read(n::tselect), 0u);
  write(n::tdata1, ~uint64_t{0});
  EXPECT_EQ(read(n::tdata1) >> 60, 0u);  // type 0: no trigger
  EXPECT_EQ(read(n::tdata2), 0u);
  EXPECT_EQ(read(n::tdata3), 0u);
}

// ---- satp ----

TEST_F(CsrTest, SatpModes) {
  const uint64_t sv39 = (8ull << 60) | (0xABCDull << 44) | 0x80123;
  write(n::satp, sv39);
  EXPECT_EQ(read(n::satp), sv39);  // 16 ASID bits all writable
  write(n::satp, (10ull << 60) | 0x80456);  // Sv57: ignored entirely
  EXPECT_EQ(read(n::satp), sv39);
  write(n::satp, (11ull << 60) | 0x80456);  // Sv64
  EXPECT_EQ(read(n::satp), sv39);
  write(n::satp, (1ull << 60) | 0x80456);  // reserved mode
  EXPECT_EQ(read(n::satp), sv39);
  const uint64_t sv48 = (9ull << 60) | 0x80777;
  write(n::satp, sv48);
  EXPECT_EQ(read(n::satp), sv48);
  write(n::satp, 0);
  EXPECT_EQ(read(n::satp), 0u);
}

TEST_F(CsrTest, SatpPrivilegeAndTvm) {
  hart->privilege = Privilege::Supervisor;
  EXPECT_TRUE(try_access(n::satp, true, 8ull << 60));
  EXPECT_TRUE(try_access(n::satp, false));
  hart->csr.mstatus |= kMstatusTVM;
  EXPECT_FALSE(try_access(n::satp, false));
  EXPECT_FALSE(try_access(n::satp, true, 0));
  EXPECT_EQ(hart->csr.satp, 8ull << 60);
  hart->privilege = Privilege::Machine;  // TVM does not restrict M-mode
  EXPECT_TRUE(try_access(n::satp, false));
  hart->csr.mstatus &= ~kMstatusTVM;
  hart->privilege = Privilege::User;
  EXPECT_FALSE(try_access(n::satp, false));
}

// ---- privilege checks and the illegal-instruction trap ----

TEST_F(CsrTest, SupervisorAccessingMachineCsrTraps) {
  hart->privilege = Privilege::Supervisor;
  hart->csr.mstatus |= kMstatusSIE;
  uint64_t value = 0;
  EXPECT_FALSE(hart->csr_access(n::mstatus, true, false, value, 0));
  EXPECT_EQ(hart->privilege, Privilege::Machine);
  EXPECT_EQ(hart->csr.mcause, 2u);
  EXPECT_EQ(hart->csr.mtval, kSomeInstruction);  // QEMU 7.2: the instruction bits
  EXPECT_EQ(hart->csr.mepc, kCodeAddress);
  EXPECT_EQ(hart->pc, kHandler);
  EXPECT_EQ(mpp_of(hart->csr.mstatus), 1u);
}

TEST_F(CsrTest, DelegatedIllegalInstructionGoesToSupervisor) {
  hart->csr.medeleg = 1u << 2;
  hart->privilege = Privilege::User;
  uint64_t value = 0;
  EXPECT_FALSE(hart->csr_access(n::sstatus, true, false, value, 0));
  EXPECT_EQ(hart->privilege, Privilege::Supervisor);
  EXPECT_EQ(hart->csr.scause, 2u);
  EXPECT_EQ(hart->csr.stval, kSomeInstruction);
  EXPECT_EQ(hart->csr.sepc, kCodeAddress);
  EXPECT_EQ(hart->pc, kSupervisorHandler);
  EXPECT_EQ(hart->csr.mcause, 0u);
}

TEST_F(CsrTest, PrivilegeLevelsFromCsrNumber) {
  hart->privilege = Privilege::User;
  EXPECT_FALSE(try_access(n::sstatus, false));
  EXPECT_FALSE(try_access(n::mscratch, false));
  hart->privilege = Privilege::Supervisor;
  EXPECT_TRUE(try_access(n::sscratch, true, 1));
  EXPECT_FALSE(try_access(n::mscratch, false));
  EXPECT_FALSE(try_access(n::pmpaddr0, false));
  EXPECT_FALSE(try_access(n::tselect, false));
  hart->privilege = Privilege::Machine;
  EXPECT_TRUE(try_access(n::sscratch, false));
}

TEST_F(CsrTest, AbsentCsrsAreIllegal) {
  for (uint16_t number : {0x7C0, 0x5A8, 0x600, 0x180 + 1, 0x7A4, 0x7B0, 0xFC0, 0x004, 0x015, 0x14D}) {
    EXPECT_FALSE(try_access(static_cast<uint16_t>(number), false)) << std::hex << number;
  }
}

// ---- counters ----

TEST_F(CsrTest, CounterEnables) {
  hart->privilege = Privilege::Supervisor;
  EXPECT_FALSE(try_access(n::cycle, false));
  hart->csr.mcounteren = 0x7;  // CY TM IR
  EXPECT_TRUE(try_access(n::cycle, false));
  EXPECT_TRUE(try_access(n::time, false));
  EXPECT_TRUE(try_access(n::instret, false));
  EXPECT_FALSE(try_access(n::hpmcounter3, false));
  hart->privilege = Privilege::User;
  EXPECT_FALSE(try_access(n::time, false));
  hart->csr.scounteren = 0x2;
  EXPECT_TRUE(try_access(n::time, false));
  EXPECT_FALSE(try_access(n::cycle, false));
  hart->csr.mcounteren = 0x5;  // both levels are needed in U-mode
  EXPECT_FALSE(try_access(n::time, false));
  // User counters are read-only.
  hart->privilege = Privilege::Machine;
  EXPECT_FALSE(try_access(n::cycle, true, 0));
}

TEST_F(CsrTest, CounterValues) {
  clock.now = 123456;
  EXPECT_EQ(read(n::time), 123456u);
  hart->instret = 50;
  EXPECT_EQ(read(n::instret), 50u);
  EXPECT_EQ(read(n::minstret), 50u);
  EXPECT_EQ(read(n::cycle), 50u);
  // A counter write replaces the writing instruction's own increment (which
  // the interpreter adds afterwards): the next instruction reads the value.
  write(n::minstret, 1000);
  write(n::mcycle, 7);
  ++hart->instret;
  EXPECT_EQ(read(n::minstret), 1000u);
  EXPECT_EQ(read(n::instret), 1000u);
  EXPECT_EQ(read(n::mcycle), 7u);
  hart->instret += 10;
  EXPECT_EQ(read(n::minstret), 1010u);
  EXPECT_EQ(read(n::cycle), 17u);
  // Unimplemented event counters.
  write(n::mhpmcounter3, 5);
  write(n::mhpmevent3, 5);
  EXPECT_EQ(read(n::mhpmcounter3), 0u);
  EXPECT_EQ(read(n::mhpmevent3 + 28), 0u);
  hart->csr.mcounteren = ~0u;
  EXPECT_EQ(read(n::hpmcounter31), 0u);
}

// ---- floating-point CSRs ----

TEST_F(CsrTest, FloatingPointCsrsNeedFs) {
  EXPECT_FALSE(try_access(n::fflags, false));
  EXPECT_FALSE(try_access(n::fcsr, true, 0));
  write(n::mstatus, 1ull << 13);  // FS = Initial
  write(n::fcsr, 0xFFF);
  EXPECT_EQ(read(n::fcsr), 0xFFu);
  EXPECT_EQ(read(n::fflags), 0x1Fu);
  EXPECT_EQ(read(n::frm), 7u);
  EXPECT_EQ(read(n::mstatus) & kMstatusFS, kMstatusFS);  // writing marks dirty
  EXPECT_NE(read(n::mstatus) & kMstatusSD, 0u);
  write(n::frm, 0x2A);
  EXPECT_EQ(read(n::frm), 2u);
  write(n::fflags, 0x21);
  EXPECT_EQ(read(n::fcsr), (2u << 5) | 1u);
}

// ---- PMP registers ----

TEST_F(CsrTest, PmpRegisterLayout) {
  EXPECT_FALSE(try_access(n::pmpcfg0 + 1, false));  // odd pmpcfg do not exist on RV64
  EXPECT_FALSE(try_access(n::pmpcfg0 + 3, true, 0));
  write(n::pmpcfg0 + 4, ~uint64_t{0});  // entries 16..23: not implemented, read zero
  EXPECT_EQ(read(n::pmpcfg0 + 4), 0u);
  write(n::pmpaddr0 + 20, 0x1234);
  EXPECT_EQ(read(n::pmpaddr0 + 20), 0u);
  write(n::pmpaddr0 + 15, ~uint64_t{0});
  EXPECT_EQ(read(n::pmpaddr0 + 15), (1ull << 54) - 1);
  write(n::pmpcfg0 + 2, 0x0F0E0D0C0B0A0908ull);
  EXPECT_EQ(hart->csr.pmpcfg[8], 0x08);
  EXPECT_EQ(hart->csr.pmpcfg[15], 0x0F);
}

TEST_F(CsrTest, PmpcfgWarlFields) {
  // Entry 0: R=0 W=1 is reserved and reads back with W clear; bits 5-6 read zero.
  write(n::pmpcfg0, 0x62 | (0x1Full << 8));
  EXPECT_EQ(read(n::pmpcfg0) & 0xFF, 0x00u);
  EXPECT_EQ((read(n::pmpcfg0) >> 8) & 0xFF, 0x1Fu);
}

TEST_F(CsrTest, PmpLockedEntriesIgnoreWrites) {
  write(n::pmpaddr0, 0x1000);
  write(n::pmpaddr0 + 1, 0x2000);
  write(n::pmpcfg0, (0x80ull | 0x08 | 0x1) << 8);  // entry 1: L, TOR, R
  write(n::pmpcfg0, 0x1F | (0x0Full << 8));  // entry 1 stays, entry 0 changes
  EXPECT_EQ(read(n::pmpcfg0), 0x891Fu);
  write(n::pmpaddr0 + 1, 0x5555);  // locked entry
  EXPECT_EQ(read(n::pmpaddr0 + 1), 0x2000u);
  write(n::pmpaddr0, 0x5555);  // lower bound of a locked TOR entry
  EXPECT_EQ(read(n::pmpaddr0), 0x1000u);
  write(n::pmpaddr0 + 2, 0x5555);  // unaffected
  EXPECT_EQ(read(n::pmpaddr0 + 2), 0x5555u);
  // A locked NAPOT (not TOR) entry does not lock its predecessor.
  write(n::pmpaddr0 + 3, 0x1111);
  write(n::pmpcfg0, 0x1F | (0x0Full << 8) | (0x98ull << 32));  // entry 4: L, NAPOT
  write(n::pmpaddr0 + 3, 0x3333);
  EXPECT_EQ(read(n::pmpaddr0 + 3), 0x3333u);
  write(n::pmpaddr0 + 4, 0x4444);
  EXPECT_EQ(read(n::pmpaddr0 + 4), 0u);
  // Reset unlocks (3.7.1: L is cleared only by reset).
  hart->reset(kCodeAddress);
  write(n::pmpaddr0 + 1, 0x6666);
  EXPECT_EQ(read(n::pmpaddr0 + 1), 0x6666u);
}

// ---- trap entry ----

TEST_F(CsrTest, ExceptionDelegation) {
  hart->csr.medeleg = 1u << static_cast<unsigned>(Exception::EcallFromUser);
  hart->privilege = Privilege::User;
  hart->csr.mstatus |= kMstatusSIE;
  hart->waiting_for_interrupt = true;
  hart->take_trap(Exception::EcallFromUser, 0);
  EXPECT_EQ(hart->privilege, Privilege::Supervisor);
  EXPECT_EQ(hart->csr.scause, 8u);
  EXPECT_EQ(hart->csr.sepc, kCodeAddress);
  EXPECT_EQ(hart->pc, kSupervisorHandler);
  EXPECT_EQ(hart->csr.mstatus & kMstatusSPP, 0u);
  EXPECT_NE(hart->csr.mstatus & kMstatusSPIE, 0u);
  EXPECT_EQ(hart->csr.mstatus & kMstatusSIE, 0u);
  EXPECT_FALSE(hart->waiting_for_interrupt);

  // From S-mode, a delegated exception stays in S with SPP = S.
  hart->pc = kCodeAddress + 8;
  hart->csr.medeleg |= 1u << 13;
  hart->take_trap(Exception::LoadPageFault, 0x1234);
  EXPECT_EQ(hart->privilege, Privilege::Supervisor);
  EXPECT_NE(hart->csr.mstatus & kMstatusSPP, 0u);
  EXPECT_EQ(hart->csr.mstatus & kMstatusSPIE, 0u);  // SIE was 0
  EXPECT_EQ(hart->csr.stval, 0x1234u);
  EXPECT_EQ(hart->csr.sepc, kCodeAddress + 8);

  // Never delegated from M-mode.
  hart->privilege = Privilege::Machine;
  hart->csr.mstatus |= kMstatusMIE;
  hart->take_trap(Exception::LoadPageFault, 0x5678);
  EXPECT_EQ(hart->privilege, Privilege::Machine);
  EXPECT_EQ(hart->csr.mcause, 13u);
  EXPECT_EQ(hart->csr.mtval, 0x5678u);
  EXPECT_EQ(mpp_of(hart->csr.mstatus), 3u);
  EXPECT_NE(hart->csr.mstatus & kMstatusMPIE, 0u);
  EXPECT_EQ(hart->csr.mstatus & kMstatusMIE, 0u);
  EXPECT_EQ(hart->pc, kHandler);
}

TEST_F(CsrTest, VectoredModeAppliesToInterruptsOnly) {
  hart->csr.mtvec = kHandler | 1;
  hart->take_trap(Exception::Breakpoint, 0);
  EXPECT_EQ(hart->pc, kHandler);
  hart->privilege = Privilege::User;
  hart->csr.mie = 1u << MachineTimer;
  hart->set_interrupt_line(MachineTimer, true);
  EXPECT_TRUE(hart->take_pending_interrupt());
  EXPECT_EQ(hart->pc, kHandler + 4 * 7);
  EXPECT_EQ(hart->csr.mcause, kInterruptFlag | 7);
  EXPECT_EQ(mpp_of(hart->csr.mstatus), 0u);
}

TEST_F(CsrTest, InterruptPriorityForMachineMode) {
  hart->csr.mie = 0xAAA;
  hart->csr.mstatus |= kMstatusMIE;
  hart->csr.mip = 0x222;  // SSIP STIP SEIP, not delegated: M-level
  hart->set_interrupt_line(MachineSoftware, true);
  hart->set_interrupt_line(MachineTimer, true);
  hart->set_interrupt_line(MachineExternal, true);
  const unsigned expected[] = {11, 3, 7, 9, 1, 5};
  for (unsigned interrupt : expected) {
    hart->privilege = Privilege::Machine;
    hart->csr.mstatus |= kMstatusMIE;
    ASSERT_TRUE(hart->take_pending_interrupt());
    EXPECT_EQ(hart->csr.mcause, kInterruptFlag | interrupt);
    hart->csr.mie &= ~(1ull << interrupt);
  }
  hart->csr.mstatus |= kMstatusMIE;
  EXPECT_FALSE(hart->take_pending_interrupt());
}

TEST_F(CsrTest, InterruptGlobalEnables) {
  hart->csr.mie = 0xAAA;
  hart->csr.mideleg = 0x222;
  hart->csr.mip = 1u << SupervisorTimer;
  // M-mode: delegated interrupts are never taken, whatever SIE.
  hart->csr.mstatus |= kMstatusMIE | kMstatusSIE;
  EXPECT_FALSE(hart->take_pending_interrupt());
  // S-mode with SIE = 0: not taken.
  hart->privilege = Privilege::Supervisor;
  hart->csr.mstatus &= ~kMstatusSIE;
  EXPECT_FALSE(hart->take_pending_interrupt());
  // U-mode: taken in S whatever SIE.
  hart->privilege = Privilege::User;
  ASSERT_TRUE(hart->take_pending_interrupt());
  EXPECT_EQ(hart->privilege, Privilege::Supervisor);
  EXPECT_EQ(hart->csr.scause, kInterruptFlag | 5);
  EXPECT_EQ(hart->pc, kSupervisorHandler);
  // S-mode: an M-level interrupt is taken even with MIE = 0 and beats SEI.
  hart->csr.mstatus &= ~kMstatusMIE;
  hart->csr.mstatus |= kMstatusSIE;
  hart->csr.mip |= 1u << SupervisorExternal;
  hart->set_interrupt_line(MachineTimer, true);
  ASSERT_TRUE(hart->take_pending_interrupt());
  EXPECT_EQ(hart->privilege, Privilege::Machine);
  EXPECT_EQ(hart->csr.mcause, kInterruptFlag | 7);
  EXPECT_EQ(mpp_of(hart->csr.mstatus), 1u);
  // Back in S with MTIP cleared: SEI (delegated) beats STI.
  hart->set_interrupt_line(MachineTimer, false);
  hart->privilege = Privilege::Supervisor;
  hart->csr.mstatus |= kMstatusSIE;
  ASSERT_TRUE(hart->take_pending_interrupt());
  EXPECT_EQ(hart->csr.scause, kInterruptFlag | 9);
  // Nothing is taken when mie has the bits clear.
  hart->csr.mie = 0;
  hart->privilege = Privilege::User;
  EXPECT_FALSE(hart->take_pending_interrupt());
}

// ---- xRET ----

TEST_F(CsrTest, MretToSupervisor) {
  hart->csr.mepc = 0x80004000;
  hart->csr.mstatus |= (1ull << 11) | kMstatusMPIE | kMstatusMPRV;
  ASSERT_TRUE(hart->execute_mret());
  EXPECT_EQ(hart->privilege, Privilege::Supervisor);
  EXPECT_EQ(hart->pc, 0x80004000u);
  EXPECT_NE(hart->csr.mstatus & kMstatusMIE, 0u);
  EXPECT_NE(hart->csr.mstatus & kMstatusMPIE, 0u);
  EXPECT_EQ(mpp_of(hart->csr.mstatus), 0u);
  EXPECT_EQ(hart->csr.mstatus & kMstatusMPRV, 0u);
}

TEST_F(CsrTest, MretToMachineKeepsMprv) {
  hart->csr.mepc = 0x80004000;
  hart->csr.mstatus |= (3ull << 11) | kMstatusMPRV;
  hart->csr.mstatus |= kMstatusMIE;
  ASSERT_TRUE(hart->execute_mret());
  EXPECT_EQ(hart->privilege, Privilege::Machine);
  EXPECT_NE(hart->csr.mstatus & kMstatusMPRV, 0u);
  EXPECT_EQ(hart->csr.mstatus & kMstatusMIE, 0u);  // MPIE was 0
  EXPECT_EQ(mpp_of(hart->csr.mstatus), 0u);
}

TEST_F(CsrTest, MretOutsideMachineModeIsIllegal) {
  hart->privilege = Privilege::Supervisor;
  hart->csr.mepc = 0x80004000;
  EXPECT_FALSE(hart->execute_mret());
  EXPECT_EQ(hart->csr.mcause, 2u);
  EXPECT_EQ(hart->csr.mepc, kCodeAddress);
  EXPECT_EQ(hart->pc, kHandler);
}

TEST_F(CsrTest, SretTransitions) {
  hart->privilege = Privilege::Supervisor;
  hart->csr.sepc = 0x80005000;
  hart->csr.mstatus |= kMstatusSPIE | kMstatusMPRV | (3ull << 11);
  ASSERT_TRUE(hart->execute_sret());
  EXPECT_EQ(hart->privilege, Privilege::User);
  EXPECT_EQ(hart->pc, 0x80005000u);
  EXPECT_NE(hart->csr.mstatus & kMstatusSIE, 0u);
  EXPECT_NE(hart->csr.mstatus & kMstatusSPIE, 0u);
  EXPECT_EQ(hart->csr.mstatus & kMstatusSPP, 0u);
  EXPECT_EQ(hart->csr.mstatus & kMstatusMPRV, 0u);
  // SPP = S returns to S; SRET is legal in M-mode too.
  hart->privilege = Privilege::Machine;
  hart->csr.mstatus |= kMstatusSPP;
  hart->csr.mstatus &= ~kMstatusSPIE;
  ASSERT_TRUE(hart->execute_sret());
  EXPECT_EQ(hart->privilege, Privilege::Supervisor);
  EXPECT_EQ(hart->csr.mstatus & kMstatusSIE, 0u);
}

TEST_F(CsrTest, SretIllegalInUserAndUnderTsr) {
  hart->privilege = Privilege::User;
  EXPECT_FALSE(hart->execute_sret());
  EXPECT_EQ(hart->csr.mcause, 2u);
  hart->privilege = Privilege::Supervisor;
  hart->pc = kCodeAddress;
  hart->csr.mstatus |= kMstatusTSR;
  EXPECT_FALSE(hart->execute_sret());
  EXPECT_EQ(hart->privilege, Privilege::Machine);
  EXPECT_EQ(mpp_of(hart->csr.mstatus), 1u);
}

// ---- WFI and SFENCE.VMA ----

TEST_F(CsrTest, Wfi) {
  ASSERT_TRUE(hart->execute_wfi());
  EXPECT_TRUE(hart->waiting_for_interrupt);
  EXPECT_EQ(hart->pc, kCodeAddress);  // the interpreter advances pc
  hart->waiting_for_interrupt = false;
  hart->csr.mie = 1u << MachineTimer;
  hart->set_interrupt_line(MachineTimer, true);  // pending and enabled, MIE = 0: no wait
  ASSERT_TRUE(hart->execute_wfi());
  EXPECT_FALSE(hart->waiting_for_interrupt);
  hart->set_interrupt_line(MachineTimer, false);

  hart->privilege = Privilege::Supervisor;
  ASSERT_TRUE(hart->execute_wfi());
  EXPECT_TRUE(hart->waiting_for_interrupt);
  hart->csr.mstatus |= kMstatusTW;
  EXPECT_FALSE(hart->execute_wfi());
  EXPECT_EQ(hart->csr.mcause, 2u);
  EXPECT_FALSE(hart->waiting_for_interrupt);  // trap entry clears it
  hart->csr.mstatus &= ~kMstatusTW;
  hart->privilege = Privilege::User;
  EXPECT_FALSE(hart->execute_wfi());
  EXPECT_EQ(hart->csr.mcause, 2u);
}

TEST_F(CsrTest, SfenceVmaPrivilege) {
  EXPECT_TRUE(hart->execute_sfence_vma(0, 0));
  hart->privilege = Privilege::Supervisor;
  hart->x[5] = 0x1000;
  EXPECT_TRUE(hart->execute_sfence_vma(5, 0));
  hart->csr.mstatus |= kMstatusTVM;
  EXPECT_FALSE(hart->execute_sfence_vma(0, 0));
  EXPECT_EQ(hart->csr.mcause, 2u);
  hart->csr.mstatus &= ~kMstatusTVM;
  hart->privilege = Privilege::User;
  EXPECT_FALSE(hart->execute_sfence_vma(0, 0));
}

// ---- properties ----

// Whatever is written, mstatus keeps its invariants: fixed fields, SD = (FS
// dirty), MPP never the reserved value.
RC_GTEST_PROP(CsrProperties, MstatusInvariantsHoldAfterAnyWrite, (uint64_t first, uint64_t second, bool via_sstatus)) {
  PhysicalBus bus;
  FixedClock clock;
  auto hart = std::make_unique<Hart>(bus, 0, clock);
  uint64_t ignored = 0;
  RC_ASSERT(hart->csr_access(n::mstatus, false, true, ignored, first));
  RC_ASSERT(hart->csr_access(via_sstatus ? n::sstatus : n::mstatus, false, true, ignored, second));
  const uint64_t value = hart->csr.mstatus;
  RC_ASSERT(mpp_of(value) != 2u);
  RC_ASSERT((value & (kMstatusUXL | kMstatusSXL)) == 0x0000000a00000000ull);
  RC_ASSERT((value & (kMstatusVS | kMstatusXS | kMstatusUBE | kMstatusSBE | kMstatusMBE)) == 0u);
  RC_ASSERT(((value & kMstatusSD) != 0) == ((value & kMstatusFS) == kMstatusFS));
  RC_ASSERT((value & ~(kMstatusSD | kMstatusUXL | kMstatusSXL | 0x7E79AAull)) == 0u);
}

}  // namespace
}  // namespace emu::riscv
