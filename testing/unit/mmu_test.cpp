// Address translation (Sv39/Sv48), PMP, the TLB, misaligned accesses and the
// A extension (mmu.cpp), against the privileged ISA 1.12 sections 3.7 and 4.3.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "emu/core/device.h"
#include "emu/core/physical_bus.h"
#include "emu/target/riscv/hart.h"

namespace emu::riscv {
namespace {

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 8 << 20;
constexpr uint64_t kTableArea = kRamBase + (4 << 20);  // page tables are allocated from here
constexpr uint64_t kRomBase = 0x20000000;
constexpr uint64_t kDeviceBase = 0x10000000;
constexpr uint64_t kHandler = 0x80000100;
constexpr uint64_t kCodeAddress = 0x80000400;

constexpr uint64_t kV = 1, kR = 2, kW = 4, kX = 8, kU = 16, kG = 32, kA = 64, kD = 128;
constexpr uint64_t kSv39 = 8ull << 60, kSv48 = 9ull << 60;

class FixedClock : public TimeSource {
 public:
  uint64_t mtime() const override { return 0; }
};

// Answers reads with a pattern derived from the offset and records accesses.
class RecordingDevice : public Device {
 public:
  struct Access {
    uint64_t offset;
    unsigned size;
    bool is_write;
    uint64_t value;
    bool operator==(const Access&) const = default;
  };
  std::vector<Access> log;
  std::map<uint64_t, uint8_t> bytes;

  std::string_view name() const override { return "recorder"; }
  uint64_t read(uint64_t offset, unsigned size) override {
    uint64_t value = 0;
    for (unsigned i = 0; i < size; ++i) value |= uint64_t{byte_at(offset + i)} << (8 * i);
    log.push_back({offset, size, false, value});
    return value;
  }
  void write(uint64_t offset, uint64_t value, unsigned size) override {
    for (unsigned i = 0; i < size; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (8 * i));
    log.push_back({offset, size, true, value});
  }
  void reset() override {}
  void save(StateWriter&) const override {}
  void load(StateReader&) override {}

 private:
  uint8_t byte_at(uint64_t offset) {
    auto found = bytes.find(offset);
    return found != bytes.end() ? found->second : static_cast<uint8_t>(0xA0 + offset);
  }
};

uint64_t napot(uint64_t base, uint64_t size) { return (base >> 2) | ((size >> 3) - 1); }

class MmuTest : public ::testing::Test {
 protected:
  MmuTest() {
    ram = bus.map_ram(kRamBase, kRamSize, "ram");
    rom = bus.map_rom(kRomBase, 0x10000, "rom");
    bus.map_device(kDeviceBase, 0x1000, &device);
    hart = std::make_unique<Hart>(bus, 0, clock);
    hart->reset(kCodeAddress);
    hart->csr.mtvec = kHandler;
  }

  // ---- physical memory ----
  uint64_t peek(uint64_t address, unsigned size = 8) {
    uint64_t value = 0;
    std::memcpy(&value, ram + (address - kRamBase), size);
    return value;
  }
  void poke(uint64_t address, uint64_t value, unsigned size = 8) {
    std::memcpy(ram + (address - kRamBase), &value, size);
  }

  // ---- page tables ----
  uint64_t allocate_table() {
    const uint64_t table = next_table;
    next_table += 4096;
    std::memset(ram + (table - kRamBase), 0, 4096);
    return table;
  }
  // Creates (or reuses) tables from `root` down to `leaf_level` and writes
  // the leaf entry for va. levels: 3 = Sv39, 4 = Sv48.
  uint64_t map(uint64_t root, unsigned levels, uint64_t va, uint64_t pa, uint64_t flags, unsigned leaf_level = 0) {
    uint64_t table = root;
    for (unsigned level = levels - 1; level > leaf_level; --level) {
      const uint64_t entry_address = table + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
      uint64_t entry = peek(entry_address);
      if ((entry & kV) == 0) {
        entry = ((allocate_table() >> 12) << 10) | kV;
        poke(entry_address, entry);
      }
      table = ((entry >> 10) & ((1ull << 44) - 1)) << 12;
    }
    const uint64_t leaf_address = table + ((va >> (12 + 9 * leaf_level)) & 0x1ff) * 8;
    poke(leaf_address, ((pa >> 12) << 10) | flags);
    return leaf_address;
  }
  void enable_translation(uint64_t mode, uint64_t root, Privilege privilege = Privilege::Supervisor) {
    hart->csr.satp = mode | (root >> 12);
    hart->flush_tlb();
    hart->privilege = privilege;
    allow_all_pmp();
  }
  // PMP entry 15: NAPOT over the whole physical space, RWX (what firmware does for S-mode).
  void allow_all_pmp() {
    hart->csr.pmpaddr[15] = (1ull << 54) - 1;
    hart->csr.pmpcfg[15] = 0x18 | 0x7;
    hart->flush_tlb();
  }

  // ---- access helpers; on a trap they record the cause and restore state ----
  struct Fault {
    uint64_t cause = ~uint64_t{0};
    uint64_t tval = 0;
  };
  void after_trap(Privilege privilege, Fault& fault) {
    fault.cause = hart->csr.mcause;
    fault.tval = hart->csr.mtval;
    EXPECT_EQ(hart->pc, kHandler);
    EXPECT_EQ(hart->csr.mepc, kCodeAddress);
    hart->privilege = privilege;
    hart->pc = kCodeAddress;
    hart->csr.mcause = ~uint64_t{0};
  }
  bool load(uint64_t address, unsigned size, uint64_t& value, Fault* fault = nullptr) {
    const Privilege privilege = hart->privilege;
    if (hart->load(address, size, value)) return true;
    Fault ignored;
    after_trap(privilege, fault ? *fault : ignored);
    return false;
  }
  uint64_t load_ok(uint64_t address, unsigned size = 8) {
    uint64_t value = 0;
    EXPECT_TRUE(load(address, size, value)) << std::hex << address;
    return value;
  }
  bool store(uint64_t address, unsigned size, uint64_t value, Fault* fault = nullptr) {
    const Privilege privilege = hart->privilege;
    if (hart->store(address, size, value)) return true;
    Fault ignored;
    after_trap(privilege, fault ? *fault : ignored);
    return false;
  }
  bool fetch(uint64_t address, uint32_t& bits, Fault* fault = nullptr) {
    const Privilege privilege = hart->privilege;
    if (hart->fetch(address, bits)) return true;
    Fault ignored;
    after_trap(privilege, fault ? *fault : ignored);
    return false;
  }
  Fault load_fault(uint64_t address, unsigned size = 8) {
    Fault fault;
    uint64_t value = 0;
    EXPECT_FALSE(load(address, size, value, &fault)) << std::hex << address;
    return fault;
  }
  Fault store_fault(uint64_t address, unsigned size = 8, uint64_t value = 0) {
    Fault fault;
    EXPECT_FALSE(store(address, size, value, &fault)) << std::hex << address;
    return fault;
  }
  Fault fetch_fault(uint64_t address) {
    Fault fault;
    uint32_t bits = 0;
    EXPECT_FALSE(fetch(address, bits, &fault)) << std::hex << address;
    return fault;
  }

  PhysicalBus bus;
  RecordingDevice device;
  FixedClock clock;
  uint8_t* ram = nullptr;
  uint8_t* rom = nullptr;
  std::unique_ptr<Hart> hart;
  uint64_t next_table = kTableArea;
};

constexpr uint64_t cause(Exception exception) { return static_cast<uint64_t>(exception); }

// ---- physical accesses in M-mode ----

TEST_F(MmuTest, MachineModeRamRoundTrip) {
  ASSERT_TRUE(store(0x80010000, 8, 0x1122334455667788));
  EXPECT_EQ(peek(0x80010000), 0x1122334455667788u);
  EXPECT_EQ(load_ok(0x80010000, 1), 0x88u);
  EXPECT_EQ(load_ok(0x80010002, 2), 0x5566u);
  EXPECT_EQ(load_ok(0x80010004, 4), 0x11223344u);  // zero-extended: the caller sign-extends
  ASSERT_TRUE(store(0x80010001, 1, 0xFF));
  EXPECT_EQ(peek(0x80010000), 0x112233445566FF88u);
}

TEST_F(MmuTest, UnmappedPhysicalAddressesRaiseAccessFaults) {
  Fault fault = load_fault(0x40000000);
  EXPECT_EQ(fault.cause, cause(Exception::LoadAccessFault));
  EXPECT_EQ(fault.tval, 0x40000000u);
  fault = store_fault(0x40000008);
  EXPECT_EQ(fault.cause, cause(Exception::StoreAccessFault));
  EXPECT_EQ(fault.tval, 0x40000008u);
  fault = fetch_fault(0x40000010);
  EXPECT_EQ(fault.cause, cause(Exception::InstructionAccessFault));
  EXPECT_EQ(fault.tval, 0x40000010u);
  // The end of RAM: an access running past it faults.
  fault = load_fault(kRamBase + kRamSize - 4, 8);
  EXPECT_EQ(fault.cause, cause(Exception::LoadAccessFault));
}

TEST_F(MmuTest, RomIsReadOnlyAndExecutable) {
  rom[0] = 0x13;  // addi x0, x0, 0 (nop)
  EXPECT_EQ(load_ok(kRomBase, 1), 0x13u);
  uint32_t bits = 0;
  ASSERT_TRUE(fetch(kRomBase, bits));
  EXPECT_EQ(bits, 0x13u);
  EXPECT_EQ(store_fault(kRomBase).cause, cause(Exception::StoreAccessFault));
  EXPECT_EQ(store_fault(kRomBase).cause, cause(Exception::StoreAccessFault));  // also through the TLB
  EXPECT_EQ(rom[0], 0x13);
}

TEST_F(MmuTest, MmioGoesThroughTheBusWithTheRequestedSize) {
  EXPECT_EQ(load_ok(kDeviceBase + 0x10, 4), 0xB3B2B1B0u);
  ASSERT_TRUE(store(kDeviceBase + 0x20, 2, 0xBEEF));
  EXPECT_EQ(load_ok(kDeviceBase + 0x20, 2), 0xBEEFu);  // second access uses the cached translation
  const std::vector<RecordingDevice::Access> expected = {
      {0x10, 4, false, 0xB3B2B1B0}, {0x20, 2, true, 0xBEEF}, {0x20, 2, false, 0xBEEF}};
  EXPECT_EQ(device.log, expected);
  device.log.clear();
  // Misaligned MMIO: byte accesses.
  EXPECT_EQ(load_ok(kDeviceBase + 0x31, 2), 0xD2D1u);
  ASSERT_EQ(device.log.size(), 2u);
  EXPECT_EQ(device.log[0].size, 1u);
  EXPECT_EQ(device.log[1].offset, 0x32u);
  // Code does not run from MMIO.
  EXPECT_EQ(fetch_fault(kDeviceBase).cause, cause(Exception::InstructionAccessFault));
}

TEST_F(MmuTest, FetchReadsSixteenOrThirtyTwoBits) {
  poke(0x80020000, 0x00000013, 4);  // nop
  poke(0x80020004, 0x4501, 2);      // c.li a0, 0
  uint32_t bits = 0;
  ASSERT_TRUE(fetch(0x80020000, bits));
  EXPECT_EQ(bits, 0x00000013u);
  ASSERT_TRUE(fetch(0x80020004, bits));
  EXPECT_EQ(bits, 0x4501u);
}

// ---- misaligned accesses ----

TEST_F(MmuTest, MisalignedAccessesWorkWithoutTraps) {
  for (uint64_t i = 0; i < 16; ++i) poke(0x80030000 + i, i + 1, 1);
  EXPECT_EQ(load_ok(0x80030001, 8), 0x0908070605040302u);
  EXPECT_EQ(load_ok(0x80030003, 4), 0x07060504u);
  EXPECT_EQ(load_ok(0x80030007, 2), 0x0908u);
  ASSERT_TRUE(store(0x80030005, 4, 0xAABBCCDD));
  EXPECT_EQ(peek(0x80030000), 0xBBCCDD0504030201u);
  EXPECT_EQ(peek(0x80030008, 1), 0xAAu);
}

TEST_F(MmuTest, MisalignedAccessAcrossPagesUsesBothTranslations) {
  const uint64_t root = allocate_table();
  const uint64_t va = 0x40000000;
  map(root, 3, va, 0x80100000, kV | kR | kW | kA | kD);
  map(root, 3, va + 0x1000, 0x80200000, kV | kR | kW | kA | kD);  // not contiguous physically
  enable_translation(kSv39, root);
  poke(0x80100ffc, 0x44332211, 4);
  poke(0x80200000, 0x88776655, 4);
  EXPECT_EQ(load_ok(va + 0xffc, 8), 0x8877665544332211u);
  EXPECT_EQ(load_ok(va + 0xffe, 4), 0x66554433u);
  ASSERT_TRUE(store(va + 0xffd, 4, 0xDDCCBBAA));
  EXPECT_EQ(peek(0x80100ffc, 4), 0xCCBBAA11u);
  EXPECT_EQ(peek(0x80200000, 4), 0x887766DDu);
}

TEST_F(MmuTest, PageCrossingFaultReportsTheFaultingPart) {
  const uint64_t root = allocate_table();
  const uint64_t va = 0x40000000;
  map(root, 3, va, 0x80100000, kV | kR | kW | kA | kD);  // the next page is unmapped
  enable_translation(kSv39, root);
  poke(0x80100ff8, 0x1111111111111111);
  Fault fault = store_fault(va + 0xffc, 8, 0x2222222222222222);
  EXPECT_EQ(fault.cause, cause(Exception::StorePageFault));
  EXPECT_EQ(fault.tval, va + 0x1000);
  EXPECT_EQ(peek(0x80100ff8), 0x1111111111111111u);  // first part not written
  fault = load_fault(va + 0xfff, 2);
  EXPECT_EQ(fault.cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(fault.tval, va + 0x1000);
  // The first part faulting reports the original address.
  fault = load_fault(va - 2, 4);
  EXPECT_EQ(fault.tval, va - 2);
}

TEST_F(MmuTest, PageCrossingInstructionFaultsAtSecondParcel) {
  const uint64_t root = allocate_table();
  const uint64_t va = 0x40000000;
  map(root, 3, va, 0x80100000, kV | kX | kA);
  enable_translation(kSv39, root);
  poke(0x80100ffe, 0x0013, 2);  // low half of a 32-bit instruction
  hart->pc = kCodeAddress;
  const Fault fault = fetch_fault(va + 0xffe);
  EXPECT_EQ(fault.cause, cause(Exception::InstructionPageFault));
  EXPECT_EQ(fault.tval, va + 0x1000);
  // A compressed instruction at the same place needs only its own page.
  poke(0x80100ffe, 0x4501, 2);
  uint32_t bits = 0;
  ASSERT_TRUE(fetch(va + 0xffe, bits));
  EXPECT_EQ(bits, 0x4501u);
}

// ---- Sv39 / Sv48 ----

TEST_F(MmuTest, Sv39FourKilobytePageAndAccessedDirtyBits) {
  const uint64_t root = allocate_table();
  const uint64_t va = 0x12345000;
  const uint64_t leaf = map(root, 3, va, 0x80300000, kV | kR | kW);
  enable_translation(kSv39, root);
  poke(0x80300010, 0xCAFE);
  EXPECT_EQ(load_ok(va + 0x10), 0xCAFEu);
  EXPECT_EQ(peek(leaf) & (kA | kD), kA);  // loads set A only
  ASSERT_TRUE(store(va + 0x18, 8, 0xF00D));
  EXPECT_EQ(peek(0x80300018), 0xF00Du);
  EXPECT_EQ(peek(leaf) & (kA | kD), kA | kD);
}

TEST_F(MmuTest, Sv39Superpages) {
  const uint64_t root = allocate_table();
  map(root, 3, 0x40000000, 0x80000000, kV | kR | kW | kA | kD, 2);  // 1 GiB
  map(root, 3, 0x00200000, 0x80600000, kV | kR | kW | kA | kD, 1);  // 2 MiB
  enable_translation(kSv39, root);
  poke(0x80123450, 0x77);
  EXPECT_EQ(load_ok(0x40123450), 0x77u);
  poke(0x80612340, 0x99);
  EXPECT_EQ(load_ok(0x00212340), 0x99u);
}

TEST_F(MmuTest, MisalignedSuperpageFaults) {
  const uint64_t root = allocate_table();
  map(root, 3, 0x00200000, 0x80401000, kV | kR | kW | kA | kD, 1);  // PPN[0] != 0
  enable_translation(kSv39, root);
  const Fault fault = load_fault(0x00200008);
  EXPECT_EQ(fault.cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(fault.tval, 0x00200008u);
}

TEST_F(MmuTest, Sv48Walks) {
  const uint64_t root = allocate_table();
  const uint64_t va = 0x0000123456789000;  // needs the fourth level
  map(root, 4, va, 0x80300000, kV | kR | kW | kA | kD);
  map(root, 4, 0x0000400000000000 - 0x40000000, 0x80000000, kV | kR | kA, 2);  // 1 GiB at level 2
  enable_translation(kSv48, root);
  poke(0x80300008, 0x5151);
  EXPECT_EQ(load_ok(va + 8), 0x5151u);
  poke(0x80000100, 0x6262);
  EXPECT_EQ(load_ok(0x0000400000000000 - 0x40000000 + 0x100), 0x6262u);
  // Sv48 canonical form: bits 63:48 copy bit 47.
  EXPECT_EQ(load_fault(0x0000800000000000).cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(load_fault(0x0001000000000000 | va).cause, cause(Exception::LoadPageFault));
}

TEST_F(MmuTest, Sv39NonCanonicalAddressFaults) {
  const uint64_t root = allocate_table();
  map(root, 3, 0x40000000, 0x80000000, kV | kR | kW | kA | kD, 2);
  enable_translation(kSv39, root);
  EXPECT_EQ(load_ok(0x40000000), peek(0x80000000));
  const Fault fault = load_fault(0x0000008040000000);  // bit 39 set, bit 38 clear
  EXPECT_EQ(fault.cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(fault.tval, 0x0000008040000000u);
  EXPECT_EQ(store_fault(0xFFFFFFC000000000).cause, cause(Exception::StorePageFault));  // canonical but unmapped
  EXPECT_EQ(store_fault(0xFFFFFF0000000000).cause, cause(Exception::StorePageFault));  // not canonical
  EXPECT_EQ(fetch_fault(0x0000004000000000).cause, cause(Exception::InstructionPageFault));
}

TEST_F(MmuTest, InvalidEntriesFault) {
  const uint64_t root = allocate_table();
  const uint64_t leaf_invalid = map(root, 3, 0x10000, 0x80300000, kR | kA);  // V = 0
  const uint64_t leaf_write_only = map(root, 3, 0x11000, 0x80300000, kV | kW | kA | kD);
  const uint64_t leaf_reserved = map(root, 3, 0x12000, 0x80300000, kV | kR | kA);
  poke(leaf_reserved, peek(leaf_reserved) | (1ull << 61));  // Svpbmt bits are reserved here
  map(root, 3, 0x13000, 0x80300000, kV | kR | kA);
  // A non-leaf entry at level 0: point the level-0 entry for 0x14000 at a table.
  const uint64_t level0_pointer = map(root, 3, 0x14000, 0x80301000, kV);
  (void)leaf_invalid;
  (void)leaf_write_only;
  (void)level0_pointer;
  enable_translation(kSv39, root);
  EXPECT_EQ(load_fault(0x10000).cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(load_fault(0x11000).cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(load_fault(0x12000).cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(load_ok(0x13000), peek(0x80300000));
  EXPECT_EQ(load_fault(0x14000).cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(store_fault(0x13000).cause, cause(Exception::StorePageFault));  // R only
  EXPECT_EQ(fetch_fault(0x13000).cause, cause(Exception::InstructionPageFault));
}

TEST_F(MmuTest, UserBitSumAndMxr) {
  const uint64_t root = allocate_table();
  map(root, 3, 0x10000, 0x80300000, kV | kR | kW | kX | kU | kA | kD);  // user page
  map(root, 3, 0x11000, 0x80301000, kV | kR | kW | kX | kA | kD);       // supervisor page
  map(root, 3, 0x12000, 0x80302000, kV | kX | kA);                      // execute-only
  map(root, 3, 0x13000, 0x80303000, kV | kX | kU | kA);                 // user execute-only
  enable_translation(kSv39, root);
  poke(0x80300000, 0x11);
  poke(0x80302000, 0x33);
  poke(0x80303000, 0x44);

  // S-mode: user pages need SUM for data, and are never executable.
  EXPECT_EQ(load_fault(0x10000).cause, cause(Exception::LoadPageFault));
  hart->csr.mstatus |= kMstatusSUM;  // no flush: SUM is part of the TLB context
  EXPECT_EQ(load_ok(0x10000), 0x11u);
  ASSERT_TRUE(store(0x10008, 8, 5));
  EXPECT_EQ(fetch_fault(0x10000).cause, cause(Exception::InstructionPageFault));
  hart->csr.mstatus &= ~kMstatusSUM;
  EXPECT_EQ(load_fault(0x10000).cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(store_fault(0x10008).cause, cause(Exception::StorePageFault));

  // MXR makes execute-only pages readable.
  EXPECT_EQ(load_fault(0x12000).cause, cause(Exception::LoadPageFault));
  hart->csr.mstatus |= kMstatusMXR;
  EXPECT_EQ(load_ok(0x12000), 0x33u);
  EXPECT_EQ(store_fault(0x12000).cause, cause(Exception::StorePageFault));
  hart->csr.mstatus &= ~kMstatusMXR;
  EXPECT_EQ(load_fault(0x12000).cause, cause(Exception::LoadPageFault));

  // U-mode: only user pages; SUM is irrelevant.
  hart->privilege = Privilege::User;
  hart->csr.mstatus |= kMstatusSUM;
  EXPECT_EQ(load_ok(0x10000), 0x11u);
  uint32_t bits = 0;
  EXPECT_TRUE(fetch(0x10000, bits));
  EXPECT_EQ(load_fault(0x11000).cause, cause(Exception::LoadPageFault));
  EXPECT_EQ(fetch_fault(0x11000).cause, cause(Exception::InstructionPageFault));
  EXPECT_EQ(load_fault(0x13000).cause, cause(Exception::LoadPageFault));
  hart->csr.mstatus |= kMstatusMXR;
  EXPECT_EQ(load_ok(0x13000), 0x44u);
}

TEST_F(MmuTest, MprvTranslatesDataButNotFetches) {
  const uint64_t root = allocate_table();
  map(root, 3, 0x10000, 0x80300000, kV | kR | kW | kA | kD);
  enable_translation(kSv39, root, Privilege::Machine);
  poke(0x80300000, 0xABCD);
  poke(kCodeAddress, 0x00000013, 4);
  EXPECT_EQ(load_fault(0x10000).cause, cause(Exception::LoadAccessFault));  // M-mode: physical 0x10000
  // (The trap above left MPP = M.)
  hart->csr.mstatus = (hart->csr.mstatus & ~kMstatusMPP) | kMstatusMPRV | (1ull << 11);  // MPP = S
  EXPECT_EQ(load_ok(0x10000), 0xABCDu);
  uint32_t bits = 0;
  ASSERT_TRUE(fetch(kCodeAddress, bits));  // fetches stay untranslated
  EXPECT_EQ(bits, 0x13u);
  hart->csr.mstatus &= ~kMstatusMPP;  // MPP = U: the page is not a user page
  EXPECT_EQ(load_fault(0x10000).cause, cause(Exception::LoadPageFault));
}

TEST_F(MmuTest, SfenceVmaDropsStaleTranslations) {
  const uint64_t root = allocate_table();
  const uint64_t leaf = map(root, 3, 0x10000, 0x80300000, kV | kR | kW | kA | kD);
  enable_translation(kSv39, root);
  poke(0x80300000, 1);
  poke(0x80310000, 2);
  EXPECT_EQ(load_ok(0x10000), 1u);
  poke(leaf, ((0x80310000ull >> 12) << 10) | kV | kR | kW | kA | kD);
  hart->x[7] = 0x10000;
  ASSERT_TRUE(hart->execute_sfence_vma(7, 0));
  EXPECT_EQ(load_ok(0x10000), 2u);
}

TEST_F(MmuTest, SfenceVmaWithAddressDropsTheWholeSuperpage) {
  const uint64_t root = allocate_table();
  const uint64_t leaf = map(root, 3, 0x00200000, 0x80200000, kV | kR | kW | kA | kD, 1);
  enable_translation(kSv39, root);
  poke(0x80200000, 1);
  poke(0x80205000, 2);
  poke(0x80600000, 3);
  poke(0x80605000, 4);
  EXPECT_EQ(load_ok(0x00200000), 1u);
  EXPECT_EQ(load_ok(0x00205000), 2u);
  poke(leaf, ((0x80600000ull >> 12) << 10) | kV | kR | kW | kA | kD);
  hart->x[7] = 0x00200000;  // fence names one address of the superpage
  ASSERT_TRUE(hart->execute_sfence_vma(7, 0));
  EXPECT_EQ(load_ok(0x00205000), 4u);
  EXPECT_EQ(load_ok(0x00200000), 3u);
}

TEST_F(MmuTest, SatpWriteSwitchesAddressSpaces) {
  const uint64_t first = allocate_table();
  const uint64_t second = allocate_table();
  map(first, 3, 0x10000, 0x80300000, kV | kR | kA);
  map(second, 3, 0x10000, 0x80301000, kV | kR | kA);
  enable_translation(kSv39, first);
  poke(0x80300000, 1);
  poke(0x80301000, 2);
  EXPECT_EQ(load_ok(0x10000), 1u);
  uint64_t ignored = 0;
  ASSERT_TRUE(hart->csr_access(csr_number::satp, false, true, ignored, kSv39 | (second >> 12)));
  EXPECT_EQ(load_ok(0x10000), 2u);
}

TEST_F(MmuTest, PrivilegeChangesNeedNoFlush) {
  const uint64_t root = allocate_table();
  map(root, 3, 0x10000, 0x80300000, kV | kR | kA);  // supervisor page
  enable_translation(kSv39, root);
  poke(0x80300000, 9);
  EXPECT_EQ(load_ok(0x10000), 9u);
  hart->privilege = Privilege::User;
  EXPECT_EQ(load_fault(0x10000).cause, cause(Exception::LoadPageFault));
  hart->privilege = Privilege::Machine;  // untranslated: physical 0x10000 is unmapped
  EXPECT_EQ(load_fault(0x10000).cause, cause(Exception::LoadAccessFault));
}

TEST_F(MmuTest, AccessedDirtyUpdateNeedsWritablePageTable) {
  const uint64_t root = allocate_table();
  map(root, 3, 0x10000, 0x80300000, kV | kR | kW);  // A and D clear
  enable_translation(kSv39, root);
  // PMP: the page tables are read-only for S-mode, data is RW.
  hart->csr.pmpaddr[0] = napot(kTableArea, 1 << 20);
  hart->csr.pmpcfg[0] = 0x18 | 0x1;  // NAPOT, R
  hart->flush_tlb();
  EXPECT_EQ(load_fault(0x10000).cause, cause(Exception::LoadAccessFault));
  hart->csr.pmpcfg[0] = 0x18 | 0x3;
  hart->flush_tlb();
  EXPECT_EQ(load_ok(0x10000), peek(0x80300000));
}

// ---- PMP ----

TEST_F(MmuTest, PmpDeniesSupervisorWhenNothingMatches) {
  hart->privilege = Privilege::Supervisor;
  EXPECT_EQ(load_fault(0x80300000).cause, cause(Exception::LoadAccessFault));
  EXPECT_EQ(fetch_fault(0x80300000).cause, cause(Exception::InstructionAccessFault));
  hart->privilege = Privilege::Machine;  // M-mode: no match means allowed
  EXPECT_EQ(load_ok(0x80300000), 0u);
}

TEST_F(MmuTest, PmpAddressMatchingModes) {
  hart->privilege = Privilege::Supervisor;
  // Entry 0: NA4 at 0x80300000, R. Entry 1: TOR [0x80300000 + 0x1000, 0x80302000), RW.
  // Entry 2: NAPOT 64 KiB at 0x80310000, X.
  hart->csr.pmpaddr[0] = 0x80300000 >> 2;
  hart->csr.pmpcfg[0] = 0x10 | 0x1;
  hart->csr.pmpaddr[1] = 0x80302000 >> 2;
  hart->csr.pmpcfg[1] = 0x08 | 0x3;
  hart->csr.pmpaddr[2] = napot(0x80310000, 0x10000);
  hart->csr.pmpcfg[2] = 0x18 | 0x4;
  hart->flush_tlb();
  EXPECT_EQ(load_ok(0x80300000, 4), 0u);
  EXPECT_EQ(store_fault(0x80300000, 4).cause, cause(Exception::StoreAccessFault));
  // TOR's lower bound is pmpaddr0, so entry 1 covers [0x80300000, 0x80302000) but
  // entry 0 wins for its 4 bytes; an 8-byte access straddling NA4's end matches
  // entry 0 partially and fails.
  EXPECT_EQ(load_fault(0x80300000, 8).cause, cause(Exception::LoadAccessFault));
  EXPECT_EQ(load_ok(0x80300004, 4), 0u);
  ASSERT_TRUE(store(0x80301ff8, 8, 1));
  EXPECT_EQ(store_fault(0x80301ffc, 8).cause, cause(Exception::StoreAccessFault));  // runs past TOR top
  EXPECT_EQ(load_fault(0x80302000).cause, cause(Exception::LoadAccessFault));
  uint32_t bits = 0;
  EXPECT_TRUE(fetch(0x80310000, bits));
  EXPECT_TRUE(fetch(0x8031fffc, bits));
  EXPECT_EQ(fetch_fault(0x80320000).cause, cause(Exception::InstructionAccessFault));
  EXPECT_EQ(load_fault(0x80310000).cause, cause(Exception::LoadAccessFault));
  // Repeat after the TLB has seen these pages: the same decisions.
  EXPECT_EQ(load_ok(0x80300004, 4), 0u);
  EXPECT_EQ(load_fault(0x80300000, 8).cause, cause(Exception::LoadAccessFault));
  EXPECT_EQ(store_fault(0x80300000, 4).cause, cause(Exception::StoreAccessFault));
}

TEST_F(MmuTest, PmpLockAppliesToMachineMode) {
  hart->csr.pmpaddr[0] = napot(0x80300000, 0x1000);
  hart->csr.pmpcfg[0] = 0x18 | 0x1;  // R only, unlocked: M-mode ignores it
  hart->flush_tlb();
  ASSERT_TRUE(store(0x80300000, 8, 1));
  hart->csr.pmpcfg[0] |= 0x80;  // locked: now M-mode is bound too
  hart->flush_tlb();
  EXPECT_EQ(store_fault(0x80300000).cause, cause(Exception::StoreAccessFault));
  EXPECT_EQ(load_ok(0x80300000), 1u);
  EXPECT_EQ(fetch_fault(0x80300000).cause, cause(Exception::InstructionAccessFault));
}

TEST_F(MmuTest, PmpLowestNumberedEntryWins) {
  hart->privilege = Privilege::Supervisor;
  hart->csr.pmpaddr[3] = napot(0x80300000, 0x1000);
  hart->csr.pmpcfg[3] = 0x18;  // no permissions
  hart->csr.pmpaddr[4] = napot(0x80000000, 0x800000);
  hart->csr.pmpcfg[4] = 0x18 | 0x7;
  hart->flush_tlb();
  EXPECT_EQ(load_fault(0x80300000).cause, cause(Exception::LoadAccessFault));
  EXPECT_EQ(load_ok(0x80301000), 0u);
  // Swap priorities: the permissive entry first.
  hart->csr.pmpaddr[2] = napot(0x80000000, 0x800000);
  hart->csr.pmpcfg[2] = 0x18 | 0x7;
  hart->flush_tlb();
  EXPECT_EQ(load_ok(0x80300000), 0u);
}

TEST_F(MmuTest, PmpCsrWritesFlushTheTlb) {
  allow_all_pmp();
  uint64_t ignored = 0;
  // Each kind of PMP write must drop translations cached under the old rules.
  ASSERT_TRUE(hart->csr_access(csr_number::pmpaddr0, false, true, ignored, napot(0x80300000, 0x1000)));
  hart->privilege = Privilege::Supervisor;
  EXPECT_EQ(load_ok(0x80300000), 0u);  // entry 0 is OFF: entry 15 allows
  hart->privilege = Privilege::Machine;
  ASSERT_TRUE(hart->csr_access(csr_number::pmpcfg0, false, true, ignored, 0x18));  // NAPOT, no permissions
  hart->privilege = Privilege::Supervisor;
  EXPECT_EQ(load_fault(0x80300000).cause, cause(Exception::LoadAccessFault));
  EXPECT_EQ(load_ok(0x80301000), 0u);
  hart->privilege = Privilege::Machine;
  ASSERT_TRUE(hart->csr_access(csr_number::pmpaddr0, false, true, ignored, napot(0x80301000, 0x1000)));
  hart->privilege = Privilege::Supervisor;
  EXPECT_EQ(load_fault(0x80301000).cause, cause(Exception::LoadAccessFault));
}

TEST_F(MmuTest, PmpPartiallyCoveredPageIsCheckedPerAccess) {
  hart->privilege = Privilege::Supervisor;
  hart->csr.pmpaddr[0] = 0x80300800 >> 2;  // TOR [0, 0x80300800): no access
  hart->csr.pmpcfg[0] = 0x08;
  allow_all_pmp();
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(load_ok(0x80300800), 0u);
    EXPECT_EQ(load_fault(0x803007f8).cause, cause(Exception::LoadAccessFault));
    EXPECT_EQ(load_fault(0x803007fc).cause, cause(Exception::LoadAccessFault));  // partial
  }
}

TEST_F(MmuTest, PageWalkIsCheckedAsSupervisorAccess) {
  const uint64_t root = allocate_table();
  map(root, 3, 0x10000, 0x80300000, kV | kR | kA | kU);
  hart->csr.satp = kSv39 | (root >> 12);
  hart->privilege = Privilege::User;
  // Data page allowed, page tables not.
  hart->csr.pmpaddr[0] = napot(0x80300000, 0x1000);
  hart->csr.pmpcfg[0] = 0x18 | 0x1;
  hart->flush_tlb();
  Fault fault = load_fault(0x10000);
  EXPECT_EQ(fault.cause, cause(Exception::LoadAccessFault));
  EXPECT_EQ(fault.tval, 0x10000u);
  fault = store_fault(0x10000);
  EXPECT_EQ(fault.cause, cause(Exception::StoreAccessFault));
  fault = fetch_fault(0x10000);
  EXPECT_EQ(fault.cause, cause(Exception::InstructionAccessFault));
  hart->csr.pmpaddr[1] = napot(kTableArea, 1 << 20);
  hart->csr.pmpcfg[1] = 0x18 | 0x1;
  hart->flush_tlb();
  EXPECT_EQ(load_ok(0x10000), 0u);
  // A final physical address PMP denies: access fault with the virtual address.
  hart->csr.pmpcfg[0] = 0x18;
  hart->flush_tlb();
  fault = load_fault(0x10008);
  EXPECT_EQ(fault.cause, cause(Exception::LoadAccessFault));
  EXPECT_EQ(fault.tval, 0x10008u);
}

// ---- A extension ----

TEST_F(MmuTest, LoadReservedStoreConditional) {
  poke(0x80300000, 5);
  uint64_t value = 0;
  bool succeeded = false;
  ASSERT_TRUE(hart->load_reserved(0x80300000, 8, value));
  EXPECT_EQ(value, 5u);
  ASSERT_TRUE(hart->store_conditional(0x80300000, 8, 6, succeeded));
  EXPECT_TRUE(succeeded);
  EXPECT_EQ(peek(0x80300000), 6u);
  ASSERT_TRUE(hart->store_conditional(0x80300000, 8, 7, succeeded));  // reservation consumed
  EXPECT_FALSE(succeeded);
  EXPECT_EQ(peek(0x80300000), 6u);
  ASSERT_TRUE(hart->load_reserved(0x80300000, 4, value));
  ASSERT_TRUE(hart->store_conditional(0x80300008, 4, 7, succeeded));  // other address
  EXPECT_FALSE(succeeded);
  EXPECT_EQ(peek(0x80300008), 0u);
  EXPECT_FALSE(hart->reservation_valid);
  // Word LR returns the raw 32 bits.
  poke(0x80300010, 0xFFFFFFFF80000000ull);
  ASSERT_TRUE(hart->load_reserved(0x80300014, 4, value));
  EXPECT_EQ(value, 0xFFFFFFFFu);
}

TEST_F(MmuTest, AtomicsMustBeAligned) {
  uint64_t value = 0;
  bool succeeded = false;
  EXPECT_FALSE(hart->load_reserved(0x80300004, 8, value));
  EXPECT_EQ(hart->csr.mcause, cause(Exception::LoadAddressMisaligned));
  EXPECT_EQ(hart->csr.mtval, 0x80300004u);
  hart->pc = kCodeAddress;
  hart->reservation_valid = true;
  EXPECT_FALSE(hart->store_conditional(0x80300002, 4, 0, succeeded));
  EXPECT_EQ(hart->csr.mcause, cause(Exception::StoreAddressMisaligned));
  hart->pc = kCodeAddress;
  EXPECT_FALSE(hart->amo(AmoOperation::Add, 0x80300001, 4, 1, value));
  EXPECT_EQ(hart->csr.mcause, cause(Exception::StoreAddressMisaligned));
  EXPECT_EQ(hart->csr.mtval, 0x80300001u);
}

TEST_F(MmuTest, AmoOnReadOnlyPageIsAStorePageFault) {
  const uint64_t root = allocate_table();
  map(root, 3, 0x10000, 0x80300000, kV | kR | kA | kD);
  enable_translation(kSv39, root);
  uint64_t value = 0;
  EXPECT_FALSE(hart->amo(AmoOperation::Or, 0x10000, 8, 1, value));
  EXPECT_EQ(hart->csr.mcause, cause(Exception::StorePageFault));
  hart->privilege = Privilege::Supervisor;
  hart->pc = kCodeAddress;
  bool succeeded = false;
  ASSERT_TRUE(hart->load_reserved(0x10000, 8, value));
  EXPECT_FALSE(hart->store_conditional(0x10000, 8, 1, succeeded));
  EXPECT_EQ(hart->csr.mcause, cause(Exception::StorePageFault));
}

TEST_F(MmuTest, AmoOnMmio) {
  uint64_t old_value = 0;
  ASSERT_TRUE(hart->amo(AmoOperation::Add, kDeviceBase + 0x40, 4, 1, old_value));
  EXPECT_EQ(old_value, 0xE3E2E1E0u);
  EXPECT_EQ(device.log.back().value, 0xE3E2E1E1u);
}

TEST_F(MmuTest, WordAmoSignHandling) {
  struct Case {
    AmoOperation operation;
    uint32_t memory, operand, expected;
  };
  const Case cases[] = {
      {AmoOperation::Min, 0xFFFFFFFF, 1, 0xFFFFFFFF},      {AmoOperation::MinUnsigned, 0xFFFFFFFF, 1, 1},
      {AmoOperation::Max, 0xFFFFFFFF, 1, 1},               {AmoOperation::MaxUnsigned, 0xFFFFFFFF, 1, 0xFFFFFFFF},
      {AmoOperation::Min, 0x80000000, 0x7FFFFFFF, 0x80000000}, {AmoOperation::Add, 0xFFFFFFFF, 2, 1},
      {AmoOperation::Swap, 5, 0xABCD, 0xABCD},             {AmoOperation::Xor, 0xF0F0F0F0, 0xFFFF0000, 0x0F0FF0F0},
      {AmoOperation::And, 0xF0F0F0F0, 0xFFFF0000, 0xF0F00000}, {AmoOperation::Or, 0xF0F0F0F0, 0x0000FFFF, 0xF0F0FFFF},
  };
  for (const Case& c : cases) {
    poke(0x80300000, 0x5555555555555555ull);
    poke(0x80300004, c.memory, 4);
    uint64_t old_value = 0;
    // The operand register's upper half is garbage for a W operation.
    ASSERT_TRUE(hart->amo(c.operation, 0x80300004, 4, 0x1234567800000000ull | c.operand, old_value));
    EXPECT_EQ(old_value, c.memory);  // raw 32 bits, zero-extended
    EXPECT_EQ(peek(0x80300004, 4), c.expected) << static_cast<int>(c.operation);
    EXPECT_EQ(peek(0x80300000, 4), 0x55555555u);
    EXPECT_EQ(peek(0x80300008, 4), 0u);
  }
}

// Reference semantics for AMOs, written with C++'s own signed types.
uint64_t reference_amo(AmoOperation operation, uint64_t memory, uint64_t operand, unsigned size) {
  if (size == 4) {
    const auto a = static_cast<uint32_t>(memory), b = static_cast<uint32_t>(operand);
    const auto sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
    switch (operation) {
      case AmoOperation::Swap: return b;
      case AmoOperation::Add: return static_cast<uint32_t>(a + b);
      case AmoOperation::Xor: return a ^ b;
      case AmoOperation::And: return a & b;
      case AmoOperation::Or: return a | b;
      case AmoOperation::Min: return static_cast<uint32_t>(std::min(sa, sb));
      case AmoOperation::Max: return static_cast<uint32_t>(std::max(sa, sb));
      case AmoOperation::MinUnsigned: return std::min(a, b);
      case AmoOperation::MaxUnsigned: return std::max(a, b);
    }
  }
  const auto sa = static_cast<int64_t>(memory), sb = static_cast<int64_t>(operand);
  switch (operation) {
    case AmoOperation::Swap: return operand;
    case AmoOperation::Add: return memory + operand;
    case AmoOperation::Xor: return memory ^ operand;
    case AmoOperation::And: return memory & operand;
    case AmoOperation::Or: return memory | operand;
    case AmoOperation::Min: return static_cast<uint64_t>(std::min(sa, sb));
    case AmoOperation::Max: return static_cast<uint64_t>(std::max(sa, sb));
    case AmoOperation::MinUnsigned: return std::min(memory, operand);
    case AmoOperation::MaxUnsigned: return std::max(memory, operand);
  }
  return 0;
}

RC_GTEST_PROP(MmuProperties, AmoMatchesReference, (uint64_t memory, uint64_t operand, bool word)) {
  const auto operation = static_cast<AmoOperation>(*rc::gen::inRange(0, 9));
  const unsigned size = word ? 4 : 8;
  PhysicalBus bus;
  uint8_t* ram = bus.map_ram(kRamBase, 0x1000, "ram");
  FixedClock clock;
  auto hart = std::make_unique<Hart>(bus, 0, clock);
  std::memcpy(ram + 8, &memory, 8);
  uint64_t old_value = 0;
  RC_ASSERT(hart->amo(operation, kRamBase + 8, size, operand, old_value));
  const uint64_t mask = word ? 0xFFFFFFFFull : ~uint64_t{0};
  RC_ASSERT(old_value == (memory & mask));
  uint64_t after = 0;
  std::memcpy(&after, ram + 8, 8);
  RC_ASSERT((after & mask) == reference_amo(operation, memory, operand, size));
  RC_ASSERT((after & ~mask) == (memory & ~mask));
}

// Random loads and stores of every size at any alignment through a Sv39
// mapping of three virtual pages onto scattered physical pages behave like a
// flat byte array.
RC_GTEST_PROP(MmuProperties, TranslatedAccessesBehaveLikeFlatMemory, ()) {
  PhysicalBus bus;
  uint8_t* ram = bus.map_ram(kRamBase, 0x10000, "ram");
  FixedClock clock;
  auto hart = std::make_unique<Hart>(bus, 0, clock);
  // Root at +0x1000, level-1 at +0x2000, level-0 at +0x3000; data pages +0x9000, +0x5000, +0x7000.
  const auto poke = [&](uint64_t address, uint64_t value) { std::memcpy(ram + (address - kRamBase), &value, 8); };
  const uint64_t va = 0x40000000;
  poke(kRamBase + 0x1000 + ((va >> 30) & 0x1ff) * 8, (((kRamBase + 0x2000) >> 12) << 10) | kV);
  poke(kRamBase + 0x2000 + ((va >> 21) & 0x1ff) * 8, (((kRamBase + 0x3000) >> 12) << 10) | kV);
  const uint64_t data_pages[] = {kRamBase + 0x9000, kRamBase + 0x5000, kRamBase + 0x7000};
  for (unsigned i = 0; i < 3; ++i) {
    poke(kRamBase + 0x3000 + (((va >> 12) + i) & 0x1ff) * 8, ((data_pages[i] >> 12) << 10) | kV | kR | kW);
  }
  hart->csr.satp = kSv39 | ((kRamBase + 0x1000) >> 12);
  hart->csr.pmpaddr[0] = (1ull << 54) - 1;
  hart->csr.pmpcfg[0] = 0x1F;
  hart->privilege = *rc::gen::element(Privilege::Supervisor, Privilege::User);
  if (hart->privilege == Privilege::User) {
    for (unsigned i = 0; i < 3; ++i) {
      const uint64_t entry = kRamBase + 0x3000 + (((va >> 12) + i) & 0x1ff) * 8;
      uint64_t value = 0;
      std::memcpy(&value, ram + (entry - kRamBase), 8);
      poke(entry, value | kU);
    }
  }
  std::vector<uint8_t> model(3 * 4096, 0);
  const auto operations = *rc::gen::inRange(1, 60);
  for (int i = 0; i < operations; ++i) {
    const unsigned size = *rc::gen::element(1u, 2u, 4u, 8u);
    const uint64_t offset = *rc::gen::inRange<uint64_t>(0, 3 * 4096 - size + 1);
    if (*rc::gen::arbitrary<bool>()) {
      const uint64_t value = *rc::gen::arbitrary<uint64_t>();
      RC_ASSERT(hart->store(va + offset, size, value));
      for (unsigned b = 0; b < size; ++b) model[offset + b] = static_cast<uint8_t>(value >> (8 * b));
    } else {
      uint64_t value = 0;
      RC_ASSERT(hart->load(va + offset, size, value));
      uint64_t expected = 0;
      for (unsigned b = 0; b < size; ++b) expected |= uint64_t{model[offset + b]} << (8 * b);
      RC_ASSERT(value == expected);
    }
  }
  // Physical pages hold exactly the model's bytes.
  for (unsigned page = 0; page < 3; ++page) {
    RC_ASSERT(std::memcmp(ram + (data_pages[page] - kRamBase), model.data() + page * 4096, 4096) == 0);
  }
}

}  // namespace
}  // namespace emu::riscv
