// emu's riscv64 `virt` board: QEMU 7.2's memory map and boot protocol
// (riscv_virt_memory_map.h), the devices on it, 1 to 8 harts, and the
// machine loop that runs them.
//
// Boot, as QEMU 7.2 does it:
//   - every hart starts at the reset-vector ROM (0x1000), which loads
//     a0 = mhartid, a1 = device-tree address, a2 = &fw_dynamic_info and jumps
//     to the start of DRAM (0x80000000);
//   - -bios FILE (ELF at its addresses, or raw at 0x80000000) is loaded there;
//     without -bios it is Debian's OpenSBI fw_dynamic.bin; -bios none loads
//     nothing;
//   - -kernel: an ELF at its physical addresses; a raw image at the first
//     2 MiB boundary at or after the end of the firmware (0x80000000 with
//     -bios none, 0x80200000 after OpenSBI). fw_dynamic_info.next_addr is the
//     kernel's lowest loaded address (QEMU's rule), next_mode S;
//   - -initrd: raw at kernel start + min(RAM/2, 128 MiB);
//   - the device tree (generated, or -dtb FILE with /chosen updated) at the
//     2 MiB boundary at or below min(RAM end, 3 GiB) minus its size.
//
// The machine loop (run()) is the only thread that touches guest state. Harts
// take turns in fixed instruction quanta; virtual time advances by the slots
// they use, and no slice runs past the next event deadline or queued input, so
// events and inputs land on the same instruction every run. When every hart
// waits in WFI, virtual time jumps to the next deadline; with no deadline the
// loop blocks on host input: the only place host time passes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "emu/chardev/chardev.h"
#include "emu/core/event_scheduler.h"
#include "emu/core/input_queue.h"
#include "emu/core/interrupt_line.h"
#include "emu/core/physical_bus.h"
#include "emu/core/virtual_clock.h"
#include "emu/monitor/machine_control.h"
#include "emu/replay/record_replay.h"
#include "emu/replay/state_hash.h"
#include "emu/target/riscv/hart.h"

namespace emu {
class Clint;
class Plic;
class Uart16550;
class SifiveTest;
class GoldfishRtc;
class VirtioMmio;
class VirtioRng;
class EntropySource;
class BlockBackend;
}  // namespace emu
namespace emu::monitor {
class MonitorHub;
}
namespace emu::replay {
class StateHasher;
}
namespace emu::jit {
class JitEngine;
}

namespace emu::virt {

class SliceObserver;  // riscv_virt_narrow.h

inline constexpr const char* kDefaultFirmwarePath = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

// A virtio device on a virtio-mmio slot (-device virtio-*-device, -drive
// if=virtio). The board fills slots from the highest down, as QEMU 7.2 does:
// the first device sits at 0x10008000 (slot 7, PLIC source 8).
struct VirtioDeviceConfig {
  enum class Kind { Block, Entropy };
  Kind kind = Kind::Block;
  // Kind::Block: the raw image, read-only or not, and the GET_ID serial.
  std::string drive_id;
  std::string file;
  bool read_only = false;
  bool snapshot = false;  // -drive ...,snapshot: writes go to a temporary overlay
  std::string serial;
  std::string origin;  // the option that created the drive, prefixed to errors ("-drive file=...")
};

struct BoardConfig {
  enum class Firmware { Default, None, File };

  unsigned harts = 1;
  uint64_t ram_size = uint64_t{128} << 20;
  Firmware firmware = Firmware::Default;
  std::string firmware_path;  // Firmware::File
  std::string kernel_path;    // empty: no kernel
  std::string initrd_path;
  std::string append;
  std::string dtb_path;  // empty: generate
  unsigned icount_shift = 0;
  bool no_reboot = false;
  // QEMU's -no-shutdown: a guest poweroff (or a reset with no_reboot) stops
  // the VM in run state "shutdown" instead of exiting; quit and host
  // signals still exit.
  bool no_shutdown = false;
  bool start_paused = false;
  Chardev* serial = nullptr;      // uart0's backend; null: output dropped, no input
  uint64_t quantum = 10000;       // instructions per hart turn
  bool jit = true;                // -accel tcg,jit=off: every hart runs in the interpreter
  uint32_t jit_threshold = 1;     // -accel tcg,jit-threshold=N (jit::JitEngine)
  riscv::TraceLog* trace_log = nullptr;  // -d tracing for every hart (owned by main); null: off
  std::string name;               // -name, for query-name / info name
  replay::RecordReplayConfig record_replay;  // -icount ...,rr=,rrfile=
  // query-chardev / info chardev: the chardevs main created, described now.
  std::function<std::vector<monitor::ChardevInfo>()> describe_chardevs;
  std::vector<VirtioDeviceConfig> virtio_devices;  // in plug order (slot 7 first)
  // Host termination signals: main's handler makes host_signal_fd readable
  // (so a blocked machine loop wakes up); the loop then calls
  // check_host_signals, which may call request_exit_on_signal(). -1 / empty: none.
  int host_signal_fd = -1;
  std::function<void()> check_host_signals;
};

class RiscvVirtBoard : public monitor::MachineControl {
 public:
  // Builds the machine and loads every image. Throws LoadError (bad or
  // missing files, images that do not fit) with a one-line message.
  explicit RiscvVirtBoard(BoardConfig config);
  ~RiscvVirtBoard();
  RiscvVirtBoard(const RiscvVirtBoard&) = delete;
  RiscvVirtBoard& operator=(const RiscvVirtBoard&) = delete;

  // The DTB handed to the guest (for -M virt,dumpdtb=FILE).
  const std::vector<uint8_t>& device_tree() const { return device_tree_; }
  uint64_t device_tree_address() const { return device_tree_address_; }

  // Host side, before run(): queues the RTC's wall-clock base (ns since the
  // Unix epoch) as an input at the current icount. main reads the host clock
  // once and passes it here; replay will pass the recorded value instead.
  void queue_wall_clock(uint64_t unix_ns);

  // Runs until the guest powers off (0), fails through the test device (its
  // code), or quit is requested. Returns the exit status.
  int run();

  // Host side (e.g. Ctrl-A x): stop after the current slice with `status`.
  void request_quit(int status);
  // Host side: SIGINT/SIGTERM/SIGHUP. Exit status 0 and a SHUTDOWN event
  // with reason "host-signal", with or without -no-shutdown (as QEMU 7.2).
  void request_exit_on_signal();

  // Machine reset: devices, harts and loaded images, as QEMU's system_reset.
  void reset();

  // Observers for tests.
  PhysicalBus& bus() { return bus_; }
  const VirtualClock& clock() const { return clock_; }
  riscv::Hart& hart(unsigned index) { return *harts_.at(index); }

  // The monitors: polled with the host input, told about run-state changes
  // (events). Set before run(); may be null.
  void set_monitors(monitor::MonitorHub* monitors) { monitors_ = monitors; }

  // monitor::MachineControl
  monitor::RunState run_state() const override { return run_state_; }
  unsigned hart_count() const override { return static_cast<unsigned>(harts_.size()); }
  const riscv::Hart& hart(unsigned index) const override { return *harts_.at(index); }
  const PhysicalBus& bus() const override { return bus_; }
  std::string name() const override { return config_.name; }
  std::vector<monitor::ChardevInfo> chardevs() const override;
  int64_t host_thread_id(unsigned) const override { return machine_thread_id_; }
  void stop() override;
  bool cont(std::string& error) override;
  void request_system_reset() override;
  void request_system_powerdown() override;
  void request_quit() override { request_quit(0); }
  bool state_hash(uint64_t& icount, uint64_t& hash, bool full) const override;
  ReplayInfo replay_info() const override;
  bool replay_break(uint64_t icount, std::string& error) override;
  bool replay_delete_break(std::string& error) override;
  bool replay_seek(uint64_t icount, std::string& error) override;

  // State hashing (riscv_virt_replay.cpp): every hart, RAM/ROM by page (or
  // by the hasher's group size), every device's save() stream, the clock.
  // Without memory: the rest, for a caller that tracks pages itself (narrowing).
  // Memory comes from the dirty-page cache, or with read_every_page from
  // reading every page (x-query-state-hash full: checks the cache).
  void hash_state(replay::StateHasher& hasher, bool with_memory = true, bool read_every_page = false) const;
  uint64_t state_hash() const;
  uint64_t icount() const { return clock_.icount(); }

  // Replay divergence narrowing (riscv_virt_narrow.h): re-runs watch their
  // slices, and learn whether and where their own replay diverged.
  void set_slice_observer(SliceObserver* observer) { slice_observer_ = observer; }
  struct ReplayDivergence {
    uint64_t icount = 0;
    std::string what;  // "hart0.x5 differs", ...
  };
  std::optional<ReplayDivergence> replay_divergence() const;

 private:
  class HartTime;
  struct Blob {
    std::string what;
    uint64_t address;
    std::vector<uint8_t> bytes;
  };

  void build_devices();
  // User-created virtio devices into the empty virtio-mmio slots (after
  // build_devices). open_drive is the one place a drive's backend is made.
  void build_virtio_devices();
  void end_slice_now();
  std::shared_ptr<BlockBackend> open_drive(const VirtioDeviceConfig& device);
  void load_images();
  void write_reset_vector(uint64_t start_address, uint64_t kernel_entry);
  void record_blob(const std::string& what, uint64_t address, uint64_t end);
  void restore_blobs();
  InterruptLine& new_line(std::function<void(bool)> sink);

  // Machine loop pieces.
  void run_slice(unsigned hart_index);
  // A slice's instructions (riscv_virt_narrow.cpp): whole, or in pieces that
  // the guest cannot tell apart (x-rrinject, a narrowing observer's steps).
  uint64_t execute_slice(unsigned hart_index, uint64_t budget);
  bool all_harts_idle() const;
  bool poll_host_input();           // non-blocking; true if anything was queued
  void wait_for_host_input();       // blocks in poll() on the input fds
  void settle(replay::DeliverySite site);  // fire due events, deliver due inputs
  void emit(const char* event, bool guest = false, const char* reason = nullptr);

  // Record/replay driver (riscv_virt_replay.cpp, docs/replay.md). The loop
  // calls these at fixed places; with mode None they do nothing.
  struct RecordReplay;
  void start_record_replay();             // constructor: open/read the log, check images
  bool replaying() const;
  void replay_feed(replay::DeliverySite site);  // queue the logged inputs delivered here
  bool replay_poll_due() const;           // a logged input is due at this poll
  uint64_t replay_next_icount() const;    // slices and idle skips stop here (UINT64_MAX: none)
  void record_replay_round_end();         // checkpoints, breakpoints, end of the log
  void replay_blocked();                  // replay: idle with nothing scheduled
  void replay_log_exhausted();            // every logged input delivered, the end icount reached (rrend=)
  void compare_replay_end();              // final icount/hash check, message and REPLAY_END
  int record_replay_exit(int status);     // end record / final comparison
  struct RecordReplayDeleter {
    void operator()(RecordReplay* state) const;  // where RecordReplay is complete
  };
  std::unique_ptr<RecordReplay, RecordReplayDeleter> rr_;
  // Page hashes kept between state hashes: hash_state rehashes only the
  // pages written since the previous one (state_hash.h).
  mutable replay::MemoryHashCache memory_hashes_;
  replay::DeliverySite delivery_site_ = replay::DeliverySite::Start;
  void shut_down(bool guest, const char* reason);  // guest: honours no_shutdown

  BoardConfig config_;
  VirtualClock clock_;
  EventScheduler scheduler_;
  InputQueue inputs_;
  PhysicalBus bus_;
  uint8_t* rom_ = nullptr;

  std::vector<std::unique_ptr<InterruptLine>> lines_;
  std::unique_ptr<Clint> clint_;
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<Uart16550> uart_;
  std::unique_ptr<SifiveTest> test_;
  std::unique_ptr<GoldfishRtc> rtc_;
  std::vector<std::unique_ptr<VirtioMmio>> virtio_slots_;
  std::vector<std::unique_ptr<EntropySource>> entropy_sources_;  // one per virtio-rng
  std::unique_ptr<HartTime> hart_time_;
  std::vector<std::unique_ptr<riscv::Hart>> harts_;
  // Per hart: its JIT engine, or null when the hart runs in the interpreter
  // (-accel tcg,jit=off). Both give the same results slot for slot.
  std::vector<std::unique_ptr<jit::JitEngine>> jits_;

  std::vector<uint8_t> device_tree_;
  uint64_t device_tree_address_ = 0;
  std::vector<Blob> blobs_;  // everything the loaders wrote, rewritten on reset

  bool stop_ = false;
  int exit_status_ = 0;
  bool reset_requested_ = false;
  bool reset_by_guest_ = false;  // the RESET event's "guest" and reason
  monitor::RunState run_state_ = monitor::RunState::Running;
  monitor::MonitorHub* monitors_ = nullptr;
  int64_t machine_thread_id_ = ::gettid();  // the board is built and run on the machine thread
  int last_hart_run_ = -1;
  uint64_t idle_skipped_icount_ = 0;  // virtual time skipped while every hart waited (record checkpoints skip it)
  SliceObserver* slice_observer_ = nullptr;
  bool injected_ = false;  // x-rrinject has flipped its bit
  std::vector<uint8_t> host_input_buffer_;
};

}  // namespace emu::virt
