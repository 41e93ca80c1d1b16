// QMP, the QEMU Machine Protocol (QEMU's docs/interop/qmp-spec), as QEMU 7.2
// speaks it. One QmpSession per connected client:
//
//   greeting   {"QMP": {"version": {"qemu": {"micro", "minor", "major"},
//               "package"}, "capabilities": []}}
//              emu offers no capabilities: "oob" (out-of-band execution)
//              needs commands that run while another is in flight, and emu
//              runs commands one at a time on the machine thread.
//   negotiation  until qmp_capabilities succeeds every other command fails
//              with CommandNotFound "Expecting capabilities negotiation with
//              'qmp_capabilities'"; afterwards qmp_capabilities fails with
//              CommandNotFound "Capabilities negotiation is already
//              complete, command ignored". Events are sent only after it.
//   requests   {"execute": NAME, "arguments": {...}, "id": ANY}; replies
//              {"return": ..., "id": ...} or {"id": ..., "error": {"class",
//              "desc"}} in request order; id echoed verbatim, any JSON value.
//              Every message ends in "\r\n".
//   errors     GenericError / CommandNotFound with QEMU's texts: malformed
//              JSON ("JSON parse error, ..."), "QMP input must be a JSON
//              object", "QMP input member 'x' is unexpected", "QMP input
//              lacks member 'execute'", "The command x has not been found",
//              "Parameter 'x' is missing", "Parameter 'x' is unexpected",
//              "Invalid parameter type for 'x', expected: integer", ...
//   events     {"timestamp": {"seconds", "microseconds"}, "event", "data"?}
//
// Commands: qmp_capabilities, query-version, query-commands, query-status,
// stop, cont, system_reset, system_powerdown, quit, query-name,
// query-target, query-machines, query-cpus-fast, query-chardev, query-block,
// query-kvm, human-monitor-command, memsave, pmemsave, query-replay,
// replay-break, replay-delete-break, replay-seek; emu extension
// x-query-state-hash.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "emu/monitor/hmp.h"
#include "emu/monitor/monitor_hub.h"
#include "emu/monitor/qmp_json.h"

namespace emu::monitor {

class QmpSession {
 public:
  // Subscribes to the hub's events (after negotiation) until destroyed.
  QmpSession(MonitorHub& hub, MonitorConnection& connection);
  ~QmpSession();
  QmpSession(const QmpSession&) = delete;
  QmpSession& operator=(const QmpSession&) = delete;

  void start();  // sends the greeting
  void receive(std::span<const uint8_t> bytes);
  void receive(std::string_view text) {
    receive(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

  // From the hub: an event message, sent only once negotiation is complete.
  void deliver_event(const Json& message);

  bool negotiated() const { return negotiated_; }

  // Used by the command handlers.
  void complete_negotiation() { negotiated_ = true; }
  MonitorHub& hub() { return hub_; }

 private:
  void handle(JsonStreamParser::Result message);
  void send(const Json& message);

  MonitorHub& hub_;
  MonitorConnection& connection_;
  JsonStreamParser parser_;
  bool negotiated_ = false;
  bool quitting_ = false;
};

// Every command's name, in the order query-commands lists them.
std::vector<std::string> qmp_command_names();

}  // namespace emu::monitor
