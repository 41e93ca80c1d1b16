#include "emu/monitor/monitor_hub.h"

#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "emu/chardev/peer_notifier.h"
#include "emu/monitor/hmp.h"
#include "emu/monitor/qmp_server.h"

namespace emu::monitor {
namespace {

class RealHostFiles : public HostFiles {
 public:
  class File : public Output {
   public:
    explicit File(std::FILE* file) : file_(file) {}
    ~File() override { std::fclose(file_); }
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    bool write(const void* data, size_t length) override { return std::fwrite(data, 1, length, file_) == length; }

   private:
    std::FILE* file_;
  };

  std::unique_ptr<Output> create(const std::string& path, std::string& error) override {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
      error = std::strerror(errno);
      return nullptr;
    }
    return std::make_unique<File>(file);
  }
};

EventTimestamp host_wall_clock() {
  struct timeval now {};
  gettimeofday(&now, nullptr);
  return EventTimestamp{now.tv_sec, now.tv_usec};
}

}  // namespace

HostFiles& real_host_files() {
  static RealHostFiles files;
  return files;
}

// One monitor on one chardev, with a session for the current peer.
class MonitorHub::Port : public MonitorConnection {
 public:
  enum class Mode { Control, Readline };

  Port(MonitorHub& hub, Chardev& chardev, Mode mode) : hub_(hub), chardev_(chardev), mode_(mode) {}

  ~Port() override {
    if (auto* notifier = dynamic_cast<PeerNotifier*>(&chardev_)) notifier->set_peer_listener(nullptr);
  }
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  void attach() {
    if (auto* notifier = dynamic_cast<PeerNotifier*>(&chardev_)) {
      notifier->set_peer_listener([this](PeerEvent event) { on_peer_event(event); });
    } else {
      on_peer_event(PeerEvent::Opened);  // stdio, files: the peer is always there
    }
  }

  bool poll() {
    buffer_.clear();
    if (chardev_.poll_input(buffer_) == 0) return false;
    const std::span<const uint8_t> bytes(buffer_);
    if (qmp_) qmp_->receive(bytes);
    else if (hmp_) hmp_->receive(bytes);
    return true;
  }

  int input_fd() const { return chardev_.input_fd(); }

  void send(std::string_view bytes) override {
    chardev_.write(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }

 private:
  void on_peer_event(PeerEvent event) {
    switch (event) {
      case PeerEvent::Opened:
        qmp_.reset();
        hmp_.reset();
        if (mode_ == Mode::Control) {
          qmp_ = std::make_unique<QmpSession>(hub_, *this);
          qmp_->start();
        } else {
          hmp_ = std::make_unique<HmpSession>(hub_, *this);
          hmp_->open();
        }
        break;
      case PeerEvent::Closed:
        qmp_.reset();
        hmp_.reset();
        break;
      case PeerEvent::FocusIn:
        if (hmp_) hmp_->focus_in();
        break;
      case PeerEvent::FocusOut:
        if (hmp_) hmp_->focus_out();
        break;
    }
  }

  MonitorHub& hub_;
  Chardev& chardev_;
  Mode mode_;
  std::unique_ptr<QmpSession> qmp_;
  std::unique_ptr<HmpSession> hmp_;
  std::vector<uint8_t> buffer_;
};

MonitorHub::MonitorHub(MachineControl& machine, MonitorOptions options)
    : machine_(machine), options_(std::move(options)), files_(options_.files ? options_.files : &real_host_files()) {
  if (!options_.clock) options_.clock = host_wall_clock;
}

MonitorHub::~MonitorHub() {
  ports_.clear();  // their sessions unsubscribe from subscribers_ on the way out
}

void MonitorHub::attach_qmp(Chardev& chardev) {
  ports_.push_back(std::make_unique<Port>(*this, chardev, Port::Mode::Control));
  ports_.back()->attach();
}

void MonitorHub::attach_hmp(Chardev& chardev) {
  ports_.push_back(std::make_unique<Port>(*this, chardev, Port::Mode::Readline));
  ports_.back()->attach();
}

bool MonitorHub::poll() {
  bool any = false;
  for (auto& port : ports_) any = port->poll() || any;
  return any;
}

void MonitorHub::collect_input_fds(std::vector<int>& fds) const {
  for (const auto& port : ports_) {
    const int fd = port->input_fd();
    if (fd >= 0 && std::find(fds.begin(), fds.end(), fd) == fds.end()) fds.push_back(fd);
  }
}

void MonitorHub::emit_event(std::string_view name, const Json& data) {
  const EventTimestamp now = options_.clock();
  Json message = Json::object();
  message["timestamp"] = Json{{"seconds", now.seconds}, {"microseconds", now.microseconds}};
  message["event"] = std::string(name);
  if (!data.is_null()) message["data"] = data;
  // A copy: a session may not unsubscribe while it is being sent to, but be
  // safe against any listener that does.
  const std::vector<QmpSession*> subscribers = subscribers_;
  for (QmpSession* session : subscribers) {
    if (std::find(subscribers_.begin(), subscribers_.end(), session) != subscribers_.end()) {
      session->deliver_event(message);
    }
  }
}

void MonitorHub::subscribe(QmpSession* session) { subscribers_.push_back(session); }

void MonitorHub::unsubscribe(QmpSession* session) {
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), session), subscribers_.end());
}

}  // namespace emu::monitor
