#include "emu/replay/state_hash.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <new>

namespace emu::replay {

uint64_t xxh3(std::span<const uint8_t> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

std::string hash_hex(uint64_t hash) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

namespace {
std::string hex_address(uint64_t address) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(address));
  return text;
}
}  // namespace

StateHasher::StateHasher(uint64_t memory_group_bytes)
    : memory_group_bytes_(memory_group_bytes), machine_state_(XXH3_createState()) {
  if (!machine_state_) throw std::bad_alloc();
  XXH3_64bits_reset(machine_state_.get());
}

void StateHasher::FreeXxh3State::operator()(XXH3_state_s* state) const { XXH3_freeState(state); }

uint64_t StateHasher::machine_hash() const { return XXH3_64bits_digest(machine_state_.get()); }

void StateHasher::add(std::string name, std::span<const uint8_t> bytes) {
  const uint64_t hash = xxh3(bytes);
  components_.push_back(StateComponent{std::move(name), hash});
  XXH3_64bits_update(machine_state_.get(), &hash, sizeof hash);
}

void StateHasher::add_u64(std::string name, uint64_t value) {
  add(std::move(name), std::span(reinterpret_cast<const uint8_t*>(&value), sizeof value));
  components_.back().value = value;
}

void StateHasher::add_hart(const riscv::Hart& hart) {
  const std::string prefix = "hart" + std::to_string(hart.hart_id) + ".";
  add_u64(prefix + "pc", hart.pc);
  add_u64(prefix + "priv", static_cast<uint64_t>(hart.privilege));
  for (unsigned i = 1; i < 32; ++i) add_u64(prefix + "x" + std::to_string(i), hart.x[i]);
  for (unsigned i = 0; i < 32; ++i) add_u64(prefix + "f" + std::to_string(i), hart.f[i]);
  const riscv::Hart::Csrs& c = hart.csr;
  const std::pair<const char*, uint64_t> csrs[] = {
      {"mstatus", c.mstatus}, {"misa", c.misa}, {"medeleg", c.medeleg}, {"mideleg", c.mideleg},
      {"mie", c.mie}, {"mip", c.mip}, {"mtvec", c.mtvec}, {"mcounteren", c.mcounteren},
      {"mscratch", c.mscratch}, {"mepc", c.mepc}, {"mcause", c.mcause}, {"mtval", c.mtval},
      {"menvcfg", c.menvcfg}, {"mcountinhibit", c.mcountinhibit}, {"stvec", c.stvec},
      {"scounteren", c.scounteren}, {"sscratch", c.sscratch}, {"sepc", c.sepc}, {"scause", c.scause},
      {"stval", c.stval}, {"senvcfg", c.senvcfg}, {"satp", c.satp}, {"fflags", c.fflags}, {"frm", c.frm},
      {"tselect", c.tselect}, {"tdata1", c.tdata[0]}, {"tdata2", c.tdata[1]}, {"tdata3", c.tdata[2]},
  };
  for (const auto& [name, value] : csrs) add_u64(prefix + name, value);
  for (unsigned i = 0; i < c.pmpcfg.size(); ++i) add_u64(prefix + "pmpcfg" + std::to_string(i), c.pmpcfg[i]);
  for (unsigned i = 0; i < c.pmpaddr.size(); ++i) add_u64(prefix + "pmpaddr" + std::to_string(i), c.pmpaddr[i]);
  add_u64(prefix + "instret", hart.instret);
  add_u64(prefix + "cycle_offset", hart.cycle_offset);
  add_u64(prefix + "instret_offset", hart.instret_offset);
  add_u64(prefix + "interrupt_lines", hart.interrupt_lines);
  add_u64(prefix + "reservation", hart.reservation_valid ? hart.reservation_address : ~uint64_t{0});
  add_u64(prefix + "wfi", hart.waiting_for_interrupt);
}

namespace {
// XXH3 of each 4 KiB page of a region (the last one may be shorter).
uint64_t page_hash(const uint8_t* host, uint64_t region_size, uint64_t offset) {
  return xxh3(std::span(host + offset, std::min(StateHasher::kPageBytes, region_size - offset)));
}

// A page nothing wrote since the bus allocated it zeroed: its hash without
// reading it (reading would make the host kernel map every untouched page of
// guest RAM; for a small guest the first hash was most of a recording's cost).
uint64_t untouched_page_hash(uint64_t region_size, uint64_t offset) {
  static const std::vector<uint8_t> zeros(StateHasher::kPageBytes, 0);
  static const uint64_t full_page = xxh3(zeros);
  const uint64_t length = std::min(StateHasher::kPageBytes, region_size - offset);
  return length == StateHasher::kPageBytes ? full_page : xxh3(std::span(zeros.data(), length));
}
}  // namespace

void MemoryHashCache::refresh(const PhysicalBus& bus) {
  DirtyPageTracker& dirty = bus.dirty_pages();
  // Take the new mark first: a page written from here on is reported by the
  // next refresh, whatever this one read.
  const DirtyPageTracker::Mark now = dirty.mark();
  std::vector<const PhysicalBus::Region*> regions;
  for (const PhysicalBus::Region& region : bus.regions()) {
    if (region.host != nullptr) regions.push_back(&region);
  }
  bool same_layout = filled_ && regions.size() == regions_.size();
  for (size_t i = 0; same_layout && i < regions.size(); ++i) {
    same_layout = regions[i]->base == regions_[i].base && regions[i]->size == regions_[i].size &&
                  regions[i]->host == regions_[i].host;
  }
  if (!same_layout) {
    regions_.clear();
    for (const PhysicalBus::Region* region : regions) {
      RegionPages pages{region->base, region->size, region->host, {}};
      for (uint64_t offset = 0; offset < region->size; offset += StateHasher::kPageBytes) {
        pages.hashes.push_back(dirty.written_after_tracking(region->base + offset)
                                   ? page_hash(region->host, region->size, offset)
                                   : untouched_page_hash(region->size, offset));
      }
      pages_rehashed_ += pages.hashes.size();
      regions_.push_back(std::move(pages));
    }
  } else {
    // Pages arrive in ascending order, and regions_ is sorted like the bus.
    size_t index = 0;
    dirty.for_each_written_since(mark_, [&](uint64_t page_address) {
      while (index < regions_.size() && page_address - regions_[index].base >= regions_[index].size) ++index;
      if (index == regions_.size()) return;
      RegionPages& pages = regions_[index];
      const uint64_t offset = page_address - pages.base;
      pages.hashes[offset / StateHasher::kPageBytes] = page_hash(pages.host, pages.size, offset);
      ++pages_rehashed_;
    });
  }
  mark_ = now;
  filled_ = true;
}

void StateHasher::add_region_pages(const PhysicalBus::Region& region, const std::vector<uint64_t>& page_hashes) {
  XXH3_64bits_update(machine_state_.get(), page_hashes.data(), page_hashes.size() * sizeof(uint64_t));
  const uint64_t pages_per_group = std::max<uint64_t>(1, memory_group_bytes_ / kPageBytes);
  for (uint64_t first = 0; first < page_hashes.size(); first += pages_per_group) {
    const uint64_t count = std::min<uint64_t>(pages_per_group, page_hashes.size() - first);
    const uint64_t hash = count == 1 ? page_hashes[first]
                                     : xxh3(std::span(reinterpret_cast<const uint8_t*>(&page_hashes[first]), count * 8));
    components_.push_back(StateComponent{"mem@" + hex_address(region.base + first * kPageBytes), hash});
  }
}

void StateHasher::add_memory(const PhysicalBus& bus) {
  for (const PhysicalBus::Region& region : bus.regions()) {
    if (region.host == nullptr) continue;
    std::vector<uint64_t> pages;
    for (uint64_t offset = 0; offset < region.size; offset += kPageBytes) {
      pages.push_back(page_hash(region.host, region.size, offset));
    }
    add_region_pages(region, pages);
  }
}

void StateHasher::add_memory(const PhysicalBus& bus, MemoryHashCache& cache) {
  cache.refresh(bus);
  size_t index = 0;
  for (const PhysicalBus::Region& region : bus.regions()) {
    if (region.host != nullptr) add_region_pages(region, cache.page_hashes(index++));
  }
}

void StateHasher::add_device(std::string_view name, const Device& device) {
  StateWriter writer;
  device.save(writer);
  add("dev." + std::string(name), writer.data());
}

std::string first_difference(const std::vector<StateComponent>& current, const std::vector<uint64_t>& recorded) {
  if (current.size() != recorded.size()) return "component count";
  for (size_t i = 0; i < current.size(); ++i) {
    if (current[i].hash != recorded[i]) return current[i].name;
  }
  return {};
}

}  // namespace emu::replay
