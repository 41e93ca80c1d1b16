// Decoding RV64GC instructions from the declarative tables in
// rv64_encodings.inc (32-bit) and rvc_encodings.inc (16-bit).
//
// A DecodedInstruction is what the interpreter, the JIT front end and the
// disassembler consume. Compressed instructions are expanded: `op` is the
// 32-bit operation and the operand fields hold the expanded operands (full
// register numbers, the scaled and sign-extended immediate), so executing
// c.lw is executing lw. `encoding` still names the compressed form for
// disassembly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace emu::riscv {

// The operations the CPU implements: one per 32-bit encoding.
enum class Op : uint16_t {
#define ENCODING(name, mnemonic, pattern, format) name,
#include "emu/target/riscv/rv64_encodings.inc"
#undef ENCODING
  illegal,  // no encoding matched, or a reserved compressed encoding
  kCount
};

// Every encoding in both tables, 32-bit first, then compressed.
enum class Encoding : uint16_t {
#define ENCODING(name, mnemonic, pattern, format) name,
#include "emu/target/riscv/rv64_encodings.inc"
#undef ENCODING
#define COMPRESSED(name, mnemonic, pattern, format, op) name,
#include "emu/target/riscv/rvc_encodings.inc"
#undef COMPRESSED
  illegal,
  kCount
};

// Operand layouts of 32-bit encodings. What each field of DecodedInstruction
// holds, per format:
//   R                 rd, rs1, rs2
//   I                 rd, rs1, imm = sign-extended imm[11:0]
//   S                 rs1, rs2, imm = sign-extended imm[11:0]
//   B                 rs1, rs2, imm = sign-extended branch offset (even)
//   U                 rd, imm = sign-extended imm[31:12] << 12
//   J                 rd, imm = sign-extended jump offset (even)
//   Shift64/Shift32   rd, rs1, imm = shamt (6 / 5 bits)
//   Fence             rd, rs1 (reserved, kept), imm = bits [31:20] (fm:4 pred:4 succ:4)
//   FenceI            rd, rs1, imm = bits [31:20] (reserved, kept)
//   None              (ecall, ebreak, sret, mret, wfi)
//   SfenceVma         rs1, rs2
//   Csr               rd, rs1, csr
//   CsrImmediate      rd, csr, rs1 = the 5-bit zero-extended immediate (uimm)
//   LoadReserved      rd, rs1, aq, rl
//   Atomic            rd, rs1, rs2, aq, rl
//   FloatLoad         rd (f), rs1 (x), imm
//   FloatStore        rs1 (x), rs2 (f), imm
//   R4                rd, rs1, rs2, rs3 (all f), rm
//   FloatRRounded     rd, rs1, rs2 (all f), rm
//   FloatR            rd, rs1, rs2 (all f)           (sign injection, min/max)
//   FloatUnaryRounded rd, rs1 (f), rm                (sqrt, fcvt between formats)
//   FloatToIntRounded rd (x), rs1 (f), rm
//   FloatToInt        rd (x), rs1 (f)                (fmv.x.*, fclass)
//   FloatCompare      rd (x), rs1, rs2 (f)
//   IntToFloatRounded rd (f), rs1 (x), rm
//   IntToFloat        rd (f), rs1 (x)                (fmv.*.x)
// Fields a format does not use are zero.
enum class Format : uint8_t {
  R, I, S, B, U, J, Shift64, Shift32, Fence, FenceI, None, SfenceVma, Csr, CsrImmediate,
  LoadReserved, Atomic, FloatLoad, FloatStore, R4, FloatRRounded, FloatR, FloatUnaryRounded,
  FloatToIntRounded, FloatToInt, FloatCompare, IntToFloatRounded, IntToFloat,
};

struct DecodedInstruction {
  Op op = Op::illegal;
  Encoding encoding = Encoding::illegal;
  uint8_t length = 4;  // bytes: 2 for compressed
  uint8_t rd = 0, rs1 = 0, rs2 = 0, rs3 = 0;
  uint8_t rm = 0;      // rounding-mode field as encoded (7 = dynamic)
  bool aq = false, rl = false;
  uint16_t csr = 0;
  int64_t imm = 0;
  uint32_t bits = 0;   // the raw instruction (16 significant bits if compressed)
};

// Length in bytes of the instruction whose low 16 bits are given: 2 when the
// two low bits are not 0b11, else 4 (longer encodings are not supported and
// decode as illegal).
constexpr unsigned instruction_length(uint32_t low_bits) { return (low_bits & 3) == 3 ? 4 : 2; }

// Decodes one instruction. `bits` holds the 32-bit instruction, or a
// compressed one in its low 16 bits (upper bits ignored). Never fails: an
// unknown or reserved encoding gives op == Op::illegal.
DecodedInstruction decode(uint32_t bits);

// Static facts about each table entry, for the disassembler and tests.
struct EncodingInfo {
  std::string_view name;      // identifier in the table, e.g. "c_addi"
  std::string_view mnemonic;  // assembly mnemonic, e.g. "c.addi"
  uint32_t mask = 0;          // fixed bits of the pattern
  uint32_t match = 0;         // their values
  bool compressed = false;
};
const EncodingInfo& encoding_info(Encoding encoding);

// GNU objdump style (as `objdump -M no-aliases` prints it): "addi a0,a0,1",
// "c.addi a0,1", "lw a1,8(sp)", "csrrw zero,mstatus,a0". `pc` resolves
// branch and jump targets into absolute addresses as objdump does.
std::string disassemble(const DecodedInstruction& instruction, uint64_t pc);

// ABI register names (x: zero, ra, sp, ...; f: ft0, ..., fa0, ...).
std::string_view integer_register_name(unsigned number);
std::string_view float_register_name(unsigned number);
// Standard CSR name for the disassembler and the monitor, or empty.
std::string_view csr_name(uint16_t number);

}  // namespace emu::riscv
