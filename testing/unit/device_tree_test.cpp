// The virt board's device tree, read back through libfdt: structure, device
// addresses and interrupts, per-hart wiring for 1..8 harts, and the optional
// /chosen properties. The tree's agreement with QEMU 7.2's own tree is checked
// by testing/compare-dtb.py against qemu-system-riscv64.
#include <gtest/gtest.h>
#include <libfdt.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "emu/hw/boards/riscv_virt_memory_map.h"
#include "emu/hw/boards/virt_device_tree.h"

namespace emu::virt {
namespace {

class Tree {
 public:
  explicit Tree(const DeviceTreeConfig& config) : blob_(build_device_tree(config)) {}

  const void* fdt() const { return blob_.data(); }
  const std::vector<uint8_t>& blob() const { return blob_; }

  int node(const std::string& path) const { return fdt_path_offset(fdt(), path.c_str()); }
  bool has_node(const std::string& path) const { return node(path) >= 0; }

  bool has_property(const std::string& path, const char* name) const {
    int offset = node(path);
    return offset >= 0 && fdt_getprop(fdt(), offset, name, nullptr) != nullptr;
  }

  // The property's raw bytes; ADD_FAILURE and empty when it is missing.
  std::vector<uint8_t> bytes(const std::string& path, const char* name) const {
    int offset = node(path);
    if (offset < 0) {
      ADD_FAILURE() << "no node " << path;
      return {};
    }
    int length = 0;
    auto* value = static_cast<const uint8_t*>(fdt_getprop(fdt(), offset, name, &length));
    if (value == nullptr) {
      ADD_FAILURE() << "no property " << path << ":" << name;
      return {};
    }
    return std::vector<uint8_t>(value, value + length);
  }

  std::vector<uint32_t> cells(const std::string& path, const char* name) const {
    std::vector<uint8_t> raw = bytes(path, name);
    EXPECT_EQ(raw.size() % 4, 0u) << path << ":" << name;
    std::vector<uint32_t> result;
    for (size_t index = 0; index + 4 <= raw.size(); index += 4) {
      fdt32_t big_endian;
      std::memcpy(&big_endian, raw.data() + index, 4);
      result.push_back(fdt32_to_cpu(big_endian));
    }
    return result;
  }

  uint32_t cell(const std::string& path, const char* name) const {
    std::vector<uint32_t> values = cells(path, name);
    EXPECT_EQ(values.size(), 1u) << path << ":" << name;
    return values.empty() ? 0 : values[0];
  }

  // A string or string list, NULs kept between the strings.
  std::string string(const std::string& path, const char* name) const {
    std::vector<uint8_t> raw = bytes(path, name);
    EXPECT_FALSE(raw.empty());
    EXPECT_EQ(raw.empty() ? 0 : raw.back(), 0) << path << ":" << name << " not NUL-terminated";
    return raw.empty() ? std::string() : std::string(raw.begin(), raw.end() - 1);
  }

  std::string path_of_phandle(uint32_t phandle) const {
    int offset = fdt_node_offset_by_phandle(fdt(), phandle);
    if (offset < 0) return "(no node with phandle " + std::to_string(phandle) + ")";
    char path[256];
    EXPECT_EQ(fdt_get_path(fdt(), offset, path, sizeof path), 0);
    return path;
  }

  std::vector<std::string> child_names(const std::string& path) const {
    std::vector<std::string> names;
    int child;
    fdt_for_each_subnode(child, fdt(), node(path)) {
      names.emplace_back(fdt_get_name(fdt(), child, nullptr));
    }
    return names;
  }

 private:
  std::vector<uint8_t> blob_;
};

std::string joined(std::initializer_list<const char*> strings) {
  std::string result;
  for (const char* piece : strings) {
    if (!result.empty()) result.push_back('\0');
    result += piece;
  }
  return result;
}

// reg for #address-cells = #size-cells = 2.
std::vector<uint32_t> reg_cells(uint64_t base, uint64_t size) {
  return {static_cast<uint32_t>(base >> 32), static_cast<uint32_t>(base), static_cast<uint32_t>(size >> 32),
          static_cast<uint32_t>(size)};
}

std::string hex_name(const char* prefix, uint64_t address) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s@%llx", prefix, static_cast<unsigned long long>(address));
  return buffer;
}

std::string virtio_path(unsigned slot) {
  return "/soc/" + hex_name("virtio_mmio", kVirtio.base + slot * kVirtio.size);
}

TEST(DeviceTree, HeaderIsValidAndBlobIsExactlyTotalsize) {
  Tree tree(DeviceTreeConfig{});
  ASSERT_EQ(fdt_check_header(tree.fdt()), 0);
  EXPECT_EQ(fdt_check_full(tree.fdt(), tree.blob().size()), 0);
  EXPECT_EQ(fdt_totalsize(tree.fdt()), tree.blob().size());
  EXPECT_EQ(fdt_num_mem_rsv(tree.fdt()), 0);
  EXPECT_EQ(fdt_boot_cpuid_phys(tree.fdt()), 0u);
}

TEST(DeviceTree, SameConfigGivesSameBytes) {
  DeviceTreeConfig config;
  config.harts = 3;
  config.bootargs = "console=ttyS0";
  config.initrd_start = 0x88000000;
  config.initrd_end = 0x88001000;
  EXPECT_EQ(build_device_tree(config), build_device_tree(config));
}

TEST(DeviceTree, RootProperties) {
  Tree tree(DeviceTreeConfig{});
  EXPECT_EQ(tree.cell("/", "#address-cells"), 2u);
  EXPECT_EQ(tree.cell("/", "#size-cells"), 2u);
  EXPECT_EQ(tree.string("/", "compatible"), "riscv-virtio");
  EXPECT_EQ(tree.string("/", "model"), "riscv-virtio,qemu");
  EXPECT_EQ(tree.child_names("/"),
            (std::vector<std::string>{"chosen", "poweroff", "reboot", "memory@80000000", "cpus", "soc"}));
}

struct DeviceNode {
  std::string path;
  uint64_t base;
  uint64_t size;
  std::string compatible;
};

TEST(DeviceTree, EveryDeviceHasItsMemoryMapRegAndCompatible) {
  Tree tree(DeviceTreeConfig{});
  std::vector<DeviceNode> devices = {
      {"/soc/test@100000", kSifiveTest.base, kSifiveTest.size,
       joined({"sifive,test1", "sifive,test0", "syscon"})},
      {"/soc/rtc@101000", kGoldfishRtc.base, kGoldfishRtc.size, "google,goldfish-rtc"},
      {"/soc/clint@2000000", kClint.base, kClint.size, joined({"sifive,clint0", "riscv,clint0"})},
      {"/soc/plic@c000000", kPlic.base, kPlic.size, joined({"sifive,plic-1.0.0", "riscv,plic0"})},
      {"/soc/serial@10000000", kUart0.base, kUart0.size, "ns16550a"},
  };
  for (unsigned slot = 0; slot < kVirtioSlots; ++slot) {
    devices.push_back({virtio_path(slot), kVirtio.base + slot * kVirtio.size, kVirtio.size, "virtio,mmio"});
  }
  for (const DeviceNode& device : devices) {
    SCOPED_TRACE(device.path);
    ASSERT_TRUE(tree.has_node(device.path));
    EXPECT_EQ(tree.cells(device.path, "reg"), reg_cells(device.base, device.size));
    EXPECT_EQ(tree.string(device.path, "compatible"), device.compatible);
  }
  // The bus itself: identity-mapped, two cells for addresses and sizes.
  EXPECT_EQ(tree.string("/soc", "compatible"), "simple-bus");
  EXPECT_TRUE(tree.bytes("/soc", "ranges").empty());
  EXPECT_EQ(tree.cell("/soc", "#address-cells"), 2u);
  EXPECT_EQ(tree.cell("/soc", "#size-cells"), 2u);
  EXPECT_EQ(tree.cell("/soc/serial@10000000", "clock-frequency"), 3686400u);
}

TEST(DeviceTree, PlicSourcesOfEachDevice) {
  Tree tree(DeviceTreeConfig{});
  const uint32_t plic = tree.cell("/soc/plic@c000000", "phandle");
  auto expect_source = [&](const std::string& path, unsigned source) {
    SCOPED_TRACE(path);
    EXPECT_EQ(tree.cell(path, "interrupts"), source);
    EXPECT_EQ(tree.cell(path, "interrupt-parent"), plic);
  };
  expect_source("/soc/rtc@101000", kRtcIrq);
  expect_source("/soc/serial@10000000", kUart0Irq);
  for (unsigned slot = 0; slot < kVirtioSlots; ++slot)
    expect_source(virtio_path(slot), kVirtioIrqBase + slot);

  EXPECT_EQ(tree.cell("/soc/plic@c000000", "riscv,ndev"), kPlicSources);
  EXPECT_EQ(tree.cell("/soc/plic@c000000", "#address-cells"), 0u);
  EXPECT_EQ(tree.cell("/soc/plic@c000000", "#interrupt-cells"), 1u);
  EXPECT_TRUE(tree.bytes("/soc/plic@c000000", "interrupt-controller").empty());
}

// QEMU lists the transports from the highest slot down; Linux probes them in
// tree order, so this order decides disk names.
TEST(DeviceTree, SocChildrenInQemuOrder) {
  Tree tree(DeviceTreeConfig{});
  std::vector<std::string> expected = {"rtc@101000", "serial@10000000", "test@100000"};
  for (unsigned slot = kVirtioSlots; slot-- > 0;) {
    expected.push_back(hex_name("virtio_mmio", kVirtio.base + slot * kVirtio.size));
  }
  expected.push_back("plic@c000000");
  expected.push_back("clint@2000000");
  EXPECT_EQ(tree.child_names("/soc"), expected);
}

TEST(DeviceTree, NoNodesForUnmodelledDevicesAndNoRandomSeed) {
  DeviceTreeConfig config;
  config.bootargs = "quiet";
  Tree tree(config);
  for (const char* path :
       {"/pmu", "/fw-cfg@10100000", "/flash@20000000", "/platform-bus@4000000", "/soc/pci@30000000"}) {
    EXPECT_FALSE(tree.has_node(path)) << path;
  }
  EXPECT_FALSE(tree.has_property("/chosen", "rng-seed"));
}

TEST(DeviceTree, SysconPowerOffAndRebootWriteTheTestDevice) {
  Tree tree(DeviceTreeConfig{});
  const uint32_t test_device = tree.cell("/soc/test@100000", "phandle");
  EXPECT_EQ(tree.string("/poweroff", "compatible"), "syscon-poweroff");
  EXPECT_EQ(tree.cell("/poweroff", "regmap"), test_device);
  EXPECT_EQ(tree.cell("/poweroff", "offset"), 0u);
  EXPECT_EQ(tree.cell("/poweroff", "value"), 0x5555u);
  EXPECT_EQ(tree.string("/reboot", "compatible"), "syscon-reboot");
  EXPECT_EQ(tree.cell("/reboot", "regmap"), test_device);
  EXPECT_EQ(tree.cell("/reboot", "offset"), 0u);
  EXPECT_EQ(tree.cell("/reboot", "value"), 0x7777u);
}

TEST(DeviceTree, ChosenWithoutOptionsHasOnlyStdoutPath) {
  Tree tree(DeviceTreeConfig{});
  EXPECT_EQ(tree.string("/chosen", "stdout-path"), "/soc/serial@10000000");
  EXPECT_TRUE(tree.has_node(tree.string("/chosen", "stdout-path")));
  EXPECT_FALSE(tree.has_property("/chosen", "bootargs"));
  EXPECT_FALSE(tree.has_property("/chosen", "linux,initrd-start"));
  EXPECT_FALSE(tree.has_property("/chosen", "linux,initrd-end"));
}

TEST(DeviceTree, BootargsOnlyWhenSet) {
  DeviceTreeConfig config;
  config.bootargs = "console=ttyS0 root=/dev/vda rw";
  Tree with(config);
  EXPECT_EQ(with.string("/chosen", "bootargs"), "console=ttyS0 root=/dev/vda rw");
  EXPECT_FALSE(with.has_property("/chosen", "linux,initrd-start"));
  config.bootargs.clear();
  EXPECT_FALSE(Tree(config).has_property("/chosen", "bootargs"));
}

TEST(DeviceTree, InitrdOnlyWhenSetAsOneCellBelow4GiB) {
  DeviceTreeConfig config;
  config.initrd_start = 0x88000000;
  config.initrd_end = 0x880004d2;
  Tree tree(config);
  // One cell each, as QEMU 7.2 writes them.
  EXPECT_EQ(tree.cells("/chosen", "linux,initrd-start"), std::vector<uint32_t>{0x88000000});
  EXPECT_EQ(tree.cells("/chosen", "linux,initrd-end"), std::vector<uint32_t>{0x880004d2});
  EXPECT_FALSE(tree.has_property("/chosen", "bootargs"));
}

TEST(DeviceTree, InitrdAbove4GiBUsesTwoCells) {
  DeviceTreeConfig config;
  config.ram_size = 8ull << 30;
  config.initrd_start = 0x1'2000'0000;
  config.initrd_end = 0x1'2000'1000;
  Tree tree(config);
  EXPECT_EQ(tree.cells("/chosen", "linux,initrd-start"), (std::vector<uint32_t>{0x1, 0x20000000}));
  EXPECT_EQ(tree.cells("/chosen", "linux,initrd-end"), (std::vector<uint32_t>{0x1, 0x20001000}));
}

TEST(DeviceTree, MemoryNodeCoversRam) {
  for (uint64_t ram_size : {128ull << 20, 256ull << 20, 4ull << 30, 8ull << 30, 0x1'2345'6000ull}) {
    SCOPED_TRACE(ram_size);
    DeviceTreeConfig config;
    config.ram_size = ram_size;
    Tree tree(config);
    EXPECT_EQ(tree.string("/memory@80000000", "device_type"), "memory");
    EXPECT_EQ(tree.cells("/memory@80000000", "reg"), reg_cells(kDram.base, ram_size));
  }
}

TEST(DeviceTree, OneCpuNodePerHart) {
  for (unsigned harts = 1; harts <= kMaxHarts; ++harts) {
    SCOPED_TRACE("harts=" + std::to_string(harts));
    DeviceTreeConfig config;
    config.harts = harts;
    Tree tree(config);
    EXPECT_EQ(tree.cell("/cpus", "#address-cells"), 1u);
    EXPECT_EQ(tree.cell("/cpus", "#size-cells"), 0u);
    EXPECT_EQ(tree.cell("/cpus", "timebase-frequency"), kTimebaseHz);

    std::vector<std::string> expected_children;
    for (unsigned hart = 0; hart < harts; ++hart) expected_children.push_back("cpu@" + std::to_string(hart));
    expected_children.push_back("cpu-map");
    ASSERT_EQ(tree.child_names("/cpus"), expected_children);
    EXPECT_EQ(tree.child_names("/cpus/cpu-map/cluster0").size(), harts);

    for (unsigned hart = 0; hart < harts; ++hart) {
      const std::string cpu = "/cpus/cpu@" + std::to_string(hart);
      const std::string intc = cpu + "/interrupt-controller";
      SCOPED_TRACE(cpu);
      EXPECT_EQ(tree.string(cpu, "device_type"), "cpu");
      EXPECT_EQ(tree.cell(cpu, "reg"), hart);
      EXPECT_EQ(tree.string(cpu, "status"), "okay");
      EXPECT_EQ(tree.string(cpu, "compatible"), "riscv");
      EXPECT_EQ(tree.string(cpu, "riscv,isa"), config.isa);
      EXPECT_EQ(tree.string(cpu, "mmu-type"), config.mmu_type);
      EXPECT_EQ(tree.string(intc, "compatible"), "riscv,cpu-intc");
      EXPECT_EQ(tree.cell(intc, "#interrupt-cells"), 1u);
      EXPECT_TRUE(tree.bytes(intc, "interrupt-controller").empty());
      const std::string core = "/cpus/cpu-map/cluster0/core" + std::to_string(hart);
      EXPECT_EQ(tree.path_of_phandle(tree.cell(core, "cpu")), cpu);
    }
  }
}

// <intc of hart 0, first>, <intc of hart 0, second>, <intc of hart 1, first>...
void expect_per_hart_interrupts(const Tree& tree, const std::string& path, unsigned harts, uint32_t first,
                                uint32_t second) {
  SCOPED_TRACE(path);
  std::vector<uint32_t> cells = tree.cells(path, "interrupts-extended");
  ASSERT_EQ(cells.size(), 4u * harts);
  for (unsigned hart = 0; hart < harts; ++hart) {
    const std::string intc = "/cpus/cpu@" + std::to_string(hart) + "/interrupt-controller";
    EXPECT_EQ(tree.path_of_phandle(cells[4 * hart]), intc);
    EXPECT_EQ(cells[4 * hart + 1], first);
    EXPECT_EQ(tree.path_of_phandle(cells[4 * hart + 2]), intc);
    EXPECT_EQ(cells[4 * hart + 3], second);
  }
}

TEST(DeviceTree, ClintAndPlicReachEveryHart) {
  for (unsigned harts = 1; harts <= kMaxHarts; ++harts) {
    SCOPED_TRACE("harts=" + std::to_string(harts));
    DeviceTreeConfig config;
    config.harts = harts;
    Tree tree(config);
    // CLINT: machine software (3) and machine timer (7) interrupts.
    expect_per_hart_interrupts(tree, "/soc/clint@2000000", harts, 3, 7);
    // PLIC: context 2n = hart n M-mode external (11), 2n+1 = S-mode (9).
    expect_per_hart_interrupts(tree, "/soc/plic@c000000", harts, 11, 9);
  }
}

TEST(DeviceTree, PhandlesAreUniqueAndFollowQemuNumbering) {
  for (unsigned harts : {1u, 2u, 5u, 8u}) {
    SCOPED_TRACE("harts=" + std::to_string(harts));
    DeviceTreeConfig config;
    config.harts = harts;
    Tree tree(config);
    std::set<uint32_t> seen;
    for (int offset = fdt_next_node(tree.fdt(), -1, nullptr); offset >= 0;
         offset = fdt_next_node(tree.fdt(), offset, nullptr)) {
      uint32_t phandle = fdt_get_phandle(tree.fdt(), offset);
      if (phandle != 0) {
        EXPECT_TRUE(seen.insert(phandle).second) << "duplicate phandle " << phandle;
      }
    }
    EXPECT_EQ(seen.size(), 2u * harts + 2);
    // QEMU numbers harts from the last down, then the PLIC, then the test
    // device; matching it keeps dtc dumps of both trees identical.
    for (unsigned hart = 0; hart < harts; ++hart) {
      const std::string cpu = "/cpus/cpu@" + std::to_string(hart);
      EXPECT_EQ(tree.cell(cpu, "phandle"), 2 * (harts - 1 - hart) + 1);
      EXPECT_EQ(tree.cell(cpu + "/interrupt-controller", "phandle"), 2 * (harts - 1 - hart) + 2);
    }
    EXPECT_EQ(tree.cell("/soc/plic@c000000", "phandle"), 2 * harts + 1);
    EXPECT_EQ(tree.cell("/soc/test@100000", "phandle"), 2 * harts + 2);
  }
}

TEST(DeviceTree, IsaAndMmuTypeComeFromTheConfig) {
  DeviceTreeConfig config;
  config.harts = 2;
  config.isa = "rv64imafdc_zicsr_zifencei";
  config.mmu_type = "riscv,sv39";
  Tree tree(config);
  for (const char* cpu : {"/cpus/cpu@0", "/cpus/cpu@1"}) {
    EXPECT_EQ(tree.string(cpu, "riscv,isa"), "rv64imafdc_zicsr_zifencei");
    EXPECT_EQ(tree.string(cpu, "mmu-type"), "riscv,sv39");
  }
}

// Outside the board's supported range the builder still returns a valid tree
// rather than failing: more harts or a command line larger than the first
// buffer makes it grow the buffer; zero harts gives empty per-hart lists.
TEST(DeviceTree, UnusualConfigsStillGiveValidTrees) {
  DeviceTreeConfig config;
  config.harts = 64;
  config.bootargs = std::string(100'000, 'x');
  Tree big(config);
  ASSERT_EQ(fdt_check_full(big.fdt(), big.blob().size()), 0);
  EXPECT_EQ(big.string("/chosen", "bootargs").size(), 100'000u);
  EXPECT_TRUE(big.has_node("/cpus/cpu@63"));
  EXPECT_EQ(big.cells("/soc/plic@c000000", "interrupts-extended").size(), 4u * 64);

  DeviceTreeConfig no_harts;
  no_harts.harts = 0;
  Tree empty(no_harts);
  ASSERT_EQ(fdt_check_full(empty.fdt(), empty.blob().size()), 0);
  EXPECT_FALSE(empty.has_node("/cpus/cpu@0"));
  EXPECT_TRUE(empty.cells("/soc/clint@2000000", "interrupts-extended").empty());
}

}  // namespace
}  // namespace emu::virt
