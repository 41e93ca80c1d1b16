// ns16550a UART, as QEMU 7.2's serial-mm model presents it on the riscv virt
// board (reg-shift 0, reg-io-width 1). Linux's 8250 driver, OpenSBI's uart8250
// and U-Boot's ns16550 drive it unmodified.
//
// Register map (offset & 7; DLAB = LCR bit 7; offsets 8 and up are not decoded):
//   0  read: RBR (DLAB=0) / DLL (DLAB=1)   write: THR (DLAB=0) / DLL (DLAB=1)
//   1  IER (DLAB=0, bits 3:0) / DLM (DLAB=1)
//   2  read: IIR   write: FCR
//   3  LCR         4  MCR (bits 4:0)      5  LSR (read only)
//   6  MSR (read only)                    7  SCR
// Any access width reads or writes the one byte register at that offset.
//
// Determinism (architecture.md): output goes to the Chardev at once, with no
// baud-rate timing. Host input arrives only through receive(), which the
// board calls from the InputQueue; bytes wait in an unbounded backlog that
// refills the 16-byte receive FIFO whenever the guest makes room, so nothing
// depends on host timing and nothing is dropped. QEMU raises the "character
// timeout" interrupt four character times after the last byte when the FIFO
// holds fewer bytes than the trigger level; here it is raised immediately,
// while such data is waiting and IER.ERBFI is set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string_view>

#include "emu/chardev/chardev.h"
#include "emu/core/device.h"
#include "emu/core/interrupt_line.h"

namespace emu {

class Uart16550 : public Device {
 public:
  static constexpr size_t kFifoSize = 16;
  // The eight byte-wide registers (reg-shift 0): the size of the MMIO region
  // the board maps, as QEMU maps it, inside the 0x100-byte memory-map slot.
  static constexpr uint64_t kRegisterBlockSize = 8;

  // output may be null (bytes are dropped); irq may be null (no interrupt).
  Uart16550(Chardev* output, InterruptLine* irq);

  // Host input, delivered by the board from the InputQueue.
  void receive(std::span<const uint8_t> bytes);

  // Bytes received from the host that the guest has not yet had room for.
  size_t backlog_size() const { return backlog_.size(); }

  std::string_view name() const override { return "serial"; }  // QEMU's region name
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  void reset() override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

 private:
  bool fifo_enabled() const;
  bool loopback() const;
  size_t rx_trigger_level() const;
  uint8_t read_receive_buffer();
  void write_transmit_holding(uint8_t byte);
  void write_interrupt_enable(uint8_t value);
  void write_fifo_control(uint8_t value);
  void write_modem_control(uint8_t value);
  uint8_t read_modem_status() const;
  // Moves backlog bytes into the receiver while it has room.
  void refill_receiver();
  // A byte arriving at the receiver from loopback, with overrun as a 16550 has.
  void loop_back(uint8_t byte);
  // Recomputes IIR from the interrupt sources and drives the line.
  void update_interrupt();

  Chardev* output_;
  InterruptLine* irq_;

  // Guest-visible registers (QEMU's names: rbr, ier, iir, lcr, ...).
  uint8_t receive_buffer_ = 0;  // RBR when the FIFOs are disabled
  uint8_t interrupt_enable_ = 0;
  uint8_t interrupt_identification_ = 0;  // derived by update_interrupt()
  uint8_t line_control_ = 0;
  uint8_t line_status_ = 0;
  uint8_t modem_control_ = 0;
  uint8_t scratch_ = 0;
  uint8_t fifo_control_ = 0;  // the bits that stick: trigger level, DMA mode, enable
  uint16_t divisor_ = 0;
  // The 16550's THRE interrupt latch: set when THR becomes empty (or
  // ETBEI is turned on while it is), cleared by writing THR or by reading IIR
  // while THRE is the reported source.
  bool transmit_interrupt_pending_ = false;
  std::deque<uint8_t> receive_fifo_;  // used while FCR.FE is set
  std::deque<uint8_t> backlog_;
};

}  // namespace emu
