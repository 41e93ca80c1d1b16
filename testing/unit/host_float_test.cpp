// Tests for emu/target/riscv/host_float: the host-FPU fast path must be
// indistinguishable from the pure softfloat (which softfloat_test checks
// against MPFR). Every operation, both formats, all five rounding modes:
// result bits and exception flags must match on operands biased towards the
// places where the host and RISC-V differ: NaNs (signaling too), infinities,
// zeros of both signs, subnormals, and above all operands whose result lands
// on or near the smallest normal (tininess before vs after rounding) or the
// largest finite value (overflow in directed modes).
#include "emu/target/riscv/host_float.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <bit>
#include <cfenv>
#include <cstdint>
#include <vector>

#include "emu/target/riscv/csr_numbers.h"
#include "emu/target/riscv/softfloat.h"

namespace emu::riscv::host_float {
namespace {

namespace sf = softfloat;

struct Single {
  using Bits = uint32_t;
  using Host = float;
  static constexpr int kFractionBits = 23;
  static constexpr uint32_t kMaxExponentField = 255;
  static constexpr uint32_t kBias = 127;
};
struct Double {
  using Bits = uint64_t;
  using Host = double;
  static constexpr int kFractionBits = 52;
  static constexpr uint32_t kMaxExponentField = 2047;
  static constexpr uint32_t kBias = 1023;
};

template <class T>
constexpr typename T::Bits kSign = typename T::Bits{1} << (sizeof(typename T::Bits) * 8 - 1);
template <class T>
constexpr typename T::Bits kMinNormal = typename T::Bits{1} << T::kFractionBits;
template <class T>
constexpr typename T::Bits kInfinity = typename T::Bits{T::kMaxExponentField} << T::kFractionBits;
template <class T>
constexpr typename T::Bits kFractionMask = kMinNormal<T> - 1;

constexpr std::array<sf::RoundingMode, 5> kModes = {sf::RoundingMode::NearestEven, sf::RoundingMode::TowardZero,
                                                      sf::RoundingMode::Down, sf::RoundingMode::Up,
                                                      sf::RoundingMode::NearestMaxMagnitude};

template <typename Bits>
rc::Gen<Bits> genBits() {
  return rc::gen::map(rc::gen::pair(rc::gen::arbitrary<uint32_t>(), rc::gen::arbitrary<uint32_t>()),
                      [](std::pair<uint32_t, uint32_t> halves) {
                        return static_cast<Bits>((uint64_t{halves.first} << 32) | halves.second);
                      });
}

// A fraction that is random, or has few significant bits (exact results and
// ties), or is all ones / almost zero.
template <class T>
typename T::Bits genFraction() {
  using Bits = typename T::Bits;
  const Bits random = *genBits<Bits>() & kFractionMask<T>;
  switch (*rc::gen::inRange(0, 4)) {
    case 0: return random;
    case 1: {
      const int keptBits = *rc::gen::inRange(0, T::kFractionBits + 1);
      return keptBits == 0 ? Bits{0} : Bits(random & ~((Bits{1} << (T::kFractionBits - keptBits)) - 1));
    }
    case 2: return kFractionMask<T> - (random & 7);
    default: return random & 7;
  }
}

template <class T>
typename T::Bits genValue() {
  using Bits = typename T::Bits;
  const Bits sign = *rc::gen::arbitrary<bool>() ? kSign<T> : 0;
  const Bits quiet = Bits{1} << (T::kFractionBits - 1);
  const uint32_t maxField = T::kMaxExponentField;
  uint32_t field = 0;
  switch (*rc::gen::inRange(0, 10)) {
    case 0: {  // specials and boundaries
      const std::vector<Bits> specials = {0,
                                          kInfinity<T>,
                                          kInfinity<T> | quiet,                       // canonical NaN
                                          kInfinity<T> | quiet | 0x55,                // quiet NaN with payload
                                          kInfinity<T> | 1,                           // signaling NaN
                                          kInfinity<T> | (quiet - 1),                 // signaling NaN
                                          1,                                          // smallest subnormal
                                          kMinNormal<T> - 1,                          // largest subnormal
                                          kMinNormal<T>,
                                          kMinNormal<T> + 1,
                                          kInfinity<T> - 1,                           // largest finite
                                          kInfinity<T> - 2,
                                          Bits{T::kBias} << T::kFractionBits};        // 1.0
      return sign | *rc::gen::elementOf(specials);
    }
    case 1: return *genBits<Bits>();
    case 2: field = 0; break;                                            // subnormal (or zero)
    case 3: field = *rc::gen::inRange<uint32_t>(1, 4); break;            // smallest normals
    case 4: field = *rc::gen::inRange<uint32_t>(maxField - 4, maxField); break;  // near overflow
    case 5:
    case 6: field = *rc::gen::inRange<uint32_t>(T::kBias - 8, T::kBias + 8); break;  // around 1
    default: field = *rc::gen::inRange<uint32_t>(1, maxField); break;
  }
  return sign | (Bits{field} << T::kFractionBits) | genFraction<T>();
}

// `value` moved by a few units in the last place (bit-pattern neighbours),
// random sign kept.
template <class T>
typename T::Bits nudge(typename T::Bits value) {
  using Bits = typename T::Bits;
  const int ulps = *rc::gen::inRange(-3, 4);
  const Bits sign = value & kSign<T>;
  const Bits magnitude = value & ~kSign<T>;
  if (ulps < 0 && magnitude < Bits(-ulps)) return sign;
  return sign | Bits(magnitude + Bits(static_cast<typename T::Bits>(ulps)));
}

template <class T>
typename T::Host host(typename T::Bits bits) {
  return std::bit_cast<typename T::Host>(bits);
}
template <class T>
typename T::Bits bits(typename T::Host value) {
  return std::bit_cast<typename T::Bits>(value);
}

// A result magnitude where host and RISC-V conventions part: the smallest
// normal (tininess), its neighbours, and the largest finite value (overflow).
template <class T>
typename T::Host genTarget() {
  using Bits = typename T::Bits;
  const std::vector<Bits> targets = {kMinNormal<T>, kMinNormal<T> - 1, kMinNormal<T> + 1, kMinNormal<T> * 2,
                                     kInfinity<T> - 1, kInfinity<T> - 2, Bits{1}};
  const Bits target = *rc::gen::elementOf(targets) | (*rc::gen::arbitrary<bool>() ? kSign<T> : 0);
  return host<T>(nudge<T>(target));
}

enum class Op { Add, Sub, Mul, Div, Sqrt, Fma };

// Operands for `op`: either independent values, or chosen (with host
// arithmetic in the default mode, then nudged) so the exact result lies next
// to a target from genTarget, or cancels to (almost) zero.
template <class T>
std::array<typename T::Bits, 3> genOperands(Op op) {
  using Host = typename T::Host;
  std::array<typename T::Bits, 3> operands = {genValue<T>(), genValue<T>(), genValue<T>()};
  if (*rc::gen::inRange(0, 3) == 0) return operands;
  const Host a = host<T>(operands[0]), b = host<T>(operands[1]);
  const bool cancel = *rc::gen::inRange(0, 4) == 0;
  const Host target = cancel ? Host{0} : genTarget<T>();
  switch (op) {
    case Op::Add: operands[1] = nudge<T>(bits<T>(target - a)); break;
    case Op::Sub: operands[1] = nudge<T>(bits<T>(a - target)); break;
    case Op::Mul: operands[1] = nudge<T>(bits<T>(target / a)); break;
    case Op::Div: operands[0] = nudge<T>(bits<T>(target * b)); break;
    case Op::Sqrt: operands[0] = nudge<T>(bits<T>(a * a)); break;  // perfect squares and neighbours
    case Op::Fma: operands[2] = nudge<T>(bits<T>(target - a * b)); break;
  }
  return operands;
}

template <class T>
typename T::Bits runHost(Op op, const std::array<typename T::Bits, 3>& x, sf::RoundingMode rm, uint8_t& flags) {
  if constexpr (sizeof(typename T::Bits) == 4) {
    switch (op) {
      case Op::Add: return host_float::f32_add(x[0], x[1], rm, flags);
      case Op::Sub: return host_float::f32_sub(x[0], x[1], rm, flags);
      case Op::Mul: return host_float::f32_mul(x[0], x[1], rm, flags);
      case Op::Div: return host_float::f32_div(x[0], x[1], rm, flags);
      case Op::Sqrt: return host_float::f32_sqrt(x[0], rm, flags);
      case Op::Fma: return host_float::f32_fma(x[0], x[1], x[2], rm, flags);
    }
  } else {
    switch (op) {
      case Op::Add: return host_float::f64_add(x[0], x[1], rm, flags);
      case Op::Sub: return host_float::f64_sub(x[0], x[1], rm, flags);
      case Op::Mul: return host_float::f64_mul(x[0], x[1], rm, flags);
      case Op::Div: return host_float::f64_div(x[0], x[1], rm, flags);
      case Op::Sqrt: return host_float::f64_sqrt(x[0], rm, flags);
      case Op::Fma: return host_float::f64_fma(x[0], x[1], x[2], rm, flags);
    }
  }
  return 0;
}

template <class T>
typename T::Bits runSoft(Op op, const std::array<typename T::Bits, 3>& x, sf::RoundingMode rm, uint8_t& flags) {
  if constexpr (sizeof(typename T::Bits) == 4) {
    switch (op) {
      case Op::Add: return sf::f32_add(x[0], x[1], rm, flags);
      case Op::Sub: return sf::f32_sub(x[0], x[1], rm, flags);
      case Op::Mul: return sf::f32_mul(x[0], x[1], rm, flags);
      case Op::Div: return sf::f32_div(x[0], x[1], rm, flags);
      case Op::Sqrt: return sf::f32_sqrt(x[0], rm, flags);
      case Op::Fma: return sf::f32_fma(x[0], x[1], x[2], rm, flags);
    }
  } else {
    switch (op) {
      case Op::Add: return sf::f64_add(x[0], x[1], rm, flags);
      case Op::Sub: return sf::f64_sub(x[0], x[1], rm, flags);
      case Op::Mul: return sf::f64_mul(x[0], x[1], rm, flags);
      case Op::Div: return sf::f64_div(x[0], x[1], rm, flags);
      case Op::Sqrt: return sf::f64_sqrt(x[0], rm, flags);
      case Op::Fma: return sf::f64_fma(x[0], x[1], x[2], rm, flags);
    }
  }
  return 0;
}

// Each rapidcheck case checks a batch of operand triples in all five modes,
// so the pinned max_success covers thousands of inputs per op and mode.
template <class T>
void checkMatchesSoftfloat(Op op) {
  const auto batch = *rc::gen::container<std::vector<std::array<typename T::Bits, 3>>>(
      12, rc::gen::exec([op] { return genOperands<T>(op); }));
  for (const auto& operands : batch) {
    for (const sf::RoundingMode rm : kModes) {
      uint8_t hostFlags = 0, softFlags = 0;
      const auto hostResult = runHost<T>(op, operands, rm, hostFlags);
      const auto softResult = runSoft<T>(op, operands, rm, softFlags);
      RC_LOG() << std::hex << "op " << static_cast<int>(op) << " rm " << static_cast<int>(rm) << " operands "
               << uint64_t{operands[0]} << " " << uint64_t{operands[1]} << " " << uint64_t{operands[2]}
               << " host " << uint64_t{hostResult} << "/" << int{hostFlags} << " softfloat "
               << uint64_t{softResult} << "/" << int{softFlags} << "\n";
      RC_ASSERT(hostResult == softResult);
      RC_ASSERT(hostFlags == softFlags);
    }
  }
}

RC_GTEST_PROP(HostFloat, F32AddMatchesSoftfloat, ()) { checkMatchesSoftfloat<Single>(Op::Add); }
RC_GTEST_PROP(HostFloat, F32SubMatchesSoftfloat, ()) { checkMatchesSoftfloat<Single>(Op::Sub); }
RC_GTEST_PROP(HostFloat, F32MulMatchesSoftfloat, ()) { checkMatchesSoftfloat<Single>(Op::Mul); }
RC_GTEST_PROP(HostFloat, F32DivMatchesSoftfloat, ()) { checkMatchesSoftfloat<Single>(Op::Div); }
RC_GTEST_PROP(HostFloat, F32SqrtMatchesSoftfloat, ()) { checkMatchesSoftfloat<Single>(Op::Sqrt); }
RC_GTEST_PROP(HostFloat, F32FmaMatchesSoftfloat, ()) { checkMatchesSoftfloat<Single>(Op::Fma); }
RC_GTEST_PROP(HostFloat, F64AddMatchesSoftfloat, ()) { checkMatchesSoftfloat<Double>(Op::Add); }
RC_GTEST_PROP(HostFloat, F64SubMatchesSoftfloat, ()) { checkMatchesSoftfloat<Double>(Op::Sub); }
RC_GTEST_PROP(HostFloat, F64MulMatchesSoftfloat, ()) { checkMatchesSoftfloat<Double>(Op::Mul); }
RC_GTEST_PROP(HostFloat, F64DivMatchesSoftfloat, ()) { checkMatchesSoftfloat<Double>(Op::Div); }
RC_GTEST_PROP(HostFloat, F64SqrtMatchesSoftfloat, ()) { checkMatchesSoftfloat<Double>(Op::Sqrt); }
RC_GTEST_PROP(HostFloat, F64FmaMatchesSoftfloat, ()) { checkMatchesSoftfloat<Double>(Op::Fma); }

// The comparisons above pass trivially if the fast path never runs; these pin
// down that it does, for ordinary operands, and what it leaves alone.
TEST(HostFloat, FastPathTakesOrdinaryOperands) {
  if (!host_path_available()) GTEST_SKIP() << "no host FPU path on this host";
  uint64_t sum = 0;
  uint8_t flags = 0;
  ASSERT_TRUE(try_f64_add(bits<Double>(1.0), bits<Double>(2.0), sf::RoundingMode::NearestEven, sum, flags));
  EXPECT_EQ(sum, bits<Double>(3.0));
  EXPECT_EQ(flags, 0);
  ASSERT_TRUE(try_f64_add(bits<Double>(0.1), bits<Double>(0.2), sf::RoundingMode::Up, sum, flags));
  EXPECT_EQ(flags, kFflagNX);
  uint8_t softFlags = 0;
  EXPECT_EQ(sum, sf::f64_add(bits<Double>(0.1), bits<Double>(0.2), sf::RoundingMode::Up, softFlags));
  uint32_t product = 0;
  flags = 0;
  ASSERT_TRUE(try_f32_mul(bits<Single>(1.5f), bits<Single>(-3.0f), sf::RoundingMode::TowardZero, product, flags));
  EXPECT_EQ(product, bits<Single>(-4.5f));
  EXPECT_EQ(flags, 0);
}

TEST(HostFloat, FastPathLeavesRiscvSpecificCasesToSoftfloat) {
  uint64_t sum = 0;
  uint8_t flags = 0;
  // RMM has no host rounding mode.
  EXPECT_FALSE(try_f64_add(bits<Double>(0.1), bits<Double>(0.2), sf::RoundingMode::NearestMaxMagnitude, sum, flags));
  // NaN results are canonical on RISC-V; overflow raises OF.
  EXPECT_FALSE(try_f64_add(0x7ff0000000000001ull, bits<Double>(1.0), sf::RoundingMode::NearestEven, sum, flags));
  EXPECT_FALSE(try_f64_add(0x7fefffffffffffffull, 0x7fefffffffffffffull, sf::RoundingMode::TowardZero, sum, flags));
  // An inexact result at the smallest normal: tininess conventions differ.
  uint32_t product = 0;
  EXPECT_FALSE(try_f32_mul(0x00800001u, 0x3f7fffffu, sf::RoundingMode::NearestEven, product, flags));
  EXPECT_EQ(flags, 0);
}

// A directed mode must not leak into the host's own floating point.
TEST(HostFloat, HostRoundingModeIsRestored) {
  uint8_t flags = 0;
  host_float::f64_add(bits<Double>(0.1), bits<Double>(0.2), sf::RoundingMode::Up, flags);
  host_float::f32_fma(bits<Single>(0.1f), bits<Single>(0.2f), bits<Single>(0.3f), sf::RoundingMode::Down, flags);
  EXPECT_EQ(std::fegetround(), FE_TONEAREST);
}

}  // namespace
}  // namespace emu::riscv::host_float
