// RV64GC decoder driven by the declarative tables rv64_encodings.inc and
// rvc_encodings.inc.
//
// The bit patterns are parsed into mask/match pairs at compile time. decode()
// does not scan the whole table: a dispatch table, also built at compile time,
// maps a few always-fixed bits of the instruction (major opcode, funct3 and
// bits [31:27] for 32-bit; quadrant, funct3 and bits [12:10] for 16-bit) to
// the short list of table entries that can match, most specific first.
#include "emu/target/riscv/decoder.h"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "emu/target/riscv/compressed_format.h"
#include "emu/target/riscv/csr_numbers.h"

namespace emu::riscv {
namespace {

struct BitPattern {
  uint32_t mask = 0;   // 1 where the pattern has a fixed bit
  uint32_t match = 0;  // the fixed bits' values
};

// Parses "0110 ... 11" (msb first, spaces ignored). consteval: a pattern with
// the wrong number of bits or a stray character is a compile error (the
// throw is not a constant expression).
consteval BitPattern parse_pattern(std::string_view text, unsigned width) {
  BitPattern pattern;
  unsigned bit_count = 0;
  for (const char character : text) {
    if (character == ' ') continue;
    if (character != '0' && character != '1' && character != '.') {
      throw "encoding pattern: only 0, 1, '.' and spaces are allowed";
    }
    pattern.mask <<= 1;
    pattern.match <<= 1;
    if (character != '.') {
      pattern.mask |= 1;
      if (character == '1') pattern.match |= 1;
    }
    ++bit_count;
  }
  if (bit_count != width) throw "encoding pattern: wrong number of bits";
  return pattern;
}

struct Entry32 {
  BitPattern pattern;
  Format format;
};

struct CompressedEntry {
  BitPattern pattern;
  CompressedFormat format;
  Op op;  // the 32-bit operation it expands to
};

constexpr std::array kEntries32 = {
#define ENCODING(name, mnemonic, pattern, format) Entry32{parse_pattern(pattern, 32), Format::format},
#include "emu/target/riscv/rv64_encodings.inc"
#undef ENCODING
};

constexpr std::array kCompressedEntries = {
#define COMPRESSED(name, mnemonic, pattern, format, op) \
  CompressedEntry{parse_pattern(pattern, 16), CompressedFormat::format, Op::op},
#include "emu/target/riscv/rvc_encodings.inc"
#undef COMPRESSED
};

static_assert(kEntries32.size() == static_cast<size_t>(Op::illegal));
static_assert(kEntries32.size() + kCompressedEntries.size() ==
              static_cast<size_t>(Encoding::illegal));

consteval bool patterns_are_well_formed() {
  for (const Entry32& entry : kEntries32) {
    if ((entry.pattern.match & 3) != 3 || (entry.pattern.mask & 3) != 3) return false;
  }
  for (const CompressedEntry& entry : kCompressedEntries) {
    if ((entry.pattern.mask & 3) != 3 || (entry.pattern.match & 3) == 3) return false;
  }
  return true;
}
static_assert(patterns_are_well_formed(),
              "32-bit patterns must end in 11, compressed ones in 00, 01 or 10");

constexpr std::array<EncodingInfo, static_cast<size_t>(Encoding::kCount)> kEncodingInfo = {
#define ENCODING(name, mnemonic, pattern, format) \
  EncodingInfo{#name, mnemonic, parse_pattern(pattern, 32).mask, parse_pattern(pattern, 32).match, false},
#include "emu/target/riscv/rv64_encodings.inc"
#undef ENCODING
#define COMPRESSED(name, mnemonic, pattern, format, op) \
  EncodingInfo{#name, mnemonic, parse_pattern(pattern, 16).mask, parse_pattern(pattern, 16).match, true},
#include "emu/target/riscv/rvc_encodings.inc"
#undef COMPRESSED
    EncodingInfo{"illegal", "", 0, 0, false},
};

// ---- Dispatch tables --------------------------------------------------------

// A bucket key is a handful of instruction bits that are fixed in (nearly)
// every pattern. The low kGroupBits of a key form its group (the major
// opcode, or quadrant + funct3). Applying key() to a pattern's mask tells
// which key bits the pattern fixes, and to its match what they must be.
struct KeyLayout32 {
  // key[4:0] = bits[6:2] (major opcode), key[7:5] = funct3 bits[14:12],
  // key[12:8] = bits[31:27] (funct5 of OP-FP and AMO, top of funct7).
  static constexpr size_t kKeyCount = 1u << 13;
  static constexpr unsigned kGroupBits = 5;
  static constexpr unsigned key(uint32_t bits) {
    return ((bits >> 2) & 0x1fu) | ((bits >> 7) & 0xe0u) | ((bits >> 19) & 0x1f00u);
  }
};

struct KeyLayoutCompressed {
  // key[1:0] = quadrant bits[1:0], key[4:2] = funct3 bits[15:13],
  // key[7:5] = bits[12:10] (separates the quadrant-1 arithmetic group and
  // the quadrant-2 jr/mv/ebreak/jalr/add group).
  static constexpr size_t kKeyCount = 1u << 8;
  static constexpr unsigned kGroupBits = 5;
  static constexpr unsigned key(uint32_t bits) {
    return (bits & 3u) | ((bits >> 11) & 0x1cu) | ((bits >> 5) & 0xe0u);
  }
};

// Each bucket names a run of `candidates` (table indices), packed as
// first << 4 | count. Identical runs are shared between buckets.
template <size_t kKeyCount, size_t kCandidateCapacity>
struct DispatchTable {
  static constexpr unsigned kCountBits = 4;
  static constexpr size_t kMaxRun = (1u << kCountBits) - 1;
  std::array<uint16_t, kKeyCount> buckets{};
  std::array<uint8_t, kCandidateCapacity> candidates{};
  size_t candidate_count = 0;
  size_t longest_run = 0;
};

// Builds the dispatch table for one encoding table. Within a bucket the
// entries with more fixed bits come first (ties keep table order), so a
// specific encoding (c.nop, c.jr, c.ebreak, c.addi16sp) shadows the general
// one it is carved out of.
//
// Written to stay far below compilers' constexpr budgets (clang's default
// is about a million steps): plain arrays, patterns projected onto key space
// once, each group sorted once, and a run is shared only within its group.
template <typename Layout, size_t kCandidateCapacity, size_t kEntryCount, typename Entry>
consteval DispatchTable<Layout::kKeyCount, kCandidateCapacity> build_dispatch(
    const std::array<Entry, kEntryCount>& entries) {
  using Table = DispatchTable<Layout::kKeyCount, kCandidateCapacity>;
  Table table;
  constexpr unsigned kGroupCount = 1u << Layout::kGroupBits;
  constexpr size_t kKeysPerGroup = Layout::kKeyCount / kGroupCount;

  unsigned key_mask[kEntryCount] = {}, key_match[kEntryCount] = {};
  int fixed_bits[kEntryCount] = {};
  for (size_t index = 0; index < kEntryCount; ++index) {
    key_mask[index] = Layout::key(entries[index].pattern.mask);
    key_match[index] = Layout::key(entries[index].pattern.match);
    fixed_bits[index] = std::popcount(entries[index].pattern.mask);
  }

  uint8_t members[kEntryCount] = {};
  uint8_t run[Table::kMaxRun] = {};
  size_t unique_start[kKeysPerGroup] = {}, unique_length[kKeysPerGroup] = {};
  for (unsigned group = 0; group < kGroupCount; ++group) {
    // The group's entries, most fixed bits first (stable insertion sort).
    size_t member_count = 0;
    for (size_t index = 0; index < kEntryCount; ++index) {
      if (((group ^ key_match[index]) & key_mask[index] & (kGroupCount - 1)) != 0) continue;
      size_t position = member_count++;
      while (position > 0 && fixed_bits[members[position - 1]] < fixed_bits[index]) {
        members[position] = members[position - 1];
        --position;
      }
      members[position] = static_cast<uint8_t>(index);
    }
    size_t unique_count = 0;
    for (size_t rest = 0; rest < kKeysPerGroup; ++rest) {
      const auto key = static_cast<unsigned>(group | rest << Layout::kGroupBits);
      size_t run_length = 0;
      for (size_t member = 0; member < member_count; ++member) {
        const uint8_t index = members[member];
        if (((key ^ key_match[index]) & key_mask[index]) != 0) continue;
        if (run_length == Table::kMaxRun) throw "dispatch bucket too long: widen the key";
        run[run_length++] = index;
      }
      if (run_length > table.longest_run) table.longest_run = run_length;
      size_t first = table.candidate_count;
      bool found = false;
      for (size_t unique = 0; unique < unique_count && !found; ++unique) {
        if (unique_length[unique] != run_length) continue;
        found = true;
        for (size_t i = 0; i < run_length && found; ++i) {
          found = table.candidates[unique_start[unique] + i] == run[i];
        }
        if (found) first = unique_start[unique];
      }
      if (!found) {
        if (table.candidate_count + run_length > kCandidateCapacity) throw "dispatch table: raise capacity";
        unique_start[unique_count] = first;
        unique_length[unique_count++] = run_length;
        for (size_t i = 0; i < run_length; ++i) table.candidates[table.candidate_count++] = run[i];
      }
      if (first >= (1u << (16 - Table::kCountBits))) throw "dispatch table: offset overflow";
      table.buckets[key] = static_cast<uint16_t>(first << Table::kCountBits | run_length);
    }
  }
  return table;
}

static_assert(kEntries32.size() <= 256 && kCompressedEntries.size() <= 256,
              "candidate indices are uint8_t");

constexpr auto kDispatch32 = build_dispatch<KeyLayout32, 1024>(kEntries32);
constexpr auto kDispatchCompressed = build_dispatch<KeyLayoutCompressed, 256>(kCompressedEntries);

// ---- Field extraction ---------------------------------------------------------

constexpr uint32_t field(uint32_t bits, unsigned high, unsigned low) {
  return (bits >> low) & ((1u << (high - low + 1)) - 1);
}

constexpr uint32_t bit(uint32_t bits, unsigned position) { return (bits >> position) & 1u; }

// Sign-extends the low `width` bits of value.
constexpr int64_t sign_extend(uint64_t value, unsigned width) {
  const unsigned shift = 64 - width;
  return static_cast<int64_t>(value << shift) >> shift;
}

// Unprivileged ISA 20191213 section 2.3, figure 2.4: immediates per format.
constexpr int64_t immediate_i(uint32_t bits) { return sign_extend(field(bits, 31, 20), 12); }

constexpr int64_t immediate_s(uint32_t bits) {
  return sign_extend(field(bits, 31, 25) << 5 | field(bits, 11, 7), 12);
}

constexpr int64_t immediate_b(uint32_t bits) {
  return sign_extend(bit(bits, 31) << 12 | bit(bits, 7) << 11 | field(bits, 30, 25) << 5 |
                         field(bits, 11, 8) << 1,
                     13);
}

constexpr int64_t immediate_u(uint32_t bits) { return sign_extend(bits & 0xffff'f000u, 32); }

constexpr int64_t immediate_j(uint32_t bits) {
  return sign_extend(bit(bits, 31) << 20 | field(bits, 19, 12) << 12 | bit(bits, 20) << 11 |
                         field(bits, 30, 21) << 1,
                     21);
}

DecodedInstruction illegal_instruction(uint32_t bits, uint8_t length) {
  DecodedInstruction decoded;
  decoded.length = length;
  decoded.bits = bits;
  return decoded;
}

void extract_fields(uint32_t bits, Format format, DecodedInstruction& decoded) {
  const auto rd = static_cast<uint8_t>(field(bits, 11, 7));
  const auto rs1 = static_cast<uint8_t>(field(bits, 19, 15));
  const auto rs2 = static_cast<uint8_t>(field(bits, 24, 20));
  const auto rm = static_cast<uint8_t>(field(bits, 14, 12));
  switch (format) {
    case Format::R:
    case Format::FloatR:
    case Format::FloatCompare:
      decoded.rd = rd, decoded.rs1 = rs1, decoded.rs2 = rs2;
      break;
    case Format::I:
    case Format::FloatLoad:
      decoded.rd = rd, decoded.rs1 = rs1, decoded.imm = immediate_i(bits);
      break;
    case Format::S:
    case Format::FloatStore:
      decoded.rs1 = rs1, decoded.rs2 = rs2, decoded.imm = immediate_s(bits);
      break;
    case Format::B:
      decoded.rs1 = rs1, decoded.rs2 = rs2, decoded.imm = immediate_b(bits);
      break;
    case Format::U:
      decoded.rd = rd, decoded.imm = immediate_u(bits);
      break;
    case Format::J:
      decoded.rd = rd, decoded.imm = immediate_j(bits);
      break;
    case Format::Shift64:
      decoded.rd = rd, decoded.rs1 = rs1, decoded.imm = field(bits, 25, 20);
      break;
    case Format::Shift32:
      decoded.rd = rd, decoded.rs1 = rs1, decoded.imm = field(bits, 24, 20);
      break;
    case Format::Fence:
    case Format::FenceI:
      // Reserved fields are kept so a future extension (or a strict mode) can
      // see them; base implementations ignore them (unprivileged ISA 2.7, 3.1).
      decoded.rd = rd, decoded.rs1 = rs1, decoded.imm = field(bits, 31, 20);
      break;
    case Format::None:
      break;
    case Format::SfenceVma:
      decoded.rs1 = rs1, decoded.rs2 = rs2;
      break;
    case Format::Csr:
    case Format::CsrImmediate:  // rs1 holds the uimm[4:0] field
      decoded.rd = rd, decoded.rs1 = rs1, decoded.csr = static_cast<uint16_t>(field(bits, 31, 20));
      break;
    case Format::LoadReserved:
      decoded.rd = rd, decoded.rs1 = rs1;
      decoded.aq = bit(bits, 26) != 0, decoded.rl = bit(bits, 25) != 0;
      break;
    case Format::Atomic:
      decoded.rd = rd, decoded.rs1 = rs1, decoded.rs2 = rs2;
      decoded.aq = bit(bits, 26) != 0, decoded.rl = bit(bits, 25) != 0;
      break;
    case Format::R4:
      decoded.rd = rd, decoded.rs1 = rs1, decoded.rs2 = rs2;
      decoded.rs3 = static_cast<uint8_t>(field(bits, 31, 27)), decoded.rm = rm;
      break;
    case Format::FloatRRounded:
      decoded.rd = rd, decoded.rs1 = rs1, decoded.rs2 = rs2, decoded.rm = rm;
      break;
    case Format::FloatUnaryRounded:
    case Format::FloatToIntRounded:
    case Format::IntToFloatRounded:
      // rm is kept raw: whether 5, 6 or 7 (dynamic, with frm 5..7) is
      // illegal is decided at execution (unprivileged ISA 11.2).
      decoded.rd = rd, decoded.rs1 = rs1, decoded.rm = rm;
      break;
    case Format::FloatToInt:
    case Format::IntToFloat:
      decoded.rd = rd, decoded.rs1 = rs1;
      break;
  }
}

// ---- Compressed expansion (unprivileged ISA 20191213 chapter 16) -----------

constexpr uint8_t kZero = 0, kReturnAddress = 1, kStackPointer = 2;

// rd', rs1', rs2': 3-bit fields naming x8..x15 / f8..f15 (table 16.2).
constexpr uint8_t popular_register(uint32_t bits, unsigned low) {
  return static_cast<uint8_t>(8 + field(bits, low + 2, low));
}

// CI immediate: imm[5] = bit 12, imm[4:0] = bits[6:2], sign-extended.
constexpr int64_t compressed_immediate6(uint32_t bits) {
  return sign_extend(bit(bits, 12) << 5 | field(bits, 6, 2), 6);
}

// Shift amount of c.slli/c.srli/c.srai: shamt[5] = bit 12, shamt[4:0] = bits[6:2].
constexpr uint32_t compressed_shift_amount(uint32_t bits) {
  return bit(bits, 12) << 5 | field(bits, 6, 2);
}

// CL/CS word offset: uimm[5:3] = bits[12:10], uimm[2] = bit 6, uimm[6] = bit 5.
constexpr uint32_t offset_word(uint32_t bits) {
  return field(bits, 12, 10) << 3 | bit(bits, 6) << 2 | bit(bits, 5) << 6;
}

// CL/CS doubleword offset: uimm[5:3] = bits[12:10], uimm[7:6] = bits[6:5].
constexpr uint32_t offset_double(uint32_t bits) {
  return field(bits, 12, 10) << 3 | field(bits, 6, 5) << 6;
}

// Expands a compressed instruction whose first matching table entry is
// `entry`. Returns false for a reserved code point.
bool expand_compressed(uint32_t bits, const CompressedEntry& entry, DecodedInstruction& decoded) {
  const auto rd_full = static_cast<uint8_t>(field(bits, 11, 7));  // also rs1 in CI/CR
  const auto rs2_full = static_cast<uint8_t>(field(bits, 6, 2));
  switch (entry.format) {
    case CompressedFormat::CIW_addi4spn: {
      // nzuimm[5:4|9:6|2|3] = bits[12:5]; nzuimm == 0 is reserved (this
      // makes the all-zero halfword illegal).
      const uint32_t immediate =
          field(bits, 12, 11) << 4 | field(bits, 10, 7) << 6 | bit(bits, 6) << 2 | bit(bits, 5) << 3;
      if (immediate == 0) return false;
      decoded.rd = popular_register(bits, 2), decoded.rs1 = kStackPointer, decoded.imm = immediate;
      return true;
    }
    case CompressedFormat::CL_word:
      decoded.rd = popular_register(bits, 2), decoded.rs1 = popular_register(bits, 7);
      decoded.imm = offset_word(bits);
      return true;
    case CompressedFormat::CL_double:
      decoded.rd = popular_register(bits, 2), decoded.rs1 = popular_register(bits, 7);
      decoded.imm = offset_double(bits);
      return true;
    case CompressedFormat::CS_word:
      decoded.rs1 = popular_register(bits, 7), decoded.rs2 = popular_register(bits, 2);
      decoded.imm = offset_word(bits);
      return true;
    case CompressedFormat::CS_double:
      decoded.rs1 = popular_register(bits, 7), decoded.rs2 = popular_register(bits, 2);
      decoded.imm = offset_double(bits);
      return true;
    case CompressedFormat::CI_nop:  // addi x0, x0, imm (imm != 0 is a HINT)
      decoded.rd = kZero, decoded.rs1 = kZero, decoded.imm = compressed_immediate6(bits);
      return true;
    case CompressedFormat::CI_addi:  // addi rd, rd, imm (imm == 0 is a HINT)
      decoded.rd = rd_full, decoded.rs1 = rd_full, decoded.imm = compressed_immediate6(bits);
      return true;
    case CompressedFormat::CI_addiw:  // addiw rd, rd, imm; rd == 0 is reserved
      if (rd_full == kZero) return false;
      decoded.rd = rd_full, decoded.rs1 = rd_full, decoded.imm = compressed_immediate6(bits);
      return true;
    case CompressedFormat::CI_li:  // addi rd, x0, imm (rd == 0 is a HINT)
      decoded.rd = rd_full, decoded.rs1 = kZero, decoded.imm = compressed_immediate6(bits);
      return true;
    case CompressedFormat::CI_addi16sp: {
      // nzimm[9] = bit 12, nzimm[4|6|8:7|5] = bits[6:2]; nzimm == 0 is reserved.
      const uint32_t immediate = bit(bits, 12) << 9 | bit(bits, 6) << 4 | bit(bits, 5) << 6 |
                                 field(bits, 4, 3) << 7 | bit(bits, 2) << 5;
      if (immediate == 0) return false;
      decoded.rd = kStackPointer, decoded.rs1 = kStackPointer, decoded.imm = sign_extend(immediate, 10);
      return true;
    }
    case CompressedFormat::CI_lui: {
      // nzimm[17] = bit 12, nzimm[16:12] = bits[6:2]. nzimm == 0 is
      // reserved; rd == 0 with nzimm != 0 is a HINT (section 16.5, 16.7);
      // rd == 2 never gets here, c.addi16sp claims it.
      const uint32_t immediate = bit(bits, 12) << 17 | field(bits, 6, 2) << 12;
      if (immediate == 0) return false;
      decoded.rd = rd_full, decoded.imm = sign_extend(immediate, 18);
      return true;
    }
    case CompressedFormat::CB_shift:
      // RV64: shamt is 0..63; shamt == 0 is a HINT and decodes as the shift.
      decoded.rd = popular_register(bits, 7), decoded.rs1 = decoded.rd;
      decoded.imm = compressed_shift_amount(bits);
      return true;
    case CompressedFormat::CB_andi:
      decoded.rd = popular_register(bits, 7), decoded.rs1 = decoded.rd;
      decoded.imm = compressed_immediate6(bits);
      return true;
    case CompressedFormat::CA:
      decoded.rd = popular_register(bits, 7), decoded.rs1 = decoded.rd;
      decoded.rs2 = popular_register(bits, 2);
      return true;
    case CompressedFormat::CJ:  // jal x0, offset; offset[11|4|9:8|10|6|7|3:1|5] = bits[12:2]
      decoded.rd = kZero;
      decoded.imm = sign_extend(bit(bits, 12) << 11 | bit(bits, 11) << 4 | field(bits, 10, 9) << 8 |
                                    bit(bits, 8) << 10 | bit(bits, 7) << 6 | bit(bits, 6) << 7 |
                                    field(bits, 5, 3) << 1 | bit(bits, 2) << 5,
                                12);
      return true;
    case CompressedFormat::CB_branch:  // beq/bne rs1', x0, offset
      // offset[8|4:3] = bits[12:10], offset[7:6|2:1|5] = bits[6:2].
      decoded.rs1 = popular_register(bits, 7), decoded.rs2 = kZero;
      decoded.imm = sign_extend(bit(bits, 12) << 8 | field(bits, 11, 10) << 3 | field(bits, 6, 5) << 6 |
                                    field(bits, 4, 3) << 1 | bit(bits, 2) << 5,
                                9);
      return true;
    case CompressedFormat::CI_slli:  // slli rd, rd, shamt (rd == 0 or shamt == 0 is a HINT)
      decoded.rd = rd_full, decoded.rs1 = rd_full, decoded.imm = compressed_shift_amount(bits);
      return true;
    case CompressedFormat::CI_ldsp_float:  // fld rd, uimm(x2); uimm[5] = bit 12, uimm[4:3|8:6] = bits[6:2]
      decoded.rd = rd_full, decoded.rs1 = kStackPointer;
      decoded.imm = bit(bits, 12) << 5 | field(bits, 6, 5) << 3 | field(bits, 4, 2) << 6;
      return true;
    case CompressedFormat::CI_lwsp:  // lw rd, uimm(x2); uimm[5] = bit 12, uimm[4:2|7:6] = bits[6:2]
      if (rd_full == kZero) return false;
      decoded.rd = rd_full, decoded.rs1 = kStackPointer;
      decoded.imm = bit(bits, 12) << 5 | field(bits, 6, 4) << 2 | field(bits, 3, 2) << 6;
      return true;
    case CompressedFormat::CI_ldsp:  // ld rd, uimm(x2); rd == 0 is reserved
      if (rd_full == kZero) return false;
      decoded.rd = rd_full, decoded.rs1 = kStackPointer;
      decoded.imm = bit(bits, 12) << 5 | field(bits, 6, 5) << 3 | field(bits, 4, 2) << 6;
      return true;
    case CompressedFormat::CR_jr:  // jalr x0, 0(rs1); rs1 == 0 is reserved
      if (rd_full == kZero) return false;
      decoded.rd = kZero, decoded.rs1 = rd_full, decoded.imm = 0;
      return true;
    case CompressedFormat::CR_mv:  // add rd, x0, rs2 (rd == 0 is a HINT)
      decoded.rd = rd_full, decoded.rs1 = kZero, decoded.rs2 = rs2_full;
      return true;
    case CompressedFormat::CR_ebreak:
      return true;
    case CompressedFormat::CR_jalr:  // jalr x1, 0(rs1)
      decoded.rd = kReturnAddress, decoded.rs1 = rd_full, decoded.imm = 0;
      return true;
    case CompressedFormat::CR_add:  // add rd, rd, rs2 (rd == 0 is a HINT)
      decoded.rd = rd_full, decoded.rs1 = rd_full, decoded.rs2 = rs2_full;
      return true;
    case CompressedFormat::CSS_double:  // sd/fsd rs2, uimm(x2); uimm[5:3|8:6] = bits[12:7]
      decoded.rs1 = kStackPointer, decoded.rs2 = rs2_full;
      decoded.imm = field(bits, 12, 10) << 3 | field(bits, 9, 7) << 6;
      return true;
    case CompressedFormat::CSS_word:  // sw rs2, uimm(x2); uimm[5:2|7:6] = bits[12:7]
      decoded.rs1 = kStackPointer, decoded.rs2 = rs2_full;
      decoded.imm = field(bits, 12, 9) << 2 | field(bits, 8, 7) << 6;
      return true;
  }
  return false;
}

DecodedInstruction decode_compressed(uint32_t bits) {
  const uint16_t bucket = kDispatchCompressed.buckets[KeyLayoutCompressed::key(bits)];
  const unsigned first = bucket >> kDispatchCompressed.kCountBits;
  const unsigned count = bucket & ((1u << kDispatchCompressed.kCountBits) - 1);
  for (unsigned i = 0; i < count; ++i) {
    const unsigned index = kDispatchCompressed.candidates[first + i];
    const CompressedEntry& entry = kCompressedEntries[index];
    if ((bits & entry.pattern.mask) != entry.pattern.match) continue;
    DecodedInstruction decoded;
    decoded.length = 2;
    decoded.bits = bits;
    // The first (most specific) match decides: a reserved code point does
    // not fall through to a more general pattern.
    if (!expand_compressed(bits, entry, decoded)) return illegal_instruction(bits, 2);
    decoded.op = entry.op;
    decoded.encoding = static_cast<Encoding>(kEntries32.size() + index);
    return decoded;
  }
  return illegal_instruction(bits, 2);
}

}  // namespace

DecodedInstruction decode(uint32_t bits) {
  if ((bits & 3) != 3) return decode_compressed(bits & 0xffffu);
  const uint16_t bucket = kDispatch32.buckets[KeyLayout32::key(bits)];
  const unsigned first = bucket >> kDispatch32.kCountBits;
  const unsigned count = bucket & ((1u << kDispatch32.kCountBits) - 1);
  for (unsigned i = 0; i < count; ++i) {
    const unsigned index = kDispatch32.candidates[first + i];
    const Entry32& entry = kEntries32[index];
    if ((bits & entry.pattern.mask) != entry.pattern.match) continue;
    DecodedInstruction decoded;
    decoded.op = static_cast<Op>(index);
    decoded.encoding = static_cast<Encoding>(index);
    decoded.bits = bits;
    extract_fields(bits, entry.format, decoded);
    return decoded;
  }
  return illegal_instruction(bits, 4);
}

const EncodingInfo& encoding_info(Encoding encoding) {
  const auto index = static_cast<size_t>(encoding);
  return kEncodingInfo[index < kEncodingInfo.size() ? index : static_cast<size_t>(Encoding::illegal)];
}

// ---- Names ------------------------------------------------------------------

std::string_view integer_register_name(unsigned number) {
  // Unprivileged ISA 20191213 chapter 25, table 25.1 (objdump prints s0, not fp).
  static constexpr std::array<std::string_view, 32> kNames = {
      "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
      "a6",   "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
  };
  return number < kNames.size() ? kNames[number] : std::string_view{};
}

std::string_view float_register_name(unsigned number) {
  static constexpr std::array<std::string_view, 32> kNames = {
      "ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",  "fs0",  "fs1",  "fa0",
      "fa1", "fa2", "fa3",  "fa4",  "fa5", "fa6", "fa7",  "fs2",  "fs3",  "fs4",  "fs5",
      "fs6", "fs7", "fs8",  "fs9",  "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
  };
  return number < kNames.size() ? kNames[number] : std::string_view{};
}

namespace {

// CSR names live in fixed-size character arrays so the numbered families
// (pmpaddr0..63, mhpmcounter3..31, ...) can be generated at compile time.
struct CsrName {
  uint16_t number = 0;
  uint8_t length = 0;
  std::array<char, 15> text{};
  constexpr std::string_view view() const { return {text.data(), length}; }
};

struct CsrFamily {
  std::string_view prefix;
  uint16_t first_number;
  unsigned first_index, last_index;
};

// Privileged ISA 1.12 tables 2.2-2.5 and the F extension's fcsr (chapter 11).
constexpr auto kSingleCsrs = std::to_array<std::pair<uint16_t, std::string_view>>({
    {csr_number::fflags, "fflags"}, {csr_number::frm, "frm"}, {csr_number::fcsr, "fcsr"},
    {csr_number::cycle, "cycle"}, {csr_number::time, "time"}, {csr_number::instret, "instret"},
    {csr_number::sstatus, "sstatus"}, {csr_number::sie, "sie"}, {csr_number::stvec, "stvec"},
    {csr_number::scounteren, "scounteren"}, {csr_number::senvcfg, "senvcfg"},
    {csr_number::sscratch, "sscratch"}, {csr_number::sepc, "sepc"}, {csr_number::scause, "scause"},
    {csr_number::stval, "stval"}, {csr_number::sip, "sip"}, {csr_number::satp, "satp"},
    {csr_number::mvendorid, "mvendorid"}, {csr_number::marchid, "marchid"},
    {csr_number::mimpid, "mimpid"}, {csr_number::mhartid, "mhartid"},
    {csr_number::mconfigptr, "mconfigptr"}, {csr_number::mstatus, "mstatus"},
    {csr_number::misa, "misa"}, {csr_number::medeleg, "medeleg"}, {csr_number::mideleg, "mideleg"},
    {csr_number::mie, "mie"}, {csr_number::mtvec, "mtvec"}, {csr_number::mcounteren, "mcounteren"},
    {csr_number::menvcfg, "menvcfg"}, {csr_number::mcountinhibit, "mcountinhibit"},
    {csr_number::mscratch, "mscratch"}, {csr_number::mepc, "mepc"}, {csr_number::mcause, "mcause"},
    {csr_number::mtval, "mtval"}, {csr_number::mip, "mip"}, {csr_number::mcycle, "mcycle"},
    {csr_number::minstret, "minstret"}, {csr_number::tselect, "tselect"},
    {csr_number::tdata1, "tdata1"}, {csr_number::tdata2, "tdata2"},
});

constexpr std::array<CsrFamily, 6> kCsrFamilies = {{
    {"hpmcounter", csr_number::hpmcounter3, 3, 31},
    {"mhpmcounter", csr_number::mhpmcounter3, 3, 31},
    {"mhpmevent", csr_number::mhpmevent3, 3, 31},
    {"pmpcfg", csr_number::pmpcfg0, 0, 15},
    {"pmpaddr", csr_number::pmpaddr0, 0, 63},
    {"tdata", csr_number::tdata3, 3, 3},
}};

consteval size_t csr_name_count() {
  size_t count = kSingleCsrs.size();
  for (const CsrFamily& family : kCsrFamilies) count += family.last_index - family.first_index + 1;
  return count;
}

consteval CsrName make_csr_name(uint16_t number, std::string_view prefix, int index) {
  CsrName name;
  name.number = number;
  for (const char character : prefix) name.text[name.length++] = character;
  if (index >= 10) name.text[name.length++] = static_cast<char>('0' + index / 10);
  if (index >= 0) name.text[name.length++] = static_cast<char>('0' + index % 10);
  return name;
}

// Sorted by number for binary search.
consteval std::array<CsrName, csr_name_count()> build_csr_names() {
  std::array<CsrName, csr_name_count()> names{};
  size_t count = 0;
  for (const auto& [number, text] : kSingleCsrs) names[count++] = make_csr_name(number, text, -1);
  for (const CsrFamily& family : kCsrFamilies) {
    for (unsigned index = family.first_index; index <= family.last_index; ++index) {
      const auto number = static_cast<uint16_t>(family.first_number + index - family.first_index);
      names[count++] = make_csr_name(number, family.prefix, static_cast<int>(index));
    }
  }
  for (size_t i = 1; i < count; ++i) {  // insertion sort: constexpr and tiny
    for (size_t j = i; j > 0 && names[j - 1].number > names[j].number; --j) {
      const CsrName swap = names[j];
      names[j] = names[j - 1];
      names[j - 1] = swap;
    }
  }
  for (size_t i = 1; i < count; ++i) {
    if (names[i - 1].number == names[i].number) throw "CSR named twice";
  }
  return names;
}

constexpr auto kCsrNames = build_csr_names();

}  // namespace

std::string_view csr_name(uint16_t number) {
  size_t low = 0, high = kCsrNames.size();
  while (low < high) {
    const size_t middle = (low + high) / 2;
    if (kCsrNames[middle].number < number) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  if (low < kCsrNames.size() && kCsrNames[low].number == number) return kCsrNames[low].view();
  return {};
}

}  // namespace emu::riscv
