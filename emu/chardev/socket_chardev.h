// The socket backend (QEMU's -chardev socket, and the unix:/tcp: forms of
// -serial, -qmp and -monitor): a Unix-domain or TCP stream socket, as a
// server or a client.
//
// QEMU's semantics:
//   - server=on listens; one client at a time. While a client is connected
//     further connections wait in the listen backlog and are accepted after
//     it closes (each accepted client is a new peer for the frontend: a new
//     QMP greeting, a new HMP banner).
//   - wait=on (the default for a server) blocks construction until the first
//     client connects, printing "QEMU waiting for connection on: ..." to
//     stderr; wait=off starts with no client.
//   - server=off connects once at construction (failing is an error) and
//     does not reconnect.
//   - Output with no client is dropped. With a client, write() returns when
//     every byte is sent: a client that stops reading stalls the writer (the
//     guest's UART, or a monitor reply), as a full socket would in QEMU.
//   - nodelay=on sets TCP_NODELAY.
//   - describe() is QEMU's query-chardev filename:
//     "disconnected:unix:/p,server=on", "unix:/p,server=on",
//     "tcp:127.0.0.1:4444,server=on <-> 127.0.0.1:51234", ...
//
// emu's choices:
//   - A Unix socket is created with owner-only permissions (0600), so other
//     users on the host cannot drive the monitor or type into the guest.
//   - A stale socket file at the path is replaced; any other kind of file is
//     left alone and the bind fails (QEMU unlinks whatever is there).
//   - The socket file is removed when the chardev is destroyed.
//
// Input is read without blocking from poll_input(); the machine loop pushes
// it into the InputQueue. Connection changes are reported through
// PeerNotifier from inside poll_input() (a lost client found by write() is
// reported at the next poll_input()).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emu/chardev/chardev.h"
#include "emu/chardev/peer_notifier.h"

namespace emu {

class SocketChardev : public Chardev, public PeerNotifier {
 public:
  struct Options {
    enum class Family { Unix, Tcp };
    Family family = Family::Unix;
    std::string path;  // Unix
    std::string host;  // Tcp; empty: every interface (server) or localhost (client)
    std::string port;  // Tcp; "0" lets the kernel pick (see local_port())
    bool server = false;
    bool wait = true;  // server only
    bool nodelay = false;
  };

  // Throws ChardevError with QEMU's wording ("Failed to connect to ...").
  explicit SocketChardev(Options options);
  ~SocketChardev() override;
  SocketChardev(const SocketChardev&) = delete;
  SocketChardev& operator=(const SocketChardev&) = delete;

  void write(std::span<const uint8_t> bytes) override;
  size_t poll_input(std::vector<uint8_t>& out) override;
  // The client's fd when connected, else the listening fd (readable when a
  // client is waiting to be accepted), else -1.
  int input_fd() const override;
  std::string describe() const override;
  void set_peer_listener(std::function<void(PeerEvent)> listener) override;

  bool connected() const { return client_fd_ >= 0; }
  const Options& options() const { return options_; }
  // TCP: the local port (the listening one for a server), 0 for Unix.
  uint16_t local_port() const;

 private:
  void listen_unix();
  void listen_tcp();
  void connect_unix();
  void connect_tcp();
  bool accept_client(bool blocking);
  void adopt_client(int fd);
  void drop_client();
  void notify(PeerEvent event);
  std::string address_text() const;  // "unix:/p" or "tcp:host:port"

  Options options_;
  int listen_fd_ = -1;
  int client_fd_ = -1;
  bool client_lost_ = false;  // write() saw the client go; poll_input() reports it
  bool unlink_on_close_ = false;
  std::string peer_text_;  // "127.0.0.1:51234" for describe()
  std::function<void(PeerEvent)> listener_;
};

// The compact forms -serial, -qmp and -monitor take: "unix:PATH[,opts]" and
// "tcp:[HOST]:PORT[,opts]" (HOST may be [v6addr]); opts as for -chardev.
// Throws ChardevError.
SocketChardev::Options parse_socket_address(std::string_view text);

// -chardev socket's properties (in command-line order): path, host, port,
// server, wait, nodelay, and id/mux/ipv4/ipv6 which this backend ignores.
// Booleans take on/off/yes/no/true/false; a bare key means on and "noKEY"
// off (QEMU's deprecated short forms, e.g. "server,nowait"). Throws
// ChardevError: "Invalid parameter 'x'", "chardev: socket: no host given".
SocketChardev::Options socket_options_from_properties(
    const std::vector<std::pair<std::string, std::string>>& properties);

}  // namespace emu
