// JIT back end: turns a BlockPlan into x86-64 code with asmjit.
//
// Generated code ABI: a block has no prologue of its own. The engine calls
// RuntimeStubs::enter(hart, context, block code), which saves the
// callee-saved registers, pins rbx = hart and r12 = context and jumps to
// the block; every block leaves through the shared epilogue
// (JitContext::leave) with its return value, (slots << 1) | trapped, in
// rax, or jumps straight into the next block (chaining). Guest registers
// live in hart.x; within a block the most used ones are cached in host
// registers (rbp, r13, r14, r15, r8..r11, rdi) and written back before
// every exit and every helper call (docs/jit.md, "Register caching"). rax,
// rcx, rdx, rsi are scratch (rdi too at a helper call, after the
// write-back); the exit stubs may clobber every register but rbx, r12 and
// rsp (the next block loads what it caches).
#pragma once

#include <asmjit/x86.h>

#include <cstdint>
#include <string>

#include "emu/jit/block_translator.h"
#include "emu/jit/translation_cache.h"

namespace emu::jit {

// Facts about one hart that generated code compiles in.
struct EmitterTarget {
  int32_t x_offset = 0;                 // offset of hart.x[0] from the Hart pointer
  int32_t fetch_table_offset = 0;       // of hart.tlb.table(Fetch)
  int32_t load_table_offset = 0;        // of hart.tlb.table(Load)
  int32_t store_table_offset = 0;       // of hart.tlb.table(Store)
  int32_t pc_offset = 0;                // of hart.pc
  int32_t instruction_bits_offset = 0;  // of hart.instruction_bits
  int32_t f_offset = 0;                 // of hart.f[0]
  int32_t mstatus_offset = 0;           // of hart.csr.mstatus
  int32_t fflags_offset = 0;            // of hart.csr.fflags (a byte)
  int32_t frm_offset = 0;               // of hart.csr.frm (a byte)
  uint64_t load_context = 0;            // TLB context of data loads in the block's mode
  uint64_t store_context = 0;           // and of stores
  uint64_t fetch_context = 0;           // TLB context of instruction fetches (the privilege)
  uint64_t mode = 0;                    // the block key's mode word
  uint64_t physical_page = 0;           // the block's physical pc >> 12
  // Loads may read this RAM region straight from its host memory, without
  // the TLB (docs/jit.md, "Direct RAM loads"); direct_ram_size 0: they may not.
  uint64_t direct_ram_base = 0;
  uint64_t direct_ram_size = 0;
  const uint8_t* direct_ram_host = nullptr;
  // The block's data (translation_cache.h): exits and helper call sites are
  // filled in by the emitter; `chaining->instructions` holds the plan's.
  BlockChaining* chaining = nullptr;
};

// Code shared by every block of one engine (emitted once into its runtime).
struct RuntimeStubs {
  // Runs generated code: enter(hart, context, block code) returns the
  // block's (slots << 1) | trapped.
  uint64_t (*enter)(riscv::Hart* hart, JitContext* context, const void* code) = nullptr;
  // Jumped to by an unlinked same-page exit with rdx = ExitCell* (cache
  // registers written back, slots taken from the budget, bits stored):
  // leaves at the cell's pc and notes the cell for linking.
  const void* exit_through_cell = nullptr;
  // Called with rsi = the target pc and rdx = ExitCell*; returns in rax the
  // jump cache's block for that pc if it is valid here (slots taken from the
  // budget, bits stored), else code that leaves with the cell's bits and
  // slots.
  const void* exit_through_jump_cache = nullptr;
  const void* leave = nullptr;  // epilogue: returns rax
};

// Emits the stubs into `runtime` (offsets from `target`, which must describe
// the engine's hart). False if asmjit fails.
bool emit_runtime_stubs(asmjit::JitRuntime& runtime, const EmitterTarget& target, RuntimeStubs* stubs);

// Sizes the block's exit cells and helper call sites for `plan` (before
// emit_block, which fills them).
void size_block_data(const BlockPlan& plan, BlockChaining& chaining);

// Emits `plan` (non-empty) and adds it to `runtime`. Returns nullptr if
// asmjit fails (out of executable memory): the caller then interprets.
// *code_size receives the bytes of code emitted; if host_assembly is not
// null, it receives the code as text (`-d out_asm`).
const void* emit_block(asmjit::JitRuntime& runtime, const BlockPlan& plan, const EmitterTarget& target,
                       size_t* code_size, std::string* host_assembly = nullptr);

}  // namespace emu::jit
