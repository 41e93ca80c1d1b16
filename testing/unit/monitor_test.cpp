// Unit tests for the monitors (QMP, HMP), the JSON stream they read, the
// debug memory reads behind x/xp, and the socket and mux chardevs.
//
// Expected texts marked "QEMU 7.2" were captured from Debian's
// qemu-system-riscv64 7.2 (-M virt -bios none -S) with the same input; the
// fake machine's boot ROM holds the same bytes as QEMU's reset vector, so
// x/xp dumps must match QEMU's output byte for byte.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "emu/chardev/mux_chardev.h"
#include "emu/chardev/socket_chardev.h"
#include "emu/chardev/chardev_factory.h"
#include "emu/core/device.h"
#include "emu/core/physical_bus.h"
#include "emu/monitor/debug_memory.h"
#include "emu/monitor/hmp.h"
#include "emu/monitor/machine_control.h"
#include "emu/monitor/monitor_hub.h"
#include "emu/monitor/qmp_json.h"
#include "emu/monitor/qmp_server.h"
#include "emu/target/riscv/hart.h"

namespace emu::monitor {
namespace {

// ---- fixtures ----

class ZeroTime : public riscv::TimeSource {
 public:
  uint64_t mtime() const override { return 0; }
};

// Counts reads, so tests can prove the monitor never touches devices.
class CountingDevice : public Device {
 public:
  std::string_view name() const override { return "serial"; }
  uint64_t read(uint64_t, unsigned) override {
    ++reads;
    return 0x5a;
  }
  void write(uint64_t, uint64_t, unsigned) override {}
  void reset() override {}
  void save(StateWriter&) const override {}
  void load(StateReader&) override {}
  int reads = 0;
};

// QEMU 7.2's virt reset vector with -bios none (the first 80 bytes of its
// boot ROM at 0x1000).
const uint8_t kQemuResetVector[80] = {
    0x97, 0x02, 0x00, 0x00, 0x13, 0x86, 0x82, 0x02, 0x73, 0x25, 0x40, 0xf1, 0x83, 0xb5, 0x02, 0x02,
    0x83, 0xb2, 0x82, 0x01, 0x67, 0x80, 0x02, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xe0, 0x87, 0x00, 0x00, 0x00, 0x00, 0x4f, 0x53, 0x42, 0x49, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 0x40000;

// A machine as the board will present it: events go through the hub the
// way the board emits them.
class FakeMachine : public MachineControl {
 public:
  explicit FakeMachine(unsigned harts = 2) {
    rom = bus_.map_rom(0x1000, 0xf000, "riscv_virt_board.mrom");
    std::memcpy(rom, kQemuResetVector, sizeof kQemuResetVector);
    bus_.map_device(0x10000000, 0x100, &device);
    ram = bus_.map_ram(kRamBase, kRamSize, "riscv_virt_board.ram");
    for (unsigned i = 0; i < harts; ++i) {
      harts_.push_back(std::make_unique<riscv::Hart>(bus_, i, time_));
      harts_.back()->reset(0x1000);
    }
  }

  RunState run_state() const override { return state; }
  unsigned hart_count() const override { return static_cast<unsigned>(harts_.size()); }
  const riscv::Hart& hart(unsigned index) const override { return *harts_.at(index); }
  riscv::Hart& mutable_hart(unsigned index) { return *harts_.at(index); }
  const PhysicalBus& bus() const override { return bus_; }
  std::string name() const override { return vm_name; }
  std::vector<ChardevInfo> chardevs() const override {
    return {{"compat_monitor0", "unix:/tmp/q.sock,server=on", true}, {"serial0", "stdio", true}};
  }
  int64_t host_thread_id(unsigned index) const override { return 4242 + index; }

  void stop() override {
    if (state != RunState::Running) return;
    state = RunState::Paused;
    if (hub) hub->emit_event("STOP");
  }
  bool cont(std::string& error) override {
    if (state == RunState::Shutdown) {
      error = "Resetting the Virtual Machine is required";
      return false;
    }
    if (state == RunState::Running) return true;
    state = RunState::Running;
    if (hub) hub->emit_event("RESUME");
    return true;
  }
  void request_system_reset() override { ++resets; }
  void request_system_powerdown() override { ++powerdowns; }
  void request_quit() override {
    ++quits;
    if (hub) hub->emit_event("SHUTDOWN", Json{{"guest", false}, {"reason", "host-qmp-quit"}});
  }

  RunState state = RunState::Prelaunch;
  MonitorHub* hub = nullptr;
  int resets = 0, powerdowns = 0, quits = 0;
  std::string vm_name;
  CountingDevice device;
  uint8_t* rom = nullptr;
  uint8_t* ram = nullptr;

 private:
  ZeroTime time_;
  PhysicalBus bus_;
  std::vector<std::unique_ptr<riscv::Hart>> harts_;
};

class MemoryFiles : public HostFiles {
 public:
  class File : public Output {
   public:
    explicit File(std::string& contents) : contents_(contents) {}
    bool write(const void* data, size_t length) override {
      contents_.append(static_cast<const char*>(data), length);
      return true;
    }

   private:
    std::string& contents_;
  };
  std::unique_ptr<Output> create(const std::string& path, std::string& error) override {
    if (path.rfind("/nonexistent/", 0) == 0) {
      error = "No such file or directory";
      return nullptr;
    }
    files[path].clear();
    return std::make_unique<File>(files[path]);
  }
  std::map<std::string, std::string> files;
};

class StringConnection : public MonitorConnection {
 public:
  void send(std::string_view bytes) override { text.append(bytes); }
  std::string take() { return std::exchange(text, {}); }
  std::string text;
};

MonitorOptions test_options(MemoryFiles* files, JsonStreamLimits limits = {}) {
  MonitorOptions options;
  options.clock = [] { return EventTimestamp{1795507758, 37015}; };
  options.files = files;
  options.json_limits = limits;
  return options;
}

class QmpTest : public ::testing::Test {
 protected:
  explicit QmpTest(JsonStreamLimits limits = {}) : hub(machine, test_options(&files, limits)), session(hub, connection) {
    machine.hub = &hub;
    session.start();
    greeting = connection.take();
  }

  // Sends text, returns everything the session wrote back.
  std::string exchange(std::string_view text) {
    session.receive(text);
    return connection.take();
  }
  void negotiate() { ASSERT_EQ(exchange(R"({"execute":"qmp_capabilities"})"), "{\"return\": {}}\r\n"); }

  FakeMachine machine;
  MemoryFiles files;
  MonitorHub hub;
  StringConnection connection;
  QmpSession session;
  std::string greeting;
};

// ---- QMP: protocol ----

TEST_F(QmpTest, GreetingHasQemuShapeAndNoCapabilities) {
  EXPECT_EQ(greeting,
            "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": "
            "\"emu-0.1.0\"}, \"capabilities\": []}}\r\n");
}

TEST_F(QmpTest, CommandsBeforeNegotiationFailWithQemuText) {
  const std::string expected =
      "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities negotiation with "
      "'qmp_capabilities'\"}}\r\n";  // QEMU 7.2
  EXPECT_EQ(exchange(R"({"execute":"query-status"})"), expected);
  EXPECT_EQ(exchange(R"({"execute":"no-such-command"})"), expected);
  EXPECT_EQ(machine.state, RunState::Prelaunch);
}

TEST_F(QmpTest, NegotiationEchoesIdAndCannotBeRepeated) {
  EXPECT_EQ(exchange(R"({"execute":"qmp_capabilities","id":[1,{"a":2}]})"),
            "{\"return\": {}, \"id\": [1, {\"a\": 2}]}\r\n");  // QEMU 7.2
  EXPECT_EQ(exchange(R"({"execute":"qmp_capabilities","id":5})"),
            "{\"id\": 5, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Capabilities negotiation is "
            "already complete, command ignored\"}}\r\n");  // QEMU 7.2
}

TEST_F(QmpTest, OobCannotBeEnabledBecauseItIsNotOffered) {
  EXPECT_EQ(exchange(R"({"execute":"qmp_capabilities","arguments":{"enable":["oob"]}})"),
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Capability 'oob' not available\"}}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"qmp_capabilities","arguments":{"enable":["foo"]}})"),
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'null' does not accept value "
            "'foo'\"}}\r\n");  // QEMU 7.2's wording
  EXPECT_FALSE(session.negotiated());
  negotiate();
  EXPECT_TRUE(session.negotiated());
}

TEST_F(QmpTest, IdsAreEchoedVerbatim) {
  negotiate();
  const auto status_with = [](std::string id) {
    return "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, \"id\": " + id + "}\r\n";
  };
  // The right-hand texts are QEMU 7.2's replies to the same requests.
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":"x"})"), status_with("\"x\""));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":null})"), status_with("null"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":1.5e3})"), status_with("1500"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":0.1})"), status_with("0.10000000000000001"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":-0})"), status_with("0"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":18446744073709551615})"), status_with("18446744073709551615"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":18446744073709551616})"), status_with("1.8446744073709552e+19"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":-9223372036854775809})"), status_with("-9.2233720368547758e+18"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":{}})"), status_with("{}"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":"\u00e9\ud83d\ude00"})"), status_with(R"("\u00E9\uD83D\uDE00")"));
  EXPECT_EQ(exchange("{\"execute\":\"query-status\",\"id\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}"),
            status_with(R"("\u00E9\u20AC\uD83D\uDE00")"));
  EXPECT_EQ(exchange("{\"execute\":\"query-status\",\"id\":\"\xc0\x80\"}"), status_with(R"("\u0000")"));
  EXPECT_EQ(exchange("{\"execute\":\"query-status\",\"id\":\"a\x7f" "b\"}"), status_with(R"("a\u007Fb")"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":"\/\b\f\n\r\t\'"})"), status_with(R"("/\b\f\n\r\t'")"));
  EXPECT_EQ(exchange(R"({'execute':'query-status','id':'a"b'})"), status_with(R"("a\"b")"));
}

TEST_F(QmpTest, RequestShapeErrorsUseQemuTexts) {
  negotiate();
  const auto generic = [](std::string desc, std::string id = "") {
    return "{" + (id.empty() ? "" : "\"id\": " + id + ", ") + "\"error\": {\"class\": \"GenericError\", \"desc\": \"" +
           desc + "\"}}\r\n";
  };
  EXPECT_EQ(exchange("[1,2]"), generic("QMP input must be a JSON object"));
  EXPECT_EQ(exchange(R"("hello")"), generic("QMP input must be a JSON object"));
  EXPECT_EQ(exchange(R"({"execute":5})"), generic("QMP input member 'execute' must be a string"));
  EXPECT_EQ(exchange(R"({"exec":"query-status"})"), generic("QMP input member 'exec' is unexpected"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":1,"extra":2})"),
            generic("QMP input member 'extra' is unexpected", "1"));
  EXPECT_EQ(exchange(R"({"exec-oob":"query-status","id":11})"), generic("QMP input member 'exec-oob' is unexpected", "11"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","arguments":[1]})"),
            generic("QMP input member 'arguments' must be an object"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","arguments":null})"),
            generic("QMP input member 'arguments' must be an object"));
  EXPECT_EQ(exchange("{}"), generic("QMP input lacks member 'execute'"));
  EXPECT_EQ(exchange(R"({"id":12})"), generic("QMP input lacks member 'execute'", "12"));
  EXPECT_EQ(exchange(R"({"execute":"foo"})"),
            "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command foo has not been found\"}}\r\n");
}

TEST_F(QmpTest, ArgumentsAreCheckedAgainstTheSchema) {
  negotiate();
  const auto generic = [](std::string desc) {
    return "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" + desc + "\"}}\r\n";
  };
  // All QEMU 7.2 texts.
  EXPECT_EQ(exchange(R"({"execute":"query-status","arguments":{"x":1}})"), generic("Parameter 'x' is unexpected"));
  EXPECT_EQ(exchange(R"({"execute":"human-monitor-command"})"), generic("Parameter 'command-line' is missing"));
  for (const char* bad : {"5", "null", "[\"x\"]", "{}"}) {
    EXPECT_EQ(exchange(std::string(R"({"execute":"human-monitor-command","arguments":{"command-line":)") + bad + "}}"),
              generic("Invalid parameter type for 'command-line', expected: string"))
        << bad;
  }
  EXPECT_EQ(exchange(R"({"execute":"pmemsave","arguments":{"size":1}})"), generic("Parameter 'val' is missing"));
  EXPECT_EQ(exchange(R"({"execute":"pmemsave","arguments":{"val":4096,"size":1}})"),
            generic("Parameter 'filename' is missing"));
  EXPECT_EQ(exchange(R"({"execute":"memsave","arguments":{"val":4096,"size":"x","filename":"a"}})"),
            generic("Invalid parameter type for 'size', expected: integer"));
  for (const char* bad : {"1.5", "true", "\"4096\"", "18446744073709551615"}) {
    EXPECT_EQ(exchange(std::string(R"({"execute":"memsave","arguments":{"val":)") + bad + R"(,"size":1,"filename":"a"}})"),
              generic("Invalid parameter type for 'val', expected: integer"))
        << bad;
  }
  EXPECT_EQ(exchange(R"({"execute":"stop","arguments":{}})"), "{\"return\": {}}\r\n");
  EXPECT_TRUE(files.files.empty());
}

// ---- QMP: malformed input, pipelining, limits ----

TEST_F(QmpTest, MalformedJsonIsReportedAndTheSessionContinues) {
  negotiate();
  const auto parse_error = [](std::string what) {
    return "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, " + what + "\"}}\r\n";
  };
  const std::string status_3 =
      "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, \"id\": 3}\r\n";
  // Each right-hand side is QEMU 7.2's complete answer to the left.
  EXPECT_EQ(exchange("{bad}"), parse_error("invalid keyword 'bad'"));
  EXPECT_EQ(exchange("]"), parse_error("expecting value"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":2])"), parse_error("expected separator in dict"));
  EXPECT_EQ(exchange(R"({"execute" "x"})"), parse_error("missing : in object pair"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":4,})"), parse_error("expecting value"));
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":10, "execute":"query-name"})"), parse_error("duplicate key"));
  EXPECT_EQ(exchange(R"({"a":"\x"})"), parse_error("invalid escape sequence in string"));
  EXPECT_EQ(exchange(R"({"a":"\u00"})"), parse_error("\\\\u00\\\" is not a valid Unicode character"));
  EXPECT_EQ(exchange(R"({"a":"\ud800"})"), parse_error("\\\\ud800 is not a valid Unicode character"));
  EXPECT_EQ(exchange(R"({"a":"\udc00x"})"), parse_error("\\\\udc00 is not a valid Unicode character"));
  EXPECT_EQ(exchange("{\"a\":\"\xed\xa0\x80\"}"), parse_error("invalid UTF-8 sequence in string"));
  EXPECT_EQ(exchange(R"({"id":tru})"), parse_error("invalid keyword 'tru'"));
  EXPECT_EQ(exchange(R"({"id":1.})"), parse_error("stray '1.}'"));
  EXPECT_EQ(exchange(R"({"id":-})"), parse_error("stray '-}'"));
  EXPECT_EQ(exchange(R"({"id":1e})"), parse_error("stray '1e}'"));
  EXPECT_EQ(exchange(R"({"id":01})"), parse_error("stray '01'") + parse_error("expecting value"));
  EXPECT_EQ(exchange("{\"a\":\"x\ty\"}"), parse_error("stray '\\\"x\\t'") + parse_error("expecting value"));
  // Lexical errors resynchronise at a structural character or a control
  // character other than tab, not at spaces or quotes.
  EXPECT_EQ(exchange(R"(@ab"c"{"execute":"query-status","id":3})"), parse_error("stray '@'") + status_3);
  EXPECT_EQ(exchange(R"(@ab 1 {"execute":"query-status","id":3})"), parse_error("stray '@'") + status_3);
  EXPECT_EQ(exchange("@ab\t1 {\"execute\":\"query-status\",\"id\":3}"), parse_error("stray '@'") + status_3);
  EXPECT_EQ(exchange("@ab\n1 {\"execute\":\"query-status\",\"id\":3}"),
            parse_error("stray '@'") +
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}\r\n" + status_3);
  EXPECT_EQ(exchange(R"(@ab:{"execute":"query-status","id":3})"),
            parse_error("stray '@'") + parse_error("expecting value") + status_3);
  EXPECT_EQ(exchange(R"({"id":True}{"execute":"query-status","id":3})"),
            parse_error("stray 'T'") + parse_error("expecting value") + status_3);
  EXPECT_EQ(exchange("\xff{\"execute\":\"query-status\",\"id\":3}"), parse_error("stray '\\uFFFD'") + status_3);
  EXPECT_EQ(exchange(std::string(1, '\0') + R"({"execute":"query-status","id":3})"), parse_error("stray ''") + status_3);
  EXPECT_EQ(exchange("abc{\"execute\":\"query-status\",\"id\":3}"), parse_error("invalid keyword 'abc'") + status_3);
}

TEST_F(QmpTest, ObjectsSplitAcrossReadsAndPipelinedRequests) {
  negotiate();
  // An unfinished object waits for the rest.
  EXPECT_EQ(exchange(R"({"execute":"query-status")"), "");
  EXPECT_EQ(exchange(R"(,"id":"late"})"),
            "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, \"id\": \"late\"}\r\n");
  // Several requests in one read are answered in order.
  EXPECT_EQ(exchange(R"({"execute":"query-status","id":1}{"execute":"query-name","id":2} {"execute":"query-kvm","id":3})"),
            "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, \"id\": 1}\r\n"
            "{\"return\": {}, \"id\": 2}\r\n"
            "{\"return\": {\"enabled\": false, \"present\": false}, \"id\": 3}\r\n");
  // Byte-at-a-time delivery gives the same answers.
  const std::string requests = R"({"execute":"query-target","id":[1]}  {"execute":"stop"}{bad})";
  std::string whole = exchange(requests);
  std::string pieces;
  for (char c : requests) pieces += exchange(std::string(1, c));
  EXPECT_EQ(pieces, whole);
  EXPECT_NE(whole.find("\"arch\": \"riscv64\""), std::string::npos);
  // A top-level scalar is complete only when the next byte ends it (QEMU too).
  EXPECT_EQ(exchange("true"), "");
  EXPECT_EQ(exchange(" "), "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}\r\n");
}

class QmpLimitTest : public QmpTest {
 protected:
  QmpLimitTest() : QmpTest(JsonStreamLimits{256, 64, 8}) {}
};

TEST_F(QmpLimitTest, OversizeMessagesGetOneErrorAndTheStreamRecovers) {
  negotiate();
  const std::string after = R"({"execute":"query-name","id":"after"})";
  const std::string after_reply = "{\"return\": {}, \"id\": \"after\"}\r\n";
  const auto error = [](std::string desc) {
    return "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" + desc + "\"}}\r\n";
  };
  // A long string.
  EXPECT_EQ(exchange(R"({"execute":"query-name","id":")" + std::string(1000, 'a') + "\"}" + after),
            error("JSON token size limit exceeded") + after_reply);
  // Deep nesting (QEMU's message; QEMU then also reports every leftover bracket).
  EXPECT_EQ(exchange(std::string(20, '[') + std::string(20, ']') + after),
            error("JSON nesting depth limit exceeded") + after_reply);
  EXPECT_EQ(exchange("{\"a\":" + std::string(20, '[') + std::string(20, ']') + "}" + after),
            error("JSON nesting depth limit exceeded") + after_reply);
  // Many tokens.
  std::string many = "[";
  for (int i = 0; i < 100; ++i) many += "1,";
  many += "1]";
  EXPECT_EQ(exchange(many + after), error("JSON token count limit exceeded") + after_reply);
  // A huge top-level string is one token: rejected, then the stream goes on.
  EXPECT_EQ(exchange("\"" + std::string(5000, 'b') + "\"" + after), error("JSON token size limit exceeded") + after_reply);
  // A lexical error ends skipping even if the oversize message never closes.
  EXPECT_EQ(exchange(std::string(20, '{') + "\x01" + after),
            error("JSON nesting depth limit exceeded") + error("JSON parse error, stray '\\u0001'") + after_reply);
}

TEST(JsonStream, MemoryStaysBoundedUnderEndlessInput) {
  // A message that never ends must not make the parser hold more than the limit.
  JsonStreamParser parser(JsonStreamLimits{1024, 1000, 16});
  int errors = 0;
  const auto sink = [&](JsonStreamParser::Result result) { errors += result.error.empty() ? 0 : 1; };
  parser.feed("{\"a\":\"", sink);
  for (int i = 0; i < 1000; ++i) parser.feed(std::string(1000, 'x'), sink);
  EXPECT_EQ(errors, 1);
  std::vector<Json> values;
  parser.feed("\"} [1,2]", [&](JsonStreamParser::Result result) {
    if (result.error.empty()) values.push_back(result.value);
  });
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0], Json::array({1, 2}));
}

TEST(JsonStream, NumbersKeepTheirKind) {
  JsonStreamParser parser;
  std::vector<Json> values;
  parser.feed("[1, -1, 9223372036854775807, 9223372036854775808, -9223372036854775809, 1.0, 1e2] ",
              [&](JsonStreamParser::Result result) { values.push_back(result.value); });
  ASSERT_EQ(values.size(), 1u);
  const Json& array = values[0];
  EXPECT_TRUE(array[0].is_number_integer() && !array[0].is_number_unsigned());
  EXPECT_EQ(array[2].get<int64_t>(), INT64_MAX);
  EXPECT_TRUE(array[3].is_number_unsigned());
  EXPECT_EQ(array[3].get<uint64_t>(), uint64_t{1} << 63);
  EXPECT_TRUE(array[4].is_number_float());
  EXPECT_TRUE(array[5].is_number_float());
  EXPECT_EQ(serialize_qmp(array), "[1, -1, 9223372036854775807, 9223372036854775808, -9.2233720368547758e+18, 1, 100]");
}

// ---- QMP: commands ----

TEST_F(QmpTest, QueryCommandsReplyShapes) {
  negotiate();
  machine.vm_name = "testvm";
  EXPECT_EQ(exchange(R"({"execute":"query-version"})"),
            "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"emu-0.1.0\"}}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"query-name"})"), "{\"return\": {\"name\": \"testvm\"}}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"query-target"})"), "{\"return\": {\"arch\": \"riscv64\"}}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"query-kvm"})"), "{\"return\": {\"enabled\": false, \"present\": false}}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"query-block"})"), "{\"return\": []}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"query-chardev"})"),
            "{\"return\": [{\"frontend-open\": true, \"filename\": \"unix:/tmp/q.sock,server=on\", \"label\": "
            "\"compat_monitor0\"}, {\"frontend-open\": true, \"filename\": \"stdio\", \"label\": \"serial0\"}]}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"query-cpus-fast"})"),
            "{\"return\": [{\"thread-id\": 4242, \"props\": {\"core-id\": 0}, \"qom-path\": \"/machine/soc0/harts[0]\", "
            "\"cpu-index\": 0, \"target\": \"riscv64\"}, {\"thread-id\": 4243, \"props\": {\"core-id\": 1}, "
            "\"qom-path\": \"/machine/soc0/harts[1]\", \"cpu-index\": 1, \"target\": \"riscv64\"}]}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"query-machines"})"),
            "{\"return\": [{\"hotpluggable-cpus\": false, \"name\": \"virt\", \"numa-mem-supported\": true, "
            "\"default-cpu-type\": \"rv64-riscv-cpu\", \"is-default\": true, \"cpu-max\": 8, \"deprecated\": false, "
            "\"default-ram-id\": \"riscv_virt_board.ram\"}]}\r\n");
  const std::string commands = exchange(R"({"execute":"query-commands"})");
  for (const std::string& name : qmp_command_names()) {
    EXPECT_NE(commands.find("{\"name\": \"" + name + "\"}"), std::string::npos) << name;
  }
  EXPECT_EQ(qmp_command_names().size(), 24u);
}

TEST_F(QmpTest, StopContEmitEventsBeforeTheReply) {
  // No events before negotiation.
  machine.state = RunState::Running;
  hub.emit_event("STOP");
  EXPECT_EQ(connection.take(), "");
  machine.state = RunState::Prelaunch;
  negotiate();
  EXPECT_EQ(exchange(R"({"execute":"cont","id":"c"})"),
            "{\"timestamp\": {\"seconds\": 1795507758, \"microseconds\": 37015}, \"event\": \"RESUME\"}\r\n"
            "{\"return\": {}, \"id\": \"c\"}\r\n");  // QEMU 7.2's shape and order
  EXPECT_EQ(exchange(R"({"execute":"cont","id":"c2"})"), "{\"return\": {}, \"id\": \"c2\"}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"query-status"})"),
            "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"stop","id":"s"})"),
            "{\"timestamp\": {\"seconds\": 1795507758, \"microseconds\": 37015}, \"event\": \"STOP\"}\r\n"
            "{\"return\": {}, \"id\": \"s\"}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"query-status"})"),
            "{\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}}\r\n");
  machine.state = RunState::Shutdown;
  EXPECT_EQ(exchange(R"({"execute":"cont"})"),
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Resetting the Virtual Machine is required\"}}\r\n");
}

TEST_F(QmpTest, ResetAndPowerdownAreRequestsAndBoardEventsReachEverySession) {
  negotiate();
  StringConnection second_connection;
  QmpSession second(hub, second_connection);
  second.start();
  second.receive(R"({"execute":"qmp_capabilities"})");
  second_connection.take();

  EXPECT_EQ(exchange(R"({"execute":"system_reset","id":"r"})"), "{\"return\": {}, \"id\": \"r\"}\r\n");
  EXPECT_EQ(machine.resets, 1);
  EXPECT_EQ(exchange(R"({"execute":"system_powerdown"})"), "{\"return\": {}}\r\n");
  EXPECT_EQ(machine.powerdowns, 1);
  // The board emits RESET when the queued input is delivered.
  hub.emit_event("RESET", Json{{"guest", false}, {"reason", "host-qmp-system-reset"}});
  const std::string reset =
      "{\"timestamp\": {\"seconds\": 1795507758, \"microseconds\": 37015}, \"event\": \"RESET\", \"data\": "
      "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}}\r\n";  // QEMU 7.2
  EXPECT_EQ(connection.take(), reset);
  EXPECT_EQ(second_connection.take(), reset);
}

TEST_F(QmpTest, QuitRepliesAndIgnoresTheRest) {
  negotiate();
  EXPECT_EQ(exchange(R"({"execute":"quit","id":"quit"}{"execute":"query-status"})"),
            "{\"timestamp\": {\"seconds\": 1795507758, \"microseconds\": 37015}, \"event\": \"SHUTDOWN\", \"data\": "
            "{\"guest\": false, \"reason\": \"host-qmp-quit\"}}\r\n"
            "{\"return\": {}, \"id\": \"quit\"}\r\n");  // QEMU 7.2
  EXPECT_EQ(machine.quits, 1);
  EXPECT_EQ(exchange(R"({"execute":"query-status"})"), "");
}

TEST_F(QmpTest, HumanMonitorCommand) {
  negotiate();
  EXPECT_EQ(exchange(R"({"execute":"human-monitor-command","arguments":{"command-line":"info status"}})"),
            "{\"return\": \"VM status: paused (prelaunch)\\r\\n\"}\r\n");  // QEMU 7.2
  EXPECT_EQ(exchange(R"({"execute":"human-monitor-command","arguments":{"command-line":""}})"), "{\"return\": \"\"}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"human-monitor-command","arguments":{"command-line":"stop extra"}})"),
            "{\"return\": \"stop|s: extraneous characters at the end of line\\r\\nTry \\\"help stop\\\" for more "
            "information\\r\\n\"}\r\n");  // QEMU 7.2
  EXPECT_EQ(exchange(R"({"execute":"human-monitor-command","arguments":{"command-line":"info cpus","cpu-index":1}})"),
            "{\"return\": \"  CPU #0: thread_id=4242\\r\\n* CPU #1: thread_id=4243\\r\\n\"}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"human-monitor-command","arguments":{"command-line":"info status","cpu-index":7}})"),
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'cpu-index' expects a CPU number\"}}\r\n");
}

TEST_F(QmpTest, MemsaveAndPmemsave) {
  negotiate();
  EXPECT_EQ(exchange(R"({"execute":"pmemsave","arguments":{"val":4096,"size":16,"filename":"p.bin"}})"),
            "{\"return\": {}}\r\n");
  EXPECT_EQ(files.files["p.bin"], std::string(reinterpret_cast<const char*>(kQemuResetVector), 16));
  EXPECT_EQ(exchange(R"({"execute":"memsave","arguments":{"val":4096,"size":16,"filename":"v.bin","cpu-index":1}})"),
            "{\"return\": {}}\r\n");
  EXPECT_EQ(files.files["v.bin"], files.files["p.bin"]);
  // Unmapped virtual memory: QEMU 7.2's text.
  EXPECT_EQ(exchange(R"({"execute":"memsave","arguments":{"val":-1,"size":1,"filename":"a"}})"),
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid addr 0xffffffffffffffff/size 1 "
            "specified\"}}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"pmemsave","arguments":{"val":4096,"size":1,"filename":"/nonexistent/a"}})"),
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Could not open '/nonexistent/a': No such file or "
            "directory\"}}\r\n");
  EXPECT_EQ(exchange(R"({"execute":"memsave","arguments":{"val":4096,"size":1,"filename":"a","cpu-index":3}})"),
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'cpu-index' expects a CPU number\"}}\r\n");
  // Physical ranges without RAM/ROM are written as zeros; devices are not read.
  EXPECT_EQ(exchange(R"({"execute":"pmemsave","arguments":{"val":268435456,"size":8,"filename":"d.bin"}})"),
            "{\"return\": {}}\r\n");
  EXPECT_EQ(files.files["d.bin"], std::string(8, '\0'));
  EXPECT_EQ(machine.device.reads, 0);
  // A size that runs past all memory (QEMU 7.2 crashes on size -1).
  EXPECT_EQ(exchange(R"({"execute":"pmemsave","arguments":{"val":0,"size":-1,"filename":"h.bin"}})"),
            "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid addr 0x0000000000000000/size -1 "
            "specified\"}}\r\n");
}

// ---- HMP ----

class HmpTest : public ::testing::Test {
 protected:
  HmpTest() : hub(machine, test_options(&files)), interpreter(hub) { machine.hub = &hub; }
  std::string run(std::string_view line) { return interpreter.execute(line); }

  FakeMachine machine;
  MemoryFiles files;
  MonitorHub hub;
  HmpInterpreter interpreter;
};

TEST_F(HmpTest, MemoryDumpsMatchQemu) {
  // Run in this order: x/xp/p remember the last format and size.
  const std::pair<const char*, const char*> cases[] = {
      {"xp /8xb 0x1000", "0000000000001000: 0x97 0x02 0x00 0x00 0x13 0x86 0x82 0x02\n"},
      {"xp /4xw 0x1000", "0000000000001000: 0x00000297 0x02828613 0xf1402573 0x0202b583\n"},
      {"xp /2xg 0x1000", "0000000000001000: 0x0282861300000297 0x0202b583f1402573\n"},
      {"xp /3dh 0x1000", "0000000000001000:   663     0 34323\n"},
      {"xp /3uw 0x1000", "0000000000001000:        663   42108435 4047512947\n"},
      {"xp /3ow 0x1000", "0000000000001000:       01227  0240503023 036120022563\n"},
      {"xp /20c 0x1000",
       "0000000000001000: '\\x97' '\\x02' '\\x00' '\\x00' '\\x13' '\\x86' '\\x82' '\\x02' 's' '%' '@' '\\xf1' '\\x83' "
       "'\\xb5' '\\x02' '\\x02'\n"
       "0000000000001010: '\\x83' '\\xb2' '\\x82' '\\x01' 'g' '\\x80' '\\x02' '\\x00' '\\x00' '\\x00' '\\x00' '\\x80' "
       "'\\x00' '\\x00' '\\x00' '\\x00'\n"
       "0000000000001020: '\\x00' '\\x00' '\\xe0' '\\x87' '\\x00' '\\x00' '\\x00' '\\x00' 'O' 'S' 'B' 'I' '\\x00' "
       "'\\x00' '\\x00' '\\x00'\n"
       "0000000000001030: '\\x02' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' "
       "'\\x00' '\\x00' '\\x00' '\\x00' '\\x00'\n"
       "0000000000001040: '\\x01' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' '\\x00' "
       "'\\x00' '\\x00' '\\x00' '\\x00' '\\x00'\n"},
      {"xp 0x1000", "0000000000001000: '\\x97' '\\x02' '\\x00' '\\x00'\n"},
      {"xp /x 0x1000", "0000000000001000: 0x00000297\n"},
      {"xp /2 0x1000", "0000000000001000: 0x00000297 0x02828613\n"},
      {"xp /w 0x1000", "0000000000001000: 0x00000297\n"},
      {"xp /10xw 0x1000",
       "0000000000001000: 0x00000297 0x02828613 0xf1402573 0x0202b583\n"
       "0000000000001010: 0x0182b283 0x00028067 0x80000000 0x00000000\n"
       "0000000000001020: 0x87e00000 0x00000000\n"},
      {"xp /10xh 0x1000",
       "0000000000001000: 0x0297 0x0000 0x8613 0x0282 0x2573 0xf140 0xb583 0x0202\n"
       "0000000000001010: 0xb283 0x0182\n"},
      {"xp /17xb 0x1000",
       "0000000000001000: 0x97 0x02 0x00 0x00 0x13 0x86 0x82 0x02\n"
       "0000000000001008: 0x73 0x25 0x40 0xf1 0x83 0xb5 0x02 0x02\n"
       "0000000000001010: 0x83\n"},
      {"xp /5dg 0x1000",
       "0000000000001000:   180854351210742423   144877716322133363\n"
       "0000000000001010:      704129848750723           2147483648\n"
       "0000000000001020:           2279604224\n"},
      {"xp /3xg 0x0", "0000000000000000: Cannot access memory\n"},
      {"xp /3xw 0x1ffc", "0000000000001ffc: 0x00000000 0x00000000 0x00000000\n"},
      {"xp /3dw 0x1008", "0000000000001008: 4047512947   33731971   25342595\n"},
      {"xp /2dg 0x1008", "0000000000001008:   144877716322133363      704129848750723\n"},
      {"xp /3db 0x1008", "0000000000001008: 115  37  64\n"},
      {"xp /2ub 0x1008", "0000000000001008: 115  37\n"},
      {"xp /3ob 0x1000", "0000000000001000: 0227  02   0\n"},
      {"xp /3og 0x1000",
       "0000000000001000:  012024141140000001227  010025530176120022563\n"
       "0000000000001010:     024006340140531203\n"},
      {"xp /3ug 0x1000",
       "0000000000001000:   180854351210742423   144877716322133363\n"
       "0000000000001010:      704129848750723\n"},
      {"xp /3xL 0x1000",
       "0000000000001000: 0x0282861300000297 0x0202b583f1402573\n"
       "0000000000001010: 0x000280670182b283\n"},
      {"x /2xg 0x1000", "0000000000001000: 0x0282861300000297 0x0202b583f1402573\n"},
      {"x/2xw 0x1000 + 4", "0000000000001004: 0x02828613 0xf1402573\n"},
  };
  for (const auto& [command, expected] : cases) EXPECT_EQ(run(command), expected) << command;
}

TEST_F(HmpTest, DumpsNeverReadDevices) {
  EXPECT_EQ(run("xp /2xw 0x10000000"), "0000000010000000: Cannot access memory\n");
  EXPECT_EQ(run("xp /4i 0x10000000"), "0x0000000010000000:  Address 0x10000000 is out of bounds.\n");
  EXPECT_EQ(machine.device.reads, 0);
}

TEST_F(HmpTest, DisassemblyUsesQemuColumns) {
  EXPECT_EQ(run("xp /3i 0x1000"),
            "0x0000000000001000:  00000297          auipc                   t0,0x0\n"
            "0x0000000000001004:  02828613          addi                    a2,t0,40\n"
            "0x0000000000001008:  f1402573          csrrs                   a0,mhartid,zero\n");
  // A compressed instruction (c.li a0,5 = 0x4515) and an unknown word.
  machine.ram[0] = 0x15;
  machine.ram[1] = 0x45;
  std::memset(machine.ram + 2, 0, 4);
  EXPECT_EQ(run("xp /2i 0x80000000"),
            "0x0000000080000000:  4515              c.li                    a0,5\n"
            "0x0000000080000002:  0000              .2byte                  0x0\n");
  // x /i uses the current CPU's pc in expressions.
  machine.mutable_hart(0).pc = 0x1004;
  EXPECT_EQ(run("x/1i $pc"), "0x0000000000001004:  02828613          addi                    a2,t0,40\n");
}

TEST_F(HmpTest, PrintFollowsQemu) {
  // The sequences QEMU 7.2 was given, with its answers (formats carry over).
  const std::pair<const char*, const char*> cases[] = {
      {"p 10", "0xa\n"},
      {"p/d 0x10", "16\n"},
      {"p/x 0x10", "0x10\n"},
      {"p 1+2*3", "0x7\n"},
      {"p (1+2)*3", "0x9\n"},
      {"p 10/3", "0x3\n"},
      {"p 10%3", "0x1\n"},
      {"p -1", "0xffffffffffffffff\n"},
      {"p/u -1", "18446744073709551615\n"},
      {"p/o 8", "010\n"},
      {"p/c 65", "'A'\n"},
      {"p/t 5", "invalid char in format: 't'\nTry \"help p\" for more information\n"},
      {"p", "unexpected end of expression\nTry \"help p\" for more information\n"},
      {"xp", "unexpected end of expression\nTry \"help xp\" for more information\n"},
      {"xp /z 0x1000", "invalid char in format: 'z'\nTry \"help xp\" for more information\n"},
      {"p/x 1 - 2", "0xffffffffffffffff\n"},
      {"p 0x7fffffffffffffff + 1", "0x8000000000000000\n"},
      {"p/d 0x8000000000000000", "-9223372036854775808\n"},
      {"p 1 << 3", "print|p: extraneous characters at the end of line\nTry \"help p\" for more information\n"},
      {"p 5 & 3", "1\n"},
      {"p 5 | 3", "7\n"},
      {"p 5 ^ 3", "6\n"},
      {"p ~0", "-1\n"},
      {"p 2 + ", "unexpected end of expression\nTry \"help p\" for more information\n"},
      {"p 010", "8\n"},
      {"p 1g", "print|p: extraneous characters at the end of line\nTry \"help p\" for more information\n"},
      {"p -(2)", "-2\n"},
      {"p 4096/0", "division by zero\nTry \"help p\" for more information\n"},
      {"p \"x\"", "invalid char '\"' in expression\nTry \"help p\" for more information\n"},
      {"p 2 + 3 * 4 & 6", "6\n"},  // & binds tighter than +, looser than *
      {"p 'A' + 1", "66\n"},
      {"p 99999999999999999999", "number too large\nTry \"help p\" for more information\n"},
      {"p/x 0", "0\n"},  // C's %#x of zero
      {"p/d -9223372036854775807 - 1 / -1", "-9223372036854775806\n"},
      {"p/d (-9223372036854775807 - 1) / -1", "-9223372036854775808\n"},
  };
  for (const auto& [command, expected] : cases) EXPECT_EQ(run(command), expected) << command;
}

TEST_F(HmpTest, RegistersInExpressions) {
  riscv::Hart& hart = machine.mutable_hart(0);
  hart.pc = 0x80001000;
  hart.x[10] = 42;
  hart.x[2] = 0x80004000;
  hart.csr.mstatus = 0xa00000088;
  EXPECT_EQ(run("p/x $pc"), "0x80001000\n");
  EXPECT_EQ(run("p/d $a0"), "42\n");
  EXPECT_EQ(run("p $x10 + $sp - 0x80004000"), "42\n");
  EXPECT_EQ(run("p/x $mstatus"), "0xa00000088\n");
  EXPECT_EQ(run("p $foo"), "unknown register\nTry \"help p\" for more information\n");
  EXPECT_EQ(run("cpu 1"), "");
  EXPECT_EQ(run("p/d $a0"), "0\n");
  EXPECT_EQ(run("p/d $mhartid"), "1\n");
  EXPECT_EQ(run("cpu 9"), "invalid CPU index\n");
}

TEST_F(HmpTest, InfoRegistersHasQemuLayout) {
  riscv::Hart& hart = machine.mutable_hart(1);
  hart.pc = 0x80000000;
  hart.x[1] = 0x1122334455667788;
  hart.x[31] = 0xffffffffffffffff;
  hart.f[10] = 0xffffffff3f800000;
  hart.csr.satp = 0x8000000000080001;
  hart.csr.mtvec = 0x80000100;
  // QEMU 7.2's riscv_cpu_dump_state for a hart without H or V (-cpu rv64,h=false).
  const std::string expected =
      "\nCPU#1\n"
      " pc       0000000080000000\n"
      " mhartid  0000000000000001\n"
      " mstatus  0000000a00000000\n"
      " mip      0000000000000000\n"
      " mie      0000000000000000\n"
      " mideleg  0000000000000000\n"
      " medeleg  0000000000000000\n"
      " mtvec    0000000080000100\n"
      " stvec    0000000000000000\n"
      " mepc     0000000000000000\n"
      " sepc     0000000000000000\n"
      " mcause   0000000000000000\n"
      " scause   0000000000000000\n"
      " mtval    0000000000000000\n"
      " stval    0000000000000000\n"
      " mscratch 0000000000000000\n"
      " sscratch 0000000000000000\n"
      " satp     8000000000080001\n"
      " x0/zero  0000000000000000 x1/ra    1122334455667788 x2/sp    0000000000000000 x3/gp    0000000000000000\n"
      " x4/tp    0000000000000000 x5/t0    0000000000000000 x6/t1    0000000000000000 x7/t2    0000000000000000\n"
      " x8/s0    0000000000000000 x9/s1    0000000000000000 x10/a0   0000000000000000 x11/a1   0000000000000000\n"
      " x12/a2   0000000000000000 x13/a3   0000000000000000 x14/a4   0000000000000000 x15/a5   0000000000000000\n"
      " x16/a6   0000000000000000 x17/a7   0000000000000000 x18/s2   0000000000000000 x19/s3   0000000000000000\n"
      " x20/s4   0000000000000000 x21/s5   0000000000000000 x22/s6   0000000000000000 x23/s7   0000000000000000\n"
      " x24/s8   0000000000000000 x25/s9   0000000000000000 x26/s10  0000000000000000 x27/s11  0000000000000000\n"
      " x28/t3   0000000000000000 x29/t4   0000000000000000 x30/t5   0000000000000000 x31/t6   ffffffffffffffff\n"
      " f0/ft0   0000000000000000 f1/ft1   0000000000000000 f2/ft2   0000000000000000 f3/ft3   0000000000000000\n"
      " f4/ft4   0000000000000000 f5/ft5   0000000000000000 f6/ft6   0000000000000000 f7/ft7   0000000000000000\n"
      " f8/fs0   0000000000000000 f9/fs1   0000000000000000 f10/fa0  ffffffff3f800000 f11/fa1  0000000000000000\n"
      " f12/fa2  0000000000000000 f13/fa3  0000000000000000 f14/fa4  0000000000000000 f15/fa5  0000000000000000\n"
      " f16/fa6  0000000000000000 f17/fa7  0000000000000000 f18/fs2  0000000000000000 f19/fs3  0000000000000000\n"
      " f20/fs4  0000000000000000 f21/fs5  0000000000000000 f22/fs6  0000000000000000 f23/fs7  0000000000000000\n"
      " f24/fs8  0000000000000000 f25/fs9  0000000000000000 f26/fs10 0000000000000000 f27/fs11 0000000000000000\n"
      " f28/ft8  0000000000000000 f29/ft9  0000000000000000 f30/ft10 0000000000000000 f31/ft11 0000000000000000\n";
  EXPECT_EQ(run("info registers 1"), expected);
  EXPECT_EQ(run("cpu 1"), "");
  EXPECT_EQ(run("info registers"), expected);
  const std::string all = run("info registers -a");
  EXPECT_EQ(all.substr(0, 7), "\nCPU#0\n");
  EXPECT_EQ(all.substr(all.size() - expected.size()), expected);
  EXPECT_EQ(run("info registers 5"), "CPU#5 not available\n");  // QEMU 7.2
  EXPECT_EQ(run("info registers x"), "invalid char 'x' in expression\nTry \"help info registers\" for more information\n");
  EXPECT_EQ(run("info registers -b"), "registers: unsupported option -b\nTry \"help info registers\" for more information\n");
}

TEST_F(HmpTest, InfoCommands) {
  EXPECT_EQ(run("info status"), "VM status: paused (prelaunch)\n");
  machine.state = RunState::Running;
  EXPECT_EQ(run("info status"), "VM status: running\n");
  machine.state = RunState::Paused;
  EXPECT_EQ(run("info status"), "VM status: paused\n");
  machine.state = RunState::Shutdown;
  EXPECT_EQ(run("info status"), "VM status: paused (shutdown)\n");
  EXPECT_EQ(run("info status extra"), "status: extraneous characters at the end of line\nTry \"help info status\" for more information\n");
  EXPECT_EQ(run("info cpus"), "* CPU #0: thread_id=4242\n  CPU #1: thread_id=4243\n");
  EXPECT_EQ(run("info chardev"), "compat_monitor0: filename=unix:/tmp/q.sock,server=on\nserial0: filename=stdio\n");
  EXPECT_EQ(run("info version"), "7.2.0emu-0.1.0\n");
  EXPECT_EQ(run("info name"), "");
  machine.vm_name = "testvm";
  EXPECT_EQ(run("info name"), "testvm\n");
  EXPECT_EQ(run("info kvm"), "kvm support: not compiled\n");
  EXPECT_EQ(run("info mtree"),
            "address-space: cpu-memory-0\n"
            "address-space: cpu-memory-1\n"
            "address-space: memory\n"
            "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
            "    0000000000001000-000000000000ffff (prio 0, rom): riscv_virt_board.mrom\n"
            "    0000000010000000-00000000100000ff (prio 0, i/o): serial\n"
            "    0000000080000000-000000008003ffff (prio 0, ram): riscv_virt_board.ram\n"
            "\n");
  EXPECT_EQ(run("info foo"), "unknown command: 'info foo'\n");
  const std::string list = run("info");
  EXPECT_EQ(list, run("help info"));
  EXPECT_NE(list.find("info status  -- show the current VM status (running|paused)\n"), std::string::npos);
}

TEST_F(HmpTest, CommandsHelpAndErrors) {
  EXPECT_EQ(run("foo"), "unknown command: 'foo'\n");  // QEMU 7.2
  EXPECT_EQ(run("foo bar"), "unknown command: 'foo'\n");
  EXPECT_EQ(run("   "), "");
  EXPECT_EQ(run("help stop"), "stop|s  -- stop emulation\n");
  EXPECT_EQ(run("help c"), "cont|c  -- resume emulation\n");
  EXPECT_EQ(run("help x"), "x /fmt addr -- virtual memory dump starting at 'addr'\n");
  EXPECT_EQ(run("help print"), "print|p /fmt expr -- print expression value (use $reg for CPU register access)\n");
  EXPECT_EQ(run("help pmemsave"), "pmemsave addr size file -- save to disk physical memory dump starting at 'addr' of size 'size'\n");
  EXPECT_EQ(run("help nonexistent"), "unknown command: 'nonexistent'\n");
  EXPECT_EQ(run("help info status"), "info status  -- show the current VM status (running|paused)\n");
  const std::string help = run("help");
  EXPECT_EQ(help.substr(0, help.find('\n') + 1), "cont|c  -- resume emulation\n");
  EXPECT_NE(help.find("xp /fmt addr -- physical memory dump starting at 'addr'\n"), std::string::npos);

  machine.state = RunState::Running;
  EXPECT_EQ(run("stop"), "");
  EXPECT_EQ(machine.state, RunState::Paused);
  EXPECT_EQ(run("c"), "");
  EXPECT_EQ(machine.state, RunState::Running);
  EXPECT_EQ(run("system_reset"), "");
  EXPECT_EQ(machine.resets, 1);
  EXPECT_EQ(run("system_powerdown"), "");
  EXPECT_EQ(machine.powerdowns, 1);
  EXPECT_EQ(run("q"), "");
  EXPECT_EQ(machine.quits, 1);
  EXPECT_TRUE(interpreter.quit_requested());
}

TEST_F(HmpTest, MemsaveSyntaxAndFiles) {
  EXPECT_EQ(run("pmemsave 0x1000 16 pms.bin"), "");
  EXPECT_EQ(files.files["pms.bin"], std::string(reinterpret_cast<const char*>(kQemuResetVector), 16));
  EXPECT_EQ(run("memsave 0x1000 16 \"quoted name.bin\""), "");
  EXPECT_EQ(files.files["quoted name.bin"], files.files["pms.bin"]);
  // QEMU's expression syntax swallows "16 / tmp": file names after an
  // expression must not start with an operator (QEMU 7.2 says the same).
  EXPECT_EQ(run("pmemsave 0x1000 16 /tmp/x.bin"), "invalid char 't' in expression\nTry \"help pmemsave\" for more information\n");
  EXPECT_EQ(run("pmemsave 0x1000 16"), "pmemsave: string expected\nTry \"help pmemsave\" for more information\n");
  EXPECT_EQ(run("memsave 0x0 16 ms0.bin"), "Error: Invalid addr 0x0000000000000000/size 16 specified\n");  // QEMU 7.2
  EXPECT_EQ(run("pmemsave 0 (-1) x.bin"), "'pmemsave' has failed: integer is for 32-bit values\nTry \"help pmemsave\" for more information\n");
}

// ---- virtual memory for x and memsave ----

TEST_F(HmpTest, VirtualReadsWalkSv39WithoutSideEffects) {
  // Root table at RAM+0x1000: a 4 KiB leaf for VA 0x40000000 -> RAM+0x3000
  // via a level-1 and a level-0 table, and a 1 GiB superpage for VA 0 ->
  // physical 0x80000000. No A or D bits set anywhere.
  const auto put64 = [&](uint64_t physical, uint64_t value) { std::memcpy(machine.ram + (physical - kRamBase), &value, 8); };
  const auto pte = [](uint64_t physical, uint64_t flags) { return (physical >> 12) << 10 | flags; };
  constexpr uint64_t V = 1, R = 2, W = 4, X = 8;
  const uint64_t root = kRamBase + 0x1000, level1 = kRamBase + 0x2000, level0 = kRamBase + 0x4000;
  put64(root + 8 * 1, pte(level1, V));                 // VA[38:30] = 1
  put64(level1 + 8 * 0, pte(level0, V));               // VA[29:21] = 0
  put64(level0 + 8 * 0, pte(kRamBase + 0x3000, V | R | W));  // VA[20:12] = 0
  put64(root + 8 * 2, pte(kRamBase, V | R | X));       // VA 0x80000000: 1 GiB superpage
  put64(root + 8 * 3, pte(kRamBase + 0x1000, V | R));  // misaligned superpage
  put64(kRamBase + 0x3000, 0x1122334455667788);
  riscv::Hart& hart = machine.mutable_hart(0);
  hart.csr.satp = (uint64_t{8} << 60) | (root >> 12);
  hart.privilege = riscv::Privilege::Supervisor;
  std::vector<uint8_t> before(machine.ram, machine.ram + kRamSize);

  EXPECT_EQ(translate_debug(hart, 0x40000008), kRamBase + 0x3008);
  EXPECT_EQ(translate_debug(hart, 0x80000010), kRamBase + 0x10);
  EXPECT_EQ(translate_debug(hart, 0xc0000000), std::nullopt);         // misaligned superpage
  EXPECT_EQ(translate_debug(hart, 0x40001000), std::nullopt);         // invalid PTE
  EXPECT_EQ(translate_debug(hart, 0x0000004000000000), std::nullopt);  // not sign-extended
  EXPECT_EQ(run("x /1xg 0x40000000"), "0000000040000000: 0x1122334455667788\n");
  EXPECT_EQ(run("x /1xg 0x40001000"), "0000000040001000: Cannot access memory\n");
  EXPECT_EQ(run("memsave 0x40000000 8 v.bin"), "");
  EXPECT_EQ(files.files["v.bin"], std::string("\x88\x77\x66\x55\x44\x33\x22\x11", 8));
  // A read crossing from a mapped page into an unmapped one fails as a whole.
  uint8_t buffer[16];
  EXPECT_FALSE(read_virtual_debug(hart, 0x40000ff8, buffer, sizeof buffer));
  EXPECT_TRUE(read_virtual_debug(hart, 0x40000ff8, buffer, 8));
  // Nothing changed: no A/D bits, no TLB entries.
  EXPECT_EQ(std::vector<uint8_t>(machine.ram, machine.ram + kRamSize), before);

  // M-mode sees physical addresses, unless MPRV selects S-mode for data.
  hart.privilege = riscv::Privilege::Machine;
  EXPECT_EQ(translate_debug(hart, 0x40000008), 0x40000008u);
  hart.csr.mstatus |= riscv::kMstatusMPRV | (uint64_t{1} << 11);  // MPP = S
  EXPECT_EQ(translate_debug(hart, 0x40000008), kRamBase + 0x3008);
}

TEST(DebugMemory, PhysicalReadsSpanRegionsButNotDevices) {
  FakeMachine machine(1);
  uint8_t buffer[8];
  EXPECT_TRUE(read_physical_debug(machine.bus(), 0x1000, buffer, 8));
  EXPECT_EQ(buffer[0], 0x97);
  EXPECT_FALSE(read_physical_debug(machine.bus(), 0xfffc, buffer, 8));      // runs off the ROM into nothing
  EXPECT_FALSE(read_physical_debug(machine.bus(), 0x10000000, buffer, 1));  // MMIO
  EXPECT_EQ(machine.device.reads, 0);
}

// ---- interactive HMP ----

TEST(HmpSessionTest, BannerPromptEchoAndLineEnds) {
  FakeMachine machine;
  MemoryFiles files;
  MonitorHub hub(machine, test_options(&files));
  StringConnection connection;
  HmpSession session(hub, connection);
  session.open();
  EXPECT_EQ(connection.take(), "QEMU 7.2.0 monitor - type 'help' for more information\r\n(qemu) ");
  session.receive("info status\r");
  EXPECT_EQ(connection.take(), "info status\r\nVM status: paused (prelaunch)\r\n(qemu) ");
  // CR LF is two line ends, as in QEMU's readline.
  session.receive("foo\r\n");
  EXPECT_EQ(connection.take(), "foo\r\nunknown command: 'foo'\r\n(qemu) \r\n(qemu) ");
  // Backspace, and an arrow key's escape sequence that is ignored.
  session.receive("info sx\x7f" "tat\x1b[Aus\n");
  EXPECT_EQ(connection.take(), "info sx\b \btatus\r\nVM status: paused (prelaunch)\r\n(qemu) ");
  session.focus_out();
  EXPECT_EQ(connection.take(), "\r\n");
  session.receive("partial");
  session.focus_in();
  EXPECT_EQ(connection.take(), "partial(qemu) ");
  session.receive("\r");  // the partial line was dropped on focus_in
  EXPECT_EQ(connection.take(), "\r\n(qemu) ");
  session.receive("quit\rinfo status\r");
  EXPECT_EQ(connection.take(), "quit\r\n");
  EXPECT_EQ(machine.quits, 1);
}

// ---- chardevs ----

class CapturingBackend : public Chardev {
 public:
  void write(std::span<const uint8_t> bytes) override { output.append(bytes.begin(), bytes.end()); }
  size_t poll_input(std::vector<uint8_t>& out) override {
    out.insert(out.end(), input.begin(), input.end());
    const size_t count = input.size();
    input.clear();
    return count;
  }
  std::string describe() const override { return "stdio"; }
  std::string input;
  std::string output;
};

TEST(MuxChardevTest, CtrlACSwitchesBetweenSerialAndMonitor) {
  CapturingBackend backend;
  int quits = 0;
  MuxChardev mux(backend, [&] { ++quits; });
  Chardev& serial = mux.add_frontend();
  Chardev& monitor = mux.add_frontend();
  std::vector<PeerEvent> events;
  dynamic_cast<PeerNotifier&>(monitor).set_peer_listener([&](PeerEvent event) { events.push_back(event); });
  EXPECT_TRUE(events.empty());  // the serial port has the focus first

  std::vector<uint8_t> serial_in, monitor_in;
  backend.input = "ab\x01\x01" "c\x01" "cinfo\r\x01" "c";
  serial.poll_input(serial_in);
  monitor.poll_input(monitor_in);
  EXPECT_EQ(std::string(serial_in.begin(), serial_in.end()), "ab\x01" "c");
  EXPECT_EQ(std::string(monitor_in.begin(), monitor_in.end()), "info\r");
  EXPECT_EQ(events, (std::vector<PeerEvent>{PeerEvent::Opened, PeerEvent::FocusOut}));
  EXPECT_EQ(mux.focus(), 0u);
  backend.input = "\x01" "c\x01" "z\x01h\x01x";
  serial.poll_input(serial_in);
  EXPECT_EQ(events.back(), PeerEvent::FocusIn);
  EXPECT_NE(backend.output.find("C-a c    switch between console and monitor\n\r"), std::string::npos);
  EXPECT_EQ(quits, 1);
  // Output from any frontend goes straight to the backend.
  backend.output.clear();
  const uint8_t hello[] = {'h', 'i'};
  serial.write(hello);
  monitor.write(hello);
  EXPECT_EQ(backend.output, "hihi");
}

TEST(MuxChardevTest, MonitorSessionOnAMux) {
  CapturingBackend backend;
  MuxChardev mux(backend, nullptr);
  Chardev& serial = mux.add_frontend();
  Chardev& monitor_port = mux.add_frontend();
  FakeMachine machine;
  MemoryFiles files;
  MonitorHub hub(machine, test_options(&files));
  hub.attach_hmp(monitor_port);
  EXPECT_EQ(backend.output, "");
  std::vector<uint8_t> serial_in;
  backend.input = "\x01" "c";
  serial.poll_input(serial_in);  // the machine loop polls the serial side first
  EXPECT_EQ(backend.output, "QEMU 7.2.0 monitor - type 'help' for more information\r\n(qemu) ");
  backend.output.clear();
  backend.input = "info status\r";
  serial.poll_input(serial_in);  // input for the monitor waits in its queue
  EXPECT_TRUE(serial_in.empty());
  EXPECT_TRUE(hub.poll());
  EXPECT_EQ(backend.output, "info status\r\nVM status: paused (prelaunch)\r\n(qemu) ");
  backend.output.clear();
  backend.input = "\x01" "c";
  hub.poll();
  EXPECT_EQ(backend.output, "\r\n");
  backend.output.clear();
  backend.input = "\x01" "c";
  hub.poll();
  EXPECT_EQ(backend.output, "(qemu) ");
}

std::string temporary_socket_path(const char* name) {
  return "/tmp/emu-monitor-test-" + std::to_string(::getpid()) + "-" + name + ".sock";
}

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string read_some(int fd) {
  std::string text;
  char buffer[4096];
  for (int attempt = 0; attempt < 200; ++attempt) {
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got > 0) {
      text.append(buffer, static_cast<size_t>(got));
      if (text.back() == '\n' || text.back() == ' ') return text;
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return text;
}

// Polls until the chardev sees a connection change or data.
size_t poll_until(SocketChardev& chardev, std::vector<uint8_t>& out, const std::function<bool()>& done) {
  size_t total = 0;
  for (int attempt = 0; attempt < 400 && !done(); ++attempt) {
    total += chardev.poll_input(out);
    if (!done()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return total;
}

TEST(SocketChardevTest, UnixServerOneClientAtATime) {
  const std::string path = temporary_socket_path("serial");
  SocketChardev::Options options = parse_socket_address("unix:" + path + ",server=on,wait=off");
  SocketChardev chardev(options);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(chardev.describe(), "disconnected:unix:" + path + ",server=on");  // QEMU 7.2
  std::vector<PeerEvent> events;
  chardev.set_peer_listener([&](PeerEvent event) { events.push_back(event); });
  const uint8_t dropped[] = {'x'};
  chardev.write(dropped);  // no client: dropped

  const int first = connect_unix(path);
  ASSERT_GE(first, 0);
  std::vector<uint8_t> input;
  poll_until(chardev, input, [&] { return !events.empty(); });
  EXPECT_EQ(events, std::vector<PeerEvent>{PeerEvent::Opened});
  EXPECT_EQ(chardev.describe(), "unix:" + path + ",server=on");
  ASSERT_EQ(::send(first, "hello", 5, 0), 5);
  poll_until(chardev, input, [&] { return input.size() >= 5; });
  EXPECT_EQ(std::string(input.begin(), input.end()), "hello");
  const uint8_t reply[] = {'o', 'k', '\n'};
  chardev.write(reply);
  EXPECT_EQ(read_some(first), "ok\n");

  // A second client waits until the first one leaves.
  const int second = connect_unix(path);
  ASSERT_GE(second, 0);
  ASSERT_EQ(::send(second, "two", 3, 0), 3);
  input.clear();
  for (int i = 0; i < 10; ++i) chardev.poll_input(input);
  EXPECT_TRUE(input.empty());
  EXPECT_EQ(events.size(), 1u);
  ::close(first);
  poll_until(chardev, input, [&] { return input.size() >= 3; });
  EXPECT_EQ(events, (std::vector<PeerEvent>{PeerEvent::Opened, PeerEvent::Closed, PeerEvent::Opened}));
  EXPECT_EQ(std::string(input.begin(), input.end()), "two");
  ::close(second);
}

TEST(SocketChardevTest, TcpServerAndClient) {
  SocketChardev server(parse_socket_address("tcp:127.0.0.1:0,server=on,wait=off,nodelay=on"));
  const uint16_t port = server.local_port();
  ASSERT_NE(port, 0);
  EXPECT_EQ(server.describe(), "disconnected:tcp:127.0.0.1:0,server=on");
  SocketChardev client(socket_options_from_properties(
      {{"id", "c"}, {"host", "127.0.0.1"}, {"port", std::to_string(port)}, {"server", "off"}}));
  EXPECT_TRUE(client.connected());
  std::vector<uint8_t> input;
  poll_until(server, input, [&] { return server.connected(); });
  ASSERT_TRUE(server.connected());
  EXPECT_EQ(server.describe().rfind("tcp:127.0.0.1:" + std::to_string(port) + ",server=on <-> 127.0.0.1:", 0), 0u);
  const uint8_t ping[] = {'p', 'i', 'n', 'g'};
  client.write(ping);
  poll_until(server, input, [&] { return input.size() >= 4; });
  EXPECT_EQ(std::string(input.begin(), input.end()), "ping");
}

TEST(SocketChardevTest, OptionParsing) {
  SocketChardev::Options options = parse_socket_address("tcp::4444,server,nowait");
  EXPECT_EQ(options.family, SocketChardev::Options::Family::Tcp);
  EXPECT_EQ(options.host, "");
  EXPECT_EQ(options.port, "4444");
  EXPECT_TRUE(options.server);
  EXPECT_FALSE(options.wait);
  options = parse_socket_address("tcp:[::1]:5555");
  EXPECT_EQ(options.host, "::1");
  EXPECT_FALSE(options.server);
  options = socket_options_from_properties({{"id", "x"}, {"path", "/tmp/a"}, {"server", "on"}, {"wait", "off"}});
  EXPECT_EQ(options.family, SocketChardev::Options::Family::Unix);
  EXPECT_EQ(options.path, "/tmp/a");
  EXPECT_THROW(parse_socket_address("unix:/tmp/a,bogus=1"), ChardevError);
  EXPECT_THROW(parse_socket_address("tcp:localhost"), ChardevError);
  EXPECT_THROW(socket_options_from_properties({{"id", "x"}}), ChardevError);
  EXPECT_THROW(socket_options_from_properties({{"path", "/tmp/a"}, {"server", "maybe"}}), ChardevError);
  EXPECT_THROW(SocketChardev(parse_socket_address("unix:/nonexistent/dir/s.sock")), ChardevError);
}

TEST(SocketChardevTest, QmpOverAUnixSocketGreetsEachClient) {
  const std::string path = temporary_socket_path("qmp");
  SocketChardev chardev(parse_socket_address("unix:" + path + ",server=on,wait=off"));
  FakeMachine machine;
  MemoryFiles files;
  MonitorHub hub(machine, test_options(&files));
  machine.hub = &hub;
  hub.attach_qmp(chardev);
  std::vector<int> fds;
  hub.collect_input_fds(fds);
  EXPECT_EQ(fds, std::vector<int>{chardev.input_fd()});

  for (int round = 0; round < 2; ++round) {
    const int client = connect_unix(path);
    ASSERT_GE(client, 0);
    std::string greeting;
    for (int i = 0; i < 200 && greeting.empty(); ++i) {
      hub.poll();
      greeting = read_some(client);
    }
    EXPECT_EQ(greeting.rfind("{\"QMP\": {\"version\"", 0), 0u) << round;
    // Each client negotiates afresh.
    const std::string request = R"({"execute":"query-status"}{"execute":"qmp_capabilities"}{"execute":"query-status","id":1})";
    ASSERT_EQ(::send(client, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    std::string replies;
    for (int i = 0; i < 200 && std::count(replies.begin(), replies.end(), '\n') < 3; ++i) {
      hub.poll();
      replies += read_some(client);
    }
    EXPECT_EQ(replies,
              "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities negotiation with "
              "'qmp_capabilities'\"}}\r\n{\"return\": {}}\r\n{\"return\": {\"status\": \"prelaunch\", \"singlestep\": "
              "false, \"running\": false}, \"id\": 1}\r\n");
    ::close(client);
    for (int i = 0; i < 20; ++i) hub.poll();  // notices the close
  }
}

TEST(SocketChardevTest, HubGoesAwayBeforeItsChardev) {
  const std::string path = temporary_socket_path("order");
  SocketChardev chardev(parse_socket_address("unix:" + path + ",server=on,wait=off"));
  const int first = connect_unix(path);
  ASSERT_GE(first, 0);
  {
    FakeMachine machine;
    MemoryFiles files;
    MonitorHub hub(machine, test_options(&files));
    hub.attach_qmp(chardev);
    std::string greeting;
    for (int i = 0; i < 200 && greeting.empty(); ++i) {
      hub.poll();
      greeting = read_some(first);
    }
    EXPECT_FALSE(greeting.empty());
    hub.emit_event("STOP");  // a live session when the hub is destroyed
  }
  // The chardev no longer calls into the destroyed monitor.
  ::close(first);
  std::vector<uint8_t> input;
  for (int i = 0; i < 20; ++i) chardev.poll_input(input);
  EXPECT_FALSE(chardev.connected());
}

}  // namespace
}  // namespace emu::monitor
