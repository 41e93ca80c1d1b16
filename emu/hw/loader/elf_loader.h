// Loading guest images into the physical address space: ELF64 RISC-V
// executables at their physical addresses, and raw images (-kernel Image,
// -bios fw.bin, -initrd) copied to a given address. Everything a user hands
// us is validated before a single byte is written, and every failure is a
// LoadError with a one-line message that names the file and the culprit.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "emu/core/physical_bus.h"

namespace emu {

class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadedImage {
  uint64_t entry = 0;        // ELF e_entry; the load address for raw images
  uint64_t low_address = 0;  // lowest byte written (QEMU's "lowaddr")
  uint64_t end_address = 0;  // one past the highest byte written, bss included
};

// Reads a whole host file. `what` says what it is for the error message:
// "could not load kernel 'x': No such file or directory".
std::vector<uint8_t> read_image_file(const std::string& path, std::string_view what);

// True if the bytes start with the ELF magic (any class or machine).
bool is_elf(std::span<const uint8_t> file);

// Loads the PT_LOAD segments of an ELF64 little-endian RISC-V ET_EXEC file at
// their physical addresses (p_paddr) and zero-fills memsz beyond filesz.
// Every segment must lie inside one RAM or ROM region of the bus. `name`
// (usually the path) prefixes every error message.
LoadedImage load_elf(const PhysicalBus& bus, std::span<const uint8_t> file, std::string_view name);

// Copies a raw image to `address`, which must start inside RAM or ROM with
// room for all of it. `what` is "kernel", "firmware", "initrd", ... and
// names the image in errors ("kernel too big for RAM ...").
LoadedImage load_raw(const PhysicalBus& bus, std::span<const uint8_t> file, uint64_t address, std::string_view what);

}  // namespace emu
