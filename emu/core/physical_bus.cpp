#include "emu/core/physical_bus.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace emu {

PhysicalBus::Region& PhysicalBus::insert(Region region) {
  if (region.size == 0 || region.base + region.size < region.base) {
    throw std::invalid_argument("bus: region '" + region.name + "' has an invalid range");
  }
  for (const Region& existing : regions_) {
    bool disjoint = region.base + region.size <= existing.base || existing.base + existing.size <= region.base;
    if (!disjoint) {
      throw std::invalid_argument("bus: region '" + region.name + "' overlaps '" + existing.name + "'");
    }
  }
  auto position = std::lower_bound(regions_.begin(), regions_.end(), region.base,
                                   [](const Region& r, uint64_t base) { return r.base < base; });
  last_hit_ = nullptr;
  return *regions_.insert(position, std::move(region));
}

uint8_t* PhysicalBus::allocate_zeroed(uint64_t size, const std::string& name) {
  // Large regions (guest RAM) start on a 2 MiB boundary and are hinted into
  // transparent huge pages where the host allows them: a guest touching its
  // memory then costs one host page fault per 2 MiB instead of per 4 KiB.
  // Only a hint: if the host says no, nothing changes but speed.
  constexpr uint64_t kHugePage = uint64_t{2} << 20;
  const uint64_t slack = size >= kHugePage ? kHugePage : 0;
  auto* memory = size + slack < size ? nullptr : static_cast<uint8_t*>(std::calloc(size + slack, 1));
  if (!memory) throw std::invalid_argument("bus: cannot allocate " + std::to_string(size) + " bytes for '" + name + "'");
  backing_.emplace_back(memory);
  if (slack == 0) return memory;
  const auto start = reinterpret_cast<uintptr_t>(memory);
  auto* aligned = reinterpret_cast<uint8_t*>((start + kHugePage - 1) & ~uintptr_t{kHugePage - 1});
  madvise(aligned, size & ~(kHugePage - 1), MADV_HUGEPAGE);
  return aligned;
}

uint8_t* PhysicalBus::map_ram(uint64_t base, uint64_t size, std::string name) {
  uint8_t* host = allocate_zeroed(size, name);
  insert(Region{base, size, std::move(name), host, true, nullptr});
  dirty_pages_.track(base, size);
  return host;
}

uint8_t* PhysicalBus::map_rom(uint64_t base, uint64_t size, std::string name) {
  uint8_t* host = allocate_zeroed(size, name);
  insert(Region{base, size, std::move(name), host, false, nullptr});
  dirty_pages_.track(base, size);
  return host;
}

void PhysicalBus::map_device(uint64_t base, uint64_t size, Device* device) {
  insert(Region{base, size, std::string(device->name()), nullptr, true, device});
}

const PhysicalBus::Region* PhysicalBus::find(uint64_t address) const {
  if (last_hit_ && last_hit_->contains(address)) return last_hit_;
  auto position = std::upper_bound(regions_.begin(), regions_.end(), address,
                                   [](uint64_t a, const Region& r) { return a < r.base; });
  if (position == regions_.begin()) return nullptr;
  const Region& candidate = *std::prev(position);
  if (!candidate.contains(address)) return nullptr;
  last_hit_ = &candidate;
  return &candidate;
}

uint8_t* PhysicalBus::host_pointer(uint64_t address, uint64_t length) const {
  const Region* region = find(address);
  if (!region || !region->host) return nullptr;
  if (length > region->size - (address - region->base)) return nullptr;
  return region->host + (address - region->base);
}

bool PhysicalBus::read(uint64_t address, unsigned size, uint64_t& value) const {
  const Region* region = find(address);
  if (!region || size > region->size - (address - region->base)) return false;
  uint64_t offset = address - region->base;
  if (region->host) {
    value = 0;
    std::memcpy(&value, region->host + offset, size);
    return true;
  }
  value = region->device->read(offset, size);
  return true;
}

bool PhysicalBus::write(uint64_t address, unsigned size, uint64_t value) const {
  const Region* region = find(address);
  if (!region || size > region->size - (address - region->base)) return false;
  uint64_t offset = address - region->base;
  if (region->host) {
    if (!region->writable) return false;
    std::memcpy(region->host + offset, &value, size);
    dirty_pages_.mark_written(address, size);
    return true;
  }
  region->device->write(offset, value, size);
  return true;
}

}  // namespace emu
