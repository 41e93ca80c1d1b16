#include "emu/core/dirty_pages.h"

#include <algorithm>

namespace emu {

void DirtyPageTracker::track(uint64_t base, uint64_t size) {
  const size_t pages = (size + kPageBytes - 1) / kPageBytes;
  Range range{base, size, std::vector<Mark>(pages, generation_),
              std::vector<Mark>((pages + kChunkPages - 1) / kChunkPages, generation_), generation_};
  // Later writes get a newer stamp than tracking did, so written_after_tracking
  // can tell them apart. (No store TLB entry can point into a new range, so
  // no write cache needs re-arming.)
  ++generation_;
  auto position = std::lower_bound(ranges_.begin(), ranges_.end(), base,
                                   [](const Range& r, uint64_t b) { return r.base < b; });
  ranges_.insert(position, std::move(range));
  last_hit_ = nullptr;
}

DirtyPageTracker::Range* DirtyPageTracker::find(uint64_t address) {
  if (last_hit_ != nullptr && address - last_hit_->base < last_hit_->size) return last_hit_;
  auto position = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                                   [](uint64_t a, const Range& r) { return a < r.base; });
  if (position == ranges_.begin()) return nullptr;
  Range& candidate = *std::prev(position);
  if (address - candidate.base >= candidate.size) return nullptr;
  last_hit_ = &candidate;
  return &candidate;
}

const DirtyPageTracker::Range* DirtyPageTracker::find(uint64_t address) const {
  auto position = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                                   [](uint64_t a, const Range& r) { return a < r.base; });
  if (position == ranges_.begin()) return nullptr;
  const Range& candidate = *std::prev(position);
  return address - candidate.base < candidate.size ? &candidate : nullptr;
}

void DirtyPageTracker::mark_written(uint64_t address, uint64_t length) {
  if (length == 0) return;
  Range* range = find(address);
  if (range == nullptr) return;
  // A write never crosses a range (the bus's regions), so clip to this one.
  const uint64_t offset = address - range->base;
  const uint64_t last = offset + std::min(length, range->size - offset) - 1;
  for (uint64_t page = offset / kPageBytes; page <= last / kPageBytes; ++page) {
    range->written[page] = generation_;
    range->chunk_written[page / kChunkPages] = generation_;
  }
}

DirtyPageTracker::Mark DirtyPageTracker::mark() {
  for (WriteCache* cache : *write_caches_) cache->rearm_();
  return generation_++;
}

bool DirtyPageTracker::written_after_tracking(uint64_t address) const {
  const Range* range = find(address);
  return range == nullptr || range->written[(address - range->base) / kPageBytes] > range->tracked;
}

bool DirtyPageTracker::written_since(uint64_t address, Mark since) const {
  const Range* range = find(address);
  return range != nullptr && range->written[(address - range->base) / kPageBytes] > since;
}

DirtyPageTracker::WriteCache::WriteCache(DirtyPageTracker& tracker, std::function<void()> rearm)
    : rearm_(std::move(rearm)), registry_(tracker.write_caches_) {
  registry_->push_back(this);
}

DirtyPageTracker::WriteCache::~WriteCache() { std::erase(*registry_, this); }

}  // namespace emu
