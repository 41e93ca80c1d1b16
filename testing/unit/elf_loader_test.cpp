// ELF and raw image loading (emu/hw/loader/elf_loader.h): ELFs are crafted
// in memory, loaded into a small bus (RAM, ROM and one MMIO device), and
// every malformed input must end in a LoadError naming the problem.
#include "emu/hw/loader/elf_loader.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace emu {
namespace {

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 0x100000;
constexpr uint64_t kRomBase = 0x1000;
constexpr uint64_t kRomSize = 0x1000;
constexpr uint64_t kUartBase = 0x10000000;

class NamedDevice : public Device {
 public:
  std::string_view name() const override { return "uart0"; }
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, uint64_t, unsigned) override {}
  void reset() override {}
  void save(StateWriter&) const override {}
  void load(StateReader&) override {}
};

struct SegmentSpec {
  uint64_t physical_address;
  std::vector<uint8_t> data;
  uint64_t memory_size;  // >= data.size() for a well-formed segment
  uint32_t type = 1;     // PT_LOAD
};

// Builds an ELF64 file: header, program headers, then each segment's data.
struct ElfBuilder {
  uint8_t elf_class = 2;      // ELFCLASS64
  uint8_t data_encoding = 1;  // little-endian
  uint16_t type = 2;          // ET_EXEC
  uint16_t machine = 243;     // EM_RISCV
  uint64_t entry = kRamBase;
  std::vector<SegmentSpec> segments;

  std::vector<uint8_t> build() const {
    std::vector<uint8_t> file(64 + 56 * segments.size());
    auto put = [&](size_t offset, uint64_t value, size_t size) {
      for (size_t i = 0; i < size; ++i) file[offset + i] = static_cast<uint8_t>(value >> (8 * i));
    };
    file[0] = 0x7f, file[1] = 'E', file[2] = 'L', file[3] = 'F';
    file[4] = elf_class;
    file[5] = data_encoding;
    file[6] = 1;  // EV_CURRENT
    put(16, type, 2);
    put(18, machine, 2);
    put(20, 1, 4);
    put(24, entry, 8);
    put(32, 64, 8);  // e_phoff
    put(52, 64, 2);  // e_ehsize
    put(54, 56, 2);  // e_phentsize
    put(56, segments.size(), 2);
    for (size_t index = 0; index < segments.size(); ++index) {
      const SegmentSpec& segment = segments[index];
      size_t header = 64 + 56 * index;
      uint64_t offset = file.size();
      file.insert(file.end(), segment.data.begin(), segment.data.end());
      put(header + 0, segment.type, 4);
      put(header + 4, 7, 4);  // RWX
      put(header + 8, offset, 8);
      put(header + 16, segment.physical_address, 8);  // p_vaddr
      put(header + 24, segment.physical_address, 8);  // p_paddr
      put(header + 32, segment.data.size(), 8);
      put(header + 40, segment.memory_size, 8);
      put(header + 48, 0x1000, 8);
    }
    return file;
  }
};

class ElfLoaderTest : public ::testing::Test {
 protected:
  ElfLoaderTest() {
    ram_ = bus_.map_ram(kRamBase, kRamSize, "ram");
    rom_ = bus_.map_rom(kRomBase, kRomSize, "boot-rom");
    bus_.map_device(kUartBase, 0x100, &uart_);
    std::memset(ram_, 0xaa, kRamSize);  // so that bss zeroing is visible
  }

  // The message of the LoadError that loading `file` throws ("" if none).
  std::string load_error(const std::vector<uint8_t>& file) {
    try {
      load_elf(bus_, file, "kernel.elf");
    } catch (const LoadError& error) {
      return error.what();
    }
    return "";
  }

  PhysicalBus bus_;
  NamedDevice uart_;
  uint8_t* ram_;
  uint8_t* rom_;
};

std::vector<uint8_t> bytes(std::initializer_list<uint8_t> list) { return std::vector<uint8_t>(list); }

TEST_F(ElfLoaderTest, LoadsSegmentsAtPhysicalAddressesAndZeroesBss) {
  ElfBuilder elf;
  elf.entry = kRamBase + 0x104;
  elf.segments.push_back({kRamBase + 0x100, bytes({1, 2, 3, 4}), 4});
  elf.segments.push_back({kRamBase + 0x2000, bytes({9, 8}), 0x10});  // 14 bytes of bss
  LoadedImage image = load_elf(bus_, elf.build(), "kernel.elf");

  EXPECT_EQ(image.entry, kRamBase + 0x104);
  EXPECT_EQ(image.low_address, kRamBase + 0x100);
  EXPECT_EQ(image.end_address, kRamBase + 0x2010);
  EXPECT_EQ(std::vector<uint8_t>(ram_ + 0x100, ram_ + 0x104), bytes({1, 2, 3, 4}));
  EXPECT_EQ(ram_[0xff], 0xaa) << "bytes before a segment are untouched";
  EXPECT_EQ(ram_[0x2000], 9);
  EXPECT_EQ(ram_[0x2001], 8);
  for (uint64_t offset = 0x2002; offset < 0x2010; ++offset) EXPECT_EQ(ram_[offset], 0) << "bss at +" << offset;
  EXPECT_EQ(ram_[0x2010], 0xaa) << "bss ends at memsz";
}

TEST_F(ElfLoaderTest, LoadsIntoRomAndSkipsNonLoadSegments) {
  ElfBuilder elf;
  elf.segments.push_back({kRomBase, bytes({0x13, 0, 0, 0}), 4});
  elf.segments.push_back({kUartBase, bytes({1}), 1, /*type=*/4});  // PT_NOTE: never loaded
  LoadedImage image = load_elf(bus_, elf.build(), "fw.elf");
  EXPECT_EQ(rom_[0], 0x13);
  EXPECT_EQ(image.low_address, kRomBase);
  EXPECT_EQ(image.end_address, kRomBase + 4);
}

TEST_F(ElfLoaderTest, RejectsTruncatedFiles) {
  ElfBuilder elf;
  elf.segments.push_back({kRamBase, std::vector<uint8_t>(32, 7), 32});
  std::vector<uint8_t> file = elf.build();

  EXPECT_EQ(load_error(std::vector<uint8_t>(file.begin(), file.begin() + 40)), "kernel.elf: truncated ELF header");
  EXPECT_EQ(load_error(std::vector<uint8_t>(file.begin(), file.begin() + 100)),
            "kernel.elf: truncated program header table");
  std::string message = load_error(std::vector<uint8_t>(file.begin(), file.end() - 1));
  EXPECT_NE(message.find("kernel.elf: segment at 0x80000000: truncated"), std::string::npos) << message;
  EXPECT_EQ(load_error({}), "kernel.elf: not an ELF file");
  EXPECT_EQ(load_error(bytes({'#', '!', '/', 'b'})), "kernel.elf: not an ELF file");
}

TEST_F(ElfLoaderTest, RejectsWrongClassEncodingMachineAndType) {
  ElfBuilder elf;
  elf.segments.push_back({kRamBase, bytes({1}), 1});
  ElfBuilder x86 = elf;
  x86.machine = 62;
  EXPECT_EQ(load_error(x86.build()), "kernel.elf: not a RISC-V 64-bit ELF (machine 62)");
  ElfBuilder class32 = elf;
  class32.elf_class = 1;
  EXPECT_EQ(load_error(class32.build()), "kernel.elf: not a RISC-V 64-bit ELF (32-bit ELF class)");
  ElfBuilder big_endian = elf;
  big_endian.data_encoding = 2;
  EXPECT_EQ(load_error(big_endian.build()), "kernel.elf: not a RISC-V 64-bit ELF (big-endian)");
  ElfBuilder shared = elf;
  shared.type = 3;
  EXPECT_EQ(load_error(shared.build()), "kernel.elf: not an executable ELF (type 3, expected ET_EXEC)");
}

TEST_F(ElfLoaderTest, RejectsSegmentsOverlappingMmioOrOutsideMemory) {
  ElfBuilder on_uart;
  on_uart.segments.push_back({kUartBase, bytes({1, 2}), 2});
  EXPECT_EQ(load_error(on_uart.build()), "kernel.elf: segment at 0x10000000 overlaps uart0");

  ElfBuilder reaching_uart;  // starts in unmapped space, ends inside the UART
  reaching_uart.segments.push_back({kUartBase - 0x10, {}, 0x20});
  EXPECT_EQ(load_error(reaching_uart.build()), "kernel.elf: segment at 0xffffff0 overlaps uart0");

  ElfBuilder unmapped;
  unmapped.segments.push_back({0x40000000, bytes({1}), 1});
  EXPECT_EQ(load_error(unmapped.build()), "kernel.elf: segment at 0x40000000 (0x1 bytes) is outside RAM and ROM");

  ElfBuilder past_end;
  past_end.segments.push_back({kRamBase + kRamSize - 4, bytes({1}), 8});
  EXPECT_EQ(load_error(past_end.build()),
            "kernel.elf: segment at 0x800ffffc (0x8 bytes) runs past the end of ram at 0x80100000");
}

TEST_F(ElfLoaderTest, RejectsImpossibleSizes) {
  ElfBuilder wraps;
  wraps.segments.push_back({0xfffffffffffff000, {}, 0x2000});
  EXPECT_EQ(load_error(wraps.build()), "kernel.elf: segment at 0xfffffffffffff000: size 0x2000 wraps around the address space");

  ElfBuilder file_bigger_than_memory;
  file_bigger_than_memory.segments.push_back({kRamBase, bytes({1, 2, 3, 4}), 2});
  EXPECT_EQ(load_error(file_bigger_than_memory.build()),
            "kernel.elf: segment at 0x80000000: file size 0x4 exceeds memory size 0x2");

  ElfBuilder huge_offset;
  huge_offset.segments.push_back({kRamBase, bytes({1}), 1});
  std::vector<uint8_t> file = huge_offset.build();
  for (int i = 0; i < 8; ++i) file[64 + 8 + static_cast<size_t>(i)] = 0xff;  // p_offset = 2^64 - 1
  EXPECT_NE(load_error(file).find("truncated"), std::string::npos);
}

TEST_F(ElfLoaderTest, RejectsOverlappingSegmentsAndEmptyPrograms) {
  ElfBuilder overlapping;
  overlapping.segments.push_back({kRamBase, bytes({1, 2, 3, 4}), 4});
  overlapping.segments.push_back({kRamBase + 2, bytes({5}), 1});
  EXPECT_EQ(load_error(overlapping.build()), "kernel.elf: segment at 0x80000002 overlaps the segment at 0x80000000");

  ElfBuilder no_load;
  no_load.segments.push_back({kRamBase, bytes({1}), 1, /*type=*/6});  // PT_PHDR only
  EXPECT_EQ(load_error(no_load.build()), "kernel.elf: no loadable segments");

  ElfBuilder no_headers;
  EXPECT_EQ(load_error(no_headers.build()), "kernel.elf: no program headers");
}

TEST_F(ElfLoaderTest, WritesNothingWhenAnyLaterSegmentIsBad) {
  ElfBuilder elf;
  elf.segments.push_back({kRamBase, bytes({1, 2, 3, 4}), 4});
  elf.segments.push_back({kUartBase, bytes({1}), 1});
  EXPECT_NE(load_error(elf.build()), "");
  EXPECT_EQ(ram_[0], 0xaa) << "the good first segment must not have been written";
}

TEST_F(ElfLoaderTest, RawImagesLoadAtTheirAddressWithASizeCheck) {
  LoadedImage image = load_raw(bus_, bytes({5, 6, 7}), kRamBase + 0x10010, "kernel");
  EXPECT_EQ(image.entry, kRamBase + 0x10010);
  EXPECT_EQ(image.low_address, kRamBase + 0x10010);
  EXPECT_EQ(image.end_address, kRamBase + 0x10013);
  EXPECT_EQ(std::vector<uint8_t>(ram_ + 0x10010, ram_ + 0x10013), bytes({5, 6, 7}));

  std::vector<uint8_t> too_big(kRamSize - 0xf, 1);
  try {
    load_raw(bus_, too_big, kRamBase + 0x10, "kernel");
    FAIL() << "expected a LoadError";
  } catch (const LoadError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("kernel too big for RAM", 0), 0u) << error.what();
  }
  EXPECT_EQ(ram_[0x10], 0xaa);
  EXPECT_THROW(load_raw(bus_, bytes({1}), kUartBase, "initrd"), LoadError);
  EXPECT_THROW(load_raw(bus_, {}, kRamBase, "initrd"), LoadError);
  EXPECT_NO_THROW(load_raw(bus_, std::vector<uint8_t>(kRamSize, 3), kRamBase, "kernel"));
}

TEST(ElfLoaderFiles, MissingFilesNameTheImageAndTheReason) {
  try {
    read_image_file("/nonexistent/kernel.elf", "kernel");
    FAIL() << "expected a LoadError";
  } catch (const LoadError& error) {
    EXPECT_STREQ(error.what(), "could not load kernel '/nonexistent/kernel.elf': No such file or directory");
  }
  EXPECT_THROW(read_image_file("/", "initrd"), LoadError);
}

// Whatever the bytes, loading ends in success or a LoadError: never a crash,
// never a write outside RAM/ROM (ASan/UBSan builds check the latter).
RC_GTEST_PROP(ElfLoaderProperty, CorruptedElfsNeverCrash, (std::vector<std::pair<uint16_t, uint8_t>> corruptions)) {
  PhysicalBus bus;
  bus.map_ram(kRamBase, 0x10000, "ram");
  NamedDevice uart;
  bus.map_device(kUartBase, 0x100, &uart);
  ElfBuilder elf;
  elf.segments.push_back({kRamBase, std::vector<uint8_t>(64, 1), 128});
  elf.segments.push_back({kRamBase + 0x1000, std::vector<uint8_t>(16, 2), 16});
  std::vector<uint8_t> file = elf.build();
  for (auto [position, value] : corruptions) file[position % file.size()] = value;
  size_t keep = corruptions.empty() ? file.size() : corruptions.front().first % (file.size() + 1);
  file.resize(keep);
  try {
    LoadedImage image = load_elf(bus, file, "fuzz.elf");
    RC_ASSERT(image.low_address < image.end_address);
    RC_ASSERT(bus.host_pointer(image.low_address, 1) != nullptr);
  } catch (const LoadError&) {
  }
}

}  // namespace
}  // namespace emu
