#include "emu/cli/options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "emu/target/riscv/trace_log.h"

namespace emu::cli {

namespace {

constexpr unsigned kMaxHarts = 8;                      // emu's virt (QEMU allows 512)
constexpr unsigned kMaxIcountShift = 10;               // QEMU's MAX_ICOUNT_SHIFT
constexpr unsigned kAutoIcountShift = 3;               // QEMU's initial shift=auto guess (125 MIPS)
constexpr uint64_t kMaxRamSize = uint64_t{16} << 30;   // host memory is allocated up front
constexpr uint64_t kRamAlignment = 8192;               // QEMU rounds -m up to 8 KiB
constexpr uint64_t kMiB = uint64_t{1} << 20;


// QEMU options emu knows but does not implement. They fail with a clear
// message instead of "invalid option", so a QEMU user knows why.
const std::set<std::string, std::less<>> kUnsupportedOptions = {
    "netdev", "blockdev", "hda", "hdb", "hdc", "hdd", "cdrom", "fda", "fdb", "sd",
    "pflash", "mtdblock", "snapshot", "gdb", "s", "vnc", "spice",
    "usb", "usbdevice", "object", "global", "boot", "loadvm", "incoming", "daemonize", "pidfile", "rtc",
    "audiodev", "audio", "fsdev", "virtfs", "numa", "add-fd", "overcommit", "mem-path", "mem-prealloc", "k",
    "readconfig", "writeconfig", "no-user-config", "no-shutdown", "action", "trace", "plugin", "semihosting",
    "semihosting-config", "sandbox", "msg", "runas", "chroot", "enable-kvm", "xen-domid", "iscsi",
    "portrait", "rotate", "full-screen", "g", "alt-grab", "ctrl-grab", "sdl", "curses", "L", "watchdog-action",
    "echr", "virtioconsole", "debugcon", "option-rom", "fw_cfg", "smbios", "acpitable", "uuid", "device-tree",
    "preconfig", "compat", "set", "show-cursor", "tpmdev", "async-teardown", "seed", "singlestep", "bt",
    "nodefconfig", "kernel-irqchip", "localtime", "win2k-hack", "no-fd-bootchk", "no-hpet", "no-acpi",
    "balloon", "usb-tablet", "tb-size", "chardev-add", "smp-opts", "m-opts", "icount-opts", "qtest",
    "qtest-log", "nouserconfig", "xen-attach", "xen-create", "mem-merge", "cpu-opts", "watchdog", "soundhw",
};

std::string format_size(uint64_t bytes) {
  const char* suffixes = "BKMGTPE";
  int index = 0;
  while (index < 6 && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++index;
  }
  return std::to_string(bytes) + (index == 0 ? "" : std::string(1, suffixes[index]));
}

std::optional<unsigned> parse_unsigned(std::string_view text) {
  unsigned value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string usage_text() {
  std::string text = std::string("emu version ") + kEmuVersion + ", QEMU-compatible command line\n" +
                     "usage: " + kProgramName + " [options]\n\n";
  text +=
      "Options (QEMU syntax; `-opt help` lists the choices where it says so):\n"
      "-h or -help                   display this help and exit\n"
      "-version                      display version information and exit\n"
      "-machine, -M [type=]virt[,dumpdtb=FILE]\n"
      "                              select the board (`-M help`, `-M virt,help`);\n"
      "                              dumpdtb writes the device tree and exits\n"
      "-cpu rv64                     select the CPU model (`-cpu help`)\n"
      "-smp [cpus=]N[,sockets=,cores=,threads=,maxcpus=]\n"
      "                              number of harts, 1 to 8\n"
      "-m [size=]SIZE                RAM size, default 128M (plain number = MiB)\n"
      "-bios none|default|FILE       firmware (default: Debian's OpenSBI fw_dynamic.bin)\n"
      "-kernel FILE                  ELF or raw kernel image\n"
      "-initrd FILE                  initial ram disk\n"
      "-append CMDLINE               kernel command line\n"
      "-dtb FILE                     use this device tree instead of the generated one\n"
      "-nographic                    no display; serial port on stdio (Ctrl-A h for help)\n"
      "-display none                 no display (`-display help`)\n"
      "-serial stdio|mon:stdio|null|none|file:PATH|chardev:ID|unix:PATH[,server=on,wait=off]|tcp:[HOST]:PORT[,...]\n"
      "                              connect the next serial port\n"
      "-chardev stdio|null|file|socket,id=ID[,path=PATH][,host=H,port=P][,server=on|off][,wait=on|off]\n"
      "         [,nodelay=on|off][,signal=on|off][,mux=on|off]\n"
      "                              create a character device (`-chardev help`)\n"
      "-qmp DEV                      QMP monitor on DEV (unix:PATH,server=on,wait=off | tcp:... | stdio)\n"
      "-monitor DEV                  HMP monitor on DEV (same forms; mon:stdio shares stdio with the serial port)\n"
      "-mon chardev=ID[,mode=readline|control]\n"
      "                              monitor on an existing chardev\n"
      "-device DRIVER[,prop=value]   add a device (`-device help`, `-device DRIVER,help`)\n"
      "-drive file=FILE[,format=raw][,if=none|virtio][,id=ID][,readonly=on|off][,snapshot=on|off]\n"
      "                              a raw disk image; if=none drives are used by\n"
      "                              -device virtio-blk-device,drive=ID; snapshot: writes\n"
      "                              go to a temporary overlay, the image stays as it is\n"
      "-drive driver=blkreplay,if=none,image=ID,id=ID2\n"
      "                              QEMU's record/replay block filter over drive ID\n"
      "-icount [shift=]N|auto        1 instruction = 2^N ns of virtual time (0 to 10, default 0;\n"
      "                              auto = 3, fixed: emu's time never follows the host's)\n"
      "        [,rr=record|replay,rrfile=FILE][,rrcheckpoint=N][,rrend=exit|stop|live][,rrimages=check|warn]\n"
      "                              record or replay the run's inputs (docs/replay.md)\n"
      "-accel tcg[,jit=on|off][,jit-threshold=N]\n"
      "                              execution engine: the JIT (default) or, jit=off, the interpreter (`-accel help`)\n"
      "-d item1,...                  trace in_asm, out_asm, exec, cpu (`-d help`; docs/jit.md)\n"
      "-D logfile                    write the -d trace to logfile instead of stderr\n"
      "-name NAME                    name of the guest\n"
      "-no-reboot                    exit instead of rebooting\n"
      "-no-shutdown                  stop the VM (run state shutdown) instead of exiting on guest poweroff\n"
      "-S                            do not start the CPUs (start them with the monitor's cont)\n"
      "-nodefaults                   no default serial port\n"
      "-vga, -parallel, -net, -nic none\n"
      "                              accepted: emu has none of these yet\n";
  return text;
}

class Parser {
 public:
  ParseResult parse(std::span<const std::string> args);

 private:
  // One option occurrence: `-m 12Q`. location() is how errors name it.
  struct Occurrence {
    std::string option;  // as typed, e.g. "-m" or "--machine"
    std::string name;    // without dashes: "m", "machine"
    std::string value;   // empty for options without an argument
    bool has_value = false;
    std::string location() const { return has_value ? option + " " + value : option; }
  };

  [[noreturn]] void fail(const Occurrence& occurrence, const std::string& message) const {
    throw OptionError(occurrence.location() + ": " + message);
  }
  void set_help(std::string text) {
    if (!help_output_) help_output_ = std::move(text);
  }
  void reject_unknown_keys(const Occurrence& occurrence, const KeyValueList& list,
                           std::initializer_list<std::string_view> known) const;

  void handle(const Occurrence& occurrence);
  void handle_machine(const Occurrence& occurrence);
  void handle_cpu(const Occurrence& occurrence);
  void handle_smp(const Occurrence& occurrence);
  void handle_memory(const Occurrence& occurrence);
  void handle_icount(const Occurrence& occurrence);
  void handle_chardev(const Occurrence& occurrence);
  void handle_device(const Occurrence& occurrence);
  void handle_drive(const Occurrence& occurrence);
  void handle_accel(const Occurrence& occurrence);
  void handle_display(const Occurrence& occurrence);
  void handle_name(const Occurrence& occurrence);
  void resolve_serials();
  void handle_monitor(const Occurrence& occurrence, bool control);
  void handle_mon(const Occurrence& occurrence);
  unsigned monitor_count_ = 0;
  void add_chardev(const Occurrence& occurrence, ChardevSpec spec);

  MachineConfig config_;
  std::optional<std::string> help_output_;
  std::vector<Occurrence> serials_;  // resolved after every -chardev is known
  bool nodefaults_ = false;
};

// Options whose only value emu supports is "none", which is also what emu
// does without them (no monitor, no VGA, no parallel port, no NIC).
const std::set<std::string, std::less<>> kNoneOnlyOptions = {"vga", "parallel", "net", "nic"};

bool takes_argument(std::string_view name) {
  if (kNoneOnlyOptions.count(name)) return true;
  static const std::set<std::string, std::less<>> kWithArgument = {
      "M",   "machine", "cpu",   "smp",  "m",       "bios", "kernel", "initrd", "append", "dtb",
      "serial", "chardev", "device", "drive", "display", "name", "icount", "accel", "d",      "D",
      "qmp", "qmp-pretty", "monitor", "mon",
  };
  return kWithArgument.count(name) != 0;
}

bool is_known_flag(std::string_view name) {
  static const std::set<std::string, std::less<>> kFlags = {
      "h", "help", "version", "nographic", "no-reboot", "no-shutdown", "S", "nodefaults",
  };
  return kFlags.count(name) != 0;
}

ParseResult Parser::parse(std::span<const std::string> args) {
  for (size_t index = 0; index < args.size(); ++index) {
    const std::string& argument = args[index];
    if (argument.size() < 2 || argument[0] != '-') {
      throw OptionError(argument + ": a disk image without an option (QEMU's -hda) is not supported in emu");
    }
    Occurrence occurrence;
    occurrence.option = argument;
    occurrence.name = argument.substr(argument[1] == '-' ? 2 : 1);
    if (occurrence.name == "h" || occurrence.name == "help") {
      return ParseResult{ParseResult::Action::PrintAndExit, usage_text(), {}};
    }
    if (occurrence.name == "version") {
      return ParseResult{ParseResult::Action::PrintAndExit,
                         std::string("emu version ") + kEmuVersion + ", QEMU-compatible command line (QEMU 7.2)\n",
                         {}};
    }
    if (takes_argument(occurrence.name)) {
      if (index + 1 >= args.size()) throw OptionError(argument + ": requires an argument");
      occurrence.value = args[++index];
      occurrence.has_value = true;
    } else if (!is_known_flag(occurrence.name)) {
      if (kUnsupportedOptions.count(occurrence.name)) throw OptionError(argument + ": not supported in emu");
      throw OptionError(argument + ": invalid option");
    }
    handle(occurrence);
  }

  if (help_output_) return ParseResult{ParseResult::Action::PrintAndExit, *help_output_, {}};

  resolve_serials();
  if (config_.kernel_path.empty()) {
    if (!config_.initrd_path.empty()) throw OptionError("-initrd only allowed with -kernel option");
    if (!config_.append.empty()) throw OptionError("-append only allowed with -kernel option");
  }
  return ParseResult{ParseResult::Action::Run, {}, std::move(config_)};
}

void Parser::reject_unknown_keys(const Occurrence& occurrence, const KeyValueList& list,
                                 std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : list.entries) {
    if (std::find(known.begin(), known.end(), key) == known.end()) fail(occurrence, "Invalid parameter '" + key + "'");
  }
}

void Parser::handle(const Occurrence& occurrence) {
  const std::string& name = occurrence.name;
  const std::string& value = occurrence.value;
  if (name == "M" || name == "machine") return handle_machine(occurrence);
  if (name == "cpu") return handle_cpu(occurrence);
  if (name == "smp") return handle_smp(occurrence);
  if (name == "m") return handle_memory(occurrence);
  if (name == "icount") return handle_icount(occurrence);
  if (name == "chardev") return handle_chardev(occurrence);
  if (name == "device") return handle_device(occurrence);
  if (name == "drive") return handle_drive(occurrence);
  if (name == "accel") return handle_accel(occurrence);
  if (name == "display") return handle_display(occurrence);
  if (name == "name") return handle_name(occurrence);
  if (name == "bios") {
    if (value == "none") {
      config_.firmware = FirmwareChoice::None;
    } else if (value == "default") {
      config_.firmware = FirmwareChoice::Default;
    } else if (value.empty()) {
      fail(occurrence, "empty firmware file name");
    } else {
      config_.firmware = FirmwareChoice::File;
      config_.firmware_path = value;
    }
    return;
  }
  if (name == "kernel" || name == "initrd" || name == "dtb") {
    if (value.empty()) fail(occurrence, "empty file name");
    (name == "kernel" ? config_.kernel_path : name == "initrd" ? config_.initrd_path : config_.dtb_path) = value;
    return;
  }
  if (name == "append") {
    config_.append = value;
    return;
  }
  if (name == "serial") {
    serials_.push_back(occurrence);
    return;
  }
  if (name == "qmp" || name == "qmp-pretty") return handle_monitor(occurrence, true);
  if (name == "monitor") return handle_monitor(occurrence, false);
  if (name == "mon") return handle_mon(occurrence);
  if (name == "nographic") {
    config_.nographic = true;
    return;
  }
  if (name == "no-reboot") {
    config_.no_reboot = true;
    return;
  }
  if (name == "no-shutdown") {
    config_.no_shutdown = true;
    return;
  }
  if (name == "S") {
    config_.start_paused = true;
    return;
  }
  if (name == "nodefaults") {
    nodefaults_ = true;
    return;
  }
  if (name == "d") {
    if (value == "help" || value == "?") return set_help(riscv::trace_items_help());
    try {
      config_.trace_items = riscv::parse_trace_items(value);
    } catch (const std::invalid_argument& error) {
      fail(occurrence, error.what());
    }
    return;
  }
  if (name == "D") {
    if (value.empty()) fail(occurrence, "empty file name");
    config_.trace_file = value;
    return;
  }
  if (kNoneOnlyOptions.count(name)) {
    if (value != "none") fail(occurrence, "only 'none' is supported in emu for now");
    return;
  }
  throw OptionError(occurrence.option + ": invalid option");  // a table entry without a handler
}

void Parser::handle_machine(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "type");
  std::optional<std::string> type = list.get("type");
  if (type && (*type == "help" || *type == "?")) {
    set_help("Supported machines are:\nvirt                 RISC-V VirtIO board (default)\n");
    return;
  }
  if (type) {
    if (*type != "virt") {
      fail(occurrence, "unsupported machine type '" + *type + "' (use -machine help to list supported machines)");
    }
    config_.machine_type = *type;
  }
  if (list.help) {
    set_help(
        "virt-machine options:\n"
        "  aclint=<bool>          - ACLINT devices (emu: off only)\n"
        "  aia=<string>           - AIA interrupt controller (emu: none only)\n"
        "  append=<string>        - Linux kernel command line\n"
        "  dtb=<string>           - Linux kernel device tree file\n"
        "  dumpdtb=<string>       - Dump current dtb to a file and quit\n"
        "  firmware=<string>      - Firmware image\n"
        "  initrd=<string>        - Linux initial ramdisk file\n"
        "  kernel=<string>        - Linux kernel image file\n");
    return;
  }
  for (const auto& [key, value] : list.entries) {
    if (key == "type") continue;
    if (key == "dumpdtb") {
      if (value.empty()) fail(occurrence, "dumpdtb needs a file name");
      config_.dumpdtb_path = value;
    } else if (key == "dtb") {
      config_.dtb_path = value;
    } else if (key == "append") {
      config_.append = value;
    } else if (key == "kernel") {
      config_.kernel_path = value;
    } else if (key == "initrd") {
      config_.initrd_path = value;
    } else if (key == "firmware") {
      config_.firmware = value == "none" ? FirmwareChoice::None : FirmwareChoice::File;
      config_.firmware_path = value == "none" ? "" : value;
    } else if (key == "accel") {
      if (value != "tcg") fail(occurrence, "invalid accelerator " + value);
    } else if (key == "aclint" || key == "aia") {
      std::optional<bool> flag = parse_bool(value);
      if (key == "aclint" && !flag) fail(occurrence, "Parameter 'aclint' expects 'on' or 'off'");
      bool absent = key == "aclint" ? !*flag : value == "none";
      if (!absent) fail(occurrence, key + "=" + value + ": not supported in emu yet");
    } else {
      fail(occurrence, "Property 'virt-machine." + key + "' not found");
    }
  }
}

void Parser::handle_cpu(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "model");
  std::string model = list.get("model").value_or("");
  if (model == "help" || model == "?") {
    set_help("any\nrv64\n");
    return;
  }
  if (model != "rv64" && model != "any") fail(occurrence, "unable to find CPU model '" + model + "'");
  for (const auto& [key, value] : list.entries) {
    if (key != "model") fail(occurrence, "CPU property '" + key + "' is not supported in emu yet");
  }
  config_.cpu_model = "rv64";
}

void Parser::handle_smp(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "cpus");
  reject_unknown_keys(occurrence, list, {"cpus", "sockets", "dies", "clusters", "cores", "threads", "maxcpus"});
  std::map<std::string, unsigned> numbers;
  for (const auto& [key, value] : list.entries) {
    std::optional<unsigned> number = parse_unsigned(value);
    if (!number) fail(occurrence, "Parameter 'smp." + key + "' expects integer");
    numbers[key] = *number;
  }
  auto given = [&](const char* key) { return numbers.count(key) ? numbers[key] : 0u; };
  for (const auto& [key, number] : numbers) {
    if (number == 0) fail(occurrence, "CPU topology parameter '" + key + "' must be greater than zero");
  }
  // QEMU 7.2's rule, simplified: a missing count is inferred from the
  // others (sockets first), missing dies/clusters/threads are 1.
  uint64_t dies = std::max(1u, given("dies")), clusters = std::max(1u, given("clusters"));
  uint64_t threads = std::max(1u, given("threads"));
  uint64_t cores = given("cores"), sockets = given("sockets");
  uint64_t max_cpus = given("maxcpus") ? given("maxcpus") : given("cpus");
  if (max_cpus == 0) max_cpus = std::max<uint64_t>(sockets, 1) * dies * clusters * std::max<uint64_t>(cores, 1) * threads;
  if (cores == 0 && sockets == 0) sockets = 1;
  if (cores == 0) cores = std::max<uint64_t>(1, max_cpus / (sockets * dies * clusters * threads));
  if (sockets == 0) sockets = std::max<uint64_t>(1, max_cpus / (cores * dies * clusters * threads));
  uint64_t cpus = given("cpus") ? given("cpus") : max_cpus;
  uint64_t product = sockets * dies * clusters * cores * threads;
  if (product != max_cpus) {
    fail(occurrence, "Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (" +
                         std::to_string(sockets) + ") * cores (" + std::to_string(cores) + ") * threads (" +
                         std::to_string(threads) + ") != maxcpus (" + std::to_string(max_cpus) + ")");
  }
  if (max_cpus < cpus) {
    fail(occurrence, "Invalid CPU topology: maxcpus (" + std::to_string(max_cpus) + ") is smaller than cpus (" +
                         std::to_string(cpus) + ")");
  }
  if (max_cpus != cpus) fail(occurrence, "maxcpus above cpus (CPU hotplug) is not supported in emu");
  if (cpus > kMaxHarts) {
    fail(occurrence, "Invalid SMP CPUs " + std::to_string(cpus) + ". The max CPUs supported by machine 'virt' is " +
                         std::to_string(kMaxHarts));
  }
  config_.harts = static_cast<unsigned>(cpus);
}

void Parser::handle_memory(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "size");
  for (const auto& [key, value] : list.entries) {
    if (key == "slots" || key == "maxmem") fail(occurrence, "memory hotplug (" + key + ") is not supported in emu");
    if (key != "size") fail(occurrence, "Invalid parameter '" + key + "'");
  }
  std::optional<std::string> text = list.get("size");
  if (!text) return;
  std::optional<uint64_t> size = parse_size(*text, kMiB);
  if (!size) fail(occurrence, "invalid size (expected a number with an optional suffix K, M, G or T)");
  if (*size == 0) {
    config_.ram_size = uint64_t{128} << 20;  // QEMU: 0 means the machine's default
    return;
  }
  if (*size > kMaxRamSize) fail(occurrence, "RAM size too large for emu (at most " + format_size(kMaxRamSize) + ")");
  config_.ram_size = (*size + kRamAlignment - 1) / kRamAlignment * kRamAlignment;
}

void Parser::handle_icount(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "shift");
  for (const auto& [key, value] : list.entries) {
    if (key == "shift") {
      // QEMU's shift=auto starts at shift 3 and then tunes the shift to
      // keep virtual time near the host's. emu's virtual time never looks at
      // the host, so auto is that starting shift, fixed (docs/replay.md).
      std::optional<unsigned> shift = value == "auto" ? std::optional<unsigned>(kAutoIcountShift) : parse_unsigned(value);
      if (!shift || *shift > kMaxIcountShift) fail(occurrence, "icount: Invalid shift value");
      config_.icount_shift = *shift;
    } else if (key == "sleep") {
      // emu never sleeps to keep pace with the host clock; both settings
      // give the same guest execution, so both are accepted.
      if (!parse_bool(value)) fail(occurrence, "Parameter 'sleep' expects 'on' or 'off'");
    } else if (key == "align") {
      std::optional<bool> flag = parse_bool(value);
      if (!flag) fail(occurrence, "Parameter 'align' expects 'on' or 'off'");
      if (*flag) fail(occurrence, "align=on is not supported in emu");
    } else if (key == "rr") {
      if (value == "record") config_.rr = MachineConfig::RecordReplay::Record;
      else if (value == "replay") config_.rr = MachineConfig::RecordReplay::Replay;
      else if (value == "off") config_.rr = MachineConfig::RecordReplay::None;
      else fail(occurrence, "Invalid value '" + value + "' for 'rr' (expected record, replay or off)");
    } else if (key == "rrfile") {
      config_.rr_file = value;
    } else if (key == "rrcheckpoint") {
      std::optional<uint64_t> interval = parse_size(value, 1);
      if (!interval) fail(occurrence, "Parameter 'rrcheckpoint' expects an instruction count");
      config_.rr_checkpoint_interval = *interval;
    } else if (key == "rrend") {
      if (value == "exit") config_.rr_end = MachineConfig::ReplayEnd::Exit;
      else if (value == "stop") config_.rr_end = MachineConfig::ReplayEnd::Stop;
      else if (value == "live") config_.rr_end = MachineConfig::ReplayEnd::Live;
      else fail(occurrence, "Invalid value '" + value + "' for 'rrend' (expected exit, stop or live)");
    } else if (key == "rrimages") {
      if (value == "check") config_.rr_allow_changed_images = false;
      else if (value == "warn") config_.rr_allow_changed_images = true;
      else fail(occurrence, "Invalid value '" + value + "' for 'rrimages' (expected check or warn)");
    } else if (key == "x-rrinject") {
      std::optional<uint64_t> icount = parse_size(value, 1);
      if (!icount) fail(occurrence, "Parameter 'x-rrinject' expects an instruction count");
      config_.rr_inject_icount = *icount;
    } else if (key == "x-rrinjecttarget") {
      // xR: bit 0 of hart 0's register R; a physical address: bit 0 of that RAM byte.
      std::optional<unsigned> reg = value.size() > 1 && value[0] == 'x' ? parse_unsigned(value.substr(1)) : std::nullopt;
      std::optional<uint64_t> address = reg ? std::nullopt : parse_size(value, 1);
      if ((reg && (*reg == 0 || *reg > 31)) || (!reg && !address)) {
        fail(occurrence, "Parameter 'x-rrinjecttarget' expects x1 to x31 or a guest physical address");
      }
      if (reg) config_.rr_inject_register = *reg;
      config_.rr_inject_address = address;
    } else if (key == "rrsnapshot") {
      fail(occurrence, "rrsnapshot is not supported in emu (replays start from the command line's machine)");
    } else {
      fail(occurrence, "Invalid parameter '" + key + "'");
    }
  }
  if (config_.rr != MachineConfig::RecordReplay::None && config_.rr_file.empty()) {
    fail(occurrence, "rr=record and rr=replay need rrfile=FILE");
  }
}

void Parser::add_chardev(const Occurrence& occurrence, ChardevSpec spec) {
  if (config_.find_chardev(spec.id)) fail(occurrence, "Duplicate ID '" + spec.id + "' for chardev");
  if (spec.backend == ChardevSpec::Backend::Stdio) {
    for (const ChardevSpec& existing : config_.chardevs) {
      if (existing.backend == ChardevSpec::Backend::Stdio) {
        fail(occurrence, "cannot use stdio by multiple character devices");
      }
    }
  }
  config_.chardevs.push_back(std::move(spec));
}

void Parser::handle_chardev(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "backend");
  std::string backend = list.get("backend").value_or("");
  if (backend == "help" || backend == "?") {
    set_help("Available chardev backend types: \n  file\n  null\n  pipe\n  socket\n  stdio\n");
    return;
  }
  static const std::set<std::string, std::less<>> kLater = {
      "pty", "ringbuf", "memory", "udp", "serial", "tty", "parallel", "parport", "vc",
      "msmouse", "wctablet", "testdev", "qemu-vdagent", "spicevmc", "spiceport", "braille", "mux", "dbus",
  };
  ChardevSpec spec;
  if (backend == "stdio") {
    spec.backend = ChardevSpec::Backend::Stdio;
    reject_unknown_keys(occurrence, list, {"backend", "id", "signal", "mux"});
  } else if (backend == "null") {
    spec.backend = ChardevSpec::Backend::Null;
    reject_unknown_keys(occurrence, list, {"backend", "id", "mux"});
  } else if (backend == "file") {
    spec.backend = ChardevSpec::Backend::File;
    reject_unknown_keys(occurrence, list, {"backend", "id", "path", "append", "mux"});
  } else if (backend == "pipe") {
    spec.backend = ChardevSpec::Backend::Pipe;
    reject_unknown_keys(occurrence, list, {"backend", "id", "path", "mux"});
  } else if (backend == "socket") {
    spec.backend = ChardevSpec::Backend::Socket;
    try {
      spec.socket = socket_options_from_properties(list.entries);
    } catch (const ChardevError& error) {
      fail(occurrence, error.what());
    }
  } else if (kLater.count(backend)) {
    fail(occurrence, "chardev backend '" + backend + "' is not supported yet");
  } else {
    fail(occurrence, "'" + backend + "' is not a valid char driver name");
  }
  std::optional<std::string> id = list.get("id");
  if (!id || id->empty()) fail(occurrence, "chardev: no id specified");
  spec.id = *id;
  for (const char* key : {"signal", "mux", "append"}) {
    if (std::optional<std::string> value = list.get(key)) {
      std::optional<bool> flag = parse_bool(*value);
      if (!flag) fail(occurrence, std::string("Parameter '") + key + "' expects 'on' or 'off'");
      (std::string_view(key) == "signal" ? spec.signal : std::string_view(key) == "mux" ? spec.mux : spec.append) =
          *flag;
    }
  }
  if (spec.backend == ChardevSpec::Backend::File || spec.backend == ChardevSpec::Backend::Pipe) {
    spec.path = list.get("path").value_or("");
    if (spec.path.empty()) {
      fail(occurrence, spec.backend == ChardevSpec::Backend::File ? "chardev: file: no filename given"
                                                                  : "chardev: pipe: no device path given");
    }
  }
  add_chardev(occurrence, std::move(spec));
}

// -serial is resolved after all options, so `-serial chardev:c0` may come
// before `-chardev ...,id=c0` (QEMU creates chardevs first too).
void Parser::resolve_serials() {
  std::vector<Occurrence> serials = serials_;
  if (serials.empty() && !nodefaults_) {
    // QEMU's default: the serial port shares stdio with the monitor under
    // -nographic, else it goes to a graphical console, which emu does not
    // have (so it goes nowhere, as with QEMU's -display none).
    Occurrence implied;
    implied.option = "-serial";
    implied.name = "serial";
    implied.value = config_.nographic ? "mon:stdio" : "vc";
    implied.has_value = true;
    serials.push_back(implied);
  }
  unsigned index = 0;
  for (const Occurrence& occurrence : serials) {
    const std::string& value = occurrence.value;
    std::string id = "serial" + std::to_string(index++);
    ChardevSpec spec;
    spec.id = id;
    if (value == "none") {
      config_.serial_ids.push_back("");
      continue;
    }
    if (value.rfind("chardev:", 0) == 0) {
      std::string target = value.substr(8);
      if (!config_.find_chardev(target)) {
        fail(occurrence, "could not connect serial device to character backend '" + value + "'");
      }
      config_.serial_ids.push_back(target);
      continue;
    }
    if (value == "stdio") {
      spec.backend = ChardevSpec::Backend::Stdio;
    } else if (value == "mon:stdio") {
      // QEMU: a monitor muxed onto stdio passes Ctrl-C to the guest.
      spec.backend = ChardevSpec::Backend::Stdio;
      spec.mux = true;
      spec.signal = false;
    } else if (value == "null" || value == "vc" || value.rfind("vc:", 0) == 0) {
      spec.backend = ChardevSpec::Backend::Null;
    } else if (value.rfind("file:", 0) == 0) {
      spec.backend = ChardevSpec::Backend::File;
      spec.path = value.substr(5);
      if (spec.path.empty()) fail(occurrence, "chardev: file: no filename given");
    } else if (value.rfind("pipe:", 0) == 0) {
      spec.backend = ChardevSpec::Backend::Pipe;
      spec.path = value.substr(5);
      if (spec.path.empty()) fail(occurrence, "chardev: pipe: no device path given");
    } else if (value.rfind("tcp:", 0) == 0 || value.rfind("unix:", 0) == 0) {
      spec.backend = ChardevSpec::Backend::Socket;
      try {
        spec.socket = parse_socket_address(value);
      } catch (const ChardevError& error) {
        fail(occurrence, error.what());
      }
    } else if (value == "pty" || value.rfind("telnet:", 0) == 0 || value.rfind("udp:", 0) == 0 ||
               value.rfind("mon:", 0) == 0 || value.rfind("/dev/", 0) == 0 || value == "msmouse" ||
               value == "braille") {
      fail(occurrence, "this serial backend is not supported yet");
    } else {
      fail(occurrence, "'" + value + "' is not a valid char driver");
    }
    const bool monitor = spec.mux && value == "mon:stdio";
    add_chardev(occurrence, std::move(spec));
    config_.serial_ids.push_back(id);
    if (monitor) config_.monitors.push_back({id, false});
  }
}

// -qmp DEV / -monitor DEV: QEMU's shorthand for a chardev "compat_monitorN"
// plus a monitor on it. DEV is stdio, none, unix:..., tcp:... or chardev:ID.
void Parser::handle_monitor(const Occurrence& occurrence, bool control) {
  const std::string& value = occurrence.value;
  if (value == "none") return;
  std::string id = "compat_monitor" + std::to_string(monitor_count_++);
  if (value.rfind("chardev:", 0) == 0) {
    id = value.substr(8);
    if (!config_.find_chardev(id)) fail(occurrence, "chardev '" + id + "' not found");
  } else {
    ChardevSpec spec;
    spec.id = id;
    if (value == "stdio") {
      spec.backend = ChardevSpec::Backend::Stdio;
    } else if (value == "null") {
      spec.backend = ChardevSpec::Backend::Null;
    } else if (value.rfind("tcp:", 0) == 0 || value.rfind("unix:", 0) == 0) {
      spec.backend = ChardevSpec::Backend::Socket;
      try {
        spec.socket = parse_socket_address(value);
      } catch (const ChardevError& error) {
        fail(occurrence, error.what());
      }
    } else {
      fail(occurrence, "this monitor backend is not supported yet (stdio, unix:, tcp:, chardev:ID)");
    }
    add_chardev(occurrence, std::move(spec));
  }
  config_.monitors.push_back({id, control});
}

// -mon chardev=ID[,mode=readline|control][,pretty=on|off]
void Parser::handle_mon(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "");
  reject_unknown_keys(occurrence, list, {"chardev", "mode", "pretty", "id"});
  std::string id = list.get("chardev").value_or("");
  if (id.empty()) fail(occurrence, "Parameter 'chardev' is missing");
  if (!config_.find_chardev(id)) fail(occurrence, "chardev \"" + id + "\" not found");
  const std::string mode = list.get("mode").value_or("readline");
  if (mode != "readline" && mode != "control") fail(occurrence, "unknown monitor mode '" + mode + "'");
  config_.monitors.push_back({id, mode == "control"});
}

void Parser::handle_device(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "driver");
  std::string driver = list.get("driver").value_or("");
  const DeviceRegistry& registry = DeviceRegistry::instance();
  if (driver == "help" || driver == "?") {
    std::map<std::string, std::vector<const DeviceTypeInfo*>> by_category;
    for (const DeviceTypeInfo& type : registry.types()) by_category[type.category].push_back(&type);
    std::string text;
    for (const auto& [category, types] : by_category) {
      text += category + ":\n";
      for (const DeviceTypeInfo* type : types) {
        text += "name \"" + type->name + "\", bus " + type->bus;
        if (!type->description.empty()) text += ", desc \"" + type->description + "\"";
        text += "\n";
      }
      text += "\n";
    }
    if (text.empty()) text = "No user-creatable devices on this board yet.\n";
    set_help(text);
    return;
  }
  const DeviceTypeInfo* type = registry.find(driver);
  if (list.help) {
    if (!type) fail(occurrence, "Device '" + driver + "' not found");
    std::string text = driver + " options:\n";
    for (const DevicePropertyInfo& property : type->properties) {
      std::string left = "  " + property.name + "=<" + property.type + ">";
      if (left.size() < 24) left.resize(24, ' ');
      text += left + (property.description.empty() ? "" : " - " + property.description) + "\n";
    }
    set_help(text);
    return;
  }
  if (!type) fail(occurrence, "'" + driver + "' is not a valid device model name");
  for (const auto& [key, value] : list.entries) {
    if (key == "driver" || key == "id") continue;
    bool known = std::any_of(type->properties.begin(), type->properties.end(),
                             [&](const DevicePropertyInfo& property) { return property.name == key; });
    if (!known) fail(occurrence, "Property '" + driver + "." + key + "' not found");
  }
  config_.devices.push_back(DeviceRequest{driver, std::move(list), occurrence.location()});
}

// -drive file=F[,format=raw][,if=none|virtio][,id=ID][,readonly=on|off][,snapshot=on|off][,media=disk][,cache=MODE]
// -drive driver=blkreplay,if=none,image=ID,id=ID2
// Messages follow QEMU 7.2's wording.
void Parser::handle_drive(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "");
  DriveSpec drive;
  drive.location = occurrence.location();
  std::string interface = "ide";  // QEMU's default for virt, which has no IDE
  bool blkreplay = false;
  std::optional<std::string> image;
  for (const auto& [key, value] : list.entries) {
    if (key == "driver") {
      if (value == "blkreplay") {
        blkreplay = true;
      } else if (value != "raw") {
        fail(occurrence, "Unknown driver '" + value + "'");
      }
    } else if (key == "image") {
      image = value;
    } else if (key == "snapshot") {
      std::optional<bool> snapshot = parse_bool(value);
      if (!snapshot) fail(occurrence, "Parameter 'snapshot' expects 'on' or 'off'");
      drive.snapshot = *snapshot;
    } else if (key == "file") {
      drive.file = value;
    } else if (key == "format") {
      if (value == "help" || value == "?") {
        set_help("Supported formats: raw\n");
        return;
      }
      static const std::set<std::string, std::less<>> kQemuOnlyFormats = {
          "qcow2", "qcow", "qed", "vmdk", "vdi", "vhdx", "vpc", "vvfat", "luks", "dmg", "parallels", "cloop",
          "bochs", "file", "host_device", "nbd", "blkdebug", "throttle", "copy-on-read", "null-co", "null-aio"};
      if (kQemuOnlyFormats.count(value)) fail(occurrence, "format '" + value + "' is not supported in emu (raw only)");
      if (value != "raw") fail(occurrence, "Unknown driver '" + value + "'");
    } else if (key == "if") {
      interface = value;
    } else if (key == "id") {
      drive.id = value;
    } else if (key == "readonly" || key == "read-only") {
      std::optional<bool> read_only = parse_bool(value);
      if (!read_only) fail(occurrence, "Parameter 'read-only' expects 'on' or 'off'");
      drive.read_only = *read_only;
    } else if (key == "media") {
      if (value != "disk") fail(occurrence, "media=" + value + " is not supported in emu (disk only)");
    } else if (key == "cache") {
      // emu's I/O is synchronous and uncached (block_backend.h); every mode
      // QEMU accepts means the same here.
      static const std::set<std::string, std::less<>> kCacheModes = {"none", "writeback", "writethrough",
                                                                     "directsync", "unsafe"};
      if (!kCacheModes.count(value)) fail(occurrence, "invalid cache option");
    } else {
      fail(occurrence, "Block format 'raw' does not support the option '" + key + "'");
    }
  }
  if (interface == "none") {
    drive.interface = DriveSpec::Interface::None;
  } else if (interface == "virtio") {
    drive.interface = DriveSpec::Interface::Virtio;
  } else {
    fail(occurrence, "machine type does not support if=" + interface + ",bus=0,unit=0");
  }
  if (blkreplay) {
    if (!image) fail(occurrence, "A block device must be specified for \"image\"");
    auto target = std::find_if(config_.drives.begin(), config_.drives.end(),
                               [&](const DriveSpec& other) { return other.id == *image; });
    if (target == config_.drives.end()) fail(occurrence, "Cannot find device='" + *image + "' nor node-name='" + *image + "'");
    if (!target->claimed_by.empty() || target->interface != DriveSpec::Interface::None) {
      fail(occurrence, "Drive '" + *image + "' is already in use");
    }
    target->claimed_by = drive.id.empty() ? "blkreplay" : drive.id;
    drive.file = target->file;
    drive.read_only = drive.read_only || target->read_only;
    drive.snapshot = drive.snapshot || target->snapshot;
  } else if (image) {
    fail(occurrence, "Block format 'raw' does not support the option 'image'");
  }
  if (drive.file.empty()) fail(occurrence, "A block device must be specified for \"file\"");
  unsigned same_interface = 0;
  for (const DriveSpec& other : config_.drives) {
    if (!drive.id.empty() && other.id == drive.id) fail(occurrence, "Duplicate ID '" + drive.id + "' for drive");
    if (other.interface == drive.interface) ++same_interface;
  }
  if (drive.id.empty()) {
    drive.id = (drive.interface == DriveSpec::Interface::Virtio ? "virtio" : "none") + std::to_string(same_interface);
  }
  config_.drives.push_back(std::move(drive));
}

void Parser::handle_accel(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "accel");
  std::string accel = list.get("accel").value_or("");
  if (accel == "help" || accel == "?") {
    set_help(
        "Accelerators supported in emu binary:\n"
        "tcg\n"
        "\n"
        "tcg properties:\n"
        "  jit=on|off      on (default): translate guest code to host code (emu/jit);\n"
        "                  off: run every instruction in the interpreter, the reference engine\n"
        "  jit-threshold=N translate a block once it has been reached N times (default 16;\n"
        "                  1: at once); until then the interpreter runs it\n"
        "  thread=single   the only mode (one machine thread keeps runs deterministic)\n"
        "  tb-size=N       accepted for compatibility, ignored\n");
    return;
  }
  if (accel != "tcg") fail(occurrence, "invalid accelerator " + accel);
  for (const auto& [key, value] : list.entries) {
    if (key == "accel") continue;
    if (key == "thread") {
      if (value == "multi") fail(occurrence, "thread=multi is not supported in emu (one machine thread keeps runs deterministic)");
      if (value != "single") fail(occurrence, "Parameter 'thread' expects 'single' or 'multi'");
    } else if (key == "tb-size") {
      if (!parse_unsigned(value)) fail(occurrence, "Parameter 'tb-size' expects integer");
    } else if (key == "jit") {
      std::optional<bool> flag = parse_bool(value);
      if (!flag) fail(occurrence, "Parameter 'jit' expects 'on' or 'off'");
      config_.jit = *flag;
    } else if (key == "jit-threshold") {
      std::optional<unsigned> threshold = parse_unsigned(value);
      if (!threshold || *threshold == 0 || *threshold > 1'000'000) {
        fail(occurrence, "Parameter 'jit-threshold' expects an integer from 1 to 1000000");
      }
      config_.jit_threshold = *threshold;
    } else {
      fail(occurrence, "Invalid parameter '" + key + "'");
    }
  }
}

void Parser::handle_display(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "type");
  std::string type = list.get("type").value_or("");
  if (type == "help" || type == "?") {
    set_help("Available display backend types:\nnone\n");
    return;
  }
  if (type != "none") throw OptionError("Display '" + type + "' is not available.");
  reject_unknown_keys(occurrence, list, {"type"});
}

void Parser::handle_name(const Occurrence& occurrence) {
  KeyValueList list = parse_key_value_list(occurrence.value, "guest");
  reject_unknown_keys(occurrence, list, {"guest", "process", "debug-threads"});
  config_.name = list.get("guest").value_or("");
}

}  // namespace

std::optional<std::string> KeyValueList::get(std::string_view key) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->first == key) return it->second;
  }
  return std::nullopt;
}

KeyValueList parse_key_value_list(std::string_view text, std::string_view implied_key) {
  // Split on single commas; ",," is a literal comma.
  std::vector<std::string> elements(1);
  for (size_t index = 0; index < text.size(); ++index) {
    if (text[index] != ',') {
      elements.back() += text[index];
    } else if (index + 1 < text.size() && text[index + 1] == ',') {
      elements.back() += ',';
      ++index;
    } else {
      elements.emplace_back();
    }
  }
  KeyValueList list;
  for (size_t index = 0; index < elements.size(); ++index) {
    const std::string& element = elements[index];
    size_t equals = element.find('=');
    if (equals != std::string::npos) {
      list.entries.emplace_back(element.substr(0, equals), element.substr(equals + 1));
    } else if (index == 0 && !implied_key.empty()) {
      if (element.empty() && elements.size() > 1) continue;  // "-M ,dumpdtb=x": no type given
      list.entries.emplace_back(std::string(implied_key), element);
    } else if (element == "help" || element == "?") {
      list.help = true;
    } else if (element.empty()) {
      continue;  // a trailing comma
    } else {
      list.entries.emplace_back(element, "on");  // QEMU: a bare key is a boolean set to on
    }
  }
  return list;
}

std::optional<uint64_t> parse_size(std::string_view text, uint64_t default_unit) {
  if (text.empty() || text[0] == '-' || text[0] == '+' || std::isspace(static_cast<unsigned char>(text[0]))) {
    return std::nullopt;
  }
  uint64_t whole = 0;
  size_t position = 0;
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  if (hex) {
    auto [end, error] = std::from_chars(text.data() + 2, text.data() + text.size(), whole, 16);
    if (error != std::errc() || end == text.data() + 2) return std::nullopt;
    position = static_cast<size_t>(end - text.data());
  } else {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), whole, 10);
    if (error != std::errc()) return std::nullopt;
    position = static_cast<size_t>(end - text.data());
  }
  // An optional decimal fraction ("1.5G"), as QEMU's qemu_strtosz allows.
  double fraction = 0;
  if (!hex && position < text.size() && text[position] == '.') {
    double scale = 0.1;
    size_t digits = 0;
    for (++position; position < text.size() && std::isdigit(static_cast<unsigned char>(text[position])); ++position) {
      fraction += (text[position] - '0') * scale;
      scale /= 10;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  uint64_t unit = default_unit;
  if (position < text.size()) {
    if (position + 1 != text.size()) return std::nullopt;
    switch (std::toupper(static_cast<unsigned char>(text[position]))) {
      case 'B': unit = 1; break;
      case 'K': unit = uint64_t{1} << 10; break;
      case 'M': unit = uint64_t{1} << 20; break;
      case 'G': unit = uint64_t{1} << 30; break;
      case 'T': unit = uint64_t{1} << 40; break;
      case 'P': unit = uint64_t{1} << 50; break;
      case 'E': unit = uint64_t{1} << 60; break;
      default: return std::nullopt;
    }
  }
  if (fraction != 0 && unit == 1) return std::nullopt;  // QEMU: no fractional bytes
  if (whole > std::numeric_limits<uint64_t>::max() / unit) return std::nullopt;
  uint64_t value = whole * unit;
  uint64_t extra = static_cast<uint64_t>(fraction * static_cast<double>(unit));
  if (value > std::numeric_limits<uint64_t>::max() - extra) return std::nullopt;
  return value + extra;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "on" || text == "yes" || text == "true" || text == "y") return true;
  if (text == "off" || text == "no" || text == "false" || text == "n") return false;
  return std::nullopt;
}

DeviceRegistry& DeviceRegistry::instance() {
  static DeviceRegistry registry;
  return registry;
}

void DeviceRegistry::add(DeviceTypeInfo info) {
  auto position = std::lower_bound(types_.begin(), types_.end(), info.name,
                                   [](const DeviceTypeInfo& type, const std::string& name) { return type.name < name; });
  types_.insert(position, std::move(info));
}

const DeviceTypeInfo* DeviceRegistry::find(std::string_view name) const {
  for (const DeviceTypeInfo& type : types_) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

const ChardevSpec* MachineConfig::find_chardev(std::string_view id) const {
  for (const ChardevSpec& spec : chardevs) {
    if (spec.id == id) return &spec;
  }
  return nullptr;
}

ParseResult parse_command_line(std::span<const std::string> args) { return Parser().parse(args); }

}  // namespace emu::cli
