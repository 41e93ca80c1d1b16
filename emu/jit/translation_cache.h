// Translated blocks, keyed by everything their code depends on.
//
// Key: the block's virtual pc (auipc, jal and branch targets are compiled in
// as constants), its physical pc (the fetch translation at dispatch), and a
// mode word packing the privilege, the load/store TLB contexts (which are
// compiled into the inline fast path) and whether loads may read RAM
// directly (kModeDirectRamLoads). A block is looked up with the values
// current at dispatch, so a translation made under another satp mapping,
// privilege, MPRV/MPP, SUM, MXR or PMP lock state is simply never found.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "emu/jit/jit_helpers.h"

namespace emu::jit {


// Mode word bit: data accesses are M-mode's and no PMP entry is locked, so
// a load reads physical memory with no check but whether it is RAM (docs/jit.md,
// "Direct RAM loads").
inline constexpr uint64_t kModeDirectRamLoads = uint64_t{1} << 24;

struct BlockKey {
  uint64_t virtual_pc = 0;
  uint64_t physical_pc = 0;
  uint64_t mode = 0;
  bool operator==(const BlockKey&) const = default;
};

struct BlockKeyHash {
  // splitmix64's finalizer over the three words: every input bit reaches
  // every output bit, so pcs that differ only in a few bits (or virtual and
  // physical pcs a constant apart, as in a kernel's linear map) spread over
  // the buckets.
  static uint64_t mix(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }
  size_t operator()(const BlockKey& key) const {
    return static_cast<size_t>(mix(key.virtual_pc ^ mix(key.physical_pc ^ mix(key.mode))));
  }
};

// What generated code reads of a block it continues in through the jump
// cache (docs/jit.md, "Chaining"); the block itself checks at its entry that
// its length fits the budget. Heap-allocated per block, so its address is
// stable while the block lives.
struct ChainTarget {
  uint64_t verified_epoch = 0;  // the engine's write epoch when its guest bytes were last checked
  const void* entry = nullptr;  // the block's code (pinned registers already set)
};

// A normal block exit (docs/jit.md, "Block exits"). Exits to a constant pc
// in the block's own page end in a patchable direct jump (`jump_site`): the
// engine links it to the target block's code after it has dispatched that
// block right after this exit, and unlinks every cell (points the jump
// back at `unlinked`, which leaves through RuntimeStubs::exit_through_cell)
// whenever the write epoch moves or a block is dropped. Other exits (other
// pages, jalr) call RuntimeStubs::exit_through_jump_cache with the cell.
struct ExitCell {
  ChainTarget* target = nullptr;  // the block the jump is linked to (null: unlinked)
  uint8_t* jump_site = nullptr;   // the rel32 of the patchable jump (same-page exits)
  const uint8_t* unlinked = nullptr;  // where that jump goes when unlinked
  uint64_t target_pc = 0;         // the virtual pc this exit continues at (jalr: unused)
  // The key parts of the block the cell belongs to: the engine links the cell
  // only to a block in the same physical page and mode (the cell's block may
  // be a later one of a chain, not the block the dispatcher started).
  uint64_t physical_page = 0;  // physical pc >> 12
  uint64_t mode = 0;
  uint64_t fetch_context = 0;  // TLB context of fetches in that mode (the jump cache's check)
  uint32_t bits = 0;           // hart.instruction_bits when leaving here
  uint32_t slots = 0;          // slots this run of the block used when leaving here
};

// The dispatcher's direct-mapped cache in front of the hash map, also read by
// generated code for indirect jumps and exits to other pages (docs/jit.md,
// "Dispatch"). An entry is valid until the next drop (every drop clears the
// whole cache). `target` is null when the block has no code.
struct Block;
struct JumpCacheEntry {
  BlockKey key;
  ChainTarget* target = nullptr;
  Block* block = nullptr;
};
// A power of two; Linux runs tens of thousands of blocks, and every miss costs
// a hash-map lookup in the dispatcher.
inline constexpr size_t kJumpCacheEntries = size_t{1} << 15;
inline size_t jump_cache_index(uint64_t virtual_pc) { return (virtual_pc >> 1) % kJumpCacheEntries; }

// What generated code addresses in a block's data: heap-allocated once,
// sized before emission and never resized, so every address stays valid
// while the block lives.
struct BlockChaining {
  ChainTarget self;
  std::vector<ExitCell> exits;
  std::vector<HelperCallSite> helper_sites;
  // The block's instructions (HelperCallSite::instruction points here).
  std::vector<riscv::DecodedInstruction> instructions;
};

struct Block {
  const void* code = nullptr;  // entry of the generated code; nullptr: the first instruction is not emittable
  uint32_t length = 0;         // instructions: the most slots one run of the block can use
  const uint8_t* host_code = nullptr;  // where the guest bytes were read from
  std::vector<uint8_t> guest_bytes;    // what they were: checked before a run when memory may have changed
  std::unique_ptr<BlockChaining> chaining = std::make_unique<BlockChaining>();
};

class TranslationCache {
 public:
  Block* find(const BlockKey& key) {
    auto it = blocks_.find(key);
    return it == blocks_.end() ? nullptr : &it->second;
  }
  Block& insert(const BlockKey& key, Block block) { return blocks_[key] = std::move(block); }
  // The caller unlinks first every exit cell that leads to the block.
  void erase(const BlockKey& key) { blocks_.erase(key); }

  // Calls release(block.code) for every generated block, then forgets all.
  template <typename Release>
  void clear(Release release) {  // release(const void* code)
    for (auto& [key, block] : blocks_) {
      if (block.code != nullptr) release(block.code);
    }
    blocks_.clear();
  }

  size_t size() const { return blocks_.size(); }

 private:
  std::unordered_map<BlockKey, Block, BlockKeyHash> blocks_;
};

}  // namespace emu::jit
