// The virt board's record/replay side: state hashing (and, below, the
// recorder/replayer wiring), kept apart from the machine loop in riscv_virt.cpp.
#include "emu/hw/boards/riscv_virt.h"

#include "emu/hw/clint.h"
#include "emu/hw/goldfish_rtc.h"
#include "emu/hw/plic.h"
#include "emu/hw/sifive_test.h"
#include "emu/hw/uart16550.h"
#include "emu/hw/virtio/virtio_mmio.h"
#include "emu/hw/boards/riscv_virt_memory_map.h"
#include "emu/replay/state_hash.h"

namespace emu::virt {

void RiscvVirtBoard::hash_state(replay::StateHasher& hasher) const {
  for (const auto& hart : harts_) hasher.add_hart(*hart);
  hasher.add_memory(bus_);
  hasher.add_device("clint", *clint_);
  hasher.add_device("plic", *plic_);
  hasher.add_device("serial", *uart_);
  hasher.add_device("goldfish_rtc", *rtc_);
  hasher.add_device("sifive_test", *test_);
  for (size_t slot = 0; slot < virtio_slots_.size(); ++slot) {
    hasher.add_device("virtio-mmio" + std::to_string(slot), *virtio_slots_[slot]);
  }
  hasher.add_u64("clock.icount", clock_.icount());
}

uint64_t RiscvVirtBoard::state_hash() const {
  replay::StateHasher hasher;
  hash_state(hasher);
  return hasher.machine_hash();
}

bool RiscvVirtBoard::state_hash(uint64_t& icount, uint64_t& hash) const {
  icount = clock_.icount();
  hash = state_hash();
  return true;
}

}  // namespace emu::virt
