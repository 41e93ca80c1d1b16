// Shared by the JIT's unit tests (jit_test.cpp, jit_differential_test.cpp):
// instruction encoders, a small machine (1 MiB of RAM, a test device that
// drives MSIP, a trap handler that skips the trapping instruction) and the
// complete comparison of two machines' architectural state, RAM and device
// state. Header-only (inline functions).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "emu/core/device.h"
#include "emu/core/physical_bus.h"
#include "emu/target/riscv/csr_numbers.h"
#include "emu/target/riscv/hart.h"

namespace emu::jit::test_machine {

using riscv::Hart;
using riscv::Privilege;

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 1 << 20;
constexpr uint64_t kTrapHandler = kRamBase + 0x100;
constexpr uint64_t kCodeBase = kRamBase + 0x1000;
constexpr uint64_t kDataBase = kRamBase + 0x20000;
constexpr uint64_t kDeviceBase = 0x10000000;

// ---- instruction encodings (unprivileged ISA 20191213, chapter 24) ----
enum Opcode : uint32_t {
  kLoad = 0x03, kLoadFp = 0x07, kMiscMem = 0x0f, kOpImm = 0x13, kAuipc = 0x17, kOpImm32 = 0x1b,
  kStore = 0x23, kStoreFp = 0x27, kOp = 0x33, kLui = 0x37, kOp32 = 0x3b, kOpFp = 0x53,
  kBranch = 0x63, kJalr = 0x67, kJal = 0x6f, kSystem = 0x73,
};
inline uint32_t r_type(uint32_t funct7, unsigned rs2, unsigned rs1, uint32_t funct3, unsigned rd, uint32_t opcode) {
  return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}
inline uint32_t i_type(int32_t imm, unsigned rs1, uint32_t funct3, unsigned rd, uint32_t opcode) {
  return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}
inline uint32_t s_type(int32_t imm, unsigned rs2, unsigned rs1, uint32_t funct3, uint32_t opcode) {
  const auto u = static_cast<uint32_t>(imm);
  return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (u & 0x1f) << 7 | opcode;
}
inline uint32_t b_type(int32_t offset, unsigned rs2, unsigned rs1, uint32_t funct3) {
  const auto u = static_cast<uint32_t>(offset);
  return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 |
         ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | kBranch;
}
inline uint32_t j_type(int32_t offset, unsigned rd) {
  const auto u = static_cast<uint32_t>(offset);
  return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 | ((u >> 12) & 0xff) << 12 |
         rd << 7 | kJal;
}
inline uint32_t u_type(uint32_t upper20, unsigned rd, uint32_t opcode) { return upper20 << 12 | rd << 7 | opcode; }
inline uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) { return i_type(imm, rs1, 0, rd, kOpImm); }
inline uint32_t csr_instruction(uint32_t funct3, unsigned rd, uint16_t csr, unsigned rs1) {
  return i_type(static_cast<int32_t>(csr), rs1, funct3, rd, kSystem);
}
constexpr uint32_t kMret = 0x30200073, kWfi = 0x10500073, kFenceI = 0x0000100f, kEcall = 0x00000073;

// ---- a test device: reads count, a write to offset 0 drives MSIP ----
class InterruptPoker : public Device {
 public:
  std::string_view name() const override { return "interrupt-poker"; }
  uint64_t read(uint64_t offset, unsigned) override { return ++reads + offset; }
  void write(uint64_t offset, uint64_t value, unsigned) override {
    last_written = value;
    if (offset == 0 && hart != nullptr) hart->set_interrupt_line(riscv::MachineSoftware, (value & 1) != 0);
  }
  void reset() override {}
  void save(StateWriter&) const override {}
  void load(StateReader&) override {}
  Hart* hart = nullptr;
  uint64_t reads = 0, last_written = 0;
};

// Virtual time as the board keeps it: constant while a hart runs, moved by
// the test between runs (the board advances its clock after each slice).
class TestTime : public riscv::TimeSource {
 public:
  uint64_t mtime() const override { return now; }
  uint64_t now = 0;
};

struct Machine {
  Machine() : hart(bus, 0, time) {
    ram = bus.map_ram(kRamBase, kRamSize, "ram");
    bus.map_device(kDeviceBase, 0x1000, &device);
    device.hart = &hart;
    hart.reset(kCodeBase);
    hart.csr.mtvec = kTrapHandler;
    // Trap handler: skip the 4 bytes at mepc and return (x31 is reserved for it).
    const uint32_t handler[] = {csr_instruction(2, 31, 0x341, 0), addi(31, 31, 4), csr_instruction(1, 0, 0x341, 31),
                                kMret};
    std::memcpy(ram + (kTrapHandler - kRamBase), handler, sizeof handler);
    bus.dirty_pages().mark_written(kTrapHandler, sizeof handler);  // like a loader (dirty_pages.h)
    // PMP entry 0: NAPOT over everything, RWX, so S and U may run.
    hart.csr.pmpaddr[0] = ~uint64_t{0} >> 10;
    hart.csr.pmpcfg[0] = 0x1f;
  }
  void write_code(uint64_t address, const std::vector<uint32_t>& words) {
    std::memcpy(ram + (address - kRamBase), words.data(), words.size() * 4);
    bus.dirty_pages().mark_written(address, words.size() * 4);
  }
  uint32_t read32(uint64_t address) const {
    uint32_t value;
    std::memcpy(&value, ram + (address - kRamBase), 4);
    return value;
  }

  TestTime time;
  PhysicalBus bus;
  InterruptPoker device;
  uint8_t* ram = nullptr;
  Hart hart;
};

// Every difference between the two machines, one per line (empty if none).
inline std::string differences(const Machine& jit, const Machine& reference) {
  std::ostringstream out;
  const Hart& a = jit.hart;
  const Hart& b = reference.hart;
  const auto check = [&out](const char* what, uint64_t x, uint64_t y) {
    if (x != y) out << what << ": jit " << std::hex << x << " interpreter " << y << std::dec << "\n";
  };
  for (unsigned r = 0; r < 32; ++r) check(("x" + std::to_string(r)).c_str(), a.x[r], b.x[r]);
  for (unsigned r = 0; r < 32; ++r) check(("f" + std::to_string(r)).c_str(), a.f[r], b.f[r]);
  check("pc", a.pc, b.pc);
  check("privilege", static_cast<uint64_t>(a.privilege), static_cast<uint64_t>(b.privilege));
  check("instret", a.instret, b.instret);
  check("instruction_bits", a.instruction_bits, b.instruction_bits);
  check("waiting_for_interrupt", a.waiting_for_interrupt, b.waiting_for_interrupt);
  check("reservation_valid", a.reservation_valid, b.reservation_valid);
  check("reservation_address", a.reservation_address, b.reservation_address);
  check("interrupt_lines", a.interrupt_lines, b.interrupt_lines);
  check("cycle_offset", a.cycle_offset, b.cycle_offset);
  check("instret_offset", a.instret_offset, b.instret_offset);
  const Hart::Csrs& c = a.csr;
  const Hart::Csrs& d = b.csr;
#define EMU_CHECK_CSR(field) check("csr." #field, c.field, d.field)
  EMU_CHECK_CSR(mstatus); EMU_CHECK_CSR(misa); EMU_CHECK_CSR(medeleg); EMU_CHECK_CSR(mideleg);
  EMU_CHECK_CSR(mie); EMU_CHECK_CSR(mip); EMU_CHECK_CSR(mtvec); EMU_CHECK_CSR(mcounteren);
  EMU_CHECK_CSR(mscratch); EMU_CHECK_CSR(mepc); EMU_CHECK_CSR(mcause); EMU_CHECK_CSR(mtval);
  EMU_CHECK_CSR(menvcfg); EMU_CHECK_CSR(mcountinhibit); EMU_CHECK_CSR(stvec); EMU_CHECK_CSR(scounteren);
  EMU_CHECK_CSR(sscratch); EMU_CHECK_CSR(sepc); EMU_CHECK_CSR(scause); EMU_CHECK_CSR(stval);
  EMU_CHECK_CSR(senvcfg); EMU_CHECK_CSR(satp); EMU_CHECK_CSR(fflags); EMU_CHECK_CSR(frm); EMU_CHECK_CSR(tselect);
#undef EMU_CHECK_CSR
  for (unsigned i = 0; i < 16; ++i) {
    check(("pmpcfg" + std::to_string(i)).c_str(), c.pmpcfg[i], d.pmpcfg[i]);
    check(("pmpaddr" + std::to_string(i)).c_str(), c.pmpaddr[i], d.pmpaddr[i]);
  }
  for (unsigned i = 0; i < 3; ++i) check(("tdata" + std::to_string(i)).c_str(), c.tdata[i], d.tdata[i]);
  check("device.reads", jit.device.reads, reference.device.reads);
  check("device.last_written", jit.device.last_written, reference.device.last_written);
  if (std::memcmp(jit.ram, reference.ram, kRamSize) != 0) {
    for (uint64_t i = 0; i < kRamSize; ++i) {
      if (jit.ram[i] != reference.ram[i]) {
        out << "RAM differs first at 0x" << std::hex << (kRamBase + i) << std::dec << "\n";
        break;
      }
    }
  }
  return out.str();
}

}  // namespace emu::jit::test_machine
