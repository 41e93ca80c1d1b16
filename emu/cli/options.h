// QEMU-style command-line parsing for emu-system-riscv64.
//
// Syntax, as QEMU 7.2 accepts it: every option is `-name` or `--name`,
// followed by its value as the next argument when it takes one
// (`-m 256M`; QEMU does not accept `-m=256M`). Many values are key=value
// lists with an implied first key (`-M virt,dumpdtb=x` is type=virt;
// `-smp 2` is cpus=2); a literal comma inside a value is written `,,`.
// `help` (or `?`) in place of a value lists the choices and exits 0
// (`-M help`, `-cpu help`, `-device help`, `-device NAME,help`,
// `-chardev help`, `-M virt,help`, `-accel help`, `-display help`).
//
// Errors are one line, QEMU's wording where QEMU has one:
//   -foo: invalid option
//   -m 12Q: invalid size ...
//   -netdev: not supported in emu
// The parser only checks syntax and ranges; files are opened later by the
// board, so `-kernel missing.elf` fails at load time with its own message.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emu/chardev/chardev_factory.h"

namespace emu::cli {

inline constexpr const char* kProgramName = "emu-system-riscv64";
inline constexpr const char* kEmuVersion = "0.1.0";

// A bad command line. what() is the message without the program-name
// prefix; main prints "emu-system-riscv64: " + what() and exits 1.
class OptionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A parsed key=value list (QEMU's QemuOpts), in command-line order.
struct KeyValueList {
  std::vector<std::pair<std::string, std::string>> entries;
  bool help = false;  // the list contained `help` or `?`

  // The last value for key, if present.
  std::optional<std::string> get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }
};

// Splits "value,key=value,..." into a KeyValueList. implied_key names the
// first element when it has no '=' (empty: every element needs a key, but a
// bare later element still means key=on, as in QEMU). ",," is a literal comma.
KeyValueList parse_key_value_list(std::string_view text, std::string_view implied_key);

// QEMU's size syntax: a number (decimal, or 0x hex) with an optional
// fractional part and suffix B, K, M, G, T, P, E (case-insensitive,
// binary multiples). default_unit applies when there is no suffix
// (-m uses MiB). Returns nullopt on malformed input or overflow.
std::optional<uint64_t> parse_size(std::string_view text, uint64_t default_unit);

// on/off, yes/no, true/false (QEMU's boolean property values).
std::optional<bool> parse_bool(std::string_view text);

// What a -device NAME,help would list; the registry is filled by device
// models when they arrive (none are user-creatable on the virt board yet).
struct DevicePropertyInfo {
  std::string name;
  std::string type;         // "uint32", "str", "bool", ...
  std::string description;  // may be empty
};
struct DeviceTypeInfo {
  std::string name;
  std::string bus;          // "virtio-bus", "System", ...
  std::string category;     // "Network devices", "Storage devices", ...
  std::string description;  // may be empty
  std::vector<DevicePropertyInfo> properties;
};
class DeviceRegistry {
 public:
  static DeviceRegistry& instance();
  void add(DeviceTypeInfo info);
  const DeviceTypeInfo* find(std::string_view name) const;
  const std::vector<DeviceTypeInfo>& types() const { return types_; }

 private:
  std::vector<DeviceTypeInfo> types_;
};

// A -device that named a registered type: kept for the board (later).
struct DeviceRequest {
  std::string type;
  KeyValueList properties;
  std::string location;  // "-device TEXT", for errors found after parsing
};

// A -drive (QEMU's DriveInfo), syntax-checked only: main resolves which
// device uses it and the board opens the file. Only format=raw exists in
// emu; if=none waits for a -device ...,drive=ID, if=virtio becomes a
// virtio-blk on the next free virtio-mmio slot (QEMU 7.2 makes a
// virtio-blk-pci there; emu has no PCI yet, see README.md).
//
// `snapshot` (QEMU's -drive ...,snapshot): guest writes go to a temporary
// in-memory overlay and the image is never written. `driver=blkreplay,
// image=ID` (QEMU's record/replay block filter, docs/system/replay.rst)
// takes the image drive's file and settings: emu's block I/O is synchronous
// and completes at a fixed icount, so the filter needs no log of its own, and
// the image drive is claimed (no device may use it directly).
struct DriveSpec {
  enum class Interface { None, Virtio };
  std::string id;     // -drive id=, or QEMU's generated name (virtio0, none0)
  std::string file;
  Interface interface = Interface::None;
  bool read_only = false;
  bool snapshot = false;
  std::string claimed_by;  // the blkreplay drive whose image this is, or ""
  std::string location;  // "-drive TEXT", for errors
};

enum class FirmwareChoice { Default, None, File };

struct MachineConfig {
  std::string machine_type = "virt";
  std::string dumpdtb_path;  // -M virt,dumpdtb=FILE: write the DTB and exit 0

  std::string cpu_model = "rv64";
  unsigned harts = 1;
  uint64_t ram_size = uint64_t{128} << 20;  // QEMU's virt default

  FirmwareChoice firmware = FirmwareChoice::Default;
  std::string firmware_path;  // FirmwareChoice::File
  std::string kernel_path;
  std::string initrd_path;
  std::string append;
  std::string dtb_path;

  unsigned icount_shift = 0;  // 1 instruction = 2^shift ns
  // -icount ...,rr=record|replay,rrfile=FILE (docs/replay.md). emu
  // extensions: rrcheckpoint=N (a state-hash checkpoint every N
  // instructions; 0: none) and, for tests, x-rrinject=N (replay only: flip
  // bit 0 of hart 0's x5 right after the instruction at icount N) with
  // x-rrinjecttarget=xR (another register) or =ADDRESS (a byte of guest RAM).
  enum class RecordReplay { None, Record, Replay };
  RecordReplay rr = RecordReplay::None;
  std::string rr_file;
  uint64_t rr_checkpoint_interval = 20'000'000;
  std::optional<uint64_t> rr_inject_icount;
  // rrend=exit|stop|live and rrimages=check|warn (replay; docs/replay.md).
  enum class ReplayEnd { Exit, Stop, Live };
  ReplayEnd rr_end = ReplayEnd::Exit;
  bool rr_allow_changed_images = false;
  unsigned rr_inject_register = 5;
  std::optional<uint64_t> rr_inject_address;
  // -accel tcg[,jit=on|off]: translate guest code with the JIT (default) or
  // run every instruction in the interpreter (the reference, docs/jit.md).
  bool jit = true;
  // -accel tcg,jit-threshold=N: a block is translated once execution has
  // reached it N times; until then the interpreter runs it (docs/jit.md,
  // "When a block is translated"). 1 translates at once.
  uint32_t jit_threshold = 16;
  // -d ITEMS / -D FILE: QEMU-style tracing (riscv::TraceItem bits; docs/jit.md,
  // "Tracing"); the log goes to FILE, or stderr when empty.
  unsigned trace_items = 0;
  std::string trace_file;
  bool no_reboot = false;
  bool no_shutdown = false;  // -no-shutdown: a guest poweroff stops the VM instead of exiting
  bool start_paused = false;  // -S
  bool nographic = false;
  std::string name;  // -name

  // Backends by id: every -chardev, plus one generated per -serial that
  // names a backend directly (id "serial0", ...).
  std::vector<ChardevSpec> chardevs;
  // The backend id of each serial port in order (uart0 first); empty id =
  // port not connected (-serial none).
  std::vector<std::string> serial_ids;

  // Monitors in command-line order (-qmp, -monitor, -mon, mon:stdio): the
  // chardev each one talks over and its mode.
  struct MonitorSpec {
    std::string chardev_id;
    bool control = false;  // QMP (mode=control); else HMP (mode=readline)
  };
  std::vector<MonitorSpec> monitors;

  std::vector<DeviceRequest> devices;
  std::vector<DriveSpec> drives;  // command-line order

  const ChardevSpec* find_chardev(std::string_view id) const;
};

// What main should do after parsing.
struct ParseResult {
  enum class Action { Run, PrintAndExit };
  Action action = Action::Run;
  std::string output;  // Action::PrintAndExit: the text for stdout (exit status 0)
  MachineConfig config;
};

// args excludes argv[0]. Throws OptionError.
ParseResult parse_command_line(std::span<const std::string> args);

}  // namespace emu::cli
