#include "emu/chardev/socket_chardev.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "emu/chardev/chardev_factory.h"

namespace emu {
namespace {

constexpr size_t kMaxReadPerPoll = 64 * 1024;

std::string error_text(int error) { return std::strerror(error); }

void set_nonblocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

std::optional<bool> parse_bool(std::string_view value) {
  if (value == "on" || value == "yes" || value == "true") return true;
  if (value == "off" || value == "no" || value == "false") return false;
  return std::nullopt;
}

// Numeric "host:port" of a socket address ("[v6]:port" for IPv6).
std::string numeric_address(const sockaddr_storage& address, socklen_t length) {
  char host[NI_MAXHOST] = "", port[NI_MAXSERV] = "";
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "?:?";
  }
  if (address.ss_family == AF_INET6) return std::string("[") + host + "]:" + port;
  return std::string(host) + ":" + port;
}

bool fill_unix_address(const std::string& path, sockaddr_un& address) {
  std::memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) return false;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// Applies one key=value to options; false if the key is not a socket option.
bool apply_option(SocketChardev::Options& options, const std::string& key, const std::string& value) {
  const auto boolean = [&](const std::string& name) {
    std::optional<bool> parsed = parse_bool(value);
    if (!parsed) throw ChardevError("Parameter '" + name + "' expects 'on' or 'off'");
    return *parsed;
  };
  if (key == "path") {
    options.family = SocketChardev::Options::Family::Unix;
    options.path = value;
  } else if (key == "host") {
    options.family = SocketChardev::Options::Family::Tcp;
    options.host = value;
  } else if (key == "port") {
    options.port = value;
  } else if (key == "server") {
    options.server = boolean(key);
  } else if (key == "wait") {
    options.wait = boolean(key);
  } else if (key == "nodelay") {
    options.nodelay = boolean(key);
  } else if (key == "noserver") {  // QEMU's deprecated short form "noKEY" for KEY=off
    options.server = !boolean(key);
  } else if (key == "nowait") {
    options.wait = !boolean(key);
  } else if (key == "ipv4" || key == "ipv6") {
    boolean(key);  // accepted; the address family follows the host name
  } else {
    return false;
  }
  return true;
}

}  // namespace

SocketChardev::Options parse_socket_address(std::string_view text) {
  SocketChardev::Options options;
  const size_t comma = text.find(',');
  const std::string_view address = text.substr(0, comma);
  if (address.substr(0, 5) == "unix:") {
    options.family = SocketChardev::Options::Family::Unix;
    options.path = std::string(address.substr(5));
    if (options.path.empty()) throw ChardevError("chardev: socket: no path given");
  } else if (address.substr(0, 4) == "tcp:") {
    options.family = SocketChardev::Options::Family::Tcp;
    const std::string_view host_port = address.substr(4);
    const size_t colon = host_port.rfind(':');
    if (colon == std::string_view::npos) throw ChardevError("chardev: socket: no port given");
    std::string_view host = host_port.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    options.host = std::string(host);
    options.port = std::string(host_port.substr(colon + 1));
    if (options.port.empty()) throw ChardevError("chardev: socket: no port given");
  } else {
    throw ChardevError("'" + std::string(address) + "' is not a socket address (unix:PATH or tcp:HOST:PORT)");
  }
  std::string_view rest = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  while (!rest.empty()) {
    const size_t next = rest.find(',');
    const std::string_view item = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    if (item.empty()) continue;
    const size_t equals = item.find('=');
    const std::string key(item.substr(0, equals));
    const std::string value = equals == std::string_view::npos ? "on" : std::string(item.substr(equals + 1));
    if (!apply_option(options, key, value)) throw ChardevError("Invalid parameter '" + key + "'");
  }
  return options;
}

SocketChardev::Options socket_options_from_properties(
    const std::vector<std::pair<std::string, std::string>>& properties) {
  SocketChardev::Options options;
  bool have_path = false, have_host = false;
  for (const auto& [key, value] : properties) {
    if (key == "id" || key == "mux" || key == "backend") continue;  // the factory's business
    if (!apply_option(options, key, value)) throw ChardevError("Invalid parameter '" + key + "'");
    have_path = have_path || key == "path";
    have_host = have_host || key == "host";
  }
  if (have_path) {
    options.family = SocketChardev::Options::Family::Unix;
    if (options.path.empty()) throw ChardevError("chardev: socket: no path given");
  } else {
    options.family = SocketChardev::Options::Family::Tcp;
    if (!have_host && options.port.empty()) throw ChardevError("chardev: socket: no host given");
    if (options.port.empty()) throw ChardevError("chardev: socket: no port given");
  }
  return options;
}

SocketChardev::SocketChardev(Options options) : options_(std::move(options)) {
  const bool unix_socket = options_.family == Options::Family::Unix;
  if (options_.server) {
    if (unix_socket) listen_unix();
    else listen_tcp();
    if (options_.wait) {
      std::fprintf(stderr, "%s: info: QEMU waiting for connection on: %s\n", program_invocation_short_name,
                   describe().c_str());
      while (!accept_client(true)) {
      }
    }
  } else {
    if (unix_socket) connect_unix();
    else connect_tcp();
  }
}

SocketChardev::~SocketChardev() {
  if (client_fd_ >= 0) ::close(client_fd_);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (unlink_on_close_) ::unlink(options_.path.c_str());
}

void SocketChardev::listen_unix() {
  sockaddr_un address{};
  if (!fill_unix_address(options_.path, address)) {
    throw ChardevError("UNIX socket path '" + options_.path + "' is too long");
  }
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw ChardevError("Failed to create Unix socket: " + error_text(errno));
  struct stat existing {};
  if (::lstat(options_.path.c_str(), &existing) == 0 && S_ISSOCK(existing.st_mode)) ::unlink(options_.path.c_str());
  // Owner-only from the start (umask), and made explicit afterwards.
  const mode_t previous_mask = ::umask(0077);
  const int bound = ::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  const int bind_error = errno;
  ::umask(previous_mask);
  if (bound != 0) throw ChardevError("Failed to bind socket to " + options_.path + ": " + error_text(bind_error));
  unlink_on_close_ = true;
  ::chmod(options_.path.c_str(), 0600);
  if (::listen(listen_fd_, 1) != 0) throw ChardevError("Failed to listen on socket: " + error_text(errno));
  set_nonblocking(listen_fd_);
}

void SocketChardev::listen_tcp() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* results = nullptr;
  const char* host = options_.host.empty() ? nullptr : options_.host.c_str();
  if (const int status = ::getaddrinfo(host, options_.port.c_str(), &hints, &results); status != 0) {
    throw ChardevError("address resolution failed for " + options_.host + ":" + options_.port + ": " +
                       gai_strerror(status));
  }
  int last_error = 0;
  for (addrinfo* candidate = results; candidate != nullptr; candidate = candidate->ai_next) {
    const int fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, candidate->ai_protocol);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 && ::listen(fd, 1) == 0) {
      listen_fd_ = fd;
      break;
    }
    last_error = errno;
    ::close(fd);
  }
  ::freeaddrinfo(results);
  if (listen_fd_ < 0) {
    throw ChardevError("Failed to bind socket to " + options_.host + ":" + options_.port + ": " +
                       error_text(last_error));
  }
  set_nonblocking(listen_fd_);
}

void SocketChardev::connect_unix() {
  sockaddr_un address{};
  if (!fill_unix_address(options_.path, address)) {
    throw ChardevError("UNIX socket path '" + options_.path + "' is too long");
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw ChardevError("Failed to create Unix socket: " + error_text(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd);
    throw ChardevError("Failed to connect to '" + options_.path + "': " + error_text(error));
  }
  adopt_client(fd);
}

void SocketChardev::connect_tcp() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* results = nullptr;
  const std::string host = options_.host.empty() ? "localhost" : options_.host;
  if (const int status = ::getaddrinfo(host.c_str(), options_.port.c_str(), &hints, &results); status != 0) {
    throw ChardevError("address resolution failed for " + host + ":" + options_.port + ": " + gai_strerror(status));
  }
  int last_error = 0, fd = -1;
  for (addrinfo* candidate = results; candidate != nullptr; candidate = candidate->ai_next) {
    fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, candidate->ai_protocol);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    if (::connect(fd, candidate->ai_addr, candidate->ai_addrlen) == 0) break;
    last_error = errno;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(results);
  if (fd < 0) throw ChardevError("Failed to connect to '" + host + ":" + options_.port + "': " + error_text(last_error));
  adopt_client(fd);
}

void SocketChardev::adopt_client(int fd) {
  set_nonblocking(fd);
  if (options_.nodelay && options_.family == Options::Family::Tcp) {
    const int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  }
  client_fd_ = fd;
  client_lost_ = false;
  peer_text_.clear();
  if (options_.family == Options::Family::Tcp) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0) peer_text_ = numeric_address(peer, length);
  }
  notify(PeerEvent::Opened);
}

bool SocketChardev::accept_client(bool blocking) {
  if (listen_fd_ < 0 || client_fd_ >= 0) return false;
  if (blocking) {
    pollfd descriptor{listen_fd_, POLLIN, 0};
    if (::poll(&descriptor, 1, -1) < 0) return false;
  }
  const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return false;
  adopt_client(fd);
  return true;
}

void SocketChardev::drop_client() {
  if (client_fd_ < 0) return;
  ::close(client_fd_);
  client_fd_ = -1;
  client_lost_ = false;
  peer_text_.clear();
  notify(PeerEvent::Closed);
}

void SocketChardev::notify(PeerEvent event) {
  if (listener_) listener_(event);
}

void SocketChardev::set_peer_listener(std::function<void(PeerEvent)> listener) {
  listener_ = std::move(listener);
  if (listener_ && client_fd_ >= 0 && !client_lost_) listener_(PeerEvent::Opened);
}

void SocketChardev::write(std::span<const uint8_t> bytes) {
  while (!bytes.empty() && client_fd_ >= 0 && !client_lost_) {
    const ssize_t sent = ::send(client_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes = bytes.subspan(static_cast<size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd descriptor{client_fd_, POLLOUT, 0};
      ::poll(&descriptor, 1, -1);
      if ((descriptor.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 && (descriptor.revents & POLLOUT) == 0) {
        client_lost_ = true;
      }
      continue;
    }
    client_lost_ = true;  // EPIPE, ECONNRESET, ...: reported by poll_input
  }
}

size_t SocketChardev::poll_input(std::vector<uint8_t>& out) {
  if (client_lost_) {
    drop_client();
    return 0;
  }
  if (client_fd_ < 0) {
    if (!options_.server || !accept_client(false)) return 0;
  }
  const size_t start = out.size();
  uint8_t buffer[4096];
  while (out.size() - start < kMaxReadPerPoll) {
    const ssize_t got = ::recv(client_fd_, buffer, sizeof buffer, 0);
    if (got > 0) {
      out.insert(out.end(), buffer, buffer + got);
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    // End of stream or an error. Bytes read in this call belong to the
    // client that is leaving: hand them over first, report the close on the
    // next call (end of stream repeats).
    if (out.size() == start) drop_client();
    break;
  }
  return out.size() - start;
}

int SocketChardev::input_fd() const {
  if (client_fd_ >= 0) return client_fd_;
  return options_.server ? listen_fd_ : -1;
}

uint16_t SocketChardev::local_port() const {
  const int fd = listen_fd_ >= 0 ? listen_fd_ : client_fd_;
  if (options_.family != Options::Family::Tcp || fd < 0) return 0;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  return 0;
}

std::string SocketChardev::address_text() const {
  if (options_.family == Options::Family::Unix) return "unix:" + options_.path;
  std::string host = options_.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "tcp:" + host + ":" + options_.port;
}

std::string SocketChardev::describe() const {
  const std::string server = options_.server ? ",server=on" : "";
  if (client_fd_ < 0) return "disconnected:" + address_text() + server;
  if (options_.family == Options::Family::Unix) return address_text() + server;
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  std::string local_text = "?:?";
  if (::getsockname(client_fd_, reinterpret_cast<sockaddr*>(&local), &length) == 0) {
    local_text = numeric_address(local, length);
  }
  return "tcp:" + local_text + server + " <-> " + peer_text_;
}

}  // namespace emu
