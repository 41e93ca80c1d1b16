// The devices a user can create on the virt board with -device, and the
// step from the parsed command line to the board's virtio device list.
//
//   -device virtio-blk-device,drive=ID[,serial=S]   a -drive if=none,id=ID
//   -device virtio-rng-device                       entropy from the host
//   -drive file=F,format=raw,if=virtio              a virtio-blk of its own
//
// Plug order is QEMU 7.2's: every -device in command-line order, then the
// if=virtio drives (QEMU turns those into -device entries appended after the
// user's). The board puts the first one in the highest virtio-mmio slot.
#pragma once

#include <vector>

#include "emu/cli/options.h"
#include "emu/hw/boards/riscv_virt.h"

namespace emu::cli {

// Fills DeviceRegistry (for -device help, -device NAME,help and property
// checks). Call before parse_command_line; calling twice is harmless.
void register_virt_device_types();

// Throws OptionError naming the option at fault: a blk without drive=, an
// unknown or already used drive, a device type the board cannot create.
std::vector<virt::VirtioDeviceConfig> resolve_virtio_devices(const MachineConfig& machine);

}  // namespace emu::cli
