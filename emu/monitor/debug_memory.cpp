#include "emu/monitor/debug_memory.h"

#include <algorithm>
#include <cstring>

#include "emu/target/riscv/csr_numbers.h"

namespace emu::monitor {
namespace {

// Privileged spec 1.12: satp.MODE (4.1.11) and the PTE fields (4.4.1).
constexpr uint64_t kSatpModeBare = 0, kSatpModeSv39 = 8, kSatpModeSv48 = 9;
constexpr uint64_t kSatpPpnMask = (uint64_t{1} << 44) - 1;
constexpr uint64_t kPteV = 1 << 0, kPteR = 1 << 1, kPteW = 1 << 2, kPteX = 1 << 3;
constexpr unsigned kPtePpnShift = 10;
constexpr uint64_t kPtePpnMask = (uint64_t{1} << 44) - 1;
constexpr uint64_t kPteReserved = ~((uint64_t{1} << 54) - 1);  // bits 63:54 (no Svpbmt/Svnapot)
constexpr uint64_t kPageSize = 4096;

}  // namespace

bool read_physical_debug(const PhysicalBus& bus, uint64_t address, void* out, size_t length) {
  auto* destination = static_cast<uint8_t*>(out);
  while (length > 0) {
    const PhysicalBus::Region* region = bus.find(address);
    if (region == nullptr || region->host == nullptr) return false;
    const uint64_t offset = address - region->base;
    const uint64_t chunk = std::min<uint64_t>(length, region->size - offset);
    std::memcpy(destination, region->host + offset, chunk);
    destination += chunk;
    length -= chunk;
    address += chunk;
    if (length > 0 && address == 0) return false;  // wrapped past the top of the address space
  }
  return true;
}

std::optional<uint64_t> translate_debug(const riscv::Hart& hart, uint64_t virtual_address) {
  riscv::Privilege privilege = hart.privilege;
  if (privilege == riscv::Privilege::Machine && (hart.csr.mstatus & riscv::kMstatusMPRV) != 0) {
    privilege = static_cast<riscv::Privilege>((hart.csr.mstatus & riscv::kMstatusMPP) >> 11);
  }
  const uint64_t mode = hart.csr.satp >> 60;
  if (privilege == riscv::Privilege::Machine || mode == kSatpModeBare) return virtual_address;
  if (mode != kSatpModeSv39 && mode != kSatpModeSv48) return std::nullopt;

  const unsigned levels = mode == kSatpModeSv39 ? 3 : 4;
  const unsigned unused_bits = 64 - (12 + 9 * levels);
  // Bits above the translated ones must copy the top translated bit (4.4.1).
  if (static_cast<uint64_t>(static_cast<int64_t>(virtual_address << unused_bits) >> unused_bits) != virtual_address) {
    return std::nullopt;
  }
  uint64_t table = (hart.csr.satp & kSatpPpnMask) * kPageSize;
  for (int level = static_cast<int>(levels) - 1; level >= 0; --level) {
    const unsigned shift = 12 + 9 * static_cast<unsigned>(level);
    const uint64_t entry_address = table + ((virtual_address >> shift) & 0x1ff) * 8;
    uint64_t pte = 0;
    if (!read_physical_debug(hart.bus, entry_address, &pte, sizeof pte)) return std::nullopt;
    if ((pte & kPteV) == 0 || (pte & (kPteR | kPteW)) == kPteW || (pte & kPteReserved) != 0) return std::nullopt;
    const uint64_t ppn = (pte >> kPtePpnShift) & kPtePpnMask;
    if ((pte & (kPteR | kPteX)) == 0) {  // pointer to the next level
      table = ppn * kPageSize;
      continue;
    }
    const uint64_t offset_mask = (uint64_t{1} << shift) - 1;
    if (((ppn * kPageSize) & offset_mask) != 0) return std::nullopt;  // misaligned superpage
    return ((ppn * kPageSize) & ~offset_mask) | (virtual_address & offset_mask);
  }
  return std::nullopt;  // no leaf at level 0
}

bool read_virtual_debug(const riscv::Hart& hart, uint64_t address, void* out, size_t length) {
  auto* destination = static_cast<uint8_t*>(out);
  while (length > 0) {
    const uint64_t chunk = std::min<uint64_t>(length, kPageSize - (address & (kPageSize - 1)));
    const std::optional<uint64_t> physical = translate_debug(hart, address);
    if (!physical || !read_physical_debug(hart.bus, *physical, destination, chunk)) return false;
    destination += chunk;
    length -= chunk;
    address += chunk;
  }
  return true;
}

}  // namespace emu::monitor
