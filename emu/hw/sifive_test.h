// SiFive test finisher (sifive,test0 / syscon) as on QEMU 7.2's riscv virt
// board: the guest powers off, fails or resets the machine by writing a
// status word. OpenSBI and Linux reach it through syscon-poweroff and
// syscon-reboot.
//
// Register map:
//   0x0  write (16 or 32 bits): low 16 bits are the status,
//        high 16 bits the exit code for a failure:
//          0x5555 pass  -> Request::PowerOff, code 0
//          0x3333 fail  -> Request::Fail, code = value >> 16
//          0x7777 reset -> Request::Reset, code 0
//        other status values are ignored.
// Reads return 0. 8- and 1-byte accesses are not decoded (QEMU accepts 2..4).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "emu/core/device.h"

namespace emu {

class SifiveTest : public Device {
 public:
  enum class Request { None, PowerOff, Fail, Reset };

  // on_request runs synchronously inside write(); the board decides what
  // powering off or resetting means (typically: stop after this instruction).
  explicit SifiveTest(std::function<void(Request, uint16_t code)> on_request);

  std::string_view name() const override { return "sifive_test"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  void reset() override {}
  // No guest-visible state: the stream holds only the version byte.
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

 private:
  std::function<void(Request, uint16_t code)> on_request_;
};

}  // namespace emu
