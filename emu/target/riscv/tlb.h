// Software TLB in front of the page walker and PMP (filled by mmu.cpp).
//
// One direct-mapped table per access kind (fetch, load, store), indexed by
// virtual page number. An entry caches the complete outcome of a successful
// slow-path check for one 4 KiB virtual page in one *context*: translation
// (including A/D updates already done), page permissions, and PMP. It is only
// inserted when the decision is the same for every byte of the page.
//
// The context (effective privilege, mstatus.SUM, mstatus.MXR) is part of the
// tag, so privilege changes and SUM/MXR toggles need no flush. satp writes,
// SFENCE.VMA and PMP writes flush (the walk result and PMP are not tagged).
//
// Tag layout: virtual page address (bits 63:12) | context (bits 11:0), with
// context bit 0 always set so an all-zero (empty) entry never matches.
#pragma once

#include <array>
#include <cstdint>

namespace emu::riscv {

class Tlb {
 public:
  static constexpr unsigned kEntries = 256;  // per access kind; a power of two
  static constexpr uint64_t kPageSize = 4096;
  static constexpr uint64_t kPageOffsetMask = kPageSize - 1;

  enum class Access : uint8_t { Fetch = 0, Load = 1, Store = 2 };  // Store also covers AMO and SC

  // Entry flags: any nonzero flag sends the access to the slow path, which
  // then uses physical_page instead of walking again.
  static constexpr uint8_t kFlagNotHostBacked = 1;  // MMIO, or a store to ROM
  // A host-backed store entry whose page must be marked written again before
  // the next store through it (dirty-page tracking, emu/core/dirty_pages.h):
  // set on every such entry by rearm_store_tracking(), cleared by the slow
  // path once it has marked the page. Costs the fast paths nothing. Entries
  // for a watched page (it holds translated code) keep it: every store to
  // such a page is marked with its exact bytes (mmu.cpp, resolve).
  static constexpr uint8_t kFlagWriteUntracked = 2;

  // Set in an entry's stored tag while its flags are nonzero (above the
  // context bits, below the page): the fast paths' one compare with
  // make_tag() then fails for a flagged entry, so they need no flags test.
  static constexpr uint64_t kTagFlagged = uint64_t{1} << 5;

  // 32 bytes, so that the JIT's fast path finds an entry with one shift
  // and one mask of the virtual address (emu/jit/x86_64_emitter.cpp).
  struct Entry {
    uint64_t tag = 0;             // make_tag(page, context), | kTagFlagged while flags != 0
    uint64_t host_addend = 0;     // host address = virtual address + host_addend (mod 2^64) when flags == 0
    uint64_t physical_page = 0;   // physical address of the page's first byte
    uint8_t flags = 0;            // change with set_flags once the entry is in the table
    uint8_t leaf_page_bits = 12;  // log2 of the leaf mapping's size (4 KiB, 2 MiB, ...) for SFENCE.VMA
    void set_flags(uint8_t new_flags) {
      flags = new_flags;
      tag = new_flags != 0 ? tag | kTagFlagged : tag & ~kTagFlagged;
    }
  };
  static_assert(sizeof(Entry) == 32);

  // Context bits: 1 | effective privilege << 1 | SUM << 3 | MXR << 4.
  static constexpr uint64_t make_context(unsigned effective_privilege, bool sum, bool mxr) {
    return 1u | (effective_privilege << 1) | (uint64_t{sum} << 3) | (uint64_t{mxr} << 4);
  }
  static constexpr uint64_t make_tag(uint64_t virtual_address, uint64_t context) {
    return (virtual_address & ~kPageOffsetMask) | context;
  }

  // The entry caching virtual_address's page in this context, or nullptr.
  const Entry* lookup(Access access, uint64_t virtual_address, uint64_t context) const {
    const Entry& entry = slot(access, virtual_address);
    return (entry.tag & ~kTagFlagged) == make_tag(virtual_address, context) ? &entry : nullptr;
  }

  // Fast path: host pointer for an access that lies inside one page, or
  // nullptr if the slow path must run (no entry, or a flagged one).
  uint8_t* host_address(Access access, uint64_t virtual_address, uint64_t context) const {
    const Entry& entry = slot(access, virtual_address);
    if (entry.tag != make_tag(virtual_address, context)) return nullptr;
    return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(virtual_address + entry.host_addend));
  }

  void insert(Access access, uint64_t virtual_address, uint64_t context, const Entry& entry) {
    Entry& target = slot(access, virtual_address);
    target = entry;
    target.tag = make_tag(virtual_address, context);
    target.set_flags(entry.flags);
  }

  Entry* lookup(Access access, uint64_t virtual_address, uint64_t context) {
    Entry& entry = slot(access, virtual_address);
    return (entry.tag & ~kTagFlagged) == make_tag(virtual_address, context) ? &entry : nullptr;
  }

  void flush() { entries_ = {}; }

  // A dirty-page tracker took a mark: the next store through each
  // host-backed store entry goes to the slow path once (which marks the page
  // and clears the flag). The translations stay, so nothing the guest can
  // see changes (no re-walk, no A/D update).
  void rearm_store_tracking() {
    for (Entry& entry : entries_[static_cast<unsigned>(Access::Store)]) {
      if (entry.tag != 0 && entry.flags == 0) entry.set_flags(kFlagWriteUntracked);
    }
  }

  // The page at physical_page became watched: stores through host-backed
  // entries for it take the slow path from now on.
  void rearm_store_tracking(uint64_t physical_page) {
    for (Entry& entry : entries_[static_cast<unsigned>(Access::Store)]) {
      if (entry.tag != 0 && entry.flags == 0 && entry.physical_page == physical_page) {
        entry.set_flags(kFlagWriteUntracked);
      }
    }
  }

  // The direct-mapped table of one access kind (kEntries entries, indexed by
  // virtual page number mod kEntries), for the JIT's inline fast path.
  const Entry* table(Access access) const { return entries_[static_cast<unsigned>(access)].data(); }

  // SFENCE.VMA with an address: drops every entry whose leaf mapping covers
  // virtual_address (a superpage is cached as several 4 KiB entries, and the
  // fence must drop all of them), in every context and access kind.
  void flush_address(uint64_t virtual_address) {
    for (auto& table : entries_) {
      for (Entry& entry : table) {
        if (entry.tag == 0) continue;
        uint64_t page_mask = ~((uint64_t{1} << entry.leaf_page_bits) - 1);
        if ((entry.tag & page_mask) == (virtual_address & page_mask)) entry = Entry{};
      }
    }
  }

 private:
  static unsigned index(uint64_t virtual_address) {
    return static_cast<unsigned>(virtual_address >> 12) & (kEntries - 1);
  }
  Entry& slot(Access access, uint64_t virtual_address) {
    return entries_[static_cast<unsigned>(access)][index(virtual_address)];
  }
  const Entry& slot(Access access, uint64_t virtual_address) const {
    return entries_[static_cast<unsigned>(access)][index(virtual_address)];
  }

  std::array<std::array<Entry, kEntries>, 3> entries_{};
};

}  // namespace emu::riscv
