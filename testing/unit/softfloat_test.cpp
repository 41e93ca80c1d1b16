// Tests for emu/target/riscv/softfloat: results and exception flags of every
// operation, in both formats and all five rounding modes, against an oracle
// built on MPFR, plus hand-picked RISC-V edge cases.
//
// How the oracle works (see roundToFormat below):
//  1. MPFR computes the operation with a wide precision (kWorkPrecision bits)
//     and its default, practically unbounded exponent range.
//  2. If that was inexact, the value is turned into a "round to odd" stand-in:
//     one extra bit is appended and set, giving a number strictly between the
//     two neighbours that bracket the true result. Rounding that stand-in to
//     any precision of at most kWorkPrecision - 1 bits gives the same result
//     as rounding the true real number (no p-bit value or p-bit midpoint lies
//     strictly between the neighbours), so a single final rounding is exact.
//  3. The final rounding is done by MPFR at the precision the format has at
//     the result's exponent: p bits for normal numbers, fewer for subnormals.
//     RMM (ties to max magnitude) is emulated: a tie is a value that needs
//     exactly one more bit than the target precision (mpfr_min_prec), and is
//     rounded with MPFR_RNDA; anything else rounds like MPFR_RNDN.
//  4. Flags: NX when the final rounding was inexact. UF follows RISC-V's
//     tininess AFTER rounding: the value is rounded once more to p bits with
//     the unbounded exponent range, and is tiny when that is below 2^emin;
//     UF = tiny && NX. MPFR's own underflow flag is not used, because with
//     an emulated subnormal range it refers to the subnormal emin. OF when the
//     unbounded-exponent p-bit rounding exceeds the largest exponent. NV comes
//     from MPFR producing a NaN (invalid operation) for non-NaN inputs, DZ from
//     MPFR's divide-by-zero flag. NaN inputs are decided by the RISC-V rules
//     (canonical NaN, NV only for signaling NaNs; fma(inf, 0, qNaN) raises NV,
//     RISC-V unprivileged ISA 11.6), because MPFR has a single kind of NaN.
#include "emu/target/riscv/softfloat.h"

#include <gtest/gtest.h>
#include <mpfr.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "emu/target/riscv/csr_numbers.h"

namespace emu::riscv::softfloat {
namespace {

constexpr mpfr_prec_t kWorkPrecision = 256;

// ---------------------------------------------------------------------------
// Format descriptions for the tests (independent of the implementation's).

struct Binary32 {
  using Bits = uint32_t;
  static constexpr const char* kName = "binary32";
  static constexpr int kPrecision = 24;
  static constexpr int kFractionBits = 23;
  static constexpr int kBias = 127;
  static constexpr int kMaxExponentField = 255;
  static constexpr int kEmin = -126;  // exponent of the smallest normal number
  static constexpr int kEmax = 127;
  static constexpr Bits kSignBit = 0x80000000u;
  static constexpr Bits kInfinity = 0x7f800000u;
  static constexpr Bits kMaxFinite = 0x7f7fffffu;
  static constexpr Bits kQuietBit = 0x00400000u;
  static constexpr Bits kCanonicalNaN = kCanonicalNaN32;
  static void toMpfr(mpfr_ptr out, Bits x) { mpfr_set_flt(out, std::bit_cast<float>(x), MPFR_RNDN); }
  // Only called with values the format represents, so the conversion is exact.
  static Bits fromMpfr(mpfr_srcptr x) { return std::bit_cast<Bits>(mpfr_get_flt(x, MPFR_RNDN)); }

  static constexpr auto add = f32_add;
  static constexpr auto sub = f32_sub;
  static constexpr auto mul = f32_mul;
  static constexpr auto div = f32_div;
  static constexpr auto sqrt = f32_sqrt;
  static constexpr auto fma = f32_fma;
  static constexpr auto min = f32_min;
  static constexpr auto max = f32_max;
  static constexpr auto eq = f32_eq;
  static constexpr auto lt = f32_lt;
  static constexpr auto le = f32_le;
  static constexpr auto classify = f32_classify;
};

struct Binary64 {
  using Bits = uint64_t;
  static constexpr const char* kName = "binary64";
  static constexpr int kPrecision = 53;
  static constexpr int kFractionBits = 52;
  static constexpr int kBias = 1023;
  static constexpr int kMaxExponentField = 2047;
  static constexpr int kEmin = -1022;
  static constexpr int kEmax = 1023;
  static constexpr Bits kSignBit = 0x8000000000000000ull;
  static constexpr Bits kInfinity = 0x7ff0000000000000ull;
  static constexpr Bits kMaxFinite = 0x7fefffffffffffffull;
  static constexpr Bits kQuietBit = 0x0008000000000000ull;
  static constexpr Bits kCanonicalNaN = kCanonicalNaN64;
  static void toMpfr(mpfr_ptr out, Bits x) { mpfr_set_d(out, std::bit_cast<double>(x), MPFR_RNDN); }
  static Bits fromMpfr(mpfr_srcptr x) { return std::bit_cast<Bits>(mpfr_get_d(x, MPFR_RNDN)); }

  static constexpr auto add = f64_add;
  static constexpr auto sub = f64_sub;
  static constexpr auto mul = f64_mul;
  static constexpr auto div = f64_div;
  static constexpr auto sqrt = f64_sqrt;
  static constexpr auto fma = f64_fma;
  static constexpr auto min = f64_min;
  static constexpr auto max = f64_max;
  static constexpr auto eq = f64_eq;
  static constexpr auto lt = f64_lt;
  static constexpr auto le = f64_le;
  static constexpr auto classify = f64_classify;
};

template <class T>
bool isNaN(typename T::Bits x) {
  return (x & ~T::kSignBit) > T::kInfinity;
}
template <class T>
bool isSignalingNaN(typename T::Bits x) {
  return isNaN<T>(x) && (x & T::kQuietBit) == 0;
}

// ---------------------------------------------------------------------------
// MPFR helpers.

class MpfrNumber {
 public:
  explicit MpfrNumber(mpfr_prec_t precision) { mpfr_init2(value_, precision); }
  ~MpfrNumber() { mpfr_clear(value_); }
  MpfrNumber(const MpfrNumber&) = delete;
  MpfrNumber& operator=(const MpfrNumber&) = delete;
  mpfr_ptr get() { return value_; }
  mpfr_srcptr get() const { return value_; }

 private:
  mpfr_t value_;
};

constexpr std::pair<RoundingMode, const char*> kRoundingModes[] = {
    {RoundingMode::NearestEven, "RNE"}, {RoundingMode::TowardZero, "RTZ"},          {RoundingMode::Down, "RDN"},
    {RoundingMode::Up, "RUP"},          {RoundingMode::NearestMaxMagnitude, "RMM"},
};

const char* roundingModeName(RoundingMode rm) {
  for (const auto& [mode, name] : kRoundingModes) {
    if (mode == rm) return name;
  }
  return "?";
}

mpfr_rnd_t directedMpfrMode(RoundingMode rm) {
  switch (rm) {
    case RoundingMode::TowardZero:
      return MPFR_RNDZ;
    case RoundingMode::Down:
      return MPFR_RNDD;
    case RoundingMode::Up:
      return MPFR_RNDU;
    default:
      return MPFR_RNDN;
  }
}

// Rounds `source` into `target` (its precision) in mode rm; returns MPFR's
// ternary value. RMM is emulated as described at the top of the file.
int roundInto(mpfr_ptr target, mpfr_srcptr source, RoundingMode rm) {
  if (rm == RoundingMode::NearestMaxMagnitude) {
    const bool tie = mpfr_regular_p(source) && mpfr_min_prec(source) == mpfr_get_prec(target) + 1;
    return mpfr_set(target, source, tie ? MPFR_RNDA : MPFR_RNDN);
  }
  return mpfr_set(target, source, directedMpfrMode(rm));
}

// The mode for the wide first computation: toward zero, except toward -inf
// for RDN so that exact zero sums get the IEEE sign (-0 only in RDN).
mpfr_rnd_t wideMode(RoundingMode rm) { return rm == RoundingMode::Down ? MPFR_RNDD : MPFR_RNDZ; }

// Step 2 of the oracle: an inexact wide result becomes its round-to-odd
// stand-in, one bit longer and with that bit set.
void makeRoundToOdd(mpfr_ptr value, int ternary) {
  if (ternary == 0) return;
  mpfr_prec_round(value, mpfr_get_prec(value) + 1, MPFR_RNDN);  // exact
  if (ternary < 0) {
    mpfr_nextabove(value);  // the true value is above the computed one
  } else {
    mpfr_nextbelow(value);
  }
}

struct Expected {
  uint64_t bits;
  uint8_t flags;
};

std::string flagNames(uint8_t flags) {
  std::string names;
  const std::pair<uint8_t, const char*> kNames[] = {
      {kFflagNV, "NV"}, {kFflagDZ, "DZ"}, {kFflagOF, "OF"}, {kFflagUF, "UF"}, {kFflagNX, "NX"}};
  for (const auto& [flag, name] : kNames) {
    if ((flags & flag) != 0) names += std::string(names.empty() ? "" : "|") + name;
  }
  return names.empty() ? "none" : names;
}

std::string hex(uint64_t value) {
  std::ostringstream out;
  out << "0x" << std::hex << value;
  return out.str();
}

// Steps 3 and 4: rounds a finite nonzero exact-or-odd value to format T.
template <class T>
Expected roundNonzeroToFormat(mpfr_srcptr value, RoundingMode rm) {
  using Bits = typename T::Bits;
  const bool negative = mpfr_signbit(value) != 0;
  const Bits sign = negative ? T::kSignBit : 0;

  // p bits, unbounded exponent: decides overflow and tininess.
  MpfrNumber unbounded(T::kPrecision);
  const int unboundedTernary = roundInto(unbounded.get(), value, rm);
  // MPFR numbers are m * 2^exp with m in [0.5, 1): IEEE exponent = exp - 1.
  const long unboundedExponent = mpfr_get_exp(unbounded.get()) - 1;
  if (unboundedExponent > T::kEmax) {
    const bool toInfinity = rm == RoundingMode::Up     ? !negative
                            : rm == RoundingMode::Down ? negative
                                                       : rm != RoundingMode::TowardZero;
    return {sign | (toInfinity ? T::kInfinity : T::kMaxFinite), kFflagOF | kFflagNX};
  }
  const bool tiny = unboundedExponent < T::kEmin;

  const long exponent = mpfr_get_exp(value) - 1;
  Bits bits = 0;
  bool inexact = false;
  if (exponent >= T::kEmin) {
    bits = T::fromMpfr(unbounded.get());
    inexact = unboundedTernary != 0;
  } else {
    // Subnormal range: precision shrinks by one bit per binade below emin.
    const long precision = T::kPrecision - (T::kEmin - exponent);
    if (precision >= 1) {
      MpfrNumber rounded(precision);
      inexact = roundInto(rounded.get(), value, rm) != 0;
      bits = T::fromMpfr(rounded.get());
    } else {
      // |value| < the smallest subnormal s: the result is 0 or s. With
      // precision 0 the value lies in [s/2, s); below that it is < s/2.
      MpfrNumber halfSmallest(8);
      mpfr_set_ui_2exp(halfSmallest.get(), 1, T::kEmin - T::kPrecision, MPFR_RNDN);
      const int versusHalf = mpfr_cmpabs(value, halfSmallest.get());
      bool awayFromZero = false;
      switch (rm) {
        case RoundingMode::NearestEven:
          awayFromZero = versusHalf > 0;  // exactly s/2 ties to even, i.e. 0
          break;
        case RoundingMode::NearestMaxMagnitude:
          awayFromZero = versusHalf >= 0;
          break;
        case RoundingMode::TowardZero:
          awayFromZero = false;
          break;
        case RoundingMode::Down:
          awayFromZero = negative;
          break;
        case RoundingMode::Up:
          awayFromZero = !negative;
          break;
      }
      bits = sign | (awayFromZero ? 1 : 0);
      inexact = true;
    }
  }
  uint8_t flags = 0;
  if (inexact) flags |= kFflagNX;
  if (inexact && tiny) flags |= kFflagUF;
  return {bits, flags};
}

// Turns an MPFR result (computed with ternary `ternary` at kWorkPrecision and
// wideMode(rm)) into the expected RISC-V result. MPFR flags must describe
// only that computation.
template <class T>
Expected finish(mpfr_ptr value, int ternary, RoundingMode rm) {
  using Bits = typename T::Bits;
  if (mpfr_nan_p(value)) return {T::kCanonicalNaN, kFflagNV};  // invalid operation
  const Bits sign = mpfr_signbit(value) ? T::kSignBit : 0;
  if (mpfr_inf_p(value)) return {sign | T::kInfinity, uint8_t(mpfr_divby0_p() ? kFflagDZ : 0)};
  if (mpfr_zero_p(value)) return {sign, 0};
  makeRoundToOdd(value, ternary);
  return roundNonzeroToFormat<T>(value, rm);
}

enum class Operation { Add, Sub, Mul, Div };

const char* operationName(Operation op) {
  switch (op) {
    case Operation::Add:
      return "add";
    case Operation::Sub:
      return "sub";
    case Operation::Mul:
      return "mul";
    case Operation::Div:
      return "div";
  }
  return "?";
}

template <class T>
Expected oracleBinary(Operation op, typename T::Bits a, typename T::Bits b, RoundingMode rm) {
  if (isNaN<T>(a) || isNaN<T>(b)) {
    return {T::kCanonicalNaN, uint8_t(isSignalingNaN<T>(a) || isSignalingNaN<T>(b) ? kFflagNV : 0)};
  }
  MpfrNumber x(T::kPrecision), y(T::kPrecision), result(kWorkPrecision);
  T::toMpfr(x.get(), a);
  T::toMpfr(y.get(), b);
  mpfr_clear_flags();
  const mpfr_rnd_t mode = wideMode(rm);
  int ternary = 0;
  switch (op) {
    case Operation::Add:
      ternary = mpfr_add(result.get(), x.get(), y.get(), mode);
      break;
    case Operation::Sub:
      ternary = mpfr_sub(result.get(), x.get(), y.get(), mode);
      break;
    case Operation::Mul:
      ternary = mpfr_mul(result.get(), x.get(), y.get(), mode);
      break;
    case Operation::Div:
      ternary = mpfr_div(result.get(), x.get(), y.get(), mode);
      break;
  }
  return finish<T>(result.get(), ternary, rm);
}

template <class T>
Expected oracleSqrt(typename T::Bits a, RoundingMode rm) {
  if (isNaN<T>(a)) return {T::kCanonicalNaN, uint8_t(isSignalingNaN<T>(a) ? kFflagNV : 0)};
  MpfrNumber x(T::kPrecision), result(kWorkPrecision);
  T::toMpfr(x.get(), a);
  mpfr_clear_flags();
  const int ternary = mpfr_sqrt(result.get(), x.get(), wideMode(rm));
  return finish<T>(result.get(), ternary, rm);
}

template <class T>
Expected oracleFma(typename T::Bits a, typename T::Bits b, typename T::Bits c, RoundingMode rm) {
  const auto isInfinity = [](typename T::Bits x) { return (x & ~T::kSignBit) == T::kInfinity; };
  const auto isZero = [](typename T::Bits x) { return (x & ~T::kSignBit) == 0; };
  if (isNaN<T>(a) || isNaN<T>(b) || isNaN<T>(c)) {
    // RISC-V 11.6: inf * 0 raises NV even when the addend is a quiet NaN.
    const bool invalid = isSignalingNaN<T>(a) || isSignalingNaN<T>(b) || isSignalingNaN<T>(c) ||
                         (isInfinity(a) && isZero(b)) || (isZero(a) && isInfinity(b));
    return {T::kCanonicalNaN, uint8_t(invalid ? kFflagNV : 0)};
  }
  MpfrNumber x(T::kPrecision), y(T::kPrecision), z(T::kPrecision), result(kWorkPrecision);
  T::toMpfr(x.get(), a);
  T::toMpfr(y.get(), b);
  T::toMpfr(z.get(), c);
  mpfr_clear_flags();
  const int ternary = mpfr_fma(result.get(), x.get(), y.get(), z.get(), wideMode(rm));
  return finish<T>(result.get(), ternary, rm);
}

template <class T>
Expected oracleFromInteger(bool isSigned, uint64_t value, RoundingMode rm) {
  MpfrNumber x(kWorkPrecision);
  if (isSigned) {
    mpfr_set_si(x.get(), static_cast<long>(static_cast<int64_t>(value)), MPFR_RNDN);
  } else {
    mpfr_set_ui(x.get(), static_cast<unsigned long>(value), MPFR_RNDN);
  }
  mpfr_clear_flags();
  return finish<T>(x.get(), 0, rm);
}

// Float to integer: MPFR rounds to an integral value (mpfr_rint with the
// mode, mpfr_round for ties away), then the range check of RISC-V table 11.4.
template <class T, typename Integer>
Expected oracleToInteger(typename T::Bits a, RoundingMode rm) {
  constexpr Integer kMax = std::numeric_limits<Integer>::max();
  constexpr Integer kMin = std::numeric_limits<Integer>::min();
  const auto raw = [](Integer value) { return static_cast<uint64_t>(value); };
  if (isNaN<T>(a)) return {raw(kMax), kFflagNV};
  MpfrNumber x(T::kPrecision), integral(kWorkPrecision);
  T::toMpfr(x.get(), a);
  if (mpfr_inf_p(x.get())) return {raw(mpfr_signbit(x.get()) ? kMin : kMax), kFflagNV};
  if (rm == RoundingMode::NearestMaxMagnitude) {
    mpfr_round(integral.get(), x.get());
  } else {
    mpfr_rint(integral.get(), x.get(), directedMpfrMode(rm));
  }
  bool inRange;
  if constexpr (std::is_signed_v<Integer>) {
    inRange = mpfr_cmp_si(integral.get(), static_cast<long>(kMin)) >= 0 &&
              mpfr_cmp_si(integral.get(), static_cast<long>(kMax)) <= 0;
  } else {
    inRange = mpfr_sgn(integral.get()) >= 0 && mpfr_cmp_ui(integral.get(), static_cast<unsigned long>(kMax)) <= 0;
  }
  if (!inRange) return {raw(mpfr_sgn(x.get()) < 0 ? kMin : kMax), kFflagNV};
  const uint8_t flags = mpfr_equal_p(integral.get(), x.get()) ? 0 : kFflagNX;
  if constexpr (std::is_signed_v<Integer>) {
    return {raw(static_cast<Integer>(mpfr_get_si(integral.get(), MPFR_RNDN))), flags};
  } else {
    return {raw(static_cast<Integer>(mpfr_get_ui(integral.get(), MPFR_RNDN))), flags};
  }
}

template <class To, class From>
Expected oracleConvert(typename From::Bits a, RoundingMode rm) {
  if (isNaN<From>(a)) return {To::kCanonicalNaN, uint8_t(isSignalingNaN<From>(a) ? kFflagNV : 0)};
  MpfrNumber x(kWorkPrecision);
  From::toMpfr(x.get(), a);
  mpfr_clear_flags();
  return finish<To>(x.get(), 0, rm);
}

// ---------------------------------------------------------------------------
// Generators. Uniform bit patterns almost never hit the hard cases, so most
// values are built from a sign, an exponent from an interesting region and a
// fraction with a structure that produces exact results and ties.

rc::Gen<RoundingMode> genRoundingMode() {
  return rc::gen::element(RoundingMode::NearestEven, RoundingMode::TowardZero, RoundingMode::Down, RoundingMode::Up,
                          RoundingMode::NearestMaxMagnitude);
}

template <class T>
typename T::Bits makeValue(bool negative, uint32_t exponentField, typename T::Bits fraction) {
  using Bits = typename T::Bits;
  constexpr Bits kFractionMask = (Bits{1} << T::kFractionBits) - 1;
  return (negative ? T::kSignBit : 0) | (Bits{exponentField} << T::kFractionBits) | (fraction & kFractionMask);
}

// A value 1.fraction * 2^exponent for any exponent the format reaches
// (subnormals when below emin; the lost low bits are simply dropped).
template <class T>
typename T::Bits makeFromExponent(bool negative, int exponent, typename T::Bits fraction) {
  using Bits = typename T::Bits;
  constexpr Bits kFractionMask = (Bits{1} << T::kFractionBits) - 1;
  if (exponent > T::kEmax) return (negative ? T::kSignBit : 0) | T::kInfinity;
  if (exponent >= T::kEmin) return makeValue<T>(negative, uint32_t(exponent + T::kBias), fraction);
  const int shift = T::kEmin - exponent;
  const Bits significand = (fraction & kFractionMask) | (Bits{1} << T::kFractionBits);
  return makeValue<T>(negative, 0, shift > T::kFractionBits ? 0 : significand >> shift);
}

template <typename Bits>
rc::Gen<Bits> uniformBits() {
  return rc::gen::map(
      rc::gen::pair(rc::gen::inRange<uint32_t>(0, 0xffffffffu), rc::gen::inRange<uint32_t>(0, 0xffffffffu)),
      [](std::pair<uint32_t, uint32_t> halves) {
        return static_cast<Bits>((uint64_t{halves.first} << 32) | halves.second);
      });
}

template <class T>
rc::Gen<typename T::Bits> genFraction() {
  using Bits = typename T::Bits;
  constexpr Bits kFractionMask = (Bits{1} << T::kFractionBits) - 1;
  return rc::gen::weightedOneOf<Bits>({
      {4, uniformBits<Bits>()},
      // Few significant bits: sums, products and quotients of such values are
      // often exact or land exactly halfway between two representable values.
      {4, rc::gen::exec([] {
         const int keptBits = *rc::gen::inRange(0, T::kFractionBits + 1);
         const Bits random = *uniformBits<Bits>() & kFractionMask;
         return keptBits == 0 ? Bits{0} : Bits(random & ~((Bits{1} << (T::kFractionBits - keptBits)) - 1));
       })},
      {2, rc::gen::element<Bits>(0, kFractionMask, 1, kFractionMask - 1, Bits{1} << (T::kFractionBits - 1),
                                 (Bits{1} << (T::kFractionBits - 1)) | 1)},
      {1, rc::gen::inRange<Bits>(0, 64)},
      {1, rc::gen::map(rc::gen::inRange<Bits>(0, 64), [](Bits low) { return Bits(kFractionMask - low); })},
  });
}

template <class T>
rc::Gen<uint32_t> genExponentField() {
  constexpr uint32_t kMax = T::kMaxExponentField;
  constexpr uint32_t kBias = T::kBias;
  return rc::gen::weightedOneOf<uint32_t>({
      {3, rc::gen::inRange<uint32_t>(0, kMax + 1)},
      {3, rc::gen::inRange<uint32_t>(0, 4)},                                  // subnormals, smallest normals
      {2, rc::gen::inRange<uint32_t>(kMax - 4, kMax)},                        // near overflow
      {3, rc::gen::inRange<uint32_t>(kBias - 4, kBias + T::kPrecision + 4)},  // around 1 .. 2^p
      {1, rc::gen::inRange<uint32_t>(kBias + 28, kBias + 66)},                // around 2^31 .. 2^65
  });
}

template <class T>
rc::Gen<typename T::Bits> genSpecial() {
  using Bits = typename T::Bits;
  const Bits one = Bits{T::kBias} << T::kFractionBits;
  const Bits minNormal = Bits{1} << T::kFractionBits;
  std::vector<Bits> values = {0,
                              T::kInfinity,
                              T::kCanonicalNaN,
                              T::kInfinity | 1,                   // signaling NaN
                              T::kInfinity | (T::kQuietBit - 1),  // signaling NaN
                              T::kCanonicalNaN | 0x1234,          // quiet NaN with payload
                              1,                                  // smallest subnormal
                              minNormal - 1,                      // largest subnormal
                              minNormal,
                              minNormal + 1,
                              T::kMaxFinite,
                              T::kMaxFinite - 1,
                              one,
                              one + 1,
                              one - 1,
                              one + minNormal,   // 2
                              one - minNormal};  // 0.5
  const size_t count = values.size();
  for (size_t i = 0; i < count; ++i) values.push_back(values[i] | T::kSignBit);
  return rc::gen::elementOf(values);
}

template <class T>
rc::Gen<typename T::Bits> genValue() {
  using Bits = typename T::Bits;
  return rc::gen::weightedOneOf<Bits>({
      {2, uniformBits<Bits>()},
      {2, genSpecial<T>()},
      {8, rc::gen::exec(
              [] { return makeValue<T>(*rc::gen::arbitrary<bool>(), *genExponentField<T>(), *genFraction<T>()); })},
  });
}

template <class T>
rc::Gen<typename T::Bits> genFiniteNonzero() {
  using Bits = typename T::Bits;
  return rc::gen::exec([] {
    const Bits value = *genValue<T>();
    if ((value & ~T::kSignBit) >= T::kInfinity || (value & ~T::kSignBit) == 0) {
      return makeValue<T>((value & T::kSignBit) != 0, *rc::gen::inRange<uint32_t>(1, T::kMaxExponentField),
                          *genFraction<T>());
    }
    return value;
  });
}

template <class T>
int unbiasedExponent(typename T::Bits value) {
  const int field = static_cast<int>((value & ~T::kSignBit) >> T::kFractionBits);
  return field == 0 ? T::kEmin : field - T::kBias;
}

// A value close in magnitude to `value`: nearby exponent, fraction sharing
// the high bits, random sign. Drives cancellation and alignment cases.
template <class T>
typename T::Bits nearbyValue(typename T::Bits value) {
  using Bits = typename T::Bits;
  const int exponent = unbiasedExponent<T>(value) + *rc::gen::inRange(-(T::kPrecision + 4), T::kPrecision + 5);
  const int keptBits = *rc::gen::inRange(0, T::kFractionBits + 1);
  const Bits lowMask = keptBits >= T::kFractionBits ? 0 : (Bits{1} << (T::kFractionBits - keptBits)) - 1;
  const Bits fraction = (value & ~lowMask) | (*genFraction<T>() & lowMask);
  return makeFromExponent<T>(*rc::gen::arbitrary<bool>(), exponent, fraction);
}

// Operand exponents chosen so the exact result of `a op b` lands near the
// subnormal range or near overflow.
template <class T>
std::pair<typename T::Bits, typename T::Bits> extremeResultOperands(Operation op) {
  if (op == Operation::Add || op == Operation::Sub) {
    // Both operands near the bottom or the top of the range.
    const bool low = *rc::gen::arbitrary<bool>();
    const auto exponent = [low] {
      return low ? *rc::gen::inRange(T::kEmin - T::kPrecision, T::kEmin + 3)
                 : *rc::gen::inRange(T::kEmax - 3, T::kEmax + 1);
    };
    return {makeFromExponent<T>(*rc::gen::arbitrary<bool>(), exponent(), *genFraction<T>()),
            makeFromExponent<T>(*rc::gen::arbitrary<bool>(), exponent(), *genFraction<T>())};
  }
  const int exponentA = *rc::gen::inRange(T::kEmin - T::kPrecision, T::kEmax + 1);
  const int target = *rc::gen::oneOf(rc::gen::inRange(T::kEmin - T::kPrecision - 2, T::kEmin + 2),
                                     rc::gen::inRange(T::kEmax - 1, T::kEmax + 2));
  int exponentB = op == Operation::Div ? exponentA - target : target - exponentA;
  exponentB = std::clamp(exponentB, T::kEmin - T::kPrecision + 1, T::kEmax);
  return {makeFromExponent<T>(*rc::gen::arbitrary<bool>(), exponentA, *genFraction<T>()),
          makeFromExponent<T>(*rc::gen::arbitrary<bool>(), exponentB, *genFraction<T>())};
}

// A magnitude where rounding decisions change: the smallest normal (tininess
// after rounding), the largest subnormal, the largest finite (overflow after
// rounding) and the smallest subnormal; random sign.
template <class T>
typename T::Bits genBoundary() {
  using Bits = typename T::Bits;
  const Bits minNormal = Bits{1} << T::kFractionBits;
  const std::vector<Bits> magnitudes = {minNormal, minNormal - 1, minNormal + 1, T::kMaxFinite, T::kMaxFinite - 1, 1,
                                        2};
  const Bits magnitude = *rc::gen::elementOf(magnitudes);
  return magnitude | (*rc::gen::arbitrary<bool>() ? T::kSignBit : 0);
}

// Operands whose exact product (or quotient) lies within about an ulp of a
// boundary value: b is boundary/a (or a/boundary) rounded in a random mode.
template <class T>
std::pair<typename T::Bits, typename T::Bits> boundaryResultOperands(Operation op) {
  const typename T::Bits a = *genFiniteNonzero<T>();
  const typename T::Bits boundary = genBoundary<T>();
  const RoundingMode rm = *genRoundingMode();
  if (op == Operation::Div) return {a, oracleBinary<T>(Operation::Div, a, boundary, rm).bits};
  return {a, oracleBinary<T>(Operation::Div, boundary, a, rm).bits};
}

template <class T>
std::pair<typename T::Bits, typename T::Bits> genOperands(Operation op) {
  using Bits = typename T::Bits;
  const int kind = *rc::gen::inRange(0, op == Operation::Mul || op == Operation::Div ? 6 : 4);
  if (kind >= 4) return boundaryResultOperands<T>(op);
  const Bits a = *genValue<T>();
  switch (kind) {
    case 0:
      return {a, *genValue<T>()};
    case 1:
      return {a, nearbyValue<T>(a)};
    case 2: {
      // Exact cancellation for sums and differences.
      if (op == Operation::Add) return {a, a ^ T::kSignBit};
      if (op == Operation::Sub) return {a, a};
      // b*q for a sparse q makes a/b land on q exactly (or on a tie when
      // the quotient is subnormal).
      const Bits q = makeValue<T>(false, *genExponentField<T>(), *genFraction<T>());
      return {oracleBinary<T>(Operation::Mul, a, q, RoundingMode::TowardZero).bits, a};
    }
    default:
      return extremeResultOperands<T>(op);
  }
}

// ---------------------------------------------------------------------------
// Property bodies.

template <class T>
void checkResult(const std::string& what, uint64_t actualBits, uint8_t actualFlags, const Expected& expected) {
  RC_LOG() << T::kName << " " << what << " -> " << hex(actualBits) << " " << flagNames(actualFlags) << ", MPFR oracle "
           << hex(expected.bits) << " " << flagNames(expected.flags) << "\n";
  RC_ASSERT(actualBits == expected.bits);
  RC_ASSERT(actualFlags == expected.flags);
}

template <class T>
void checkBinary(Operation op) {
  const RoundingMode rm = *genRoundingMode();
  const auto [a, b] = genOperands<T>(op);
  const auto function = op == Operation::Add   ? T::add
                        : op == Operation::Sub ? T::sub
                        : op == Operation::Mul ? T::mul
                                               : T::div;
  uint8_t flags = 0;
  const auto result = function(a, b, rm, flags);
  checkResult<T>(std::string(operationName(op)) + "(" + hex(a) + ", " + hex(b) + ") " + roundingModeName(rm), result,
                 flags, oracleBinary<T>(op, a, b, rm));
}

template <class T>
void checkSqrt() {
  using Bits = typename T::Bits;
  const RoundingMode rm = *genRoundingMode();
  Bits a = *genValue<T>();
  const int kind = *rc::gen::inRange(0, 3);
  if (kind == 0) a &= ~T::kSignBit;
  if (kind == 1) {
    // Squares of short significands are exact: exact roots, and their
    // neighbours are the hardest to round.
    const int keptBits = *rc::gen::inRange(0, T::kPrecision / 2);
    const Bits fraction = *genFraction<T>() & ~((Bits{1} << (T::kFractionBits - keptBits)) - 1);
    const Bits root =
        makeFromExponent<T>(false, *rc::gen::inRange(T::kEmin / 2 - T::kPrecision, T::kEmax / 2 + 1), fraction);
    a = oracleBinary<T>(Operation::Mul, root, root, RoundingMode::NearestEven).bits +
        *rc::gen::element<Bits>(0, 0, 1, Bits(-1));
  }
  uint8_t flags = 0;
  const Bits result = T::sqrt(a, rm, flags);
  checkResult<T>("sqrt(" + hex(a) + ") " + roundingModeName(rm), result, flags, oracleSqrt<T>(a, rm));
}

template <class T>
void checkFma() {
  using Bits = typename T::Bits;
  const RoundingMode rm = *genRoundingMode();
  const auto [a, b] = genOperands<T>(Operation::Mul);
  Bits c = *genValue<T>();
  const int kind = *rc::gen::inRange(0, 4);
  const Bits product = oracleBinary<T>(Operation::Mul, a, b, RoundingMode::TowardZero).bits;
  if (kind == 1) {
    // Massive cancellation: c is minus the (truncated) product, give or take.
    c = (product ^ T::kSignBit) + *rc::gen::element<Bits>(0, 0, 1, 2, Bits(-1), Bits(-2));
  } else if (kind == 2 && !isNaN<T>(product)) {
    c = nearbyValue<T>(product);
  } else if (kind == 3) {
    // The sum lands within about an ulp of a boundary value.
    c = oracleBinary<T>(Operation::Sub, genBoundary<T>(), product, *genRoundingMode()).bits;
  }
  uint8_t flags = 0;
  const Bits result = T::fma(a, b, c, rm, flags);
  checkResult<T>("fma(" + hex(a) + ", " + hex(b) + ", " + hex(c) + ") " + roundingModeName(rm), result, flags,
                 oracleFma<T>(a, b, c, rm));
}

template <class T>
void checkMinMax(bool maximum) {
  using Bits = typename T::Bits;
  const auto [a, b] = genOperands<T>(Operation::Add);
  uint8_t flags = 0;
  const Bits result = (maximum ? T::max : T::min)(a, b, flags);
  Expected expected{0, uint8_t(isSignalingNaN<T>(a) || isSignalingNaN<T>(b) ? kFflagNV : 0)};
  if (isNaN<T>(a) && isNaN<T>(b)) {
    expected.bits = T::kCanonicalNaN;
  } else if (isNaN<T>(a)) {
    expected.bits = b;
  } else if (isNaN<T>(b)) {
    expected.bits = a;
  } else {
    // mpfr_min/mpfr_max order -0 below +0, like minimumNumber/maximumNumber.
    MpfrNumber x(T::kPrecision), y(T::kPrecision), r(T::kPrecision);
    T::toMpfr(x.get(), a);
    T::toMpfr(y.get(), b);
    (maximum ? mpfr_max : mpfr_min)(r.get(), x.get(), y.get(), MPFR_RNDN);
    expected.bits = T::fromMpfr(r.get());
  }
  checkResult<T>(std::string(maximum ? "max(" : "min(") + hex(a) + ", " + hex(b) + ")", result, flags, expected);
}

template <class T>
void checkCompare() {
  const auto [a, b] = genOperands<T>(Operation::Add);
  const bool anyNaN = isNaN<T>(a) || isNaN<T>(b);
  const bool anySignaling = isSignalingNaN<T>(a) || isSignalingNaN<T>(b);
  bool expectedEq = false, expectedLt = false, expectedLe = false;
  if (!anyNaN) {
    MpfrNumber x(T::kPrecision), y(T::kPrecision);
    T::toMpfr(x.get(), a);
    T::toMpfr(y.get(), b);
    expectedEq = mpfr_equal_p(x.get(), y.get()) != 0;
    expectedLt = mpfr_less_p(x.get(), y.get()) != 0;
    expectedLe = mpfr_lessequal_p(x.get(), y.get()) != 0;
  }
  const std::string operands = "(" + hex(a) + ", " + hex(b) + ")";
  uint8_t flags = 0;
  bool result = T::eq(a, b, flags);
  checkResult<T>("eq" + operands, result, flags, {expectedEq, uint8_t(anySignaling ? kFflagNV : 0)});
  flags = 0;
  result = T::lt(a, b, flags);
  checkResult<T>("lt" + operands, result, flags, {expectedLt, uint8_t(anyNaN ? kFflagNV : 0)});
  flags = 0;
  result = T::le(a, b, flags);
  checkResult<T>("le" + operands, result, flags, {expectedLe, uint8_t(anyNaN ? kFflagNV : 0)});
}

template <class T>
void checkClassify() {
  using Bits = typename T::Bits;
  const Bits a = *genValue<T>();
  uint32_t expected = 0;
  if (isNaN<T>(a)) {
    expected = isSignalingNaN<T>(a) ? 1u << 8 : 1u << 9;
  } else {
    MpfrNumber x(T::kPrecision), minNormal(8);
    T::toMpfr(x.get(), a);
    mpfr_set_ui_2exp(minNormal.get(), 1, T::kEmin, MPFR_RNDN);
    const bool negative = mpfr_signbit(x.get()) != 0;
    int index;  // positive classes mirror the negative ones: 7 - index
    if (mpfr_inf_p(x.get())) {
      index = 0;
    } else if (mpfr_zero_p(x.get())) {
      index = 3;
    } else if (mpfr_cmpabs(x.get(), minNormal.get()) < 0) {
      index = 2;
    } else {
      index = 1;
    }
    expected = 1u << (negative ? index : 7 - index);
  }
  checkResult<T>("classify(" + hex(a) + ")", T::classify(a), 0, {expected, 0});
}

// Values around integers, including halves and quarters, and around the
// limits of the integer types.
template <class T>
rc::Gen<typename T::Bits> genNearInteger() {
  using Bits = typename T::Bits;
  return rc::gen::exec([] {
    const int exponent = *rc::gen::inRange(-2, 66);
    const int fractionalBits = *rc::gen::inRange(0, 3);
    const int zeroBits = T::kFractionBits - exponent - fractionalBits;
    Bits fraction = *genFraction<T>();
    if (zeroBits > 0) fraction &= ~((Bits{1} << std::min(zeroBits, T::kFractionBits)) - 1);
    return makeFromExponent<T>(*rc::gen::arbitrary<bool>(), exponent, fraction);
  });
}

template <class T, typename Integer>
void checkToInteger(Integer (*function)(typename T::Bits, RoundingMode, uint8_t&), const char* name) {
  using Bits = typename T::Bits;
  const RoundingMode rm = *genRoundingMode();
  const Bits a = *rc::gen::weightedOneOf<Bits>({{1, genValue<T>()}, {2, genNearInteger<T>()}});
  uint8_t flags = 0;
  const Integer result = function(a, rm, flags);
  checkResult<T>(std::string(name) + "(" + hex(a) + ") " + roundingModeName(rm), static_cast<uint64_t>(result), flags,
                 oracleToInteger<T, Integer>(a, rm));
}

// Integers with interesting roundings: near powers of two, and values one
// or two bits longer than the significand (ties).
template <typename Integer>
rc::Gen<Integer> genInteger() {
  using Unsigned = std::make_unsigned_t<Integer>;
  constexpr int kBits = std::numeric_limits<Unsigned>::digits;
  return rc::gen::weightedOneOf<Integer>({
      {2, rc::gen::map(uniformBits<Unsigned>(), [](Unsigned bits) { return static_cast<Integer>(bits); })},
      {1, rc::gen::arbitrary<Integer>()},
      {1, rc::gen::element<Integer>(0, 1, std::numeric_limits<Integer>::max(), std::numeric_limits<Integer>::min(),
                                    static_cast<Integer>(std::numeric_limits<Integer>::max() - 1),
                                    static_cast<Integer>(std::numeric_limits<Integer>::min() + 1))},
      {2, rc::gen::exec([] {
         const int power = *rc::gen::inRange(0, kBits);
         const Unsigned offset = static_cast<Unsigned>(*rc::gen::inRange<int64_t>(-3, 4));
         return static_cast<Integer>(static_cast<Unsigned>((Unsigned{1} << power) + offset));
       })},
      {3, rc::gen::exec([] {
         const int length = *rc::gen::inRange(22, 58);  // significand lengths around 24 and 53 bits
         const uint64_t top = uint64_t{1} << (length - 1);
         const uint64_t body = top | (*uniformBits<uint64_t>() & (top - 1)) | 1;
         const int shift = *rc::gen::inRange(0, std::max(1, kBits - length + 1));
         const Unsigned magnitude = static_cast<Unsigned>(length + shift <= kBits ? body << shift : body);
         const bool negate = std::is_signed_v<Integer> && *rc::gen::arbitrary<bool>();
         return static_cast<Integer>(negate ? static_cast<Unsigned>(Unsigned{0} - magnitude) : magnitude);
       })},
  });
}

template <class T, typename Integer>
void checkFromInteger(typename T::Bits (*function)(Integer, RoundingMode, uint8_t&), const char* name) {
  const RoundingMode rm = *genRoundingMode();
  const Integer value = *genInteger<Integer>();
  uint8_t flags = 0;
  const auto result = function(value, rm, flags);
  const uint64_t raw =
      static_cast<uint64_t>(static_cast<std::conditional_t<std::is_signed_v<Integer>, int64_t, uint64_t>>(value));
  checkResult<T>(std::string(name) + "(" + std::to_string(value) + ") " + roundingModeName(rm), result, flags,
                 oracleFromInteger<T>(std::is_signed_v<Integer>, raw, rm));
}

// ---------------------------------------------------------------------------
// Properties: each compares result bits and flags with the oracle.

RC_GTEST_PROP(SoftFloatF32, AddMatchesMpfr, ()) { checkBinary<Binary32>(Operation::Add); }
RC_GTEST_PROP(SoftFloatF32, SubMatchesMpfr, ()) { checkBinary<Binary32>(Operation::Sub); }
RC_GTEST_PROP(SoftFloatF32, MulMatchesMpfr, ()) { checkBinary<Binary32>(Operation::Mul); }
RC_GTEST_PROP(SoftFloatF32, DivMatchesMpfr, ()) { checkBinary<Binary32>(Operation::Div); }
RC_GTEST_PROP(SoftFloatF32, SqrtMatchesMpfr, ()) { checkSqrt<Binary32>(); }
RC_GTEST_PROP(SoftFloatF32, FmaMatchesMpfr, ()) { checkFma<Binary32>(); }
RC_GTEST_PROP(SoftFloatF32, MinMatchesMinimumNumber, ()) { checkMinMax<Binary32>(false); }
RC_GTEST_PROP(SoftFloatF32, MaxMatchesMaximumNumber, ()) { checkMinMax<Binary32>(true); }
RC_GTEST_PROP(SoftFloatF32, ComparesMatchMpfr, ()) { checkCompare<Binary32>(); }
RC_GTEST_PROP(SoftFloatF32, ClassifyMatchesMpfr, ()) { checkClassify<Binary32>(); }
RC_GTEST_PROP(SoftFloatF32, ToI32MatchesMpfr, ()) { checkToInteger<Binary32, int32_t>(f32_to_i32, "to_i32"); }
RC_GTEST_PROP(SoftFloatF32, ToU32MatchesMpfr, ()) { checkToInteger<Binary32, uint32_t>(f32_to_u32, "to_u32"); }
RC_GTEST_PROP(SoftFloatF32, ToI64MatchesMpfr, ()) { checkToInteger<Binary32, int64_t>(f32_to_i64, "to_i64"); }
RC_GTEST_PROP(SoftFloatF32, ToU64MatchesMpfr, ()) { checkToInteger<Binary32, uint64_t>(f32_to_u64, "to_u64"); }
RC_GTEST_PROP(SoftFloatF32, FromI32MatchesMpfr, ()) { checkFromInteger<Binary32, int32_t>(i32_to_f32, "i32_to_f32"); }
RC_GTEST_PROP(SoftFloatF32, FromU32MatchesMpfr, ()) { checkFromInteger<Binary32, uint32_t>(u32_to_f32, "u32_to_f32"); }
RC_GTEST_PROP(SoftFloatF32, FromI64MatchesMpfr, ()) { checkFromInteger<Binary32, int64_t>(i64_to_f32, "i64_to_f32"); }
RC_GTEST_PROP(SoftFloatF32, FromU64MatchesMpfr, ()) { checkFromInteger<Binary32, uint64_t>(u64_to_f32, "u64_to_f32"); }

RC_GTEST_PROP(SoftFloatF64, AddMatchesMpfr, ()) { checkBinary<Binary64>(Operation::Add); }
RC_GTEST_PROP(SoftFloatF64, SubMatchesMpfr, ()) { checkBinary<Binary64>(Operation::Sub); }
RC_GTEST_PROP(SoftFloatF64, MulMatchesMpfr, ()) { checkBinary<Binary64>(Operation::Mul); }
RC_GTEST_PROP(SoftFloatF64, DivMatchesMpfr, ()) { checkBinary<Binary64>(Operation::Div); }
RC_GTEST_PROP(SoftFloatF64, SqrtMatchesMpfr, ()) { checkSqrt<Binary64>(); }
RC_GTEST_PROP(SoftFloatF64, FmaMatchesMpfr, ()) { checkFma<Binary64>(); }
RC_GTEST_PROP(SoftFloatF64, MinMatchesMinimumNumber, ()) { checkMinMax<Binary64>(false); }
RC_GTEST_PROP(SoftFloatF64, MaxMatchesMaximumNumber, ()) { checkMinMax<Binary64>(true); }
RC_GTEST_PROP(SoftFloatF64, ComparesMatchMpfr, ()) { checkCompare<Binary64>(); }
RC_GTEST_PROP(SoftFloatF64, ClassifyMatchesMpfr, ()) { checkClassify<Binary64>(); }
RC_GTEST_PROP(SoftFloatF64, ToI32MatchesMpfr, ()) { checkToInteger<Binary64, int32_t>(f64_to_i32, "to_i32"); }
RC_GTEST_PROP(SoftFloatF64, ToU32MatchesMpfr, ()) { checkToInteger<Binary64, uint32_t>(f64_to_u32, "to_u32"); }
RC_GTEST_PROP(SoftFloatF64, ToI64MatchesMpfr, ()) { checkToInteger<Binary64, int64_t>(f64_to_i64, "to_i64"); }
RC_GTEST_PROP(SoftFloatF64, ToU64MatchesMpfr, ()) { checkToInteger<Binary64, uint64_t>(f64_to_u64, "to_u64"); }
RC_GTEST_PROP(SoftFloatF64, FromI32MatchesMpfr, ()) { checkFromInteger<Binary64, int32_t>(i32_to_f64, "i32_to_f64"); }
RC_GTEST_PROP(SoftFloatF64, FromU32MatchesMpfr, ()) { checkFromInteger<Binary64, uint32_t>(u32_to_f64, "u32_to_f64"); }
RC_GTEST_PROP(SoftFloatF64, FromI64MatchesMpfr, ()) { checkFromInteger<Binary64, int64_t>(i64_to_f64, "i64_to_f64"); }
RC_GTEST_PROP(SoftFloatF64, FromU64MatchesMpfr, ()) { checkFromInteger<Binary64, uint64_t>(u64_to_f64, "u64_to_f64"); }

RC_GTEST_PROP(SoftFloatConvert, F32ToF64MatchesMpfr, ()) {
  const uint32_t a = *genValue<Binary32>();
  uint8_t flags = 0;
  const uint64_t result = f32_to_f64(a, flags);
  // Exact, so any rounding mode gives the same expectation.
  checkResult<Binary64>("f32_to_f64(" + hex(a) + ")", result, flags,
                        oracleConvert<Binary64, Binary32>(a, RoundingMode::NearestEven));
}

RC_GTEST_PROP(SoftFloatConvert, F64ToF32MatchesMpfr, ()) {
  const RoundingMode rm = *genRoundingMode();
  // Either any binary64 value, or one in or near binary32's range whose
  // fraction ends just past binary32's 23 bits (ties and near-ties).
  const uint64_t a = *rc::gen::weightedOneOf<uint64_t>({
      {1, genValue<Binary64>()},
      {1, rc::gen::exec([] {
         // Just below or above the binary32 boundaries 2^-126 and 2^128.
         const int exponent = *rc::gen::element(-127, -126, 127);
         const uint64_t ones = (uint64_t{1} << 52) - (uint64_t{1} << *rc::gen::inRange(0, 40));
         const uint64_t fraction = *rc::gen::arbitrary<bool>() ? ones : *rc::gen::inRange<uint64_t>(0, 1 << 20);
         return makeFromExponent<Binary64>(*rc::gen::arbitrary<bool>(), exponent, fraction);
       })},
      {2, rc::gen::exec([] {
         const int exponent = *rc::gen::oneOf(rc::gen::inRange(-126 - 24 - 3, -120), rc::gen::inRange(-126, 128),
                                              rc::gen::inRange(124, 130));
         const int keptBits = *rc::gen::inRange(23, 27);
         uint64_t fraction = *genFraction<Binary64>() & ~((uint64_t{1} << (52 - keptBits)) - 1);
         if (*rc::gen::arbitrary<bool>()) fraction |= 1;  // a sticky bit far below
         return makeFromExponent<Binary64>(*rc::gen::arbitrary<bool>(), exponent, fraction);
       })},
  });
  uint8_t flags = 0;
  const uint32_t result = f64_to_f32(a, rm, flags);
  checkResult<Binary32>("f64_to_f32(" + hex(a) + ") " + roundingModeName(rm), result, flags,
                        oracleConvert<Binary32, Binary64>(a, rm));
}

// ---------------------------------------------------------------------------
// Hand-picked cases from the RISC-V specification and IEEE 754.

constexpr RoundingMode kRne = RoundingMode::NearestEven;
constexpr RoundingMode kRtz = RoundingMode::TowardZero;
constexpr RoundingMode kRdn = RoundingMode::Down;
constexpr RoundingMode kRup = RoundingMode::Up;
constexpr RoundingMode kRmm = RoundingMode::NearestMaxMagnitude;

constexpr uint32_t kOne32 = 0x3f800000u, kTwo32 = 0x40000000u, kHalf32 = 0x3f000000u;
constexpr uint32_t kInf32 = 0x7f800000u, kNegInf32 = 0xff800000u, kSignaling32 = 0x7f800001u;
constexpr uint32_t kPosZero32 = 0, kNegZero32 = 0x80000000u, kMax32 = 0x7f7fffffu;
constexpr uint64_t kOne64 = 0x3ff0000000000000ull, kInf64 = 0x7ff0000000000000ull;
constexpr uint64_t kSignaling64 = 0x7ff0000000000001ull, kNegZero64 = 0x8000000000000000ull;

TEST(SoftFloatEdge, NaNResultsAreCanonical) {
  uint8_t flags = 0;
  EXPECT_EQ(f32_add(0xffc12345u, kOne32, kRne, flags), kCanonicalNaN32);  // payload and sign dropped
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(f32_mul(kSignaling32, kOne32, kRne, flags), kCanonicalNaN32);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_mul(kInf32, kPosZero32, kRne, flags), kCanonicalNaN32);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_sub(kInf32, kInf32, kRne, flags), kCanonicalNaN32);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f64_div(0, 0, kRne, flags), kCanonicalNaN64);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f64_add(0xfff0000000000badull, kOne64, kRne, flags), kCanonicalNaN64);  // negative sNaN
  EXPECT_EQ(flags, kFflagNV);
}

TEST(SoftFloatEdge, MinMaxSignedZerosAndNaNs) {
  uint8_t flags = 0;
  EXPECT_EQ(f32_min(kNegZero32, kPosZero32, flags), kNegZero32);
  EXPECT_EQ(f32_min(kPosZero32, kNegZero32, flags), kNegZero32);
  EXPECT_EQ(f32_max(kNegZero32, kPosZero32, flags), kPosZero32);
  EXPECT_EQ(f32_max(kPosZero32, kNegZero32, flags), kPosZero32);
  EXPECT_EQ(f64_min(kNegZero64, 0, flags), kNegZero64);
  EXPECT_EQ(f64_max(0, kNegZero64, flags), 0u);
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(f32_min(kCanonicalNaN32, kOne32, flags), kOne32);  // quiet NaN is ignored, no flag
  EXPECT_EQ(f32_max(kOne32, kCanonicalNaN32, flags), kOne32);
  EXPECT_EQ(f32_min(kCanonicalNaN32 | 5, kCanonicalNaN32 | 7, flags), kCanonicalNaN32);
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(f32_min(kSignaling32, kOne32, flags), kOne32);  // sNaN: NV, but still the number
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f64_max(kOne64, kSignaling64, flags), kOne64);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f64_max(kSignaling64, kSignaling64, flags), kCanonicalNaN64);
  EXPECT_EQ(flags, kFflagNV);
}

TEST(SoftFloatEdge, FloatToIntegerSaturation) {
  uint8_t flags = 0;
  EXPECT_EQ(f32_to_i32(kCanonicalNaN32, kRne, flags), 0x7fffffff);  // NaN -> largest positive
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_to_u64(0xffc00000u, kRne, flags), UINT64_MAX);  // even a negative NaN
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_to_u32(0xbf800000u, kRne, flags), 0u);  // -1.0 is out of range for unsigned
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_to_u32(0xbf000000u, kRtz, flags), 0u);  // -0.5 truncates to 0: in range, inexact
  EXPECT_EQ(flags, kFflagNX);
  flags = 0;
  EXPECT_EQ(f32_to_u32(0xbf000000u, kRmm, flags), 0u);  // -0.5 ties away to -1: out of range
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_to_i32(kNegInf32, kRne, flags), INT32_MIN);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_to_i32(0x4f000000u, kRne, flags), INT32_MAX);  // 2^31
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_to_i32(0xcf000000u, kRne, flags), INT32_MIN);  // -2^31 is representable
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(f64_to_i32(0x41dfffffffe00000ull, kRne, flags), INT32_MAX);  // 2^31 - 0.5 rounds to 2^31
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f64_to_i32(0x41dfffffffe00000ull, kRtz, flags), INT32_MAX);  // truncates into range
  EXPECT_EQ(flags, kFflagNX);
  flags = 0;
  EXPECT_EQ(f64_to_i64(0x43e0000000000000ull, kRne, flags), INT64_MAX);  // 2^63
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f64_to_u64(0x43efffffffffffffull, kRne, flags), 0xfffffffffffff800ull);
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(f64_to_i64(0xbff8000000000000ull, kRne, flags), -2);  // -1.5 ties to even
  EXPECT_EQ(f64_to_i64(0xbff8000000000000ull, kRmm, flags), -2);
  EXPECT_EQ(f64_to_i64(0xbff8000000000000ull, kRup, flags), -1);
  EXPECT_EQ(f64_to_i64(0xbff8000000000000ull, kRdn, flags), -2);
  EXPECT_EQ(f64_to_i64(0x4004000000000000ull, kRne, flags), 2);  // 2.5 ties to even
  EXPECT_EQ(f64_to_i64(0x4004000000000000ull, kRmm, flags), 3);
  EXPECT_EQ(flags, kFflagNX);
  flags = 0;
  EXPECT_EQ(f64_to_i32(kNegZero64, kRne, flags), 0);
  EXPECT_EQ(flags, 0);
}

TEST(SoftFloatEdge, DivisionByZeroAndSquareRoot) {
  uint8_t flags = 0;
  EXPECT_EQ(f32_div(kOne32, kPosZero32, kRne, flags), kInf32);
  EXPECT_EQ(flags, kFflagDZ);
  flags = 0;
  EXPECT_EQ(f32_div(kOne32, kNegZero32, kRne, flags), kNegInf32);
  EXPECT_EQ(flags, kFflagDZ);
  flags = 0;
  EXPECT_EQ(f32_div(kInf32, kPosZero32, kRne, flags), kInf32);  // no DZ: dividend not finite
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(f32_sqrt(kNegZero32, kRne, flags), kNegZero32);
  EXPECT_EQ(f64_sqrt(kNegZero64, kRdn, flags), kNegZero64);
  EXPECT_EQ(f32_sqrt(kInf32, kRne, flags), kInf32);
  EXPECT_EQ(f64_sqrt(0x4010000000000000ull, kRne, flags), 0x4000000000000000ull);  // sqrt(4) = 2
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(f32_sqrt(0xbf800000u, kRne, flags), kCanonicalNaN32);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_sqrt(kNegInf32, kRne, flags), kCanonicalNaN32);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_sqrt(kTwo32, kRne, flags), 0x3fb504f3u);  // sqrt(2), inexact
  EXPECT_EQ(flags, kFflagNX);
}

TEST(SoftFloatEdge, FusedMultiplyAddInvalidCases) {
  uint8_t flags = 0;
  // RISC-V 11.6: inf * 0 raises NV even when the addend is a quiet NaN.
  EXPECT_EQ(f32_fma(kInf32, kPosZero32, kCanonicalNaN32, kRne, flags), kCanonicalNaN32);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f64_fma(0, kInf64, kCanonicalNaN64, kRne, flags), kCanonicalNaN64);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_fma(kOne32, kCanonicalNaN32, kOne32, kRne, flags), kCanonicalNaN32);
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(f32_fma(kInf32, kOne32, kNegInf32, kRne, flags), kCanonicalNaN32);  // inf - inf
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_fma(kOne32, kOne32, 0xbf800000u, kRne, flags), kPosZero32);  // exact zero: +0 ...
  EXPECT_EQ(f32_fma(kOne32, kOne32, 0xbf800000u, kRdn, flags), kNegZero32);  // ... but -0 rounding down
  EXPECT_EQ(f32_fma(kNegZero32, kOne32, kNegZero32, kRne, flags), kNegZero32);
  EXPECT_EQ(flags, 0);
  // 1 + 2^-24 * 2^-24 * ... : fma keeps the tiny product that a separate
  // multiply-then-add would round away: (1 + 2^-23)^2 - 1 - 2^-22 = 2^-46.
  EXPECT_EQ(f32_fma(0x3f800001u, 0x3f800001u, 0xbf800002u, kRne, flags), 0x28800000u);
  EXPECT_EQ(flags, 0);
}

TEST(SoftFloatEdge, SignOfExactZeroSums) {
  uint8_t flags = 0;
  EXPECT_EQ(f32_sub(kOne32, kOne32, kRne, flags), kPosZero32);
  EXPECT_EQ(f32_sub(kOne32, kOne32, kRmm, flags), kPosZero32);
  EXPECT_EQ(f32_sub(kOne32, kOne32, kRdn, flags), kNegZero32);
  EXPECT_EQ(f64_add(kNegZero64, 0, kRne, flags), 0u);
  EXPECT_EQ(f64_add(kNegZero64, 0, kRdn, flags), kNegZero64);
  EXPECT_EQ(f64_add(kNegZero64, kNegZero64, kRne, flags), kNegZero64);
  EXPECT_EQ(flags, 0);
}

TEST(SoftFloatEdge, RoundingModesAtTies) {
  // 1 + 2^-24 is exactly halfway between 1 and 1 + 2^-23.
  const uint32_t halfUlp = 0x33800000u;
  const std::pair<RoundingMode, uint32_t> cases[] = {
      {kRne, kOne32}, {kRtz, kOne32}, {kRdn, kOne32}, {kRup, 0x3f800001u}, {kRmm, 0x3f800001u}};
  for (const auto& [rm, expected] : cases) {
    uint8_t flags = 0;
    EXPECT_EQ(f32_add(kOne32, halfUlp, rm, flags), expected) << roundingModeName(rm);
    EXPECT_EQ(flags, kFflagNX);
  }
  // Negative tie: -(1 + 2^-24).
  uint8_t flags = 0;
  EXPECT_EQ(f32_sub(0xbf800000u, halfUlp, kRmm, flags), 0xbf800001u);
  EXPECT_EQ(f32_sub(0xbf800000u, halfUlp, kRdn, flags), 0xbf800001u);
  EXPECT_EQ(f32_sub(0xbf800000u, halfUlp, kRup, flags), 0xbf800000u);
  // u64 -> f32 of 2^64 - 1 rounds up to 2^64, or truncates.
  EXPECT_EQ(u64_to_f32(UINT64_MAX, kRne, flags), 0x5f800000u);
  EXPECT_EQ(u64_to_f32(UINT64_MAX, kRtz, flags), 0x5f7fffffu);
  EXPECT_EQ(i64_to_f32(INT64_MIN, kRne, flags), 0xdf000000u);
}

TEST(SoftFloatEdge, OverflowDependsOnModeAndSign) {
  const std::pair<RoundingMode, uint32_t> positive[] = {
      {kRne, kInf32}, {kRtz, kMax32}, {kRdn, kMax32}, {kRup, kInf32}, {kRmm, kInf32}};
  for (const auto& [rm, expected] : positive) {
    uint8_t flags = 0;
    EXPECT_EQ(f32_mul(kMax32, kTwo32, rm, flags), expected) << roundingModeName(rm);
    EXPECT_EQ(flags, kFflagOF | kFflagNX);
  }
  const std::pair<RoundingMode, uint32_t> negative[] = {{kRne, kNegInf32},
                                                        {kRtz, kMax32 | 0x80000000u},
                                                        {kRdn, kNegInf32},
                                                        {kRup, kMax32 | 0x80000000u},
                                                        {kRmm, kNegInf32}};
  for (const auto& [rm, expected] : negative) {
    uint8_t flags = 0;
    EXPECT_EQ(f32_mul(kMax32 | 0x80000000u, kTwo32, rm, flags), expected) << roundingModeName(rm);
    EXPECT_EQ(flags, kFflagOF | kFflagNX);
  }
  uint8_t flags = 0;
  // Adding half an ulp at the top: RNE ties to even = overflow.
  EXPECT_EQ(f32_add(kMax32, 0x73000000u, kRne, flags), kInf32);
  EXPECT_EQ(flags, kFflagOF | kFflagNX);
}

TEST(SoftFloatEdge, UnderflowIsDetectedAfterRounding) {
  uint8_t flags = 0;
  // 2^-126 * (1 - 2^-30): with an unbounded exponent it rounds (RNE) to
  // 2^-126, so it is not tiny: the result is the smallest normal, NX only.
  EXPECT_EQ(f64_to_f32(0x380fffffffc00000ull, kRne, flags), 0x00800000u);
  EXPECT_EQ(flags, kFflagNX);
  flags = 0;
  // Toward zero it stays below 2^-126: tiny and inexact.
  EXPECT_EQ(f64_to_f32(0x380fffffffc00000ull, kRtz, flags), 0x007fffffu);
  EXPECT_EQ(flags, kFflagNX | kFflagUF);
  flags = 0;
  // 2^-1022 * (1 - 2^-53) is exact at 53 bits, hence tiny, yet rounds (tie
  // to even) up to the smallest normal: UF is raised with a normal result.
  EXPECT_EQ(f64_mul(0x0010000000000000ull, 0x3fefffffffffffffull, kRne, flags), 0x0010000000000000ull);
  EXPECT_EQ(flags, kFflagNX | kFflagUF);
  flags = 0;
  // Exact subnormal results raise nothing.
  EXPECT_EQ(f32_mul(0x00800000u, kHalf32, kRne, flags), 0x00400000u);
  EXPECT_EQ(flags, 0);
  // Half the smallest subnormal: ties to even (zero), or away.
  EXPECT_EQ(f32_mul(1, kHalf32, kRne, flags), 0u);
  EXPECT_EQ(flags, kFflagNX | kFflagUF);
  flags = 0;
  EXPECT_EQ(f32_mul(1, kHalf32, kRmm, flags), 1u);
  EXPECT_EQ(flags, kFflagNX | kFflagUF);
  flags = 0;
  EXPECT_EQ(f32_mul(0x80000001u, kHalf32, kRup, flags), kNegZero32);
  EXPECT_EQ(flags, kFflagNX | kFflagUF);
}

TEST(SoftFloatEdge, ClassifyEveryClass) {
  const std::pair<uint32_t, uint32_t> binary32Cases[] = {
      {kNegInf32, 1u << 0},    {0xbf800000u, 1u << 1},     {0x80000001u, 1u << 2}, {kNegZero32, 1u << 3},
      {kPosZero32, 1u << 4},   {0x007fffffu, 1u << 5},     {kOne32, 1u << 6},      {kInf32, 1u << 7},
      {kSignaling32, 1u << 8}, {kCanonicalNaN32, 1u << 9}, {0xff800001u, 1u << 8}, {0xffc00000u, 1u << 9}};
  for (const auto& [value, mask] : binary32Cases) EXPECT_EQ(f32_classify(value), mask) << hex(value);
  const std::pair<uint64_t, uint64_t> binary64Cases[] = {{0xfff0000000000000ull, 1u << 0},
                                                         {0xbff0000000000000ull, 1u << 1},
                                                         {0x800fffffffffffffull, 1u << 2},
                                                         {kNegZero64, 1u << 3},
                                                         {0, 1u << 4},
                                                         {1, 1u << 5},
                                                         {kOne64, 1u << 6},
                                                         {kInf64, 1u << 7},
                                                         {kSignaling64, 1u << 8},
                                                         {kCanonicalNaN64, 1u << 9}};
  for (const auto& [value, mask] : binary64Cases) EXPECT_EQ(f64_classify(value), mask) << hex(value);
}

TEST(SoftFloatEdge, QuietAndSignalingCompares) {
  uint8_t flags = 0;
  EXPECT_FALSE(f32_eq(kCanonicalNaN32, kCanonicalNaN32, flags));  // feq is quiet
  EXPECT_EQ(flags, 0);
  EXPECT_FALSE(f32_eq(kSignaling32, kOne32, flags));  // ... except for signaling NaNs
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_FALSE(f32_lt(kCanonicalNaN32, kOne32, flags));  // flt/fle signal on any NaN
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_FALSE(f64_le(kOne64, kCanonicalNaN64, flags));
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_TRUE(f32_eq(kNegZero32, kPosZero32, flags));
  EXPECT_FALSE(f32_lt(kNegZero32, kPosZero32, flags));
  EXPECT_TRUE(f32_le(kPosZero32, kNegZero32, flags));
  EXPECT_TRUE(f64_lt(0xbff0000000000000ull, kNegZero64, flags));
  EXPECT_TRUE(f32_lt(kNegInf32, 0xff7fffffu, flags));
  EXPECT_FALSE(f32_lt(kOne32, kOne32, flags));
  EXPECT_TRUE(f32_le(kOne32, kOne32, flags));
  EXPECT_EQ(flags, 0);
}

TEST(SoftFloatEdge, FormatConversions) {
  uint8_t flags = 0;
  EXPECT_EQ(f32_to_f64(kSignaling32, flags), kCanonicalNaN64);
  EXPECT_EQ(flags, kFflagNV);
  flags = 0;
  EXPECT_EQ(f32_to_f64(0xffc00001u, flags), kCanonicalNaN64);
  EXPECT_EQ(f32_to_f64(1, flags), 0x36a0000000000000ull);  // smallest subnormal becomes normal
  EXPECT_EQ(f32_to_f64(kNegZero32, flags), kNegZero64);
  EXPECT_EQ(f64_to_f32(kCanonicalNaN64 | 77, kRne, flags), kCanonicalNaN32);
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(f64_to_f32(0x47efffffffffffffull, kRne, flags), kInf32);  // just below 2^128
  EXPECT_EQ(flags, kFflagOF | kFflagNX);
  flags = 0;
  // Toward zero the same value truncates to the largest finite: no overflow.
  EXPECT_EQ(f64_to_f32(0x47efffffffffffffull, kRtz, flags), kMax32);
  EXPECT_EQ(flags, kFflagNX);
  flags = 0;
  EXPECT_EQ(f64_to_f32(0x47f0000000000000ull, kRtz, flags), kMax32);  // 2^128 does overflow
  EXPECT_EQ(flags, kFflagOF | kFflagNX);
  flags = 0;
  EXPECT_EQ(f64_to_f32(1, kRup, flags), 1u);  // tiny positive rounds up to the smallest subnormal
  EXPECT_EQ(flags, kFflagNX | kFflagUF);
}

}  // namespace
}  // namespace emu::riscv::softfloat
