// The helper table: the only C++ functions generated code calls, and the
// context block generated code reads. Rules (docs/jit.md, "Helper boundary"):
//   - Helpers are noexcept and report failure by status, never by a C++
//     exception (an exception unwinding through generated code has no unwind
//     tables to follow; noexcept turns one into std::terminate instead).
//   - Before a helper that can trap, generated code stores the instruction's
//     pc in hart.pc (take_trap uses it as epc). After it returns kTrapped the
//     trap has been taken (pc = handler) and the block exits at once.
//   - Helpers touch no generated-code state other than JitContext::scratch.
#pragma once

#include <cstdint>

#include "emu/target/riscv/decoder.h"
#include "emu/target/riscv/hart.h"

namespace emu::jit {

// Physical pages below this bound can hold translated code (32 GiB of
// physical address space); code on pages above it always runs in the
// interpreter, so the code-page bitmap stays small (1 MiB).
inline constexpr uint64_t kCodeBitmapPages = uint64_t{1} << 23;

struct JumpCacheEntry;  // translation_cache.h

// Read by generated code through a pinned register; field offsets are taken
// with offsetof, so the struct stays standard-layout.
struct JitContext {
  riscv::Hart* hart = nullptr;
  const uint64_t* code_page_bitmap = nullptr;      // bit n set: physical page n holds translated code
  // The engine's jump cache, which generated code consults for indirect
  // jumps and exits to other pages (docs/jit.md, "Dispatch"); null while
  // tracing, so every block then returns to the dispatcher.
  const JumpCacheEntry* jump_cache = nullptr;
  uint64_t scratch = 0;                            // the load helper's result
  // Counted by every helper call: a slow-path access may have written guest
  // memory (a store into code, a device doing DMA), so the engine re-checks
  // the guest bytes of the blocks it runs next (jit_engine.cpp, epochs).
  uint64_t helper_calls = 0;
  // Calls of jit_execute_helper: F/D and CSR-read instructions run in the
  // interpreter in place, the FP load/store slow path, and the fallback of
  // the native F/D fast paths (tests use it to see that those completed).
  uint64_t execute_helper_calls = 0;
  // Self-loops and chains (docs/jit.md, "Loops"): the slots the engine
  // still allows, set before the call. Generated code continues in place (a
  // block's own start, a chained block) only while this covers another full
  // run, and subtracts the slots of every run but the last (which the block
  // returns); so the engine counts (value before - value after) + returned.
  // A looping block keeps it in a host register and stores it at its exits.
  uint64_t loop_budget = 0;
  // Chaining (docs/jit.md, "Chaining"): the engine's write epoch (a target
  // is entered directly only if its bytes were checked in this epoch), and
  // the exit cell the block left through (null: an exit that cannot chain).
  uint64_t write_epoch = 1;
  void* last_exit = nullptr;
};

enum HelperStatus : uint32_t { kHelperCompleted = 0, kHelperTrapped = 1 };

// Load helper `kind`: size in bytes (1, 2, 4, 8) | kLoadSigned for lb/lh/lw.
inline constexpr uint64_t kLoadSigned = 0x100;

// The slow path of a load: hart.load (which may raise a trap), then the
// value extended as the instruction asks, left in context->scratch.
uint32_t jit_load_helper(JitContext* context, uint64_t address, uint64_t kind) noexcept;
// An instruction the block runs in the interpreter in place
// (block_translator.h, runs_in_helper): hart.execute_decoded(*instruction);
// hart.pc holds its pc. Returns kHelperTrapped if it trapped.
uint32_t jit_execute_helper(JitContext* context, const riscv::DecodedInstruction* instruction) noexcept;

// The slow path of a store: hart.store (which may raise a trap).
uint32_t jit_store_helper(JitContext* context, uint64_t address, uint64_t size, uint64_t value) noexcept;

}  // namespace emu::jit
