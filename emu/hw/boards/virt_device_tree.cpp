// The virt board's flattened device tree, written with libfdt's
// sequential-write API. Nodes and properties are emitted in exactly the order
// in which `dtc -I dtb -O dts` lists QEMU 7.2's tree (QEMU builds its tree by
// insertion, which reverses creation order; the listing order is what a reader
// sees), and phandles get QEMU's numbers, so a dump of emu's tree and a dump of
// QEMU's line up line by line (testing/compare-dtb.py).
//
// Deliberate differences from QEMU 7.2's tree for the same options:
//  - /chosen has no rng-seed. QEMU fills it with 32 host-random bytes on every
//    run; emu's guest-visible state must not depend on host randomness, and a
//    fixed "seed" would be a false promise of entropy. Linux then seeds its
//    RNG from other sources (virtio-rng through the input queue, if present).
//  - No /pmu node. QEMU 7.2 always emits riscv,event-to-mhpmcounters, mapping
//    hardware events to mhpmcounter3..18; emu's harts count no hardware events
//    (Zicntr only), and the tree must not claim what the hart does not do.
//    OpenSBI works with or without the node.
//  - No fw-cfg@10100000, flash@20000000, platform-bus@4000000 or
//    /soc/pci@30000000: emu does not model those devices yet.
//  - riscv,isa and mmu-type describe emu's hart (DeviceTreeConfig), not QEMU's
//    default cpu. QEMU 7.2 prints "rv64imafdc_zicsr_zifencei" for a cpu with
//    emu's extensions (-cpu rv64,h=false,zba=false,zbb=false,zbc=false,
//    zbs=false,sstc=false,Zihintpause=false).
//  - linux,initrd-start/end are 32-bit cells as in QEMU when the address fits,
//    and 64-bit otherwise (QEMU would truncate; Linux reads either size).
#include "emu/hw/boards/virt_device_tree.h"

#include <libfdt.h>

#include <climits>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string_view>

#include "emu/hw/boards/riscv_virt_memory_map.h"

namespace emu::virt {
namespace {

// Interrupt numbers of the hart-local controller (privileged spec 3.1.9,
// mip/mie bit positions) that the CLINT and PLIC drive.
constexpr uint32_t kMachineSoftwareInterrupt = 3;
constexpr uint32_t kMachineTimerInterrupt = 7;
constexpr uint32_t kSupervisorExternalInterrupt = 9;
constexpr uint32_t kMachineExternalInterrupt = 11;

// ns16550a input clock: 3.6864 MHz, the value QEMU advertises.
constexpr uint32_t kUartClockHz = 3'686'400;

// Magic values the syscon-poweroff/-reboot nodes write to the sifive,test0
// register (the FINISHER_PASS and FINISHER_RESET codes of the test device).
constexpr uint32_t kTestFinisherPass = 0x5555;
constexpr uint32_t kTestFinisherReset = 0x7777;

// QEMU allocates phandles in creation order: harts from the last to the first
// (each cpu node, then its interrupt controller), then the PLIC, then the test
// device. emu uses the same numbers so that dumps diff cleanly.
struct Phandles {
  std::vector<uint32_t> cpu;
  std::vector<uint32_t> cpu_interrupt_controller;
  uint32_t plic = 0;
  uint32_t test = 0;
};

Phandles allocate_phandles(unsigned harts) {
  Phandles phandles;
  phandles.cpu.resize(harts);
  phandles.cpu_interrupt_controller.resize(harts);
  uint32_t next = 1;
  for (unsigned hart = harts; hart-- > 0;) {
    phandles.cpu[hart] = next++;
    phandles.cpu_interrupt_controller[hart] = next++;
  }
  phandles.plic = next++;
  phandles.test = next++;
  return phandles;
}

std::string unit_name(const char* prefix, uint64_t address) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s@%llx", prefix, static_cast<unsigned long long>(address));
  return buffer;
}

uint32_t high_cell(uint64_t value) { return static_cast<uint32_t>(value >> 32); }
uint32_t low_cell(uint64_t value) { return static_cast<uint32_t>(value); }

// A thin wrapper over libfdt's sequential-write calls. The first failure is
// kept and later calls do nothing, so the caller checks once at the end: a
// full buffer (-FDT_ERR_NOSPACE) means "retry with a bigger one", anything
// else is a bug in this file.
class FdtWriter {
 public:
  explicit FdtWriter(size_t capacity) : buffer_(capacity) {
    record(fdt_create(buffer_.data(), static_cast<int>(buffer_.size())));
    if (error_ == 0) record(fdt_finish_reservemap(buffer_.data()));
  }

  void begin_node(const std::string& name) {
    if (error_ == 0) record(fdt_begin_node(buffer_.data(), name.c_str()));
  }
  void end_node() {
    if (error_ == 0) record(fdt_end_node(buffer_.data()));
  }

  void property_empty(const char* name) { property_bytes(name, nullptr, 0); }

  void property_string(const char* name, const std::string& value) {
    property_bytes(name, value.c_str(), value.size() + 1);
  }

  // A string list: each string NUL-terminated, back to back.
  void property_strings(const char* name, std::initializer_list<std::string_view> values) {
    std::string joined;
    for (std::string_view value : values) {
      joined.append(value);
      joined.push_back('\0');
    }
    property_bytes(name, joined.data(), joined.size());
  }

  void property_cells(const char* name, const std::vector<uint32_t>& cells) {
    std::vector<fdt32_t> big_endian;
    big_endian.reserve(cells.size());
    for (uint32_t cell : cells) big_endian.push_back(cpu_to_fdt32(cell));
    property_bytes(name, big_endian.data(), big_endian.size() * sizeof(fdt32_t));
  }

  void property_cell(const char* name, uint32_t cell) { property_cells(name, {cell}); }

  // reg with #address-cells = 2 and #size-cells = 2.
  void property_reg(uint64_t base, uint64_t size) {
    property_cells("reg", {high_cell(base), low_cell(base), high_cell(size), low_cell(size)});
  }

  // Finishes the blob; returns 0 or the first libfdt error.
  int finish() {
    if (error_ == 0) record(fdt_finish(buffer_.data()));
    return error_;
  }

  // The finished blob, trimmed to its totalsize.
  std::vector<uint8_t> take() {
    buffer_.resize(fdt_totalsize(buffer_.data()));
    return std::move(buffer_);
  }

 private:
  void property_bytes(const char* name, const void* value, size_t length) {
    if (error_ != 0) return;
    if (length > static_cast<size_t>(INT_MAX)) {
      error_ = -FDT_ERR_NOSPACE;
      return;
    }
    record(fdt_property(buffer_.data(), name, value, static_cast<int>(length)));
  }

  void record(int result) {
    if (result < 0 && error_ == 0) error_ = result;
  }

  std::vector<uint8_t> buffer_;
  int error_ = 0;
};

void write_chosen(FdtWriter& fdt, const DeviceTreeConfig& config) {
  fdt.begin_node("chosen");
  if (config.initrd_start != 0 || config.initrd_end != 0) {
    // Linux reads these as one or two cells, whichever the length says.
    auto write_address = [&fdt](const char* name, uint64_t address) {
      if (high_cell(address) == 0) {
        fdt.property_cell(name, low_cell(address));
      } else {
        fdt.property_cells(name, {high_cell(address), low_cell(address)});
      }
    };
    write_address("linux,initrd-end", config.initrd_end);
    write_address("linux,initrd-start", config.initrd_start);
  }
  if (!config.bootargs.empty()) fdt.property_string("bootargs", config.bootargs);
  fdt.property_string("stdout-path", "/soc/" + unit_name("serial", kUart0.base));
  fdt.end_node();
}

// syscon-poweroff / syscon-reboot: writes of a magic value to the sifive,test0
// register (the regmap) power the machine off or reset it.
void write_syscon_node(FdtWriter& fdt, const char* name, uint32_t value, const char* compatible,
                       uint32_t regmap_phandle) {
  fdt.begin_node(name);
  fdt.property_cell("value", value);
  fdt.property_cell("offset", 0);
  fdt.property_cell("regmap", regmap_phandle);
  fdt.property_string("compatible", compatible);
  fdt.end_node();
}

void write_memory(FdtWriter& fdt, const DeviceTreeConfig& config) {
  fdt.begin_node(unit_name("memory", kDram.base));
  fdt.property_string("device_type", "memory");
  fdt.property_reg(kDram.base, config.ram_size);
  fdt.end_node();
}

void write_cpus(FdtWriter& fdt, const DeviceTreeConfig& config, const Phandles& phandles) {
  fdt.begin_node("cpus");
  fdt.property_cell("#address-cells", 1);
  fdt.property_cell("#size-cells", 0);
  fdt.property_cell("timebase-frequency", static_cast<uint32_t>(kTimebaseHz));
  for (unsigned hart = 0; hart < config.harts; ++hart) {
    // Decimal, as QEMU names them (cpu@10 for hart 10), although unit
    // addresses are usually hex; reg holds the same number.
    fdt.begin_node("cpu@" + std::to_string(hart));
    fdt.property_cell("phandle", phandles.cpu[hart]);
    fdt.property_string("device_type", "cpu");
    fdt.property_cell("reg", hart);  // the hart ID (mhartid)
    fdt.property_string("status", "okay");
    fdt.property_string("compatible", "riscv");
    fdt.property_string("riscv,isa", config.isa);
    fdt.property_string("mmu-type", config.mmu_type);
    // The hart-local interrupt controller: mip/mie bits as interrupt numbers.
    fdt.begin_node("interrupt-controller");
    fdt.property_cell("#interrupt-cells", 1);
    fdt.property_empty("interrupt-controller");
    fdt.property_string("compatible", "riscv,cpu-intc");
    fdt.property_cell("phandle", phandles.cpu_interrupt_controller[hart]);
    fdt.end_node();
    fdt.end_node();
  }
  // One socket, one cluster: every hart is a core of cluster0.
  fdt.begin_node("cpu-map");
  fdt.begin_node("cluster0");
  for (unsigned hart = 0; hart < config.harts; ++hart) {
    fdt.begin_node("core" + std::to_string(hart));
    fdt.property_cell("cpu", phandles.cpu[hart]);
    fdt.end_node();
  }
  fdt.end_node();
  fdt.end_node();
  fdt.end_node();
}

// A device whose single interrupt goes to a PLIC source.
void write_plic_device(FdtWriter& fdt, const Phandles& phandles, unsigned plic_source) {
  fdt.property_cell("interrupts", plic_source);
  fdt.property_cell("interrupt-parent", phandles.plic);
}

// interrupts-extended: for every hart, <hart's intc, first> then <hart's intc,
// second>.
std::vector<uint32_t> per_hart_interrupts(const Phandles& phandles, uint32_t first, uint32_t second) {
  std::vector<uint32_t> cells;
  for (uint32_t intc : phandles.cpu_interrupt_controller) {
    cells.insert(cells.end(), {intc, first, intc, second});
  }
  return cells;
}

void write_soc(FdtWriter& fdt, const Phandles& phandles) {
  fdt.begin_node("soc");
  fdt.property_cell("#address-cells", 2);
  fdt.property_cell("#size-cells", 2);
  fdt.property_string("compatible", "simple-bus");
  fdt.property_empty("ranges");  // child addresses are physical addresses

  fdt.begin_node(unit_name("rtc", kGoldfishRtc.base));
  write_plic_device(fdt, phandles, kRtcIrq);
  fdt.property_reg(kGoldfishRtc.base, kGoldfishRtc.size);
  fdt.property_string("compatible", "google,goldfish-rtc");
  fdt.end_node();

  fdt.begin_node(unit_name("serial", kUart0.base));
  write_plic_device(fdt, phandles, kUart0Irq);
  fdt.property_cell("clock-frequency", kUartClockHz);
  fdt.property_reg(kUart0.base, kUart0.size);
  fdt.property_string("compatible", "ns16550a");
  fdt.end_node();

  fdt.begin_node(unit_name("test", kSifiveTest.base));
  fdt.property_cell("phandle", phandles.test);
  fdt.property_reg(kSifiveTest.base, kSifiveTest.size);
  fdt.property_strings("compatible", {"sifive,test1", "sifive,test0", "syscon"});
  fdt.end_node();

  // Highest slot first, as in QEMU's tree. The order matters to guests: Linux
  // probes virtio-mmio transports in tree order, which fixes the names
  // (vda, vdb, ...) of the disks behind them.
  for (unsigned slot = kVirtioSlots; slot-- > 0;) {
    uint64_t base = kVirtio.base + slot * kVirtio.size;
    fdt.begin_node(unit_name("virtio_mmio", base));
    write_plic_device(fdt, phandles, kVirtioIrqBase + slot);
    fdt.property_reg(base, kVirtio.size);
    fdt.property_string("compatible", "virtio,mmio");
    fdt.end_node();
  }

  fdt.begin_node(unit_name("plic", kPlic.base));
  fdt.property_cell("phandle", phandles.plic);
  fdt.property_cell("riscv,ndev", kPlicSources);
  fdt.property_reg(kPlic.base, kPlic.size);
  // Context 2n is hart n's M mode, context 2n+1 its S mode.
  fdt.property_cells("interrupts-extended",
                     per_hart_interrupts(phandles, kMachineExternalInterrupt, kSupervisorExternalInterrupt));
  fdt.property_empty("interrupt-controller");
  fdt.property_strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  fdt.property_cell("#address-cells", 0);
  fdt.property_cell("#interrupt-cells", 1);
  fdt.end_node();

  fdt.begin_node(unit_name("clint", kClint.base));
  fdt.property_cells("interrupts-extended",
                     per_hart_interrupts(phandles, kMachineSoftwareInterrupt, kMachineTimerInterrupt));
  fdt.property_reg(kClint.base, kClint.size);
  fdt.property_strings("compatible", {"sifive,clint0", "riscv,clint0"});
  fdt.end_node();

  fdt.end_node();
}

int write_tree(FdtWriter& fdt, const DeviceTreeConfig& config) {
  const Phandles phandles = allocate_phandles(config.harts);
  fdt.begin_node("");
  fdt.property_cell("#address-cells", 2);
  fdt.property_cell("#size-cells", 2);
  fdt.property_string("compatible", "riscv-virtio");
  fdt.property_string("model", "riscv-virtio,qemu");
  write_chosen(fdt, config);
  write_syscon_node(fdt, "poweroff", kTestFinisherPass, "syscon-poweroff", phandles.test);
  write_syscon_node(fdt, "reboot", kTestFinisherReset, "syscon-reboot", phandles.test);
  write_memory(fdt, config);
  write_cpus(fdt, config, phandles);
  write_soc(fdt, phandles);
  fdt.end_node();
  return fdt.finish();
}

}  // namespace

std::vector<uint8_t> build_device_tree(const DeviceTreeConfig& config) {
  // Typical trees are 3-5 KiB; a long -append or many harts need more.
  for (size_t capacity = 16 * 1024; capacity <= static_cast<size_t>(INT_MAX); capacity *= 2) {
    FdtWriter fdt(capacity);
    int error = write_tree(fdt, config);
    if (error == 0) return fdt.take();
    if (error != -FDT_ERR_NOSPACE) {
      throw std::runtime_error(std::string("device tree: libfdt error: ") + fdt_strerror(error));
    }
  }
  throw std::runtime_error("device tree: does not fit in 2 GiB");
}

}  // namespace emu::virt
