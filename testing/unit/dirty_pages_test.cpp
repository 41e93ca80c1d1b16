// Dirty-page tracking (emu/core/dirty_pages.h) and the incremental state hash
// built on it (emu/replay/state_hash.h, MemoryHashCache): whatever path writes
// guest RAM - interpreter stores (TLB fast path, slow path, page-crossing),
// AMOs, LR/SC, JIT-generated inline stores, page-table A/D updates by the
// walker, bus writes, device DMA through GuestMemory::write - a hash that
// rehashes only the pages written since the previous hash must equal one
// computed from scratch, and an older, independent mark must still see every
// page changed since it was taken.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include "emu/core/dirty_pages.h"
#include "emu/core/physical_bus.h"
#include "emu/hw/virtio/virtqueue.h"
#include "emu/jit/jit_engine.h"
#include "emu/replay/state_hash.h"
#include "emu/target/riscv/hart.h"
#include "testing/unit/jit_test_machine.h"

namespace emu {
namespace {

using namespace jit::test_machine;
using replay::MemoryHashCache;
using replay::StateHasher;

TEST(DirtyPageTracker, MarksAreIndependent) {
  DirtyPageTracker tracker;
  tracker.track(0x1000, 0x4000);
  const DirtyPageTracker::Mark first = tracker.mark();
  EXPECT_FALSE(tracker.written_since(0x1000, first));
  tracker.mark_written(0x1ffe, 4);  // straddles pages 0 and 1
  const DirtyPageTracker::Mark second = tracker.mark();
  tracker.mark_written(0x4000, 1);
  std::vector<uint64_t> since_first, since_second;
  tracker.for_each_written_since(first, [&](uint64_t page) { since_first.push_back(page); });
  tracker.for_each_written_since(second, [&](uint64_t page) { since_second.push_back(page); });
  EXPECT_EQ(since_first, (std::vector<uint64_t>{0x1000, 0x2000, 0x4000}));
  EXPECT_EQ(since_second, (std::vector<uint64_t>{0x4000}));
  tracker.mark_written(0x9000, 8);  // untracked: ignored
  EXPECT_FALSE(tracker.written_since(0x9000, first));
}

TEST(DirtyPageTracker, WriteCacheIsRearmedAtEveryMarkAndMayOutliveTheTracker) {
  int rearmed = 0;
  auto tracker = std::make_unique<DirtyPageTracker>();
  std::vector<uint64_t> rearmed_pages;
  auto cache = std::make_unique<DirtyPageTracker::WriteCache>(
      *tracker, [&] { ++rearmed; }, [&](uint64_t page) { rearmed_pages.push_back(page); });
  tracker->track(0x1000, 0x2000);
  tracker->mark();
  tracker->mark();
  EXPECT_EQ(rearmed, 2);
  tracker->watch(0x1234);
  tracker->watch(0x1ff8);  // already watched: no second re-arm
  EXPECT_EQ(rearmed_pages, (std::vector<uint64_t>{0x1000}));
  tracker.reset();
  cache.reset();  // no use after free (ASan)
}

// Watched pages: every write to one is offered to the code watchers with its
// exact bytes; only a write that a watcher calls code ends the watch, and
// then every watcher hears it. Unwatched pages are not reported.
TEST(DirtyPageTracker, WatchedPageReportsWritesUntilOneTouchesCode) {
  DirtyPageTracker tracker;
  tracker.track(0x1000, 0x4000);
  std::vector<std::pair<uint64_t, uint64_t>> offered;
  std::vector<uint64_t> unwatched_first, unwatched_second;
  DirtyPageTracker::CodeWatcher first(
      tracker,
      [&](uint64_t address, uint64_t length) {
        offered.emplace_back(address, length);
        return address <= 0x2100 && 0x2100 < address + length;  // "code" at 0x2100
      },
      [&](uint64_t page) { unwatched_first.push_back(page); });
  DirtyPageTracker::CodeWatcher second(
      tracker, [](uint64_t, uint64_t) { return false; }, [&](uint64_t page) { unwatched_second.push_back(page); });
  tracker.mark_written(0x2000, 8);  // not watched yet
  EXPECT_TRUE(offered.empty());
  tracker.watch(0x2000);
  EXPECT_TRUE(tracker.watched(0x2fff));
  EXPECT_FALSE(tracker.watched(0x3000));
  tracker.mark_written(0x2008, 4);  // data next to the code
  EXPECT_TRUE(tracker.watched(0x2000));
  EXPECT_TRUE(unwatched_first.empty());
  tracker.mark_written(0x1ffc, 0x108);  // crosses into the page and over the code
  EXPECT_EQ(offered, (std::vector<std::pair<uint64_t, uint64_t>>{{0x2008, 4}, {0x2000, 0x104}}));
  EXPECT_FALSE(tracker.watched(0x2000));
  EXPECT_EQ(unwatched_first, (std::vector<uint64_t>{0x2000}));
  EXPECT_EQ(unwatched_second, (std::vector<uint64_t>{0x2000}));
  tracker.mark_written(0x2100, 1);  // no longer watched: not offered
  EXPECT_EQ(offered.size(), 2u);
}

TEST(DirtyPageTracker, UntouchedPagesAreKnownWithoutReadingThem) {
  DirtyPageTracker tracker;
  const DirtyPageTracker::Mark before = tracker.mark();
  tracker.track(0x1000, 0x3800);  // the last page is a short one
  EXPECT_TRUE(tracker.written_since(0x1000, before));  // tracking counts as a write for older marks
  EXPECT_FALSE(tracker.written_after_tracking(0x1000));
  tracker.mark_written(0x2004, 1);  // no mark() in between: still after tracking
  EXPECT_TRUE(tracker.written_after_tracking(0x2000));
  EXPECT_FALSE(tracker.written_after_tracking(0x3000));
  EXPECT_TRUE(tracker.written_after_tracking(0x9000));  // untracked: assume written
}

// The first hash of a bus takes untouched pages as zeros without reading
// them, so every write before it must have been marked: a loader-style write
// through host_pointer, a bus write, a short last page. A write behind the
// tracker's back shows up as a difference (the check can fail).
TEST(MemoryHashCache, FirstHashTrustsTheTrackerForUntouchedPages) {
  auto full_hash = [](const PhysicalBus& bus) {
    StateHasher hasher;
    hasher.add_memory(bus);
    return hasher.machine_hash();
  };
  auto cached_hash = [](const PhysicalBus& bus) {
    MemoryHashCache cache;
    StateHasher hasher;
    hasher.add_memory(bus, cache);
    return hasher.machine_hash();
  };
  PhysicalBus bus;
  bus.map_ram(0x80000000, 0x10000 + 0x800, "ram");
  bus.map_rom(0x1000, 0x2000, "rom");
  EXPECT_EQ(cached_hash(bus), full_hash(bus));
  const uint8_t image[] = {1, 2, 3, 4};
  std::memcpy(bus.host_pointer(0x1000, 4), image, 4);  // as the loaders do it
  bus.dirty_pages().mark_written(0x1000, 4);
  ASSERT_TRUE(bus.write(0x80010400, 1, 0x55));  // in the short last page
  EXPECT_EQ(cached_hash(bus), full_hash(bus));
  bus.host_pointer(0x80004000, 1)[0] = 9;  // unmarked
  EXPECT_NE(cached_hash(bus), full_hash(bus));
}

// Layout inside the test machine's 1 MiB of RAM (jit_test_machine.h).
constexpr uint64_t kPageTable = kRamBase + 0xf0000;  // Sv39 root: one 1 GiB leaf over RAM
constexpr unsigned kDataPages = 8;                    // from kDataBase
constexpr uint64_t kSatpSv39 = uint64_t{8} << 60;
constexpr uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteA = 64, kPteD = 128;
constexpr uint64_t kGigapagePte = (kRamBase >> 12) << 10 | kPteV | kPteR | kPteW | kPteX;  // A/D clear
constexpr uint64_t kPteAddress = kPageTable + 8 * (kRamBase >> 30);

// One code slot (16 bytes) per operation; each ends in a jump to itself so a
// JIT block is [operation, jal] and fits a budget of 2.
enum Slot : unsigned { kStoreByte, kStoreHalf, kStoreWord, kStoreDouble, kAmoAdd, kAmoSwap, kLrSc, kSlotCount };
uint64_t slot_address(unsigned slot) { return kCodeBase + 16 * slot; }
uint32_t amo_instruction(uint32_t funct5, unsigned rs2, unsigned rs1, uint32_t funct3, unsigned rd) {
  return funct5 << 27 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x2f;
}

struct TrackedMachine : Machine {
  TrackedMachine() : engine(hart) {
    const uint32_t jump_self = j_type(0, 0);
    for (unsigned size_log = 0; size_log < 4; ++size_log) {
      write_code(slot_address(size_log), {s_type(0, 2, 1, size_log, kStore), jump_self});  // s{b,h,w,d} x2, 0(x1)
    }
    write_code(slot_address(kAmoAdd), {amo_instruction(0x00, 2, 1, 3, 3), jump_self});   // amoadd.d x3, x2, (x1)
    write_code(slot_address(kAmoSwap), {amo_instruction(0x01, 2, 1, 2, 3), jump_self});  // amoswap.w x3, x2, (x1)
    write_code(slot_address(kLrSc), {amo_instruction(0x02, 0, 1, 3, 3), amo_instruction(0x03, 2, 1, 3, 4), jump_self});
    std::memcpy(ram + (kPteAddress - kRamBase), &kGigapagePte, 8);
    bus.dirty_pages().mark_written(kPteAddress, 8);
    hart.csr.satp = kSatpSv39 | (kPageTable >> 12);
  }
  jit::JitEngine engine;
};

enum class Path { Interpreter, Jit, BusWrite, Dma, ClearAccessedDirty };

// The incremental hash must give the components and machine hash of a
// from-scratch hash (both the per-page and the log's grouped form).
void check_incremental_equals_scratch(const PhysicalBus& bus, MemoryHashCache& cache, uint64_t group_bytes) {
  StateHasher incremental(group_bytes), scratch(group_bytes);
  incremental.add_memory(bus, cache);
  scratch.add_memory(bus);
  RC_ASSERT(incremental.machine_hash() == scratch.machine_hash());
  RC_ASSERT(incremental.components().size() == scratch.components().size());
  for (size_t i = 0; i < scratch.components().size(); ++i) {
    RC_ASSERT(incremental.components()[i].name == scratch.components()[i].name);
    RC_ASSERT(incremental.components()[i].hash == scratch.components()[i].hash);
  }
}

RC_GTEST_PROP(DirtyPages, IncrementalHashEqualsScratchOverEveryWritePath, ()) {
  TrackedMachine machine;
  Hart& hart = machine.hart;
  PhysicalBus& bus = machine.bus;
  GuestMemory dma(bus);
  MemoryHashCache cache;
  check_incremental_equals_scratch(bus, cache, StateHasher::kPageBytes);  // fills the cache

  // A second consumer with its own, older mark (like divergence narrowing).
  std::vector<uint8_t> snapshot(machine.ram, machine.ram + kRamSize);
  const DirtyPageTracker::Mark old_mark = bus.dirty_pages().mark();
  uint64_t jit_block_runs = 0;

  const auto operations = *rc::gen::inRange(1, 40);
  for (int step = 0; step < operations; ++step) {
    const auto path = *rc::gen::element(Path::Interpreter, Path::Jit, Path::Interpreter, Path::Jit, Path::BusWrite,
                                        Path::Dma, Path::ClearAccessedDirty);
    const unsigned slot = *rc::gen::inRange(0u, static_cast<unsigned>(kSlotCount));
    const unsigned size = slot <= kStoreDouble ? 1u << slot : 8;
    // Any byte of the data pages; plain stores may cross a page boundary.
    uint64_t address = kDataBase + *rc::gen::inRange<uint64_t>(0, kDataPages * 4096 - 8);
    if (*rc::gen::arbitrary<bool>()) address = (address | 0xfff) - *rc::gen::inRange<uint64_t>(0, 8);
    if (slot > kStoreDouble) address &= ~uint64_t{7};  // AMO/LR/SC must be aligned
    const uint64_t value = *rc::gen::arbitrary<uint64_t>();
    // Paged S-mode (the walker sets A/D in the page table) or bare M-mode.
    hart.privilege = *rc::gen::arbitrary<bool>() ? Privilege::Supervisor : Privilege::Machine;

    switch (path) {
      case Path::Interpreter:
      case Path::Jit: {
        hart.pc = slot_address(slot);
        hart.x[1] = address;
        hart.x[2] = value;
        const uint64_t budget = slot == kLrSc ? 3 : 2;
        if (path == Path::Interpreter) {
          hart.run(slot == kLrSc ? 2 : 1);
        } else {
          const uint64_t runs = machine.engine.statistics().block_runs;
          machine.engine.run(budget);
          jit_block_runs += machine.engine.statistics().block_runs - runs;
        }
        RC_ASSERT(hart.csr.mcause == 0);  // nothing trapped
        break;
      }
      case Path::BusWrite:
        RC_ASSERT(bus.write(address & ~uint64_t{size - 1}, size, value));
        break;
      case Path::Dma: {
        std::vector<uint8_t> bytes(*rc::gen::inRange<size_t>(1, 300), static_cast<uint8_t>(value));
        RC_ASSERT(dma.write(address, bytes));
        break;
      }
      case Path::ClearAccessedDirty:
        // The guest clears A/D in its page table and fences: the next access
        // walks again and the walker sets them.
        RC_ASSERT(bus.write(kPteAddress, 8, kGigapagePte));
        hart.flush_tlb();
        break;
    }
    if (*rc::gen::weightedElement<bool>({{1, true}, {2, false}})) {
      check_incremental_equals_scratch(bus, cache,
                                       *rc::gen::element(StateHasher::kPageBytes, StateHasher::kSummaryGroupBytes));
    }
  }
  check_incremental_equals_scratch(bus, cache, StateHasher::kPageBytes);

  // Every page that changed since the old mark is reported as written.
  for (uint64_t page = 0; page < kRamSize; page += 4096) {
    if (std::memcmp(snapshot.data() + page, machine.ram + page, 4096) != 0) {
      RC_ASSERT(bus.dirty_pages().written_since(kRamBase + page, old_mark));
    }
  }
  RC_TAG(jit_block_runs > 0 ? "jit blocks ran" : "no jit block");
}

// The walker's A/D update lands in the page-table page; a store through a TLB
// entry filled before a mark must mark its page again (deterministic cases of
// the property above, each on one path).
TEST(DirtyPages, StoresThroughEntriesFilledBeforeAMarkAreSeen) {
  for (bool use_jit : {false, true}) {
    TrackedMachine machine;
    machine.hart.privilege = Privilege::Supervisor;
    MemoryHashCache cache;
    StateHasher first;
    first.add_memory(machine.bus, cache);
    const auto store = [&](uint64_t value) {
      machine.hart.pc = slot_address(kStoreDouble);
      machine.hart.x[1] = kDataBase + 0x40;
      machine.hart.x[2] = value;
      if (use_jit) machine.engine.run(2);
      else machine.hart.run(1);
    };
    store(1);  // fills the store TLB entry (and sets A/D)
    const DirtyPageTracker::Mark mark = machine.bus.dirty_pages().mark();
    EXPECT_TRUE(machine.bus.dirty_pages().written_since(kPteAddress, 0)) << "A/D update not marked";
    store(2);  // same entry, after the mark
    store(3);  // and again (the JIT's inline path once the entry is re-armed)
    EXPECT_TRUE(machine.bus.dirty_pages().written_since(kDataBase, mark)) << (use_jit ? "jit" : "interpreter");
    StateHasher incremental, scratch;
    incremental.add_memory(machine.bus, cache);
    scratch.add_memory(machine.bus);
    EXPECT_EQ(incremental.machine_hash(), scratch.machine_hash()) << (use_jit ? "jit" : "interpreter");
    uint64_t stored = 0;
    std::memcpy(&stored, machine.ram + (kDataBase + 0x40 - kRamBase), 8);
    EXPECT_EQ(stored, 3u);
  }
}

}  // namespace
}  // namespace emu
