// The JIT execution engine for one hart. JitEngine::run(budget) has exactly
// the semantics of Hart::run(budget): same return value, same architectural
// state afterwards (registers, pc, privilege, CSRs, instret, memory), same
// traps and interrupts at the same instruction boundaries. See docs/jit.md.
#pragma once

#include <asmjit/x86.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "emu/jit/jit_helpers.h"
#include "emu/jit/translation_cache.h"
#include "emu/jit/x86_64_emitter.h"
#include "emu/target/riscv/hart.h"

namespace emu::jit {

class JitEngine {
 public:
  // Installs the FENCE.I hook on `hart` (restored on destruction). A block
  // is translated once dispatch has reached its start translation_threshold
  // times (docs/jit.md, "When a block is translated"); before that the
  // interpreter runs it, one instruction per dispatch.
  explicit JitEngine(riscv::Hart& hart, uint32_t translation_threshold = 1);
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
  void on_fence_i() { advance_write_epoch(); }
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
    uint64_t dispatches = 0;         // block_at_pc calls
    uint64_t byte_checks = 0;        // guest-byte comparisons (the write epoch had moved)
    uint64_t jump_cache_misses = 0;  // dispatches that went to the hash map
    uint64_t links = 0;              // exits patched to jump to their next block
    uint64_t epochs = 0;             // write-epoch advances (each unlinks every exit)
  };
  const Statistics& statistics() const { return statistics_; }
  // JitContext::execute_helper_calls (instructions generated code ran in the interpreter in place).
  uint64_t execute_helper_calls() const { return context_.execute_helper_calls; }

 private:
  // The block to run at hart.pc in the current mode, translating it if
  // needed; nullptr if this instruction must be interpreted: then *cold is
  // true if that is because the pc has not been reached often enough yet
  // (else its fetch misses the TLB, reaches MMIO, ...).
  Block* block_at_pc(bool* cold);
  Block translate(const uint8_t* host_code, const BlockKey& key, uint64_t load_context, uint64_t store_context);
  // The hart's field offsets generated code uses (the rest of EmitterTarget
  // describes one block).
  EmitterTarget hart_offsets() const;

  // Self-modifying code (docs/jit.md): the bytes a block was translated
  // from, or checked against, are watched through the bus's dirty-page
  // tracker, which reports every write to a watched page.
  static uint64_t code_chunks(uint64_t address, uint64_t length);
  void watch_code(uint64_t physical_pc, uint64_t length);
  bool overlaps_code(uint64_t address, uint64_t length) const;
  void page_unwatched(uint64_t page_address);
  // Chaining (docs/jit.md): an exit's direct jump is patched to enter the
  // block the dispatcher found right after it; every link is undone when
  // the write epoch moves or a block is dropped.
  void advance_write_epoch();
  void link(ExitCell& cell, Block& target);
  void unlink_all();

  // A direct-mapped cache in front of the translation cache's hash map
  // (docs/jit.md, "Dispatch"): most block lookups are one compare. Generated
  // code reads it too (indirect jumps, exits to other pages).
  void clear_jump_cache() { std::fill(jump_cache_.begin(), jump_cache_.end(), JumpCacheEntry{}); }

  riscv::Hart& hart_;
  // Physical page number -> 64-byte chunks holding bytes of translated
  // blocks (a superset: chunks of dropped blocks stay until the page's
  // watch ends).
  std::unordered_map<uint64_t, uint64_t> code_chunks_;
  DirtyPageTracker::CodeWatcher code_watcher_;
  void (*previous_fence_i_hook_)(riscv::Hart&) = nullptr;
  std::vector<JumpCacheEntry> jump_cache_ = std::vector<JumpCacheEntry>(kJumpCacheEntries);  // 1.3 MiB: on the heap
  // The write epoch (context_.write_epoch, which chained exits read):
  // advanced when translated bytes may have changed - a write to code bytes
  // (page_unwatched) or FENCE.I. A block's bytes are compared with the
  // guest's only when the epoch moved since its last check.
  // A one-hash Bloom filter of the virtual pcs that have a block: most
  // dispatches that miss the jump cache are interpreted instructions with
  // none, and a hash-map lookup that finds nothing costs a few cache misses.
  static constexpr unsigned kBlockFilterBits = 20;
  static size_t block_filter_bit(uint64_t pc) { return ((pc >> 1) * 0x9e3779b97f4a7c15ull) >> (64 - kBlockFilterBits); }
  bool may_have_block(uint64_t pc) const {
    const size_t bit = block_filter_bit(pc);
    return (block_filter_[bit / 64] >> (bit % 64) & 1) != 0;
  }
  void note_block(uint64_t pc) {
    const size_t bit = block_filter_bit(pc);
    block_filter_[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  std::vector<uint64_t> block_filter_ = std::vector<uint64_t>((size_t{1} << kBlockFilterBits) / 64);
  // Dispatches that reached a pc with no translation yet, direct-mapped like
  // the jump cache (a collision restarts the count: translation comes later).
  uint32_t translation_threshold_ = 1;
  std::vector<BlockKey> cold_keys_ = std::vector<BlockKey>(kJumpCacheEntries);
  std::vector<uint32_t> cold_counts_ = std::vector<uint32_t>(kJumpCacheEntries);
  BlockKey dispatched_key_;  // the key of the block block_at_pc returned last
  // Counts erasures and invalidate_all: an exit cell noted before a drop
  // may belong to a dropped block and is not used after it.
  uint64_t drops_ = 0;
  // The translation cache's size bound: past this many blocks, the next
  // translation flushes everything first (as FENCE.I does).
  static constexpr size_t kMaxBlocks = 1 << 16;
  asmjit::JitRuntime runtime_;
  RuntimeStubs stubs_;
  bool stubs_available_ = false;
  std::vector<ExitCell*> linked_cells_;
  bool code_is_patchable_ = true;
  TranslationCache cache_;
  JitContext context_;
  Statistics statistics_;
  bool single_instruction_blocks_ = false;
};

}  // namespace emu::jit
