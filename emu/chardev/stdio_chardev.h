// The stdio backend (-chardev stdio, -serial stdio, -serial mon:stdio,
// -nographic): guest output to fd 1, host input from fd 0.
//
// Terminal: if stdin is a terminal it is switched to raw input (no echo, no
// line editing, no CR/NL translation) with output post-processing left on,
// as QEMU does, and restored on every way out: destruction, exit(), and
// fatal signals (the handlers restore, then re-raise with the default
// action). With signals off (QEMU's signal=off, implied by mon:stdio and
// -nographic) Ctrl-C is a byte for the guest instead of SIGINT.
//
// Mux escape (QEMU's mux chardev, minimal until the monitor exists):
//   Ctrl-A x       quit the emulator
//   Ctrl-A h / ?   print the escape help
//   Ctrl-A Ctrl-A  send one Ctrl-A to the guest
// Any other byte after Ctrl-A is dropped.
//
// Input is read without blocking (poll with a zero timeout, then read), so
// the machine loop can call poll_input() between slices.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "emu/chardev/chardev.h"

namespace emu {

class StdioChardev : public Chardev {
 public:
  struct Options {
    bool mux_escape = false;     // Ctrl-A commands (mon:stdio, -nographic)
    bool allow_signals = true;   // false: Ctrl-C etc. reach the guest
  };

  // on_quit runs (on the machine thread, from poll_input) when the user
  // types Ctrl-A x. Only one StdioChardev may exist at a time.
  StdioChardev(Options options, std::function<void()> on_quit);
  ~StdioChardev() override;
  StdioChardev(const StdioChardev&) = delete;
  StdioChardev& operator=(const StdioChardev&) = delete;

  void write(std::span<const uint8_t> bytes) override;
  size_t poll_input(std::vector<uint8_t>& out) override;
  int input_fd() const override { return input_open_ ? 0 : -1; }
  std::string describe() const override { return "stdio"; }

  // The mux escape state machine alone (no fds): appends what the guest
  // should receive for `bytes` to out. Exposed for tests.
  void process_input(std::span<const uint8_t> bytes, std::vector<uint8_t>& out);

 private:
  void print_escape_help();

  Options options_;
  std::function<void()> on_quit_;
  bool input_open_ = true;
  bool escape_pending_ = false;
};

// Restores the terminal if emu changed it; safe to call at any time, also
// from a signal handler. main calls it on its own error paths.
void restore_terminal();

}  // namespace emu
