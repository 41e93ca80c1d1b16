// Dirty-page tracking for guest RAM and ROM: which 4 KiB pages were written
// since a given moment. Consumers: the replay checkpoint hasher (rehashes only
// written pages, emu/replay/state_hash.h) and anything else that wants
// "pages written since mark M" (e.g. narrowing a replay divergence).
//
// API (the bus owns one tracker: PhysicalBus::dirty_pages()):
//   Mark m = tracker.mark();                 // a moment; cheap, any number of them
//   ... guest runs, devices DMA ...
//   tracker.for_each_written_since(m, [](uint64_t page_address) { ... });
//   tracker.written_since(address, m);
// Marks are independent: several consumers each keep their own and never
// disturb each other (no clear-on-read). A page counts as written if
// anything may have written it since the mark; the answer may include pages
// that were only made writable, never pages that were written and missed.
//
// Pages are counted from each tracked range's base (the bus tracks every
// RAM/ROM region), so a page address is base + k * 4096.
//
// Who marks (every path that writes guest RAM/ROM host memory):
//   - PhysicalBus::write (the CPUs' slow path and MMIO-flagged TLB entries);
//   - every writer through PhysicalBus::host_pointer calls mark_written
//     (device DMA through GuestMemory::write, loaders, reset's image restore);
//   - the hart's MMU when it hands out a host pointer for writing: a store
//     TLB entry, a slow-path store/AMO/SC, a page-table A/D update.
// A store TLB entry lets the inline fast paths (interpreter and JIT-generated
// code, which read the hart's TLB on every access) write its page with no
// further bookkeeping. So whoever caches host pointers for writing registers
// a WriteCache; mark() re-arms each one, which must make its next write to
// any page go through a path that marks again (the hart flags its store
// entries so the next store through each takes the slow path once).
//
// Watched pages (the JIT's self-modifying-code detection, docs/jit.md):
// a page holding translated code is watched (watch()); no write cache may
// then write it without a path that marks (rearm_page flags the hart's
// store entries for it, and the MMU keeps the flag while the page is
// watched), so every write to it reaches mark_written with its exact
// address and length. mark_written asks each CodeWatcher whether the bytes
// overlap its code; if one says yes, the page is no longer watched and every
// watcher hears page_unwatched (its translations from that page must be
// checked again before they run, which watches the page again).
//
// Single-threaded, like the machine loop. Cost: one Mark (8 bytes) and one
// byte per page.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace emu {

class DirtyPageTracker {
 public:
  using Mark = uint64_t;
  static constexpr uint64_t kPageBytes = 4096;

  // Starts tracking [base, base + size); its pages count as written now.
  // Ranges never overlap (the bus guarantees it). The caller hands over
  // zeroed memory: written_after_tracking() tells which pages may have left
  // that state.
  void track(uint64_t base, uint64_t size);
  // Was the page at address written since its range was tracked? A page
  // that was not still holds zeros (the state hash skips reading it).
  bool written_after_tracking(uint64_t address) const;

  // [address, address + length) was (or may be) written now. Addresses
  // outside every tracked range are ignored.
  void mark_written(uint64_t address, uint64_t length);

  // The current moment: a later write to any page makes it "written since"
  // the returned mark. Re-arms every registered WriteCache.
  Mark mark();

  // Watches the tracked page holding `address` (see above); re-arms the
  // write caches for it if it was not watched. Addresses outside every
  // tracked range are ignored.
  void watch(uint64_t address);
  bool watched(uint64_t address) const;

  bool written_since(uint64_t address, Mark since) const;
  // Calls visit(page_address) for each page written since `since`, in
  // ascending address order.
  template <class Visit>
  void for_each_written_since(Mark since, Visit&& visit) const {
    for (const Range& range : ranges_) {
      for (size_t chunk = 0; chunk < range.chunk_written.size(); ++chunk) {
        if (range.chunk_written[chunk] <= since) continue;
        const size_t end = std::min(range.written.size(), (chunk + 1) * kChunkPages);
        for (size_t page = chunk * kChunkPages; page < end; ++page) {
          if (range.written[page] > since) visit(range.base + page * kPageBytes);
        }
      }
    }
  }

  // RAII registration of a cache of writable host pointers (a hart's store
  // TLB). rearm runs at every mark(); rearm_page(page_address) when that
  // page becomes watched, and must make the next write to it through the
  // cache go through a path that marks. May outlive the tracker.
  class WriteCache {
   public:
    WriteCache(DirtyPageTracker& tracker, std::function<void()> rearm,
               std::function<void(uint64_t page_address)> rearm_page);
    ~WriteCache();
    WriteCache(const WriteCache&) = delete;
    WriteCache& operator=(const WriteCache&) = delete;

   private:
    friend class DirtyPageTracker;
    std::function<void()> rearm_;
    std::function<void(uint64_t)> rearm_page_;
    std::shared_ptr<std::vector<WriteCache*>> registry_;
  };

  // RAII registration of a user of watched pages (a JIT engine).
  // overlaps_code(address, length): a write to a watched page (one page's
  // part of it); true if it touches bytes the watcher translated.
  // page_unwatched(page_address): the page lost its watch (someone's code on
  // it was written); translations from it must not run unchecked. Neither
  // may call back into the tracker. May outlive the tracker.
  class CodeWatcher {
   public:
    CodeWatcher(DirtyPageTracker& tracker, std::function<bool(uint64_t address, uint64_t length)> overlaps_code,
                std::function<void(uint64_t page_address)> page_unwatched);
    ~CodeWatcher();
    CodeWatcher(const CodeWatcher&) = delete;
    CodeWatcher& operator=(const CodeWatcher&) = delete;

   private:
    friend class DirtyPageTracker;
    std::function<bool(uint64_t, uint64_t)> overlaps_code_;
    std::function<void(uint64_t)> page_unwatched_;
    std::shared_ptr<std::vector<CodeWatcher*>> registry_;
  };

 private:
  // Pages per chunk_written entry: a scan skips untouched chunks (an idle
  // Linux writes about 15 of the 65536 pages of 256 MiB per 20M-instruction
  // checkpoint interval).
  static constexpr size_t kChunkPages = 64;
  struct Range {
    uint64_t base = 0;
    uint64_t size = 0;
    std::vector<Mark> written;        // per page: the generation of its last write
    std::vector<Mark> chunk_written;  // per kChunkPages pages: the latest of theirs
    std::vector<uint8_t> watched;     // per page: holds translated code (see above)
    Mark tracked = 0;                 // the stamp track() gave every page
  };
  // A write of [address, address + length) within one page of `range`, which is watched.
  void watched_page_written(Range& range, uint64_t page, uint64_t address, uint64_t length);
  Range* find(uint64_t address);
  const Range* find(uint64_t address) const;

  std::vector<Range> ranges_;  // sorted by base
  Range* last_hit_ = nullptr;
  Mark generation_ = 1;  // writes now are stamped with this; mark() returns it and moves on
  std::shared_ptr<std::vector<WriteCache*>> write_caches_ = std::make_shared<std::vector<WriteCache*>>();
  std::shared_ptr<std::vector<CodeWatcher*>> code_watchers_ = std::make_shared<std::vector<CodeWatcher*>>();
};

}  // namespace emu
