// The human monitor (HMP), as QEMU 7.2 prints it.
//
// HmpInterpreter runs one command line and produces its text ("\n" line
// ends). Commands: help|?, info (status, registers, cpus, mtree, chardev,
// version, name, kvm), stop|s, cont|c, system_reset, system_powerdown,
// quit|q, cpu, x, xp, print|p, memsave, pmemsave. Argument syntax follows
// QEMU: expressions may contain spaces ("xp /4x 0x1000 + 16"), so a file name
// after an expression must not start with an operator character; /fmt is
// /[count][format][size] with format x d u o c i and size b h w g, and the
// last format and size are remembered; the format may follow the command
// name without a space ("x/4i $pc"). Errors print a message and
// `Try "help CMD" for more information`.
//
// Beyond QEMU 7.2 for riscv (which has no register names in expressions):
// $pc, $x0..$x31, ABI names ($a0, $sp, $fp, ...), $f0..$f31 (raw bits) and
// the CSRs that `info registers` shows ($mstatus, $satp, ...).
//
// HmpSession is one interactive monitor on a byte stream (-monitor stdio,
// mon:stdio after Ctrl-A c, -monitor unix:...): banner, "(qemu) " prompt,
// echo and backspace, CR or LF ends a line (so CR LF runs an empty line,
// as QEMU's readline does), arrow-key escape sequences are ignored, output
// lines end in "\r\n".
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "emu/monitor/monitor_hub.h"

namespace emu::monitor {

class HmpInterpreter {
 public:
  explicit HmpInterpreter(MonitorHub& hub) : hub_(hub) {}

  // Runs one command line; returns its output.
  std::string execute(std::string_view line);

  // The CPU that info registers, x, memsave and $reg use (QEMU's `cpu N`).
  unsigned current_cpu() const { return current_cpu_; }
  bool set_current_cpu(unsigned index);

  // Set by quit: the emulator is about to exit.
  void mark_quit() { quit_requested_ = true; }
  bool quit_requested() const { return quit_requested_; }

 private:
  MonitorHub& hub_;
  unsigned current_cpu_ = 0;
  bool quit_requested_ = false;
};

// memsave / pmemsave, for HMP and QMP: an error message in QEMU's words
// ("Invalid addr 0x.../size N specified", "Could not open 'f': ..."), or
// empty on success.
std::string save_virtual_memory(MonitorHub& hub, unsigned cpu, uint64_t address, uint64_t size, const std::string& path);
std::string save_physical_memory(MonitorHub& hub, uint64_t address, uint64_t size, const std::string& path);

// QEMU's HMP text for a CPU dump: "\nCPU#N\n pc       ...\n", the CSRs, x
// and f registers (the layout of QEMU 7.2's riscv_cpu_dump_state for a hart
// without the H and V extensions).
std::string format_registers(const riscv::Hart& hart, unsigned cpu_index);

class HmpSession {
 public:
  HmpSession(MonitorHub& hub, MonitorConnection& connection);

  void open();       // a client arrived: banner and prompt
  void focus_in();   // a mux gave the monitor the focus again: prompt
  void focus_out();  // a mux took the focus away: end the line
  void receive(std::span<const uint8_t> bytes);
  void receive(std::string_view text) {
    receive(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

  static constexpr std::string_view kPrompt = "(qemu) ";

 private:
  enum class Escape { None, Started, Csi, Ss3 };
  void send_text(std::string_view text);  // "\n" -> "\r\n"
  void run_line();

  MonitorHub& hub_;
  MonitorConnection& connection_;
  HmpInterpreter interpreter_;
  std::string line_;
  Escape escape_ = Escape::None;
  bool quitting_ = false;
};

}  // namespace emu::monitor
