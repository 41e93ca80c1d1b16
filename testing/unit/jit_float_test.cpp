// The JIT's native F/D fast paths (emu/jit/x86_64_float_emitter.cpp) against
// the interpreter: a differential property over F/D instruction streams with
// edge-biased operands (NaNs quiet and signaling, unboxed singles,
// infinities, zeros, subnormals, values whose results land on or next to
// the smallest normal and the largest finite value, integers at the
// precision limits), every rounding mode static and dynamic (reserved ones
// included, frm changed between blocks), FS off/initial/clean/dirty; after
// every run of random length the complete state must match (x, f, fflags,
// frm, mstatus, pc, instret, traps). Directed tests pin down that each fast
// path completes without the helper on ordinary operands and that each
// guard sends its case to the helper (JitEngine::execute_helper_calls).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "emu/jit/block_translator.h"
#include "emu/jit/jit_engine.h"
#include "emu/target/riscv/csr_numbers.h"
#include "emu/target/riscv/decoder.h"
#include "emu/target/riscv/hart.h"
#include "emu/target/riscv/host_float.h"
#include "testing/unit/jit_test_machine.h"

namespace emu::jit {
namespace {

using namespace test_machine;  // jit_test_machine.h
using riscv::Hart;

constexpr uint32_t kFmaddOpcode = 0x43;
constexpr uint64_t kBox = 0xffffffff00000000ull;

uint32_t fused(uint32_t opcode, bool is_double, unsigned rs3, unsigned rs2, unsigned rs1, uint32_t rm, unsigned rd) {
  return rs3 << 27 | uint32_t{is_double} << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | opcode;
}
uint32_t op_fp(uint32_t funct7, unsigned rs2, unsigned rs1, uint32_t funct3, unsigned rd) {
  return r_type(funct7, rs2, rs1, funct3, rd, kOpFp);
}

// ---- edge-biased operands ----
uint64_t edge_double() {
  const uint64_t sign = *rc::gen::element<uint64_t>(0, 1) << 63;
  // Exponents at both range ends, around 1, and at half of each end (so that
  // products and quotients land on the range ends), 0 (subnormal/zero) and
  // 0x7ff (inf/NaN).
  const uint64_t exponent = *rc::gen::element<uint64_t>(0, 1, 2, 0x1fe, 0x1ff, 0x200, 0x3fd, 0x3fe, 0x3ff, 0x3ff,
                                                        0x3ff, 0x400, 0x400, 0x401, 0x5fe, 0x5ff, 0x600, 0x7fd,
                                                        0x7fe, 0x7ff);
  const uint64_t mantissa = *rc::gen::oneOf(
      rc::gen::element<uint64_t>(0, 1, (uint64_t{1} << 52) - 1, uint64_t{1} << 51, 3ull << 50),
      rc::gen::map(rc::gen::arbitrary<uint64_t>(), [](uint64_t m) { return m & ((uint64_t{1} << 52) - 1); }),
      // few significant bits: products and sums are often exact (no NX)
      rc::gen::map(rc::gen::inRange<uint64_t>(0, 16), [](uint64_t m) { return m << 48; }));
  return sign | exponent << 52 | mantissa;
}
uint32_t edge_single() {
  const uint32_t sign = *rc::gen::element<uint32_t>(0, 1) << 31;
  const uint32_t exponent = *rc::gen::element<uint32_t>(0, 1, 2, 0x3e, 0x3f, 0x40, 0x7d, 0x7e, 0x7f, 0x7f, 0x7f,
                                                        0x80, 0x80, 0x81, 0xbe, 0xbf, 0xc0, 0xfd, 0xfe, 0xff);
  const uint32_t mantissa = *rc::gen::oneOf(
      rc::gen::element<uint32_t>(0, 1, (1u << 23) - 1, 1u << 22, 3u << 21),
      rc::gen::map(rc::gen::arbitrary<uint32_t>(), [](uint32_t m) { return m & ((1u << 23) - 1); }),
      rc::gen::map(rc::gen::inRange<uint32_t>(0, 16), [](uint32_t m) { return m << 19; }));
  return sign | exponent << 23 | mantissa;
}
uint64_t ordinary_single() {  // most operations on these complete natively
  return kBox | (*rc::gen::inRange<uint32_t>(0x7a, 0x84) << 23) | (*rc::gen::arbitrary<uint32_t>() & 0x807fffffu);
}
uint64_t ordinary_double() {
  return (*rc::gen::inRange<uint64_t>(0x3f0, 0x410) << 52) | (*rc::gen::arbitrary<uint64_t>() & 0x800fffffffffffffull);
}
uint64_t edge_f_register(bool is_double) {
  const int kind = *rc::gen::inRange(0, 9);
  if (kind == 0) return *rc::gen::arbitrary<uint64_t>();  // an unboxed single, a double of any exponent
  if (is_double) {
    if (kind == 1) return kBox | edge_single();
    return kind <= 4 ? ordinary_double() : edge_double();
  }
  if (kind == 1) return (uint64_t{*rc::gen::arbitrary<uint32_t>()} << 32) | edge_single();  // unboxed
  if (kind == 8) return edge_double();
  return kind <= 4 ? kBox | edge_single() : ordinary_single();
}
uint64_t edge_integer() {
  const int64_t near = *rc::gen::inRange<int64_t>(-2, 3);
  const uint64_t power = uint64_t{1} << *rc::gen::element(23, 24, 25, 31, 32, 52, 53, 54, 63);
  return *rc::gen::oneOf(rc::gen::arbitrary<uint64_t>(), rc::gen::inRange<uint64_t>(0, 100),
                         rc::gen::just(power + static_cast<uint64_t>(near)),
                         rc::gen::just(-power + static_cast<uint64_t>(near)),
                         rc::gen::element<uint64_t>(0, ~uint64_t{0}, 0x7fffffffffffffffull, 0xffffffffull,
                                                    0x80000000ull, 0xffffffff80000000ull));
}

// ---- random F/D programs (x31 belongs to the trap handler, never written) ----
// f0..f15 start as doubles, f16..f31 as singles (random_start); an
// instruction mostly uses registers of its own format, so that its operands
// are not NaN (a boxed single read as a double) or unboxed most of the time.
unsigned f_register() { return *rc::gen::inRange(0u, 32u); }
unsigned f_register(uint32_t is_double) {
  if (*rc::gen::inRange(0, 5) == 0) return f_register();
  return *rc::gen::inRange(0u, 16u) + (is_double != 0 ? 0u : 16u);
}
unsigned x_register() { return *rc::gen::inRange(0u, 30u); }  // x30 holds mstatus.FS's low bit
uint32_t rounding_field() {
  return *rc::gen::element(0u, 0u, 0u, 0u, 0u, 7u, 7u, 7u, 7u, 7u, 7u, 7u, 1u, 2u, 3u, 4u, 5u, 6u);
}

uint32_t random_float_instruction() {
  const uint32_t rm = rounding_field();
  const uint32_t is_double = *rc::gen::inRange(0u, 2u);
  const unsigned rd = f_register(is_double), rs1 = f_register(is_double), rs2 = f_register(is_double);
  switch (*rc::gen::inRange(0, 16) % 13) {  // add/sub/mul/div more often
    case 0: case 1: case 2:  // add, sub, mul, div
      return op_fp(*rc::gen::element(0x00u, 0x04u, 0x08u, 0x0cu) | is_double, rs2, rs1, rm, rd);
    case 3: return op_fp(0x2c | is_double, 0, rs1, rm, rd);  // sqrt
    case 4:
      return fused(kFmaddOpcode + 4 * *rc::gen::inRange(0u, 4u), is_double, f_register(is_double), rs2, rs1, rm, rd);
    case 5:  // sign injection (funct3 3 is reserved), min/max
      return op_fp(*rc::gen::element(0x10u, 0x10u, 0x14u) | is_double, rs2, rs1, *rc::gen::inRange(0u, 4u), rd);
    case 6:  // compares into x (funct3 3 is reserved)
      return op_fp(0x50 | is_double, rs2, rs1, *rc::gen::element(0u, 1u, 2u, 2u, 1u, 0u, 3u), x_register());
    case 7:  // fcvt.d.s, fcvt.s.d
      return op_fp(is_double ? 0x21 : 0x20, is_double ? 0 : 1, f_register(1 - is_double), rm, rd);
    case 8:  // integer to float
      return op_fp(0x68 | is_double, *rc::gen::inRange(0u, 4u), x_register(), rm, rd);
    case 9:  // float to integer (the helper's)
      return op_fp(0x60 | is_double, *rc::gen::inRange(0u, 4u), rs1, rm, x_register());
    case 10:  // fmv.x.w/d, fclass
      return op_fp(0x70 | is_double, 0, rs1, *rc::gen::element(0u, 0u, 1u), x_register());
    case 11: return op_fp(0x78 | is_double, 0, x_register(), 0, rd);  // fmv.w.x, fmv.d.x
    default:  // between blocks: csrrwi frm, fsflags clear, csrw fcsr, FS Dirty -> Clean (csrc mstatus, x30)
      return *rc::gen::element(csr_instruction(5, 0, 0x002, *rc::gen::element(0u, 0u, 0u, 0u, 1u, 2u, 3u, 4u, 5u, 7u)),
                               csr_instruction(1, 0, 0x001, 0), csr_instruction(1, 0, 0x003, x_register()),
                               csr_instruction(3, 0, 0x300, 30), csr_instruction(3, 0, 0x300, 30));
  }
}

struct FloatStart {
  std::array<uint64_t, 32> x{};
  std::array<uint64_t, 32> f{};
  uint64_t fs = 0;
  uint8_t frm = 0, fflags = 0;
  std::vector<uint32_t> program;
};

void apply(const FloatStart& s, Machine& m) {
  m.hart.x = s.x;
  m.hart.f = s.f;
  m.hart.csr.mstatus = (s.fs << 13) | (s.fs == 3 ? riscv::kMstatusSD : 0);
  m.hart.csr.frm = s.frm;
  m.hart.csr.fflags = s.fflags;
  m.write_code(kCodeBase, s.program);
}

// Whether `bits` would go to jit_execute_helper if run in a block (an upper
// bound on helper calls when nothing runs natively).
bool helper_eligible(uint32_t bits) { return runs_in_helper(riscv::decode(bits)); }

RC_GTEST_PROP(JitFloat, FloatStreamsMatchTheInterpreter, ()) {
  FloatStart start;
  for (unsigned r = 1; r < 30; ++r) start.x[r] = edge_integer();
  start.x[30] = uint64_t{1} << 13;
  for (unsigned r = 0; r < 32; ++r) start.f[r] = edge_f_register(r < 16);
  start.fs = *rc::gen::element<uint64_t>(0, 1, 2, 3, 3, 3, 3, 3);
  start.frm = *rc::gen::element<uint8_t>(0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 7);
  start.fflags = *rc::gen::element<uint8_t>(0, 0, 1, 0x1f);
  const unsigned count = *rc::gen::inRange(1u, 40u);
  for (unsigned i = 0; i < count; ++i) start.program.push_back(random_float_instruction());
  start.program.push_back(j_type(-static_cast<int32_t>(4 * count), 0));  // loop

  Machine jit_machine, reference;
  apply(start, jit_machine);
  apply(start, reference);
  JitEngine engine(jit_machine.hart);
  uint64_t eligible = 0;  // helper-eligible instructions the reference executed
  const unsigned runs = *rc::gen::inRange(1u, 8u);
  for (unsigned i = 0; i < runs; ++i) {
    const uint64_t budget = *rc::gen::oneOf(rc::gen::inRange<uint64_t>(0, 8), rc::gen::inRange<uint64_t>(0, 400));
    const uint64_t used_jit = engine.run(budget);
    uint64_t used_reference = 0;
    for (uint64_t step = 0; step < budget; ++step) {  // run(budget) one slot at a time, counting
      const uint64_t pc = reference.hart.pc;
      if (pc >= kRamBase && pc + 4 <= kRamBase + kRamSize && helper_eligible(reference.read32(pc))) ++eligible;
      used_reference += reference.hart.run(1);
    }
    RC_ASSERT(used_jit == used_reference);
    const std::string diff = differences(jit_machine, reference);
    if (!diff.empty()) RC_FAIL("after run " + std::to_string(i) + " (budget " + std::to_string(budget) + "):\n" + diff);
  }
  // Lower bound on the F/D instructions that completed in generated code:
  // every eligible one ran either there, in the helper, or in Hart::run(1).
  const uint64_t elsewhere = engine.execute_helper_calls() + engine.statistics().interpreted_slots;
  RC_CLASSIFY(eligible > elsewhere, "F/D instructions completed natively");
  RC_CLASSIFY(engine.execute_helper_calls() > 0, "fast paths fell back to the helper");
  RC_CLASSIFY(start.fs == 0, "FS off");
}

// ---- directed tests ----
uint64_t bits_of(double value) { return std::bit_cast<uint64_t>(value); }
uint64_t boxed(float value) { return kBox | std::bit_cast<uint32_t>(value); }

struct Outcome {
  uint64_t helper_calls = 0;
  std::string differences;
  Machine jit;  // the JIT machine's final state
};

// Runs a nop, `code` (then a jump to itself; one block) for `budget` slots on both engines from
// the same state, FS dirty unless `fs` says otherwise.
void run_both(const std::vector<uint32_t>& code, const std::array<uint64_t, 32>& f, uint8_t frm, uint64_t budget,
              Outcome& out, uint64_t fs = 3, const std::array<uint64_t, 32>& x = {}) {
  Machine reference;
  // The first instruction always runs in the interpreter (its fetch fills
  // the fetch TLB, which block dispatch requires): a nop.
  std::vector<uint32_t> program = {addi(0, 0, 0)};
  program.insert(program.end(), code.begin(), code.end());
  program.push_back(j_type(0, 0));
  for (Machine* m : {&out.jit, &reference}) {
    m->hart.x = x;
    m->hart.f = f;
    m->hart.csr.mstatus = (fs << 13) | (fs == 3 ? riscv::kMstatusSD : 0);
    m->hart.csr.frm = frm;
    m->write_code(kCodeBase, program);
  }
  JitEngine engine(out.jit.hart);
  EXPECT_EQ(engine.run(budget), reference.hart.run(budget));
  out.helper_calls = engine.execute_helper_calls();
  out.differences = differences(out.jit, reference);
}

// Ordinary operands: every fast path completes in generated code (no helper
// call at all), and the results are the interpreter's (including NX).
TEST(JitFloat, OrdinaryOperandsNeverCallTheHelper) {
  std::array<uint64_t, 32> f{};
  f[10] = bits_of(1.5);
  f[11] = bits_of(3.25);
  f[12] = bits_of(0.1);
  f[13] = boxed(2.5f);
  f[14] = boxed(0.3f);
  f[15] = boxed(-7.0f);
  std::array<uint64_t, 32> x{};
  x[5] = static_cast<uint64_t>(-123456789);
  x[6] = uint64_t{1} << 20;
  std::vector<uint32_t> code = {
      op_fp(0x01, 11, 10, 7, 1),  // fadd.d f1, f10, f11 (dynamic rm)
      op_fp(0x05, 12, 10, 0, 2),  // fsub.d f2, f10, f12 (rne)
      op_fp(0x09, 12, 11, 7, 3),  // fmul.d
      op_fp(0x0d, 12, 10, 7, 4),  // fdiv.d (inexact)
      op_fp(0x2d, 0, 11, 7, 5),   // fsqrt.d
      op_fp(0x00, 14, 13, 7, 6),  // fadd.s
      op_fp(0x08, 15, 14, 0, 7),  // fmul.s
      op_fp(0x0c, 14, 13, 7, 8),  // fdiv.s
      op_fp(0x2c, 0, 13, 7, 9),   // fsqrt.s
      op_fp(0x11, 12, 10, 1, 16),  // fsgnjn.d (fneg)
      op_fp(0x10, 15, 13, 2, 17),  // fsgnjx.s
      op_fp(0x51, 11, 10, 1, 7),   // flt.d x7
      op_fp(0x51, 10, 10, 0, 8),   // feq.d x8
      op_fp(0x50, 15, 14, 0, 9),   // fle.s x9
      op_fp(0x69, 2, 5, 7, 18),    // fcvt.d.l f18, x5
      op_fp(0x68, 3, 6, 0, 19),    // fcvt.s.lu f19, x6
      op_fp(0x69, 0, 5, 3, 20),    // fcvt.d.w f20, x5 (rtz: exact anyway)
      op_fp(0x79, 0, 6, 0, 21),    // fmv.d.x
      op_fp(0x71, 0, 12, 0, 10),   // fmv.x.d x10
      op_fp(0x70, 0, 14, 0, 11),   // fmv.x.w x11
      op_fp(0x21, 0, 14, 7, 22),   // fcvt.d.s
      op_fp(0x20, 1, 12, 7, 23),   // fcvt.s.d (inexact)
      op_fp(0x61, 0, 10, 1, 12),   // fcvt.w.d x12, f10, rtz (1.5 -> 1)
      op_fp(0x60, 2, 13, 7, 13),   // fcvt.l.s x13, f13 (2.5 -> 2, to even)
      op_fp(0x61, 3, 11, 0, 14),   // fcvt.lu.d x14, f11 (3.25 -> 3)
  };
  if (riscv::host_float::host_fma_available()) {
    for (uint32_t opcode : {0x43u, 0x47u, 0x4bu, 0x4fu}) {
      code.push_back(fused(opcode, true, 12, 11, 10, 7, 24));
      code.push_back(fused(opcode, false, 15, 14, 13, 0, 25));
    }
  }
  Outcome out;
  run_both(code, f, 0, 20 * (code.size() + 1), out, 3, x);
  EXPECT_EQ(out.differences, "");
  EXPECT_EQ(out.helper_calls, 0u);
  EXPECT_EQ(out.jit.hart.csr.fflags, riscv::kFflagNX);
  EXPECT_EQ(out.jit.hart.f[1], bits_of(4.75));
  EXPECT_EQ(out.jit.hart.f[16], bits_of(-1.5));
  EXPECT_EQ(out.jit.hart.x[7], 1u);
  EXPECT_EQ(out.jit.hart.x[10], bits_of(0.1));
  EXPECT_EQ(out.jit.hart.f[18], bits_of(-123456789.0));
  EXPECT_EQ(out.jit.hart.x[12], 1u);
  EXPECT_EQ(out.jit.hart.x[13], 2u);
  EXPECT_EQ(out.jit.hart.x[14], 3u);

  // From FS = Clean or Initial a compare or fmv.x.d leaves FS alone and the
  // first f register write makes it Dirty (and SD), as in the interpreter.
  for (uint64_t fs : {1u, 2u}) {
    for (const std::vector<uint32_t>& first_compare : {std::vector<uint32_t>{op_fp(0x51, 11, 10, 0, 5),
                                                                             op_fp(0x01, 11, 10, 7, 1)},
                                                       std::vector<uint32_t>{op_fp(0x71, 0, 12, 0, 10),
                                                                             op_fp(0x51, 11, 10, 1, 7)},
                                                       std::vector<uint32_t>{op_fp(0x51, 11, 10, 0, 5),
                                                                             op_fp(0x79, 0, 6, 0, 21)}}) {
      Outcome compare_first;
      run_both(first_compare, f, 0, first_compare.size() + 2, compare_first, fs, x);
      EXPECT_EQ(compare_first.differences, "") << "FS " << fs;
      EXPECT_EQ(compare_first.helper_calls, 0u);
    }
  }
  // From FS = Clean the first write makes it Dirty (and SD), as in the interpreter.
  Outcome clean;
  run_both(code, f, 0, code.size() + 2, clean, 2, x);
  EXPECT_EQ(clean.differences, "");
  EXPECT_EQ(clean.jit.hart.csr.mstatus & riscv::kMstatusFS, riscv::kMstatusFS);
  EXPECT_NE(clean.jit.hart.csr.mstatus & riscv::kMstatusSD, 0u);
}

// Once fflags.NX is set, add/sub/mul/div/sqrt with a result inside the normal
// range skip the exactness test (QEMU's shortcut); a result outside it - an
// underflow, an overflow, an exact subnormal difference - still gets the full
// path, so every flag is the interpreter's.
TEST(JitFloat, InexactAlreadySetSkipsOnlyTheExactnessTest) {
  std::array<uint64_t, 32> f{};
  f[10] = bits_of(1.0);
  f[11] = bits_of(3.0);
  f[12] = bits_of(1e-200);
  f[13] = bits_of(1e200);
  f[14] = bits_of(0x1.8p-1022);
  f[15] = bits_of(0x1p-1022);
  f[16] = boxed(1.5f);
  f[17] = boxed(0.1f);
  const std::vector<uint32_t> code = {
      op_fp(0x0d, 11, 10, 0, 1),  // fdiv.d f1 = 1/3: inexact, sets NX
      op_fp(0x09, 12, 12, 0, 2),  // fmul.d: underflows (UF, NX): the helper
      op_fp(0x09, 13, 13, 0, 3),  // fmul.d: overflows (OF, NX): the helper
      op_fp(0x01, 11, 10, 0, 4),  // fadd.d 1 + 3: exact, inside the range
      op_fp(0x05, 15, 14, 0, 5),  // fsub.d: an exact subnormal, no UF (the full path)
      op_fp(0x2d, 0, 11, 0, 6),   // fsqrt.d 3: inexact, inside the range
      op_fp(0x00, 17, 16, 0, 7),  // fadd.s 1.5 + 0.1: inexact, inside the range
  };
  Outcome out;
  run_both(code, f, 0, code.size() + 2, out);  // the nop, the code, the jump
  EXPECT_EQ(out.differences, "");
  EXPECT_EQ(out.helper_calls, 2u);
  EXPECT_EQ(out.jit.hart.csr.fflags, riscv::kFflagNX | riscv::kFflagUF | riscv::kFflagOF);
  EXPECT_EQ(out.jit.hart.f[4], bits_of(4.0));
  EXPECT_EQ(out.jit.hart.f[5], bits_of(0x1p-1023));
}

// One instruction whose guard must send it to the helper (exactly one call),
// and the state must still be the interpreter's.
struct GuardCase {
  const char* what;
  uint32_t bits;
  uint64_t a, b;      // f[1], f[2]
  uint8_t frm = 0;
  uint64_t fs = 3;
  uint64_t x5 = 0;
};

// Runs the case's instruction as one block on both engines: the results must
// agree, and the block must have called the helper `helper_calls` times.
void expect_guard_case(const GuardCase& c, uint64_t helper_calls) {
  std::array<uint64_t, 32> f{};
  f[1] = c.a;
  f[2] = c.b;
  std::array<uint64_t, 32> x{};
  x[5] = c.x5;
  Outcome out;
  run_both({c.bits}, f, c.frm, 3, out, c.fs, x);  // the nop, then one block: the instruction and the jump
  EXPECT_EQ(out.differences, "") << c.what;
  EXPECT_EQ(out.helper_calls, helper_calls) << c.what;
}

// A loop that keeps eight integer registers in the block's cache registers
// (all of them, rdi included) across fmul/fdiv/fsqrt, whose exactness tests
// need scratch registers: the fast paths must leave every cache register
// alone (they once clobbered rdi, which the loop counter lived in).
TEST(JitFloat, FastPathsKeepTheCachedIntegerRegisters) {
  std::vector<uint32_t> code;
  for (unsigned r = 1; r <= 8; ++r) code.push_back(addi(r, r, static_cast<int32_t>(r)));
  code.push_back(op_fp(0x09, 2, 1, 7, 3));  // fmul.d f3, f1, f2
  code.push_back(op_fp(0x0d, 2, 1, 7, 4));  // fdiv.d f4, f1, f2
  code.push_back(op_fp(0x2d, 0, 1, 7, 5));  // fsqrt.d f5, f1
  code.push_back(op_fp(0x08, 2, 1, 7, 6));  // fmul.s f6, f1, f2 (singles: the boxed values below)
  code.push_back(b_type(-4 * static_cast<int32_t>(code.size()), 0, 9, 1));  // bne x9, x0 -> the first addi
  std::array<uint64_t, 32> f{};
  f[1] = bits_of(3.0);
  f[2] = bits_of(7.0);
  std::array<uint64_t, 32> x{};
  x[9] = 1;
  Outcome out;
  run_both(code, f, 0, 500, out, 3, x);
  EXPECT_EQ(out.differences, "");
  EXPECT_EQ(out.jit.hart.x[8], 8u * 38);  // 499 slots after the nop: 38 rounds of 13, then 5 addi
}

TEST(JitFloat, EachGuardSendsItsCaseToTheHelper) {
  const double max = std::numeric_limits<double>::max(), min_normal = std::numeric_limits<double>::min();
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const uint64_t signaling = 0x7ff0000000000001ull;
  const std::vector<GuardCase> cases = {
      {"FS off", op_fp(0x01, 2, 1, 7, 3), bits_of(1.0), bits_of(2.0), 0, 0},
      {"FS off, fmv.x.d", op_fp(0x71, 0, 1, 0, 7), bits_of(1.0), 0, 0, 0},
      {"dynamic rm with frm = rdn", op_fp(0x01, 2, 1, 7, 3), bits_of(1.0), bits_of(0.1), 2},
      {"dynamic rm with reserved frm", op_fp(0x09, 2, 1, 7, 3), bits_of(1.0), bits_of(0.1), 5},
      {"exact op, reserved frm", op_fp(0x69, 2, 5, 7, 3), 0, 0, 7, 3, 42},
      {"static reserved rm", op_fp(0x01, 2, 1, 5, 3), bits_of(1.0), bits_of(2.0)},
      {"static rtz (not native)", op_fp(0x01, 2, 1, 1, 3), bits_of(1.0), bits_of(0.1)},
      {"quiet NaN operand", op_fp(0x01, 2, 1, 7, 3), bits_of(nan), bits_of(2.0)},
      {"signaling NaN operand", op_fp(0x09, 2, 1, 0, 3), signaling, bits_of(2.0)},
      {"infinity operand", op_fp(0x01, 2, 1, 0, 3), bits_of(inf), bits_of(2.0)},
      {"invalid: 0 * inf", op_fp(0x09, 2, 1, 0, 3), bits_of(0.0), bits_of(inf)},
      {"division by zero", op_fp(0x0d, 2, 1, 0, 3), bits_of(1.0), bits_of(0.0)},
      {"overflow", op_fp(0x09, 2, 1, 0, 3), bits_of(max), bits_of(2.0)},
      {"largest finite, inexact", op_fp(0x01, 2, 1, 0, 3), bits_of(max), bits_of(1.0)},
      {"tiny inexact", op_fp(0x09, 2, 1, 0, 3), bits_of(min_normal), bits_of(0.3)},
      {"smallest normal after rounding", op_fp(0x09, 2, 1, 0, 3), bits_of(min_normal),
       bits_of(std::nextafter(1.0, 0.0))},
      {"fcvt.s.d to the smallest normal, inexact", op_fp(0x20, 1, 1, 0, 3),
       bits_of(std::nextafter(static_cast<double>(std::numeric_limits<float>::min()), 0.0)), 0},
      {"exact product at the largest finite (declined)", op_fp(0x09, 2, 1, 0, 3), bits_of(max / 2), bits_of(2.0)},
      {"quotient of a subnormal", op_fp(0x0d, 2, 1, 0, 3), bits_of(min_normal / 4), bits_of(0.5)},
      {"root of a subnormal", op_fp(0x2d, 0, 1, 0, 3), bits_of(min_normal / 4), 0},
      {"root of -0", op_fp(0x2d, 0, 1, 0, 3), bits_of(-0.0), 0},
      {"sqrt of a negative", op_fp(0x2d, 0, 1, 0, 3), bits_of(-2.0), 0},
      {"unboxed single", op_fp(0x00, 2, 1, 0, 3), 0x000000003f800000ull, boxed(1.0f)},
      {"unboxed single in sign injection", op_fp(0x10, 2, 1, 0, 3), boxed(1.0f), 0x12345678bf800000ull},
      {"compare with a signaling NaN", op_fp(0x51, 2, 1, 2, 7), signaling, bits_of(1.0)},
      {"compare with a quiet NaN", op_fp(0x51, 2, 1, 1, 7), bits_of(nan), bits_of(1.0)},
      {"fcvt.d.s of a signaling NaN", op_fp(0x21, 0, 1, 0, 3), kBox | 0x7f800001u, 0},
      {"fcvt.s.d overflow", op_fp(0x20, 1, 1, 0, 3), bits_of(1e300), 0},
      {"fcvt.d.l beyond 2^53", op_fp(0x69, 2, 5, 0, 3), 0, 0, 0, 3, (uint64_t{1} << 53) + 1},
      {"fcvt.s.w beyond 2^24", op_fp(0x68, 0, 5, 0, 3), 0, 0, 0, 3, (1u << 24) + 1},
      {"fcvt.d.lu beyond 2^53", op_fp(0x69, 3, 5, 0, 3), 0, 0, 0, 3, ~uint64_t{0}},
      {"fcvt.w.d out of range", op_fp(0x61, 0, 1, 1, 7), bits_of(2147483648.0), 0},
      {"fcvt.w.d of a NaN", op_fp(0x61, 0, 1, 0, 7), bits_of(nan), 0},
      {"fcvt.wu.d of a small negative (declined)", op_fp(0x61, 1, 1, 0, 7), bits_of(-0.25), 0},
      {"fcvt.l.d of 2^63", op_fp(0x61, 2, 1, 1, 7), bits_of(9223372036854775808.0), 0},
      {"fcvt.l.d of -2^63 (declined)", op_fp(0x61, 2, 1, 1, 7), bits_of(-9223372036854775808.0), 0},
      {"fcvt.w.d with frm = rtz", op_fp(0x61, 0, 1, 7, 7), bits_of(2.5), 0, 1},
      {"fcvt.w.d rdn (not native)", op_fp(0x61, 0, 1, 2, 7), bits_of(2.5), 0},
      {"fcvt.w.s unboxed", op_fp(0x60, 0, 1, 1, 7), 0x40200000ull, 0},
  };
  for (const GuardCase& c : cases) expect_guard_case(c, 1);
  // And the neighbours of those cases that stay native: exact results at the
  // range ends, inexact ones just inside.
  const std::vector<GuardCase> native = {
      // fcvt.s.d (the MXCSR path) keeps exact results at the range ends;
      // fmul/fdiv (host_float's nearest-even exactness tests) decline them.
      {"largest finite single, exact", op_fp(0x20, 1, 1, 0, 3), bits_of(std::numeric_limits<float>::max()), 0},
      {"smallest normal single, exact", op_fp(0x20, 1, 1, 7, 3), bits_of(std::numeric_limits<float>::min()), 0},
      {"subnormal single, exact", op_fp(0x20, 1, 1, 0, 3), bits_of(std::ldexp(1.0, -149)), 0},
      {"fcvt.s.d inexact", op_fp(0x20, 1, 1, 0, 3), bits_of(0.1), 0},
      {"inexact quotient", op_fp(0x0d, 2, 1, 0, 3), bits_of(1.0), bits_of(3.0)},
      {"exact quotient", op_fp(0x0d, 2, 1, 7, 3), bits_of(7.5), bits_of(2.5)},
      {"exact root", op_fp(0x2d, 0, 1, 0, 3), bits_of(6.25), 0},
      {"inexact single root", op_fp(0x2c, 0, 1, 0, 3), boxed(2.0f), 0},
      {"exact sum into the subnormal range", op_fp(0x01, 2, 1, 0, 3), bits_of(1.5 * min_normal),
       bits_of(-1.25 * min_normal)},
      {"inexact product just inside", op_fp(0x09, 2, 1, 7, 3), bits_of(min_normal * 4), bits_of(0.3)},
      {"inexact single sum", op_fp(0x00, 2, 1, 0, 3), boxed(1.0f), boxed(1e-9f)},
      {"exact single product", op_fp(0x08, 2, 1, 0, 3), boxed(1.5f), boxed(-2.0f)},
      {"inexact just inside", op_fp(0x09, 2, 1, 0, 3), bits_of(min_normal * 4), bits_of(0.3)},
      {"negative zero sum", op_fp(0x01, 2, 1, 7, 3), bits_of(-0.0), bits_of(-0.0)},
      {"fcvt.d.l at -2^53", op_fp(0x69, 2, 5, 0, 3), 0, 0, 0, 3, static_cast<uint64_t>(-(int64_t{1} << 53))},
      {"fcvt.d.s of a subnormal", op_fp(0x21, 0, 1, 0, 3), kBox | 1u, 0},
      {"flt of -0 and +0", op_fp(0x51, 2, 1, 1, 7), bits_of(-0.0), bits_of(0.0)},
      {"fcvt.w.d rtz of -2.7", op_fp(0x61, 0, 1, 1, 7), bits_of(-2.7), 0},
      {"fcvt.w.d rne of 2.5", op_fp(0x61, 0, 1, 0, 7), bits_of(2.5), 0},
      {"fcvt.w.d of the largest int32", op_fp(0x61, 0, 1, 7, 7), bits_of(2147483647.0), 0},
      {"fcvt.wu.d of -0", op_fp(0x61, 1, 1, 0, 7), bits_of(-0.0), 0},
      {"fcvt.wu.s rtz of 1e9", op_fp(0x60, 1, 1, 1, 7), boxed(1e9f), 0},
      {"fcvt.lu.d of 2^62 + 2^10", op_fp(0x61, 3, 1, 0, 7), bits_of(4611686018427388928.0), 0},
      {"fcvt.l.d rtz of -1e18", op_fp(0x61, 2, 1, 1, 7), bits_of(-1e18), 0},
  };
  for (const GuardCase& c : native) expect_guard_case(c, 0);
}

}  // namespace
}  // namespace emu::jit
