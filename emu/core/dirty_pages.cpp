#include "emu/core/dirty_pages.h"

#include <algorithm>

namespace emu {

void DirtyPageTracker::track(uint64_t base, uint64_t size) {
  const size_t pages = (size + kPageBytes - 1) / kPageBytes;
  Range range{base, size, std::vector<Mark>(pages, generation_),
              std::vector<Mark>((pages + kChunkPages - 1) / kChunkPages, generation_), std::vector<uint8_t>(pages, 0),
              generation_};
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
    if (range->watched[page] != 0) [[unlikely]] {
      const uint64_t first = std::max(offset, page * kPageBytes);
      const uint64_t end = std::min(last + 1, (page + 1) * kPageBytes);
      watched_page_written(*range, page, range->base + first, end - first);
    }
  }
}

void DirtyPageTracker::watched_page_written(Range& range, uint64_t page, uint64_t address, uint64_t length) {
  bool code_written = false;
  for (CodeWatcher* watcher : *code_watchers_) code_written = watcher->overlaps_code_(address, length) || code_written;
  if (!code_written) return;
  range.watched[page] = 0;
  const uint64_t page_address = range.base + page * kPageBytes;
  for (CodeWatcher* watcher : *code_watchers_) watcher->page_unwatched_(page_address);
}

void DirtyPageTracker::watch(uint64_t address) {
  Range* range = find(address);
  if (range == nullptr) return;
  const uint64_t page = (address - range->base) / kPageBytes;
  if (range->watched[page] != 0) return;
  range->watched[page] = 1;
  for (WriteCache* cache : *write_caches_) cache->rearm_page_(range->base + page * kPageBytes);
}

bool DirtyPageTracker::watched(uint64_t address) const {
  const Range* range = find(address);
  return range != nullptr && range->watched[(address - range->base) / kPageBytes] != 0;
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

DirtyPageTracker::WriteCache::WriteCache(DirtyPageTracker& tracker, std::function<void()> rearm,
                                         std::function<void(uint64_t)> rearm_page)
    : rearm_(std::move(rearm)), rearm_page_(std::move(rearm_page)), registry_(tracker.write_caches_) {
  registry_->push_back(this);
}

DirtyPageTracker::WriteCache::~WriteCache() { std::erase(*registry_, this); }

DirtyPageTracker::CodeWatcher::CodeWatcher(DirtyPageTracker& tracker,
                                           std::function<bool(uint64_t, uint64_t)> overlaps_code,
                                           std::function<void(uint64_t)> page_unwatched)
    : overlaps_code_(std::move(overlaps_code)),
      page_unwatched_(std::move(page_unwatched)),
      registry_(tracker.code_watchers_) {
  registry_->push_back(this);
}

DirtyPageTracker::CodeWatcher::~CodeWatcher() { std::erase(*registry_, this); }

}  // namespace emu
