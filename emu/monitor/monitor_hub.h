// The monitors of one machine: every QMP and HMP session, the chardevs they
// talk over, and the event broadcast.
//
//   hub.attach_qmp(chardev)   -qmp, -mon chardev=ID,mode=control
//   hub.attach_hmp(chardev)   -monitor, -mon chardev=ID(,mode=readline), mon:stdio
//   hub.poll()                the machine loop, between slices and while paused
//   hub.emit_event(...)       the board: STOP, RESUME, RESET, SHUTDOWN, POWERDOWN
//
// A session starts when its chardev's peer appears: at once for stdio and
// other always-open backends, on each accepted connection for a socket, on
// the first switch to the monitor for the monitor side of a mux (see
// emu/chardev/peer_notifier.h). QEMU serves one client per monitor chardev
// at a time; several -qmp options give several independent monitors.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "emu/chardev/chardev.h"
#include "emu/monitor/machine_control.h"
#include "emu/monitor/qmp_json.h"

namespace emu::monitor {

class QmpSession;

// Bytes out to one monitor client. Input goes the other way by calling the
// session's receive().
class MonitorConnection {
 public:
  virtual ~MonitorConnection() = default;
  virtual void send(std::string_view bytes) = 0;
};

// Where memsave/pmemsave write. The real file system by default; tests and
// the fuzzer substitute their own.
class HostFiles {
 public:
  class Output {
   public:
    virtual ~Output() = default;
    virtual bool write(const void* data, size_t length) = 0;  // false: I/O error
  };
  virtual ~HostFiles() = default;
  // nullptr with `error` set to strerror-style text on failure.
  virtual std::unique_ptr<Output> create(const std::string& path, std::string& error) = 0;
};
HostFiles& real_host_files();

struct EventTimestamp {
  int64_t seconds = 0;
  int64_t microseconds = 0;
};

// x/xp/print remember the last format and unit size, shared by all HMP
// monitors, as in QEMU.
struct HmpFormatDefaults {
  char format = 'x';
  unsigned size = 4;
};

struct MonitorOptions {
  // Event timestamps: host wall-clock time by default. Events are observers'
  // output, not guest input, so host time is allowed here.
  std::function<EventTimestamp()> clock;
  HostFiles* files = nullptr;  // nullptr: real_host_files()
  JsonStreamLimits json_limits;
};

class MonitorHub {
 public:
  explicit MonitorHub(MachineControl& machine, MonitorOptions options = {});
  ~MonitorHub();
  MonitorHub(const MonitorHub&) = delete;
  MonitorHub& operator=(const MonitorHub&) = delete;

  MachineControl& machine() { return machine_; }
  HostFiles& files() { return *files_; }
  const JsonStreamLimits& json_limits() const { return options_.json_limits; }
  HmpFormatDefaults& format_defaults() { return format_defaults_; }

  // The chardev must outlive the hub.
  void attach_qmp(Chardev& chardev);
  void attach_hmp(Chardev& chardev);

  // Reads each monitor chardev's pending input and runs every complete
  // command. Never blocks on input. Returns true if any input arrived.
  bool poll();
  // The fds poll() reads from, for the machine loop's blocking wait.
  void collect_input_fds(std::vector<int>& fds) const;

  // Sends {"timestamp": ..., "event": name, "data": data} to every QMP
  // session past capabilities negotiation (data omitted when null).
  void emit_event(std::string_view name, const Json& data = nullptr);

  // QMP sessions subscribe themselves for events.
  void subscribe(QmpSession* session);
  void unsubscribe(QmpSession* session);

 private:
  class Port;

  MachineControl& machine_;
  MonitorOptions options_;
  HostFiles* files_;
  HmpFormatDefaults format_defaults_;
  std::vector<QmpSession*> subscribers_;  // declared before ports_: outlives their sessions
  std::vector<std::unique_ptr<Port>> ports_;
};

}  // namespace emu::monitor
