// QEMU 7.2's riscv64 `virt` memory map and interrupt numbers
// (hw/riscv/virt.c in QEMU: the facts, not the code). Firmware and kernels
// built for QEMU find their devices here. fw_cfg (0x10100000), flash
// (0x20000000) and PCIe (0x30000000 ECAM, 0x40000000 MMIO) are left free for
// later.
#pragma once

#include <cstdint>

namespace emu::virt {

struct MemoryRegionSpec {
  const char* name;
  uint64_t base;
  uint64_t size;
};

inline constexpr MemoryRegionSpec kBootRom{"boot-rom", 0x00001000, 0x0000f000};
inline constexpr MemoryRegionSpec kSifiveTest{"sifive-test", 0x00100000, 0x00001000};
inline constexpr MemoryRegionSpec kGoldfishRtc{"goldfish-rtc", 0x00101000, 0x00001000};
inline constexpr MemoryRegionSpec kClint{"clint", 0x02000000, 0x00010000};
// Sized for QEMU 7.2's 512-hart maximum: 0x200000 + 1024 contexts * 0x1000.
inline constexpr MemoryRegionSpec kPlic{"plic", 0x0c000000, 0x00600000};
inline constexpr MemoryRegionSpec kUart0{"uart0", 0x10000000, 0x00000100};
inline constexpr MemoryRegionSpec kVirtio{"virtio-mmio", 0x10001000, 0x00001000};  // slot n at base + n*size
inline constexpr MemoryRegionSpec kDram{"ram", 0x80000000, 0};  // size from -m

inline constexpr unsigned kVirtioSlots = 8;

// PLIC interrupt sources
inline constexpr unsigned kUart0Irq = 10;
inline constexpr unsigned kRtcIrq = 11;
inline constexpr unsigned kVirtioIrqBase = 1;  // slot n uses kVirtioIrqBase + n
inline constexpr unsigned kPlicSources = 96;    // VIRT_IRQCHIP_NUM_SOURCES in QEMU 7.2

// Timebase: the CLINT's mtime ticks at 10 MHz (timebase-frequency in the DT).
inline constexpr uint64_t kTimebaseHz = 10'000'000;

inline constexpr unsigned kMaxHarts = 8;

}  // namespace emu::virt
