// Tests of the JIT (emu/jit): it is right when nothing can tell it from the
// reference interpreter. The differential property runs the same random
// program from the same random state through JitEngine::run on one machine
// and Hart::run on a twin, with random budgets, and compares the complete
// architectural state, RAM, device state and the returned slot counts.
// Directed tests cover icount deadlines inside blocks, traps inside blocks,
// self-modifying code with and without FENCE.I, and MMIO stores that raise
// interrupts. The speed test prints (does not assert) MIPS for both engines.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "emu/core/device.h"
#include "emu/core/physical_bus.h"
#include "emu/jit/block_translator.h"
#include "emu/jit/jit_engine.h"
#include "emu/target/riscv/csr_numbers.h"
#include "emu/target/riscv/decoder.h"
#include "emu/target/riscv/hart.h"
#include "testing/unit/jit_test_machine.h"

namespace emu::jit {
namespace {

using namespace test_machine;  // jit_test_machine.h
using riscv::Hart;
using riscv::Privilege;

// ---- the random program generator ----
// Registers x1..x30 are used (x31 belongs to the trap handler). x10..x13 are
// set up as base registers: data, a page end (misaligned accesses that cross
// it), the code region (self-modifying stores), the test device (MMIO).
unsigned any_register() { return *rc::gen::inRange(0u, 31u); }
unsigned base_register() { return *rc::gen::element(10u, 10u, 11u, 12u, 13u, 13u, 14u, 0u, 5u); }

uint32_t random_instruction(unsigned index, unsigned count) {
  const unsigned rd = any_register(), rs1 = any_register(), rs2 = any_register();
  const int32_t imm12 = *rc::gen::inRange(-2048, 2048);
  const unsigned kind = *rc::gen::inRange(0u, 100u);
  if (kind < 22) {  // register-register ALU, M, and W forms
    const uint32_t funct3 = *rc::gen::inRange(0u, 8u);
    switch (*rc::gen::inRange(0, 5)) {
      case 0: return r_type(0, rs2, rs1, funct3, rd, kOp);
      case 1: return r_type(0x20, rs2, rs1, *rc::gen::element(0u, 5u), rd, kOp);  // sub, sra
      case 2: return r_type(1, rs2, rs1, funct3, rd, kOp);                         // M
      case 3: return r_type(*rc::gen::element(0u, 0x20u), rs2, rs1, *rc::gen::element(0u, 1u, 5u), rd, kOp32);
      default: return r_type(1, rs2, rs1, *rc::gen::element(0u, 4u, 5u, 6u, 7u), rd, kOp32);  // M W forms
    }
  }
  if (kind < 40) {  // immediate ALU, shifts, lui, auipc
    switch (*rc::gen::inRange(0, 7)) {
      case 0: return i_type(imm12, rs1, *rc::gen::element(0u, 2u, 3u, 4u, 6u, 7u), rd, kOpImm);
      case 1: return i_type(*rc::gen::inRange(0, 64), rs1, 1, rd, kOpImm);                       // slli
      case 2: return i_type(*rc::gen::inRange(0, 64) | (*rc::gen::element(0, 0x400)), rs1, 5, rd, kOpImm);
      case 3: return i_type(imm12, rs1, 0, rd, kOpImm32);                                        // addiw
      case 4: return i_type(*rc::gen::inRange(0, 32) | (*rc::gen::element(0, 0x400)), rs1,
                            *rc::gen::element(1u, 5u), rd, kOpImm32);
      case 5: return u_type(*rc::gen::inRange(0u, 1u << 20), rd, kLui);
      default: return u_type(*rc::gen::inRange(0u, 1u << 20), rd, kAuipc);
    }
  }
  if (kind < 58) {  // loads and stores through the base registers
    const unsigned base = base_register();
    int32_t offset = *rc::gen::inRange(0, 4) == 0 ? imm12 : *rc::gen::inRange(-16, 16);
    if (base == 13) offset = *rc::gen::inRange(0, 16);  // inside the device
    if (*rc::gen::arbitrary<bool>()) return i_type(offset, base, *rc::gen::inRange(0u, 7u), rd, kLoad);
    return s_type(offset, rs2, base, *rc::gen::inRange(0u, 4u), kStore);
  }
  if (kind < 72) {  // branches and jumps inside the program (4-byte aligned targets)
    const int32_t target = static_cast<int32_t>(*rc::gen::inRange(0u, count + 1));
    const int32_t offset = (target - static_cast<int32_t>(index)) * 4;
    switch (*rc::gen::inRange(0, 4)) {
      case 0: return j_type(offset, *rc::gen::element(0u, 1u, rd));
      case 1: {  // jalr through a register set by auipc is two instructions; use x0-relative garbage rarely
        return i_type(imm12, *rc::gen::element(1u, rs1), 0, *rc::gen::element(0u, rd), kJalr);
      }
      default:
        return b_type(offset, rs2 % 8, rs1 % 8, *rc::gen::element(0u, 1u, 4u, 5u, 6u, 7u));
    }
  }
  if (kind < 84) {  // CSR accesses: counters, scratch, mode bits, interrupt enables
    const uint16_t csr = *rc::gen::element<uint16_t>(0xc00, 0xc02, 0xb02, 0x340, 0x300, 0x304, 0x344, 0x001, 0x002,
                                                     0x320, 0x140, 0x100);
    return csr_instruction(*rc::gen::element(1u, 2u, 3u, 5u, 6u, 7u), rd, csr, rs1);
  }
  if (kind < 90) {  // FP: loads, stores, arithmetic (fall back to the interpreter)
    switch (*rc::gen::inRange(0, 3)) {
      case 0: return i_type(*rc::gen::inRange(-16, 16) * 8, 10, 3, rd, kLoadFp);
      case 1: return s_type(*rc::gen::inRange(-16, 16) * 8, rs2, 10, 3, kStoreFp);
      default: return r_type(*rc::gen::element(0x01u, 0x05u, 0x09u, 0x0du), rs2, rs1, 7, rd, kOpFp);
    }
  }
  if (kind < 94) return *rc::gen::element(kEcall, kMret, kWfi, kFenceI, 0x0ff0000fu, 0x00100073u);
  if (kind < 97) {  // two compressed parcels (any bits: also reserved encodings)
    return *rc::gen::inRange(0u, 0x10000u) | (*rc::gen::inRange(0u, 0x10000u) << 16);
  }
  return *rc::gen::arbitrary<uint32_t>();  // anything at all
}

struct StartState {
  std::array<uint64_t, 32> x{};
  Privilege privilege = Privilege::Machine;
  uint64_t mstatus = 0, mie = 0, interrupt_lines = 0;
  std::vector<uint32_t> program;
  std::vector<uint8_t> data;
};

StartState random_start() {
  StartState s;
  for (unsigned r = 1; r < 31; ++r) {
    s.x[r] = *rc::gen::oneOf(rc::gen::arbitrary<uint64_t>(), rc::gen::inRange<uint64_t>(0, 64),
                             rc::gen::element<uint64_t>(0, 1, ~uint64_t{0}, uint64_t{1} << 63, 0xffffffffull,
                                                        0x80000000ull, 0x7fffffffffffffffull));
  }
  s.x[10] = kDataBase + *rc::gen::inRange<uint64_t>(0, 0x800);
  s.x[11] = kDataBase + 0x3000 - *rc::gen::inRange<uint64_t>(0, 12);  // accesses cross into the next page
  s.x[12] = kCodeBase + 4 * *rc::gen::inRange<uint64_t>(0, 40);
  s.x[13] = kDeviceBase + *rc::gen::inRange<uint64_t>(0, 4);
  s.x[14] = kRamBase + kRamSize - *rc::gen::inRange<uint64_t>(0, 8);  // accesses run off the end of RAM
  s.privilege = *rc::gen::element(Privilege::Machine, Privilege::Machine, Privilege::Supervisor, Privilege::User);
  s.mstatus = *rc::gen::element<uint64_t>(0, riscv::kMstatusFS & (1ull << 13), riscv::kMstatusMIE,
                                          riscv::kMstatusSUM | riscv::kMstatusMXR,
                                          riscv::kMstatusMPRV | riscv::kMstatusFS);
  if (*rc::gen::inRange(0, 6) == 0) {
    s.mie = *rc::gen::element<uint64_t>(1u << 3, 1u << 7, 1u << 1);
    s.interrupt_lines = *rc::gen::element<uint64_t>(0, 1u << 3, 1u << 7);
  }
  const unsigned count = *rc::gen::inRange(1u, 48u);
  for (unsigned i = 0; i < count; ++i) s.program.push_back(random_instruction(i, count));
  // Back to the start, so the budget is spent executing the program.
  s.program.push_back(j_type(-static_cast<int32_t>(4 * count), 0));
  s.data = *rc::gen::container<std::vector<uint8_t>>(64, rc::gen::arbitrary<uint8_t>());
  return s;
}

void apply(const StartState& s, Machine& m) {
  m.hart.x = s.x;
  m.hart.privilege = s.privilege;
  m.hart.csr.mstatus = s.mstatus;
  m.hart.csr.mie = s.mie;
  m.hart.interrupt_lines = s.interrupt_lines;
  m.write_code(kCodeBase, s.program);
  for (uint64_t offset : {uint64_t{0}, uint64_t{0x2fc0}, uint64_t{0x3000}}) {
    std::memcpy(m.ram + (kDataBase - kRamBase) + offset, s.data.data(), s.data.size());
  }
}

RC_GTEST_PROP(JitProperty, IndistinguishableFromInterpreter, ()) {
  const StartState start = random_start();
  Machine jit_machine, reference;
  apply(start, jit_machine);
  apply(start, reference);
  JitEngine engine(jit_machine.hart);
  const unsigned runs = *rc::gen::inRange(1u, 6u);
  for (unsigned i = 0; i < runs; ++i) {
    const uint64_t budget = *rc::gen::oneOf(rc::gen::inRange<uint64_t>(0, 8), rc::gen::inRange<uint64_t>(0, 400));
    const uint64_t used_jit = engine.run(budget);
    const uint64_t used_reference = reference.hart.run(budget);
    RC_ASSERT(used_jit == used_reference);
    const std::string diff = differences(jit_machine, reference);
    if (!diff.empty()) RC_FAIL("after run " + std::to_string(i) + " of budget " + std::to_string(budget) + ":\n" + diff);
  }
  // Coverage of the paths that matter, printed by rapidcheck.
  RC_CLASSIFY(engine.statistics().block_runs > 0, "ran translated blocks");
  RC_CLASSIFY(engine.statistics().stale_blocks > 0, "retranslated rewritten code");
  RC_CLASSIFY(jit_machine.device.reads + (jit_machine.device.last_written != 0) > 0, "touched MMIO");
}

// ---- directed tests ----

// A straight-line block of ten addi, then `j .`.
std::vector<uint32_t> ten_additions() {
  std::vector<uint32_t> code;
  for (int i = 1; i <= 10; ++i) code.push_back(addi(static_cast<unsigned>(i), 0, i));
  code.push_back(j_type(0, 0));
  return code;
}

TEST(Jit, TheClassifierAcceptsTheStageOneSet) {
  EXPECT_TRUE(is_emittable(riscv::decode(addi(1, 2, 3)).op));
  EXPECT_TRUE(is_emittable(riscv::decode(r_type(1, 3, 2, 4, 1, kOp)).op));  // div
  EXPECT_TRUE(is_emittable(riscv::decode(i_type(8, 2, 3, 1, kLoad)).op));   // ld
  EXPECT_FALSE(is_emittable(riscv::decode(csr_instruction(2, 1, 0xc02, 0)).op));
  EXPECT_FALSE(is_emittable(riscv::decode(kEcall).op));
  EXPECT_FALSE(is_emittable(riscv::decode(kFenceI).op));
  EXPECT_FALSE(is_emittable(riscv::decode(r_type(1, 3, 2, 7, 1, kOpFp)).op));
}

TEST(Jit, BudgetShorterThanABlockStopsExactly) {
  for (uint64_t budget = 0; budget <= 12; ++budget) {
    Machine jit_machine, reference;
    jit_machine.write_code(kCodeBase, ten_additions());
    reference.write_code(kCodeBase, ten_additions());
    JitEngine engine(jit_machine.hart);
    // Warm the block first so the budget check, not translation, is tested.
    EXPECT_EQ(engine.run(budget), reference.hart.run(budget));
    EXPECT_EQ(differences(jit_machine, reference), "") << "budget " << budget;
    EXPECT_EQ(engine.run(budget + 3), reference.hart.run(budget + 3));
    EXPECT_EQ(differences(jit_machine, reference), "") << "budget " << budget;
  }
  Machine machine;
  machine.write_code(kCodeBase, ten_additions());
  JitEngine engine(machine.hart);
  EXPECT_EQ(engine.run(7), 7u);
  EXPECT_EQ(machine.hart.pc, kCodeBase + 28);
  EXPECT_EQ(machine.hart.x[7], 7u);
  EXPECT_EQ(machine.hart.x[8], 0u);
  EXPECT_EQ(engine.run(100), 100u);
  EXPECT_EQ(machine.hart.x[10], 10u);
  EXPECT_EQ(machine.hart.instret, 107u);
  EXPECT_GT(engine.statistics().block_runs, 0u);
}

// Below the translation threshold the interpreter runs straight-line code
// between dispatches: a loop of ten additions and a jump back is one
// dispatch per round (at its start), not one per instruction, until it is
// translated; the state stays the interpreter's throughout.
TEST(Jit, ColdCodeRunsInStraightLinesBetweenDispatches) {
  std::vector<uint32_t> code(10, addi(5, 5, 1));
  code.push_back(j_type(-40, 0));
  Machine jit_machine, reference;
  jit_machine.write_code(kCodeBase, code);
  reference.write_code(kCodeBase, code);
  JitEngine engine(jit_machine.hart, 16);
  const uint64_t rounds = 10;
  EXPECT_EQ(engine.run(rounds * code.size()), reference.hart.run(rounds * code.size()));
  EXPECT_EQ(differences(jit_machine, reference), "");
  EXPECT_EQ(engine.statistics().interpreted_slots, rounds * code.size());
  // The first instruction alone (its fetch fills the fetch TLB), then one per round.
  EXPECT_LE(engine.statistics().dispatches, rounds + 2);
  EXPECT_EQ(engine.statistics().blocks_translated, 0u);
  // Past the threshold the loop runs as a block.
  EXPECT_EQ(engine.run(rounds * code.size()), reference.hart.run(rounds * code.size()));
  EXPECT_EQ(differences(jit_machine, reference), "");
  EXPECT_EQ(engine.statistics().blocks_translated, 1u);
  EXPECT_GT(engine.statistics().block_runs, 0u);
}

// A rotated loop: the entry test branches over a jump to the exit into the
// body, whose last branch goes back to the test. The block from the test
// follows the taken edge (plan_block), so the whole loop is one block that
// loops in place; where the taken path does not come back to the block's
// start, the plan stays straight. Every budget stops at the interpreter's
// state.
TEST(Jit, BranchOverAJumpIntoALoopBodyIsFollowed) {
  std::vector<uint32_t> code = {
      addi(0, 0, 0),          //  0: nop (the interpreter runs it)
      addi(7, 7, 1),          //  4: head: x7 += 1
      b_type(8, 0, 12, 1),    //  8: bnez x12, body (16)
      j_type(20, 0),          // 12: j exit (32)
      addi(6, 6, 3),          // 16: body: x6 += 3
      addi(12, 12, -1),       // 20: x12 -= 1
      b_type(-20, 0, 12, 1),  // 24: bnez x12, head (4)
      b_type(-24, 0, 0, 0),   // 28: beqz x0, head (4): always
      j_type(0, 0)};          // 32: exit: j .
  Machine planned;
  planned.write_code(kCodeBase, code);
  const BlockPlan loop = plan_block(planned.ram + (kCodeBase + 4 - kRamBase), kCodeBase + 4);
  const std::vector<uint64_t> loop_pcs = {kCodeBase + 4, kCodeBase + 8, kCodeBase + 16, kCodeBase + 20,
                                          kCodeBase + 24};
  EXPECT_EQ(loop.pcs, loop_pcs);
  EXPECT_EQ(loop.byte_length, 24u);  // through the body's last branch, the skipped jump included
  // The same entry test whose body leaves elsewhere (a jump instead of the
  // branch back): nothing is followed.
  std::vector<uint32_t> no_loop = code;
  no_loop[6] = j_type(8, 0);  // 24: j exit (32)
  planned.write_code(kCodeBase, no_loop);
  const BlockPlan straight = plan_block(planned.ram + (kCodeBase + 4 - kRamBase), kCodeBase + 4);
  const std::vector<uint64_t> straight_pcs = {kCodeBase + 4, kCodeBase + 8, kCodeBase + 12};
  EXPECT_EQ(straight.pcs, straight_pcs);

  for (uint64_t budget = 0; budget <= 80; budget += 3) {
    Machine jit_machine, reference;
    for (Machine* m : {&jit_machine, &reference}) {
      m->write_code(kCodeBase, code);
      m->hart.x[12] = 10;
    }
    JitEngine engine(jit_machine.hart);
    EXPECT_EQ(engine.run(budget), reference.hart.run(budget)) << "budget " << budget;
    EXPECT_EQ(differences(jit_machine, reference), "") << "budget " << budget;
    if (budget == 78) {
      EXPECT_EQ(jit_machine.hart.x[6], 30u);
      EXPECT_EQ(jit_machine.hart.pc, kCodeBase + 32);
      EXPECT_GT(engine.statistics().block_runs, 0u);
    }
  }
}

// CSR reads inside a block: time and the other reads run in place; the
// instret-derived counters must still see every instruction before them.
TEST(Jit, CsrReadsInsideABlockSeeTheInterpretersValues) {
  const std::vector<uint32_t> code = {addi(1, 0, 1),
                                      addi(2, 0, 2),
                                      csr_instruction(2, 5, 0xc02, 0),  // rdinstret x5
                                      addi(3, 0, 3),
                                      csr_instruction(2, 6, 0xc00, 0),  // rdcycle x6
                                      csr_instruction(2, 7, 0xc01, 0),  // rdtime x7
                                      csr_instruction(2, 8, 0x300, 0),  // csrr x8, mstatus
                                      csr_instruction(6, 9, 0xb02, 0),  // csrrsi x9, minstret, 0
                                      j_type(0, 0)};
  Machine jit_machine, reference;
  jit_machine.write_code(kCodeBase, code);
  reference.write_code(kCodeBase, code);
  jit_machine.time.now = reference.time.now = 12345;
  JitEngine engine(jit_machine.hart);
  EXPECT_EQ(engine.run(20), reference.hart.run(20));
  EXPECT_EQ(differences(jit_machine, reference), "");
  EXPECT_EQ(jit_machine.hart.x[5], 2u);
  EXPECT_EQ(jit_machine.hart.x[6], 4u);
  EXPECT_EQ(jit_machine.hart.x[7], 12345u);
  EXPECT_EQ(jit_machine.hart.x[9], 7u);
  EXPECT_GT(engine.execute_helper_calls(), 0u);  // rdtime and csrr ran inside a block
}

TEST(Jit, TrapInTheMiddleOfABlockIsPrecise) {
  // addi x1; addi x2; ld x3, 0(x0) (access fault: nothing at 0); addi x4; j .
  const std::vector<uint32_t> code = {addi(1, 0, 1), addi(2, 0, 2), i_type(0, 0, 3, 3, kLoad), addi(4, 0, 4),
                                      j_type(0, 0)};
  Machine jit_machine, reference;
  jit_machine.write_code(kCodeBase, code);
  reference.write_code(kCodeBase, code);
  jit_machine.hart.csr.mtvec = reference.hart.csr.mtvec = kCodeBase + 16;  // the `j .`
  JitEngine engine(jit_machine.hart);
  // addi x1 runs in the interpreter (its fetch fills the fetch TLB), the
  // block from addi x2 traps at the load, then `j .` runs 5 times.
  EXPECT_EQ(engine.run(8), 8u);
  EXPECT_EQ(reference.hart.run(8), 8u);
  EXPECT_EQ(differences(jit_machine, reference), "");
  EXPECT_EQ(jit_machine.hart.csr.mepc, kCodeBase + 8);
  EXPECT_EQ(jit_machine.hart.csr.mcause, static_cast<uint64_t>(riscv::Exception::LoadAccessFault));
  EXPECT_EQ(jit_machine.hart.instret, 2u + 5u);  // the faulting load does not retire
  EXPECT_EQ(jit_machine.hart.pc, kCodeBase + 16);
  EXPECT_EQ(jit_machine.hart.x[4], 0u);
  EXPECT_GT(engine.statistics().block_runs, 0u);
}

// The program rewrites an instruction of its own loop (x5 = address of the
// `addi x6, x6, 1` at index 5): the first pass stores the instruction's own
// bits (x8; nothing changes, and the loop's block has run as generated
// code), every later pass the replacement (x10, `addi x6, x6, 100`), which
// must run from the next pass on - as in the interpreter, whose decode
// cache is keyed by the instruction bits.
std::vector<uint32_t> self_modifying(bool with_fence_i) {
  std::vector<uint32_t> code = {
      u_type(static_cast<uint32_t>(kCodeBase >> 12), 5, kLui),  // 0: x5 = kCodeBase (sign-extended: fix below)
      i_type(32, 5, 1, 5, kOpImm),                              // 1: slli x5, x5, 32
      i_type(32, 5, 5, 5, kOpImm),                              // 2: srli x5, x5, 32
      addi(5, 5, 20),                                           // 3: x5 = &code[5]
      addi(7, 0, 0),                                            // 4: loop counter x7 = 0
      addi(6, 6, 1),                                            // 5: the instruction rewritten
      s_type(0, 8, 5, 2, kStore),                               // 6: sw x8, 0(x5)
      with_fence_i ? kFenceI : addi(0, 0, 0),                   // 7
      addi(8, 10, 0),                                           // 8: x8 = x10 from now on
      addi(7, 7, 1),                                            // 9
      b_type(-20, 9, 7, 1),                                     // 10: bne x7, x9 -> 5
      j_type(0, 0),                                             // 11: j .
  };
  // x8 = code[5] itself, x10 = the replacement, x9 = 4 passes: set by the caller.
  return code;
}

TEST(Jit, SelfModifyingCodeWithAndWithoutFenceI) {
  for (bool with_fence_i : {true, false}) {
    Machine jit_machine, reference;
    for (Machine* m : {&jit_machine, &reference}) {
      m->write_code(kCodeBase, self_modifying(with_fence_i));
      m->hart.x[8] = addi(6, 6, 1);
      m->hart.x[10] = addi(6, 6, 100);
      m->hart.x[9] = 4;
    }
    JitEngine engine(jit_machine.hart);
    for (int i = 0; i < 40; ++i) {  // short steps: compared often, some ending inside blocks
      ASSERT_EQ(engine.run(7), reference.hart.run(7));
      ASSERT_EQ(differences(jit_machine, reference), "") << "fence.i " << with_fence_i << " step " << i;
    }
    // 1 + 1 (original, twice) + 100 + 100 (rewritten in pass 2, seen from pass 3).
    EXPECT_EQ(jit_machine.hart.x[6], 202u) << "fence.i " << with_fence_i;
    // FENCE.I drops nothing; with or without it the byte check finds the
    // rewritten block and translates it again.
    EXPECT_EQ(engine.statistics().invalidations, 0u) << "fence.i " << with_fence_i;
    EXPECT_GT(engine.statistics().stale_blocks, 0u) << "fence.i " << with_fence_i;
  }
}

TEST(Jit, StoreToCodeInTheSameBlockIsSeenByTheNextInstruction) {
  // A nop (the interpreter runs it: its fetch fills the fetch TLB), then the
  // block: sw x8 -> code[2]; code[2] = addi x6, x0, 1 (replaced by addi 55).
  const std::vector<uint32_t> code = {addi(0, 0, 0), s_type(8, 8, 5, 2, kStore), addi(6, 0, 1), addi(7, 0, 2),
                                      j_type(0, 0)};
  for (uint64_t budget : {uint64_t{5}, uint64_t{6}, uint64_t{10}}) {
    Machine jit_machine, reference;
    for (Machine* m : {&jit_machine, &reference}) {
      m->write_code(kCodeBase, code);
      m->hart.x[5] = kCodeBase;
      m->hart.x[8] = addi(6, 0, 55);
    }
    JitEngine engine(jit_machine.hart);
    EXPECT_EQ(engine.run(budget), reference.hart.run(budget));
    EXPECT_EQ(differences(jit_machine, reference), "");
    EXPECT_EQ(jit_machine.hart.x[6], 55u);
    EXPECT_GT(engine.statistics().block_runs, 0u);
  }
}

// Writers other than the running hart - a loader or DMA (through the bus's
// dirty-page tracker) and another hart's stores (through its own store TLB,
// filled before the code was translated) - change translated code between
// runs; the next run must execute the new instructions.
TEST(Jit, CodeRewrittenByOtherWritersIsSeen) {
  Machine jit_machine, reference;
  const std::vector<uint32_t> loop = {addi(6, 6, 1), j_type(-4, 0)};  // x6 += 1 forever
  Hart other_hart(jit_machine.bus, 1, jit_machine.time);
  other_hart.csr.pmpaddr[0] = ~uint64_t{0} >> 10;
  other_hart.csr.pmpcfg[0] = 0x1f;
  ASSERT_TRUE(other_hart.store(kCodeBase + 0x800, 4, 0));  // its store TLB now maps the code page
  for (Machine* m : {&jit_machine, &reference}) m->write_code(kCodeBase, loop);
  JitEngine engine(jit_machine.hart);
  const auto run_both = [&](const char* when) {
    EXPECT_EQ(engine.run(100), reference.hart.run(100)) << when;
    EXPECT_EQ(differences(jit_machine, reference), "") << when;
  };
  run_both("first");
  for (Machine* m : {&jit_machine, &reference}) m->write_code(kCodeBase, {addi(6, 6, 7)});  // a loader/DMA write
  run_both("after the loader's write");
  ASSERT_TRUE(other_hart.store(kCodeBase, 4, addi(6, 6, 100)));
  std::memcpy(reference.ram + (kCodeBase - kRamBase), jit_machine.ram + (kCodeBase - kRamBase), 4);
  run_both("after the other hart's store");
  EXPECT_GE(engine.statistics().stale_blocks, 2u);
}

// Data on a page that holds translated code: stores to it are seen by the
// watch but touch no translated bytes, so nothing is translated again.
TEST(Jit, StoresBesideCodeOnItsPageRetranslateNothing) {
  // x5 = data address on the code page; loop: sd x6, 0(x5); addi x6, x6, 1; j loop.
  const std::vector<uint32_t> code = {s_type(0, 6, 5, 3, kStore), addi(6, 6, 1), j_type(-8, 0)};
  Machine jit_machine, reference;
  for (Machine* m : {&jit_machine, &reference}) {
    m->write_code(kCodeBase, code);
    m->hart.x[5] = kCodeBase + 0x800;
  }
  JitEngine engine(jit_machine.hart);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(engine.run(1000), reference.hart.run(1000));
    ASSERT_EQ(differences(jit_machine, reference), "") << "run " << i;
  }
  EXPECT_EQ(engine.statistics().stale_blocks, 0u);
  EXPECT_LE(engine.statistics().blocks_translated, code.size());  // each start pc once
  EXPECT_TRUE(jit_machine.bus.dirty_pages().watched(kCodeBase));
}

// M-mode loads read RAM directly (kModeDirectRamLoads); every load that is
// not wholly inside the RAM region - a device, an address below RAM, one
// that runs off its end - still takes the slow path: the same values and
// access faults as the interpreter, in one block.
TEST(Jit, MachineModeLoadsOutsideRamTakeTheSlowPath) {
  const std::vector<uint32_t> code = {
      addi(0, 0, 0),
      i_type(0, 10, 3, 5, kLoad),   // ld x5, 0(x10): RAM
      i_type(-8, 11, 3, 6, kLoad),  // ld x6, -8(x11): RAM's last 8 bytes
      i_type(-4, 11, 3, 7, kLoad),  // ld x7, -4(x11): runs off RAM's end (access fault)
      i_type(-8, 12, 3, 8, kLoad),  // ld x8, -8(x12): below RAM (access fault)
      i_type(0, 13, 2, 9, kLoad),   // lw x9, 0(x13): the device
      i_type(2044, 10, 4, 14, kLoad),  // lbu x14, 2044(x10)
      j_type(0, 0)};
  Machine jit_machine, reference;
  for (Machine* m : {&jit_machine, &reference}) {
    m->write_code(kCodeBase, code);
    m->hart.x[10] = kDataBase;
    m->hart.x[11] = kRamBase + kRamSize;
    m->hart.x[12] = kRamBase;
    m->hart.x[13] = kDeviceBase;
    for (unsigned i = 0; i < 4096; ++i) m->ram[kDataBase - kRamBase + i] = static_cast<uint8_t>(i * 7 + 1);
    for (unsigned i = 1; i <= 8; ++i) m->ram[kRamSize - i] = static_cast<uint8_t>(0xf0 + i);
    m->bus.dirty_pages().mark_written(kRamBase, kRamSize);
  }
  JitEngine engine(jit_machine.hart);
  const uint64_t budget = code.size() + 2 * 4;  // the two faults run the 4-instruction handler
  EXPECT_EQ(engine.run(budget), reference.hart.run(budget));
  EXPECT_EQ(differences(jit_machine, reference), "");
  EXPECT_NE(jit_machine.hart.x[5], 0u);
  EXPECT_NE(jit_machine.hart.x[6], 0u);
  EXPECT_EQ(jit_machine.hart.x[7], 0u);
  EXPECT_EQ(jit_machine.hart.x[8], 0u);
  EXPECT_EQ(jit_machine.hart.x[14], static_cast<uint8_t>(2044 * 7 + 1));
  EXPECT_EQ(jit_machine.hart.csr.mcause, static_cast<uint64_t>(riscv::Exception::LoadAccessFault));
  EXPECT_GT(engine.statistics().block_runs, 0u);
}

// What makes an M-mode load checked again must also end the direct path: a
// locked PMP entry (it checks M-mode too, privileged 3.7.1), and MPRV with
// MPP = U (the load is U-mode's, 3.1.6.3). Both deny reading one page; the
// load there faults in both engines and the load beside it does not.
TEST(Jit, LockedPmpAndMprvCheckMachineModeLoads) {
  const std::vector<uint32_t> code = {
      addi(0, 0, 0),
      i_type(0, 10, 3, 5, kLoad),  // ld x5, 0(x10): the denied page
      i_type(0, 11, 3, 6, kLoad),  // ld x6, 0(x11): the page after it
      j_type(0, 0)};
  for (const bool mprv : {false, true}) {
    Machine jit_machine, reference;
    for (Machine* m : {&jit_machine, &reference}) {
      m->write_code(kCodeBase, code);
      m->hart.x[10] = kDataBase;
      m->hart.x[11] = kDataBase + 0x1000;
      m->ram[kDataBase - kRamBase] = 0x5a;
      m->ram[kDataBase - kRamBase + 0x1000] = 0xa5;
      // Entry 0: NAPOT over the 4 KiB page at kDataBase, no permissions
      // (locked unless MPRV makes the load U-mode's); entry 1: everything, RWX.
      m->hart.csr.pmpaddr[0] = (kDataBase >> 2) | 0x1ff;
      m->hart.csr.pmpcfg[0] = mprv ? 0x18 : 0x98;
      m->hart.csr.pmpaddr[1] = ~uint64_t{0} >> 10;
      m->hart.csr.pmpcfg[1] = 0x1f;
      if (mprv) m->hart.csr.mstatus |= riscv::kMstatusMPRV;  // MPP = 0: U
      m->hart.tlb.flush();
    }
    JitEngine engine(jit_machine.hart);
    const uint64_t budget = code.size() + 4;  // the fault runs the 4-instruction handler
    EXPECT_EQ(engine.run(budget), reference.hart.run(budget)) << "mprv " << mprv;
    EXPECT_EQ(differences(jit_machine, reference), "") << "mprv " << mprv;
    EXPECT_EQ(jit_machine.hart.x[5], 0u) << "mprv " << mprv;
    EXPECT_EQ(jit_machine.hart.x[6], 0xa5u) << "mprv " << mprv;
    EXPECT_EQ(jit_machine.hart.csr.mcause, static_cast<uint64_t>(riscv::Exception::LoadAccessFault)) << "mprv " << mprv;
    EXPECT_GT(engine.statistics().block_runs, 0u) << "mprv " << mprv;
  }
}

// A-extension encodings (unprivileged 8.2, 8.4): funct5, aq = rl = 0.
uint32_t atomic(uint32_t funct5, unsigned rs2, unsigned rs1, uint32_t funct3, unsigned rd) {
  return r_type(funct5 << 2, rs2, rs1, funct3, rd, 0x2f);
}

// LR, SC and the AMOs run in the interpreter in place (runs_in_helper) and
// the block goes on after those that reached plain RAM; an atomic on a
// device ends the block after it, a misaligned one traps precisely. Every
// budget from 0 up stops at the same state as the interpreter.
TEST(Jit, AtomicsRunInPlaceInsideABlock) {
  const std::vector<uint32_t> code = {
      addi(0, 0, 0),
      atomic(0x00, 6, 10, 2, 5),   // amoadd.w x5, x6, (x10)
      atomic(0x02, 0, 11, 3, 7),   // lr.d x7, (x11)
      atomic(0x03, 6, 11, 3, 8),   // sc.d x8, x6, (x11): succeeds, x8 = 0
      atomic(0x03, 6, 11, 3, 9),   // sc.d x9, x6, (x11): no reservation, x9 = 1
      atomic(0x01, 6, 13, 3, 12),  // amoswap.d x12, x6, (x13): the device
      addi(14, 0, 1),
      atomic(0x08, 6, 16, 2, 15),  // amoor.w x15, x6, (x16): misaligned, traps
      addi(17, 0, 2),
      j_type(0, 0)};
  for (uint64_t budget = 0; budget <= code.size() + 6; ++budget) {
    Machine jit_machine, reference;
    for (Machine* m : {&jit_machine, &reference}) {
      m->write_code(kCodeBase, code);
      m->hart.x[6] = 0x0102030405060708;
      m->hart.x[10] = kDataBase;
      m->hart.x[11] = kDataBase + 8;
      m->hart.x[13] = kDeviceBase;
      m->hart.x[16] = kDataBase + 2;
      m->ram[kDataBase - kRamBase] = 0x11;
    }
    JitEngine engine(jit_machine.hart);
    EXPECT_EQ(engine.run(budget), reference.hart.run(budget)) << "budget " << budget;
    EXPECT_EQ(differences(jit_machine, reference), "") << "budget " << budget;
    if (budget == code.size() + 6) {
      EXPECT_EQ(jit_machine.hart.x[5], 0x11u);
      EXPECT_EQ(jit_machine.hart.x[8], 0u);
      EXPECT_EQ(jit_machine.hart.x[9], 1u);
      EXPECT_EQ(jit_machine.hart.x[17], 2u);
      EXPECT_EQ(jit_machine.hart.csr.mcause, static_cast<uint64_t>(riscv::Exception::StoreAddressMisaligned));
      EXPECT_GE(engine.execute_helper_calls(), 4u);  // the first four in one block
    }
  }
}

// An AMO that rewrites the next instruction of its own block: the block
// ends after it and the new instruction runs, as in the interpreter.
TEST(Jit, AtomicRewritingItsOwnBlockIsSeen) {
  const uint64_t next = kCodeBase + 8;
  const std::vector<uint32_t> code = {addi(0, 0, 0), atomic(0x01, 6, 10, 2, 0),  // amoswap.w x0, x6, (x10)
                                      addi(5, 0, 1), j_type(0, 0)};
  Machine jit_machine, reference;
  for (Machine* m : {&jit_machine, &reference}) {
    m->write_code(kCodeBase, code);
    m->hart.x[6] = addi(5, 0, 7);
    m->hart.x[10] = next;
  }
  JitEngine engine(jit_machine.hart);
  EXPECT_EQ(engine.run(6), reference.hart.run(6));
  EXPECT_EQ(differences(jit_machine, reference), "");
  EXPECT_EQ(jit_machine.hart.x[5], 7u);
  EXPECT_GT(engine.statistics().block_runs, 0u);
}

TEST(Jit, MmioStoreRaisingAnInterruptIsTakenAtTheNextBoundary) {
  // mie.MSIE and mstatus.MIE set; the store (or AMO) to the device raises
  // MSIP; the interrupt must be taken before the following addi, as the
  // interpreter does.
  for (const uint32_t device_write : {s_type(0, 1, 13, 3, kStore), atomic(0x01, 1, 13, 3, 0)}) {
    const std::vector<uint32_t> code = {addi(1, 0, 1), device_write, addi(2, 0, 2), addi(3, 0, 3), j_type(0, 0)};
    Machine jit_machine, reference;
    for (Machine* m : {&jit_machine, &reference}) {
      m->write_code(kCodeBase, code);
      m->hart.x[13] = kDeviceBase;
      m->hart.csr.mie = 1u << riscv::MachineSoftware;
      m->hart.csr.mstatus = riscv::kMstatusMIE;
      m->hart.csr.mtvec = kCodeBase + 16;
    }
    JitEngine engine(jit_machine.hart);
    // A budget the block fits in (a shorter one would run it in the interpreter).
    EXPECT_EQ(engine.run(8), reference.hart.run(8));
    EXPECT_EQ(differences(jit_machine, reference), "");
    EXPECT_EQ(jit_machine.hart.x[2], 0u);
    EXPECT_EQ(jit_machine.hart.csr.mepc, kCodeBase + 8);
    EXPECT_GT(engine.statistics().block_runs, 0u);
  }
}

// neg and negw (sub/subw from x0), into the source's own register and
// another, on the extreme values.
TEST(Jit, NegationMatches) {
  const std::vector<uint32_t> code = {
      addi(0, 0, 0),
      r_type(0x20, 5, 0, 0, 6, kOp),    // neg x6, x5
      r_type(0x20, 5, 0, 0, 7, kOp32),  // negw x7, x5
      r_type(0x20, 8, 0, 0, 8, kOp),    // neg x8, x8
      r_type(0x20, 9, 0, 0, 9, kOp32),  // negw x9, x9
      r_type(0x20, 6, 0, 0, 10, kOp),   // neg x10, x6
      j_type(0, 0)};
  for (uint64_t value : {uint64_t{0}, uint64_t{1}, uint64_t{1} << 63, uint64_t{0x80000000}, ~uint64_t{0},
                         uint64_t{0x123456789abcdef0}}) {
    Machine jit_machine, reference;
    for (Machine* m : {&jit_machine, &reference}) {
      m->write_code(kCodeBase, code);
      m->hart.x[5] = m->hart.x[8] = m->hart.x[9] = value;
    }
    JitEngine engine(jit_machine.hart);
    EXPECT_EQ(engine.run(10), reference.hart.run(10));
    EXPECT_EQ(differences(jit_machine, reference), "") << "value " << value;
    EXPECT_EQ(jit_machine.hart.x[6], 0 - value);
    EXPECT_GT(engine.statistics().block_runs, 0u);
  }
}

TEST(Jit, DivisionEdgeCasesMatch) {
  // div/divu/rem/remu and W forms on (x, 0), (INT_MIN, -1) and ordinary values.
  std::vector<uint32_t> code;
  const unsigned funct3s[] = {4, 5, 6, 7};
  for (unsigned f : funct3s) {
    code.push_back(r_type(1, 2, 1, f, 10 + f, kOp));    // x1 op x2
    code.push_back(r_type(1, 4, 3, f, 16 + f, kOp));    // x3 op x4
    code.push_back(r_type(1, 2, 1, f, 20 + f, kOp32));  // W
    code.push_back(r_type(1, 6, 5, f, 24 + f, kOp32));  // W INT32_MIN / -1
  }
  code.push_back(r_type(1, 4, 3, 1, 28, kOp));  // mulh
  code.push_back(r_type(1, 4, 3, 2, 29, kOp));  // mulhsu
  code.push_back(r_type(1, 4, 3, 3, 30, kOp));  // mulhu
  code.push_back(j_type(0, 0));
  for (uint64_t divisor : {uint64_t{0}, ~uint64_t{0}, uint64_t{7}}) {
    Machine jit_machine, reference;
    for (Machine* m : {&jit_machine, &reference}) {
      m->write_code(kCodeBase, code);
      m->hart.x[1] = uint64_t{1} << 63;
      m->hart.x[2] = divisor;
      m->hart.x[3] = 0xfedcba9876543210ull;
      m->hart.x[4] = divisor == 7 ? 0x1234567 : divisor;
      m->hart.x[5] = 0xffffffff80000000ull;
      m->hart.x[6] = divisor;
    }
    JitEngine engine(jit_machine.hart);
    EXPECT_EQ(engine.run(40), reference.hart.run(40));
    EXPECT_EQ(differences(jit_machine, reference), "") << "divisor " << divisor;
    EXPECT_GT(engine.statistics().block_runs, 0u);
  }
}

// ---- speed: the bitwise CRC-32 loop of interpreter_test.cpp, both engines ----

std::vector<uint32_t> crc32_program(uint32_t bytes) {
  constexpr unsigned a0 = 10, a1 = 11, a2 = 12, a3 = 13, t0 = 5, t1 = 6, t2 = 7;
  return {
      addi(a0, 0, -1), i_type(32, a0, 5, a0, kOpImm),                                     // a0 = 0xffffffff
      u_type(0x80040, a1, kLui), i_type(32, a1, 1, a1, kOpImm), i_type(32, a1, 5, a1, kOpImm),  // a1 = data
      u_type(bytes >> 12, a2, kLui),                                                      // a2 = bytes
      u_type(0xedb88, a3, kLui), addi(a3, a3, 0x320), i_type(32, a3, 1, a3, kOpImm), i_type(32, a3, 5, a3, kOpImm),
      i_type(0, a1, 4, t0, kLoad),          // 1: lbu t0, 0(a1)
      r_type(0, t0, a0, 4, a0, kOp),        // xor a0, a0, t0
      addi(t1, 0, 8),                       // li t1, 8
      i_type(1, a0, 7, t2, kOpImm),         // 2: andi t2, a0, 1
      i_type(1, a0, 5, a0, kOpImm),         // srli a0, a0, 1
      r_type(0x20, t2, 0, 0, t2, kOp),      // neg t2, t2
      r_type(0, a3, t2, 7, t2, kOp),        // and t2, t2, a3
      r_type(0, t2, a0, 4, a0, kOp),        // xor a0, a0, t2
      addi(t1, t1, -1),                     // addi t1, t1, -1
      b_type(-24, 0, t1, 1),                // bnez t1, 2b
      addi(a1, a1, 1), addi(a2, a2, -1),
      b_type(-48, 0, a2, 1),                // bnez a2, 1b
      i_type(-1, a0, 4, a0, kOpImm),        // not a0, a0
      i_type(32, a0, 1, a0, kOpImm), i_type(32, a0, 5, a0, kOpImm),
      kWfi,
  };
}

uint32_t crc32_reference(const std::vector<uint8_t>& data) {
  uint32_t crc = 0xffffffff;
  for (uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

TEST(JitSpeed, Crc32LoopBothEngines) {
  constexpr uint32_t kBytes = 64 * 1024;
  std::vector<uint8_t> data(kBytes);
  uint32_t state = 12345;
  for (uint8_t& byte : data) {
    state = state * 1103515245u + 12345u;
    byte = static_cast<uint8_t>(state >> 16);
  }
  double mips[2] = {};
  uint64_t final_instret[2] = {};
  for (int use_jit = 0; use_jit < 2; ++use_jit) {
    Machine machine;
    std::memcpy(machine.ram + 0x40000, data.data(), data.size());
    machine.write_code(kCodeBase, crc32_program(kBytes));
    JitEngine engine(machine.hart);
    const auto start = std::chrono::steady_clock::now();
    uint64_t used = 0;
    while (!machine.hart.waiting_for_interrupt && used < 100'000'000) {
      used += use_jit ? engine.run(1'000'000) : machine.hart.run(1'000'000);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(machine.hart.waiting_for_interrupt);
    EXPECT_EQ(machine.hart.instret, used);
    EXPECT_EQ(machine.hart.x[10], crc32_reference(data));
    final_instret[use_jit] = machine.hart.instret;
    mips[use_jit] = static_cast<double>(machine.hart.instret) / seconds / 1e6;
  }
  EXPECT_EQ(final_instret[0], final_instret[1]);
  std::printf("[ jit speed ] %llu instructions: interpreter %.1f MIPS, JIT %.1f MIPS (x%.1f)\n",
              static_cast<unsigned long long>(final_instret[1]), mips[0], mips[1], mips[1] / mips[0]);
}

}  // namespace
}  // namespace emu::jit
