// Guest memory as a debugger sees it: reads with no side effects on the
// guest, for the monitor's x/xp/memsave/pmemsave (and later gdb).
//
//   - Physical reads come only from RAM and ROM. MMIO is refused: reading a
//     device register can change the device (a UART's receive FIFO), and
//     the monitor is an observer. (QEMU's xp does perform the device read.)
//   - Virtual reads translate like the hart's loads would: the hart's
//     privilege, with mstatus.MPRV/MPP applied in M-mode; bare (M-mode or
//     satp.MODE = Bare) is the identity. The Sv39/Sv48 walk reads page-table
//     entries through host pointers only: no A/D updates, no TLB fills, no
//     PMP checks, no traps. Any valid leaf maps, whatever its R/W/X/U
//     permissions (a debugger wants to see what is there); invalid entries,
//     reserved bits, W-without-R and misaligned superpages do not map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "emu/core/physical_bus.h"
#include "emu/target/riscv/hart.h"

namespace emu::monitor {

// Copies [address, address + length) if every byte is RAM or ROM. Works
// across adjacent regions. length 0 is trivially true.
bool read_physical_debug(const PhysicalBus& bus, uint64_t address, void* out, size_t length);

// The physical address the hart's data access to virtual_address would use,
// or nullopt if it does not translate.
std::optional<uint64_t> translate_debug(const riscv::Hart& hart, uint64_t virtual_address);

// Copies virtual [address, address + length) page by page.
bool read_virtual_debug(const riscv::Hart& hart, uint64_t address, void* out, size_t length);

}  // namespace emu::monitor
