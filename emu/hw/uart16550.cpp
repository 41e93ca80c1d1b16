// ns16550a UART; see uart16550.h for the model's scope. Register semantics
// follow the National Semiconductor PC16550D datasheet and QEMU 7.2's
// hw/char/serial.c where the two differ (noted inline).
#include "emu/hw/uart16550.h"

#include <vector>

namespace emu {

namespace {

// Register offsets (after offset & 7, as QEMU decodes).
constexpr uint64_t kRbrThrDll = 0;
constexpr uint64_t kIerDlm = 1;
constexpr uint64_t kIirFcr = 2;
constexpr uint64_t kLcr = 3;
constexpr uint64_t kMcr = 4;
constexpr uint64_t kLsr = 5;
constexpr uint64_t kMsr = 6;
constexpr uint64_t kScr = 7;
constexpr uint64_t kRegisterCount = 8;

// IER bits
constexpr uint8_t kIerReceivedData = 0x01;    // ERBFI
constexpr uint8_t kIerTransmitEmpty = 0x02;   // ETBEI
constexpr uint8_t kIerLineStatus = 0x04;      // ELSI
constexpr uint8_t kIerWritableMask = 0x0f;    // EDSSI and the three above

// IIR values: interrupt identification (bits 3:0) and FIFO-enabled flags.
constexpr uint8_t kIirNoInterrupt = 0x01;
constexpr uint8_t kIirTransmitEmpty = 0x02;
constexpr uint8_t kIirReceivedData = 0x04;
constexpr uint8_t kIirLineStatus = 0x06;
constexpr uint8_t kIirCharacterTimeout = 0x0c;
constexpr uint8_t kIirFifosEnabled = 0xc0;

// FCR bits
constexpr uint8_t kFcrEnable = 0x01;
constexpr uint8_t kFcrReceiveReset = 0x02;
constexpr uint8_t kFcrTransmitReset = 0x04;
constexpr uint8_t kFcrStickyMask = 0xc9;  // trigger level, DMA mode, enable
constexpr uint8_t kFcrTriggerMask = 0xc0;

// LCR bits
constexpr uint8_t kLcrDivisorLatch = 0x80;  // DLAB

// MCR bits
constexpr uint8_t kMcrOut2 = 0x08;
constexpr uint8_t kMcrLoopback = 0x10;
constexpr uint8_t kMcrWritableMask = 0x1f;

// LSR bits
constexpr uint8_t kLsrDataReady = 0x01;
constexpr uint8_t kLsrOverrun = 0x02;
constexpr uint8_t kLsrBreak = 0x10;
constexpr uint8_t kLsrErrorsMask = 0x1e;  // OE, PE, FE, BI: the line-status interrupt sources
constexpr uint8_t kLsrTransmitHoldingEmpty = 0x20;
constexpr uint8_t kLsrTransmitterEmpty = 0x40;

// MSR: with no modem lines behind the chardev, QEMU reports DCD, DSR and CTS
// asserted and never sets a delta bit, so the modem-status interrupt never fires.
constexpr uint8_t kMsrNoModem = 0xb0;

// Power-on divisor: 9600 baud from QEMU's 115200 baud base.
constexpr uint16_t kResetDivisor = 0x0c;

constexpr uint8_t kStateVersion = 1;

}  // namespace

Uart16550::Uart16550(Chardev* output, InterruptLine* irq) : output_(output), irq_(irq) { reset(); }

bool Uart16550::fifo_enabled() const { return (fifo_control_ & kFcrEnable) != 0; }

bool Uart16550::loopback() const { return (modem_control_ & kMcrLoopback) != 0; }

size_t Uart16550::rx_trigger_level() const {
  switch (fifo_control_ & kFcrTriggerMask) {
    case 0x00: return 1;
    case 0x40: return 4;
    case 0x80: return 8;
    default: return 14;
  }
}

void Uart16550::reset() {
  receive_buffer_ = 0;
  interrupt_enable_ = 0;
  line_control_ = 0;
  line_status_ = kLsrTransmitterEmpty | kLsrTransmitHoldingEmpty;
  modem_control_ = kMcrOut2;
  scratch_ = 0;
  // QEMU's reset leaves FCR as it was; power-on has the FIFOs disabled, and
  // reset() means power-on here.
  fifo_control_ = 0;
  divisor_ = kResetDivisor;
  transmit_interrupt_pending_ = false;
  receive_fifo_.clear();
  // The backlog is host input in flight (in QEMU it waits in the chardev),
  // not UART state: it survives a reset and flows into the empty receiver.
  refill_receiver();
  update_interrupt();
}

void Uart16550::receive(std::span<const uint8_t> bytes) {
  backlog_.insert(backlog_.end(), bytes.begin(), bytes.end());
  refill_receiver();
  update_interrupt();
}

void Uart16550::refill_receiver() {
  // QEMU does not accept chardev input in loopback mode.
  if (loopback()) return;
  if (fifo_enabled()) {
    while (receive_fifo_.size() < kFifoSize && !backlog_.empty()) {
      receive_fifo_.push_back(backlog_.front());
      backlog_.pop_front();
    }
    if (!receive_fifo_.empty()) line_status_ |= kLsrDataReady;
  } else if (!(line_status_ & kLsrDataReady) && !backlog_.empty()) {
    receive_buffer_ = backlog_.front();
    backlog_.pop_front();
    line_status_ |= kLsrDataReady;
  }
}

void Uart16550::loop_back(uint8_t byte) {
  if (fifo_enabled()) {
    // An overrun keeps the FIFO's contents and loses the new byte.
    if (receive_fifo_.size() < kFifoSize) {
      receive_fifo_.push_back(byte);
    } else {
      line_status_ |= kLsrOverrun;
    }
  } else {
    if (line_status_ & kLsrDataReady) line_status_ |= kLsrOverrun;
    receive_buffer_ = byte;
  }
  line_status_ |= kLsrDataReady;
}

void Uart16550::update_interrupt() {
  // Priority (PC16550D table 4): line status > received data or character
  // timeout > THR empty > modem status (never raised, see kMsrNoModem).
  uint8_t id = kIirNoInterrupt;
  bool data_ready = (line_status_ & kLsrDataReady) != 0;
  if ((interrupt_enable_ & kIerLineStatus) && (line_status_ & kLsrErrorsMask)) {
    id = kIirLineStatus;
  } else if ((interrupt_enable_ & kIerReceivedData) && data_ready) {
    bool below_trigger = fifo_enabled() && receive_fifo_.size() < rx_trigger_level();
    id = below_trigger ? kIirCharacterTimeout : kIirReceivedData;
  } else if ((interrupt_enable_ & kIerTransmitEmpty) && transmit_interrupt_pending_) {
    id = kIirTransmitEmpty;
  }
  interrupt_identification_ = static_cast<uint8_t>(id | (fifo_enabled() ? kIirFifosEnabled : 0));
  if (irq_) irq_->set(id != kIirNoInterrupt);
}

uint8_t Uart16550::read_receive_buffer() {
  uint8_t value;
  if (fifo_enabled()) {
    // Reading an empty FIFO returns 0, as QEMU does.
    value = 0;
    if (!receive_fifo_.empty()) {
      value = receive_fifo_.front();
      receive_fifo_.pop_front();
    }
    if (receive_fifo_.empty()) line_status_ &= static_cast<uint8_t>(~(kLsrDataReady | kLsrBreak));
  } else {
    value = receive_buffer_;
    line_status_ &= static_cast<uint8_t>(~(kLsrDataReady | kLsrBreak));
  }
  refill_receiver();
  update_interrupt();
  return value;
}

uint8_t Uart16550::read_modem_status() const {
  if (!loopback()) return kMsrNoModem;
  // Loopback wires the modem outputs to the inputs: DTR->DSR, RTS->CTS,
  // OUT1->RI, OUT2->DCD (PC16550D section 8.6, MCR bit 4).
  uint8_t value = static_cast<uint8_t>((modem_control_ & 0x0c) << 4);
  value |= static_cast<uint8_t>((modem_control_ & 0x02) << 3);
  value |= static_cast<uint8_t>((modem_control_ & 0x01) << 5);
  return value;
}

uint64_t Uart16550::read(uint64_t offset, unsigned size) {
  (void)size;
  if (offset >= kRegisterCount) return 0;
  bool divisor_latch = (line_control_ & kLcrDivisorLatch) != 0;
  switch (offset) {
    case kRbrThrDll:
      return divisor_latch ? (divisor_ & 0xff) : read_receive_buffer();
    case kIerDlm:
      return divisor_latch ? (divisor_ >> 8) : interrupt_enable_;
    case kIirFcr: {
      uint8_t value = interrupt_identification_;
      // Reading IIR while THRE is the reported source clears that interrupt.
      if ((value & 0x0f) == kIirTransmitEmpty) {
        transmit_interrupt_pending_ = false;
        update_interrupt();
      }
      return value;
    }
    case kLcr:
      return line_control_;
    case kMcr:
      return modem_control_;
    case kLsr: {
      uint8_t value = line_status_;
      if (line_status_ & (kLsrBreak | kLsrOverrun)) {
        line_status_ &= static_cast<uint8_t>(~(kLsrBreak | kLsrOverrun));
        update_interrupt();
      }
      return value;
    }
    case kMsr:
      return read_modem_status();
    case kScr:
      return scratch_;
  }
  return 0;
}

void Uart16550::write_transmit_holding(uint8_t byte) {
  // The byte leaves at once, so THR and the shift register are empty again
  // before the guest can look; that re-arms the THRE interrupt just as
  // QEMU's serial_xmit does after each byte.
  if (loopback()) {
    loop_back(byte);
  } else if (output_) {
    output_->write(std::span<const uint8_t>(&byte, 1));
  }
  line_status_ |= kLsrTransmitHoldingEmpty | kLsrTransmitterEmpty;
  transmit_interrupt_pending_ = true;
  update_interrupt();
}

void Uart16550::write_interrupt_enable(uint8_t value) {
  uint8_t enable = value & kIerWritableMask;
  uint8_t changed = interrupt_enable_ ^ enable;
  interrupt_enable_ = enable;
  // Turning ETBEI on while THR is empty raises THRE even if an IIR read had
  // cleared it (not in the datasheet; Linux's 8250 startup test and Windows
  // rely on it). QEMU resamples only on the rising edge of ETBEI.
  if (changed & kIerTransmitEmpty) {
    transmit_interrupt_pending_ =
        (interrupt_enable_ & kIerTransmitEmpty) && (line_status_ & kLsrTransmitHoldingEmpty);
  }
  if (changed) update_interrupt();
}

void Uart16550::write_fifo_control(uint8_t value) {
  // Enabling or disabling the FIFOs flushes both (PC16550D FCR bit 0).
  if ((value ^ fifo_control_) & kFcrEnable) value |= kFcrReceiveReset | kFcrTransmitReset;
  if (value & kFcrReceiveReset) {
    line_status_ &= static_cast<uint8_t>(~(kLsrDataReady | kLsrBreak));
    receive_fifo_.clear();
  }
  if (value & kFcrTransmitReset) {
    // The transmit FIFO is always empty here; resetting it still signals
    // THRE, as in QEMU.
    line_status_ |= kLsrTransmitHoldingEmpty;
    transmit_interrupt_pending_ = true;
  }
  fifo_control_ = value & kFcrStickyMask;
  refill_receiver();
  update_interrupt();
}

void Uart16550::write_modem_control(uint8_t value) {
  bool was_loopback = loopback();
  modem_control_ = value & kMcrWritableMask;
  if (was_loopback && !loopback()) {
    refill_receiver();
    update_interrupt();
  }
}

void Uart16550::write(uint64_t offset, uint64_t value, unsigned size) {
  (void)size;
  if (offset >= kRegisterCount) return;
  auto byte = static_cast<uint8_t>(value);
  bool divisor_latch = (line_control_ & kLcrDivisorLatch) != 0;
  switch (offset) {
    case kRbrThrDll:
      if (divisor_latch) {
        divisor_ = static_cast<uint16_t>((divisor_ & 0xff00) | byte);
      } else {
        write_transmit_holding(byte);
      }
      break;
    case kIerDlm:
      if (divisor_latch) {
        divisor_ = static_cast<uint16_t>((divisor_ & 0x00ff) | (byte << 8));
      } else {
        write_interrupt_enable(byte);
      }
      break;
    case kIirFcr:
      write_fifo_control(byte);
      break;
    case kLcr:
      line_control_ = byte;
      break;
    case kMcr:
      write_modem_control(byte);
      break;
    case kLsr:
    case kMsr:
      break;  // read-only
    case kScr:
      scratch_ = byte;
      break;
  }
}

void Uart16550::save(StateWriter& out) const {
  out.u8(kStateVersion);
  out.u8(receive_buffer_);
  out.u8(interrupt_enable_);
  out.u8(line_control_);
  out.u8(line_status_);
  out.u8(modem_control_);
  out.u8(scratch_);
  out.u8(fifo_control_);
  out.u16(divisor_);
  out.boolean(transmit_interrupt_pending_);
  std::vector<uint8_t> fifo(receive_fifo_.begin(), receive_fifo_.end());
  out.bytes(fifo);
  std::vector<uint8_t> backlog(backlog_.begin(), backlog_.end());
  out.bytes(backlog);
}

void Uart16550::load(StateReader& in) {
  // Parse everything before touching the device, so a bad stream leaves it as it was.
  if (in.u8() != kStateVersion) throw StateError("uart16550: unsupported state version");
  uint8_t receive_buffer = in.u8();
  uint8_t interrupt_enable = in.u8();
  uint8_t line_control = in.u8();
  uint8_t line_status = in.u8();
  uint8_t modem_control = in.u8();
  uint8_t scratch = in.u8();
  uint8_t fifo_control = in.u8();
  uint16_t divisor = in.u16();
  bool transmit_interrupt_pending = in.boolean();
  std::vector<uint8_t> fifo = in.bytes();
  std::vector<uint8_t> backlog = in.bytes();
  if (fifo.size() > kFifoSize) throw StateError("uart16550: receive FIFO longer than 16 bytes");
  if ((interrupt_enable & ~kIerWritableMask) || (modem_control & ~kMcrWritableMask) ||
      (fifo_control & ~kFcrStickyMask)) {
    throw StateError("uart16550: register value out of range");
  }

  receive_buffer_ = receive_buffer;
  interrupt_enable_ = interrupt_enable;
  line_control_ = line_control;
  line_status_ = line_status;
  modem_control_ = modem_control;
  scratch_ = scratch;
  fifo_control_ = fifo_control;
  divisor_ = divisor;
  transmit_interrupt_pending_ = transmit_interrupt_pending;
  receive_fifo_.assign(fifo.begin(), fifo.end());
  backlog_.assign(backlog.begin(), backlog.end());
  update_interrupt();
}

}  // namespace emu
