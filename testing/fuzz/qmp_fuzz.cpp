// libFuzzer target for the monitors: the input is a byte stream from a
// monitor client, fed to a fresh QMP session (or an interactive HMP session)
// on a fake machine with RAM, ROM, a device and two harts. Each input gets
// fresh objects, so every crash reproduces from its input alone.
//
// Input layout: byte 0 selects the mode (bit 0: HMP instead of QMP; bit 1:
// small JSON limits; bit 2: start negotiated; bit 3: hart 0 in S-mode with
// Sv39 paging rooted in RAM, which the next 4 KiB of input fill), byte 1
// seeds the chunk sizes, the rest is the stream.
//
// Build and run (clang 14, libclang-rt-14-dev):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     emu/core/physical_bus.cpp emu/target/riscv/*.cpp emu/monitor/*.cpp \
//     testing/fuzz/qmp_fuzz.cpp -lxxhash -o /tmp/qmp_fuzz
//   /tmp/qmp_fuzz -max_total_time=60 -max_len=4096 /tmp/qmp_corpus
//
// Checked beyond "no crash, no sanitizer report": the output does not
// depend on how the stream is split into reads (the whole stream and the
// same bytes in fuzzer-chosen pieces give identical output), and the guest
// device is never read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "emu/core/device.h"
#include "emu/core/physical_bus.h"
#include "emu/monitor/hmp.h"
#include "emu/monitor/machine_control.h"
#include "emu/monitor/monitor_hub.h"
#include "emu/monitor/qmp_server.h"
#include "emu/target/riscv/hart.h"

namespace {

using namespace emu;
using namespace emu::monitor;

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 0x10000;
constexpr size_t kPageTableBytes = 4096;

class ZeroTime : public riscv::TimeSource {
 public:
  uint64_t mtime() const override { return 0; }
};

class ProbeDevice : public Device {
 public:
  std::string_view name() const override { return "probe"; }
  uint64_t read(uint64_t, unsigned) override {
    ++reads;
    return 0;
  }
  void write(uint64_t, uint64_t, unsigned) override {}
  void reset() override {}
  void save(StateWriter&) const override {}
  void load(StateReader&) override {}
  int reads = 0;
};

class FuzzMachine : public MachineControl {
 public:
  FuzzMachine(std::span<const uint8_t> page_tables, bool paging) {
    uint8_t* rom = bus_.map_rom(0x1000, 0x1000, "rom");
    for (size_t i = 0; i < 0x1000; ++i) rom[i] = static_cast<uint8_t>(i * 37);
    bus_.map_device(0x10000000, 0x100, &device);
    uint8_t* ram = bus_.map_ram(kRamBase, kRamSize, "ram");
    if (!page_tables.empty()) std::memcpy(ram, page_tables.data(), page_tables.size());
    for (unsigned i = 0; i < 2; ++i) {
      harts_.push_back(std::make_unique<riscv::Hart>(bus_, i, time_));
      harts_.back()->reset(0x1000);
    }
    if (paging) {
      riscv::Hart& hart = *harts_[0];
      hart.privilege = riscv::Privilege::Supervisor;
      hart.csr.satp = (uint64_t{8} << 60) | (kRamBase >> 12);
    }
  }

  RunState run_state() const override { return state_; }
  unsigned hart_count() const override { return static_cast<unsigned>(harts_.size()); }
  const riscv::Hart& hart(unsigned index) const override { return *harts_.at(index); }
  const PhysicalBus& bus() const override { return bus_; }
  std::string name() const override { return "fuzz"; }
  std::vector<ChardevInfo> chardevs() const override { return {{"serial0", "stdio", true}}; }
  int64_t host_thread_id(unsigned index) const override { return 100 + index; }
  void stop() override {
    if (state_ == RunState::Running) {
      state_ = RunState::Paused;
      if (hub) hub->emit_event("STOP");
    }
  }
  bool cont(std::string& error) override {
    if (state_ == RunState::Shutdown) {
      error = "Resetting the Virtual Machine is required";
      return false;
    }
    if (state_ != RunState::Running) {
      state_ = RunState::Running;
      if (hub) hub->emit_event("RESUME");
    }
    return true;
  }
  void request_system_reset() override {
    if (hub) hub->emit_event("RESET", Json{{"guest", false}, {"reason", "host-qmp-system-reset"}});
  }
  void request_system_powerdown() override {
    if (hub) hub->emit_event("POWERDOWN");
  }
  void request_quit() override { state_ = RunState::Shutdown; }

  MonitorHub* hub = nullptr;
  ProbeDevice device;

 private:
  RunState state_ = RunState::Prelaunch;
  ZeroTime time_;
  PhysicalBus bus_;
  std::vector<std::unique_ptr<riscv::Hart>> harts_;
};

// memsave/pmemsave output goes nowhere; a "disk" of 1 MiB bounds the work.
class NullFiles : public HostFiles {
 public:
  class Sink : public Output {
   public:
    bool write(const void*, size_t length) override {
      written_ += length;
      return written_ <= (size_t{1} << 20);
    }

   private:
    size_t written_ = 0;
  };
  std::unique_ptr<Output> create(const std::string& path, std::string& error) override {
    if (path.empty() || path[0] == 'E') {
      error = "No such file or directory";
      return nullptr;
    }
    return std::make_unique<Sink>();
  }
};

class Capture : public MonitorConnection {
 public:
  void send(std::string_view bytes) override {
    if (text.size() < (size_t{8} << 20)) text.append(bytes);
  }
  std::string text;
};

// Runs the stream through a fresh session; pieces == 0 means one read.
std::string run(uint8_t mode, std::span<const uint8_t> page_tables, std::span<const uint8_t> stream, uint8_t seed,
                bool in_pieces, int& device_reads) {
  FuzzMachine machine(page_tables, (mode & 8) != 0);
  NullFiles files;
  MonitorOptions options;
  options.clock = [] { return EventTimestamp{1, 2}; };
  options.files = &files;
  if (mode & 2) options.json_limits = JsonStreamLimits{512, 64, 16};
  MonitorHub hub(machine, options);
  machine.hub = &hub;
  Capture capture;

  const auto feed = [&](auto& session) {
    if (!in_pieces) {
      session.receive(stream);
      return;
    }
    uint32_t state = seed | 0x100u;
    for (size_t offset = 0; offset < stream.size();) {
      state = state * 1103515245u + 12345u;
      const size_t piece = std::min<size_t>(1 + (state >> 16) % 7, stream.size() - offset);
      session.receive(stream.subspan(offset, piece));
      offset += piece;
    }
  };
  if (mode & 1) {
    HmpSession session(hub, capture);
    session.open();
    feed(session);
  } else {
    QmpSession session(hub, capture);
    session.start();
    if (mode & 4) session.receive(std::string_view(R"({"execute":"qmp_capabilities"})"));
    feed(session);
  }
  device_reads += machine.device.reads;
  return capture.text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  const uint8_t seed = data[1];
  std::span<const uint8_t> rest(data + 2, size - 2);
  std::span<const uint8_t> page_tables;
  if (mode & 8) {
    page_tables = rest.subspan(0, std::min(rest.size(), kPageTableBytes));
    rest = rest.subspan(page_tables.size());
  }
  int device_reads = 0;
  const std::string whole = run(mode, page_tables, rest, seed, false, device_reads);
  const std::string pieces = run(mode, page_tables, rest, seed, true, device_reads);
  if (whole != pieces) std::abort();  // the output must not depend on read boundaries
  if (device_reads != 0) std::abort();  // the monitor is an observer
  return 0;
}
