// Operand layouts of the compressed encodings (unprivileged ISA 20191213,
// chapter 16, tables 16.1-16.7), named in the format column of
// rvc_encodings.inc. The decoder expands each layout into its 32-bit
// instruction; the disassembler prints each in its own operand syntax.
#pragma once

#include <cstdint>

namespace emu::riscv {

enum class CompressedFormat : uint8_t {
  CIW_addi4spn, CL_word, CL_double, CS_word, CS_double, CI_nop, CI_addi, CI_addiw, CI_li,
  CI_addi16sp, CI_lui, CB_shift, CB_andi, CA, CJ, CB_branch, CI_slli, CI_ldsp_float, CI_lwsp,
  CI_ldsp, CR_jr, CR_mv, CR_ebreak, CR_jalr, CR_add, CSS_double, CSS_word,
};

}  // namespace emu::riscv
