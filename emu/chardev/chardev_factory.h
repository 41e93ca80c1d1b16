// Creating character-device backends from parsed options (-chardev, -serial,
// -nographic). The command-line layer fills a ChardevSpec; this builds it.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "emu/chardev/chardev.h"
#include "emu/chardev/socket_chardev.h"

namespace emu {

class ChardevError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ChardevSpec {
  enum class Backend { Null, Stdio, File, Pipe, Socket };
  Backend backend = Backend::Null;
  std::string id;          // -chardev id=...; generated for -serial
  std::string path;        // File, Pipe (the FIFO base name)
  bool append = false;     // File: append=on
  bool mux = false;        // Stdio: Ctrl-A escapes (mon:stdio, -nographic, mux=on)
  bool signal = true;      // Stdio: signal=on|off (mon:stdio implies off)
  SocketChardev::Options socket;  // Socket
};

// on_quit is what Ctrl-A x does (stdio with mux only). Throws ChardevError.
std::unique_ptr<Chardev> create_chardev(const ChardevSpec& spec, std::function<void()> on_quit);

}  // namespace emu
