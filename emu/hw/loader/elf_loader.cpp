#include "emu/hw/loader/elf_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

namespace emu {

namespace {

// ELF facts (System V gABI, ELF-64 object file format; RISC-V psABI for
// EM_RISCV). Offsets are into the 64-byte ELF64 header and the 56-byte
// ELF64 program header.
constexpr uint8_t kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
constexpr size_t kElf64HeaderSize = 64;
constexpr size_t kElf64ProgramHeaderSize = 56;
constexpr uint8_t kElfClass64 = 2;
constexpr uint8_t kElfDataLittleEndian = 1;
constexpr uint16_t kElfTypeExecutable = 2;  // ET_EXEC
constexpr uint16_t kElfMachineRiscv = 243;  // EM_RISCV
constexpr uint32_t kProgramTypeLoad = 1;    // PT_LOAD

// Header field offsets.
constexpr size_t kIdentClass = 4, kIdentData = 5;
constexpr size_t kType = 16, kMachine = 18, kEntry = 24, kProgramHeaderOffset = 32;
constexpr size_t kProgramHeaderEntrySize = 54, kProgramHeaderCount = 56;
// Program header field offsets.
constexpr size_t kSegmentType = 0, kSegmentOffset = 8, kSegmentPhysicalAddress = 24;
constexpr size_t kSegmentFileSize = 32, kSegmentMemorySize = 40;

// A whole-file read is refused beyond this: no guest image is that large,
// and the board's RAM is smaller anyway.
constexpr uint64_t kMaxImageFileSize = uint64_t{16} << 30;

std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

template <typename T>
T read_le(std::span<const uint8_t> bytes, size_t offset) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<T>(bytes[offset + i]) << (8 * i));
  return value;
}

struct Segment {
  uint64_t physical_address;
  uint64_t file_offset;
  uint64_t file_size;
  uint64_t memory_size;
};

// Why [address, address+size) cannot be written: names the MMIO device it
// hits, or the region it runs out of, or says it is unmapped.
std::string placement_problem(const PhysicalBus& bus, uint64_t address, uint64_t size) {
  for (const PhysicalBus::Region& region : bus.regions()) {
    bool disjoint = address + size <= region.base || region.base + region.size <= address;
    if (!disjoint && region.device) return "overlaps " + region.name;
  }
  if (const PhysicalBus::Region* region = bus.find(address)) {
    return "(" + hex(size) + " bytes) runs past the end of " + region->name + " at " +
           hex(region->base + region->size);
  }
  return "(" + hex(size) + " bytes) is outside RAM and ROM";
}

}  // namespace

std::vector<uint8_t> read_image_file(const std::string& path, std::string_view what) {
  auto fail = [&](const std::string& reason) {
    return LoadError("could not load " + std::string(what) + " '" + path + "': " + reason);
  };
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) throw fail(std::strerror(errno));
  if (S_ISDIR(status.st_mode)) throw fail(std::strerror(EISDIR));
  if (!S_ISREG(status.st_mode)) throw fail("not a regular file");
  if (static_cast<uint64_t>(status.st_size) > kMaxImageFileSize) throw fail("file too large");
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw fail(std::strerror(errno ? errno : EACCES));
  std::vector<uint8_t> bytes(static_cast<size_t>(status.st_size));
  stream.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<size_t>(stream.gcount()) != bytes.size()) throw fail("read error");
  return bytes;
}

bool is_elf(std::span<const uint8_t> file) {
  return file.size() >= sizeof kElfMagic && std::memcmp(file.data(), kElfMagic, sizeof kElfMagic) == 0;
}

LoadedImage load_elf(const PhysicalBus& bus, std::span<const uint8_t> file, std::string_view name) {
  const std::string prefix = std::string(name) + ": ";
  auto fail = [&](const std::string& reason) { return LoadError(prefix + reason); };

  if (!is_elf(file)) throw fail("not an ELF file");
  if (file.size() < kElf64HeaderSize) throw fail("truncated ELF header");
  if (file[kIdentClass] != kElfClass64) throw fail("not a RISC-V 64-bit ELF (32-bit ELF class)");
  if (file[kIdentData] != kElfDataLittleEndian) throw fail("not a RISC-V 64-bit ELF (big-endian)");
  uint16_t machine = read_le<uint16_t>(file, kMachine);
  if (machine != kElfMachineRiscv) throw fail("not a RISC-V 64-bit ELF (machine " + std::to_string(machine) + ")");
  uint16_t type = read_le<uint16_t>(file, kType);
  if (type != kElfTypeExecutable) {
    throw fail("not an executable ELF (type " + std::to_string(type) + ", expected ET_EXEC)");
  }

  uint64_t table_offset = read_le<uint64_t>(file, kProgramHeaderOffset);
  uint16_t entry_size = read_le<uint16_t>(file, kProgramHeaderEntrySize);
  uint16_t count = read_le<uint16_t>(file, kProgramHeaderCount);
  if (count == 0) throw fail("no program headers");
  if (entry_size < kElf64ProgramHeaderSize) {
    throw fail("program header entry size " + std::to_string(entry_size) + " is too small");
  }
  uint64_t table_size = uint64_t{entry_size} * count;  // at most 65535 * 65535: no overflow
  if (table_offset > file.size() || table_size > file.size() - table_offset) {
    throw fail("truncated program header table");
  }

  std::vector<Segment> segments;
  for (uint16_t index = 0; index < count; ++index) {
    size_t header = static_cast<size_t>(table_offset + uint64_t{index} * entry_size);
    if (read_le<uint32_t>(file, header + kSegmentType) != kProgramTypeLoad) continue;
    Segment segment{read_le<uint64_t>(file, header + kSegmentPhysicalAddress),
                    read_le<uint64_t>(file, header + kSegmentOffset),
                    read_le<uint64_t>(file, header + kSegmentFileSize),
                    read_le<uint64_t>(file, header + kSegmentMemorySize)};
    std::string where = "segment at " + hex(segment.physical_address);
    if (segment.file_size > segment.memory_size) {
      throw fail(where + ": file size " + hex(segment.file_size) + " exceeds memory size " +
                 hex(segment.memory_size));
    }
    if (segment.file_offset > file.size() || segment.file_size > file.size() - segment.file_offset) {
      throw fail(where + ": truncated (data at file offset " + hex(segment.file_offset) + ", " +
                 hex(segment.file_size) + " bytes, file is " + hex(file.size()) + " bytes)");
    }
    if (segment.memory_size == 0) continue;
    if (segment.physical_address + segment.memory_size < segment.physical_address) {
      throw fail(where + ": size " + hex(segment.memory_size) + " wraps around the address space");
    }
    if (!bus.host_pointer(segment.physical_address, segment.memory_size)) {
      throw fail(where + " " + placement_problem(bus, segment.physical_address, segment.memory_size));
    }
    for (const Segment& other : segments) {
      bool disjoint = segment.physical_address + segment.memory_size <= other.physical_address ||
                      other.physical_address + other.memory_size <= segment.physical_address;
      if (!disjoint) throw fail(where + " overlaps the segment at " + hex(other.physical_address));
    }
    segments.push_back(segment);
  }
  if (segments.empty()) throw fail("no loadable segments");

  // Everything checked: now write.
  LoadedImage image;
  image.entry = read_le<uint64_t>(file, kEntry);
  image.low_address = UINT64_MAX;
  for (const Segment& segment : segments) {
    uint8_t* host = bus.host_pointer(segment.physical_address, segment.memory_size);
    std::memcpy(host, file.data() + segment.file_offset, segment.file_size);
    std::memset(host + segment.file_size, 0, segment.memory_size - segment.file_size);
    bus.dirty_pages().mark_written(segment.physical_address, segment.memory_size);
    image.low_address = std::min(image.low_address, segment.physical_address);
    image.end_address = std::max(image.end_address, segment.physical_address + segment.memory_size);
  }
  return image;
}

LoadedImage load_raw(const PhysicalBus& bus, std::span<const uint8_t> file, uint64_t address, std::string_view what) {
  const std::string subject(what);
  if (file.empty()) throw LoadError(subject + " image is empty");
  const PhysicalBus::Region* region = bus.find(address);
  if (!region || !region->host) {
    throw LoadError(subject + " load address " + hex(address) + " is not in RAM or ROM");
  }
  uint64_t room = region->size - (address - region->base);
  if (file.size() > room) {
    throw LoadError(subject + " too big for " + (region->writable ? "RAM" : "ROM") + ": " + hex(file.size()) +
                    " bytes at " + hex(address) + ", but only " + hex(room) + " bytes fit before " +
                    hex(region->base + region->size));
  }
  std::memcpy(bus.host_pointer(address, file.size()), file.data(), file.size());
  bus.dirty_pages().mark_written(address, file.size());
  return LoadedImage{address, address, address + file.size()};
}

}  // namespace emu
