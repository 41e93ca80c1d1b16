// What the monitors (QMP, HMP) need from the machine, implemented by the
// board (or a thin adapter over it). Everything runs on the machine thread:
// the machine loop polls the monitors between slices, so no call here races
// with guest execution.
//
// Observers and inputs (architecture.md): the query side only reads state
// and must not change what the guest can see (no device reads, no A/D bits,
// no TLB fills). Commands that change the guest (system_reset,
// system_powerdown) do not act directly: the implementation queues them in
// the InputQueue as InputKind::MonitorCommand (payload: encode_monitor_input
// below) stamped with the current icount, so record/replay logs them and the
// consumer acts on the same instruction in a replay. stop/cont are not
// guest inputs: a stopped machine consumes no virtual time, so pausing does
// not change the guest's execution.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emu/core/physical_bus.h"
#include "emu/target/riscv/hart.h"

namespace emu::monitor {

// QAPI RunState values emu can be in ("prelaunch" is -S before the first cont).
enum class RunState { Prelaunch, Running, Paused, Shutdown, InternalError, GuestPanicked, Debug };
const char* run_state_name(RunState state);

// What QMP's greeting and query-version report. emu implements QEMU 7.2's
// interfaces, so it reports that version; package says what it really is.
struct VersionInfo {
  int major = 7, minor = 2, micro = 0;
  std::string package = "emu-0.1.0";
};

// One line of query-chardev / info chardev.
struct ChardevInfo {
  std::string label;     // the chardev id ("serial0", "compat_monitor0", ...)
  std::string filename;  // Chardev::describe()
  bool frontend_open = false;
};

// The payload of an InputKind::MonitorCommand input: one command byte.
enum class MonitorInput : uint8_t {
  SystemReset = 1,      // QEMU's system_reset (RESET event, reason host-qmp-system-reset)
  SystemPowerdown = 2,  // QEMU's system_powerdown (POWERDOWN event)
};
inline std::vector<uint8_t> encode_monitor_input(MonitorInput command) { return {static_cast<uint8_t>(command)}; }
// nullopt for a malformed payload (an input log is untrusted input too).
inline std::optional<MonitorInput> decode_monitor_input(const std::vector<uint8_t>& payload) {
  if (payload.size() != 1) return std::nullopt;
  switch (payload[0]) {
    case 1: return MonitorInput::SystemReset;
    case 2: return MonitorInput::SystemPowerdown;
    default: return std::nullopt;
  }
}

class MachineControl {
 public:
  virtual ~MachineControl() = default;

  // ---- observers ----
  virtual RunState run_state() const = 0;
  virtual unsigned hart_count() const = 0;
  virtual const riscv::Hart& hart(unsigned index) const = 0;
  virtual const PhysicalBus& bus() const = 0;

  // Side-effect-free memory reads for x/xp/memsave/pmemsave. false if any
  // byte is not RAM/ROM or (virtual) not mapped. The defaults use
  // debug_memory.h; a board may override (e.g. to see through a JIT cache).
  virtual bool read_physical(uint64_t address, void* out, size_t length) const;
  virtual bool read_virtual(unsigned hart, uint64_t address, void* out, size_t length) const;

  virtual std::string name() const { return {}; }  // -name; empty: none
  virtual std::vector<ChardevInfo> chardevs() const { return {}; }
  virtual VersionInfo version() const { return {}; }
  // The host thread that runs hart `index` (query-cpus-fast, info cpus):
  // every hart runs on the one machine thread.
  virtual int64_t host_thread_id(unsigned index) const = 0;
  virtual unsigned max_harts() const { return 8; }  // query-machines cpu-max
  // x-query-state-hash: the machine's icount and the XXH3 hash of its whole
  // guest-visible state (emu/replay/state_hash.h); `full` rehashes every
  // RAM page instead of only those written since the last hash (the same
  // value unless dirty-page tracking missed a write). false: not available.
  virtual bool state_hash(uint64_t& icount, uint64_t& hash, bool full) const {
    (void)icount;
    (void)hash;
    (void)full;
    return false;
  }
  // Record/replay (QEMU's qapi/replay.json): query-replay, replay-break,
  // replay-delete-break, replay-seek. mode is "none", "record" or "play".
  struct ReplayInfo {
    std::string mode = "none";
    std::string filename;  // empty in mode none
    uint64_t icount = 0;
  };
  virtual ReplayInfo replay_info() const { return {}; }
  // false with a message when not replaying or icount is not in the future.
  virtual bool replay_break(uint64_t icount, std::string& error) {
    (void)icount;
    error = "replay breakpoints can only be set in replay mode";
    return false;
  }
  virtual bool replay_delete_break(std::string& error) {
    error = "replay breakpoints can only be deleted in replay mode";
    return false;
  }
  // Forward only: runs the replay to icount and stops there.
  virtual bool replay_seek(uint64_t icount, std::string& error) {
    (void)icount;
    error = "replay_seek works only in replay mode";
    return false;
  }

  // ---- controls ----
  // Running -> Paused (emits STOP). Does nothing in any other state.
  virtual void stop() = 0;
  // Prelaunch/Paused -> Running (emits RESUME). Returns false with a
  // message when the machine cannot run (e.g. it shut down with
  // -no-shutdown and needs a reset first).
  virtual bool cont(std::string& error) = 0;
  // Queue MonitorInput::SystemReset / SystemPowerdown in the InputQueue.
  virtual void request_system_reset() = 0;
  virtual void request_system_powerdown() = 0;
  // Exit the emulator after the current command (emits SHUTDOWN with
  // {"guest": false, "reason": "host-qmp-quit"}).
  virtual void request_quit() = 0;
};

}  // namespace emu::monitor
