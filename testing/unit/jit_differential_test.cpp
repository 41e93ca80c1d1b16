// Differential property test of the JIT against the interpreter (the
// reference), over the whole ISA the harts implement and the privileged
// machinery around it: random instruction streams (RV64I ALU, M, A, F/D, C,
// loads and stores - misaligned, page-crossing, faulting, MMIO - branches,
// indirect jumps (auipc + jalr: the jump-cache lookup in generated code),
// programs that run across a page end (exits to another page), CSR accesses
// (half of them reads only, time moving between runs), ecall/ebreak/illegal encodings, page-table stores followed
// or not by SFENCE.VMA, satp writes, self-modifying stores with and without
// FENCE.I) run from the same random start state (privilege, paging on or
// off, mstatus bits, delegation, FP state) through JitEngine::run on one
// machine and Hart::run on its twin. Execution is cut into runs of random
// length, and between runs device interrupt lines change on both machines:
// an interrupt arrives at a random instruction count, as it does on the
// board between slices. After every run the slot counts, the complete
// architectural state, RAM and device state must be identical.
//
// Seeds are pinned by testing/CMakeLists.txt (RC_PARAMS); on failure
// rapidcheck prints the RC_PARAMS="reproduce=..." line that replays the case.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "emu/jit/jit_engine.h"
#include "emu/target/riscv/csr_numbers.h"
#include "emu/target/riscv/hart.h"
#include "testing/unit/jit_test_machine.h"

namespace emu::jit {
namespace {

using namespace test_machine;  // jit_test_machine.h
using riscv::Hart;
using riscv::Privilege;

// ---- memory layout inside the 1 MiB of RAM (jit_test_machine.h) ----
constexpr uint64_t kSupervisorHandler = kRamBase + 0x180;  // skips the trapping instruction, sret
constexpr uint64_t kPageTableRoot = kRamBase + 0xf0000;    // Sv39: root, level 1, level 0
constexpr uint64_t kPageTableLevel1 = kRamBase + 0xf1000;
constexpr uint64_t kPageTableLevel0 = kRamBase + 0xf2000;  // maps the 256 pages of RAM
constexpr unsigned kDataPage = (kDataBase - kRamBase) >> 12;  // first of the four data pages

// Sv39 PTE bits (privileged spec 1.12, section 4.3.1) and satp.MODE.
constexpr uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteU = 16, kPteA = 64, kPteD = 128;
constexpr uint64_t kSatpSv39 = uint64_t{8} << 60;
uint64_t leaf_pte(uint64_t physical, uint64_t flags) { return (physical >> 12) << 10 | flags; }
uint64_t table_pte(uint64_t physical) { return (physical >> 12) << 10 | kPteV; }

// Opcodes and encoders beyond jit_test_machine.h's (unprivileged spec chapter 24).
constexpr uint32_t kAmo = 0x2f, kFmadd = 0x43;
constexpr uint32_t kEbreak = 0x00100073, kSret = 0x10200073;
uint32_t sfence_vma(unsigned rs1, unsigned rs2) { return 0x12000073u | rs2 << 20 | rs1 << 15; }
uint32_t amo(uint32_t funct5, bool aq, bool rl, unsigned rs2, unsigned rs1, uint32_t funct3, unsigned rd) {
  return funct5 << 27 | uint32_t{aq} << 26 | uint32_t{rl} << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | kAmo;
}
// Compressed (chapter 16). rs1' and rd' are x8..x15, encoded as 0..7.
uint32_t c_load_store(uint32_t funct3, unsigned rs1_prime, unsigned rd_prime, uint32_t offset, bool doubleword) {
  // c.lw/c.sw: uimm[5:3] -> 12:10, uimm[2] -> 6, uimm[6] -> 5.
  // c.ld/c.sd/c.fld/c.fsd: uimm[5:3] -> 12:10, uimm[7:6] -> 6:5.
  uint32_t bits = funct3 << 13 | ((offset >> 3) & 7) << 10 | rs1_prime << 7 | rd_prime << 2;
  if (doubleword) bits |= ((offset >> 6) & 3) << 5;
  else bits |= ((offset >> 2) & 1) << 6 | ((offset >> 6) & 1) << 5;
  return bits;
}
uint32_t c_j(int32_t offset) {
  const auto u = static_cast<uint32_t>(offset);
  return 0x5u << 13 | ((u >> 11) & 1) << 12 | ((u >> 4) & 1) << 11 | ((u >> 8) & 3) << 9 | ((u >> 10) & 1) << 8 |
         ((u >> 6) & 1) << 7 | ((u >> 7) & 1) << 6 | ((u >> 1) & 7) << 3 | ((u >> 5) & 1) << 2 | 0x1;
}
uint32_t c_branch(bool not_zero, unsigned rs1_prime, int32_t offset) {
  const auto u = static_cast<uint32_t>(offset);
  return (not_zero ? 0x7u : 0x6u) << 13 | ((u >> 8) & 1) << 12 | ((u >> 3) & 3) << 10 | rs1_prime << 7 |
         ((u >> 6) & 3) << 5 | ((u >> 1) & 3) << 3 | ((u >> 5) & 1) << 2 | 0x1;
}

// ---- the random program ----
// Registers: x31 belongs to the trap handlers. Base registers: x10 data,
// x11 the end of a data page (accesses cross into the next page), x12 the
// code (self-modifying stores), x13 the test device (MMIO), x14 the end of
// RAM (accesses run off it), x15 the level-0 PTEs of the data pages.
// x16/x17 hold PTE values to store, x18 a valid replacement instruction,
// x20/x21 satp values (Sv39 / bare).
struct Instruction {
  uint32_t bits = 0;
  unsigned length = 4;  // 8 for an auipc + jalr pair (bits: the jalr)
  enum class Target { None, Branch, Jal, CompressedJump, CompressedBranch, AuipcJalr } target = Target::None;
  unsigned target_index = 0;  // an instruction of the program (or its end: the closing jump)
  unsigned base = 0;          // AuipcJalr: the register auipc writes and jalr jumps through
};

unsigned any_register() { return *rc::gen::inRange(0u, 31u); }

Instruction random_instruction(unsigned count) {
  Instruction in;
  const unsigned rd = any_register(), rs1 = any_register(), rs2 = any_register();
  const int32_t imm12 = *rc::gen::inRange(-2048, 2048);
  const unsigned kind = *rc::gen::inRange(0u, 100u);
  if (kind < 14) {  // integer ALU, M, W forms
    const uint32_t funct3 = *rc::gen::inRange(0u, 8u);
    switch (*rc::gen::inRange(0, 5)) {
      case 0: in.bits = r_type(0, rs2, rs1, funct3, rd, kOp); break;
      case 1: in.bits = r_type(1, rs2, rs1, funct3, rd, kOp); break;
      case 2: in.bits = r_type(*rc::gen::element(0u, 1u, 0x20u), rs2, rs1, funct3, rd, kOp32); break;
      case 3: in.bits = i_type(imm12, rs1, funct3, rd, *rc::gen::element(kOpImm, kOpImm32)); break;
      default: in.bits = u_type(*rc::gen::inRange(0u, 1u << 20), rd, *rc::gen::element(kLui, kAuipc)); break;
    }
    return in;
  }
  if (kind < 30) {  // loads and stores through the base registers
    const unsigned base = *rc::gen::element(10u, 10u, 11u, 12u, 13u, 14u, 15u, 0u, rs1);
    int32_t offset = *rc::gen::inRange(0, 4) == 0 ? imm12 : *rc::gen::inRange(-16, 24);
    if (base == 13) offset = *rc::gen::inRange(0, 16);
    if (*rc::gen::arbitrary<bool>()) {
      in.bits = i_type(offset, base, *rc::gen::inRange(0u, 8u), rd, kLoad);
    } else {
      const unsigned value = base == 12 ? *rc::gen::element(18u, rs2) : rs2;
      in.bits = s_type(offset, value, base, *rc::gen::inRange(0u, 4u), kStore);
    }
    return in;
  }
  if (kind < 36) {  // page-table updates, SFENCE.VMA, satp writes
    switch (*rc::gen::inRange(0, 4)) {
      case 0: case 1:
        in.bits = s_type(8 * *rc::gen::inRange(0, 4), *rc::gen::element(16u, 17u, rs2), 15, 3, kStore);
        break;
      case 2: in.bits = sfence_vma(*rc::gen::element(0u, 10u, 11u, rs1), *rc::gen::element(0u, rs2)); break;
      default: in.bits = csr_instruction(*rc::gen::element(1u, 2u), rd, 0x180, *rc::gen::element(20u, 21u, rs1));
    }
    return in;
  }
  if (kind < 44) {  // A: LR/SC and AMOs, aligned or not, on data, device, anywhere
    const unsigned base = *rc::gen::element(10u, 10u, 11u, 13u, rs1);
    const uint32_t funct5 = *rc::gen::element(0x02u, 0x03u, 0x01u, 0x00u, 0x04u, 0x0cu, 0x08u, 0x10u, 0x14u,
                                              0x18u, 0x1cu);
    in.bits = amo(funct5, *rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>(), funct5 == 0x02 ? 0 : rs2, base,
                  *rc::gen::element(2u, 3u), rd);
    return in;
  }
  if (kind < 54) {  // F and D
    const uint32_t rm = *rc::gen::element(0u, 1u, 2u, 3u, 4u, 7u, 7u, 5u);
    switch (*rc::gen::inRange(0, 6)) {
      case 0: {  // arithmetic: add, sub, mul, div, sgnj, min/max
        const uint32_t funct7 = *rc::gen::element(0x00u, 0x01u, 0x04u, 0x05u, 0x08u, 0x09u, 0x0cu, 0x0du, 0x10u,
                                                  0x11u, 0x14u, 0x15u);
        const uint32_t funct3 = funct7 >= 0x10 ? *rc::gen::inRange(0u, 3u) : rm;
        in.bits = r_type(funct7, rs2, rs1, funct3, rd, kOpFp);
        break;
      }
      case 1: {  // sqrt, conversions between formats and to/from integers
        const uint32_t funct7 = *rc::gen::element(0x2cu, 0x2du, 0x20u, 0x21u, 0x60u, 0x61u, 0x68u, 0x69u);
        unsigned source = *rc::gen::inRange(0u, 4u);
        if (funct7 == 0x2c || funct7 == 0x2d) source = 0;
        if (funct7 == 0x20) source = 1;
        if (funct7 == 0x21) source = 0;
        in.bits = r_type(funct7, source, rs1, rm, rd, kOpFp);
        break;
      }
      case 2:  // moves, compares, classify
        in.bits = *rc::gen::element(r_type(0x71, 0, rs1, 0, rd, kOpFp), r_type(0x79, 0, rs1, 0, rd, kOpFp),
                                    r_type(0x70, 0, rs1, 0, rd, kOpFp), r_type(0x78, 0, rs1, 0, rd, kOpFp),
                                    r_type(0x71, 0, rs1, 1, rd, kOpFp),
                                    r_type(*rc::gen::element(0x50u, 0x51u), rs2, rs1, *rc::gen::inRange(0u, 3u), rd,
                                           kOpFp));
        break;
      case 3:  // fused multiply-add (four opcodes), single or double
        in.bits = any_register() << 27 | *rc::gen::inRange(0u, 2u) << 25 | rs2 << 20 | rs1 << 15 | rm << 12 |
                  rd << 7 | (kFmadd + 4 * *rc::gen::inRange(0u, 4u));
        break;
      case 4:
        in.bits = i_type(*rc::gen::inRange(-4, 8) * 4, *rc::gen::element(10u, 11u, 13u), *rc::gen::element(2u, 3u),
                         rd, kLoadFp);
        break;
      default:
        in.bits = s_type(*rc::gen::inRange(-4, 8) * 4, rs2, *rc::gen::element(10u, 11u, 12u),
                         *rc::gen::element(2u, 3u), kStoreFp);
    }
    return in;
  }
  if (kind < 68) {  // compressed: loads/stores on the base registers, anything in quadrants 1 and 2
    in.length = 2;
    switch (*rc::gen::inRange(0, 4)) {
      case 0: {
        const uint32_t funct3 = *rc::gen::element(1u, 2u, 3u, 5u, 6u, 7u);  // c.fld c.lw c.ld c.fsd c.sw c.sd
        const bool doubleword = funct3 != 2 && funct3 != 6;
        in.bits = c_load_store(funct3, *rc::gen::inRange(2u, 6u), *rc::gen::inRange(0u, 8u),
                               *rc::gen::inRange(0u, 32u) * (doubleword ? 8 : 4), doubleword);
        break;
      }
      case 1:
        in.bits = c_j(0);
        in.target = Instruction::Target::CompressedJump;
        in.target_index = *rc::gen::inRange(0u, count + 1);
        break;
      case 2:
        in.bits = c_branch(*rc::gen::arbitrary<bool>(), *rc::gen::inRange(0u, 8u), 0);
        in.target = Instruction::Target::CompressedBranch;
        in.target_index = *rc::gen::inRange(0u, count + 1);
        break;
      default: {  // any bits: c.addi, c.li, c.lui, c.mv, c.add, c.jr, c.ebreak, reserved encodings ...
        const uint32_t quadrant = *rc::gen::element(1u, 2u);
        in.bits = (*rc::gen::inRange(0u, 0x4000u) << 2) | quadrant;
        // c.jr/c.jalr would leave the program for random addresses; keep them rare.
        if ((in.bits & 0xe003) == 0x8002 && (in.bits & 0x7c) == 0 && (in.bits & 0xf80) != 0 &&
            *rc::gen::inRange(0, 4) != 0) {
          in.bits |= 1u << 2;  // becomes c.mv / c.add
        }
      }
    }
    return in;
  }
  if (kind < 80) {  // branches and jumps inside the program
    in.target_index = *rc::gen::inRange(0u, count + 1);
    if (*rc::gen::inRange(0, 3) == 0) {
      // An indirect jump (the jump-cache lookup in generated code): auipc
      // base, then jalr through it, linking in x1, x5, nothing or anywhere.
      in.base = *rc::gen::element(5u, 6u, 7u, 28u, 29u, 30u);
      in.bits = i_type(0, in.base, 0, *rc::gen::element(0u, 1u, 5u, rd), kJalr);
      in.length = 8;
      in.target = Instruction::Target::AuipcJalr;
    } else if (*rc::gen::inRange(0, 3) == 0) {
      in.bits = j_type(0, *rc::gen::element(0u, 1u, rd));
      in.target = Instruction::Target::Jal;
    } else {
      in.bits = b_type(0, rs2 % 8, rs1 % 8, *rc::gen::element(0u, 1u, 4u, 5u, 6u, 7u));
      in.target = Instruction::Target::Branch;
    }
    return in;
  }
  if (kind < 90) {  // CSR accesses, half of them reads only (csrrs/csrrc with x0, csrrsi/csrrci with 0)
    const uint16_t csr = *rc::gen::element<uint16_t>(0xc00, 0xc01, 0xc01, 0xc02, 0xc03, 0xb00, 0xb02, 0x320, 0x340,
                                                     0x140, 0x300, 0x100, 0x304, 0x104, 0x344, 0x144, 0x303, 0x302,
                                                     0x001, 0x002, 0x003, 0x106, 0x306, 0x180, 0xf14);
    if (*rc::gen::arbitrary<bool>()) {  // mostly the counters and time (blocks run reads in place)
      const uint16_t read = *rc::gen::element<uint16_t>(0xc00, 0xc01, 0xc02, 0xb00, 0xb02, csr);
      in.bits = csr_instruction(*rc::gen::element(2u, 3u, 6u, 7u), *rc::gen::element(5u, rd), read, 0);
    } else {
      in.bits = csr_instruction(*rc::gen::element(1u, 2u, 3u, 5u, 6u, 7u), rd, csr, rs1);
    }
    return in;
  }
  if (kind < 96) {
    in.bits = *rc::gen::element(kEcall, kEbreak, kMret, kSret, kWfi, kFenceI, kFenceI, 0x0ff0000fu, 0u);
    return in;
  }
  in.bits = *rc::gen::arbitrary<uint32_t>() | 3;  // any 32-bit encoding
  return in;
}

struct StartState {
  std::array<uint64_t, 32> x{};
  std::array<uint64_t, 32> f{};
  Privilege privilege = Privilege::Machine;
  bool paging = false;
  uint64_t mstatus = 0, mie = 0, medeleg = 0, mideleg = 0, interrupt_lines = 0;
  std::array<uint64_t, 4> data_page_flags{};  // the data pages' PTE flags (mapping is the identity)
  std::vector<uint16_t> program;              // parcels
  uint64_t code_address = kCodeBase;          // where the program starts (it may run into the next page)
  std::vector<uint8_t> data;
};

std::vector<uint16_t> random_program() {
  const unsigned count = *rc::gen::inRange(1u, 48u);
  std::vector<Instruction> instructions;
  for (unsigned i = 0; i < count; ++i) instructions.push_back(random_instruction(count));
  std::vector<uint32_t> offsets;  // byte offset of each instruction, then of the closing jump
  uint32_t offset = 0;
  for (const Instruction& in : instructions) {
    offsets.push_back(offset);
    offset += in.length;
  }
  offsets.push_back(offset);
  std::vector<uint16_t> parcels;
  for (unsigned i = 0; i < count; ++i) {
    const Instruction& in = instructions[i];
    const auto relative = static_cast<int32_t>(offsets[in.target_index] - offsets[i]);
    uint32_t bits = in.bits;
    switch (in.target) {
      case Instruction::Target::None: break;
      case Instruction::Target::Branch: bits |= b_type(relative, 0, 0, 0) & ~uint32_t{0x7f}; break;
      case Instruction::Target::Jal: bits |= j_type(relative, 0) & ~uint32_t{0x7f}; break;
      case Instruction::Target::CompressedJump: bits = c_j(relative); break;
      case Instruction::Target::CompressedBranch:
        bits |= c_branch(false, 0, relative) & ~uint32_t{0xe003};
        if (relative < -256 || relative > 254) bits = c_j(0);  // out of c.beqz range: a c.j to itself
        break;
      case Instruction::Target::AuipcJalr: {  // target = auipc's pc + (high << 12) + low
        const int32_t high = (relative + 0x800) >> 12;
        const int32_t low = relative - high * 4096;
        const uint32_t auipc = u_type(static_cast<uint32_t>(high) & 0xfffff, in.base, kAuipc);
        parcels.push_back(static_cast<uint16_t>(auipc));
        parcels.push_back(static_cast<uint16_t>(auipc >> 16));
        bits |= (static_cast<uint32_t>(low) & 0xfff) << 20;
        break;
      }
    }
    parcels.push_back(static_cast<uint16_t>(bits));
    if (in.length == 4) parcels.push_back(static_cast<uint16_t>(bits >> 16));
  }
  // Back to the start, so the budget is spent executing the program.
  const uint32_t back = j_type(-static_cast<int32_t>(offset), 0);
  parcels.push_back(static_cast<uint16_t>(back));
  parcels.push_back(static_cast<uint16_t>(back >> 16));
  return parcels;
}

uint64_t interesting_value() {
  return *rc::gen::oneOf(rc::gen::arbitrary<uint64_t>(), rc::gen::inRange<uint64_t>(0, 64),
                         rc::gen::element<uint64_t>(0, 1, ~uint64_t{0}, uint64_t{1} << 63, 0xffffffffull,
                                                    0x80000000ull, 0x7fffffffffffffffull));
}

uint64_t interesting_fp_value() {
  // NaN-boxed singles (1.0f, -0.0f, a quiet NaN, +inf) and doubles (1.5, 1e-310 subnormal, sNaN), or anything.
  return *rc::gen::oneOf(rc::gen::arbitrary<uint64_t>(),
                         rc::gen::element<uint64_t>(0xffffffff3f800000ull, 0xffffffff80000000ull,
                                                    0xffffffff7fc00000ull, 0xffffffff7f800000ull,
                                                    0x3ff8000000000000ull, 0x0000b8157268fdafull,
                                                    0x7ff0000000000001ull, 0x0000000000000000ull));
}

StartState random_start() {
  StartState s;
  for (unsigned r = 1; r < 31; ++r) s.x[r] = interesting_value();
  for (unsigned r = 0; r < 32; ++r) s.f[r] = interesting_fp_value();
  s.privilege = *rc::gen::element(Privilege::Machine, Privilege::Supervisor, Privilege::Supervisor, Privilege::User);
  s.paging = *rc::gen::inRange(0, 3) != 0;
  const uint64_t user = s.privilege == Privilege::User ? kPteU : 0;
  for (uint64_t& flags : s.data_page_flags) {
    flags = *rc::gen::element<uint64_t>(kPteV | kPteR | kPteW | kPteA | kPteD, kPteV | kPteR | kPteW | kPteA | kPteD,
                                        kPteV | kPteR | kPteA, kPteV | kPteR | kPteW, kPteV | kPteX | kPteA, 0,
                                        kPteV | kPteR | kPteW | kPteA | kPteD | kPteU) |
            user;
  }
  s.x[10] = kDataBase + *rc::gen::inRange<uint64_t>(0, 0x800);
  s.x[11] = kDataBase + 0x3000 - *rc::gen::inRange<uint64_t>(0, 12);
  // Programs that cross a page end exercise exits to another page.
  if (*rc::gen::arbitrary<bool>()) s.code_address = kCodeBase + 0x1000 - 2 * *rc::gen::inRange<uint64_t>(1, 200);
  s.x[12] = s.code_address + 2 * *rc::gen::inRange<uint64_t>(0, 80);
  s.x[13] = kDeviceBase + *rc::gen::inRange<uint64_t>(0, 4);
  s.x[14] = kRamBase + kRamSize - *rc::gen::inRange<uint64_t>(0, 8);
  s.x[15] = kPageTableLevel0 + 8 * kDataPage;
  s.x[16] = leaf_pte(kDataBase + 0x2000, kPteV | kPteR | kPteW | kPteA | kPteD | user);  // an alias
  s.x[17] = leaf_pte(kDataBase, kPteV | kPteR | kPteA | user);                         // read-only
  s.x[18] = *rc::gen::element(addi(5, 5, 7), 0x00010001u /* two c.nop */, kEcall);
  s.x[20] = kSatpSv39 | (kPageTableRoot >> 12);
  s.x[21] = 0;
  // mstatus: any mix of the global enables, FS, SUM, MXR, MPRV with MPP.
  const uint64_t fs = *rc::gen::element<uint64_t>(0, 1, 3, 3) << 13;
  s.mstatus = fs | *rc::gen::element<uint64_t>(0, 0, riscv::kMstatusMIE) |
              *rc::gen::element<uint64_t>(0, 1u << 1 /* SIE */) | *rc::gen::element<uint64_t>(0, riscv::kMstatusSUM) |
              *rc::gen::element<uint64_t>(0, riscv::kMstatusMXR) |
              *rc::gen::element<uint64_t>(0, 0, riscv::kMstatusMPRV) |
              (*rc::gen::element<uint64_t>(0, 1, 3) << 11);
  if (fs != 0) s.mstatus |= riscv::kMstatusSD * (fs == (3ull << 13));
  s.mie = *rc::gen::element<uint64_t>(0, 0xaaa, 1u << 3, 1u << 7, 1u << 9 | 1u << 11, 1u << 1);
  s.mideleg = *rc::gen::element<uint64_t>(0, 0, 0x222);
  s.medeleg = *rc::gen::element<uint64_t>(0, 0, 1u << 8 | 1u << 3 | 1u << 13 | 1u << 15);
  s.interrupt_lines = *rc::gen::element<uint64_t>(0, 0, 0, 1u << 3, 1u << 9);
  s.program = random_program();
  s.data = *rc::gen::container<std::vector<uint8_t>>(64, rc::gen::arbitrary<uint8_t>());
  return s;
}

void apply(const StartState& s, Machine& m) {
  Hart& hart = m.hart;
  hart.x = s.x;
  hart.f = s.f;
  hart.privilege = s.privilege;
  hart.csr.mstatus = s.mstatus;
  hart.csr.mie = s.mie;
  hart.csr.mideleg = s.mideleg;
  hart.csr.medeleg = s.medeleg;
  hart.csr.stvec = kSupervisorHandler;
  hart.interrupt_lines = s.interrupt_lines;
  // S-mode handler: skip the 4 bytes at sepc and return (x31 is the handlers').
  const std::vector<uint32_t> handler = {csr_instruction(2, 31, 0x141, 0), addi(31, 31, 4),
                                         csr_instruction(1, 0, 0x141, 31), kSret};
  m.write_code(kSupervisorHandler, handler);
  std::memcpy(m.ram + (s.code_address - kRamBase), s.program.data(), s.program.size() * 2);
  hart.pc = s.code_address;
  for (uint64_t offset : {uint64_t{0}, uint64_t{0x2fc0}, uint64_t{0x3000}}) {
    std::memcpy(m.ram + (kDataBase - kRamBase) + offset, s.data.data(), s.data.size());
  }
  // Sv39 identity map of RAM with 4 KiB pages (U pages for a U-mode start),
  // the data pages with the chosen permissions.
  const uint64_t user = s.privilege == Privilege::User ? kPteU : 0;
  const auto put = [&m](uint64_t address, uint64_t value) { std::memcpy(m.ram + (address - kRamBase), &value, 8); };
  put(kPageTableRoot + 8 * (kRamBase >> 30), table_pte(kPageTableLevel1));
  put(kPageTableLevel1 + 8 * ((kRamBase >> 21) & 511), table_pte(kPageTableLevel0));
  for (uint64_t page = 0; page < 256; ++page) {
    uint64_t flags = kPteV | kPteR | kPteW | kPteX | kPteA | kPteD | user;
    if (page >= kDataPage && page < kDataPage + 4) flags = s.data_page_flags[page - kDataPage];
    put(kPageTableLevel0 + 8 * page, leaf_pte(kRamBase + (page << 12), flags));
  }
  if (s.paging) hart.csr.satp = kSatpSv39 | (kPageTableRoot >> 12);
}

RC_GTEST_PROP(JitDifferential, WholeIsaAndPrivilegedStateMatchTheInterpreter, ()) {
  const StartState start = random_start();
  Machine jit_machine, reference;
  apply(start, jit_machine);
  apply(start, reference);
  JitEngine engine(jit_machine.hart);
  const unsigned runs = *rc::gen::inRange(1u, 12u);
  uint64_t icount = 0;
  for (unsigned i = 0; i < runs; ++i) {
    const uint64_t budget = *rc::gen::oneOf(rc::gen::inRange<uint64_t>(0, 6), rc::gen::inRange<uint64_t>(0, 300));
    const uint64_t used_jit = engine.run(budget);
    const uint64_t used_reference = reference.hart.run(budget);
    RC_ASSERT(used_jit == used_reference);
    icount += used_reference;
    const std::string diff = differences(jit_machine, reference);
    if (!diff.empty()) {
      RC_FAIL("after run " + std::to_string(i) + " (budget " + std::to_string(budget) + ", icount " +
              std::to_string(icount) + "):\n" + diff);
    }
    // Virtual time moves between runs, as on the board.
    const uint64_t now = jit_machine.time.now + used_reference;
    jit_machine.time.now = now;
    reference.time.now = now;
    // A device changes an interrupt line here, at this instruction count, on both machines.
    if (*rc::gen::inRange(0, 3) == 0) {
      const unsigned line = *rc::gen::element<unsigned>(riscv::MachineSoftware, riscv::MachineTimer,
                                                        riscv::MachineExternal, riscv::SupervisorExternal);
      const bool level = *rc::gen::arbitrary<bool>();
      jit_machine.hart.set_interrupt_line(line, level);
      reference.hart.set_interrupt_line(line, level);
    }
  }
  RC_CLASSIFY(engine.statistics().block_runs > 0, "ran translated blocks");
  RC_CLASSIFY(start.paging, "paging");
  RC_CLASSIFY(jit_machine.hart.csr.mcause >> 63, "took an interrupt");
  RC_CLASSIFY(start.code_address != kCodeBase, "program crosses a page");
}

}  // namespace
}  // namespace emu::jit
