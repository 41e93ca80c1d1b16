#include "emu/hw/boards/riscv_virt.h"

#include "emu/block/overlay_backend.h"

#include <libfdt.h>
#include <poll.h>

#include <algorithm>
#include <cstring>

#include "emu/hw/boards/riscv_virt_memory_map.h"
#include "emu/hw/boards/virt_device_tree.h"
#include "emu/hw/clint.h"
#include "emu/hw/goldfish_rtc.h"
#include "emu/hw/loader/elf_loader.h"
#include "emu/hw/plic.h"
#include "emu/hw/sifive_test.h"
#include "emu/hw/uart16550.h"
#include "emu/block/raw_file.h"
#include "emu/hw/virtio/entropy_source.h"
#include "emu/hw/virtio/virtio_blk.h"
#include "emu/hw/virtio/virtio_mmio.h"
#include "emu/hw/virtio/virtio_rng.h"
#include "emu/jit/jit_engine.h"
#include "emu/monitor/monitor_hub.h"

namespace emu::virt {

namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

// InputQueue targets (one consumer per kind and target id).
constexpr uint32_t kUart0Target = 0;
constexpr uint32_t kRtcTarget = 0;
constexpr uint32_t kMonitorTarget = 0;

// Host input is polled every this many slices while harts are busy (a
// non-blocking read), and always when every hart is idle.
constexpr unsigned kSlicesPerHostPoll = 16;

// OpenSBI's fw_dynamic_info (include/sbi/fw_dynamic.h in OpenSBI): six
// XLEN-sized fields. Version 2 added boot_hart.
constexpr uint64_t kFwDynamicInfoMagic = 0x4942534f;  // "OSBI"
constexpr uint64_t kFwDynamicInfoVersion = 2;
constexpr uint64_t kFwDynamicNextModeSupervisor = 1;

// Boot ROM layout: six instructions, then two doublewords the code loads,
// then fw_dynamic_info (QEMU 7.2's offsets, which firmware does not depend
// on but dumps of the ROM do).
constexpr uint64_t kStartAddressOffset = 24;
constexpr uint64_t kDeviceTreeAddressOffset = 32;
constexpr uint64_t kFwDynamicInfoOffset = 40;

// RV64I encodings (unprivileged spec, chapter 2 and the opcode map).
constexpr unsigned kT0 = 5, kA0 = 10, kA1 = 11, kA2 = 12;
constexpr uint32_t kCsrMhartid = 0xf14;
uint32_t encode_u(uint32_t opcode, unsigned rd, uint32_t upper) { return (upper << 12) | (rd << 7) | opcode; }
uint32_t encode_i(uint32_t opcode, unsigned funct3, unsigned rd, unsigned rs1, uint32_t immediate) {
  return ((immediate & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}
uint32_t auipc(unsigned rd, uint32_t upper) { return encode_u(0x17, rd, upper); }
uint32_t addi(unsigned rd, unsigned rs1, uint32_t immediate) { return encode_i(0x13, 0, rd, rs1, immediate); }
uint32_t ld(unsigned rd, unsigned rs1, uint32_t offset) { return encode_i(0x03, 3, rd, rs1, offset); }
uint32_t jalr(unsigned rd, unsigned rs1, uint32_t offset) { return encode_i(0x67, 0, rd, rs1, offset); }
uint32_t csrrs(unsigned rd, uint32_t csr, unsigned rs1) { return encode_i(0x73, 2, rd, rs1, csr); }

void put_le32(uint8_t* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}
void put_le64(uint8_t* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t align_up(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }
uint64_t align_down(uint64_t value, uint64_t alignment) { return value / alignment * alignment; }

std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

// -dtb FILE: validate it and set /chosen's bootargs and initrd properties,
// as QEMU 7.2 does for a user tree.
std::vector<uint8_t> prepare_user_device_tree(const std::string& path, std::vector<uint8_t> file,
                                              const std::string& bootargs, uint64_t initrd_start,
                                              uint64_t initrd_end) {
  if (file.size() < sizeof(fdt_header) || fdt_check_header(file.data()) != 0 || fdt_totalsize(file.data()) > file.size()) {
    throw LoadError(path + ": not a valid device tree blob");
  }
  std::vector<uint8_t> tree(fdt_totalsize(file.data()) + bootargs.size() + 4096);
  int error = fdt_open_into(file.data(), tree.data(), static_cast<int>(tree.size()));
  int chosen = error == 0 ? fdt_path_offset(tree.data(), "/chosen") : error;
  if (chosen == -FDT_ERR_NOTFOUND) chosen = fdt_add_subnode(tree.data(), 0, "chosen");
  if (chosen < 0) throw LoadError(path + ": cannot update /chosen (" + fdt_strerror(chosen) + ")");
  if (!bootargs.empty()) error = fdt_setprop_string(tree.data(), chosen, "bootargs", bootargs.c_str());
  if (error == 0 && (initrd_start != 0 || initrd_end != 0)) {
    error = fdt_setprop_u64(tree.data(), chosen, "linux,initrd-start", initrd_start);
    if (error == 0) error = fdt_setprop_u64(tree.data(), chosen, "linux,initrd-end", initrd_end);
  }
  if (error == 0) error = fdt_pack(tree.data());
  if (error != 0) throw LoadError(path + ": cannot update /chosen (" + fdt_strerror(error) + ")");
  tree.resize(fdt_totalsize(tree.data()));
  return tree;
}

}  // namespace

// The harts' `time` CSR reads the CLINT's mtime (virtual ns / 100 plus any
// offset the guest wrote to mtime), as QEMU's rdtime does.
class RiscvVirtBoard::HartTime : public riscv::TimeSource {
 public:
  explicit HartTime(const Clint& clint) : clint_(clint) {}
  uint64_t mtime() const override { return clint_.mtime(); }

 private:
  const Clint& clint_;
};

RiscvVirtBoard::RiscvVirtBoard(BoardConfig config) : config_(std::move(config)), clock_(config_.icount_shift) {
  if (config_.harts < 1 || config_.harts > kMaxHarts) throw LoadError("virt: 1 to 8 harts are supported");
  if (config_.ram_size == 0) throw LoadError("virt: RAM size must not be zero");
  if (config_.quantum == 0) config_.quantum = 1;
  run_state_ = config_.start_paused ? monitor::RunState::Prelaunch : monitor::RunState::Running;
  build_devices();
  build_virtio_devices();
  load_images();
  reset_requested_ = false;
  start_record_replay();
}

RiscvVirtBoard::~RiscvVirtBoard() = default;

InterruptLine& RiscvVirtBoard::new_line(std::function<void(bool)> sink) {
  lines_.push_back(std::make_unique<InterruptLine>(std::move(sink)));
  return *lines_.back();
}

void RiscvVirtBoard::build_devices() {
  rom_ = bus_.map_rom(kBootRom.base, kBootRom.size, kBootRom.name);
  bus_.map_ram(kDram.base, config_.ram_size, kDram.name);

  // Harts are created after the CLINT (their time source), so the lines into
  // the harts look the hart up when they fire.
  std::vector<InterruptLine*> msip_lines, mtip_lines, context_lines;
  for (unsigned hart = 0; hart < config_.harts; ++hart) {
    auto wire = [this, hart](unsigned bit) {
      return [this, hart, bit](bool level) {
        if (hart < harts_.size()) harts_[hart]->set_interrupt_line(bit, level);
      };
    };
    msip_lines.push_back(&new_line(wire(riscv::MachineSoftware)));
    mtip_lines.push_back(&new_line(wire(riscv::MachineTimer)));
    context_lines.push_back(&new_line(wire(riscv::MachineExternal)));     // context 2h: M-mode
    context_lines.push_back(&new_line(wire(riscv::SupervisorExternal)));  // context 2h+1: S-mode
  }
  clint_ = std::make_unique<Clint>(config_.harts, clock_, scheduler_, msip_lines, mtip_lines);
  plic_ = std::make_unique<Plic>(kPlicSources, 2 * config_.harts, context_lines);
  InterruptLine& uart_irq = new_line([this](bool level) { plic_->set_source_level(kUart0Irq, level); });
  InterruptLine& rtc_irq = new_line([this](bool level) { plic_->set_source_level(kRtcIrq, level); });
  uart_ = std::make_unique<Uart16550>(config_.serial, &uart_irq);
  rtc_ = std::make_unique<GoldfishRtc>(clock_, scheduler_, &rtc_irq);
  test_ = std::make_unique<SifiveTest>([this](SifiveTest::Request request, uint16_t code) {
    switch (request) {
      case SifiveTest::Request::PowerOff:
        exit_status_ = 0;
        shut_down(true, "guest-shutdown");
        break;
      case SifiveTest::Request::Fail:
        stop_ = true;
        exit_status_ = code;  // QEMU exits with the code (the shell sees code & 0xff)
        break;
      case SifiveTest::Request::Reset:
        if (config_.no_reboot) {
          exit_status_ = 0;  // QEMU's -no-reboot: a reset request shuts down cleanly
          shut_down(true, "guest-reset");
        } else {
          reset_requested_ = true;
          reset_by_guest_ = true;
        }
        break;
      case SifiveTest::Request::None:
        return;
    }
    end_slice_now();
  });

  bus_.map_device(kSifiveTest.base, kSifiveTest.size, test_.get());
  bus_.map_device(kGoldfishRtc.base, kGoldfishRtc.size, rtc_.get());
  bus_.map_device(kClint.base, kClint.size, clint_.get());
  bus_.map_device(kPlic.base, kPlic.size, plic_.get());
  bus_.map_device(kUart0.base, Uart16550::kRegisterBlockSize, uart_.get());

  // All eight virtio-mmio slots exist, as on QEMU: an empty slot answers with
  // device id 0, so drivers probing the device tree's nodes find no device
  // rather than a bus error. Slot n raises PLIC source kVirtioIrqBase + n.
  for (unsigned slot = 0; slot < kVirtioSlots; ++slot) {
    const uint64_t base = kVirtio.base + slot * kVirtio.size;
    InterruptLine& irq = new_line([this, slot](bool level) { plic_->set_source_level(kVirtioIrqBase + slot, level); });
    virtio_slots_.push_back(std::make_unique<VirtioMmio>(bus_, &irq));
    bus_.map_device(base, VirtioMmio::kRegionSize, virtio_slots_.back().get());
  }

  hart_time_ = std::make_unique<HartTime>(*clint_);
  for (unsigned hart = 0; hart < config_.harts; ++hart) {
    harts_.push_back(std::make_unique<riscv::Hart>(bus_, hart, *hart_time_));
    harts_.back()->trace_log = config_.trace_log;
    jits_.push_back(config_.jit ? std::make_unique<jit::JitEngine>(*harts_.back(), config_.jit_threshold) : nullptr);
    harts_.back()->reset(kBootRom.base);
    // Lines that devices raised before this hart existed (the CLINT's MTIP is
    // high from reset) reach it now.
    riscv::Hart& created = *harts_.back();
    created.set_interrupt_line(riscv::MachineSoftware, msip_lines[hart]->level());
    created.set_interrupt_line(riscv::MachineTimer, mtip_lines[hart]->level());
    created.set_interrupt_line(riscv::MachineExternal, context_lines[2 * hart]->level());
    created.set_interrupt_line(riscv::SupervisorExternal, context_lines[2 * hart + 1]->level());
  }

  inputs_.register_consumer(InputKind::SerialBytes, kUart0Target,
                            [this](const Input& input) { uart_->receive(input.payload); });
  inputs_.register_consumer(InputKind::WallClock, kRtcTarget, [this](const Input& input) {
    if (input.payload.size() != 8) return;  // malformed input: ignored, never a crash
    uint64_t unix_ns = 0;
    for (int i = 7; i >= 0; --i) unix_ns = (unix_ns << 8) | input.payload[static_cast<size_t>(i)];
    rtc_->set_wall_clock_base(unix_ns);
  });
  // Monitor commands that change the guest arrive as inputs (record/replay logs them).
  inputs_.register_consumer(InputKind::MonitorCommand, kMonitorTarget, [this](const Input& input) {
    std::optional<monitor::MonitorInput> command = monitor::decode_monitor_input(input.payload);
    if (!command) return;  // malformed input: ignored, never a crash
    if (*command == monitor::MonitorInput::SystemReset) {
      reset_requested_ = true;
      reset_by_guest_ = false;
    } else {
      emit("POWERDOWN");  // QEMU 7.2's virt has no power button: the event is all that happens
    }
  });
}

// QEMU 7.2 plugs user virtio devices into the virtio-mmio transports
// newest-first (qbus_find picks the last-created free bus), so the first
// device lands in slot 7 at 0x10008000, the next in slot 6, and so on.
void RiscvVirtBoard::build_virtio_devices() {
  unsigned next_slot = kVirtioSlots;
  for (const VirtioDeviceConfig& device : config_.virtio_devices) {
    if (next_slot == 0) {
      throw LoadError("virtio: no free virtio-mmio slot (the virt board has " + std::to_string(kVirtioSlots) + ")");
    }
    const unsigned slot = --next_slot;
    switch (device.kind) {
      case VirtioDeviceConfig::Kind::Block:
        virtio_slots_[slot]->plug(std::make_unique<VirtioBlk>(open_drive(device), device.serial));
        break;
      case VirtioDeviceConfig::Kind::Entropy: {
        // Entropy enters the guest only through the input queue
        // (architecture.md); the slot number is the input target.
        entropy_sources_.push_back(std::make_unique<EntropySource>(inputs_, clock_, slot));
        EntropySource& source = *entropy_sources_.back();
        auto rng = std::make_unique<VirtioRng>([&source](size_t bytes) { source.request(bytes); });
        VirtioRng& device_model = *rng;
        virtio_slots_[slot]->plug(std::move(rng));
        inputs_.register_consumer(InputKind::Entropy, slot,
                                  [&device_model](const Input& input) { device_model.provide_entropy(input.payload); });
        break;
      }
    }
  }
}

// Every drive's backend is made here (record/replay wraps it in an overlay).
std::shared_ptr<BlockBackend> RiscvVirtBoard::open_drive(const VirtioDeviceConfig& device) {
  try {
    // Record and replay never write the user's disk, nor does a snapshot
    // drive: guest writes go to a temporary overlay (emu/block/overlay_backend.h).
    if (config_.record_replay.mode != replay::Mode::None || device.snapshot) {
      return std::make_shared<OverlayBackend>(std::make_shared<RawFileBackend>(device.file, true), device.read_only);
    }
    return std::make_shared<RawFileBackend>(device.file, device.read_only);
  } catch (const BlockError& error) {
    throw LoadError(device.origin + ": " + error.what());
  }
}

void RiscvVirtBoard::record_blob(const std::string& what, uint64_t address, uint64_t end) {
  for (const Blob& other : blobs_) {
    uint64_t other_end = other.address + other.bytes.size();
    if (address < other_end && other.address < end) {
      throw LoadError(what + " (" + hex(address) + "-" + hex(end - 1) + ") overlaps " + other.what + " (" +
                      hex(other.address) + "-" + hex(other_end - 1) + ")");
    }
  }
  const uint8_t* host = bus_.host_pointer(address, end - address);
  blobs_.push_back(Blob{what, address, std::vector<uint8_t>(host, host + (end - address))});
}

void RiscvVirtBoard::restore_blobs() {
  for (const Blob& blob : blobs_) {
    std::memcpy(bus_.host_pointer(blob.address, blob.bytes.size()), blob.bytes.data(), blob.bytes.size());
    bus_.dirty_pages().mark_written(blob.address, blob.bytes.size());
  }
}

void RiscvVirtBoard::load_images() {
  const uint64_t dram_end = kDram.base + config_.ram_size;

  // Firmware.
  uint64_t firmware_end = kDram.base;
  if (config_.firmware != BoardConfig::Firmware::None) {
    bool is_default = config_.firmware == BoardConfig::Firmware::Default;
    std::string path = is_default ? kDefaultFirmwarePath : config_.firmware_path;
    std::vector<uint8_t> file;
    try {
      file = read_image_file(path, "firmware");
    } catch (const LoadError& error) {
      if (!is_default) throw;
      throw LoadError(std::string(error.what()) + " (install Debian's opensbi package, or use -bios none)");
    }
    LoadedImage image = is_elf(file) ? load_elf(bus_, file, path) : load_raw(bus_, file, kDram.base, "firmware");
    record_blob("firmware", image.low_address, image.end_address);
    firmware_end = image.end_address;
  }

  // Kernel.
  uint64_t kernel_entry = 0;
  if (!config_.kernel_path.empty()) {
    std::vector<uint8_t> file = read_image_file(config_.kernel_path, "kernel");
    uint64_t kernel_start = align_up(firmware_end, 2 * kMiB);
    LoadedImage image = is_elf(file) ? load_elf(bus_, file, config_.kernel_path)
                                     : load_raw(bus_, file, kernel_start, "kernel");
    record_blob("kernel", image.low_address, image.end_address);
    kernel_entry = image.low_address;  // QEMU 7.2 hands OpenSBI the ELF's lowest address, not e_entry
  }

  // Initrd.
  uint64_t initrd_start = 0, initrd_end = 0;
  if (!config_.initrd_path.empty()) {
    std::vector<uint8_t> file = read_image_file(config_.initrd_path, "initrd");
    initrd_start = kernel_entry + std::min(config_.ram_size / 2, 128 * kMiB);
    initrd_end = load_raw(bus_, file, initrd_start, "initrd").end_address;
    record_blob("initrd", initrd_start, initrd_end);
  }

  // Device tree. QEMU places it by the size of its working tree: 1 MiB for
  // the generated one, (file size + 10000) * 2 for -dtb (its loader's
  // padding). Using the same sizes puts the tree at the same address.
  uint64_t placement_size = 0;
  if (config_.dtb_path.empty()) {
    DeviceTreeConfig tree;
    tree.harts = config_.harts;
    tree.ram_size = config_.ram_size;
    tree.bootargs = config_.append;
    tree.initrd_start = initrd_start;
    tree.initrd_end = initrd_end;
    device_tree_ = build_device_tree(tree);
    placement_size = std::max<uint64_t>(device_tree_.size(), kMiB);
  } else {
    std::vector<uint8_t> file = read_image_file(config_.dtb_path, "dtb");
    placement_size = (file.size() + 10000) * 2;
    device_tree_ = prepare_user_device_tree(config_.dtb_path, std::move(file), config_.append, initrd_start, initrd_end);
    placement_size = std::max<uint64_t>(placement_size, device_tree_.size());
  }
  uint64_t top = std::min(dram_end, 3 * kGiB);
  if (top < kDram.base + placement_size) {
    throw LoadError("device tree (" + std::to_string(device_tree_.size()) + " bytes) does not fit in " +
                    std::to_string(config_.ram_size) + " bytes of RAM");
  }
  device_tree_address_ = align_down(top - placement_size, 2 * kMiB);
  if (device_tree_address_ < kDram.base) device_tree_address_ = kDram.base;
  load_raw(bus_, device_tree_, device_tree_address_, "device tree");
  record_blob("device tree", device_tree_address_, device_tree_address_ + device_tree_.size());

  write_reset_vector(kDram.base, kernel_entry);
}

void RiscvVirtBoard::write_reset_vector(uint64_t start_address, uint64_t kernel_entry) {
  const uint32_t code[] = {
      auipc(kT0, 0),                              // t0 = 0x1000
      addi(kA2, kT0, kFwDynamicInfoOffset),       // a2 = &fw_dynamic_info
      csrrs(kA0, kCsrMhartid, 0),                 // a0 = mhartid
      ld(kA1, kT0, kDeviceTreeAddressOffset),     // a1 = device-tree address
      ld(kT0, kT0, kStartAddressOffset),          // t0 = start address
      jalr(0, kT0, 0),                            // jump
  };
  static_assert(sizeof code == kStartAddressOffset);
  std::memset(rom_, 0, kBootRom.size);
  for (size_t i = 0; i < std::size(code); ++i) put_le32(rom_ + 4 * i, code[i]);
  put_le64(rom_ + kStartAddressOffset, start_address);
  put_le64(rom_ + kDeviceTreeAddressOffset, device_tree_address_);
  const uint64_t info[] = {kFwDynamicInfoMagic, kFwDynamicInfoVersion, kernel_entry, kFwDynamicNextModeSupervisor,
                           0 /* options */, 0 /* boot_hart */};
  for (size_t i = 0; i < std::size(info); ++i) put_le64(rom_ + kFwDynamicInfoOffset + 8 * i, info[i]);
  bus_.dirty_pages().mark_written(kBootRom.base, kBootRom.size);  // written behind the bus's back (dirty_pages.h)
}

void RiscvVirtBoard::queue_wall_clock(uint64_t unix_ns) {
  if (replaying()) return;  // the log supplies the recorded base
  std::vector<uint8_t> payload(8);
  put_le64(payload.data(), unix_ns);
  inputs_.push(clock_.icount(), InputKind::WallClock, kRtcTarget, std::move(payload));
}

void RiscvVirtBoard::request_quit(int status) {
  exit_status_ = status;
  shut_down(false, "host-qmp-quit");  // QEMU gives this reason for quit and Ctrl-A x alike
}

void RiscvVirtBoard::request_exit_on_signal() {
  exit_status_ = 0;
  shut_down(false, "host-signal");
}

// QEMU's shutdown action: SHUTDOWN, then exit; with -no-shutdown a guest's
// request instead stops the VM in run state "shutdown" (SHUTDOWN, then
// STOP, as QEMU 8's vm_stop(RUN_STATE_SHUTDOWN); QEMU 7.2's sifive_test
// exits without asking). The monitors keep answering there; cont refuses
// until system_reset, and quit exits.
void RiscvVirtBoard::shut_down(bool guest, const char* reason) {
  if (stop_) return;
  emit("SHUTDOWN", guest, reason);
  if (guest && config_.no_shutdown) {
    if (run_state_ == monitor::RunState::Running) {
      run_state_ = monitor::RunState::Shutdown;
      emit("STOP");
    }
    return;
  }
  stop_ = true;
}

void RiscvVirtBoard::emit(const char* event, bool guest, const char* reason) {
  if (monitors_ == nullptr) return;
  monitor::Json data;  // null: no "data" member
  if (reason != nullptr) data = monitor::Json{{"guest", guest}, {"reason", reason}};
  monitors_->emit_event(event, data);
}

std::vector<monitor::ChardevInfo> RiscvVirtBoard::chardevs() const {
  return config_.describe_chardevs ? config_.describe_chardevs() : std::vector<monitor::ChardevInfo>{};
}

void RiscvVirtBoard::stop() {
  if (run_state_ != monitor::RunState::Running) return;
  run_state_ = monitor::RunState::Paused;
  emit("STOP");
}

bool RiscvVirtBoard::cont(std::string& error) {
  if (run_state_ == monitor::RunState::Running) return true;
  if (run_state_ == monitor::RunState::Shutdown) {
    error = "Resetting the Virtual Machine is required";
    return false;
  }
  run_state_ = monitor::RunState::Running;
  emit("RESUME");
  return true;
}

// Both are inputs stamped now and delivered at once (monitors run between
// slices): the effect lands before the command's reply, as in QEMU, and a
// replay delivers the logged input at the same icount.
void RiscvVirtBoard::request_system_reset() {
  if (replaying()) return;  // a replay takes guest inputs only from its log
  inputs_.push(clock_.icount(), InputKind::MonitorCommand, kMonitorTarget,
               monitor::encode_monitor_input(monitor::MonitorInput::SystemReset));
  settle(replay::DeliverySite::Poll);
  if (reset_requested_) reset();
}

void RiscvVirtBoard::request_system_powerdown() {
  if (replaying()) return;
  inputs_.push(clock_.icount(), InputKind::MonitorCommand, kMonitorTarget,
               monitor::encode_monitor_input(monitor::MonitorInput::SystemPowerdown));
  settle(replay::DeliverySite::Poll);
}

void RiscvVirtBoard::reset() {
  // QEMU's system_reset: every device and hart back to power-on state, and
  // the loaded images (ROM blobs) copied in again. RAM is otherwise kept.
  clint_->reset();
  plic_->reset();
  uart_->reset();
  rtc_->reset();
  test_->reset();
  for (auto& slot : virtio_slots_) slot->reset();
  for (auto& hart : harts_) hart->reset(kBootRom.base);
  restore_blobs();
  last_hart_run_ = -1;
  reset_requested_ = false;
  // QEMU: a machine that is not running comes out of a reset in prelaunch.
  if (run_state_ != monitor::RunState::Running) run_state_ = monitor::RunState::Prelaunch;
  emit("RESET", reset_by_guest_, reset_by_guest_ ? "guest-reset" : "host-qmp-system-reset");
  reset_by_guest_ = false;
}

// A device ended the run (poweroff, failure, reset): the hart executing the
// store returns right after it, not at the end of its quantum.
void RiscvVirtBoard::end_slice_now() {
  for (auto& hart : harts_) hart->stop_requested = true;
}

void RiscvVirtBoard::settle(replay::DeliverySite site) {
  delivery_site_ = site;  // the recorder logs it with each input
  scheduler_.run_due(clock_.ns());
  replay_feed(site);
  inputs_.deliver_due(clock_.icount());
}

bool RiscvVirtBoard::all_harts_idle() const {
  return std::all_of(harts_.begin(), harts_.end(), [](const auto& hart) {
    return hart->waiting_for_interrupt && !hart->interrupt_pending_for_wfi();
  });
}

void RiscvVirtBoard::run_slice(unsigned hart_index) {
  riscv::Hart& hart = *harts_[hart_index];
  if (hart.waiting_for_interrupt && !hart.interrupt_pending_for_wfi()) return;

  // Never run past the next event or queued input: they must land on the
  // same instruction every run.
  const uint64_t now = clock_.icount();
  uint64_t budget = config_.quantum;
  uint64_t deadline_ns = scheduler_.next_deadline_ns();
  if (deadline_ns != EventScheduler::kNever) {
    uint64_t deadline = clock_.icount_for_ns(deadline_ns);
    if (deadline > now) budget = std::min(budget, deadline - now);
  }
  uint64_t next_input = std::min(inputs_.next_icount(), replay_next_icount());
  if (next_input != UINT64_MAX && next_input > now) budget = std::min(budget, next_input - now);

  // An LR/SC pair never spans a switch between harts (hart.h).
  if (last_hart_run_ != static_cast<int>(hart_index)) {
    for (auto& other : harts_) other->reservation_valid = false;
    last_hart_run_ = static_cast<int>(hart_index);
  }
  hart.stop_requested = false;
  uint64_t used = execute_slice(hart_index, budget);
  clock_.advance(used);
  settle(replay::DeliverySite::Slice);
}

bool RiscvVirtBoard::poll_host_input() {
  if (config_.check_host_signals) config_.check_host_signals();
  bool any = false;
  if (config_.serial) {
    host_input_buffer_.clear();
    // A replay still reads the port (Ctrl-A x on a mux works) but drops the bytes.
    if (config_.serial->poll_input(host_input_buffer_) != 0 && !replaying()) {
      inputs_.push(clock_.icount(), InputKind::SerialBytes, kUart0Target, host_input_buffer_);
      any = true;
    }
  }
  if (replay_poll_due()) any = true;
  // After the serial port: on a mux, reading it may have queued monitor input.
  if (monitors_ && monitors_->poll()) any = true;
  return any;
}

void RiscvVirtBoard::wait_for_host_input() {
  std::vector<int> fds;
  if (config_.serial && config_.serial->input_fd() >= 0) fds.push_back(config_.serial->input_fd());
  if (config_.host_signal_fd >= 0) fds.push_back(config_.host_signal_fd);
  if (monitors_) monitors_->collect_input_fds(fds);
  // With no fd at all nothing can ever wake the guest: wait until a signal
  // ends the process, as QEMU does with an idle guest.
  std::vector<pollfd> descriptors;
  for (int fd : fds) descriptors.push_back(pollfd{fd, POLLIN, 0});
  ::poll(descriptors.data(), descriptors.size(), -1);
}

int RiscvVirtBoard::run() {
  settle(replay::DeliverySite::Start);  // inputs queued before the start (the RTC base) are due at once
  unsigned slices_since_poll = 0;
  while (!stop_) {
    if (run_state_ != monitor::RunState::Running) {
      // Stopped (-S, stop): virtual time stands still; only the host (a
      // monitor's cont, Ctrl-A x, a signal) moves the machine on.
      wait_for_host_input();
      if (poll_host_input()) settle(replay::DeliverySite::Poll);
      if (reset_requested_) reset();
      continue;
    }
    for (unsigned index = 0; index < harts_.size() && !stop_ && !reset_requested_ &&
                             run_state_ == monitor::RunState::Running;  // a -no-shutdown poweroff stops here
         ++index) {
      run_slice(index);
    }
    if (stop_) break;
    if (reset_requested_) {
      reset();
      continue;
    }
    // A replay polls after every round: a logged host input is delivered
    // at the end of the round with its icount, whatever the poll rate was.
    if (++slices_since_poll >= kSlicesPerHostPoll || replaying()) {
      slices_since_poll = 0;
      if (poll_host_input()) settle(replay::DeliverySite::Poll);
      // A replayed system_reset (a recording resets inside the command, in
      // the poll), then the round ends as it did in the recording.
      if (reset_requested_) reset();
    }
    record_replay_round_end();
    if (stop_ || run_state_ != monitor::RunState::Running) continue;
    if (!all_harts_idle()) continue;

    // Every hart waits for an interrupt: skip virtual time to the next
    // deadline, or block on the host if nothing is scheduled.
    if (poll_host_input()) {
      settle(replay::DeliverySite::Poll);
      continue;
    }
    if (stop_) break;  // a host stop (signal) ends the run here, before any skip: a replay ends at the same icount
    uint64_t deadline_ns = scheduler_.next_deadline_ns();
    uint64_t next_input = std::min(inputs_.next_icount(), replay_next_icount());
    if (deadline_ns == EventScheduler::kNever && next_input == UINT64_MAX) {
      if (replaying()) {
        replay_blocked();
        continue;
      }
      wait_for_host_input();
      if (poll_host_input()) settle(replay::DeliverySite::Poll);
      continue;
    }
    uint64_t target = std::min(deadline_ns == EventScheduler::kNever ? UINT64_MAX : clock_.icount_for_ns(deadline_ns),
                               next_input);
    if (target > clock_.icount()) {
      const uint64_t skip = target - clock_.icount();
      idle_skipped_icount_ += skip;
      clock_.advance(skip);
    }
    settle(replay::DeliverySite::Idle);
  }
  exit_status_ = record_replay_exit(exit_status_);
  run_state_ = monitor::RunState::Shutdown;
  return exit_status_;
}

}  // namespace emu::virt
