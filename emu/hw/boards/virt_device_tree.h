// The flattened device tree that emu's `virt` board hands to firmware and
// kernels: the same nodes, compatibles and properties as QEMU 7.2's riscv64
// virt for the same options (see the memory map in riscv_virt_memory_map.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace emu::virt {

struct DeviceTreeConfig {
  unsigned harts = 1;
  uint64_t ram_size = 128ull << 20;
  std::string isa = "rv64imafdc";  // riscv,isa of every cpu node
  std::string mmu_type = "riscv,sv48";  // the deepest mode the hart supports
  std::string bootargs;                 // -append; empty -> no bootargs property
  uint64_t initrd_start = 0, initrd_end = 0;  // both 0 -> no initrd properties
};

// Returns the DTB blob. Throws std::runtime_error only on an internal libfdt
// failure (a bug), never for user input.
std::vector<uint8_t> build_device_tree(const DeviceTreeConfig& config);

}  // namespace emu::virt
