// Memory accesses of the hart: Sv39/Sv48 translation (privileged ISA 1.12,
// sections 4.3-4.4), physical memory protection (3.7), the software TLB in
// front of both (tlb.h), and the loads, stores, fetches and A-extension
// operations built on them.
//
// Choices where the spec leaves freedom:
//   - A and D are set by hardware (4.3.1 option 2, as QEMU 7.2 does); the
//     update is a store checked by PMP as an S-mode access and must hit
//     writable RAM, else it raises an access fault.
//   - Page-table entries are read only from RAM/ROM; a walk that reaches MMIO
//     or unmapped space (or is denied by PMP) raises an access fault of the
//     original access type (4.3.2 step 2). QEMU 7.2 raises a page fault for
//     unmapped space.
//   - Misaligned loads and stores do not trap: they are split at the page
//     boundary, both parts are translated before anything is written, and a
//     fault reports the virtual address of the part that faulted (3.1.16).
//     Within a page, RAM is accessed directly and MMIO byte by byte.
//   - Instruction fetch from MMIO raises an instruction access fault.
//   - PMP: an S/U access that matches no entry fails, whether or not any
//     entry is active (3.7.1: at least one entry is implemented).
//   - SC with no valid reservation fails without accessing memory (no fault
//     is possible), as in QEMU 7.2.
#include <algorithm>
#include <bit>
#include <cstring>

#include "emu/target/riscv/decoder.h"
#include "emu/target/riscv/hart.h"

namespace emu::riscv {
namespace {

static_assert(std::endian::native == std::endian::little, "guest memory is copied as little-endian integers");

using Access = Tlb::Access;
constexpr uint64_t kPageOffsetMask = Tlb::kPageOffsetMask;
constexpr uint64_t kPageSize = Tlb::kPageSize;

// Page-table entry fields (4.4.1).
constexpr uint64_t kPteV = 1 << 0, kPteR = 1 << 1, kPteW = 1 << 2, kPteX = 1 << 3, kPteU = 1 << 4;
constexpr uint64_t kPteA = 1 << 6, kPteD = 1 << 7;
constexpr unsigned kPtePpnShift = 10;
constexpr uint64_t kPpnMask = (uint64_t{1} << 44) - 1;
// Bits 63:54 are reserved (no Svpbmt, no Svnapot): a leaf or non-leaf PTE
// with any of them set raises a page fault (4.4.1).
constexpr uint64_t kPteReserved = ~((uint64_t{1} << 54) - 1);

constexpr uint64_t kSatpModeBare = 0, kSatpModeSv39 = 8;

// PMP configuration fields (3.7.1).
constexpr uint8_t kPmpR = 1, kPmpW = 2, kPmpX = 4, kPmpLock = 0x80;
constexpr unsigned kPmpModeOff = 0, kPmpModeTor = 1, kPmpModeNa4 = 2;

Exception page_fault(Access access) {
  switch (access) {
    case Access::Fetch: return Exception::InstructionPageFault;
    case Access::Load: return Exception::LoadPageFault;
    case Access::Store: break;
  }
  return Exception::StorePageFault;
}

Exception access_fault(Access access) {
  switch (access) {
    case Access::Fetch: return Exception::InstructionAccessFault;
    case Access::Load: return Exception::LoadAccessFault;
    case Access::Store: break;
  }
  return Exception::StoreAccessFault;
}

// 3.1.6.3: with mstatus.MPRV = 1, loads and stores in M-mode use the
// privilege in MPP for translation and protection; fetches never do.
Privilege effective_privilege(const Hart& hart, Access access) {
  if (access != Access::Fetch && hart.privilege == Privilege::Machine && (hart.csr.mstatus & kMstatusMPRV)) {
    return static_cast<Privilege>((hart.csr.mstatus & kMstatusMPP) >> 11);
  }
  return hart.privilege;
}

// Everything besides the address that the outcome of a check depends on.
// SUM matters only for S-mode data accesses, MXR only for loads.
uint64_t tlb_context(const Hart& hart, Access access, Privilege privilege) {
  const bool sum = privilege == Privilege::Supervisor && access != Access::Fetch &&
                   (hart.csr.mstatus & kMstatusSUM) != 0;
  const bool mxr = access == Access::Load && (hart.csr.mstatus & kMstatusMXR) != 0;
  return Tlb::make_context(static_cast<unsigned>(privilege), sum, mxr);
}

// ---- PMP (3.7) ----

// The inclusive physical range entry `index` matches, or false if it matches
// nothing (OFF, or an empty TOR range).
bool pmp_range(const Hart& hart, unsigned index, uint64_t& first, uint64_t& last) {
  const uint8_t config = hart.csr.pmpcfg[index];
  const uint64_t address = hart.csr.pmpaddr[index];
  switch ((config >> 3) & 3) {
    case kPmpModeOff:
      return false;
    case kPmpModeTor: {
      const uint64_t bottom = index == 0 ? 0 : hart.csr.pmpaddr[index - 1] << 2;
      const uint64_t top = address << 2;
      if (bottom >= top) return false;
      first = bottom;
      last = top - 1;
      return true;
    }
    case kPmpModeNa4:
      first = address << 2;
      last = first + 3;
      return true;
    default: {  // NAPOT: the trailing ones of pmpaddr give the size
      const unsigned trailing_ones = static_cast<unsigned>(std::countr_one(address));  // at most 54
      const uint64_t size = uint64_t{1} << (trailing_ones + 3);
      first = (address << 2) & ~(size - 1);
      last = first + size - 1;
      return true;
    }
  }
}

// Whether an access of `size` bytes at physical `address` with the given
// privilege may use the permissions in `needed` (R/W/X bits). The lowest-
// numbered entry matching any byte decides; it must match all of them.
bool pmp_allows(const Hart& hart, uint64_t address, uint64_t size, Privilege privilege, uint8_t needed) {
  uint64_t last_byte = address + size - 1;
  if (last_byte < address) last_byte = ~uint64_t{0};
  for (unsigned index = 0; index < hart.csr.pmpcfg.size(); ++index) {
    uint64_t first = 0, last = 0;
    if (!pmp_range(hart, index, first, last)) continue;
    if (last_byte < first || address > last) continue;
    if (address < first || last_byte > last) return false;  // partial match fails regardless of permissions
    const uint8_t config = hart.csr.pmpcfg[index];
    if (privilege == Privilege::Machine && (config & kPmpLock) == 0) return true;
    return (config & needed) == needed;
  }
  return privilege == Privilege::Machine;
}

// True if PMP decides every byte of the 4 KiB page the same way, so one check
// can stand for the whole page in the TLB.
bool pmp_uniform_over_page(const Hart& hart, uint64_t page) {
  const uint64_t page_last = page + kPageOffsetMask;
  for (unsigned index = 0; index < hart.csr.pmpcfg.size(); ++index) {
    uint64_t first = 0, last = 0;
    if (!pmp_range(hart, index, first, last)) continue;
    if (page_last < first || page > last) continue;
    return first <= page && page_last <= last;
  }
  return true;
}

// ---- page-table walk (4.3.2, with the Sv39/Sv48 parameters of 4.4/4.5) ----

// Host pointer to an 8-byte page-table entry, or nullptr if it is not in RAM/ROM.
uint8_t* page_table_entry(const Hart& hart, uint64_t address, bool for_write) {
  const PhysicalBus::Region* region = hart.bus.find(address);
  if (region == nullptr || region->host == nullptr || (for_write && !region->writable)) return nullptr;
  if (8 > region->size - (address - region->base)) return nullptr;
  return region->host + (address - region->base);
}

struct Translation {
  uint64_t physical = 0;
  uint64_t leaf_offset_mask = kPageOffsetMask;  // offset mask of the leaf's page size
};

// Returns false with `fault` set if the walk fails.
bool walk(Hart& hart, uint64_t virtual_address, Access access, Privilege privilege, Translation& out,
          Exception& fault) {
  const uint64_t satp = hart.csr.satp;
  const unsigned levels = (satp >> 60) == kSatpModeSv39 ? 3 : 4;
  const unsigned virtual_bits = 12 + 9 * levels;
  // 4.4.1/4.5.1: bits 63:VA-bits must all equal the top translated bit.
  const unsigned unused_bits = 64 - virtual_bits;
  if (static_cast<uint64_t>(static_cast<int64_t>(virtual_address << unused_bits) >> unused_bits) != virtual_address) {
    fault = page_fault(access);
    return false;
  }
  const uint64_t mstatus = hart.csr.mstatus;
  uint64_t table = (satp & kPpnMask) << 12;
  for (int level = static_cast<int>(levels) - 1; level >= 0; --level) {
    const unsigned shift = 12 + 9 * static_cast<unsigned>(level);
    const uint64_t pte_address = table + ((virtual_address >> shift) & 0x1ff) * 8;
    // Step 2: the implicit read is an S-mode access for PMP (3.7.1).
    uint8_t* pte_host = page_table_entry(hart, pte_address, false);
    if (pte_host == nullptr || !pmp_allows(hart, pte_address, 8, Privilege::Supervisor, kPmpR)) {
      fault = access_fault(access);
      return false;
    }
    uint64_t pte = 0;
    std::memcpy(&pte, pte_host, 8);
    // Step 3.
    if ((pte & kPteV) == 0 || (pte & (kPteR | kPteW)) == kPteW || (pte & kPteReserved) != 0) {
      fault = page_fault(access);
      return false;
    }
    // Step 4: a pointer to the next level.
    if ((pte & (kPteR | kPteX)) == 0) {
      table = ((pte >> kPtePpnShift) & kPpnMask) << 12;
      continue;
    }
    // Step 5: leaf permissions, U against the effective privilege and SUM.
    bool allowed = true;
    if ((pte & kPteU) != 0) {
      if (privilege == Privilege::Supervisor) {
        // S-mode never executes from U pages; data needs SUM (4.3.1).
        allowed = access != Access::Fetch && (mstatus & kMstatusSUM) != 0;
      }
    } else if (privilege == Privilege::User) {
      allowed = false;
    }
    switch (access) {
      case Access::Fetch: allowed = allowed && (pte & kPteX) != 0; break;
      case Access::Load:
        allowed = allowed && ((pte & kPteR) != 0 || ((mstatus & kMstatusMXR) != 0 && (pte & kPteX) != 0));
        break;
      case Access::Store: allowed = allowed && (pte & kPteW) != 0; break;
    }
    if (!allowed) {
      fault = page_fault(access);
      return false;
    }
    // Step 6: a superpage's low PPN fields must be zero.
    const uint64_t ppn = (pte >> kPtePpnShift) & kPpnMask;
    const uint64_t offset_mask = (uint64_t{1} << shift) - 1;
    if (((ppn << 12) & offset_mask) != 0) {
      fault = page_fault(access);
      return false;
    }
    // Step 7: hardware A/D update, itself a PMP-checked S-mode store.
    if ((pte & kPteA) == 0 || (access == Access::Store && (pte & kPteD) == 0)) {
      pte |= kPteA | (access == Access::Store ? kPteD : 0);
      uint8_t* writable = page_table_entry(hart, pte_address, true);
      if (writable == nullptr || !pmp_allows(hart, pte_address, 8, Privilege::Supervisor, kPmpW)) {
        fault = access_fault(access);
        return false;
      }
      std::memcpy(writable, &pte, 8);
      hart.bus.dirty_pages().mark_written(pte_address, 8);
    }
    // Step 8.
    out.physical = ((ppn << 12) & ~offset_mask) | (virtual_address & offset_mask);
    out.leaf_offset_mask = offset_mask;
    return true;
  }
  fault = page_fault(access);  // step 4: no leaf at level 0
  return false;
}

// ---- resolving a virtual range to something that can be read or written ----

// Where `length` bytes (inside one page) of an access live: host memory when
// `host` is set, else physical address for the bus.
struct Target {
  uint64_t physical = 0;
  uint8_t* host = nullptr;
};

constexpr uint8_t pmp_permissions(Access access, bool atomic) {
  switch (access) {
    case Access::Fetch: return kPmpX;
    case Access::Load: return kPmpR;
    case Access::Store: break;
  }
  return atomic ? kPmpR | kPmpW : kPmpW;
}

// Translates and checks `length` bytes at virtual_address (within one page)
// for `access`. On failure the trap has been taken with tval = virtual_address.
bool resolve(Hart& hart, uint64_t virtual_address, unsigned length, Access access, bool atomic, Target& target) {
  const Privilege privilege = effective_privilege(hart, access);
  const uint64_t context = tlb_context(hart, access, privilege);
  if (Tlb::Entry* entry = hart.tlb.lookup(access, virtual_address, context)) {
    if (entry->flags == Tlb::kFlagWriteUntracked) {
      DirtyPageTracker& tracker = hart.bus.dirty_pages();
      if (tracker.watched(entry->physical_page)) {
        // The page holds translated code: mark exactly these bytes, and keep
        // the flag so that the next store comes here too (dirty_pages.h).
        tracker.mark_written(entry->physical_page | (virtual_address & kPageOffsetMask), length);
        target.physical = entry->physical_page | (virtual_address & kPageOffsetMask);
        target.host = reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(virtual_address + entry->host_addend));
        return true;
      }
      // A dirty-page mark was taken since the page was marked.
      tracker.mark_written(entry->physical_page, kPageSize);
      entry->set_flags(0);
    }
    target.physical = entry->physical_page | (virtual_address & kPageOffsetMask);
    target.host = entry->flags != 0
                      ? nullptr
                      : reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(virtual_address + entry->host_addend));
    return true;
  }

  Translation translation{virtual_address, kPageOffsetMask};
  if (privilege != Privilege::Machine && (hart.csr.satp >> 60) != kSatpModeBare) {
    Exception fault{};
    if (!walk(hart, virtual_address, access, privilege, translation, fault)) {
      hart.take_trap(fault, virtual_address);
      return false;
    }
  }
  const uint64_t physical = translation.physical;
  if (!pmp_allows(hart, physical, length, privilege, pmp_permissions(access, atomic))) {
    hart.take_trap(access_fault(access), virtual_address);
    return false;
  }

  const PhysicalBus::Region* region = hart.bus.find(physical);
  const bool host_usable = region != nullptr && region->host != nullptr && (access != Access::Store || region->writable);
  target.physical = physical;
  target.host = nullptr;
  if (host_usable && length <= region->size - (physical - region->base)) {
    target.host = region->host + (physical - region->base);
    // The caller writes through target.host (dirty_pages.h); a store entry
    // cached below covers the whole page, so mark all of it - unless the
    // page is watched (it holds translated code): then only these bytes,
    // and the entry keeps a flag so that every store to the page comes here.
    if (access == Access::Store) {
      DirtyPageTracker& tracker = hart.bus.dirty_pages();
      const uint64_t first = std::max(physical & ~kPageOffsetMask, region->base);
      if (tracker.watched(physical)) tracker.mark_written(physical, length);
      else tracker.mark_written(first, (physical & ~kPageOffsetMask) + kPageSize - first);
    }
  }

  // Cache the page only if PMP treats all of it alike (the check above then
  // holds for every access within it). Entries for pages that are not wholly
  // host-backed carry a flag, and accesses through them use the bus.
  const uint64_t physical_page = physical & ~kPageOffsetMask;
  if (pmp_uniform_over_page(hart, physical_page)) {
    Tlb::Entry entry;
    entry.physical_page = physical_page;
    entry.leaf_page_bits = static_cast<uint8_t>(std::bit_width(translation.leaf_offset_mask));
    if (host_usable && region->contains(physical_page) && kPageSize <= region->size - (physical_page - region->base)) {
      const auto host_page = reinterpret_cast<uintptr_t>(region->host + (physical_page - region->base));
      entry.host_addend = static_cast<uint64_t>(host_page) - (virtual_address & ~kPageOffsetMask);
      // Still watched after this write's mark: stores keep coming to the slow path.
      if (access == Access::Store && hart.bus.dirty_pages().watched(physical_page)) {
        entry.flags = Tlb::kFlagWriteUntracked;
      }
    } else {
      entry.flags = Tlb::kFlagNotHostBacked;
    }
    hart.tlb.insert(access, virtual_address, context, entry);
  }
  return true;
}

bool is_natural_size(unsigned length) { return length == 1 || length == 2 || length == 4 || length == 8; }

// Reads `length` bytes from a resolved target. MMIO gets one access of the
// requested size when it is naturally aligned, else single bytes.
bool read_target(Hart& hart, const Target& target, uint64_t virtual_address, unsigned length, Access access,
                 uint64_t& value) {
  value = 0;
  if (target.host != nullptr) {
    std::memcpy(&value, target.host, length);
    return true;
  }
  bool ok = access != Access::Fetch;  // code runs from RAM and ROM only
  if (ok && is_natural_size(length) && target.physical % length == 0) {
    ok = hart.bus.read(target.physical, length, value);
  } else {
    for (unsigned i = 0; ok && i < length; ++i) {
      uint64_t byte = 0;
      ok = hart.bus.read(target.physical + i, 1, byte);
      value |= (byte & 0xff) << (8 * i);
    }
  }
  if (!ok) hart.take_trap(access_fault(access), virtual_address);
  return ok;
}

bool write_target(Hart& hart, const Target& target, uint64_t virtual_address, unsigned length, uint64_t value) {
  if (target.host != nullptr) {
    std::memcpy(target.host, &value, length);
    return true;
  }
  bool ok = true;
  if (is_natural_size(length) && target.physical % length == 0) {
    ok = hart.bus.write(target.physical, length, value);
  } else {
    for (unsigned i = 0; ok && i < length; ++i) ok = hart.bus.write(target.physical + i, 1, (value >> (8 * i)) & 0xff);
  }
  if (!ok) hart.take_trap(Exception::StoreAccessFault, virtual_address);
  return ok;
}

uint64_t size_mask(unsigned size) { return size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1; }

// One 2-byte instruction parcel (pc is even, so it never crosses a page).
bool fetch_parcel(Hart& hart, uint64_t address, uint64_t& parcel) {
  const uint64_t context = tlb_context(hart, Access::Fetch, hart.privilege);
  if (uint8_t* host = hart.tlb.host_address(Access::Fetch, address, context)) {
    uint16_t bits = 0;
    std::memcpy(&bits, host, 2);
    parcel = bits;
    return true;
  }
  Target target;
  return resolve(hart, address, 2, Access::Fetch, false, target) &&
         read_target(hart, target, address, 2, Access::Fetch, parcel);
}

// The new memory value of an AMO (A extension 8.4). Word operations act on
// the low 32 bits, Min/Max comparing them as 32-bit numbers.
uint64_t amo_result(AmoOperation operation, uint64_t old_value, uint64_t operand, unsigned size) {
  const uint64_t mask = size_mask(size);
  old_value &= mask;
  operand &= mask;
  const unsigned unused_bits = 64 - 8 * size;
  const auto as_signed = [unused_bits](uint64_t value) {
    return static_cast<int64_t>(value << unused_bits) >> unused_bits;
  };
  uint64_t result = 0;
  switch (operation) {
    case AmoOperation::Swap: result = operand; break;
    case AmoOperation::Add: result = old_value + operand; break;
    case AmoOperation::Xor: result = old_value ^ operand; break;
    case AmoOperation::And: result = old_value & operand; break;
    case AmoOperation::Or: result = old_value | operand; break;
    case AmoOperation::Min: result = as_signed(old_value) < as_signed(operand) ? old_value : operand; break;
    case AmoOperation::Max: result = as_signed(old_value) > as_signed(operand) ? old_value : operand; break;
    case AmoOperation::MinUnsigned: result = old_value < operand ? old_value : operand; break;
    case AmoOperation::MaxUnsigned: result = old_value > operand ? old_value : operand; break;
  }
  return result & mask;
}

}  // namespace

bool Hart::load(uint64_t address, unsigned size, uint64_t& value) {
  const uint64_t offset = address & kPageOffsetMask;
  if (offset + size <= kPageSize) {
    const uint64_t context = tlb_context(*this, Access::Load, effective_privilege(*this, Access::Load));
    if (uint8_t* host = tlb.host_address(Access::Load, address, context)) {
      value = 0;
      std::memcpy(&value, host, size);
      return true;
    }
    Target target;
    return resolve(*this, address, size, Access::Load, false, target) &&
           read_target(*this, target, address, size, Access::Load, value);
  }
  // Crosses a page boundary: two parts, each translated on its own.
  const unsigned first_length = static_cast<unsigned>(kPageSize - offset);
  const uint64_t second_address = address + first_length;
  Target first, second;
  uint64_t low = 0, high = 0;
  if (!resolve(*this, address, first_length, Access::Load, false, first) ||
      !resolve(*this, second_address, size - first_length, Access::Load, false, second) ||
      !read_target(*this, first, address, first_length, Access::Load, low) ||
      !read_target(*this, second, second_address, size - first_length, Access::Load, high)) {
    return false;
  }
  value = low | (high << (8 * first_length));
  return true;
}

bool Hart::store(uint64_t address, unsigned size, uint64_t value) {
  const uint64_t offset = address & kPageOffsetMask;
  if (offset + size <= kPageSize) {
    const uint64_t context = tlb_context(*this, Access::Store, effective_privilege(*this, Access::Store));
    if (uint8_t* host = tlb.host_address(Access::Store, address, context)) {
      std::memcpy(host, &value, size);
      return true;
    }
    Target target;
    return resolve(*this, address, size, Access::Store, false, target) &&
           write_target(*this, target, address, size, value);
  }
  // Crosses a page boundary: both parts are checked before either is written.
  const unsigned first_length = static_cast<unsigned>(kPageSize - offset);
  const uint64_t second_address = address + first_length;
  Target first, second;
  return resolve(*this, address, first_length, Access::Store, false, first) &&
         resolve(*this, second_address, size - first_length, Access::Store, false, second) &&
         write_target(*this, first, address, first_length, value) &&
         write_target(*this, second, second_address, size - first_length, value >> (8 * first_length));
}

bool Hart::fetch(uint64_t address, uint32_t& bits) {
  if ((address & 1) != 0) {  // cannot happen with IALIGN=16 (jumps clear bit 0); never read past a page
    take_trap(Exception::InstructionAddressMisaligned, address);
    return false;
  }
  uint64_t low = 0;
  if (!fetch_parcel(*this, address, low)) return false;
  if (instruction_length(static_cast<uint32_t>(low)) == 2) {
    bits = static_cast<uint32_t>(low);
    return true;
  }
  // The second parcel is translated separately: if it faults, tval is its
  // own address while epc stays at the instruction (3.1.16).
  uint64_t high = 0;
  if (!fetch_parcel(*this, address + 2, high)) return false;
  bits = static_cast<uint32_t>(low | (high << 16));
  return true;
}

bool Hart::load_reserved(uint64_t address, unsigned size, uint64_t& value) {
  if (address % size != 0) {
    take_trap(Exception::LoadAddressMisaligned, address);
    return false;
  }
  Target target;
  if (!resolve(*this, address, size, Access::Load, false, target) ||
      !read_target(*this, target, address, size, Access::Load, value)) {
    return false;
  }
  reservation_valid = true;
  reservation_address = target.physical;
  return true;
}

bool Hart::store_conditional(uint64_t address, unsigned size, uint64_t value, bool& succeeded) {
  succeeded = false;
  if (address % size != 0) {
    take_trap(Exception::StoreAddressMisaligned, address);
    return false;
  }
  // 8.2: SC invalidates the reservation whether it succeeds or not.
  const bool was_reserved = reservation_valid;
  reservation_valid = false;
  if (!was_reserved) return true;
  Target target;
  if (!resolve(*this, address, size, Access::Store, false, target)) return false;
  if (target.physical != reservation_address) return true;
  if (!write_target(*this, target, address, size, value)) return false;
  succeeded = true;
  return true;
}

bool Hart::amo(AmoOperation operation, uint64_t address, unsigned size, uint64_t operand, uint64_t& old_value) {
  if (address % size != 0) {
    take_trap(Exception::StoreAddressMisaligned, address);
    return false;
  }
  Target target;
  uint64_t loaded = 0;
  // AMOs fault as stores (page fault 15, access fault 7) even on the read.
  if (!resolve(*this, address, size, Access::Store, true, target) ||
      !read_target(*this, target, address, size, Access::Store, loaded) ||
      !write_target(*this, target, address, size, amo_result(operation, loaded, operand, size))) {
    return false;
  }
  old_value = loaded;
  return true;
}

}  // namespace emu::riscv
