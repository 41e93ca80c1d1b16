// Hashing the whole guest-visible machine state (record/replay checkpoints,
// engine comparisons such as JIT vs interpreter, QMP x-query-state-hash).
//
// The state is a fixed, ordered list of components, each hashed on its own
// with XXH3-64:
//   hartN.pc, hartN.priv, hartN.x1..x31, hartN.f0..f31, hartN.<csr> (every
//   field of Hart::Csrs, pmp entries one by one), hartN.instret and friends;
//   mem@<base>: one component per 4 KiB page of every RAM/ROM region;
//   dev.<name>: each device's save() stream;
//   clock.icount.
// The machine hash is XXH3-64 of the component hashes in that order, so two
// machines in the same state give the same hash, and two breakdowns say which
// component differs. Summaries coarsen the page components to 1 MiB groups
// for storage in a replay log (a log cannot afford one hash per page).
//
// Incremental memory hashing: a MemoryHashCache keeps every page's hash
// between runs and, through the bus's dirty-page tracker
// (emu/core/dirty_pages.h), rehashes only the pages written since its
// previous refresh (ROM pages, never written after loading, are hashed once).
// add_memory(bus, cache) gives exactly the components and hashes of
// add_memory(bus), which hashes every page from scratch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "emu/core/device.h"
#include "emu/core/physical_bus.h"
#include "emu/target/riscv/hart.h"

struct XXH3_state_s;  // xxhash.h

namespace emu::replay {

uint64_t xxh3(std::span<const uint8_t> bytes);
// "0123456789abcdef": 16 lowercase hex digits.
std::string hash_hex(uint64_t hash);

struct StateComponent {
  std::string name;
  uint64_t hash = 0;
  std::optional<uint64_t> value;  // add_u64's value (registers, CSRs), for divergence reports
};

// Page hashes of one bus's RAM/ROM regions kept between state hashes.
class MemoryHashCache {
 public:
  // Brings the hash of every page up to date: all pages on the first call
  // (or when the bus's RAM/ROM regions changed), afterwards only the pages
  // written since the previous call.
  void refresh(const PhysicalBus& bus);
  // Region i's page hashes (i counts RAM/ROM regions in bus order).
  const std::vector<uint64_t>& page_hashes(size_t region_index) const { return regions_[region_index].hashes; }
  uint64_t pages_rehashed() const { return pages_rehashed_; }  // total, for statistics

 private:
  struct RegionPages {
    uint64_t base = 0;
    uint64_t size = 0;
    const uint8_t* host = nullptr;
    std::vector<uint64_t> hashes;
  };
  std::vector<RegionPages> regions_;
  DirtyPageTracker::Mark mark_ = 0;
  bool filled_ = false;
  uint64_t pages_rehashed_ = 0;
};

class StateHasher {
 public:
  // `memory_group_bytes` > 4096 merges consecutive pages into one component
  // (the log's summary form); 4096 keeps one per page.
  explicit StateHasher(uint64_t memory_group_bytes = kPageBytes);

  static constexpr uint64_t kPageBytes = 4096;
  static constexpr uint64_t kSummaryGroupBytes = uint64_t{1} << 20;

  void add(std::string name, std::span<const uint8_t> bytes);
  void add_u64(std::string name, uint64_t value);
  void add_hart(const riscv::Hart& hart);
  void add_memory(const PhysicalBus& bus);  // every RAM/ROM region, every page hashed now
  void add_memory(const PhysicalBus& bus, MemoryHashCache& cache);  // the same, from refreshed cached page hashes
  void add_device(std::string_view name, const Device& device);

  const std::vector<StateComponent>& components() const { return components_; }
  // XXH3 over the component hashes (independent of the grouping: groups hash
  // their page hashes, and the machine hash is always over page hashes).
  uint64_t machine_hash() const;

 private:
  void add_region_pages(const PhysicalBus::Region& region, const std::vector<uint64_t>& page_hashes);

  uint64_t memory_group_bytes_;
  std::vector<StateComponent> components_;
  // XXH3 streamed over the component hashes at page granularity (the same
  // digest as hashing their concatenation, without keeping the list).
  struct FreeXxh3State {
    void operator()(XXH3_state_s* state) const;
  };
  std::unique_ptr<XXH3_state_s, FreeXxh3State> machine_state_;
};

// The first component whose hash differs, by position (both lists come from
// the same machine configuration); "" if none. A length mismatch names
// "component count".
std::string first_difference(const std::vector<StateComponent>& current, const std::vector<uint64_t>& recorded);

}  // namespace emu::replay
