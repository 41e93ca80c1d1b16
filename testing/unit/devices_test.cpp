// Unit tests for the virt board's device models: each is driven through its
// registers the way its guest driver does, with virtual time advanced by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "emu/chardev/chardev.h"
#include "emu/core/event_scheduler.h"
#include "emu/core/interrupt_line.h"
#include "emu/core/state_stream.h"
#include "emu/core/virtual_clock.h"
#include "emu/hw/clint.h"
#include "emu/hw/goldfish_rtc.h"
#include "emu/hw/plic.h"
#include "emu/hw/sifive_test.h"
#include "emu/hw/uart16550.h"

namespace emu {
namespace {

class CapturingChardev : public Chardev {
 public:
  void write(std::span<const uint8_t> bytes) override { text.append(bytes.begin(), bytes.end()); }
  std::string describe() const override { return "capture"; }
  std::string text;
};

std::vector<uint8_t> saved(const Device& device) {
  StateWriter out;
  device.save(out);
  return out.data();
}

void load_into(Device& device, const std::vector<uint8_t>& bytes) {
  StateReader in(bytes);
  device.load(in);
  EXPECT_TRUE(in.at_end());
}

// Every proper prefix of a saved state must be rejected, and the rejected
// load must leave the device exactly as it was.
void expect_truncation_rejected(Device& target, const std::vector<uint8_t>& full) {
  std::vector<uint8_t> before = saved(target);
  for (size_t length = 0; length < full.size(); ++length) {
    std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(length));
    StateReader in(prefix);
    EXPECT_THROW(target.load(in), StateError) << "prefix of " << length << " bytes";
    EXPECT_EQ(saved(target), before) << "a failed load changed the device (prefix " << length << ")";
  }
}

std::span<const uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// ---------------------------------------------------------------- UART 16550

constexpr uint64_t kRbr = 0, kThr = 0, kDll = 0, kIer = 1, kDlm = 1, kIir = 2, kFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5,
                   kMsr = 6, kScr = 7;

class UartTest : public ::testing::Test {
 protected:
  uint8_t reg(uint64_t offset) { return static_cast<uint8_t>(uart.read(offset, 1)); }
  void set(uint64_t offset, uint8_t value) { uart.write(offset, value, 1); }
  void type(const std::string& text) { uart.receive(bytes_of(text)); }
  std::string read_all_ready() {
    std::string got;
    while (reg(kLsr) & 0x01) got.push_back(static_cast<char>(reg(kRbr)));
    return got;
  }

  CapturingChardev console;
  InterruptLine irq;
  Uart16550 uart{&console, &irq};
};

TEST_F(UartTest, PowerOnRegistersMatchQemu) {
  EXPECT_EQ(reg(kIer), 0x00);
  EXPECT_EQ(reg(kIir), 0x01);  // no interrupt, FIFOs off
  EXPECT_EQ(reg(kLcr), 0x00);
  EXPECT_EQ(reg(kMcr), 0x08);  // OUT2
  EXPECT_EQ(reg(kLsr), 0x60);  // THRE | TEMT
  EXPECT_EQ(reg(kMsr), 0xb0);  // DCD | DSR | CTS
  EXPECT_EQ(reg(kScr), 0x00);
  set(kLcr, 0x80);
  EXPECT_EQ(reg(kDll), 0x0c);
  EXPECT_EQ(reg(kDlm), 0x00);
  EXPECT_FALSE(irq.level());
}

TEST_F(UartTest, ThrBytesReachTheChardevAtOnce) {
  for (char c : std::string("hello\n")) {
    set(kThr, static_cast<uint8_t>(c));
    EXPECT_EQ(reg(kLsr) & 0x60, 0x60) << "THR and the transmitter are empty again";
  }
  EXPECT_EQ(console.text, "hello\n");
}

TEST_F(UartTest, DivisorLatchSwitchesOffsetsZeroAndOne) {
  set(kIer, 0x05);
  set(kLcr, 0x83);  // DLAB + 8N1, as OpenSBI's uart8250_init does
  set(kDll, 0x01);
  set(kDlm, 0x02);
  EXPECT_EQ(reg(kDll), 0x01);
  EXPECT_EQ(reg(kDlm), 0x02);
  set(kThr, 'x');  // with DLAB set this is DLL, not output
  EXPECT_EQ(console.text, "");
  EXPECT_EQ(reg(kDll), 'x');
  set(kLcr, 0x03);
  EXPECT_EQ(reg(kIer), 0x05);
  EXPECT_EQ(reg(kLcr), 0x03);
  set(kThr, 'y');
  EXPECT_EQ(console.text, "y");
  set(kLcr, 0x83);
  EXPECT_EQ(reg(kDlm), 0x02);
}

TEST_F(UartTest, IerKeepsOnlyItsFourBits) {
  set(kIer, 0xff);
  EXPECT_EQ(reg(kIer), 0x0f);
}

TEST_F(UartTest, ScratchRegisterHoldsAByte) {
  set(kScr, 0xa5);
  EXPECT_EQ(reg(kScr), 0xa5);
}

TEST_F(UartTest, WithoutFifoOneByteWaitsInRbrAndTheRestInTheBacklog) {
  type("abc");
  EXPECT_EQ(reg(kLsr) & 0x01, 0x01);
  EXPECT_EQ(uart.backlog_size(), 2u);
  EXPECT_EQ(reg(kRbr), 'a');
  EXPECT_EQ(uart.backlog_size(), 1u);
  EXPECT_EQ(reg(kRbr), 'b');
  EXPECT_EQ(reg(kRbr), 'c');
  EXPECT_EQ(reg(kLsr) & 0x01, 0x00);
  EXPECT_EQ(uart.backlog_size(), 0u);
}

TEST_F(UartTest, FifoHoldsSixteenAndRefillsFromTheBacklogInOrder) {
  set(kFcr, 0x07);  // enable, reset both FIFOs
  std::string input;
  for (int i = 0; i < 40; ++i) input.push_back(static_cast<char>('A' + i % 26));
  type(input);
  EXPECT_EQ(uart.backlog_size(), 40u - Uart16550::kFifoSize);
  EXPECT_EQ(read_all_ready(), input);
  EXPECT_EQ(uart.backlog_size(), 0u);
  EXPECT_EQ(reg(kLsr) & 0x01, 0x00);
  EXPECT_EQ(reg(kRbr), 0x00) << "an empty FIFO reads 0";
}

TEST_F(UartTest, IirReportsFifosEnabled) {
  set(kFcr, 0x01);
  EXPECT_EQ(reg(kIir), 0xc1);
  set(kFcr, 0x00);
  EXPECT_EQ(reg(kIir), 0x01);
}

TEST_F(UartTest, ReceiverFifoResetDropsFifoButNotBacklog) {
  set(kFcr, 0x01);
  std::string input(20, 'z');
  input[16] = '!';
  type(input);
  set(kFcr, 0x03);  // reset the receive FIFO
  // The 16 bytes in the FIFO are gone; the backlog moves up.
  EXPECT_EQ(read_all_ready(), input.substr(16));
}

TEST_F(UartTest, ReceiveInterruptIsTimeoutBelowTriggerAndDataAtTrigger) {
  set(kFcr, 0xc1);  // FIFO on, trigger level 14
  set(kIer, 0x01);  // ERBFI
  EXPECT_FALSE(irq.level());
  type("abc");
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(reg(kIir), 0xcc) << "character timeout, raised without waiting";
  type("defghijklmn");  // 14 bytes now
  EXPECT_EQ(reg(kIir), 0xc4) << "received data available at the trigger level";
  EXPECT_EQ(read_all_ready(), "abcdefghijklmn");
  EXPECT_FALSE(irq.level());
  EXPECT_EQ(reg(kIir), 0xc1);
}

TEST_F(UartTest, ReceiveInterruptNeedsErbfi) {
  type("x");
  EXPECT_FALSE(irq.level());
  EXPECT_EQ(reg(kIir), 0x01);
  set(kIer, 0x01);
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(reg(kIir), 0x04);  // FIFOs off: plain received-data interrupt
}

TEST_F(UartTest, ThreInterruptRaisedByEnablingClearedByIirRead) {
  set(kIer, 0x02);  // ETBEI with THR empty
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(reg(kIir), 0x02);
  EXPECT_FALSE(irq.level()) << "reading IIR with THRE as the source clears it";
  EXPECT_EQ(reg(kIir), 0x01);
  set(kIer, 0x02);  // unchanged: no new edge, no interrupt
  EXPECT_FALSE(irq.level());
  set(kIer, 0x03);  // ERBFI changes, ETBEI stays on: THRE is not resampled
  EXPECT_FALSE(irq.level());
  EXPECT_EQ(reg(kIir), 0x01);
  set(kThr, 'a');  // the byte leaves at once and THR is empty again
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(reg(kIir), 0x02);
  EXPECT_FALSE(irq.level());
}

TEST_F(UartTest, LinuxThreRetestSequenceSeesTheInterruptTwice) {
  // serial8250_do_startup's UART_BUG_THRE probe: enable, read IIR, disable,
  // enable, read IIR; a good 16550 reports THRE both times.
  set(kIer, 0x02);
  uint8_t first = reg(kIir);
  set(kIer, 0x00);
  set(kIer, 0x02);
  uint8_t second = reg(kIir);
  set(kIer, 0x00);
  EXPECT_EQ(first & 0x01, 0);
  EXPECT_EQ(second & 0x01, 0);
  EXPECT_FALSE(irq.level());
}

TEST_F(UartTest, InterruptPriorityLineStatusThenDataThenThre) {
  set(kMcr, 0x10);  // loopback: transmitted bytes arrive at the receiver
  set(kIer, 0x07);  // ELSI | ETBEI | ERBFI
  set(kThr, '1');
  set(kThr, '2');  // no FIFO: the second byte overruns the first
  EXPECT_EQ(console.text, "") << "loopback keeps bytes off the line";
  EXPECT_EQ(reg(kIir), 0x06) << "line status first";
  EXPECT_EQ(reg(kLsr) & 0x03, 0x03);  // OE | DR; reading LSR clears OE
  EXPECT_EQ(reg(kIir), 0x04) << "then received data";
  EXPECT_EQ(reg(kRbr), '2');
  EXPECT_EQ(reg(kIir), 0x02) << "then THR empty";
  EXPECT_EQ(reg(kIir), 0x01);
  EXPECT_FALSE(irq.level());
}

TEST_F(UartTest, LoopbackMirrorsModemControlInMsrAndHoldsHostInput) {
  set(kMcr, 0x1a);  // loop | OUT2 | RTS: Linux's autoconfig loopback check
  EXPECT_EQ(reg(kMsr) & 0xf0, 0x90);
  type("q");
  EXPECT_EQ(reg(kLsr) & 0x01, 0x00) << "no host input in loopback";
  set(kMcr, 0x0b);
  EXPECT_EQ(reg(kMsr), 0xb0);
  EXPECT_EQ(read_all_ready(), "q");
}

TEST_F(UartTest, RegistersAliasEveryEightBytesOnlyInsideTheWindowAndWiderAccessesReadTheByte) {
  EXPECT_EQ(uart.read(kLsr, 4), 0x60u);
  EXPECT_EQ(uart.read(kLsr, 8), 0x60u);
  EXPECT_EQ(uart.read(8 + kLsr, 1), 0u);
  uart.write(kScr, 0x1234, 4);
  EXPECT_EQ(reg(kScr), 0x34);
}

TEST_F(UartTest, ResetKeepsTheBacklogAndRestoresRegisters) {
  set(kFcr, 0x01);
  set(kIer, 0x0f);
  set(kLcr, 0x80);
  type("0123456789abcdefhello");  // 16 bytes fill the FIFO, "hello" waits
  uart.reset();
  EXPECT_EQ(reg(kLcr), 0x00);
  EXPECT_EQ(reg(kIer), 0x00);
  EXPECT_EQ(reg(kIir), 0x01);
  EXPECT_FALSE(irq.level());
  // The FIFO's contents are lost; FIFOs are off after power-on and the
  // backlog refills RBR byte by byte.
  EXPECT_EQ(read_all_ready(), "hello");
}

// Drives a UART the same way and records everything observable.
std::string exercise_uart(Uart16550& uart, CapturingChardev& console, InterruptLine& irq) {
  std::string trace;
  auto note = [&](uint64_t value) { trace += std::to_string(value) + ","; };
  uart.write(kThr, 'o', 1);
  for (uint64_t offset = 0; offset < 8; ++offset) note(uart.read(offset, 1));
  note(irq.level());
  uart.write(kIer, 0x00, 1);
  uart.write(kIer, 0x03, 1);
  note(uart.read(kIir, 1));
  while (uart.read(kLsr, 1) & 1) note(uart.read(kRbr, 1));
  note(irq.level());
  uart.write(kLcr, 0x80, 1);
  note(uart.read(kDll, 1));
  note(uart.read(kDlm, 1));
  return trace + console.text;
}

TEST(UartState, SaveLoadRoundTripGivesIdenticalBytesAndBehaviour) {
  CapturingChardev console_a, console_b;
  InterruptLine irq_a, irq_b;
  Uart16550 a(&console_a, &irq_a);
  a.write(kLcr, 0x83, 1);
  a.write(kDll, 0x03, 1);
  a.write(kDlm, 0x01, 1);
  a.write(kLcr, 0x03, 1);
  a.write(kFcr, 0x81, 1);
  a.write(kIer, 0x05, 1);
  a.write(kScr, 0x77, 1);
  std::string input(30, '.');
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<char>('a' + i % 26);
  a.receive(bytes_of(input));
  a.read(kRbr, 1);

  std::vector<uint8_t> state = saved(a);
  Uart16550 b(&console_b, &irq_b);
  load_into(b, state);
  EXPECT_EQ(saved(b), state);
  EXPECT_EQ(irq_b.level(), irq_a.level());
  EXPECT_EQ(exercise_uart(b, console_b, irq_b), exercise_uart(a, console_a, irq_a));
  EXPECT_EQ(saved(b), saved(a));
}

TEST(UartState, TruncatedOrBadStateIsRejected) {
  CapturingChardev console;
  InterruptLine irq;
  Uart16550 source(&console, &irq);
  source.write(kFcr, 0x01, 1);
  source.receive(bytes_of(std::string(20, 'k')));
  Uart16550 target(&console, &irq);
  target.write(kScr, 0x42, 1);
  expect_truncation_rejected(target, saved(source));

  std::vector<uint8_t> bad_version = saved(source);
  bad_version[0] = 99;
  StateReader in(bad_version);
  EXPECT_THROW(target.load(in), StateError);
}

// ---------------------------------------------------------------- CLINT

constexpr uint64_t kMsip = 0x0000, kMtimecmp = 0x4000, kMtime = 0xbff8;

class ClintTest : public ::testing::Test {
 protected:
  explicit ClintTest(unsigned shift = 0) : clock(shift) {}
  void run_to_icount(uint64_t icount) {
    clock.set_icount(icount);
    scheduler.run_due(clock.ns());
  }

  VirtualClock clock;
  EventScheduler scheduler;
  InterruptLine msip0, msip1, mtip0, mtip1;
  Clint clint{2, clock, scheduler, {&msip0, &msip1}, {&mtip0, &mtip1}};
};

TEST_F(ClintTest, MtimeIsVirtualNsOverOneHundred) {
  EXPECT_EQ(clint.mtime(), 0u);
  clock.advance(1099);
  EXPECT_EQ(clint.mtime(), 10u);
  EXPECT_EQ(clint.read(kMtime, 8), 10u);
  clock.advance(1);
  EXPECT_EQ(clint.read(kMtime, 8), 11u);
  EXPECT_EQ(clint.read(kMtime, 4), 11u);
  EXPECT_EQ(clint.read(kMtime + 4, 4), 0u);
}

// MTIP is mtime >= mtimecmp; both are 0 at power-on, so it is pending (as on
// QEMU 7.2) until firmware writes a compare in the future.
TEST_F(ClintTest, PowerOnMtimecmpReadsZeroAndMtipIsPending) {
  EXPECT_EQ(clint.read(kMtimecmp, 8), 0u);
  EXPECT_TRUE(mtip0.level());
  EXPECT_TRUE(mtip1.level());
  EXPECT_EQ(scheduler.next_deadline_ns(), EventScheduler::kNever);
}

TEST_F(ClintTest, MtipRisesAtTheExactIcountMtimeReachesMtimecmp) {
  clock.advance(250);  // mtime 2, halfway through a tick
  clint.write(kMtimecmp, 50, 8);
  EXPECT_FALSE(mtip0.level());
  EXPECT_EQ(scheduler.next_deadline_ns(), 5000u);
  run_to_icount(4999);
  EXPECT_FALSE(mtip0.level());
  EXPECT_EQ(clint.mtime(), 49u);
  run_to_icount(5000);
  EXPECT_TRUE(mtip0.level());
  EXPECT_EQ(clint.mtime(), 50u);
  EXPECT_TRUE(mtip1.level()) << "hart 1's compare is still 0, always reached";
}

TEST_F(ClintTest, AllOnesCompareNeverFires) {
  clint.write(kMtimecmp, ~0ull, 8);
  EXPECT_FALSE(mtip0.level());
  EXPECT_EQ(scheduler.next_deadline_ns(), EventScheduler::kNever);
}

TEST_F(ClintTest, CompareInThePastRaisesAtOnceAndAFutureOneLowers) {
  clock.advance(1000);
  clint.write(kMtimecmp + 8, 10, 8);  // hart 1, == mtime
  EXPECT_TRUE(mtip1.level());
  clint.write(kMtimecmp + 8, 11, 8);
  EXPECT_FALSE(mtip1.level());
  EXPECT_EQ(scheduler.next_deadline_ns(), 1100u);
  clint.write(kMtimecmp + 8, 20, 8);
  EXPECT_EQ(scheduler.next_deadline_ns(), 2000u) << "the earlier event was cancelled";
  run_to_icount(1999);
  EXPECT_FALSE(mtip1.level());
  run_to_icount(2000);
  EXPECT_TRUE(mtip1.level());
}

TEST_F(ClintTest, MtimecmpHalvesAreAccessibleWith32BitAccesses) {
  // Write high first with all-ones low, as RV32 code does, to avoid a spurious match.
  clint.write(kMtimecmp, 0xffffffff, 4);
  clint.write(kMtimecmp + 4, 0x00000001, 4);
  clint.write(kMtimecmp, 0x00000002, 4);
  EXPECT_EQ(clint.read(kMtimecmp, 8), 0x100000002u);
  EXPECT_EQ(clint.read(kMtimecmp, 4), 0x2u);
  EXPECT_EQ(clint.read(kMtimecmp + 4, 4), 0x1u);
  EXPECT_EQ(scheduler.next_deadline_ns(), 0x100000002ull * 100);
  clint.write(kMtimecmp + 4, 0x5, 8);  // 64-bit access at +4 is not decoded
  EXPECT_EQ(clint.read(kMtimecmp + 4, 4), 0x1u);
}

TEST_F(ClintTest, WritingMtimeMovesTimeAndReevaluatesEveryHart) {
  clint.write(kMtimecmp, 1000, 8);
  clint.write(kMtimecmp + 8, 5000, 8);
  clock.advance(300);  // mtime 3
  clint.write(kMtime, 2000, 8);
  EXPECT_EQ(clint.mtime(), 2000u);
  EXPECT_TRUE(mtip0.level());
  EXPECT_FALSE(mtip1.level());
  // hart 1 now fires after 3000 more ticks, counted from tick 3.
  EXPECT_EQ(scheduler.next_deadline_ns(), (3u + 3000u) * 100);
  clock.advance(100);
  EXPECT_EQ(clint.mtime(), 2001u);
  clint.write(kMtime + 4, 0x1, 4);
  EXPECT_EQ(clint.mtime(), 0x1000007d1u);
  EXPECT_TRUE(mtip1.level());
  clint.write(kMtime, 7, 4);
  EXPECT_EQ(clint.mtime(), 0x100000007u);
}

TEST_F(ClintTest, MsipDrivesTheSoftwareInterruptLineFromBitZero) {
  clint.write(kMsip + 4, 1, 4);
  EXPECT_TRUE(msip1.level());
  EXPECT_FALSE(msip0.level());
  EXPECT_EQ(clint.read(kMsip + 4, 4), 1u);
  clint.write(kMsip + 4, 2, 4);
  EXPECT_FALSE(msip1.level());
  clint.write(kMsip, 1, 8);  // msip takes 32-bit accesses only
  EXPECT_FALSE(msip0.level());
  EXPECT_EQ(clint.read(kMsip + 8, 4), 0u) << "no third hart";
}

TEST_F(ClintTest, ResetRestoresPowerOnLinesAndCancelsEvents) {
  clint.write(kMsip, 1, 4);
  clint.write(kMtimecmp, 0, 8);
  clint.write(kMtimecmp + 8, 99, 8);
  clint.write(kMtime, 12345, 8);
  clint.reset();
  EXPECT_FALSE(msip0.level());
  EXPECT_TRUE(mtip0.level()) << "mtime 0 >= mtimecmp 0 after reset";
  EXPECT_TRUE(mtip1.level());
  EXPECT_EQ(scheduler.next_deadline_ns(), EventScheduler::kNever);
  EXPECT_EQ(clint.mtime(), 0u);
  EXPECT_EQ(clint.read(kMtimecmp + 8, 8), 0u);
}

TEST(ClintIcount, DeadlineMapsToTheFirstIcountAtOrAfterIt) {
  VirtualClock clock(2);  // 4 ns per instruction
  EventScheduler scheduler;
  InterruptLine mtip;
  Clint clint(1, clock, scheduler, {nullptr}, {&mtip});
  clint.write(kMtimecmp, 3, 8);  // 300 ns
  uint64_t deadline = scheduler.next_deadline_ns();
  EXPECT_EQ(deadline, 300u);
  EXPECT_EQ(clock.icount_for_ns(deadline), 75u);
  clock.set_icount(74);
  scheduler.run_due(clock.ns());
  EXPECT_FALSE(mtip.level());
  clock.set_icount(75);
  scheduler.run_due(clock.ns());
  EXPECT_TRUE(mtip.level());
}

TEST(ClintLifetime, DestroyingTheClintCancelsItsEvents) {
  VirtualClock clock;
  EventScheduler scheduler;
  {
    Clint clint(1, clock, scheduler, {}, {});
    clint.write(kMtimecmp, 5, 8);
    EXPECT_EQ(scheduler.next_deadline_ns(), 500u);
  }
  EXPECT_EQ(scheduler.next_deadline_ns(), EventScheduler::kNever);
}

struct ClintRig {
  VirtualClock clock;
  EventScheduler scheduler;
  InterruptLine msip[2], mtip[2];
  Clint clint{2, clock, scheduler, {&msip[0], &msip[1]}, {&mtip[0], &mtip[1]}};
  std::string levels() const {
    return std::to_string(msip[0].level()) + std::to_string(msip[1].level()) + std::to_string(mtip[0].level()) +
           std::to_string(mtip[1].level());
  }
};

TEST(ClintState, SaveLoadRoundTripReArmsTheTimer) {
  ClintRig a, b;
  a.clock.set_icount(777);
  b.clock.set_icount(777);
  a.clint.write(kMtime, 1000, 8);
  a.clint.write(kMsip + 4, 1, 4);
  a.clint.write(kMtimecmp, 1000, 8);  // fires now
  a.clint.write(kMtimecmp + 8, 1042, 8);

  std::vector<uint8_t> state = saved(a.clint);
  load_into(b.clint, state);
  EXPECT_EQ(saved(b.clint), state);
  EXPECT_EQ(b.levels(), a.levels());
  EXPECT_EQ(b.clint.mtime(), a.clint.mtime());
  EXPECT_EQ(b.scheduler.next_deadline_ns(), a.scheduler.next_deadline_ns());
  for (uint64_t icount = 777; icount < 777 + 5000; icount += 50) {
    a.clock.set_icount(icount);
    b.clock.set_icount(icount);
    a.scheduler.run_due(a.clock.ns());
    b.scheduler.run_due(b.clock.ns());
    ASSERT_EQ(b.levels(), a.levels()) << "at icount " << icount;
  }
  EXPECT_EQ(a.levels(), "0111");  // msip hart 1, mtip both
  EXPECT_EQ(saved(b.clint), saved(a.clint));
}

TEST(ClintState, LoadReplacesAPendingEvent) {
  ClintRig a, b;
  b.clint.write(kMtimecmp, 3, 8);  // b has its own event at 300 ns
  load_into(b.clint, saved(a.clint));
  EXPECT_EQ(b.scheduler.next_deadline_ns(), EventScheduler::kNever);
}

TEST(ClintState, TruncatedStateIsRejected) {
  ClintRig a, b;
  a.clint.write(kMtimecmp, 50, 8);
  b.clint.write(kMsip, 1, 4);
  expect_truncation_rejected(b.clint, saved(a.clint));
  EXPECT_TRUE(b.msip[0].level());
}

TEST(ClintState, HartCountMismatchIsRejected) {
  VirtualClock clock;
  EventScheduler scheduler;
  Clint one(1, clock, scheduler, {}, {});
  ClintRig two;
  StateWriter out;
  two.clint.save(out);
  StateReader in(out.data());
  EXPECT_THROW(one.load(in), StateError);
}

// ---------------------------------------------------------------- PLIC

constexpr uint64_t kPriority = 0x0, kPending = 0x1000, kEnable = 0x2000, kThreshold = 0x200000, kClaim = 0x200004;
constexpr uint64_t enable_word(unsigned context, unsigned word) { return kEnable + 0x80 * context + 4 * word; }
constexpr uint64_t threshold(unsigned context) { return kThreshold + 0x1000 * context; }
constexpr uint64_t claim(unsigned context) { return kClaim + 0x1000 * context; }

class PlicTest : public ::testing::Test {
 protected:
  // Two harts, as on virt: context 0 = hart 0 M, 1 = hart 0 S, 2 = hart 1 M, 3 = hart 1 S.
  InterruptLine lines[4];
  Plic plic{96, 4, {&lines[0], &lines[1], &lines[2], &lines[3]}};

  void enable(unsigned context, unsigned source) {
    uint64_t offset = enable_word(context, source / 32);
    plic.write(offset, plic.read(offset, 4) | (1u << (source % 32)), 4);
  }
};

TEST_F(PlicTest, PriorityIsAThreeBitField) {
  plic.write(kPriority + 4 * 10, 0xf, 4);
  EXPECT_EQ(plic.read(kPriority + 4 * 10, 4), 7u);
  plic.write(kPriority + 4 * 10, 3, 4);
  EXPECT_EQ(plic.read(kPriority + 4 * 10, 4), 3u);
  plic.write(threshold(1), 9, 4);
  EXPECT_EQ(plic.read(threshold(1), 4), 1u);
}

TEST_F(PlicTest, PendingFollowsTheLevelAndOnlyEnabledContextsSeeIt) {
  plic.set_source_level(10, true);
  EXPECT_EQ(plic.read(kPending, 4), 1u << 10);
  plic.write(kPriority + 4 * 10, 1, 4);
  EXPECT_FALSE(lines[1].level()) << "not enabled yet";
  enable(1, 10);
  EXPECT_TRUE(lines[1].level());
  EXPECT_FALSE(lines[0].level());
  EXPECT_FALSE(lines[3].level());
  plic.set_source_level(10, false);
  EXPECT_EQ(plic.read(kPending, 4), 0u) << "an unclaimed request drops with its level";
  EXPECT_FALSE(lines[1].level());
}

TEST_F(PlicTest, PriorityZeroNeverInterrupts) {
  enable(0, 5);
  plic.set_source_level(5, true);
  EXPECT_FALSE(lines[0].level());
  EXPECT_EQ(plic.read(claim(0), 4), 0u);
}

TEST_F(PlicTest, ThresholdMasksPrioritiesAtOrBelowIt) {
  plic.write(kPriority + 4 * 10, 3, 4);
  enable(1, 10);
  plic.set_source_level(10, true);
  plic.write(threshold(1), 3, 4);
  EXPECT_FALSE(lines[1].level());
  EXPECT_EQ(plic.read(claim(1), 4), 0u);
  plic.write(threshold(1), 2, 4);
  EXPECT_TRUE(lines[1].level());
}

TEST_F(PlicTest, ClaimCompleteGatewayForALevelSource) {
  plic.write(kPriority + 4 * 10, 1, 4);
  enable(1, 10);
  plic.set_source_level(10, true);
  EXPECT_EQ(plic.read(claim(1), 4), 10u);
  EXPECT_EQ(plic.read(kPending, 4), 0u);
  EXPECT_FALSE(lines[1].level()) << "claimed: not re-pended while the level stays high";
  EXPECT_EQ(plic.read(claim(1), 4), 0u);
  plic.write(claim(1), 10, 4);  // complete with the level still high
  EXPECT_EQ(plic.read(kPending, 4), 1u << 10);
  EXPECT_TRUE(lines[1].level());
  EXPECT_EQ(plic.read(claim(1), 4), 10u);
  plic.set_source_level(10, false);
  plic.write(claim(1), 10, 4);  // complete after the device went quiet
  EXPECT_EQ(plic.read(kPending, 4), 0u);
  EXPECT_FALSE(lines[1].level());
}

TEST_F(PlicTest, ARisingEdgeWhileClaimedWaitsForComplete) {
  plic.write(kPriority + 4 * 7, 1, 4);
  enable(0, 7);
  plic.set_source_level(7, true);
  EXPECT_EQ(plic.read(claim(0), 4), 7u);
  plic.set_source_level(7, false);
  plic.set_source_level(7, true);
  EXPECT_FALSE(lines[0].level());
  plic.write(claim(0), 7, 4);
  EXPECT_TRUE(lines[0].level());
}

TEST_F(PlicTest, ClaimTakesHighestPriorityThenLowestId) {
  for (unsigned source : {3u, 5u, 7u, 40u}) {
    enable(1, source);
    plic.set_source_level(source, true);
  }
  plic.write(kPriority + 4 * 3, 2, 4);
  plic.write(kPriority + 4 * 5, 5, 4);
  plic.write(kPriority + 4 * 7, 5, 4);
  plic.write(kPriority + 4 * 40, 6, 4);
  EXPECT_EQ(plic.read(kPending + 4, 4), 1u << (40 - 32));
  EXPECT_EQ(plic.read(claim(1), 4), 40u);
  EXPECT_EQ(plic.read(claim(1), 4), 5u);
  EXPECT_EQ(plic.read(claim(1), 4), 7u);
  EXPECT_EQ(plic.read(claim(1), 4), 3u);
  EXPECT_EQ(plic.read(claim(1), 4), 0u);
  EXPECT_FALSE(lines[1].level());
}

TEST_F(PlicTest, ContextsAreIndependentAndAClaimIsGlobal) {
  plic.write(kPriority + 4 * 1, 1, 4);
  enable(0, 1);
  enable(3, 1);
  plic.set_source_level(1, true);
  EXPECT_TRUE(lines[0].level());
  EXPECT_TRUE(lines[3].level());
  EXPECT_EQ(plic.read(claim(3), 4), 1u);
  EXPECT_FALSE(lines[0].level()) << "hart 1 S-mode claimed it for everyone";
  EXPECT_EQ(plic.read(claim(0), 4), 0u);
}

TEST_F(PlicTest, EnableBitsReadBackPerContext) {
  plic.write(enable_word(2, 0), 0xdeadbeef, 4);
  plic.write(enable_word(2, 2), 0x12345678, 4);
  EXPECT_EQ(plic.read(enable_word(2, 0), 4), 0xdeadbeefu);
  EXPECT_EQ(plic.read(enable_word(2, 2), 4), 0x12345678u);
  EXPECT_EQ(plic.read(enable_word(1, 0), 4), 0u);
  plic.write(enable_word(2, 3), 0xffffffff, 4);  // past 96 sources
  EXPECT_EQ(plic.read(enable_word(2, 3), 4), 0u);
}

TEST_F(PlicTest, UnimplementedRangesAndOtherWidthsReadZero) {
  plic.write(kPriority + 4 * 9, 5, 4);
  EXPECT_EQ(plic.read(kPriority + 4 * 9, 8), 0u);
  EXPECT_EQ(plic.read(kPriority + 4 * 9, 1), 0u);
  EXPECT_EQ(plic.read(kPriority + 4 * 96, 4), 0u);
  EXPECT_EQ(plic.read(kPending + 12, 4), 0u);
  EXPECT_EQ(plic.read(0x200008, 4), 0u);
  EXPECT_EQ(plic.read(threshold(4), 4), 0u) << "only 4 contexts";
  EXPECT_EQ(plic.read(0x5ffffc, 4), 0u);
  plic.write(kPending, 0xffffffff, 4);  // pending is read-only
  EXPECT_EQ(plic.read(kPending, 4), 0u);
}

TEST_F(PlicTest, OutOfRangeSourcesAndCompletionsAreIgnored) {
  plic.set_source_level(0, true);
  plic.set_source_level(96, true);
  plic.set_source_level(5000, true);
  EXPECT_EQ(plic.read(kPending, 4), 0u);
  plic.write(claim(0), 96, 4);
  plic.write(claim(0), 12, 4);  // completing an unclaimed source does nothing
  EXPECT_EQ(plic.read(kPending, 4), 0u);
}

TEST_F(PlicTest, ResetClearsConfigurationButKeepsInputLevels) {
  plic.write(kPriority + 4 * 10, 1, 4);
  enable(1, 10);
  plic.set_source_level(10, true);
  EXPECT_EQ(plic.read(claim(1), 4), 10u);
  plic.reset();
  EXPECT_FALSE(lines[1].level());
  EXPECT_EQ(plic.read(kPriority + 4 * 10, 4), 0u);
  EXPECT_EQ(plic.read(enable_word(1, 0), 4), 0u);
  EXPECT_EQ(plic.read(kPending, 4), 1u << 10) << "the device still drives its line";
}

TEST(PlicWithUart, UartInterruptReachesTheSupervisorContext) {
  InterruptLine supervisor;
  Plic plic(96, 2, {nullptr, &supervisor});
  InterruptLine uart_irq([&plic](bool level) { plic.set_source_level(10, level); });
  Uart16550 uart(nullptr, &uart_irq);
  plic.write(kPriority + 4 * 10, 1, 4);
  plic.write(enable_word(1, 0), 1u << 10, 4);
  uart.write(kIer, 0x01, 1);
  uint8_t byte = 'k';
  uart.receive(std::span<const uint8_t>(&byte, 1));
  EXPECT_TRUE(supervisor.level());
  EXPECT_EQ(plic.read(claim(1), 4), 10u);
  EXPECT_EQ(uart.read(kRbr, 1), 'k');
  plic.write(claim(1), 10, 4);
  EXPECT_FALSE(supervisor.level());
}

std::string exercise_plic(Plic& plic, InterruptLine* lines) {
  std::string trace;
  auto note = [&](uint64_t value) { trace += std::to_string(value) + ","; };
  for (unsigned context = 0; context < 4; ++context) note(lines[context].level());
  plic.set_source_level(33, true);
  for (unsigned context = 0; context < 4; ++context) note(plic.read(claim(context), 4));
  plic.write(claim(1), 20, 4);
  plic.write(claim(1), 33, 4);
  for (unsigned context = 0; context < 4; ++context) note(plic.read(claim(context), 4));
  note(plic.read(kPending, 4));
  note(plic.read(kPending + 4, 4));
  return trace;
}

TEST(PlicState, SaveLoadRoundTripGivesIdenticalBytesAndBehaviour) {
  InterruptLine lines_a[4], lines_b[4];
  Plic a(96, 4, {&lines_a[0], &lines_a[1], &lines_a[2], &lines_a[3]});
  Plic b(96, 4, {&lines_b[0], &lines_b[1], &lines_b[2], &lines_b[3]});
  for (unsigned source : {20u, 33u, 64u}) a.write(kPriority + 4 * source, source % 7 + 1, 4);
  a.write(enable_word(1, 0), 1u << 20, 4);
  a.write(enable_word(1, 1), 1u << 1, 4);
  a.write(enable_word(2, 2), 1u << 0, 4);
  a.write(threshold(2), 1, 4);
  a.set_source_level(20, true);
  a.set_source_level(64, true);
  EXPECT_EQ(a.read(claim(1), 4), 20u);

  std::vector<uint8_t> state = saved(a);
  load_into(b, state);
  EXPECT_EQ(saved(b), state);
  for (unsigned context = 0; context < 4; ++context) EXPECT_EQ(lines_b[context].level(), lines_a[context].level());
  EXPECT_EQ(exercise_plic(b, lines_b), exercise_plic(a, lines_a));
  EXPECT_EQ(saved(b), saved(a));
}

TEST(PlicState, TruncatedOrInconsistentStateIsRejected) {
  Plic a(96, 4, {});
  a.write(kPriority + 4 * 3, 2, 4);
  a.set_source_level(3, true);
  Plic b(96, 4, {});
  b.write(kPriority + 4 * 8, 6, 4);
  expect_truncation_rejected(b, saved(a));

  Plic small(32, 4, {});
  std::vector<uint8_t> wrong_size = saved(small);
  StateReader in(wrong_size);
  EXPECT_THROW(b.load(in), StateError);
}

// ---------------------------------------------------------------- sifive_test

struct FinisherLog {
  std::vector<std::pair<SifiveTest::Request, uint16_t>> requests;
  SifiveTest device{[this](SifiveTest::Request request, uint16_t code) { requests.emplace_back(request, code); }};
};

TEST(SifiveTestDevice, StatusCodesMapToRequests) {
  FinisherLog log;
  log.device.write(0, 0x5555, 4);
  log.device.write(0, (42u << 16) | 0x3333, 4);
  log.device.write(0, 0x7777, 4);
  log.device.write(0, 0xffff5555, 4);  // pass ignores the code half
  ASSERT_EQ(log.requests.size(), 4u);
  EXPECT_EQ(log.requests[0], std::make_pair(SifiveTest::Request::PowerOff, uint16_t{0}));
  EXPECT_EQ(log.requests[1], std::make_pair(SifiveTest::Request::Fail, uint16_t{42}));
  EXPECT_EQ(log.requests[2], std::make_pair(SifiveTest::Request::Reset, uint16_t{0}));
  EXPECT_EQ(log.requests[3], std::make_pair(SifiveTest::Request::PowerOff, uint16_t{0}));
}

TEST(SifiveTestDevice, OtherValuesOffsetsAndWidthsAreIgnored) {
  FinisherLog log;
  log.device.write(0, 0x1234, 4);
  log.device.write(0, 0x0000, 4);
  log.device.write(4, 0x5555, 4);
  log.device.write(0, 0x5555, 8);
  log.device.write(0, 0x55, 1);
  EXPECT_TRUE(log.requests.empty());
  log.device.write(0, 0x3333, 2);  // 16-bit write: fail with code 0
  ASSERT_EQ(log.requests.size(), 1u);
  EXPECT_EQ(log.requests[0], std::make_pair(SifiveTest::Request::Fail, uint16_t{0}));
  EXPECT_EQ(log.device.read(0, 4), 0u);
}

TEST(SifiveTestDevice, StateIsJustAVersion) {
  FinisherLog a, b;
  std::vector<uint8_t> state = saved(a.device);
  load_into(b.device, state);
  EXPECT_EQ(saved(b.device), state);
  expect_truncation_rejected(b.device, state);
}

// ---------------------------------------------------------------- Goldfish RTC

constexpr uint64_t kTimeLow = 0x00, kTimeHigh = 0x04, kAlarmLow = 0x08, kAlarmHigh = 0x0c, kIrqEnabled = 0x10,
                   kClearAlarm = 0x14, kAlarmStatus = 0x18, kClearInterrupt = 0x1c;

constexpr uint64_t kSomeUnixNs = 1'700'000'000'123'456'789ull;

class RtcTest : public ::testing::Test {
 protected:
  uint64_t read_time() {
    uint64_t low = rtc.read(kTimeLow, 4);
    return (rtc.read(kTimeHigh, 4) << 32) | low;
  }
  // As Linux's goldfish_rtc_set_alarm does: high half, then low half to arm.
  void set_alarm(uint64_t ns) {
    rtc.write(kAlarmHigh, ns >> 32, 4);
    rtc.write(kAlarmLow, ns & 0xffffffff, 4);
  }
  void run_to_ns(uint64_t ns) {
    clock.set_icount(ns);
    scheduler.run_due(clock.ns());
  }

  VirtualClock clock;
  EventScheduler scheduler;
  InterruptLine irq;
  GoldfishRtc rtc{clock, scheduler, &irq};
};

TEST_F(RtcTest, TimeIsWallClockBasePlusVirtualTime) {
  EXPECT_EQ(read_time(), 0u);
  rtc.set_wall_clock_base(kSomeUnixNs);
  EXPECT_EQ(read_time(), kSomeUnixNs);
  clock.advance(1234);
  EXPECT_EQ(read_time(), kSomeUnixNs + 1234);
  EXPECT_EQ(rtc.now_ns(), kSomeUnixNs + 1234);
}

TEST_F(RtcTest, ReadingTimeLowLatchesTimeHigh) {
  uint64_t base = (5ull << 32) - 10;
  rtc.set_wall_clock_base(base);
  EXPECT_EQ(rtc.read(kTimeLow, 4), 0xfffffff6u);
  clock.advance(20);  // the true high half is now 5
  EXPECT_EQ(rtc.read(kTimeHigh, 4), 4u);
  EXPECT_EQ(rtc.read(kTimeLow, 4), 10u);
  EXPECT_EQ(rtc.read(kTimeHigh, 4), 5u);
}

TEST_F(RtcTest, GuestCanSetTheTime) {
  rtc.set_wall_clock_base(kSomeUnixNs);
  clock.advance(100);
  uint64_t wanted = 0x0000123400005678ull;
  rtc.write(kTimeHigh, wanted >> 32, 4);  // Linux's order: high, then low
  rtc.write(kTimeLow, wanted & 0xffffffff, 4);
  EXPECT_EQ(read_time(), wanted);
  clock.advance(50);
  EXPECT_EQ(read_time(), wanted + 50);
  rtc.reset();
  EXPECT_EQ(read_time(), wanted + 50) << "the time survives reset";
}

TEST_F(RtcTest, AlarmFiresThroughTheSchedulerAndRaisesTheEnabledInterrupt) {
  rtc.set_wall_clock_base(kSomeUnixNs);
  clock.advance(1000);
  rtc.write(kIrqEnabled, 1, 4);
  set_alarm(kSomeUnixNs + 1500);
  EXPECT_EQ(rtc.read(kAlarmStatus, 4), 1u);
  EXPECT_EQ(rtc.read(kAlarmLow, 4), (kSomeUnixNs + 1500) & 0xffffffff);
  EXPECT_EQ(rtc.read(kAlarmHigh, 4), (kSomeUnixNs + 1500) >> 32);
  EXPECT_EQ(scheduler.next_deadline_ns(), 1500u);
  run_to_ns(1499);
  EXPECT_FALSE(irq.level());
  run_to_ns(1500);
  EXPECT_TRUE(irq.level());
  EXPECT_EQ(rtc.read(kAlarmStatus, 4), 0u);
  rtc.write(kClearInterrupt, 1, 4);
  EXPECT_FALSE(irq.level());
}

TEST_F(RtcTest, AlarmInThePastFiresAtOnceAndIrqEnabledGatesTheLine) {
  rtc.set_wall_clock_base(kSomeUnixNs);
  set_alarm(kSomeUnixNs - 1);
  EXPECT_EQ(rtc.read(kAlarmStatus, 4), 0u);
  EXPECT_FALSE(irq.level()) << "pending but not enabled";
  rtc.write(kIrqEnabled, 3, 4);
  EXPECT_EQ(rtc.read(kIrqEnabled, 4), 1u);
  EXPECT_TRUE(irq.level());
  rtc.write(kIrqEnabled, 0, 4);
  EXPECT_FALSE(irq.level());
}

TEST_F(RtcTest, ClearAlarmDisarms) {
  rtc.write(kIrqEnabled, 1, 4);
  set_alarm(700);
  rtc.write(kClearAlarm, 1, 4);
  EXPECT_EQ(rtc.read(kAlarmStatus, 4), 0u);
  EXPECT_EQ(scheduler.next_deadline_ns(), EventScheduler::kNever);
  run_to_ns(10'000);
  EXPECT_FALSE(irq.level());
}

TEST_F(RtcTest, AlarmHighAloneDoesNotArmAndRearmingReplacesTheEvent) {
  rtc.write(kAlarmHigh, 1, 4);
  EXPECT_EQ(rtc.read(kAlarmStatus, 4), 0u);
  EXPECT_EQ(scheduler.next_deadline_ns(), EventScheduler::kNever);
  set_alarm(900);
  set_alarm(400);
  EXPECT_EQ(scheduler.next_deadline_ns(), 400u);
  run_to_ns(400);
  EXPECT_EQ(scheduler.next_deadline_ns(), EventScheduler::kNever);
}

TEST_F(RtcTest, OnlyThirtyTwoBitAccessesAreDecoded) {
  rtc.set_wall_clock_base(kSomeUnixNs);
  EXPECT_EQ(rtc.read(kTimeLow, 8), 0u);
  rtc.write(kIrqEnabled, 1, 8);
  EXPECT_EQ(rtc.read(kIrqEnabled, 4), 0u);
  EXPECT_EQ(rtc.read(0x20, 4), 0u);
}

TEST_F(RtcTest, ResetDisarmsAndClears) {
  rtc.write(kIrqEnabled, 1, 4);
  set_alarm(0);  // fires now
  set_alarm(5000);
  EXPECT_TRUE(irq.level());
  rtc.reset();
  EXPECT_FALSE(irq.level());
  EXPECT_EQ(rtc.read(kAlarmStatus, 4), 0u);
  EXPECT_EQ(rtc.read(kIrqEnabled, 4), 0u);
  EXPECT_EQ(scheduler.next_deadline_ns(), EventScheduler::kNever);
}

struct RtcRig {
  VirtualClock clock;
  EventScheduler scheduler;
  InterruptLine irq;
  GoldfishRtc rtc{clock, scheduler, &irq};
};

TEST(RtcState, SaveLoadRoundTripReArmsTheAlarm) {
  RtcRig a, b;
  a.clock.set_icount(100);
  b.clock.set_icount(100);
  a.rtc.set_wall_clock_base(kSomeUnixNs);
  a.rtc.write(kTimeLow, 0x11111111, 4);
  a.rtc.read(kTimeLow, 4);
  a.rtc.write(kIrqEnabled, 1, 4);
  uint64_t now = a.rtc.now_ns();
  a.rtc.write(kAlarmHigh, (now + 2000) >> 32, 4);
  a.rtc.write(kAlarmLow, (now + 2000) & 0xffffffff, 4);

  std::vector<uint8_t> state = saved(a.rtc);
  load_into(b.rtc, state);
  EXPECT_EQ(saved(b.rtc), state);
  EXPECT_EQ(b.rtc.now_ns(), a.rtc.now_ns());
  EXPECT_EQ(b.rtc.read(kTimeHigh, 4), a.rtc.read(kTimeHigh, 4));
  EXPECT_EQ(b.scheduler.next_deadline_ns(), 2100u);
  for (uint64_t icount = 100; icount <= 3000; icount += 100) {
    a.clock.set_icount(icount);
    b.clock.set_icount(icount);
    a.scheduler.run_due(a.clock.ns());
    b.scheduler.run_due(b.clock.ns());
    ASSERT_EQ(b.irq.level(), a.irq.level()) << "at icount " << icount;
    ASSERT_EQ(b.rtc.read(kAlarmStatus, 4), a.rtc.read(kAlarmStatus, 4));
  }
  EXPECT_TRUE(b.irq.level());
  EXPECT_EQ(saved(b.rtc), saved(a.rtc));
}

TEST(RtcState, TruncatedStateIsRejected) {
  RtcRig a, b;
  a.rtc.set_wall_clock_base(kSomeUnixNs);
  a.rtc.write(kAlarmLow, 50, 4);
  b.rtc.write(kIrqEnabled, 1, 4);
  expect_truncation_rejected(b.rtc, saved(a.rtc));
  EXPECT_EQ(b.rtc.read(kIrqEnabled, 4), 1u);
}

TEST(RtcLifetime, DestroyingTheRtcCancelsItsAlarm) {
  VirtualClock clock;
  EventScheduler scheduler;
  {
    GoldfishRtc rtc(clock, scheduler, nullptr);
    rtc.write(kAlarmLow, 50, 4);
    EXPECT_EQ(scheduler.next_deadline_ns(), 50u);
  }
  EXPECT_EQ(scheduler.next_deadline_ns(), EventScheduler::kNever);
}

}  // namespace
}  // namespace emu
