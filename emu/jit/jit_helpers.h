// The helper table: the only C++ functions generated code calls, and the
// context block generated code reads. Rules (docs/jit.md, "Helper boundary"):
//   - Helpers are noexcept and report by return value, never by a C++
//     exception (an exception unwinding through generated code has no unwind
//     tables to follow; noexcept turns one into std::terminate instead).
//   - Generated code writes its dirty cache registers back into hart.x (and
//     a looping block its budget into JitContext::loop_budget) before every
//     call, so a helper, a trap and the interpreter see the exact state.
//   - A helper returns kContinueBlock (0) when the block may go on, else the
//     value the block returns: (slots << 1) | trapped, with hart.pc and
//     hart.instruction_bits already set for that exit. The block then leaves
//     at once without touching any register.
//   - Helpers touch no generated-code state other than hart.x/f (what the
//     instruction writes) and JitContext::write_epoch (through the watch).
#pragma once

#include <cstdint>

#include "emu/target/riscv/decoder.h"
#include "emu/target/riscv/hart.h"

namespace emu::jit {

struct JumpCacheEntry;  // translation_cache.h

// Read by generated code through a pinned register; field offsets are taken
// with offsetof, so the struct stays standard-layout.
struct JitContext {
  riscv::Hart* hart = nullptr;
  // The engine's jump cache, which generated code consults for indirect
  // jumps and exits to other pages (docs/jit.md, "Dispatch"); null while
  // tracing, so every block then returns to the dispatcher.
  const JumpCacheEntry* jump_cache = nullptr;
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
  // Calls of jit_execute_helper: F/D and CSR-read instructions run in the
  // interpreter in place, the FP load/store slow path, and the fallback of
  // the native F/D fast paths (tests use it to see that those completed).
  uint64_t execute_helper_calls = 0;
  // Memory generated code uses for itself within one instruction (the F/D
  // fast paths' MXCSR images, x86_64_float_emitter.cpp).
  uint64_t scratch = 0;
  // Where generated code jumps and calls (x86_64_emitter.h, RuntimeStubs, and
  // the helpers below): through the context, so blocks need no 64-bit
  // immediates and may live anywhere.
  const void* exit_through_cell = nullptr;
  const void* exit_through_jump_cache = nullptr;
  const void* leave = nullptr;  // the shared epilogue; rax = the block's return value
  const void* load_helper = nullptr;
  const void* store_helper = nullptr;
  const void* execute_helper = nullptr;
};

// What a helper needs to know about the instruction that calls it (one per
// call site, owned by the block; translation_cache.h, BlockChaining).
struct HelperCallSite {
  enum class Access : uint8_t { None, Load, Store };
  uint64_t pc = 0;       // the instruction's pc (epc if it traps)
  uint64_t next_pc = 0;  // pc + length: where the block leaves to after it
  uint64_t tlb_context = 0;  // the TLB context of its access in the block's mode
  const riscv::DecodedInstruction* instruction = nullptr;
  uint32_t bits = 0;   // its encoding (hart.instruction_bits at an exit)
  uint32_t slots = 0;  // slots this run of the block has used, this instruction included
  Access access = Access::None;  // its memory access, if any
  uint8_t size = 0;              // bytes accessed
  bool sign_extend = false;      // lb, lh, lw
};

inline constexpr uint64_t kContinueBlock = 0;

// The slow path of an integer load (the inline TLB fast path missed):
// hart.load, then the value extended as the instruction asks, written to
// hart.x[rd]. The block goes on if the access reached plain RAM and wrote no
// translated code (the write epoch did not move); a device access ends it
// after the instruction (exit 3: the device may have changed interrupt
// lines or stopped the hart), a trap ends it at the handler (exit 4).
uint64_t jit_load_helper(JitContext* context, uint64_t address, const HelperCallSite* site) noexcept;
// The slow path of an integer store: hart.store; continues or exits as above
// (a store into translated code moves the write epoch, so the block ends
// and the next instruction is fetched from the new bytes).
uint64_t jit_store_helper(JitContext* context, uint64_t address, const HelperCallSite* site, uint64_t value) noexcept;
// An instruction run in the interpreter in place: F/D computation and CSR
// reads (block_translator.h, runs_in_helper; they continue unless they
// trap), atomics and the slow path of FP loads and stores (the whole
// instruction, continuing or exiting like the integer slow paths: the
// site's access says which TLB entry shows where it went).
uint64_t jit_execute_helper(JitContext* context, const HelperCallSite* site) noexcept;

}  // namespace emu::jit
