// RV64GC disassembler: prints a DecodedInstruction the way GNU objdump
// (binutils 2.40, `-M no-aliases`) does, with one space instead of objdump's
// tab between mnemonic and operands. Conventions copied from objdump's
// output: immediates in decimal, except lui/auipc/c.lui (the 20-bit field in
// hex) and shift amounts (hex); branch and jump targets as absolute hex
// addresses; CSRs by name when known, else hex; rounding mode appended unless
// it is dynamic; unknown words as ".4byte 0x..." / ".2byte 0x...".
#include <array>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "emu/target/riscv/compressed_format.h"
#include "emu/target/riscv/decoder.h"

namespace emu::riscv {
namespace {

constexpr size_t kEncodingCount32 = static_cast<size_t>(Op::illegal);

constexpr std::array kFormats32 = {
#define ENCODING(name, mnemonic, pattern, format) Format::format,
#include "emu/target/riscv/rv64_encodings.inc"
#undef ENCODING
};

constexpr std::array kCompressedFormats = {
#define COMPRESSED(name, mnemonic, pattern, format, op) CompressedFormat::format,
#include "emu/target/riscv/rvc_encodings.inc"
#undef COMPRESSED
};

static_assert(kFormats32.size() == kEncodingCount32);
static_assert(kEncodingCount32 + kCompressedFormats.size() == static_cast<size_t>(Encoding::illegal));

// Builds "mnemonic operand,operand,...".
class Line {
 public:
  explicit Line(std::string_view mnemonic) : text_(mnemonic) {}

  Line& operand(std::string_view operand) {
    text_ += first_operand_ ? ' ' : ',';
    first_operand_ = false;
    text_ += operand;
    return *this;
  }
  Line& x(unsigned number) { return operand(integer_register_name(number)); }
  Line& f(unsigned number) { return operand(float_register_name(number)); }
  Line& decimal(int64_t value) { return operand(std::to_string(value)); }
  Line& hex(uint64_t value) {
    std::array<char, 24> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "0x%" PRIx64, value);
    return operand(buffer.data());
  }
  // "offset(base)" as in loads and stores.
  Line& memory(int64_t offset, unsigned base) {
    return operand(std::to_string(offset) + "(" + std::string(integer_register_name(base)) + ")");
  }
  // Branch and jump targets wrap like the pc does.
  Line& target(uint64_t pc, int64_t offset) { return hex(pc + static_cast<uint64_t>(offset)); }
  // The raw 20-bit field of lui/auipc/c.lui.
  Line& upper_immediate(int64_t value) { return hex((static_cast<uint64_t>(value) >> 12) & 0xfffffu); }

  std::string take() { return std::move(text_); }

 private:
  std::string text_;
  bool first_operand_ = true;
};

// Rounding-mode operand (unprivileged ISA 11.2, table 11.1); dynamic (7) is
// implied and not printed. 5 and 6 are reserved; objdump says "unknown".
void append_rounding_mode(Line& line, unsigned rm) {
  static constexpr std::array<std::string_view, 7> kNames = {"rne", "rtz", "rdn", "rup", "rmm", "unknown",
                                                             "unknown"};
  if (rm < kNames.size()) line.operand(kNames[rm]);
}

// FENCE predecessor/successor sets as "iorw" letters; an empty set is
// printed "unknown" like objdump does.
std::string fence_set(unsigned set) {
  std::string text;
  if (set & 8) text += 'i';
  if (set & 4) text += 'o';
  if (set & 2) text += 'r';
  if (set & 1) text += 'w';
  return text.empty() ? "unknown" : text;
}

void append_csr(Line& line, uint16_t csr) {
  const std::string_view name = csr_name(csr);
  if (name.empty()) {
    line.hex(csr);
  } else {
    line.operand(name);
  }
}

std::string disassemble_32(const DecodedInstruction& in, uint64_t pc) {
  const auto index = static_cast<size_t>(in.encoding);
  const EncodingInfo& info = encoding_info(in.encoding);
  const uint32_t major_opcode = info.match & 0x7f;
  std::string mnemonic(info.mnemonic);
  switch (kFormats32[index]) {
    case Format::R:
      return Line(mnemonic).x(in.rd).x(in.rs1).x(in.rs2).take();
    case Format::I:
      // Loads and jalr take "rd,offset(rs1)"; arithmetic "rd,rs1,imm".
      if (major_opcode == 0b0000011 || major_opcode == 0b1100111) {
        return Line(mnemonic).x(in.rd).memory(in.imm, in.rs1).take();
      }
      return Line(mnemonic).x(in.rd).x(in.rs1).decimal(in.imm).take();
    case Format::S:
      return Line(mnemonic).x(in.rs2).memory(in.imm, in.rs1).take();
    case Format::B:
      return Line(mnemonic).x(in.rs1).x(in.rs2).target(pc, in.imm).take();
    case Format::U:
      return Line(mnemonic).x(in.rd).upper_immediate(in.imm).take();
    case Format::J:
      return Line(mnemonic).x(in.rd).target(pc, in.imm).take();
    case Format::Shift64:
    case Format::Shift32:
      return Line(mnemonic).x(in.rd).x(in.rs1).hex(static_cast<uint64_t>(in.imm)).take();
    case Format::Fence: {
      // FENCE.TSO is fm=1000 with pred=succ=rw (unprivileged ISA 2.7).
      if (in.imm == 0x833) return "fence.tso";
      const auto fields = static_cast<unsigned>(in.imm);
      return Line(mnemonic).operand(fence_set((fields >> 4) & 15)).operand(fence_set(fields & 15)).take();
    }
    case Format::FenceI:
    case Format::None:
      return mnemonic;
    case Format::SfenceVma:
      return Line(mnemonic).x(in.rs1).x(in.rs2).take();
    case Format::Csr: {
      Line line(mnemonic);
      line.x(in.rd);
      append_csr(line, in.csr);
      return line.x(in.rs1).take();
    }
    case Format::CsrImmediate: {
      Line line(mnemonic);
      line.x(in.rd);
      append_csr(line, in.csr);
      return line.decimal(in.rs1).take();
    }
    case Format::LoadReserved:
    case Format::Atomic: {
      if (in.aq) mnemonic += ".aq";
      if (in.rl) mnemonic += in.aq ? "rl" : ".rl";
      Line line(mnemonic);
      line.x(in.rd);
      if (kFormats32[index] == Format::Atomic) line.x(in.rs2);
      return line.operand("(" + std::string(integer_register_name(in.rs1)) + ")").take();
    }
    case Format::FloatLoad:
      return Line(mnemonic).f(in.rd).memory(in.imm, in.rs1).take();
    case Format::FloatStore:
      return Line(mnemonic).f(in.rs2).memory(in.imm, in.rs1).take();
    case Format::R4: {
      Line line(mnemonic);
      line.f(in.rd).f(in.rs1).f(in.rs2).f(in.rs3);
      append_rounding_mode(line, in.rm);
      return line.take();
    }
    case Format::FloatRRounded: {
      Line line(mnemonic);
      line.f(in.rd).f(in.rs1).f(in.rs2);
      append_rounding_mode(line, in.rm);
      return line.take();
    }
    case Format::FloatR:
      return Line(mnemonic).f(in.rd).f(in.rs1).f(in.rs2).take();
    case Format::FloatUnaryRounded:
    case Format::IntToFloatRounded: {
      Line line(mnemonic);
      line.f(in.rd);
      if (kFormats32[index] == Format::FloatUnaryRounded) {
        line.f(in.rs1);
      } else {
        line.x(in.rs1);
      }
      // Widening conversions are exact; objdump (like gas) leaves out the
      // rounding mode they are normally assembled with (rne).
      const bool exact = in.op == Op::fcvt_d_s || in.op == Op::fcvt_d_w || in.op == Op::fcvt_d_wu;
      if (!(exact && in.rm == 0)) append_rounding_mode(line, in.rm);
      return line.take();
    }
    case Format::FloatToIntRounded: {
      Line line(mnemonic);
      line.x(in.rd).f(in.rs1);
      append_rounding_mode(line, in.rm);
      return line.take();
    }
    case Format::FloatToInt:
      return Line(mnemonic).x(in.rd).f(in.rs1).take();
    case Format::FloatCompare:
      return Line(mnemonic).x(in.rd).f(in.rs1).f(in.rs2).take();
    case Format::IntToFloat:
      return Line(mnemonic).f(in.rd).x(in.rs1).take();
  }
  return mnemonic;
}

// Compressed instructions print their own operand syntax, recovered from the
// expanded fields.
std::string disassemble_compressed(const DecodedInstruction& in, uint64_t pc) {
  const auto index = static_cast<size_t>(in.encoding) - kEncodingCount32;
  const std::string_view mnemonic = encoding_info(in.encoding).mnemonic;
  Line line(mnemonic);
  switch (kCompressedFormats[index]) {
    case CompressedFormat::CIW_addi4spn:
      return line.x(in.rd).x(in.rs1).decimal(in.imm).take();
    case CompressedFormat::CL_word:
    case CompressedFormat::CL_double:
      if (in.op == Op::fld) return line.f(in.rd).memory(in.imm, in.rs1).take();
      return line.x(in.rd).memory(in.imm, in.rs1).take();
    case CompressedFormat::CS_word:
    case CompressedFormat::CS_double:
    case CompressedFormat::CSS_word:
    case CompressedFormat::CSS_double:
      if (in.op == Op::fsd) return line.f(in.rs2).memory(in.imm, in.rs1).take();
      return line.x(in.rs2).memory(in.imm, in.rs1).take();
    case CompressedFormat::CI_nop:
      // binutils treats c.nop as an alias of c.addi, so with no-aliases it
      // prints "c.addi zero,imm"; follow it.
      return Line("c.addi").x(in.rd).decimal(in.imm).take();
    case CompressedFormat::CI_addi:
    case CompressedFormat::CI_addiw:
    case CompressedFormat::CI_li:
    case CompressedFormat::CI_addi16sp:
    case CompressedFormat::CB_andi:
      return line.x(in.rd).decimal(in.imm).take();
    case CompressedFormat::CI_lui:
      return line.x(in.rd).upper_immediate(in.imm).take();
    case CompressedFormat::CB_shift:
    case CompressedFormat::CI_slli:
      return line.x(in.rd).hex(static_cast<uint64_t>(in.imm)).take();
    case CompressedFormat::CA:
    case CompressedFormat::CR_mv:
    case CompressedFormat::CR_add:
      return line.x(in.rd).x(in.rs2).take();
    case CompressedFormat::CJ:
      return line.target(pc, in.imm).take();
    case CompressedFormat::CB_branch:
      return line.x(in.rs1).target(pc, in.imm).take();
    case CompressedFormat::CI_ldsp_float:
      return line.f(in.rd).memory(in.imm, in.rs1).take();
    case CompressedFormat::CI_lwsp:
    case CompressedFormat::CI_ldsp:
      return line.x(in.rd).memory(in.imm, in.rs1).take();
    case CompressedFormat::CR_jr:
    case CompressedFormat::CR_jalr:
      return line.x(in.rs1).take();
    case CompressedFormat::CR_ebreak:
      return line.take();
  }
  return line.take();
}

}  // namespace

std::string disassemble(const DecodedInstruction& instruction, uint64_t pc) {
  const auto index = static_cast<size_t>(instruction.encoding);
  if (instruction.op == Op::illegal || index >= static_cast<size_t>(Encoding::illegal)) {
    std::array<char, 32> buffer{};
    if (instruction.length == 2) {
      std::snprintf(buffer.data(), buffer.size(), ".2byte 0x%" PRIx32, instruction.bits & 0xffffu);
    } else {
      std::snprintf(buffer.data(), buffer.size(), ".4byte 0x%" PRIx32, instruction.bits);
    }
    return buffer.data();
  }
  if (index >= kEncodingCount32) return disassemble_compressed(instruction, pc);
  return disassemble_32(instruction, pc);
}

}  // namespace emu::riscv
