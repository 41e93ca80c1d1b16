// Tests of the RV64GC decoder and disassembler:
//  - the encoding tables (bit counts, overlaps, ordering),
//  - hand-picked encodings (assembled with riscv64-unknown-elf-as; the
//    assembly is next to each word) with every decoded field checked,
//    including each compressed format's scrambled immediates at their extremes,
//  - reserved encodings decode as illegal,
//  - rapidcheck properties comparing our disassembly with GNU objdump's on
//    random encodings (objdump runs once per property run, see
//    check_against_objdump).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "emu/target/riscv/csr_numbers.h"
#include "emu/target/riscv/decoder.h"

#ifndef EMU_RISCV_OBJDUMP
#define EMU_RISCV_OBJDUMP "/usr/bin/riscv64-unknown-elf-objdump"
#endif

namespace emu::riscv {
namespace {

std::string hex32(uint32_t value) {
  std::array<char, 16> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "0x%08" PRIx32, value);
  return buffer.data();
}

// ---- Table checks -------------------------------------------------------------

// The table text, re-read here so the test parses the patterns independently
// of decoder.cpp.
struct TableRow {
  Encoding encoding;
  std::string_view name;
  std::string_view pattern;
  bool compressed;
};

const std::vector<TableRow>& table_rows() {
  static const std::vector<TableRow> rows = {
#define ENCODING(name, mnemonic, pattern, format) {Encoding::name, #name, pattern, false},
#include "emu/target/riscv/rv64_encodings.inc"
#undef ENCODING
#define COMPRESSED(name, mnemonic, pattern, format, op) {Encoding::name, #name, pattern, true},
#include "emu/target/riscv/rvc_encodings.inc"
#undef COMPRESSED
  };
  return rows;
}

struct ParsedPattern {
  unsigned bit_count = 0;
  bool only_valid_characters = true;
  uint32_t mask = 0, match = 0;
};

ParsedPattern parse(std::string_view pattern) {
  ParsedPattern parsed;
  for (const char character : pattern) {
    if (character == ' ') continue;
    ++parsed.bit_count;
    parsed.mask <<= 1;
    parsed.match <<= 1;
    if (character == '0' || character == '1') {
      parsed.mask |= 1;
      parsed.match |= character == '1' ? 1 : 0;
    } else if (character != '.') {
      parsed.only_valid_characters = false;
    }
  }
  return parsed;
}

unsigned fixed_bit_count(uint32_t mask) { return static_cast<unsigned>(__builtin_popcount(mask)); }

TEST(RiscvDecoderTable, EveryPatternHasTheRightWidthAndMatchesEncodingInfo) {
  for (const TableRow& row : table_rows()) {
    SCOPED_TRACE(std::string(row.name));
    const ParsedPattern parsed = parse(row.pattern);
    EXPECT_TRUE(parsed.only_valid_characters);
    EXPECT_EQ(parsed.bit_count, row.compressed ? 16u : 32u);
    const EncodingInfo& info = encoding_info(row.encoding);
    EXPECT_EQ(info.name, row.name);
    EXPECT_EQ(info.mask, parsed.mask);
    EXPECT_EQ(info.match, parsed.match);
    EXPECT_EQ(info.compressed, row.compressed);
    EXPECT_FALSE(info.mnemonic.empty());
    // Length is encoded in the low bits (unprivileged ISA 1.5).
    EXPECT_EQ(info.mask & 3, 3u);
    EXPECT_EQ(instruction_length(info.match), row.compressed ? 2u : 4u);
  }
  EXPECT_EQ(table_rows().size(), static_cast<size_t>(Encoding::illegal));
  EXPECT_EQ(encoding_info(Encoding::illegal).name, "illegal");
  EXPECT_EQ(encoding_info(static_cast<Encoding>(0xffff)).name, "illegal");
}

// Two patterns of one table may overlap only if one is strictly more
// specific (every word it matches the other matches too) and is listed
// first, so that the table reads in the order the decoder tries it.
TEST(RiscvDecoderTable, OverlapsOnlyWhereAMoreSpecificPatternComesFirst) {
  const auto& rows = table_rows();
  int overlaps = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = i + 1; j < rows.size(); ++j) {
      if (rows[i].compressed != rows[j].compressed) continue;
      const ParsedPattern first = parse(rows[i].pattern), second = parse(rows[j].pattern);
      const bool overlap = ((first.match ^ second.match) & first.mask & second.mask) == 0;
      if (!overlap) continue;
      ++overlaps;
      const bool first_is_strictly_more_specific =
          (first.mask & second.mask) == second.mask && first.mask != second.mask;
      EXPECT_TRUE(first_is_strictly_more_specific)
          << rows[i].name << " overlaps " << rows[j].name << " without being a listed-earlier special case";
    }
  }
  // c.nop/c.addi, c.addi16sp/c.lui, c.jr/c.mv, c.ebreak/c.jalr, c.ebreak/c.add, c.jalr/c.add.
  EXPECT_EQ(overlaps, 6);
}

// Every entry decodes to itself when its operand bits are all ones (no
// reserved code point has all operand bits set), and with all-zero operand
// bits to itself, to a more specific entry it contains, or to illegal.
TEST(RiscvDecoderTable, EveryEncodingIsReachable) {
  for (const TableRow& row : table_rows()) {
    SCOPED_TRACE(std::string(row.name));
    const EncodingInfo& info = encoding_info(row.encoding);
    const uint32_t width_mask = row.compressed ? 0xffffu : 0xffffffffu;
    const uint32_t ones = info.match | (~info.mask & width_mask);
    const DecodedInstruction with_ones = decode(ones);
    EXPECT_EQ(with_ones.encoding, row.encoding) << hex32(ones);
    EXPECT_EQ(with_ones.length, row.compressed ? 2 : 4);

    const DecodedInstruction with_zeros = decode(info.match);
    if (with_zeros.encoding == row.encoding || with_zeros.op == Op::illegal) continue;
    const EncodingInfo& winner = encoding_info(with_zeros.encoding);
    EXPECT_EQ(winner.compressed, row.compressed);
    EXPECT_EQ(info.match & winner.mask & info.mask, winner.match & info.mask);
    EXPECT_GT(fixed_bit_count(winner.mask), fixed_bit_count(info.mask)) << winner.name;
  }
}

// ---- Hand-picked encodings ------------------------------------------------------

struct Fields {
  Encoding encoding;
  Op op;
  uint8_t rd = 0, rs1 = 0, rs2 = 0, rs3 = 0, rm = 0;
  int64_t imm = 0;
  uint16_t csr = 0;
  bool aq = false, rl = false;
};

struct Case {
  uint32_t bits;
  std::string_view assembly;  // as riscv64-unknown-elf-as -march=rv64gc reads it
  Fields fields;
};

void expect_fields(const Case& test_case) {
  SCOPED_TRACE(hex32(test_case.bits) + " " + std::string(test_case.assembly));
  const DecodedInstruction decoded = decode(test_case.bits);
  const Fields& expected = test_case.fields;
  EXPECT_EQ(encoding_info(decoded.encoding).name, encoding_info(expected.encoding).name);
  EXPECT_EQ(static_cast<int>(decoded.op), static_cast<int>(expected.op));
  EXPECT_EQ(decoded.length, encoding_info(expected.encoding).compressed ? 2 : 4);
  EXPECT_EQ(decoded.bits, test_case.bits);
  EXPECT_EQ(decoded.rd, expected.rd);
  EXPECT_EQ(decoded.rs1, expected.rs1);
  EXPECT_EQ(decoded.rs2, expected.rs2);
  EXPECT_EQ(decoded.rs3, expected.rs3);
  EXPECT_EQ(decoded.rm, expected.rm);
  EXPECT_EQ(decoded.imm, expected.imm);
  EXPECT_EQ(decoded.csr, expected.csr);
  EXPECT_EQ(decoded.aq, expected.aq);
  EXPECT_EQ(decoded.rl, expected.rl);
}

#define SAME(name) .encoding = Encoding::name, .op = Op::name

TEST(RiscvDecoder, BaseIntegerEncodings) {
  const Case cases[] = {
      {0x00a58533, "add a0,a1,a0", {SAME(add), .rd = 10, .rs1 = 11, .rs2 = 10}},
      {0x41b00fb3, "sub t6,zero,s11", {SAME(sub), .rd = 31, .rs1 = 0, .rs2 = 27}},
      {0x80050513, "addi a0,a0,-2048", {SAME(addi), .rd = 10, .rs1 = 10, .imm = -2048}},
      {0x7ff10113, "addi sp,sp,2047", {SAME(addi), .rd = 2, .rs1 = 2, .imm = 2047}},
      {0x00812503, "lw a0,8(sp)", {SAME(lw), .rd = 10, .rs1 = 2, .imm = 8}},
      {0xff843083, "ld ra,-8(s0)", {SAME(ld), .rd = 1, .rs1 = 8, .imm = -8}},
      {0x7ff7c303, "lbu t1,2047(a5)", {SAME(lbu), .rd = 6, .rs1 = 15, .imm = 2047}},
      {0xfff500e7, "jalr ra,-1(a0)", {SAME(jalr), .rd = 1, .rs1 = 10, .imm = -1}},
      {0x80a13023, "sd a0,-2048(sp)", {SAME(sd), .rs1 = 2, .rs2 = 10, .imm = -2048}},
      {0x7e578fa3, "sb t0,2047(a5)", {SAME(sb), .rs1 = 15, .rs2 = 5, .imm = 2047}},
      {0x7eb50fe3, "beq a0,a1,.+4094", {SAME(beq), .rs1 = 10, .rs2 = 11, .imm = 4094}},
      {0x800ff063, "bgeu t6,zero,.-4096", {SAME(bgeu), .rs1 = 31, .rs2 = 0, .imm = -4096}},
      {0x7ffff0ef, "jal ra,.+1048574", {SAME(jal), .rd = 1, .imm = 1048574}},
      {0x8000006f, "jal zero,.-1048576", {SAME(jal), .rd = 0, .imm = -1048576}},
      {0xfffff537, "lui a0,0xfffff", {SAME(lui), .rd = 10, .imm = -4096}},
      {0x800002b7, "lui t0,0x80000", {SAME(lui), .rd = 5, .imm = -2147483648LL}},
      {0x7ffff517, "auipc a0,0x7ffff", {SAME(auipc), .rd = 10, .imm = 0x7ffff000}},
      {0x03f59513, "slli a0,a1,63", {SAME(slli), .rd = 10, .rs1 = 11, .imm = 63}},
      {0x4015d513, "srai a0,a1,1", {SAME(srai), .rd = 10, .rs1 = 11, .imm = 1}},
      {0x41f5d51b, "sraiw a0,a1,31", {SAME(sraiw), .rd = 10, .rs1 = 11, .imm = 31}},
      {0x000f1f9b, "slliw t6,t5,0", {SAME(slliw), .rd = 31, .rs1 = 30, .imm = 0}},
      {0xfff5851b, "addiw a0,a1,-1", {SAME(addiw), .rd = 10, .rs1 = 11, .imm = -1}},
      {0x0ff0000f, "fence iorw,iorw", {SAME(fence), .imm = 0x0ff}},
      {0x0210000f, "fence r,w", {SAME(fence), .imm = 0x021}},
      {0x8330000f, "fence.tso", {SAME(fence), .imm = 0x833}},
      {0x0000100f, "fence.i", {SAME(fence_i)}},
      {0x00000073, "ecall", {SAME(ecall)}},
      {0x00100073, "ebreak", {SAME(ebreak)}},
      {0x10200073, "sret", {SAME(sret)}},
      {0x30200073, "mret", {SAME(mret)}},
      {0x10500073, "wfi", {SAME(wfi)}},
      {0x12b50073, "sfence.vma a0,a1", {SAME(sfence_vma), .rs1 = 10, .rs2 = 11}},
      {0x30051073, "csrrw zero,mstatus,a0", {SAME(csrrw), .rd = 0, .rs1 = 10, .csr = 0x300}},
      {0xc0002573, "csrrs a0,cycle,zero", {SAME(csrrs), .rd = 10, .rs1 = 0, .csr = 0xc00}},
      {0xfffff573, "csrrci a0,0xfff,31", {SAME(csrrci), .rd = 10, .rs1 = 31, .csr = 0xfff}},
      {0x02c5a533, "mulhsu a0,a1,a2", {SAME(mulhsu), .rd = 10, .rs1 = 11, .rs2 = 12}},
      {0x03df7fbb, "remuw t6,t5,t4", {SAME(remuw), .rd = 31, .rs1 = 30, .rs2 = 29}},
  };
  for (const Case& test_case : cases) expect_fields(test_case);
}

TEST(RiscvDecoder, AtomicAndFloatingPointEncodings) {
  const Case cases[] = {
      {0x1605a52f, "lr.w.aqrl a0,(a1)", {SAME(lr_w), .rd = 10, .rs1 = 11, .aq = true, .rl = true}},
      {0x100fb2af, "lr.d t0,(t6)", {SAME(lr_d), .rd = 5, .rs1 = 31}},
      {0x1cc5b52f, "sc.d.aq a0,a2,(a1)", {SAME(sc_d), .rd = 10, .rs1 = 11, .rs2 = 12, .aq = true}},
      {0x0ac5a52f, "amoswap.w.rl a0,a2,(a1)", {SAME(amoswap_w), .rd = 10, .rs1 = 11, .rs2 = 12, .rl = true}},
      {0xe1f1302f, "amomaxu.d zero,t6,(sp)", {SAME(amomaxu_d), .rd = 0, .rs1 = 2, .rs2 = 31}},
      {0xffc5a507, "flw fa0,-4(a1)", {SAME(flw), .rd = 10, .rs1 = 11, .imm = -4}},
      {0x7fb13c27, "fsd fs11,2040(sp)", {SAME(fsd), .rs1 = 2, .rs2 = 27, .imm = 2040}},
      {0x68c5c543, "fmadd.s fa0,fa1,fa2,fa3,rmm",
       {SAME(fmadd_s), .rd = 10, .rs1 = 11, .rs2 = 12, .rs3 = 13, .rm = 4}},
      {0xfa20f04f, "fnmadd.d ft0,ft1,ft2,ft11", {SAME(fnmadd_d), .rd = 0, .rs1 = 1, .rs2 = 2, .rs3 = 31, .rm = 7}},
      {0x02c59553, "fadd.d fa0,fa1,fa2,rtz", {SAME(fadd_d), .rd = 10, .rs1 = 11, .rs2 = 12, .rm = 1}},
      {0x5805f553, "fsqrt.s fa0,fa1", {SAME(fsqrt_s), .rd = 10, .rs1 = 11, .rm = 7}},
      {0x22c5a553, "fsgnjx.d fa0,fa1,fa2", {SAME(fsgnjx_d), .rd = 10, .rs1 = 11, .rs2 = 12}},
      {0xc0059553, "fcvt.w.s a0,fa1,rtz", {SAME(fcvt_w_s), .rd = 10, .rs1 = 11, .rm = 1}},
      {0xc2303553, "fcvt.lu.d a0,ft0,rup", {SAME(fcvt_lu_d), .rd = 10, .rs1 = 0, .rm = 3}},
      {0xe2058553, "fmv.x.d a0,fa1", {SAME(fmv_x_d), .rd = 10, .rs1 = 11}},
      {0xe0059553, "fclass.s a0,fa1", {SAME(fclass_s), .rd = 10, .rs1 = 11}},
      {0xa2c5a553, "feq.d a0,fa1,fa2", {SAME(feq_d), .rd = 10, .rs1 = 11, .rs2 = 12}},
      {0xd2058553, "fcvt.d.w fa0,a1", {SAME(fcvt_d_w), .rd = 10, .rs1 = 11, .rm = 0}},
      {0xd035a553, "fcvt.s.lu fa0,a1,rdn", {SAME(fcvt_s_lu), .rd = 10, .rs1 = 11, .rm = 2}},
      {0xf2058553, "fmv.d.x fa0,a1", {SAME(fmv_d_x), .rd = 10, .rs1 = 11}},
      {0x4015f553, "fcvt.s.d fa0,fa1", {SAME(fcvt_s_d), .rd = 10, .rs1 = 11, .rm = 7}},
      {0x42058553, "fcvt.d.s fa0,fa1", {SAME(fcvt_d_s), .rd = 10, .rs1 = 11, .rm = 0}},
      // Reserved rounding modes still decode; execution decides (unprivileged ISA 11.2).
      {0x00c5d553, "fadd.s fa0,fa1,fa2 with rm=5", {SAME(fadd_s), .rd = 10, .rs1 = 11, .rs2 = 12, .rm = 5}},
      {0x00c5e553, "fadd.s fa0,fa1,fa2 with rm=6", {SAME(fadd_s), .rd = 10, .rs1 = 11, .rs2 = 12, .rm = 6}},
  };
  for (const Case& test_case : cases) expect_fields(test_case);
}

#undef SAME

// One or more per compressed format, with the scrambled immediates at their
// extremes; the expected fields are the spec's 32-bit expansion (chapter 16).
TEST(RiscvDecoder, CompressedExpansions) {
  using E = Encoding;
  const Case cases[] = {
      // CIW_addi4spn -> addi rd', x2, nzuimm
      {0x1fe8, "c.addi4spn a0,sp,1020", {.encoding = E::c_addi4spn, .op = Op::addi, .rd = 10, .rs1 = 2, .imm = 1020}},
      {0x0044, "c.addi4spn s1,sp,4", {.encoding = E::c_addi4spn, .op = Op::addi, .rd = 9, .rs1 = 2, .imm = 4}},
      // CL_word / CL_double -> load rd', uimm(rs1')
      {0x5c7c, "c.lw a5,124(s0)", {.encoding = E::c_lw, .op = Op::lw, .rd = 15, .rs1 = 8, .imm = 124}},
      {0x43c0, "c.lw s0,4(a5)", {.encoding = E::c_lw, .op = Op::lw, .rd = 8, .rs1 = 15, .imm = 4}},
      {0x7de8, "c.ld a0,248(a1)", {.encoding = E::c_ld, .op = Op::ld, .rd = 10, .rs1 = 11, .imm = 248}},
      {0x249c, "c.fld fa5,8(s1)", {.encoding = E::c_fld, .op = Op::fld, .rd = 15, .rs1 = 9, .imm = 8}},
      // CS_word / CS_double -> store rs2', uimm(rs1')
      {0xdde8, "c.sw a0,124(a1)", {.encoding = E::c_sw, .op = Op::sw, .rs1 = 11, .rs2 = 10, .imm = 124}},
      {0xffe4, "c.sd s1,248(a5)", {.encoding = E::c_sd, .op = Op::sd, .rs1 = 15, .rs2 = 9, .imm = 248}},
      {0xa100, "c.fsd fs0,0(a0)", {.encoding = E::c_fsd, .op = Op::fsd, .rs1 = 10, .rs2 = 8, .imm = 0}},
      // CI_nop -> addi x0, x0, imm (nonzero imm is a HINT)
      {0x0001, "c.nop", {.encoding = E::c_nop, .op = Op::addi}},
      {0x107d, "c.nop with imm=-1 (HINT)", {.encoding = E::c_nop, .op = Op::addi, .imm = -1}},
      // CI_addi -> addi rd, rd, imm
      {0x1501, "c.addi a0,-32", {.encoding = E::c_addi, .op = Op::addi, .rd = 10, .rs1 = 10, .imm = -32}},
      {0x0ffd, "c.addi t6,31", {.encoding = E::c_addi, .op = Op::addi, .rd = 31, .rs1 = 31, .imm = 31}},
      // CI_addiw -> addiw rd, rd, imm
      {0x357d, "c.addiw a0,-1", {.encoding = E::c_addiw, .op = Op::addiw, .rd = 10, .rs1 = 10, .imm = -1}},
      // CI_li -> addi rd, x0, imm
      {0x5501, "c.li a0,-32", {.encoding = E::c_li, .op = Op::addi, .rd = 10, .rs1 = 0, .imm = -32}},
      {0x4ffd, "c.li t6,31", {.encoding = E::c_li, .op = Op::addi, .rd = 31, .rs1 = 0, .imm = 31}},
      {0x4005, "c.li zero,1 (HINT)", {.encoding = E::c_li, .op = Op::addi, .rd = 0, .rs1 = 0, .imm = 1}},
      // CI_addi16sp -> addi x2, x2, nzimm
      {0x7101, "c.addi16sp sp,-512", {.encoding = E::c_addi16sp, .op = Op::addi, .rd = 2, .rs1 = 2, .imm = -512}},
      {0x617d, "c.addi16sp sp,496", {.encoding = E::c_addi16sp, .op = Op::addi, .rd = 2, .rs1 = 2, .imm = 496}},
      // CI_lui -> lui rd, nzimm (sign-extended from bit 17)
      {0x7501, "c.lui a0,0xfffe0", {.encoding = E::c_lui, .op = Op::lui, .rd = 10, .imm = -0x20000}},
      {0x6ffd, "c.lui t6,0x1f", {.encoding = E::c_lui, .op = Op::lui, .rd = 31, .imm = 0x1f000}},
      {0x6405, "c.lui s0,1", {.encoding = E::c_lui, .op = Op::lui, .rd = 8, .imm = 0x1000}},
      {0x6005, "c.lui zero,1 (HINT)", {.encoding = E::c_lui, .op = Op::lui, .rd = 0, .imm = 0x1000}},
      // CB_shift -> srli/srai rd', rd', shamt (RV64: shamt[5] is bit 12)
      {0x917d, "c.srli a0,63", {.encoding = E::c_srli, .op = Op::srli, .rd = 10, .rs1 = 10, .imm = 63}},
      {0x8485, "c.srai s1,1", {.encoding = E::c_srai, .op = Op::srai, .rd = 9, .rs1 = 9, .imm = 1}},
      {0x8001, "c.srli s0,0 (HINT)", {.encoding = E::c_srli, .op = Op::srli, .rd = 8, .rs1 = 8, .imm = 0}},
      // CB_andi -> andi rd', rd', imm
      {0x9b81, "c.andi a5,-32", {.encoding = E::c_andi, .op = Op::andi, .rd = 15, .rs1 = 15, .imm = -32}},
      {0x887d, "c.andi s0,31", {.encoding = E::c_andi, .op = Op::andi, .rd = 8, .rs1 = 8, .imm = 31}},
      // CA -> op rd', rd', rs2'
      {0x8c1d, "c.sub s0,a5", {.encoding = E::c_sub, .op = Op::sub, .rd = 8, .rs1 = 8, .rs2 = 15}},
      {0x8d2d, "c.xor a0,a1", {.encoding = E::c_xor, .op = Op::xor_, .rd = 10, .rs1 = 10, .rs2 = 11}},
      {0x8cd1, "c.or s1,a2", {.encoding = E::c_or, .op = Op::or_, .rd = 9, .rs1 = 9, .rs2 = 12}},
      {0x8ef9, "c.and a3,a4", {.encoding = E::c_and, .op = Op::and_, .rd = 13, .rs1 = 13, .rs2 = 14}},
      {0x9f81, "c.subw a5,s0", {.encoding = E::c_subw, .op = Op::subw, .rd = 15, .rs1 = 15, .rs2 = 8}},
      {0x9f35, "c.addw a4,a3", {.encoding = E::c_addw, .op = Op::addw, .rd = 14, .rs1 = 14, .rs2 = 13}},
      // CJ -> jal x0, offset
      {0xaffd, "c.j .+2046", {.encoding = E::c_j, .op = Op::jal, .rd = 0, .imm = 2046}},
      {0xb001, "c.j .-2048", {.encoding = E::c_j, .op = Op::jal, .rd = 0, .imm = -2048}},
      // CB_branch -> beq/bne rs1', x0, offset
      {0xcd7d, "c.beqz a0,.+254", {.encoding = E::c_beqz, .op = Op::beq, .rs1 = 10, .rs2 = 0, .imm = 254}},
      {0xf081, "c.bnez s1,.-256", {.encoding = E::c_bnez, .op = Op::bne, .rs1 = 9, .rs2 = 0, .imm = -256}},
      // CI_slli -> slli rd, rd, shamt
      {0x157e, "c.slli a0,63", {.encoding = E::c_slli, .op = Op::slli, .rd = 10, .rs1 = 10, .imm = 63}},
      {0x0086, "c.slli ra,1", {.encoding = E::c_slli, .op = Op::slli, .rd = 1, .rs1 = 1, .imm = 1}},
      // CI_ldsp_float / CI_lwsp / CI_ldsp -> load rd, uimm(x2)
      {0x357e, "c.fldsp fa0,504(sp)", {.encoding = E::c_fldsp, .op = Op::fld, .rd = 10, .rs1 = 2, .imm = 504}},
      {0x2002, "c.fldsp ft0,0(sp)", {.encoding = E::c_fldsp, .op = Op::fld, .rd = 0, .rs1 = 2, .imm = 0}},
      {0x50fe, "c.lwsp ra,252(sp)", {.encoding = E::c_lwsp, .op = Op::lw, .rd = 1, .rs1 = 2, .imm = 252}},
      {0x7ffe, "c.ldsp t6,504(sp)", {.encoding = E::c_ldsp, .op = Op::ld, .rd = 31, .rs1 = 2, .imm = 504}},
      // CR_* -> jalr / add / ebreak
      {0x8082, "c.jr ra", {.encoding = E::c_jr, .op = Op::jalr, .rd = 0, .rs1 = 1, .imm = 0}},
      {0x857e, "c.mv a0,t6", {.encoding = E::c_mv, .op = Op::add, .rd = 10, .rs1 = 0, .rs2 = 31}},
      {0x9002, "c.ebreak", {.encoding = E::c_ebreak, .op = Op::ebreak}},
      {0x9f82, "c.jalr t6", {.encoding = E::c_jalr, .op = Op::jalr, .rd = 1, .rs1 = 31, .imm = 0}},
      {0x952e, "c.add a0,a1", {.encoding = E::c_add, .op = Op::add, .rd = 10, .rs1 = 10, .rs2 = 11}},
      // CSS_double / CSS_word -> store rs2, uimm(x2)
      {0xff86, "c.sdsp ra,504(sp)", {.encoding = E::c_sdsp, .op = Op::sd, .rs1 = 2, .rs2 = 1, .imm = 504}},
      {0xbfee, "c.fsdsp fs11,504(sp)", {.encoding = E::c_fsdsp, .op = Op::fsd, .rs1 = 2, .rs2 = 27, .imm = 504}},
      {0xdfaa, "c.swsp a0,252(sp)", {.encoding = E::c_swsp, .op = Op::sw, .rs1 = 2, .rs2 = 10, .imm = 252}},
  };
  for (const Case& test_case : cases) expect_fields(test_case);
}

TEST(RiscvDecoder, CompressedIgnoresTheUpperHalfword) {
  const DecodedInstruction decoded = decode(0xabcd'952eu);  // c.add a0,a1 with junk above
  EXPECT_EQ(decoded.encoding, Encoding::c_add);
  EXPECT_EQ(decoded.bits, 0x952eu);
  EXPECT_EQ(decoded.length, 2);
}

TEST(RiscvDecoder, ReservedAndUnknownEncodingsAreIllegal) {
  const std::pair<uint32_t, std::string_view> cases[] = {
      {0x0000, "c.addi4spn with nzuimm=0 (the all-zero halfword)"},
      {0x0004, "c.addi4spn a1,sp,0"},
      {0x8000, "quadrant 0 funct3=100 (reserved)"},
      {0x2001, "c.addiw zero,0"},
      {0x307d, "c.addiw zero,-1"},
      {0x6101, "c.addi16sp sp,0"},
      {0x6081, "c.lui ra,0"},
      {0x6001, "c.lui zero,0"},
      {0x4002, "c.lwsp zero,0(sp)"},
      {0x6002, "c.ldsp zero,0(sp)"},
      {0x8002, "c.jr zero"},
      {0x9c41, "quadrant 1 CA funct 10 with bit 12 set (reserved)"},
      {0x9c61, "quadrant 1 CA funct 11 with bit 12 set (reserved)"},
      {0x00000000, "all zero"},
      {0xffffffff, "all ones (a >= 192-bit encoding)"},
      {0x0000001f, "48-bit encoding prefix"},
      {0x0000003f, "64-bit encoding prefix"},
      {0x0000007f, "80+-bit encoding prefix"},
      {0x00000077, "custom/reserved major opcode OP-V"},
      {0x0000200b, "custom-0"},
      {0x00200073, "uret (N extension, withdrawn)"},
      {0x7b200073, "dret (debug mode only)"},
      {0x02000033 | (1u << 30), "add with funct7=0100001"},
      {0x00005013 | (1u << 26), "srli with funct6=000001"},
      {0x0200501b, "srliw with funct7 bit 25 set"},
      {0x00004073, "SYSTEM with funct3=100 (unassigned)"},
      {0x00100173, "ebreak with rd set"},
  };
  for (const auto& [bits, description] : cases) {
    const DecodedInstruction decoded = decode(bits);
    EXPECT_EQ(decoded.op, Op::illegal) << hex32(bits) << " " << description << " decoded as "
                                       << encoding_info(decoded.encoding).name;
    EXPECT_EQ(decoded.encoding, Encoding::illegal) << hex32(bits);
    EXPECT_EQ(decoded.length, instruction_length(bits)) << hex32(bits);
    EXPECT_EQ(decoded.bits, (bits & 3) == 3 ? bits : bits & 0xffffu);
  }
}

// ---- Disassembly of hand-picked words --------------------------------------------

TEST(RiscvDisassembler, MatchesObjdumpSyntax) {
  struct Expectation {
    uint32_t bits;
    uint64_t pc;
    std::string_view text;  // as objdump -M no-aliases prints it, tab -> space
  };
  const Expectation cases[] = {
      {0x00a58533, 0, "add a0,a1,a0"},
      {0x00812503, 0, "lw a0,8(sp)"},
      {0xfff500e7, 0, "jalr ra,-1(a0)"},
      {0x80a13023, 0, "sd a0,-2048(sp)"},
      {0x7eb50fe3, 0x1000, "beq a0,a1,0x1ffe"},
      {0x800ff063, 0x800, "bgeu t6,zero,0xfffffffffffff800"},
      {0x7ffff0ef, 0x80000000, "jal ra,0x800ffffe"},
      {0xfffff537, 0, "lui a0,0xfffff"},
      {0x7ffff517, 0, "auipc a0,0x7ffff"},
      {0x03f59513, 0, "slli a0,a1,0x3f"},
      {0x000f1f9b, 0, "slliw t6,t5,0x0"},
      {0x0ff0000f, 0, "fence iorw,iorw"},
      {0x0210000f, 0, "fence r,w"},
      {0x0100000f, 0, "fence w,unknown"},
      {0x8330000f, 0, "fence.tso"},
      {0x0000100f, 0, "fence.i"},
      {0x00000073, 0, "ecall"},
      {0x12b50073, 0, "sfence.vma a0,a1"},
      {0x30051073, 0, "csrrw zero,mstatus,a0"},
      {0xfffff573, 0, "csrrci a0,0xfff,31"},
      {0x3ef02573, 0, "csrrs a0,pmpaddr63,zero"},
      {0x1605a52f, 0, "lr.w.aqrl a0,(a1)"},
      {0x1cc5b52f, 0, "sc.d.aq a0,a2,(a1)"},
      {0x0ac5a52f, 0, "amoswap.w.rl a0,a2,(a1)"},
      {0xffc5a507, 0, "flw fa0,-4(a1)"},
      {0x7fb13c27, 0, "fsd fs11,2040(sp)"},
      {0x68c5c543, 0, "fmadd.s fa0,fa1,fa2,fa3,rmm"},
      {0xfa20f04f, 0, "fnmadd.d ft0,ft1,ft2,ft11"},
      {0x00c5d553, 0, "fadd.s fa0,fa1,fa2,unknown"},
      {0xc0059553, 0, "fcvt.w.s a0,fa1,rtz"},
      {0xd2058553, 0, "fcvt.d.w fa0,a1"},
      {0x42058553, 0, "fcvt.d.s fa0,fa1"},
      {0x40158553, 0, "fcvt.s.d fa0,fa1,rne"},
      {0xe2058553, 0, "fmv.x.d a0,fa1"},
      {0xa2c5a553, 0, "feq.d a0,fa1,fa2"},
      {0x1fe8, 0, "c.addi4spn a0,sp,1020"},
      {0x5c7c, 0, "c.lw a5,124(s0)"},
      {0x249c, 0, "c.fld fa5,8(s1)"},
      {0xa100, 0, "c.fsd fs0,0(a0)"},
      {0x0001, 0, "c.addi zero,0"},
      {0x1501, 0, "c.addi a0,-32"},
      {0x7101, 0, "c.addi16sp sp,-512"},
      {0x7501, 0, "c.lui a0,0xfffe0"},
      {0x917d, 0, "c.srli a0,0x3f"},
      {0x8c1d, 0, "c.sub s0,a5"},
      {0xb001, 0x100, "c.j 0xfffffffffffff900"},
      {0xcd7d, 0x100, "c.beqz a0,0x1fe"},
      {0x357e, 0, "c.fldsp fa0,504(sp)"},
      {0x8082, 0, "c.jr ra"},
      {0x857e, 0, "c.mv a0,t6"},
      {0x9002, 0, "c.ebreak"},
      {0x9f82, 0, "c.jalr t6"},
      {0xbfee, 0, "c.fsdsp fs11,504(sp)"},
      {0x0000, 0, ".2byte 0x0"},
      {0x9c41, 0, ".2byte 0x9c41"},
      {0x0ff5000f, 0, "fence iorw,iorw"},  // rs1 is reserved and ignored
      {0x00004073, 0, ".4byte 0x4073"},
  };
  for (const Expectation& expectation : cases) {
    EXPECT_EQ(disassemble(decode(expectation.bits), expectation.pc), expectation.text) << hex32(expectation.bits);
  }
}

TEST(RiscvDisassembler, RegisterAndCsrNames) {
  EXPECT_EQ(integer_register_name(0), "zero");
  EXPECT_EQ(integer_register_name(8), "s0");
  EXPECT_EQ(integer_register_name(31), "t6");
  EXPECT_EQ(integer_register_name(32), "");
  EXPECT_EQ(float_register_name(0), "ft0");
  EXPECT_EQ(float_register_name(10), "fa0");
  EXPECT_EQ(float_register_name(31), "ft11");
  EXPECT_EQ(float_register_name(32), "");
  EXPECT_EQ(csr_name(csr_number::mstatus), "mstatus");
  EXPECT_EQ(csr_name(csr_number::satp), "satp");
  EXPECT_EQ(csr_name(csr_number::hpmcounter31), "hpmcounter31");
  EXPECT_EQ(csr_name(0xb10), "mhpmcounter16");
  EXPECT_EQ(csr_name(csr_number::mhpmevent3), "mhpmevent3");
  EXPECT_EQ(csr_name(csr_number::pmpcfg15), "pmpcfg15");
  EXPECT_EQ(csr_name(csr_number::pmpaddr0), "pmpaddr0");
  EXPECT_EQ(csr_name(csr_number::tdata3), "tdata3");
  EXPECT_EQ(csr_name(0xc80), "") << "cycleh is RV32-only";
  EXPECT_EQ(csr_name(0x7c0), "");
}

// ---- Differential tests against GNU objdump ----------------------------------------

// Disassembles words with GNU objdump (no-aliases), batching every word it
// has not seen into one objdump run. Each word is remembered with the
// address it had in that run, since branch targets depend on it.
class ObjdumpOracle {
 public:
  struct Line {
    uint64_t address = 0;
    std::string text;  // "mnemonic operands", comments removed
  };

  // Makes sure every word is known, running objdump at most once.
  void learn(const std::vector<uint32_t>& words) {
    std::vector<uint32_t> unknown;
    for (const uint32_t word : words) {
      if (!known_.contains(normalise(word))) unknown.push_back(normalise(word));
    }
    if (unknown.empty()) return;
    run(unknown);
  }

  const Line& line(uint32_t word) {
    learn({word});
    return known_.at(normalise(word));
  }

  int runs() const { return runs_; }

 private:
  static uint32_t normalise(uint32_t word) { return (word & 3) == 3 ? word : word & 0xffffu; }

  void run(const std::vector<uint32_t>& words) {
    ++runs_;
    std::string path = ::testing::TempDir() + "emu-decoder-objdump-XXXXXX";
    const int descriptor = mkstemp(path.data());
    ASSERT_GE(descriptor, 0) << "cannot create " << path;
    std::vector<uint8_t> bytes;
    std::unordered_map<uint64_t, uint32_t> word_at_address;
    for (const uint32_t word : words) {
      word_at_address[bytes.size()] = word;
      const unsigned length = instruction_length(word);
      for (unsigned i = 0; i < length; ++i) bytes.push_back(static_cast<uint8_t>(word >> (8 * i)));
    }
    ASSERT_EQ(write(descriptor, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    close(descriptor);

    const std::string command = std::string(EMU_RISCV_OBJDUMP) +
                                " -D -z -b binary -m riscv:rv64 -M no-aliases " + path + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr) << command;
    std::string output;
    std::array<char, 4096> buffer{};
    size_t got = 0;
    while ((got = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), got);
    const int status = pclose(pipe);
    unlink(path.c_str());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << "\n" << output.substr(0, 2000);

    // Lines look like "  1c:\t00a58533          \tadd\ta0,a1,a0".
    std::istringstream lines(output);
    std::string text_line;
    size_t parsed = 0;
    while (std::getline(lines, text_line)) {
      const size_t colon = text_line.find(":\t");
      if (colon == std::string::npos) continue;
      const std::string address_text = text_line.substr(0, colon);
      if (address_text.find_first_not_of(" 0123456789abcdef") != std::string::npos) continue;
      const uint64_t address = std::stoull(address_text, nullptr, 16);
      const size_t bytes_end = text_line.find('\t', colon + 2);
      if (bytes_end == std::string::npos) continue;
      std::string instruction = text_line.substr(bytes_end + 1);
      // objdump appends "# address" comments for values it tracks across
      // lui/auipc; they are not part of the instruction.
      if (const size_t comment = instruction.find(" #"); comment != std::string::npos) {
        instruction.erase(comment);
      }
      if (const size_t tab = instruction.find('\t'); tab != std::string::npos) instruction[tab] = ' ';
      while (!instruction.empty() && instruction.back() == ' ') instruction.pop_back();
      const auto word = word_at_address.find(address);
      ASSERT_NE(word, word_at_address.end()) << "objdump went out of step at: " << text_line;
      known_[word->second] = Line{address, instruction};
      ++parsed;
    }
    ASSERT_EQ(parsed, words.size()) << output.substr(0, 2000);
  }

  std::unordered_map<uint32_t, Line> known_;
  int runs_ = 0;
};

ObjdumpOracle& objdump() {
  static ObjdumpOracle oracle;
  return oracle;
}

// Encoding classes where objdump (binutils 2.40, no-aliases, default
// rv64gc) prints something else by design. Returns why, or empty.
std::string_view known_objdump_difference(uint32_t word, const DecodedInstruction& ours) {
  if (instruction_length(word) == 2 && (word & 0xffff) == 0) {
    return "binutils names the all-zero halfword c.unimp; the spec defines it illegal (16.1)";
  }
  if (instruction_length(word) == 2 && (word & 0xffff) == 0x6101) {
    return "c.addi16sp with nzimm=0 is reserved (16.5); binutils prints it";
  }
  if (word == 0x00200073 || word == 0x7b200073 || word == 0x20200073 || (word & 0xfff07fff) == 0x10400073) {
    return "uret (withdrawn N extension), dret (debug mode), hret and sfence.vm (privileged 1.9.1) "
           "are not RV64GC";
  }
  if (ours.op == Op::fence && (ours.rd != 0 || ours.rs1 != 0 || ((ours.imm >> 8) != 0 && ours.imm != 0x833))) {
    return "FENCE reserved fields (fm, rs1, rd) must be ignored (2.7); binutils rejects them";
  }
  if (ours.op == Op::fence_i && (ours.rd != 0 || ours.rs1 != 0 || ours.imm != 0)) {
    return "FENCE.I reserved fields must be ignored (3.1); binutils rejects them";
  }
  if ((ours.op == Op::fcvt_d_s || ours.op == Op::fcvt_d_w || ours.op == Op::fcvt_d_wu) && ours.rm != 0) {
    return "exact widening conversions: binutils accepts only rm=rne, the spec any rm";
  }
  if (ours.length == 2 && (ours.op == Op::slli || ours.op == Op::srli || ours.op == Op::srai) &&
      ours.imm == 0) {
    return "shamt=0 compressed shifts are HINTs (16.5); binutils prints RV128's c.s*64";
  }
  return {};
}

// objdump knows more CSRs (hypervisor, debug, RV32 high halves, ...) than
// emu names; where we print a number and objdump a name, accept the name in
// its place. (Where objdump prints a number too, the numbers must agree.)
std::string expected_text(const DecodedInstruction& ours, std::string objdump_text) {
  const bool is_csr = ours.op == Op::csrrw || ours.op == Op::csrrs || ours.op == Op::csrrc ||
                      ours.op == Op::csrrwi || ours.op == Op::csrrsi || ours.op == Op::csrrci;
  if (!is_csr || !csr_name(ours.csr).empty()) return objdump_text;
  const size_t first_comma = objdump_text.find(',');
  const size_t second_comma = objdump_text.find(',', first_comma + 1);
  if (first_comma == std::string::npos || second_comma == std::string::npos) return objdump_text;
  if (objdump_text.compare(first_comma + 1, 2, "0x") == 0) return objdump_text;
  std::array<char, 16> number{};
  std::snprintf(number.data(), number.size(), "0x%x", ours.csr);
  return objdump_text.substr(0, first_comma + 1) + number.data() + objdump_text.substr(second_comma);
}

// Compares one word; returns a description of the difference, or empty.
std::string compare_with_objdump(uint32_t word) {
  const DecodedInstruction ours = decode(word);
  if (!known_objdump_difference(word, ours).empty()) return {};
  const ObjdumpOracle::Line& theirs = objdump().line(word);
  const std::string our_text = disassemble(ours, theirs.address);
  const bool objdump_says_illegal = theirs.text.starts_with(".2byte") || theirs.text.starts_with(".4byte");
  const bool we_say_illegal = ours.op == Op::illegal;
  if (our_text == expected_text(ours, theirs.text) && objdump_says_illegal == we_say_illegal) return {};
  return hex32(word) + ": ours \"" + our_text + "\" (" + std::string(encoding_info(ours.encoding).name) +
         "), objdump \"" + theirs.text + "\"";
}

// Runs a rapidcheck property over batches of words twice with the same
// seed: the first pass only records the words drawn, objdump then
// disassembles all of them in one run, and the second pass checks them. A
// word objdump has not seen (while shrinking a failure) costs an extra run.
void check_against_objdump(const rc::Gen<uint32_t>& generator) {
  const auto draw = [&generator] { return *rc::gen::container<std::vector<uint32_t>>(generator); };
  std::vector<uint32_t> drawn;
  rc::detail::checkGTest([&] {
    const std::vector<uint32_t> words = draw();
    drawn.insert(drawn.end(), words.begin(), words.end());
  });
  objdump().learn(drawn);
  const int runs_before = objdump().runs();
  rc::detail::checkGTest([&] {
    for (const uint32_t word : draw()) {
      const std::string difference = compare_with_objdump(word);
      if (!difference.empty()) RC_FAIL(difference);
    }
  });
  ::testing::Test::RecordProperty("words", static_cast<int>(drawn.size()));
  ::testing::Test::RecordProperty("extra_objdump_runs", objdump().runs() - runs_before);
}

size_t table_size() { return static_cast<size_t>(Encoding::illegal); }

// A table entry with its operand bits filled at random.
rc::Gen<uint32_t> table_word() {
  return rc::gen::map(rc::gen::pair(rc::gen::inRange<size_t>(0, table_size()), rc::gen::arbitrary<uint32_t>()),
                      [](const std::pair<size_t, uint32_t>& choice) {
                        const EncodingInfo& info = encoding_info(static_cast<Encoding>(choice.first));
                        const uint32_t width_mask = info.compressed ? 0xffffu : 0xffffffffu;
                        return info.match | (choice.second & ~info.mask & width_mask);
                      });
}

RC_GTEST_PROP(RiscvDecoderTable, RandomOperandsDecodeToTheirEntry, ()) {
  // Not against objdump: the decoder must land on the entry whose pattern
  // was filled, or on a more specific entry, or reject a reserved one.
  const size_t index = *rc::gen::inRange<size_t>(0, table_size());
  const EncodingInfo& info = encoding_info(static_cast<Encoding>(index));
  const uint32_t fill = *rc::gen::arbitrary<uint32_t>();
  const uint32_t word = info.match | (fill & ~info.mask & (info.compressed ? 0xffffu : 0xffffffffu));
  const DecodedInstruction decoded = decode(word);
  if (decoded.op == Op::illegal) {
    RC_ASSERT(info.compressed);  // only compressed formats have reserved operand values
    RC_CLASSIFY(true, "reserved");
    return;
  }
  const EncodingInfo& got = encoding_info(decoded.encoding);
  RC_ASSERT((word & got.mask) == got.match);
  RC_ASSERT(decoded.encoding == static_cast<Encoding>(index) ||
            fixed_bit_count(got.mask) > fixed_bit_count(info.mask));
}

TEST(RiscvDecoderObjdump, ValidEncodingsDisassembleLikeObjdump) {
  // Random operands for a random table entry, rejecting reserved ones.
  check_against_objdump(rc::gen::suchThat(table_word(), [](uint32_t word) { return decode(word).op != Op::illegal; }));
}

TEST(RiscvDecoderObjdump, ArbitraryWordsAgreeWithObjdumpOnLegality) {
  // Words near the table (one fixed bit flipped) and uniformly random ones.
  // Longer-than-32-bit encodings (bits[4:2] == 111) are left out: objdump
  // sizes them differently, which would desynchronise the batch.
  const auto near_miss = rc::gen::map(rc::gen::pair(table_word(), rc::gen::inRange(0, 32)),
                                      [](const std::pair<uint32_t, int>& choice) {
                                        const uint32_t word = choice.first;
                                        const unsigned width = instruction_length(word) * 8;
                                        const unsigned flipped = static_cast<unsigned>(choice.second) % width;
                                        return flipped < 2 ? word : word ^ (1u << flipped);
                                      });
  const auto random_compressed =
      rc::gen::suchThat(rc::gen::inRange<uint32_t>(0, 0x10000), [](uint32_t word) { return (word & 3) != 3; });
  const auto random_32 = rc::gen::map(rc::gen::arbitrary<uint32_t>(), [](uint32_t word) { return word | 3; });
  const auto any = rc::gen::oneOf(table_word(), near_miss, random_compressed, random_32);
  check_against_objdump(rc::gen::suchThat(any, [](uint32_t word) { return (word & 0x1f) != 0x1f; }));
}

// The compressed space is small enough to compare exhaustively.
TEST(RiscvDecoderObjdump, EveryCompressedHalfwordMatchesObjdump) {
  std::vector<uint32_t> words;
  for (uint32_t word = 0; word < 0x10000; ++word) {
    if ((word & 3) != 3) words.push_back(word);
  }
  objdump().learn(words);
  int differences = 0;
  for (const uint32_t word : words) {
    const std::string difference = compare_with_objdump(word);
    if (!difference.empty() && ++differences <= 20) ADD_FAILURE() << difference;
  }
  EXPECT_EQ(differences, 0);
}

// Every CSR name we know must be objdump's name for it.
TEST(RiscvDecoderObjdump, CsrNamesMatchObjdump) {
  std::vector<uint32_t> words;
  for (uint32_t csr = 0; csr < 0x1000; ++csr) {
    if (!csr_name(static_cast<uint16_t>(csr)).empty()) words.push_back(csr << 20 | 0x2573);  // csrrs a0,csr,zero
  }
  ASSERT_GT(words.size(), 200u);
  objdump().learn(words);
  for (const uint32_t word : words) {
    EXPECT_EQ(disassemble(decode(word), 0), objdump().line(word).text) << hex32(word);
  }
}

}  // namespace
}  // namespace emu::riscv
