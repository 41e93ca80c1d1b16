// Native x86-64 (SSE2, FMA3 where the CPU has it) code for the common case of
// the RISC-V F/D computations a block would otherwise run through
// jit_execute_helper (docs/jit.md, "F/D in generated code").
//
// The contract with the block emitter (x86_64_emitter.cpp): for an
// instruction the classifier gives a native path (block_translator.h,
// has_native_float_path), emit_float_fast_path() emits code
// that either completes the instruction exactly as the interpreter would
// (f register, fflags, mstatus.FS/SD; an integer result left in rax for the
// caller to write to x[rd]) and falls through, or jumps to `fallback` having
// written nothing architectural; the caller's fallback runs the whole
// instruction in the interpreter (jit_execute_helper), which also raises
// every trap (FS off, reserved rounding mode). So the fast path only has to
// be right where it completes, and it completes only under guards that make
// its result provably the interpreter's (the reasoning is in the .cpp).
//
// Registers: the fast path clobbers rax, rcx, rdx, xmm0-xmm4 and
// JitContext::scratch (MXCSR is loaded and stored through it), and rsi in
// the operations that take no integer operand (fmul, fdiv, fsqrt); it reads
// the pinned Hart and context pointers and `integer_source` (the caller's
// choice: a cache register or rsi). Every other register may be a cache
// register (rdi among them) and is left alone.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>

#include "emu/target/riscv/decoder.h"

namespace emu::jit {

// Where the FP state lives, as offsets from the Hart pointer.
struct FloatTarget {
  asmjit::x86::Gp hart;           // the pinned Hart pointer
  asmjit::x86::Gp context;        // the pinned JitContext pointer
  int32_t f_offset = 0;           // hart.f[0]
  int32_t mstatus_offset = 0;     // hart.csr.mstatus
  int32_t fflags_offset = 0;      // hart.csr.fflags (one byte)
  int32_t frm_offset = 0;         // hart.csr.frm (one byte)
};

// Which fast path an operation has, for the classifier
// (block_translator.cpp, has_native_float_path), which also looks at the rm
// field and the host CPU:
//   Rounding: add, sub, mul, div, sqrt, fcvt.s.d - rm must be 0 or 7 (the
//     code checks frm == 0);
//   FusedRounding: the same for the fused forms, which also need FMA3;
//   Exact: fcvt.d.s and integer to float - any valid rm (0..4, or 7: the code
//     checks frm <= 4);
//   ToInteger: fcvt.{w,wu,l,lu}.{s,d} - rm 0, 1 (toward zero) or 7 (the
//     code checks frm == 0);
//   NoRoundingMode: sign injection, compares, moves (funct3 selects the
//     operation).
enum class FloatPathKind { None, Rounding, FusedRounding, Exact, ToInteger, NoRoundingMode };
FloatPathKind float_path_kind(riscv::Op op);

// The integer registers a native float instruction touches: x[rs1] as a
// source (fmv.d.x, fcvt.d.l, ...), x[rd] as a destination (fmv.x.d, feq, ...).
struct FloatIntegerUse {
  bool reads_rs1 = false;
  bool writes_rd = false;
};
FloatIntegerUse float_integer_use(const riscv::DecodedInstruction& instruction);

// What earlier F/D computations of the same block have established about
// mstatus.FS on every path to the current point (the fast path and the
// fallback alike). Inside a block only F/D instructions can change FS (CSR
// writes, traps and xRET end a block; interrupts are taken between blocks),
// and they only ever set it to Dirty: once one has completed, FS is not Off;
// once one that writes an f register has completed, FS is Dirty and SD set.
// The block emitter starts each block with a fresh state (code after the
// block's start is reached only from the block's start, the loop-back jumps
// to the start) and passes the same state to each of its F/D instructions.
struct FloatBlockState {
  bool enabled = false;  // mstatus.FS != Off
  bool dirty = false;    // mstatus.FS == Dirty and SD
};

// write_s/write_d's FS = Dirty (and SD) in generated code: mstatus is
// stored only when not already so, since an unconditional read-modify-write
// in every FP instruction would chain them all through store forwarding.
// Clobbers rcx, rdx. Also used by the block emitter's FP loads.
void emit_set_fs_dirty(asmjit::x86::Assembler& a, const asmjit::x86::Gp& hart, int32_t mstatus_offset);

// Emits the fast path (see above). `integer_source` holds x[rs1] when
// float_integer_use().reads_rs1; with writes_rd the result is in rax.
// Updates `state` for the code after the instruction (both paths joined).
void emit_float_fast_path(asmjit::x86::Assembler& a, const FloatTarget& target,
                          const riscv::DecodedInstruction& instruction, const asmjit::x86::Gp& integer_source,
                          const asmjit::Label& fallback, FloatBlockState& state);

}  // namespace emu::jit
