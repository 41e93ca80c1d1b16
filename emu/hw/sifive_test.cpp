// SiFive test finisher; see sifive_test.h for the register map.
#include "emu/hw/sifive_test.h"

#include <utility>

namespace emu {

namespace {

constexpr uint64_t kFinisher = 0x0;

constexpr uint16_t kStatusFail = 0x3333;
constexpr uint16_t kStatusPass = 0x5555;
constexpr uint16_t kStatusReset = 0x7777;

constexpr uint8_t kStateVersion = 1;

}  // namespace

SifiveTest::SifiveTest(std::function<void(Request, uint16_t code)> on_request) : on_request_(std::move(on_request)) {}

uint64_t SifiveTest::read(uint64_t offset, unsigned size) {
  (void)offset;
  (void)size;
  return 0;
}

void SifiveTest::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset != kFinisher || (size != 2 && size != 4)) return;
  auto status = static_cast<uint16_t>(value & 0xffff);
  auto code = static_cast<uint16_t>((value >> 16) & 0xffff);
  Request request = Request::None;
  switch (status) {
    case kStatusPass:
      request = Request::PowerOff;
      code = 0;
      break;
    case kStatusFail:
      request = Request::Fail;
      break;
    case kStatusReset:
      request = Request::Reset;
      code = 0;
      break;
    default:
      return;
  }
  if (on_request_) on_request_(request, code);
}

void SifiveTest::save(StateWriter& out) const { out.u8(kStateVersion); }

void SifiveTest::load(StateReader& in) {
  if (in.u8() != kStateVersion) throw StateError("sifive_test: unsupported state version");
}

}  // namespace emu
