// JIT front end: which instructions the JIT may emit (the one classifier;
// everything else is executed by the interpreter), and how a block is cut
// from guest memory.
#pragma once

#include <cstdint>
#include <vector>

#include "emu/target/riscv/decoder.h"

namespace emu::jit {

// The classifier. True for the instructions x86_64_emitter.cpp implements:
// RV64I ALU (register, immediate, W forms, lui, auipc), fence (a no-op on one
// in-order hart), M, branches, jal, jalr, integer loads and stores, and FP
// loads and stores (flw, fld, fsw, fsd).
// Everything else (CSR, FP, A, ecall, ebreak, xRET, wfi, sfence.vma,
// fence.i, illegal) is left to the interpreter.
bool is_emittable(riscv::Op op);

// Instructions a block runs by calling the interpreter for them in place
// (jit_execute_helper): F/D computation (OP-FP and the fused multiply-adds),
// CSR accesses that only read (rdtime, csrr; not the instret-derived
// counters), and the A extension (LR, SC, AMOs). The first two touch only f
// and x registers, fflags and mstatus.FS/SD - nothing a block compiles in,
// nothing that changes interrupt state or memory - so the block goes on
// after them; an atomic goes on when its access reached plain RAM and wrote
// no translated code, as a load or store slow path does. One that traps (FP
// off, a reserved rounding mode, a CSR the privilege may not read, a
// misaligned or faulting atomic) is a precise exit like a faulting load.
bool runs_in_helper(const riscv::DecodedInstruction& instruction);

// The F/D computations among those that the block emitter gives a native
// fast path (x86_64_float_emitter.h; docs/jit.md, "F/D in generated code"),
// with the helper call as the fallback for every case the fast path does not
// prove exact: the operations float_path_kind() knows, when the rm field
// allows one (rounding operations: round to nearest even, static or dynamic;
// float to integer: also static round toward zero; exact ones: any rm that
// is not reserved) and, for the fused forms, the host
// has FMA3 (host_float::host_fma_available). Also false on hosts other than
// x86-64 (no host FP path at all).
bool has_native_float_path(const riscv::DecodedInstruction& instruction);

// Instructions after which a block ends: the unconditional jumps (jal,
// jalr). A block goes on past a conditional branch: its not-taken path
// falls through inside the block, its taken path is a side exit
// (docs/jit.md, "Blocks").
bool ends_block(riscv::Op op);
bool is_conditional_branch(riscv::Op op);

inline constexpr unsigned kMaxBlockInstructions = 32;

struct BlockPlan {
  uint64_t virtual_pc = 0;
  std::vector<riscv::DecodedInstruction> instructions;
  std::vector<uint64_t> pcs;  // virtual pc of each instruction
  unsigned byte_length = 0;   // guest bytes covered, from virtual_pc (skipped ones included)
};

// Cuts a block starting at virtual_pc whose bytes are at host_code (the host
// address of virtual_pc's byte within a host-backed 4 KiB page). Stops before
// the first non-emittable instruction, before an instruction that would
// cross the page end, after jal or jalr, after a conditional branch back to
// virtual_pc (a loop), or at kMaxBlockInstructions. Instructions follow each
// other in memory, except that a forward branch whose fall-through is a
// plain jump continues at its target when that path closes a loop back to
// virtual_pc (docs/jit.md, "Blocks"); the emitter sees this as pcs[i + 1]
// being the branch's target. byte_length runs to the furthest byte planned.
// The plan may be empty (the first instruction is not emittable).
BlockPlan plan_block(const uint8_t* host_code, uint64_t virtual_pc);

}  // namespace emu::jit
