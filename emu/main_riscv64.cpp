// emu-system-riscv64: parse the QEMU-style command line, build the virt
// board, run it, exit with the guest's status. Every failure is one line
// "emu-system-riscv64: ..." on stderr and exit status 1; the terminal is
// restored on every path (StdioChardev's destructor, atexit and signal
// handlers).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <algorithm>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "emu/chardev/chardev_factory.h"
#include "emu/chardev/mux_chardev.h"
#include "emu/chardev/stdio_chardev.h"
#include "emu/cli/options.h"
#include "emu/cli/virt_devices.h"
#include "emu/hw/boards/riscv_virt.h"
#include "emu/hw/loader/elf_loader.h"
#include "emu/monitor/hmp.h"
#include "emu/monitor/monitor_hub.h"
#include "emu/target/riscv/trace_log.h"

namespace {

using emu::cli::kProgramName;

void report(const std::string& message) { std::fprintf(stderr, "%s: %s\n", kProgramName, message.c_str()); }

emu::virt::BoardConfig board_config(const emu::cli::MachineConfig& machine) {
  emu::virt::BoardConfig board;
  board.harts = machine.harts;
  board.ram_size = machine.ram_size;
  switch (machine.firmware) {
    case emu::cli::FirmwareChoice::Default: board.firmware = emu::virt::BoardConfig::Firmware::Default; break;
    case emu::cli::FirmwareChoice::None: board.firmware = emu::virt::BoardConfig::Firmware::None; break;
    case emu::cli::FirmwareChoice::File: board.firmware = emu::virt::BoardConfig::Firmware::File; break;
  }
  board.firmware_path = machine.firmware_path;
  board.kernel_path = machine.kernel_path;
  board.initrd_path = machine.initrd_path;
  board.append = machine.append;
  board.dtb_path = machine.dtb_path;
  board.icount_shift = machine.icount_shift;
  board.jit = machine.jit;
  board.jit_threshold = machine.jit_threshold;
  board.no_reboot = machine.no_reboot;
  board.no_shutdown = machine.no_shutdown;
  board.start_paused = machine.start_paused;
  board.name = machine.name;
  switch (machine.rr) {
    case emu::cli::MachineConfig::RecordReplay::None: board.record_replay.mode = emu::replay::Mode::None; break;
    case emu::cli::MachineConfig::RecordReplay::Record: board.record_replay.mode = emu::replay::Mode::Record; break;
    case emu::cli::MachineConfig::RecordReplay::Replay: board.record_replay.mode = emu::replay::Mode::Replay; break;
  }
  board.record_replay.path = machine.rr_file;
  board.record_replay.checkpoint_interval = machine.rr_checkpoint_interval;
  board.record_replay.inject_icount = machine.rr_inject_icount;
  board.record_replay.inject_register = machine.rr_inject_register;
  board.record_replay.inject_address = machine.rr_inject_address;
  switch (machine.rr_end) {
    case emu::cli::MachineConfig::ReplayEnd::Exit: board.record_replay.at_end = emu::replay::RecordReplayConfig::EndAction::Exit; break;
    case emu::cli::MachineConfig::ReplayEnd::Stop: board.record_replay.at_end = emu::replay::RecordReplayConfig::EndAction::Stop; break;
    case emu::cli::MachineConfig::ReplayEnd::Live: board.record_replay.at_end = emu::replay::RecordReplayConfig::EndAction::Live; break;
  }
  board.record_replay.allow_changed_images = machine.rr_allow_changed_images;
  board.record_replay.emu_version = emu::cli::kEmuVersion;
  return board;
}

// The command line as a replay log records it: everything but the -icount
// suboptions that name the log and the mode (emu-replay verify adds its own).
std::vector<std::string> command_line_for_log(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    out.push_back(args[i]);
    if ((args[i] != "-icount" && args[i] != "--icount") || i + 1 >= args.size()) continue;
    std::string kept, item;
    const std::string& value = args[++i];
    for (size_t start = 0; start <= value.size();) {
      size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      item = value.substr(start, comma - start);
      start = comma + 1;
      if (item.rfind("rr=", 0) == 0 || item.rfind("rrfile=", 0) == 0 || item.rfind("x-rrinject", 0) == 0 ||
          item.rfind("rrend=", 0) == 0 || item.rfind("rrimages=", 0) == 0) {
        continue;  // how this run uses a log, not what the guest does
      }
      kept += (kept.empty() ? "" : ",") + item;
    }
    out.push_back(kept.empty() ? "shift=0" : kept);
  }
  return out;
}

// SIGINT, SIGTERM and SIGHUP end emu cleanly, as they end QEMU: the machine
// loop sees the signal at its next host poll, the monitors get SHUTDOWN
// (reason "host-signal"), the terminal is restored and the exit status is 0.
// The handler only records the signal and writes a byte to a pipe the loop
// polls, so a loop blocked waiting for input wakes up. A second signal before
// the loop acted on the first means the loop is stuck: restore the terminal
// and die by the signal.
namespace termination {

volatile sig_atomic_t received = 0;
volatile sig_atomic_t sender = 0;  // si_pid; 0 for the terminal's Ctrl-C
int wake_pipe[2] = {-1, -1};
volatile sig_atomic_t acted = 0;  // the loop has taken the signal

void handler(int number, siginfo_t* info, void*) {
  if (received != 0 && !acted) {
    emu::restore_terminal();
    std::signal(number, SIG_DFL);
    std::raise(number);
    return;
  }
  const int saved_errno = errno;
  received = number;
  sender = info != nullptr ? info->si_pid : 0;
  if (wake_pipe[1] >= 0) {
    [[maybe_unused]] ssize_t written = ::write(wake_pipe[1], "s", 1);  // a full pipe is awake already
  }
  errno = saved_errno;
}

// Before the machine runs (earlier, StdioChardev's handlers restore the
// terminal and let the signal kill the process). Returns the pipe's read end.
int install() {
  if (::pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
  struct sigaction action {};
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  for (int number : {SIGINT, SIGTERM, SIGHUP}) sigaction(number, &action, nullptr);
  return wake_pipe[0];
}

// QEMU's qemu_get_pid_name: the first word of /proc/PID/cmdline.
std::string process_name(int pid) {
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string name;
  if (!cmdline || !std::getline(cmdline, name, '\0') || name.empty()) return "<unknown process>";
  return name;
}

// The machine loop's check: acts once on a received signal.
void check(emu::virt::RiscvVirtBoard& board) {
  if (received == 0 || acted) return;
  acted = 1;
  char drained[64];
  while (::read(wake_pipe[0], drained, sizeof drained) > 0) {
  }
  const int number = received;
  const int pid = sender;
  // QEMU's wording (qemu_kill_report).
  if (pid == 0) {
    report("terminating on signal " + std::to_string(number));
  } else {
    report("terminating on signal " + std::to_string(number) + " from pid " + std::to_string(pid) + " (" +
           process_name(pid) + ")");
  }
  board.request_exit_on_signal();
}

}  // namespace termination

// Host side: the wall clock is read once, here, and enters the guest only
// through the board's input queue (architecture.md).
uint64_t host_wall_clock_ns() {
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  emu::cli::register_virt_device_types();
  emu::cli::ParseResult parsed = emu::cli::parse_command_line(args);
  if (parsed.action == emu::cli::ParseResult::Action::PrintAndExit) {
    std::fputs(parsed.output.c_str(), stdout);
    return 0;
  }
  const emu::cli::MachineConfig& machine = parsed.config;
  emu::virt::BoardConfig config = board_config(machine);
  config.record_replay.args = command_line_for_log(args);
  config.virtio_devices = emu::cli::resolve_virtio_devices(machine);
  bool dump_only = !machine.dumpdtb_path.empty();

  // -d / -D: one trace log for every hart (emu/target/riscv/trace_log.h),
  // declared before the board so it outlives it.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> trace_file(nullptr, std::fclose);
  std::unique_ptr<emu::riscv::TraceLog> trace_log;
  if (machine.trace_items != 0 && !dump_only) {
    std::FILE* out = stderr;
    if (!machine.trace_file.empty()) {
      trace_file.reset(std::fopen(machine.trace_file.c_str(), "w"));
      if (!trace_file) {
        report("-D " + machine.trace_file + ": " + std::strerror(errno));
        return 1;
      }
      out = trace_file.get();
    }
    trace_log = std::make_unique<emu::riscv::TraceLog>(machine.trace_items, out, [](const emu::riscv::Hart& hart) {
      return emu::monitor::format_registers(hart, static_cast<unsigned>(hart.hart_id));
    });
    config.trace_log = trace_log.get();
  }

  // Chardevs first (QEMU opens them before the machine; a socket with
  // wait=on blocks here until its client connects). Ctrl-A x reaches the
  // board through this pointer once it exists. Declaration order is
  // destruction order reversed: monitors, then the board, then the chardevs.
  std::map<std::string, std::unique_ptr<emu::Chardev>> chardevs;
  std::map<std::string, std::unique_ptr<emu::MuxChardev>> muxes;  // mux=on, mon:stdio
  std::vector<std::string> open_frontends;                         // ids with a serial port or monitor
  std::unique_ptr<emu::virt::RiscvVirtBoard> board;
  std::unique_ptr<emu::monitor::MonitorHub> monitors;
  const auto on_quit = [&board] {
    if (board) board->request_quit(0);
  };
  // A frontend of chardev `id`: the chardev itself, or a new port of its mux.
  const auto frontend = [&](const std::string& id) -> emu::Chardev& {
    open_frontends.push_back(id);
    auto mux = muxes.find(id);
    return mux != muxes.end() ? mux->second->add_frontend() : *chardevs.at(id);
  };
  if (!dump_only) {
    for (const emu::ChardevSpec& spec : machine.chardevs) {
      emu::ChardevSpec backend = spec;
      backend.mux = false;  // the escapes are the MuxChardev's job
      chardevs[spec.id] = emu::create_chardev(backend, on_quit);
      if (spec.mux) muxes[spec.id] = std::make_unique<emu::MuxChardev>(*chardevs[spec.id], on_quit);
    }
    // Serial ports first: on a mux the first frontend has the focus.
    if (!machine.serial_ids.empty() && !machine.serial_ids.front().empty()) {
      config.serial = &frontend(machine.serial_ids.front());
    }
    config.describe_chardevs = [&chardevs, &open_frontends] {
      std::vector<emu::monitor::ChardevInfo> list;
      for (const auto& [id, chardev] : chardevs) {
        bool open = std::find(open_frontends.begin(), open_frontends.end(), id) != open_frontends.end();
        list.push_back({id, chardev->describe(), open});
      }
      return list;
    };
  }

  if (!dump_only) {
    config.host_signal_fd = termination::install();
    config.check_host_signals = [&board] {
      if (board) termination::check(*board);
    };
  }
  board = std::make_unique<emu::virt::RiscvVirtBoard>(config);

  if (dump_only) {
    const std::vector<uint8_t>& tree = board->device_tree();
    std::ofstream out(machine.dumpdtb_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(tree.data()), static_cast<std::streamsize>(tree.size()));
    out.close();
    if (!out) {
      report("-machine dumpdtb=" + machine.dumpdtb_path + ": could not write the device tree");
      return 1;
    }
    std::fprintf(stderr, "%s: info: dtb dumped to %s. Exiting.\n", kProgramName, machine.dumpdtb_path.c_str());
    return 0;
  }

  monitors = std::make_unique<emu::monitor::MonitorHub>(*board);
  for (const emu::cli::MachineConfig::MonitorSpec& spec : machine.monitors) {
    emu::Chardev& port = frontend(spec.chardev_id);
    if (spec.control) monitors->attach_qmp(port);
    else monitors->attach_hmp(port);
  }
  board->set_monitors(monitors.get());

  board->queue_wall_clock(host_wall_clock_ns());
  return board->run();
}

}  // namespace

int main(int argc, char** argv) {
  // A guest writing to a closed pipe must not kill the emulator (QEMU
  // ignores SIGPIPE too); the write just fails and the bytes are dropped.
  std::signal(SIGPIPE, SIG_IGN);
  int status = 1;
  try {
    status = run(argc, argv);
  } catch (const emu::cli::OptionError& error) {
    report(error.what());
  } catch (const emu::LoadError& error) {
    report(error.what());
  } catch (const emu::ChardevError& error) {
    report(error.what());
  } catch (const std::bad_alloc&) {
    report("out of host memory (is -m larger than this host can provide?)");
  } catch (const std::exception& error) {
    report(std::string("internal error: ") + error.what());
  }
  emu::restore_terminal();
  std::fflush(stdout);
  return status;
}
