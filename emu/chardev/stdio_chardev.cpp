#include "emu/chardev/stdio_chardev.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace emu {

namespace {

constexpr uint8_t kEscapeByte = 0x01;  // Ctrl-A, QEMU's default mux escape

// Saved terminal state. Plain globals of trivially copyable types: the
// signal handler reads them, and tcsetattr is async-signal-safe.
struct termios saved_terminal;
volatile sig_atomic_t terminal_modified = 0;

constexpr int kFatalSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};

void restore_and_reraise(int signal_number) {
  restore_terminal();
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

void install_restore_handlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  std::atexit(restore_terminal);
  for (int signal_number : kFatalSignals) {
    struct sigaction action {};
    action.sa_handler = restore_and_reraise;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(signal_number, &action, nullptr);
  }
}

// QEMU's stdio settings: raw input, output processing kept (so a guest's
// "\n" still starts a new line), 8-bit characters, reads return as soon as
// one byte is there.
void enter_raw_mode(bool allow_signals) {
  if (!isatty(STDIN_FILENO)) return;
  struct termios terminal;
  if (tcgetattr(STDIN_FILENO, &terminal) != 0) return;
  saved_terminal = terminal;
  terminal.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  terminal.c_oflag |= OPOST;
  terminal.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | IEXTEN);
  if (!allow_signals) terminal.c_lflag &= ~static_cast<tcflag_t>(ISIG);
  terminal.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
  terminal.c_cflag |= CS8;
  terminal.c_cc[VMIN] = 1;
  terminal.c_cc[VTIME] = 0;
  install_restore_handlers();
  terminal_modified = 1;
  tcsetattr(STDIN_FILENO, TCSANOW, &terminal);
}

void write_all(int fd, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t written = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (written > 0) {
      done += static_cast<size_t>(written);
    } else if (written < 0 && errno == EINTR) {
      continue;
    } else if (written < 0 && errno == EAGAIN) {
      // Someone made the shared file description non-blocking: wait.
      struct pollfd descriptor {fd, POLLOUT, 0};
      ::poll(&descriptor, 1, -1);
    } else {
      return;  // closed pipe or error: the bytes are dropped, as QEMU does
    }
  }
}

}  // namespace

void restore_terminal() {
  if (terminal_modified) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved_terminal);
    terminal_modified = 0;
  }
}

StdioChardev::StdioChardev(Options options, std::function<void()> on_quit)
    : options_(options), on_quit_(std::move(on_quit)) {
  enter_raw_mode(options_.allow_signals);
}

StdioChardev::~StdioChardev() { restore_terminal(); }

void StdioChardev::write(std::span<const uint8_t> bytes) { write_all(STDOUT_FILENO, bytes); }

size_t StdioChardev::poll_input(std::vector<uint8_t>& out) {
  if (!input_open_) return 0;
  struct pollfd descriptor {STDIN_FILENO, POLLIN, 0};
  if (::poll(&descriptor, 1, 0) <= 0 || (descriptor.revents & (POLLIN | POLLHUP | POLLERR)) == 0) return 0;
  uint8_t buffer[4096];
  ssize_t count = ::read(STDIN_FILENO, buffer, sizeof buffer);
  if (count == 0 || (count < 0 && errno != EINTR && errno != EAGAIN)) {
    input_open_ = false;  // end of input: stop polling it
    return 0;
  }
  if (count < 0) return 0;
  size_t before = out.size();
  process_input(std::span<const uint8_t>(buffer, static_cast<size_t>(count)), out);
  return out.size() - before;
}

void StdioChardev::process_input(std::span<const uint8_t> bytes, std::vector<uint8_t>& out) {
  for (uint8_t byte : bytes) {
    if (!options_.mux_escape) {
      out.push_back(byte);
    } else if (escape_pending_) {
      escape_pending_ = false;
      if (byte == 'x') {
        static constexpr char kTerminated[] = "emu: Terminated\n";
        write_all(STDERR_FILENO, std::span(reinterpret_cast<const uint8_t*>(kTerminated), sizeof kTerminated - 1));
        if (on_quit_) on_quit_();
      } else if (byte == 'h' || byte == '?') {
        print_escape_help();
      } else if (byte == kEscapeByte) {
        out.push_back(kEscapeByte);
      }
    } else if (byte == kEscapeByte) {
      escape_pending_ = true;
    } else {
      out.push_back(byte);
    }
  }
}

void StdioChardev::print_escape_help() {
  static constexpr char kHelp[] =
      "\n"
      "C-a h    print this help\n"
      "C-a x    exit emulator\n"
      "C-a C-a  sends C-a\n";
  write_all(STDOUT_FILENO, std::span(reinterpret_cast<const uint8_t*>(kHelp), sizeof kHelp - 1));
}

}  // namespace emu
