#include "emu/monitor/machine_control.h"

#include "emu/monitor/debug_memory.h"

namespace emu::monitor {

const char* run_state_name(RunState state) {
  switch (state) {
    case RunState::Prelaunch: return "prelaunch";
    case RunState::Running: return "running";
    case RunState::Paused: return "paused";
    case RunState::Shutdown: return "shutdown";
    case RunState::InternalError: return "internal-error";
    case RunState::GuestPanicked: return "guest-panicked";
    case RunState::Debug: return "debug";
  }
  return "paused";
}

bool MachineControl::read_physical(uint64_t address, void* out, size_t length) const {
  return read_physical_debug(bus(), address, out, length);
}

bool MachineControl::read_virtual(unsigned hart_index, uint64_t address, void* out, size_t length) const {
  if (hart_index >= hart_count()) return false;
  return read_virtual_debug(hart(hart_index), address, out, length);
}

}  // namespace emu::monitor
