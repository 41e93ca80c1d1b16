// JIT back end: turns a BlockPlan into x86-64 code with asmjit.
//
// Generated code ABI (System V): BlockFunction(Hart* hart, JitContext* context).
// Pinned registers for the whole block: rbx = hart, r12 = context. The TLB
// tables are addressed from rbx (they live inside the Hart). Guest registers
// live in hart.x; within a block the most used ones are cached in host
// registers (rbp, r13, r14, r15, r8..r11) and written back before every exit
// and every helper call (docs/jit.md, "Register caching"). rax, rcx, rdx,
// rsi, rdi are scratch. The block returns (slots << 1) | trapped.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>

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
  ExitCell* exit_cells = nullptr;       // kExitCellsPerBlock cells for exits that may chain
  const riscv::DecodedInstruction* instructions = nullptr;  // the plan's, where they live while the block does
};

// Emits `plan` (non-empty) and adds it to `runtime`. Returns nullptr if
// asmjit fails (out of executable memory): the caller then interprets.
// *chain_entry receives the address after the prologue (where chained
// blocks enter, with the pinned registers already set).
BlockFunction emit_block(asmjit::JitRuntime& runtime, const BlockPlan& plan, const EmitterTarget& target,
                         const void** chain_entry);

}  // namespace emu::jit
