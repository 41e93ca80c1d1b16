#include "emu/monitor/qmp_server.h"

#include <algorithm>
#include <cstdio>

namespace emu::monitor {
namespace {

// ---- replies ----

struct Reply {
  Json value = Json::object();
  std::string error_class;  // empty: success
  std::string desc;

  static Reply ok(Json value = Json::object()) { return Reply{std::move(value), {}, {}}; }
  static Reply error(std::string desc, std::string error_class = "GenericError") {
    return Reply{Json(), std::move(error_class), std::move(desc)};
  }
};

Json error_message(const Reply& reply, const Json* id) {
  Json message = Json::object();
  if (id != nullptr) message["id"] = *id;
  message["error"] = Json{{"class", reply.error_class}, {"desc", reply.desc}};
  return message;
}

// ---- the command table ----

// QAPI argument types as QEMU's input visitor checks them.
enum class ArgumentType {
  String,          // str
  Integer,         // int (int64)
  Size,            // size (uint64; negative integers are taken modulo 2^64, as QEMU does)
  CapabilityList,  // ['QMPCapability']
  Boolean,         // bool
};

struct Argument {
  std::string_view name;
  ArgumentType type;
  bool optional = false;
};

using Handler = Reply (*)(QmpSession& session, const Json& arguments);

struct CommandSpec {
  std::string_view name;
  std::vector<Argument> arguments;
  Handler handler;
};

constexpr std::string_view kCapabilityOob = "oob";

const char* expected_name(ArgumentType type) {
  switch (type) {
    case ArgumentType::String: return "string";
    case ArgumentType::Integer: case ArgumentType::Size: return "integer";
    case ArgumentType::CapabilityList: return "array";
    case ArgumentType::Boolean: return "boolean";
  }
  return "value";
}

// Checks one present argument; empty on success.
std::string check_argument(const Argument& argument, const Json& value) {
  const std::string name(argument.name);
  const std::string type_error = "Invalid parameter type for '" + name + "', expected: " + expected_name(argument.type);
  switch (argument.type) {
    case ArgumentType::String:
      return value.is_string() ? std::string() : type_error;
    case ArgumentType::Integer:
      return value.is_number_integer() && !value.is_number_unsigned() ? std::string() : type_error;
    case ArgumentType::Size:
      return value.is_number_integer() ? std::string() : type_error;
    case ArgumentType::Boolean:
      return value.is_boolean() ? std::string() : type_error;
    case ArgumentType::CapabilityList:
      if (!value.is_array()) return type_error;
      for (const Json& element : value) {
        // QEMU 7.2 names list elements 'null' in these messages.
        if (!element.is_string()) return "Invalid parameter type for 'null', expected: string";
        if (element.get_ref<const std::string&>() != kCapabilityOob) {
          return "Parameter 'null' does not accept value '" + element.get<std::string>() + "'";
        }
      }
      return {};
  }
  return type_error;
}

// QEMU's order: declared members first (missing, then wrong type), then
// members that are not declared.
std::string check_arguments(const CommandSpec& command, const Json& arguments) {
  for (const Argument& argument : command.arguments) {
    const std::string name(argument.name);
    auto found = arguments.find(name);
    if (found == arguments.end()) {
      if (!argument.optional) return "Parameter '" + name + "' is missing";
      continue;
    }
    if (std::string error = check_argument(argument, *found); !error.empty()) return error;
  }
  for (auto member = arguments.begin(); member != arguments.end(); ++member) {
    const std::string& key = member.key();
    const bool declared = std::any_of(command.arguments.begin(), command.arguments.end(),
                                      [&](const Argument& argument) { return argument.name == key; });
    if (!declared) return "Parameter '" + key + "' is unexpected";
  }
  return {};
}

uint64_t as_uint64(const Json& value) {
  return value.is_number_unsigned() ? value.get<uint64_t>() : static_cast<uint64_t>(value.get<int64_t>());
}

Json version_json(const VersionInfo& version) {
  return Json{{"qemu", {{"micro", version.micro}, {"minor", version.minor}, {"major", version.major}}},
              {"package", version.package}};
}

Reply accept_capabilities(const Json& arguments) {
  auto enable = arguments.find("enable");
  if (enable != arguments.end()) {
    for (const Json& capability : *enable) {
      // emu offers none (see qmp_server.h).
      return Reply::error("Capability '" + capability.get<std::string>() + "' not available");
    }
  }
  return Reply::ok();
}

Reply qmp_capabilities_before(QmpSession& session, const Json& arguments) {
  Reply reply = accept_capabilities(arguments);
  if (reply.error_class.empty()) session.complete_negotiation();
  return reply;
}

Reply qmp_capabilities_after(QmpSession&, const Json&) {
  return Reply::error("Capabilities negotiation is already complete, command ignored", "CommandNotFound");
}

Reply query_version(QmpSession& session, const Json&) { return Reply::ok(version_json(session.hub().machine().version())); }

Reply query_commands(QmpSession&, const Json&) {
  Json list = Json::array();
  for (const std::string& name : qmp_command_names()) list.push_back(Json{{"name", name}});
  return Reply::ok(std::move(list));
}

Reply query_status(QmpSession& session, const Json&) {
  const RunState state = session.hub().machine().run_state();
  return Reply::ok(Json{{"status", run_state_name(state)}, {"singlestep", false}, {"running", state == RunState::Running}});
}

Reply stop(QmpSession& session, const Json&) {
  session.hub().machine().stop();
  return Reply::ok();
}

Reply cont(QmpSession& session, const Json&) {
  std::string error;
  if (!session.hub().machine().cont(error)) return Reply::error(error);
  return Reply::ok();
}

Reply system_reset(QmpSession& session, const Json&) {
  session.hub().machine().request_system_reset();
  return Reply::ok();
}

Reply system_powerdown(QmpSession& session, const Json&) {
  session.hub().machine().request_system_powerdown();
  return Reply::ok();
}

Reply quit(QmpSession& session, const Json&) {
  session.hub().machine().request_quit();
  return Reply::ok();
}

Reply query_name(QmpSession& session, const Json&) {
  const std::string name = session.hub().machine().name();
  Json result = Json::object();
  if (!name.empty()) result["name"] = name;
  return Reply::ok(std::move(result));
}

Reply query_target(QmpSession&, const Json&) { return Reply::ok(Json{{"arch", "riscv64"}}); }

Reply query_machines(QmpSession& session, const Json&) {
  Json virt = Json{{"hotpluggable-cpus", false},
                   {"name", "virt"},
                   {"numa-mem-supported", true},
                   {"default-cpu-type", "rv64-riscv-cpu"},
                   {"is-default", true},
                   {"cpu-max", session.hub().machine().max_harts()},
                   {"deprecated", false},
                   {"default-ram-id", "riscv_virt_board.ram"}};
  return Reply::ok(Json::array({std::move(virt)}));
}

Reply query_cpus_fast(QmpSession& session, const Json&) {
  MachineControl& machine = session.hub().machine();
  Json list = Json::array();
  for (unsigned i = 0; i < machine.hart_count(); ++i) {
    list.push_back(Json{{"thread-id", machine.host_thread_id(i)},
                        {"props", {{"core-id", i}}},
                        {"qom-path", "/machine/soc0/harts[" + std::to_string(i) + "]"},
                        {"cpu-index", i},
                        {"target", "riscv64"}});
  }
  return Reply::ok(std::move(list));
}

Reply query_chardev(QmpSession& session, const Json&) {
  Json list = Json::array();
  for (const ChardevInfo& chardev : session.hub().machine().chardevs()) {
    list.push_back(Json{{"frontend-open", chardev.frontend_open}, {"filename", chardev.filename}, {"label", chardev.label}});
  }
  return Reply::ok(std::move(list));
}

Reply query_block(QmpSession&, const Json&) { return Reply::ok(Json::array()); }

Reply query_kvm(QmpSession&, const Json&) { return Reply::ok(Json{{"enabled", false}, {"present", false}}); }

Reply human_monitor_command(QmpSession& session, const Json& arguments) {
  // A fresh monitor per command, as QEMU does: `cpu N` does not persist.
  HmpInterpreter interpreter(session.hub());
  if (auto cpu = arguments.find("cpu-index"); cpu != arguments.end()) {
    const int64_t index = cpu->get<int64_t>();
    if (index < 0 || index > UINT32_MAX || !interpreter.set_current_cpu(static_cast<unsigned>(index))) {
      return Reply::error("Parameter 'cpu-index' expects a CPU number");
    }
  }
  const std::string output = interpreter.execute(arguments["command-line"].get_ref<const std::string&>());
  std::string converted;
  converted.reserve(output.size() + output.size() / 16);
  for (char c : output) {
    if (c == '\n') converted += '\r';
    converted += c;
  }
  return Reply::ok(std::move(converted));
}

Reply memsave(QmpSession& session, const Json& arguments) {
  int64_t cpu = 0;
  if (auto found = arguments.find("cpu-index"); found != arguments.end()) cpu = found->get<int64_t>();
  if (cpu < 0 || cpu > UINT32_MAX) return Reply::error("Parameter 'cpu-index' expects a CPU number");
  const std::string error = save_virtual_memory(session.hub(), static_cast<unsigned>(cpu),
                                                static_cast<uint64_t>(arguments["val"].get<int64_t>()),
                                                as_uint64(arguments["size"]), arguments["filename"].get<std::string>());
  return error.empty() ? Reply::ok() : Reply::error(error);
}

Reply pmemsave(QmpSession& session, const Json& arguments) {
  const std::string error = save_physical_memory(session.hub(), static_cast<uint64_t>(arguments["val"].get<int64_t>()),
                                                 as_uint64(arguments["size"]), arguments["filename"].get<std::string>());
  return error.empty() ? Reply::ok() : Reply::error(error);
}

// emu extension (x- prefix: not in QEMU): the machine's icount and the hash
// of its whole guest-visible state, for comparing runs (JIT vs interpreter,
// record vs replay). {"icount": N, "hash": "<16 lowercase hex digits>"}.
// {"full": true} reads every page instead of trusting the dirty-page cache
// (a test compares the two).
Reply x_query_state_hash(QmpSession& session, const Json& arguments) {
  uint64_t icount = 0, hash = 0;
  const bool full = arguments.value("full", false);
  if (!session.hub().machine().state_hash(icount, hash, full)) return Reply::error("State hashing is not available");
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return Reply::ok(Json{{"icount", icount}, {"hash", text}});
}

// Record/replay, QEMU's qapi/replay.json.
Reply query_replay(QmpSession& session, const Json&) {
  const MachineControl::ReplayInfo info = session.hub().machine().replay_info();
  Json result{{"mode", info.mode}, {"icount", info.icount}};
  if (!info.filename.empty()) result["filename"] = info.filename;
  return Reply::ok(std::move(result));
}

Reply replay_break(QmpSession& session, const Json& arguments) {
  std::string error;
  const int64_t icount = arguments["icount"].get<int64_t>();
  if (icount < 0 || !session.hub().machine().replay_break(static_cast<uint64_t>(icount), error)) {
    return Reply::error(error.empty() ? "Parameter 'icount' must not be negative" : error);
  }
  return Reply::ok();
}

Reply replay_delete_break(QmpSession& session, const Json&) {
  std::string error;
  if (!session.hub().machine().replay_delete_break(error)) return Reply::error(error);
  return Reply::ok();
}

Reply replay_seek(QmpSession& session, const Json& arguments) {
  std::string error;
  const int64_t icount = arguments["icount"].get<int64_t>();
  if (icount < 0 || !session.hub().machine().replay_seek(static_cast<uint64_t>(icount), error)) {
    return Reply::error(error.empty() ? "Parameter 'icount' must not be negative" : error);
  }
  return Reply::ok();
}

// Before negotiation only qmp_capabilities exists.
const std::vector<CommandSpec>& negotiation_commands() {
  static const std::vector<CommandSpec> commands = {
      {"qmp_capabilities", {{"enable", ArgumentType::CapabilityList, true}}, qmp_capabilities_before},
  };
  return commands;
}

const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> commands = {
      {"qmp_capabilities", {{"enable", ArgumentType::CapabilityList, true}}, qmp_capabilities_after},
      {"query-version", {}, query_version},
      {"query-commands", {}, query_commands},
      {"query-status", {}, query_status},
      {"stop", {}, stop},
      {"cont", {}, cont},
      {"system_reset", {}, system_reset},
      {"system_powerdown", {}, system_powerdown},
      {"quit", {}, quit},
      {"query-name", {}, query_name},
      {"query-target", {}, query_target},
      {"query-machines", {}, query_machines},
      {"query-cpus-fast", {}, query_cpus_fast},
      {"query-chardev", {}, query_chardev},
      {"query-block", {}, query_block},
      {"query-kvm", {}, query_kvm},
      {"human-monitor-command",
       {{"command-line", ArgumentType::String}, {"cpu-index", ArgumentType::Integer, true}},
       human_monitor_command},
      {"memsave",
       {{"val", ArgumentType::Integer},
        {"size", ArgumentType::Size},
        {"filename", ArgumentType::String},
        {"cpu-index", ArgumentType::Integer, true}},
       memsave},
      {"pmemsave", {{"val", ArgumentType::Integer}, {"size", ArgumentType::Size}, {"filename", ArgumentType::String}},
       pmemsave},
      {"x-query-state-hash", {{"full", ArgumentType::Boolean, true}}, x_query_state_hash},
      {"query-replay", {}, query_replay},
      {"replay-break", {{"icount", ArgumentType::Integer}}, replay_break},
      {"replay-delete-break", {}, replay_delete_break},
      {"replay-seek", {{"icount", ArgumentType::Integer}}, replay_seek},
  };
  return commands;
}

}  // namespace

std::vector<std::string> qmp_command_names() {
  std::vector<std::string> names;
  for (const CommandSpec& command : commands()) names.emplace_back(command.name);
  return names;
}

QmpSession::QmpSession(MonitorHub& hub, MonitorConnection& connection)
    : hub_(hub), connection_(connection), parser_(hub.json_limits()) {
  hub_.subscribe(this);
}

QmpSession::~QmpSession() { hub_.unsubscribe(this); }

void QmpSession::send(const Json& message) { connection_.send(serialize_qmp(message) + "\r\n"); }

void QmpSession::start() {
  send(Json{{"QMP", {{"version", version_json(hub_.machine().version())}, {"capabilities", Json::array()}}}});
}

void QmpSession::deliver_event(const Json& message) {
  if (negotiated_ && !quitting_) send(message);
}

void QmpSession::receive(std::span<const uint8_t> bytes) {
  parser_.feed(bytes, [this](JsonStreamParser::Result result) { handle(std::move(result)); });
}

void QmpSession::handle(JsonStreamParser::Result message) {
  if (quitting_) return;  // the emulator is exiting; QEMU stops reading too
  if (!message.error.empty()) {
    send(error_message(Reply::error(message.error), nullptr));
    return;
  }
  const Json& request = message.value;
  if (!request.is_object()) {
    send(error_message(Reply::error("QMP input must be a JSON object"), nullptr));
    return;
  }
  const Json* id = nullptr;
  if (auto found = request.find("id"); found != request.end()) id = &*found;

  // Members, in the order they came.
  const Json* execute = nullptr;
  const Json* arguments = nullptr;
  for (auto member = request.begin(); member != request.end(); ++member) {
    const std::string& key = member.key();
    if (key == "execute") {
      if (!member->is_string()) {
        send(error_message(Reply::error("QMP input member 'execute' must be a string"), id));
        return;
      }
      execute = &*member;
    } else if (key == "arguments") {
      if (!member->is_object()) {
        send(error_message(Reply::error("QMP input member 'arguments' must be an object"), id));
        return;
      }
      arguments = &*member;
    } else if (key != "id") {
      // exec-oob too: it exists only when the oob capability is on.
      send(error_message(Reply::error("QMP input member '" + key + "' is unexpected"), id));
      return;
    }
  }
  if (execute == nullptr) {
    send(error_message(Reply::error("QMP input lacks member 'execute'"), id));
    return;
  }
  const std::string& name = execute->get_ref<const std::string&>();
  const std::vector<CommandSpec>& table = negotiated_ ? commands() : negotiation_commands();
  auto command = std::find_if(table.begin(), table.end(), [&](const CommandSpec& spec) { return spec.name == name; });
  if (command == table.end()) {
    // Before negotiation QEMU replaces every CommandNotFound with a hint.
    send(error_message(Reply::error(negotiated_ ? "The command " + name + " has not been found"
                                                : "Expecting capabilities negotiation with 'qmp_capabilities'",
                                    "CommandNotFound"),
                       id));
    return;
  }
  static const Json kNoArguments = Json::object();
  const Json& argument_values = arguments != nullptr ? *arguments : kNoArguments;
  if (std::string error = check_arguments(*command, argument_values); !error.empty()) {
    send(error_message(Reply::error(error), id));
    return;
  }
  const Reply reply = command->handler(*this, argument_values);
  if (!reply.error_class.empty()) {
    send(error_message(reply, id));
    return;
  }
  Json response = Json::object();
  response["return"] = reply.value;
  if (id != nullptr) response["id"] = *id;
  send(response);
  if (command->handler == quit) quitting_ = true;
}

}  // namespace emu::monitor
