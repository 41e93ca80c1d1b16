// QEMU's mux chardev (-serial mon:stdio, -nographic, -chardev ...,mux=on):
// one backend shared by several frontends, typically the guest's serial port
// and the HMP monitor. Output from every frontend goes to the backend as it
// comes; input goes to the frontend that has the focus. Escapes, after
// Ctrl-A:
//   c        move the focus to the next frontend (serial -> monitor -> serial)
//   x        print "emu: Terminated" and call on_quit
//   h or ?   print the escape help
//   Ctrl-A   send one Ctrl-A to the focused frontend
//   s, b, t  accepted and ignored (no -snapshot flush, break, or timestamps yet)
// Anything else after Ctrl-A is dropped.
//
// Frontend 0 has the focus first. Each frontend is a Chardev and a
// PeerNotifier: it is Opened the first time it gets the focus (the monitor's
// banner appears on the first Ctrl-A c, as in QEMU), then gets FocusOut and
// FocusIn as the focus moves.
//
// The backend is created without escape handling of its own (stdio with
// mux_escape off). Reading the backend from any frontend's poll_input()
// distributes the input, so the machine loop must poll every frontend
// before it blocks on the backend's fd.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "emu/chardev/chardev.h"
#include "emu/chardev/peer_notifier.h"

namespace emu {

class MuxChardev {
 public:
  MuxChardev(Chardev& backend, std::function<void()> on_quit);
  ~MuxChardev();
  MuxChardev(const MuxChardev&) = delete;
  MuxChardev& operator=(const MuxChardev&) = delete;

  // A new frontend; the reference stays valid as long as the mux.
  Chardev& add_frontend();
  unsigned focus() const { return focus_; }

  // Escape processing on bytes as if read from the backend (tests).
  void process_input(std::span<const uint8_t> bytes);

 private:
  class Frontend;
  void pump();  // read the backend and distribute
  void switch_focus();

  Chardev& backend_;
  std::function<void()> on_quit_;
  std::vector<std::unique_ptr<Frontend>> frontends_;
  unsigned focus_ = 0;
  bool escape_pending_ = false;
  std::vector<uint8_t> backend_buffer_;
};

}  // namespace emu
