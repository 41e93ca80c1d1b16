// Tests of the reference interpreter (emu/target/riscv/interpreter.cpp):
// small programs assembled with the cross assembler at test time, run on a
// hart with RAM at 0x80000000, checked register by register against values
// worked out from the spec (unprivileged ISA 20191213, privileged ISA 1.12).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu/core/physical_bus.h"
#include "emu/target/riscv/csr_numbers.h"
#include "emu/target/riscv/hart.h"

#ifndef EMU_RISCV_AS
#define EMU_RISCV_AS "/usr/bin/riscv64-unknown-elf-as"
#endif

namespace emu::riscv {
namespace {

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kTrapLanding = kRamBase + 0x10000;  // mtvec; holds `j .`
constexpr uint64_t kScratch = kRamBase + 0x20000;     // data area for loads and stores
constexpr uint32_t kJumpToSelf = 0x0000006f;          // jal x0, 0

constexpr uint64_t kMcauseInterrupt = 1ull << 63;

// ---- assembling test programs ----

// The sibling binutils tool of EMU_RISCV_AS (".../riscv64-unknown-elf-as").
std::string binutils_tool(const std::string& tool) {
  std::string path = EMU_RISCV_AS;
  return path.substr(0, path.size() - 2) + tool;
}

void run_command(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("command failed: " + command);
  }
}

// Assembles `source` (GNU as syntax, -march=rv64gc) as code placed at `base`
// and returns the raw bytes. The code is linked so that `la`, `call` and
// alignment resolve; relaxation is off so every instruction keeps the form
// written (compressed only where the source says c.* or the assembler
// compresses on its own under rv64gc).
std::vector<uint8_t> assemble(const std::string& source, uint64_t base = kRamBase) {
  char directory_template[] = "/tmp/emu-interpreter-test-XXXXXX";
  const char* directory = mkdtemp(directory_template);
  if (directory == nullptr) throw std::runtime_error("mkdtemp failed");
  const std::string dir = directory;
  struct RemoveOnExit {
    std::string path;
    ~RemoveOnExit() { std::filesystem::remove_all(path); }
  } remove_on_exit{dir};
  {
    std::ofstream out(dir + "/program.S");
    out << "  .text\n  .globl _start\n_start:\n" << source << "\n";
  }
  char base_text[32];
  std::snprintf(base_text, sizeof base_text, "0x%llx", static_cast<unsigned long long>(base));
  run_command(std::string(EMU_RISCV_AS) + " -march=rv64gc -mno-relax -o " + dir + "/program.o " + dir +
              "/program.S");
  run_command(binutils_tool("ld") + " --no-relax -Ttext=" + base_text + " -o " + dir + "/program.elf " + dir +
              "/program.o");
  run_command(binutils_tool("objcopy") + " -O binary " + dir + "/program.elf " + dir + "/program.bin");
  std::ifstream in(dir + "/program.bin", std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class FixedTime : public TimeSource {
 public:
  uint64_t mtime() const override { return 0; }
};

// A hart on a bus with RAM at kRamBase.
struct Machine {
  explicit Machine(uint64_t ram_size = 1 << 20) : hart(bus, 0, time) {
    ram = bus.map_ram(kRamBase, ram_size, "ram");
    hart.reset(kRamBase);
    hart.csr.mtvec = kTrapLanding;
    write32(kTrapLanding, kJumpToSelf);
  }
  void write32(uint64_t address, uint32_t value) { std::memcpy(ram + (address - kRamBase), &value, 4); }
  uint32_t read32(uint64_t address) const {
    uint32_t value;
    std::memcpy(&value, ram + (address - kRamBase), 4);
    return value;
  }
  uint64_t read64(uint64_t address) const {
    uint64_t value;
    std::memcpy(&value, ram + (address - kRamBase), 8);
    return value;
  }
  void write64(uint64_t address, uint64_t value) { std::memcpy(ram + (address - kRamBase), &value, 8); }
  void load_program(const std::vector<uint8_t>& bytes) { std::memcpy(ram, bytes.data(), bytes.size()); }

  FixedTime time;
  PhysicalBus bus;
  uint8_t* ram = nullptr;
  Hart hart;
};

enum class Stop { Done, Trap, OutOfSteps };

class InterpreterTest : public ::testing::Test {
 protected:
  // Assembles `source` at kRamBase, appends a `j .` marking the end, and
  // single-steps until pc reaches that end (Done) or the trap landing at
  // mtvec (Trap). Programs keep any data inside .text.
  Stop run(const std::string& source, uint64_t max_steps = 100000) {
    const std::vector<uint8_t> bytes = assemble(source + "\n  .p2align 2\n  .word 0x0000006f\n");
    machine.load_program(bytes);
    done_address = kRamBase + bytes.size() - 4;
    for (uint64_t step = 0; step < max_steps; ++step) {
      if (hart().pc == done_address) return Stop::Done;
      if (hart().pc == kTrapLanding) return Stop::Trap;
      hart().step();
    }
    return Stop::OutOfSteps;
  }

  Hart& hart() { return machine.hart; }
  uint64_t x(unsigned r) { return machine.hart.x[r]; }
  void enable_fp() { hart().csr.mstatus |= kMstatusFS & (1ull << 13); }  // FS = Initial

  Machine machine;
  uint64_t done_address = 0;
};

// ABI register numbers used below.
constexpr unsigned ra = 1, sp = 2, t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9, a0 = 10, a1 = 11, a2 = 12, a3 = 13,
                   a4 = 14, a5 = 15, a6 = 16, a7 = 17, s2 = 18, s3 = 19, s4 = 20, s5 = 21, s6 = 22, s7 = 23;

constexpr uint64_t u64(int64_t value) { return static_cast<uint64_t>(value); }

// ---------------------------------------------------------------------------
// RV64I

TEST_F(InterpreterTest, ZeroRegisterIgnoresWrites) {
  ASSERT_EQ(run(R"(
    addi zero, zero, 5
    lui zero, 0x12345
    li t0, 7
    add zero, t0, t0
    mv a0, zero
    addi a1, zero, 1
  )"), Stop::Done);
  EXPECT_EQ(x(0), 0u);
  EXPECT_EQ(x(a0), 0u);
  EXPECT_EQ(x(a1), 1u);
}

TEST_F(InterpreterTest, IntegerAluEdgeCases) {
  ASSERT_EQ(run(R"(
    li t0, -1
    addi a0, t0, 1           # wraps to 0
    slti a1, t0, 0           # -1 < 0 signed
    sltiu a2, t0, -1         # equal: 0
    sltiu a3, zero, -1       # 0 < 0xffff...ffff unsigned
    li t1, 0x8000000000000000
    srai a4, t1, 63          # -1
    srli a5, t1, 63          # 1
    slt a6, t1, zero         # INT64_MIN < 0
    sltu a7, zero, t1        # 0 < 2^63
    sub s2, zero, t1         # -INT64_MIN wraps to INT64_MIN
    li t2, 0x7fffffffffffffff
    addi s3, t2, 1           # INT64_MAX + 1 wraps
    xori s4, zero, -1        # sign-extended immediate
    andi s5, t0, 0x7ff
    lui s6, 0x80000          # sign-extended: 0xffffffff80000000
  1:auipc s7, 0
    la t2, 1b
    sub s7, s7, t2           # auipc gives its own address
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0u);
  EXPECT_EQ(x(a1), 1u);
  EXPECT_EQ(x(a2), 0u);
  EXPECT_EQ(x(a3), 1u);
  EXPECT_EQ(x(a4), ~0ull);
  EXPECT_EQ(x(a5), 1u);
  EXPECT_EQ(x(a6), 1u);
  EXPECT_EQ(x(a7), 1u);
  EXPECT_EQ(x(s2), 0x8000000000000000ull);
  EXPECT_EQ(x(s3), 0x8000000000000000ull);
  EXPECT_EQ(x(s4), ~0ull);
  EXPECT_EQ(x(s5), 0x7ffu);
  EXPECT_EQ(x(s6), 0xffffffff80000000ull);
  EXPECT_EQ(x(s7), 0u);
}

TEST_F(InterpreterTest, ShiftAmountsAreMasked) {
  ASSERT_EQ(run(R"(
    li t0, 1
    li t1, 65
    sll a0, t0, t1           # shift by 65 & 63 = 1
    li t2, 33
    sllw a1, t0, t2          # shift by 33 & 31 = 1
    li s0, 0x80000000
    sraw a2, s0, zero        # low word 0x80000000 sign-extended
    li s1, 31
    sraw a3, s0, s1          # -1
    srlw a4, s0, s1          # 1
    li s2, 0xffffffff00000001
    srlw a5, s2, zero        # low word only: 1
    slliw a6, t0, 31         # 0x80000000 sign-extended
    sraiw a7, s0, 4          # 0xf8000000 sign-extended
    li s3, -64
    srl s4, s0, s3           # -64 & 63 = 0
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 2u);
  EXPECT_EQ(x(a1), 2u);
  EXPECT_EQ(x(a2), 0xffffffff80000000ull);
  EXPECT_EQ(x(a3), ~0ull);
  EXPECT_EQ(x(a4), 1u);
  EXPECT_EQ(x(a5), 1u);
  EXPECT_EQ(x(a6), 0xffffffff80000000ull);
  EXPECT_EQ(x(a7), 0xfffffffff8000000ull);
  EXPECT_EQ(x(s4), 0x80000000u);
}

TEST_F(InterpreterTest, WordOpsSignExtend) {
  ASSERT_EQ(run(R"(
    li t0, 0x7fffffff
    addiw a0, t0, 1          # 0x80000000 -> negative
    li t1, 0x123456789
    addiw a1, t1, 0          # sext.w of 0x23456789
    addw a2, t0, t0          # 0xfffffffe -> -2
    li t2, 0xffffffff00000000
    subw a3, zero, t2        # low words: 0 - 0 = 0
    li s0, 0x100000000
    addw a4, s0, zero        # upper bits dropped: 0
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0xffffffff80000000ull);
  EXPECT_EQ(x(a1), 0x23456789u);
  EXPECT_EQ(x(a2), u64(-2));
  EXPECT_EQ(x(a3), 0u);
  EXPECT_EQ(x(a4), 0u);
}

// ---------------------------------------------------------------------------
// M: table 7.1

TEST_F(InterpreterTest, DivisionByZeroAndOverflow) {
  ASSERT_EQ(run(R"(
    li t0, 42
    div a0, t0, zero         # -1
    divu a1, t0, zero        # 2^64-1
    rem a2, t0, zero         # dividend
    remu a3, t0, zero        # dividend
    li t1, 0x8000000000000000
    li t2, -1
    div a4, t1, t2           # overflow: INT64_MIN
    rem a5, t1, t2           # overflow: 0
    li s0, 0x80000000
    divw a6, s0, t2          # INT32_MIN sign-extended
    remw a7, s0, t2          # 0
    divuw s2, t0, zero       # all ones
    remuw s3, s0, zero       # dividend's low word, sign-extended
    divw s4, t0, zero        # -1
    remw s5, s0, zero        # sext(0x80000000)
    li s1, -7
    li s6, 2
    div s6, s1, s6           # rounds toward zero: -3
    li s7, 2
    rem s7, s1, s7           # sign of the dividend: -1
  )"), Stop::Done);
  EXPECT_EQ(x(a0), ~0ull);
  EXPECT_EQ(x(a1), ~0ull);
  EXPECT_EQ(x(a2), 42u);
  EXPECT_EQ(x(a3), 42u);
  EXPECT_EQ(x(a4), 0x8000000000000000ull);
  EXPECT_EQ(x(a5), 0u);
  EXPECT_EQ(x(a6), 0xffffffff80000000ull);
  EXPECT_EQ(x(a7), 0u);
  EXPECT_EQ(x(s2), ~0ull);
  EXPECT_EQ(x(s3), 0xffffffff80000000ull);
  EXPECT_EQ(x(s4), ~0ull);
  EXPECT_EQ(x(s5), 0xffffffff80000000ull);
  EXPECT_EQ(x(s6), u64(-3));
  EXPECT_EQ(x(s7), u64(-1));
}

TEST_F(InterpreterTest, HighMultiplies) {
  ASSERT_EQ(run(R"(
    li t0, -1
    mulh a0, t0, t0          # (-1)*(-1) = 1: high 0
    mulhu a1, t0, t0         # (2^64-1)^2: high 2^64-2
    mulhsu a2, t0, t0        # -1 * (2^64-1): high -1
    li t1, 0x8000000000000000
    mulh a3, t1, t1          # 2^126: high 2^62
    mulhsu a4, t1, t0        # -2^63 * (2^64-1): high -2^63 + 0 -> 0x8000000000000000
    li t2, 0x10000
    mulw a5, t2, t2          # 2^32 -> low word 0
    li s0, 0x7fffffff
    li s1, 2
    mulw a6, s0, s1          # 0xfffffffe -> -2
    mul a7, t1, t0           # INT64_MIN * -1 wraps to INT64_MIN
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0u);
  EXPECT_EQ(x(a1), 0xfffffffffffffffeull);
  EXPECT_EQ(x(a2), ~0ull);
  EXPECT_EQ(x(a3), 0x4000000000000000ull);
  EXPECT_EQ(x(a4), 0x8000000000000000ull);
  EXPECT_EQ(x(a5), 0u);
  EXPECT_EQ(x(a6), u64(-2));
  EXPECT_EQ(x(a7), 0x8000000000000000ull);
}

// ---------------------------------------------------------------------------
// Control transfer

TEST_F(InterpreterTest, BranchesCompareSignedAndUnsigned) {
  ASSERT_EQ(run(R"(
    li t0, -1
    li t1, 1
    li a0, 0
    blt t0, t1, 1f           # taken: -1 < 1
    ori a0, a0, 1
  1:bltu t0, t1, 2f          # not taken: 2^64-1 > 1
    ori a0, a0, 2
  2:bge t1, t0, 3f           # taken
    ori a0, a0, 4
  3:bgeu t1, t0, 4f          # not taken
    ori a0, a0, 8
  4:beq t0, t0, 5f           # taken
    ori a0, a0, 16
  5:bne t0, t0, 6f           # not taken
    ori a0, a0, 32
  6:li a1, 0                 # a loop: sum 1..10
    li a2, 10
  7:add a1, a1, a2
    addi a2, a2, -1
    bnez a2, 7b
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 2u | 8u | 32u);
  EXPECT_EQ(x(a1), 55u);
}

TEST_F(InterpreterTest, JumpsLinkTheNextInstruction) {
  ASSERT_EQ(run(R"(
    .option norvc
    li s6, 0                 # counts instructions a jump should have skipped
  0:jal a0, 1f               # a0 = 0b + 4
    addi s6, s6, 1
  1:la t0, 2f
  3:jalr a1, 0(t0)           # a1 = 3b + 4
    addi s6, s6, 1
  2:la a2, 4f
  5:jalr a2, 0(a2)           # rd == rs1: jumps to the old a2, links 5b + 4
    addi s6, s6, 1
  4:la t1, 6f
    addi t1, t1, 1           # odd target: jalr clears bit 0
    jalr zero, 0(t1)
    addi s6, s6, 1
  6:la s2, 0b
    la s3, 3b
    la s4, 5b
    .option rvc
    la t2, 8f
  7:c.jalr t2                # links 7b + 2
    addi s6, s6, 1
  8:la s5, 7b
  )"), Stop::Done);
  EXPECT_EQ(x(a0), x(s2) + 4);
  EXPECT_EQ(x(a1), x(s3) + 4);
  EXPECT_EQ(x(a2), x(s4) + 4);
  EXPECT_EQ(x(ra), x(s5) + 2);
  EXPECT_EQ(x(s6), 0u);
}

// ---------------------------------------------------------------------------
// Loads and stores

TEST_F(InterpreterTest, LoadsExtendAndMisalignedAccessesWork) {
  ASSERT_EQ(run(R"(
    li s0, 0x80020000
    li t0, 0x8877665544332281
    sd t0, 0(s0)
    lb a0, 0(s0)             # 0x81 sign-extended
    lbu a1, 0(s0)
    lh a2, 0(s0)             # 0x2281 positive
    lh a3, 1(s0)             # misaligned 0x3322
    lhu a4, 6(s0)            # 0x8877
    lh a5, 6(s0)             # negative
    lw a6, 4(s0)             # 0x88776655 negative
    lwu a7, 4(s0)
    sd t0, 13(s0)            # misaligned doubleword
    ld s2, 13(s0)
    sw t0, 35(s0)
    lw s3, 35(s0)
    sh t0, 51(s0)
    lhu s4, 51(s0)
    sb t0, 61(s0)
    lbu s5, 61(s0)
    ld s6, -8(s0)            # negative offset reads the word before
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0xffffffffffffff81ull);
  EXPECT_EQ(x(a1), 0x81u);
  EXPECT_EQ(x(a2), 0x2281u);
  EXPECT_EQ(x(a3), 0x3322u);
  EXPECT_EQ(x(a4), 0x8877u);
  EXPECT_EQ(x(a5), 0xffffffffffff8877ull);
  EXPECT_EQ(x(a6), 0xffffffff88776655ull);
  EXPECT_EQ(x(a7), 0x88776655u);
  EXPECT_EQ(x(s2), 0x8877665544332281ull);
  EXPECT_EQ(x(s3), 0x44332281u);
  EXPECT_EQ(x(s4), 0x2281u);
  EXPECT_EQ(x(s5), 0x81u);
  EXPECT_EQ(machine.read64(kScratch + 13), 0x8877665544332281ull);
  EXPECT_EQ(x(s6), machine.read64(kScratch - 8));
}

TEST_F(InterpreterTest, LoadFromUnmappedAddressTrapsWithoutWritingRd) {
  ASSERT_EQ(run(R"(
    li a0, 1234
    li t0, 0x40000000
    ld a0, 8(t0)
  )"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::LoadAccessFault));
  EXPECT_EQ(hart().csr.mtval, 0x40000008u);
  EXPECT_EQ(x(a0), 1234u);
}

// ---------------------------------------------------------------------------
// C: compressed forms execute as their expansions, pc advances by 2

TEST_F(InterpreterTest, CompressedArithmetic) {
  ASSERT_EQ(run(R"(
    c.li a0, -5
    c.addi a0, 3              # -2
    c.li a1, 1
    c.slli a1, 40
    c.addiw a1, 0             # sext.w: the low word of 2^40 is 0
    c.lui a2, 0xfffff         # 0xfffffffffffff000
    c.li s0, 15
    c.srli s0, 1              # 7
    c.li s1, -16
    c.srai s1, 2              # -4
    c.andi s1, 0xe            # 0xc
    c.mv a3, s0
    c.add a3, s1              # 7 + 12
    c.sub s0, s1              # 7 - 12
    c.li a4, 6
    c.li a5, 3
    c.xor a4, a5              # 5
    c.or a5, a4               # 7
    c.and a5, a4              # 5
  )"), Stop::Done);
  EXPECT_EQ(x(a0), u64(-2));
  EXPECT_EQ(x(a1), 0u);
  EXPECT_EQ(x(a2), 0xfffffffffffff000ull);
  EXPECT_EQ(x(a3), 19u);
  EXPECT_EQ(x(s0), u64(-5));
  EXPECT_EQ(x(s1), 12u);
  EXPECT_EQ(x(a4), 5u);
  EXPECT_EQ(x(a5), 5u);
  // 19 instructions and the c.nop that aligns the end marker, 2 bytes each.
  EXPECT_EQ(hart().instret, 20u);
  EXPECT_EQ(done_address, kRamBase + 20 * 2);
}

TEST_F(InterpreterTest, CompressedWordOps) {
  ASSERT_EQ(run(R"(
    li a0, 0x7fffffff
    c.li a1, 1
    c.addw a0, a1             # sign-extended 0x80000000
    c.li a2, 0
    c.subw a2, a1             # -1
    li a3, 0x100000000
    c.addw a3, a1             # upper bits dropped: 1
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0xffffffff80000000ull);
  EXPECT_EQ(x(a2), ~0ull);
  EXPECT_EQ(x(a3), 1u);
}

TEST_F(InterpreterTest, CompressedMemoryAndControl) {
  ASSERT_EQ(run(R"(
    li sp, 0x80021000
    li s0, 0x80020000
    li a0, 0x80000001
    c.sw a0, 4(s0)
    c.lw a1, 4(s0)            # sign-extended
    c.sd a0, 8(s0)
    c.ld a2, 8(s0)
    c.swsp a0, 12(sp)
    c.lwsp a3, 12(sp)
    c.sdsp a0, 16(sp)
    c.ldsp a4, 16(sp)
    c.addi16sp sp, -32
    c.addi4spn s1, sp, 8      # s1 = sp + 8
    c.li a5, 0
    c.beqz a5, 1f             # taken
    c.li a5, 9
  1:c.bnez a5, 2f             # not taken
    c.addi a5, 1
  2:c.j 3f
    c.li a5, 7
  3:la t0, 4f
    c.jr t0
    c.li a5, 8
  4:c.nop
  )"), Stop::Done);
  EXPECT_EQ(x(a1), 0xffffffff80000001ull);
  EXPECT_EQ(x(a2), 0x80000001u);
  EXPECT_EQ(x(a3), 0xffffffff80000001ull);
  EXPECT_EQ(x(a4), 0x80000001u);
  EXPECT_EQ(x(sp), 0x80021000u - 32);
  EXPECT_EQ(x(s1), 0x80021000u - 32 + 8);
  EXPECT_EQ(x(a5), 1u);
}

// ---------------------------------------------------------------------------
// A

TEST_F(InterpreterTest, LoadReservedStoreConditional) {
  ASSERT_EQ(run(R"(
    li s0, 0x80020000
    li t0, 0x80000000
    sw t0, 0(s0)
    lr.w a0, (s0)             # sign-extended
    li t1, 5
    sc.w a1, t1, (s0)         # succeeds: 0
    lw a2, 0(s0)
    sc.w a3, t1, (s0)         # no reservation any more: 1
    lr.d a4, (s0)
    li t2, -1
    sc.d a5, t2, (s0)
    ld a6, 0(s0)
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0xffffffff80000000ull);
  EXPECT_EQ(x(a1), 0u);
  EXPECT_EQ(x(a2), 5u);
  EXPECT_EQ(x(a3), 1u);
  EXPECT_EQ(x(a4), 5u);
  EXPECT_EQ(x(a5), 0u);
  EXPECT_EQ(x(a6), ~0ull);
}

TEST_F(InterpreterTest, AtomicsReturnSignExtendedOldValue) {
  ASSERT_EQ(run(R"(
    li s0, 0x80020000
    li t0, 0x7fffffff
    sw t0, 0(s0)
    li t1, 1
    amoadd.w a0, t1, (s0)     # old 0x7fffffff, memory 0x80000000
    amoswap.w a1, zero, (s0)  # old 0x80000000 sign-extended
    li t2, 5
    addi s3, s0, 4
    sw t2, 0(s3)
    li s1, 0x80000000         # upper bits zero: as a word it is INT32_MIN
    amomin.w a2, s1, (s3)     # old 5, memory INT32_MIN
    lw a3, 0(s3)
    amomaxu.w a4, t2, (s3)    # unsigned: 0x80000000 > 5, memory unchanged
    lw a5, 0(s3)
    li s2, -1
    addi s4, s0, 8
    sd s2, 0(s4)
    amoand.d a6, zero, (s4)   # old -1
    ld a7, 0(s4)
    amoor.d s5, t2, (s4)      # old 0
    ld s6, 0(s4)
    amomax.d s7, s2, (s4)     # max(5, -1) = 5: old 5
    ld t0, 0(s4)
    addi t1, s0, 16
    li t2, 0x7fffffff
    sw t2, 0(t1)
    amoxor.w zero, s2, (t1)   # rd = x0: memory still updated
    lwu s1, 0(t1)
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0x7fffffffu);
  EXPECT_EQ(x(a1), 0xffffffff80000000ull);
  EXPECT_EQ(x(a2), 5u);
  EXPECT_EQ(x(a3), 0xffffffff80000000ull);
  EXPECT_EQ(x(a4), 0xffffffff80000000ull);
  EXPECT_EQ(x(a5), 0xffffffff80000000ull);
  EXPECT_EQ(x(a6), ~0ull);
  EXPECT_EQ(x(a7), 0u);
  EXPECT_EQ(x(s5), 0u);
  EXPECT_EQ(x(s6), 5u);
  EXPECT_EQ(x(s7), 5u);
  EXPECT_EQ(x(t0), 5u);
  EXPECT_EQ(x(s1), 0x80000000u);
  EXPECT_EQ(x(0), 0u);
}

// ---------------------------------------------------------------------------
// Zicsr

TEST_F(InterpreterTest, CsrSetWithZeroRegisterDoesNotWrite) {
  // mhartid is read-only: any write is illegal, so these reads must not write.
  ASSERT_EQ(run(R"(
    li a0, 99
    li a1, 99
    csrrs a0, mhartid, zero
    csrrsi a1, mhartid, 0
    csrrc a2, mhartid, zero
    csrrci a3, mhartid, 0
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0u);
  EXPECT_EQ(x(a1), 0u);
}

TEST_F(InterpreterTest, CsrSetWithNonZeroRegisterWritesEvenAZeroMask) {
  ASSERT_EQ(run(R"(
    li a1, 0
    li a0, 99
    csrrs a0, mhartid, a1     # rs1 != x0: a write is attempted -> illegal
  )"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::IllegalInstruction));
  EXPECT_EQ(hart().csr.mtval, 0xf145a573u);  // the instruction bits
  EXPECT_EQ(x(a0), 99u);                     // rd not written
}

TEST_F(InterpreterTest, CsrReadWriteSetClear) {
  ASSERT_EQ(run(R"(
    li t0, 0xf0
    csrw mscratch, t0
    li t1, 0x0f
    csrrs a0, mscratch, t1    # old 0xf0, now 0xff
    li t2, 0x3c
    csrrc a1, mscratch, t2    # old 0xff, now 0xc3
    csrrwi a2, mscratch, 17   # old 0xc3, now 17
    csrrsi a3, mscratch, 8    # old 17, now 25
    csrrci a4, mscratch, 1    # old 25, now 24
    li a5, 1000
    csrrw a5, mscratch, a5    # rd == rs1: old 24 read, 1000 written
    csrr a6, mscratch
    csrw mscratch, zero
    csrr a7, mscratch
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0xf0u);
  EXPECT_EQ(x(a1), 0xffu);
  EXPECT_EQ(x(a2), 0xc3u);
  EXPECT_EQ(x(a3), 17u);
  EXPECT_EQ(x(a4), 25u);
  EXPECT_EQ(x(a5), 24u);
  EXPECT_EQ(x(a6), 1000u);
  EXPECT_EQ(x(a7), 0u);
}

// ---------------------------------------------------------------------------
// Traps

TEST_F(InterpreterTest, IllegalInstructionReportsTheBits) {
  ASSERT_EQ(run(R"(
    .word 0xffffffff
  )"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::IllegalInstruction));
  EXPECT_EQ(hart().csr.mtval, 0xffffffffu);
  EXPECT_EQ(hart().csr.mepc, kRamBase);
}

TEST_F(InterpreterTest, IllegalCompressedInstructionReportsSixteenBits) {
  ASSERT_EQ(run(R"(
    c.nop
    .half 0x4002              # c.lwsp with rd = x0: reserved
  )"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::IllegalInstruction));
  EXPECT_EQ(hart().csr.mtval, 0x4002u);
  EXPECT_EQ(hart().csr.mepc, kRamBase + 2);
}

TEST_F(InterpreterTest, EbreakTrapsWithZeroTval) {
  ASSERT_EQ(run(R"(
    .option norvc
    nop
    ebreak
  )"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::Breakpoint));
  EXPECT_EQ(hart().csr.mtval, 0u);  // as QEMU 7.2
  EXPECT_EQ(hart().csr.mepc, kRamBase + 4);
  EXPECT_EQ(hart().instret, 1u);    // the ebreak does not retire
}

TEST_F(InterpreterTest, EcallFromMachineMode) {
  ASSERT_EQ(run("  ecall\n"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::EcallFromMachine));
  EXPECT_EQ(hart().csr.mtval, 0u);
  EXPECT_EQ(hart().csr.mepc, kRamBase);
}

// Drops to `mode` (MPP value) with mret, executes ecall there, and records
// mcause and mepc in the M-mode handler (which falls into the end marker).
std::string ecall_from(unsigned mpp) {
  return R"(
    la t0, handler
    csrw mtvec, t0
    li t0, -1
    csrw pmpaddr0, t0         # one NAPOT region over everything, RWX
    li t0, 0x1f
    csrw pmpcfg0, t0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, )" + std::to_string(mpp << 11) + R"(
    csrs mstatus, t0
    la s1, lower
    csrw mepc, s1
    mret
  lower:
    ecall
    .p2align 2
  handler:
    csrr a0, mcause
    csrr a1, mepc
    csrr a2, mstatus
  )";
}

TEST_F(InterpreterTest, EcallFromSupervisorMode) {
  ASSERT_EQ(run(ecall_from(1)), Stop::Done);
  EXPECT_EQ(x(a0), static_cast<uint64_t>(Exception::EcallFromSupervisor));
  EXPECT_EQ(x(a1), x(s1));
  EXPECT_EQ((x(a2) & kMstatusMPP) >> 11, 1u);
}

TEST_F(InterpreterTest, EcallFromUserMode) {
  ASSERT_EQ(run(ecall_from(0)), Stop::Done);
  EXPECT_EQ(x(a0), static_cast<uint64_t>(Exception::EcallFromUser));
  EXPECT_EQ(x(a1), x(s1));
  EXPECT_EQ((x(a2) & kMstatusMPP) >> 11, 0u);
}

TEST_F(InterpreterTest, InstretCountsRetiredInstructionsOnly) {
  ASSERT_EQ(run(R"(
    nop
    nop
    li t0, 0x40000000
    ld t1, 0(t0)              # faults: not retired
  )"), Stop::Trap);
  EXPECT_EQ(hart().instret, 3u);
}

TEST_F(InterpreterTest, FenceIInvokesTheTranslationHook) {
  static int calls = 0;
  calls = 0;
  hart().on_fence_i = [](Hart&) { ++calls; };
  ASSERT_EQ(run(R"(
    fence
    fence.i
    fence rw, rw
  )"), Stop::Done);
  EXPECT_EQ(calls, 1);
}

// Self-modifying code: a store replaces an instruction, fence.i, and the new
// instruction runs (the decode cache is keyed by instruction bits).
TEST_F(InterpreterTest, ModifiedCodeRunsAfterFenceI) {
  ASSERT_EQ(run(R"(
    .option norvc
    li a0, 0
    la t0, patch
    li t1, 0x02a00513         # addi a0, zero, 42
    sw t1, 0(t0)
    fence.i
  patch:
    addi a0, zero, 1
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 42u);
}

// ---------------------------------------------------------------------------
// run(): budget, interrupts, WFI

TEST_F(InterpreterTest, RunUsesOneSlotPerAttemptedInstruction) {
  const std::vector<uint8_t> program = assemble(R"(
    li t0, 0x40000000
    ld t1, 0(t0)              # traps to the landing (j .)
  )");
  machine.load_program(program);
  EXPECT_EQ(hart().run(10), 10u);
  EXPECT_EQ(hart().pc, kTrapLanding);
  // li (1), faulting ld (no retire), then 8 iterations of `j .`
  EXPECT_EQ(hart().instret, 9u);
}

TEST_F(InterpreterTest, InterruptIsTakenBeforeTheNextInstructionWithoutUsingASlot) {
  const std::vector<uint8_t> program = assemble(R"(
    .option norvc
    addi a0, a0, 1
    addi a0, a0, 1
    addi a0, a0, 1
  )");
  machine.load_program(program);
  EXPECT_EQ(hart().run(1), 1u);
  EXPECT_EQ(x(a0), 1u);
  hart().csr.mie = 1ull << MachineTimer;
  hart().csr.mstatus |= kMstatusMIE;
  hart().set_interrupt_line(MachineTimer, true);
  EXPECT_EQ(hart().run(1), 1u);  // takes the interrupt, then runs `j .` at the landing
  EXPECT_EQ(hart().csr.mcause, kMcauseInterrupt | MachineTimer);
  EXPECT_EQ(hart().csr.mepc, kRamBase + 4);
  EXPECT_EQ(hart().pc, kTrapLanding);
  EXPECT_EQ(x(a0), 1u);
}

TEST_F(InterpreterTest, WfiStallsUntilAnInterruptIsPending) {
  const std::vector<uint8_t> program = assemble(R"(
    wfi
    addi a0, a0, 1
    addi a0, a0, 1
  )");
  machine.load_program(program);
  hart().csr.mie = 1ull << MachineSoftware;  // enabled in mie, globally disabled (MIE = 0)
  EXPECT_EQ(hart().run(100), 1u);            // only the wfi ran
  EXPECT_TRUE(hart().waiting_for_interrupt);
  EXPECT_EQ(hart().run(100), 0u);
  hart().set_interrupt_line(MachineSoftware, true);  // wakes WFI although MIE = 0: no trap
  EXPECT_EQ(hart().run(2), 2u);
  EXPECT_FALSE(hart().waiting_for_interrupt);
  EXPECT_EQ(x(a0), 2u);
  EXPECT_EQ(hart().csr.mcause, 0u);
}

// ---------------------------------------------------------------------------
// F and D

TEST_F(InterpreterTest, FloatInstructionsAreIllegalWhenFsIsOff) {
  hart().csr.mstatus &= ~kMstatusFS;
  ASSERT_EQ(run(R"(
    .option norvc
    fadd.s f0, f1, f2
  )"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::IllegalInstruction));
  EXPECT_EQ(hart().csr.mtval, 0x0020f053u);  // fadd.s ft0, ft1, ft2 (dyn)
}

TEST_F(InterpreterTest, FloatLoadIsIllegalWhenFsIsOff) {
  hart().csr.mstatus &= ~kMstatusFS;
  ASSERT_EQ(run(R"(
    li s0, 0x80020000
    fld f0, 0(s0)
  )"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::IllegalInstruction));
}

TEST_F(InterpreterTest, SinglePrecisionNanBoxing) {
  enable_fp();
  ASSERT_EQ(run(R"(
    li s0, 0x80020000
    li t0, 0x3f800000         # 1.0f
    sw t0, 0(s0)
    flw f1, 0(s0)
    fmv.x.d a0, f1            # boxed: upper bits all ones
    li t1, 0x3f800000         # 1.0f NOT boxed in a 64-bit register
    fmv.d.x f2, t1
    fadd.s f3, f2, f2         # unboxed operand: canonical NaN
    fmv.x.d a1, f3
    fmv.x.w a2, f2            # transfer: raw low bits, no boxing check
    fclass.s a3, f2           # quiet NaN
    fsgnj.s f4, f2, f2        # canonical NaN, boxed
    fmv.x.d a4, f4
    fsw f2, 4(s0)             # store: raw low bits
    lwu a5, 4(s0)
    fadd.s f5, f1, f1         # 2.0f
    fmv.x.d a6, f5
    li t2, 0x80000000
    fmv.w.x f6, t2            # -0.0f boxed
    fmv.x.w a7, f6            # sign-extended
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0xffffffff3f800000ull);
  EXPECT_EQ(x(a1), 0xffffffff7fc00000ull);
  EXPECT_EQ(x(a2), 0x3f800000u);
  EXPECT_EQ(x(a3), 1u << 9);
  EXPECT_EQ(x(a4), 0xffffffff7fc00000ull);
  EXPECT_EQ(x(a5), 0x3f800000u);
  EXPECT_EQ(x(a6), 0xffffffff40000000ull);
  EXPECT_EQ(x(a7), 0xffffffff80000000ull);
  EXPECT_EQ(hart().csr.mstatus & kMstatusFS, kMstatusFS);  // dirty
  EXPECT_NE(hart().csr.mstatus & kMstatusSD, 0u);
}

TEST_F(InterpreterTest, DynamicRoundingUsesFrm) {
  enable_fp();
  ASSERT_EQ(run(R"(
    li t0, 0x3f800000         # 1.0f
    fmv.w.x f1, t0
    li t1, 0x40400000         # 3.0f
    fmv.w.x f2, t1
    fsrmi 2                   # round down
    fdiv.s f3, f1, f2, dyn
    fmv.x.w a0, f3
    fsrmi 3                   # round up
    fdiv.s f4, f1, f2         # assembler default rm is dyn
    fmv.x.w a1, f4
    fdiv.s f5, f1, f2, rtz    # static rm overrides frm
    fmv.x.w a2, f5
    li t2, 0x3ff0000000000000 # 1.0
    fmv.d.x f6, t2
    li s0, 0x4008000000000000 # 3.0
    fmv.d.x f7, s0
    fsrmi 0
    fdiv.d f8, f6, f7
    fmv.x.d a3, f8
    fdiv.d f9, f6, f7, rup
    fmv.x.d a4, f9
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0x3eaaaaaau);
  EXPECT_EQ(x(a1), 0x3eaaaaabu);
  EXPECT_EQ(x(a2), 0x3eaaaaaau);
  EXPECT_EQ(x(a3), 0x3fd5555555555555ull);
  EXPECT_EQ(x(a4), 0x3fd5555555555556ull);
}

TEST_F(InterpreterTest, ReservedStaticRoundingModeIsIllegal) {
  enable_fp();
  ASSERT_EQ(run(R"(
    .word 0x0020d053          # fadd.s f0, f1, f2 with rm = 5
  )"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::IllegalInstruction));
  EXPECT_EQ(hart().csr.mtval, 0x0020d053u);
}

TEST_F(InterpreterTest, ReservedDynamicRoundingModeIsIllegal) {
  enable_fp();
  hart().csr.frm = 5;
  ASSERT_EQ(run(R"(
    fmv.w.x f1, zero
    fadd.s f0, f1, f1, dyn
  )"), Stop::Trap);
  EXPECT_EQ(hart().csr.mcause, static_cast<uint64_t>(Exception::IllegalInstruction));
  EXPECT_EQ(hart().csr.mepc, kRamBase + 4);
}

TEST_F(InterpreterTest, ConversionsToWordsSignExtend) {
  enable_fp();
  ASSERT_EQ(run(R"(
    li t0, 0x4f32d05e         # 3e9f
    fmv.w.x f1, t0
    fcvt.wu.s a0, f1, rtz     # 3000000000 = 0xb2d05e00, sign-extended
    fcvt.w.s a1, f1, rtz      # out of range: INT32_MAX, NV
    frflags a2
    fcvt.lu.s a3, f1, rtz
    li t1, 0xc0000000         # -2.0f
    fmv.w.x f2, t1
    fcvt.w.s a4, f2
    fcvt.wu.s a5, f2          # negative: 0, NV
    li t2, 0x7fc00000
    fmv.w.x f3, t2
    fcvt.w.s a6, f3           # NaN: INT32_MAX
    li s0, -3
    fcvt.s.w f4, s0
    fmv.x.w a7, f4            # -3.0f
    li s1, 0xffffffff
    fcvt.s.wu f5, s1          # low word unsigned: 4294967295 -> 2^32 rounded
    fmv.x.w s2, f5            # positive: no sign extension
    fcvt.d.w f6, s1           # low word signed: -1.0
    fmv.x.d s3, f6
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0xffffffffb2d05e00ull);
  EXPECT_EQ(x(a1), 0x7fffffffu);
  EXPECT_EQ(x(a2), kFflagNV);
  EXPECT_EQ(x(a3), 3000000000u);
  EXPECT_EQ(x(a4), u64(-2));
  EXPECT_EQ(x(a5), 0u);
  EXPECT_EQ(x(a6), 0x7fffffffu);
  EXPECT_EQ(x(a7), 0xffffffffc0400000ull);
  EXPECT_EQ(x(s2), 0x4f800000u);
  EXPECT_EQ(x(s3), 0xbff0000000000000ull);
}

TEST_F(InterpreterTest, FlagsAccrue) {
  enable_fp();
  ASSERT_EQ(run(R"(
    csrw fflags, zero
    li t0, 0x3f800000         # 1.0f
    fmv.w.x f1, t0
    li t1, 0x40400000         # 3.0f
    fmv.w.x f2, t1
    fdiv.s f3, f1, f2         # inexact
    frflags a0
    fmv.w.x f4, zero
    fdiv.s f5, f1, f4         # divide by zero
    frflags a1
    fadd.s f6, f1, f1         # exact: flags unchanged
    frflags a2
    feq.s a3, f1, f1
    flt.s a4, f2, f1
    fle.s a5, f1, f2
  )"), Stop::Done);
  EXPECT_EQ(x(a0), kFflagNX);
  EXPECT_EQ(x(a1), kFflagNX | kFflagDZ);
  EXPECT_EQ(x(a2), kFflagNX | kFflagDZ);
  EXPECT_EQ(x(a3), 1u);
  EXPECT_EQ(x(a4), 0u);
  EXPECT_EQ(x(a5), 1u);
}

TEST_F(InterpreterTest, FusedMultiplyAddSigns) {
  enable_fp();
  ASSERT_EQ(run(R"(
    li t0, 0x4000000000000000 # 2.0
    fmv.d.x f1, t0
    li t1, 0x4008000000000000 # 3.0
    fmv.d.x f2, t1
    li t2, 0x3ff0000000000000 # 1.0
    fmv.d.x f3, t2
    fmadd.d f4, f1, f2, f3    # 7
    fmsub.d f5, f1, f2, f3    # 5
    fnmsub.d f6, f1, f2, f3   # -5
    fnmadd.d f7, f1, f2, f3   # -7
    fmv.x.d a0, f4
    fmv.x.d a1, f5
    fmv.x.d a2, f6
    fmv.x.d a3, f7
    fcvt.s.d f8, f1
    fcvt.s.d f9, f2
    fcvt.s.d f10, f3
    fnmadd.s f11, f8, f9, f10 # -7.0f
    fmv.x.w a4, f11
    fcvt.d.s f12, f11
    fmv.x.d a5, f12
    fsgnjn.d f13, f1, f1      # -2
    fmv.x.d a6, f13
    fsgnjx.d f14, f13, f13    # |-2| = 2
    fmv.x.d a7, f14
    fmin.d f15, f1, f2
    fmv.x.d s2, f15
    fmax.s f16, f8, f9
    fmv.x.w s3, f16
    fsqrt.d f17, f1
    fmv.x.d s4, f17
  )"), Stop::Done);
  EXPECT_EQ(x(a0), 0x401c000000000000ull);
  EXPECT_EQ(x(a1), 0x4014000000000000ull);
  EXPECT_EQ(x(a2), 0xc014000000000000ull);
  EXPECT_EQ(x(a3), 0xc01c000000000000ull);
  EXPECT_EQ(x(a4), 0xffffffffc0e00000ull);
  EXPECT_EQ(x(a5), 0xc01c000000000000ull);
  EXPECT_EQ(x(a6), 0xc000000000000000ull);
  EXPECT_EQ(x(a7), 0x4000000000000000ull);
  EXPECT_EQ(x(s2), 0x4000000000000000ull);
  EXPECT_EQ(x(s3), 0x40400000u);
  EXPECT_EQ(x(s4), 0x3ff6a09e667f3bcdull);
}

// ---------------------------------------------------------------------------
// Property: integer register-register operations equal a plain C++ model.

struct IntegerOperation {
  const char* mnemonic;
  uint64_t (*model)(uint64_t, uint64_t);
};

uint64_t sext32(uint64_t value) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(value))); }
int64_t s64(uint64_t value) { return static_cast<int64_t>(value); }
int32_t s32(uint64_t value) { return static_cast<int32_t>(static_cast<uint32_t>(value)); }

// High half of a 128-bit product built from 32-bit limbs (an independent
// formulation from the interpreter's __int128 arithmetic).
uint64_t unsigned_high_product(uint64_t a, uint64_t b) {
  const uint64_t a_lo = a & 0xffffffff, a_hi = a >> 32, b_lo = b & 0xffffffff, b_hi = b >> 32;
  const uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
  const uint64_t middle = (lo_lo >> 32) + (hi_lo & 0xffffffff) + (lo_hi & 0xffffffff);
  return hi_hi + (hi_lo >> 32) + (lo_hi >> 32) + (middle >> 32);
}

const IntegerOperation kIntegerOperations[] = {
    {"add", [](uint64_t a, uint64_t b) { return a + b; }},
    {"sub", [](uint64_t a, uint64_t b) { return a - b; }},
    {"sll", [](uint64_t a, uint64_t b) { return a << (b % 64); }},
    {"slt", [](uint64_t a, uint64_t b) { return uint64_t{s64(a) < s64(b)}; }},
    {"sltu", [](uint64_t a, uint64_t b) { return uint64_t{a < b}; }},
    {"xor", [](uint64_t a, uint64_t b) { return a ^ b; }},
    {"srl", [](uint64_t a, uint64_t b) { return a >> (b % 64); }},
    {"sra", [](uint64_t a, uint64_t b) { return s64(a) < 0 ? ~(~a >> (b % 64)) : a >> (b % 64); }},
    {"or", [](uint64_t a, uint64_t b) { return a | b; }},
    {"and", [](uint64_t a, uint64_t b) { return a & b; }},
    {"mul", [](uint64_t a, uint64_t b) { return a * b; }},
    {"mulhu", unsigned_high_product},
    // Signed high products from the unsigned one: subtract the other operand
    // once for each negative factor (two's complement identity).
    {"mulh", [](uint64_t a, uint64_t b) {
       return unsigned_high_product(a, b) - (s64(a) < 0 ? b : 0) - (s64(b) < 0 ? a : 0);
     }},
    {"mulhsu", [](uint64_t a, uint64_t b) { return unsigned_high_product(a, b) - (s64(a) < 0 ? b : 0); }},
    {"div", [](uint64_t a, uint64_t b) -> uint64_t {
       if (b == 0) return ~0ull;
       if (a == 0x8000000000000000ull && b == ~0ull) return a;
       return static_cast<uint64_t>(s64(a) / s64(b));
     }},
    {"divu", [](uint64_t a, uint64_t b) -> uint64_t { return b == 0 ? ~0ull : a / b; }},
    {"rem", [](uint64_t a, uint64_t b) -> uint64_t {
       if (b == 0) return a;
       if (a == 0x8000000000000000ull && b == ~0ull) return 0;
       return static_cast<uint64_t>(s64(a) % s64(b));
     }},
    {"remu", [](uint64_t a, uint64_t b) { return b == 0 ? a : a % b; }},
    {"addw", [](uint64_t a, uint64_t b) { return sext32(a + b); }},
    {"subw", [](uint64_t a, uint64_t b) { return sext32(a - b); }},
    {"sllw", [](uint64_t a, uint64_t b) { return sext32(static_cast<uint32_t>(a) << (b % 32)); }},
    {"srlw", [](uint64_t a, uint64_t b) { return sext32(static_cast<uint32_t>(a) >> (b % 32)); }},
    {"sraw", [](uint64_t a, uint64_t b) {
       const int32_t value = s32(a);
       const unsigned shift = b % 32;
       return sext32(static_cast<uint32_t>(value < 0 ? ~(~static_cast<uint32_t>(value) >> shift)
                                                     : static_cast<uint32_t>(value) >> shift));
     }},
    {"mulw", [](uint64_t a, uint64_t b) { return sext32(a * b); }},
    {"divw", [](uint64_t a, uint64_t b) -> uint64_t {
       if (s32(b) == 0) return ~0ull;
       if (s32(a) == std::numeric_limits<int32_t>::min() && s32(b) == -1) return sext32(a);
       return sext32(static_cast<uint64_t>(s32(a) / s32(b)));
     }},
    {"divuw", [](uint64_t a, uint64_t b) -> uint64_t {
       return static_cast<uint32_t>(b) == 0 ? ~0ull : sext32(static_cast<uint32_t>(a) / static_cast<uint32_t>(b));
     }},
    {"remw", [](uint64_t a, uint64_t b) -> uint64_t {
       if (s32(b) == 0) return sext32(a);
       if (s32(a) == std::numeric_limits<int32_t>::min() && s32(b) == -1) return 0;
       return sext32(static_cast<uint64_t>(s32(a) % s32(b)));
     }},
    {"remuw", [](uint64_t a, uint64_t b) {
       return static_cast<uint32_t>(b) == 0 ? sext32(a) : sext32(static_cast<uint32_t>(a) % static_cast<uint32_t>(b));
     }},
};
constexpr size_t kIntegerOperationCount = std::size(kIntegerOperations);

// The 32-bit encoding of `<op> a0, a1, a2` for every operation, from one
// assembler run.
const std::vector<uint32_t>& integer_operation_words() {
  static const std::vector<uint32_t> words = [] {
    std::string source = "  .option norvc\n";
    for (const IntegerOperation& operation : kIntegerOperations) {
      source += std::string("  ") + operation.mnemonic + " a0, a1, a2\n";
    }
    const std::vector<uint8_t> bytes = assemble(source);
    std::vector<uint32_t> result(bytes.size() / 4);
    std::memcpy(result.data(), bytes.data(), result.size() * 4);
    return result;
  }();
  return words;
}

rc::Gen<uint64_t> interesting_operand() {
  static const std::vector<uint64_t> edges = {0, 1, 2, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
                                              0x80000000, 0x7fffffff, 0xffffffff, 0xffffffff80000000ull,
                                              31, 32, 63, 64};
  return rc::gen::oneOf(rc::gen::arbitrary<uint64_t>(), rc::gen::elementOf(edges),
                        rc::gen::map(rc::gen::arbitrary<int8_t>(), [](int8_t v) { return static_cast<uint64_t>(v); }));
}

RC_GTEST_PROP(InterpreterProperty, IntegerOperationsMatchModel, ()) {
  const auto index = *rc::gen::inRange<size_t>(0, kIntegerOperationCount);
  const uint64_t a = *interesting_operand();
  const uint64_t b = *interesting_operand();
  const IntegerOperation& operation = kIntegerOperations[index];

  static Machine machine(256 * 1024);
  Hart& hart = machine.hart;
  machine.write32(kRamBase, integer_operation_words().at(index));
  hart.pc = kRamBase;
  hart.x[a0] = 0x5555;
  hart.x[a1] = a;
  hart.x[a2] = b;
  hart.step();
  RC_ASSERT(hart.pc == kRamBase + 4);
  RC_ASSERT(hart.x[a0] == operation.model(a, b));
  RC_ASSERT(hart.x[a1] == a);
  RC_ASSERT(hart.x[a2] == b);
}

// ---------------------------------------------------------------------------
// Speed: a bitwise CRC-32 over a buffer, checked against a C++ CRC-32 and
// timed. The figure is printed, not asserted (hosts differ).

uint32_t crc32_reference(const std::vector<uint8_t>& data) {
  uint32_t crc = 0xffffffff;
  for (uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

TEST(InterpreterSpeed, Crc32Loop) {
  Machine machine(1 << 20);
  constexpr size_t kBytes = 64 * 1024;  // about 4 million instructions
  std::vector<uint8_t> data(kBytes);
  uint32_t state = 12345;
  for (uint8_t& byte : data) {
    state = state * 1103515245u + 12345u;
    byte = static_cast<uint8_t>(state >> 16);
  }
  std::memcpy(machine.ram + 0x40000, data.data(), data.size());
  const std::vector<uint8_t> program = assemble(R"(
    li a0, 0xffffffff         # crc, kept in the low 32 bits
    li a1, 0x80040000         # data
    li a2, )" + std::to_string(kBytes) + R"(
    li a3, 0xedb88320
  1:lbu t0, 0(a1)
    xor a0, a0, t0
    li t1, 8
  2:andi t2, a0, 1
    srli a0, a0, 1
    neg t2, t2
    and t2, t2, a3
    xor a0, a0, t2
    addi t1, t1, -1
    bnez t1, 2b
    addi a1, a1, 1
    addi a2, a2, -1
    bnez a2, 1b
    not a0, a0
    slli a0, a0, 32
    srli a0, a0, 32
    wfi                       # nothing enabled in mie: the hart stalls and run() returns
  )");
  machine.load_program(program);
  Hart& hart = machine.hart;
  const auto start = std::chrono::steady_clock::now();
  uint64_t used = 0;
  while (!hart.waiting_for_interrupt && used < 100'000'000) used += hart.run(1'000'000);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(hart.waiting_for_interrupt);
  EXPECT_EQ(hart.instret, used);  // nothing trapped
  EXPECT_EQ(hart.x[a0], crc32_reference(data));
  std::printf("[ interpreter speed ] %llu instructions in %.3f s: %.1f million instructions/s\n",
              static_cast<unsigned long long>(hart.instret), seconds, static_cast<double>(hart.instret) / seconds / 1e6);
}

}  // namespace
}  // namespace emu::riscv
