// The guest physical address space: RAM and ROM regions backed by host memory,
// and MMIO regions routed to devices. A sorted range map; regions never overlap
// (mapping an overlapping region is a board bug and throws).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emu/core/device.h"
#include "emu/core/dirty_pages.h"

namespace emu {

class PhysicalBus {
 public:
  struct Region {
    uint64_t base = 0;
    uint64_t size = 0;
    std::string name;
    uint8_t* host = nullptr;   // RAM/ROM: host backing; nullptr for MMIO
    bool writable = true;      // false for ROM
    Device* device = nullptr;  // MMIO
    bool contains(uint64_t address) const { return address - base < size; }
  };

  // RAM is zero-filled host memory owned by the bus.
  uint8_t* map_ram(uint64_t base, uint64_t size, std::string name);
  // ROM is writable by loaders (through host()) but not by the guest.
  uint8_t* map_rom(uint64_t base, uint64_t size, std::string name);
  void map_device(uint64_t base, uint64_t size, Device* device);

  // The region holding address, or nullptr for unmapped space.
  const Region* find(uint64_t address) const;

  // Host pointer for [address, address+length) if it lies inside one RAM or
  // ROM region, else nullptr. Loaders and the TLB fast path use this; whoever
  // writes through it calls dirty_pages().mark_written (dirty_pages.h).
  uint8_t* host_pointer(uint64_t address, uint64_t length) const;

  // Guest accesses. size is 1, 2, 4 or 8 and the access must not cross a
  // region boundary (the CPU splits misaligned accesses first). They return
  // false for unmapped addresses (the CPU raises an access fault) and for
  // writes to ROM.
  bool read(uint64_t address, unsigned size, uint64_t& value) const;
  bool write(uint64_t address, unsigned size, uint64_t value) const;

  const std::vector<Region>& regions() const { return regions_; }

  // Which pages of the RAM/ROM regions were written since a mark. Like
  // write(), usable through a const bus: guest memory contents are not the
  // bus's own state.
  DirtyPageTracker& dirty_pages() const { return dirty_pages_; }

 private:
  Region& insert(Region region);
  std::vector<Region> regions_;  // sorted by base
  // calloc'd: large blocks come from the kernel as lazily zeroed pages, so a
  // 1 GiB guest costs nothing until it touches its memory.
  struct FreeBacking {
    void operator()(uint8_t* memory) const { std::free(memory); }
  };
  std::vector<std::unique_ptr<uint8_t, FreeBacking>> backing_;
  uint8_t* allocate_zeroed(uint64_t size, const std::string& name);
  mutable const Region* last_hit_ = nullptr;
  mutable DirtyPageTracker dirty_pages_;
};

}  // namespace emu
