// The JIT execution engine for one hart. JitEngine::run(budget) has exactly
// the semantics of Hart::run(budget): same return value, same architectural
// state afterwards (registers, pc, privilege, CSRs, instret, memory), same
// traps and interrupts at the same instruction boundaries. See docs/jit.md.
#pragma once

#include <asmjit/x86.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "emu/jit/jit_helpers.h"
#include "emu/jit/translation_cache.h"
#include "emu/target/riscv/hart.h"

namespace emu::jit {

class JitEngine {
 public:
  // Installs the FENCE.I hook on `hart` (restored on destruction).
  explicit JitEngine(riscv::Hart& hart);
  ~JitEngine();
  JitEngine(const JitEngine&) = delete;
  JitEngine& operator=(const JitEngine&) = delete;

  uint64_t run(uint64_t budget);
  // Drops every translation (the size bound, destruction).
  void invalidate_all();
  // FENCE.I (through the hook): every block's guest bytes are compared again
  // before it next runs. Nothing is dropped: the byte check alone keeps
  // translations exact (docs/jit.md, "Self-modifying code"), and Linux
  // executes FENCE.I often enough that dropping everything made boots spend
  // most of their time translating again.
  void on_fence_i() { ++context_.write_epoch; }
  // Replay divergence narrowing (docs/replay.md): blocks of one instruction,
  // never chained, so that run(1) runs every emittable instruction as
  // generated code. Switching drops every translation.
  void set_single_instruction_blocks(bool on);

  struct Statistics {
    uint64_t blocks_translated = 0;
    uint64_t block_runs = 0;
    uint64_t interpreted_slots = 0;  // slots executed by Hart::run(1)
    uint64_t invalidations = 0;      // invalidate_all calls
    uint64_t stale_blocks = 0;       // blocks retranslated because their guest bytes changed
  };
  const Statistics& statistics() const { return statistics_; }
  // JitContext::execute_helper_calls (instructions generated code ran in the interpreter in place).
  uint64_t execute_helper_calls() const { return context_.execute_helper_calls; }

 private:
  // The block to run at hart.pc in the current mode, translating it if
  // needed; nullptr if this instruction must be interpreted.
  Block* block_at_pc();
  Block translate(const uint8_t* host_code, const BlockKey& key, uint64_t load_context, uint64_t store_context);

  // A direct-mapped cache in front of the translation cache's hash map
  // (docs/jit.md, "Dispatch"): most block lookups are one compare. Generated
  // code reads it too (indirect jumps, exits to other pages).
  void clear_jump_cache() { std::fill(jump_cache_.begin(), jump_cache_.end(), JumpCacheEntry{}); }

  riscv::Hart& hart_;
  void (*previous_fence_i_hook_)(riscv::Hart&) = nullptr;
  std::vector<JumpCacheEntry> jump_cache_ = std::vector<JumpCacheEntry>(kJumpCacheEntries);  // 1.3 MiB: on the heap
  // The write epoch (context_.write_epoch): advanced whenever guest memory may have been written
  // other than by generated code's fast-path stores (which never touch code
  // pages) - at the start of every run (other harts, devices, the monitor ran
  // in between), after an interpreted instruction, after a block that called
  // a helper. A block's bytes are compared with the guest's only when the
  // epoch moved since its last check.
  // (The epoch itself is context_.write_epoch: chained exits read it.)
  BlockKey dispatched_key_;  // the key of the block block_at_pc returned last
  // Counts erasures and invalidate_all: an exit cell noted before a drop
  // may belong to a dropped block and is not used after it.
  uint64_t drops_ = 0;
  // The translation cache's size bound: past this many blocks, the next
  // translation flushes everything first (as FENCE.I does).
  static constexpr size_t kMaxBlocks = 1 << 16;
  asmjit::JitRuntime runtime_;
  TranslationCache cache_;
  JitContext context_;
  Statistics statistics_;
  bool single_instruction_blocks_ = false;
};

}  // namespace emu::jit
