// Chardevs whose other end comes and goes tell their frontend about it, so a
// monitor can greet each new client (QMP greeting, HMP banner) and start a
// fresh session: a socket's client connecting and disconnecting, the monitor
// side of a mux gaining and losing the focus (Ctrl-A c).
#pragma once

#include <functional>

namespace emu {

enum class PeerEvent {
  Opened,    // a peer is there (socket accepted/connected; mux: first focus)
  Closed,    // the peer left (socket closed)
  FocusIn,   // mux only: the focus came back (after the first time)
  FocusOut,  // mux only: the focus went to another frontend
};

class PeerNotifier {
 public:
  virtual ~PeerNotifier() = default;
  // Events are delivered on the machine thread from inside poll_input() (of
  // this chardev or, for a mux, of any of its frontends), never from
  // write(), so a listener may tear down the session that writes. If a peer
  // is already there when the listener is set, it gets Opened at once.
  // Input returned by one poll_input() call always belongs to one peer.
  virtual void set_peer_listener(std::function<void(PeerEvent)> listener) = 0;
};

}  // namespace emu
