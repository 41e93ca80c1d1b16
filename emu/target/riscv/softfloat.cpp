// IEEE 754-2008 binary32/binary64 arithmetic with RISC-V semantics, written
// with integer operations only so that results and exception flags do not
// depend on the host FPU, compiler or <cfenv> state.
//
// Structure: every operation first settles the special operands (NaN,
// infinity, zero) and then works on unpacked finite values
// (sign, exponent, integer significand). It computes either the exact result
// or a result whose lowest bit is a "sticky" bit (set when any nonzero bits
// were discarded), and hands it to roundPack(), the single place that rounds
// to the destination format in all five RISC-V rounding modes and decides
// NX/UF/OF. References are to the RISC-V unprivileged ISA 20191213, chapter 11
// ("F" extension), and IEEE 754-2008.
#include "emu/target/riscv/softfloat.h"

#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "emu/target/riscv/csr_numbers.h"

namespace emu::riscv::softfloat {
namespace {

// GCC/Clang extension; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef unsigned __int128 uint128;

// Layout of an IEEE binary interchange format.
template <typename BitsType, int kExponentBitsValue, int kFractionBitsValue>
struct Format {
  using Bits = BitsType;
  static constexpr int kExponentBits = kExponentBitsValue;
  static constexpr int kFractionBits = kFractionBitsValue;
  static constexpr int32_t kBias = (1 << (kExponentBits - 1)) - 1;
  // The all-ones biased exponent encodes infinities and NaNs.
  static constexpr int32_t kSpecialExponent = (1 << kExponentBits) - 1;
  static constexpr Bits kSignBit = Bits{1} << (kExponentBits + kFractionBits);
  static constexpr Bits kFractionMask = (Bits{1} << kFractionBits) - 1;
  static constexpr Bits kHiddenBit = Bits{1} << kFractionBits;
  static constexpr Bits kInfinity = Bits{kSpecialExponent} << kFractionBits;
  static constexpr Bits kMaxFinite = kInfinity - 1;
  // The most significant fraction bit distinguishes quiet (1) from
  // signaling (0) NaNs (IEEE 754-2008 6.2.1, RISC-V 11.3).
  static constexpr Bits kQuietBit = Bits{1} << (kFractionBits - 1);
};

struct Binary32 : Format<uint32_t, 8, 23> {
  static constexpr Bits kCanonicalNaN = kCanonicalNaN32;
};
struct Binary64 : Format<uint64_t, 11, 52> {
  static constexpr Bits kCanonicalNaN = kCanonicalNaN64;
};

template <class F>
bool isNegative(typename F::Bits x) {
  return (x & F::kSignBit) != 0;
}
template <class F>
int32_t biasedExponent(typename F::Bits x) {
  return static_cast<int32_t>((x >> F::kFractionBits) & F::kSpecialExponent);
}
template <class F>
bool isNaN(typename F::Bits x) {
  return (x & ~F::kSignBit) > F::kInfinity;
}
template <class F>
bool isSignalingNaN(typename F::Bits x) {
  return isNaN<F>(x) && (x & F::kQuietBit) == 0;
}
template <class F>
bool isInfinity(typename F::Bits x) {
  return (x & ~F::kSignBit) == F::kInfinity;
}
template <class F>
bool isZero(typename F::Bits x) {
  return (x & ~F::kSignBit) == 0;
}
template <class F>
typename F::Bits signBit(bool negative) {
  return negative ? F::kSignBit : 0;
}

// A finite nonzero value: (-1)^negative * significand * 2^(exponent - kFractionBits)
// with significand in [2^kFractionBits, 2^(kFractionBits+1)). Subnormal inputs are
// normalized here, so `exponent` may lie below the format's emin.
struct Unpacked {
  bool negative;
  int32_t exponent;
  uint64_t significand;
};

template <class F>
Unpacked unpack(typename F::Bits x) {
  const int32_t biased = biasedExponent<F>(x);
  const uint64_t fraction = x & F::kFractionMask;
  if (biased == 0) {
    // Subnormal: value = fraction * 2^(1 - bias - kFractionBits).
    const int shift = std::countl_zero(fraction) - (63 - F::kFractionBits);
    return {isNegative<F>(x), 1 - F::kBias - shift, fraction << shift};
  }
  return {isNegative<F>(x), biased - F::kBias, fraction | F::kHiddenBit};
}

// Shifts right, ORing every discarded bit into bit 0 so that the result still
// tells "exact" from "inexact" (the sticky bit).
uint64_t shiftRightJam(uint64_t value, int32_t count) {
  if (count <= 0) return value;
  if (count >= 64) return value != 0 ? 1 : 0;
  return (value >> count) | ((value << (64 - count)) != 0 ? 1 : 0);
}

uint128 shiftRightJam(uint128 value, int32_t count) {
  if (count <= 0) return value;
  if (count >= 128) return value != 0 ? 1 : 0;
  return (value >> count) | ((value << (128 - count)) != 0 ? 1 : 0);
}

int countLeadingZeros(uint128 value) {
  const uint64_t high = static_cast<uint64_t>(value >> 64);
  if (high != 0) return std::countl_zero(high);
  return 64 + std::countl_zero(static_cast<uint64_t>(value));
}

// Whether discarding the low `droppedBits` bits (`remainder`, nonzero means
// inexact) of a magnitude whose kept part is `kept` must round the magnitude up.
bool roundsUp(uint64_t kept, uint64_t remainder, int droppedBits, bool negative, RoundingMode rm) {
  if (remainder == 0) return false;
  const uint64_t half = uint64_t{1} << (droppedBits - 1);
  switch (rm) {
    case RoundingMode::TowardZero:
      return false;
    case RoundingMode::Down:
      return negative;
    case RoundingMode::Up:
      return !negative;
    case RoundingMode::NearestMaxMagnitude:
      return remainder >= half;
    case RoundingMode::NearestEven:
    default:  // reserved encodings never reach here; behave like RNE
      return remainder > half || (remainder == half && (kept & 1) != 0);
  }
}

// Rounds (-1)^negative * significand * 2^(exponent - 63) to format F: bit 63 of
// `significand` weighs 2^exponent. `significand` must be nonzero and either
// exact or carry a sticky bit in a position below the rounding point.
template <class F>
typename F::Bits roundPack(bool negative, int32_t exponent, uint64_t significand, RoundingMode rm, uint8_t& flags) {
  using Bits = typename F::Bits;
  const int leadingZeros = std::countl_zero(significand);
  significand <<= leadingZeros;
  exponent -= leadingZeros;
  // Keep kFractionBits + 1 bits (the hidden bit included).
  constexpr int kDroppedBits = 63 - F::kFractionBits;
  constexpr uint64_t kDroppedMask = (uint64_t{1} << kDroppedBits) - 1;

  int32_t biased = exponent + F::kBias;
  bool tiny = false;
  if (biased < 1) {
    // Below the normal range. RISC-V detects tininess after rounding
    // (11.2 "tininess is detected after rounding"): the result is tiny when,
    // rounded to full precision with an unbounded exponent, it is still below
    // 2^emin. Only biased == 0 can round up to 2^emin.
    const uint64_t kept = significand >> kDroppedBits;
    const bool reachesMinNormal = biased == 0 && kept == (uint64_t{2} << F::kFractionBits) - 1 &&
                                  roundsUp(kept, significand & kDroppedMask, kDroppedBits, negative, rm);
    tiny = !reachesMinNormal;
    // Denormalize: the significand now counts units of the subnormal spacing,
    // and the hidden bit is clear unless rounding carries into it.
    significand = shiftRightJam(significand, 1 - biased);
    biased = 1;
  }

  uint64_t kept = significand >> kDroppedBits;
  const uint64_t remainder = significand & kDroppedMask;
  if (roundsUp(kept, remainder, kDroppedBits, negative, rm)) ++kept;
  if (kept == (uint64_t{2} << F::kFractionBits)) {  // rounding carried into a new binade
    kept >>= 1;
    ++biased;
  }
  if (biased >= F::kSpecialExponent) {
    // Overflow (IEEE 754-2008 7.4): infinity when rounding to nearest or
    // rounding away from zero in the result's direction, else the largest
    // finite magnitude.
    flags |= kFflagOF | kFflagNX;
    const bool toInfinity = rm == RoundingMode::Up     ? !negative
                            : rm == RoundingMode::Down ? negative
                                                       : rm != RoundingMode::TowardZero;
    return signBit<F>(negative) | (toInfinity ? F::kInfinity : F::kMaxFinite);
  }
  if (remainder != 0) {
    flags |= kFflagNX;
    if (tiny) flags |= kFflagUF;  // underflow = tiny and inexact (IEEE 754-2008 7.5)
  }
  // The hidden bit in `kept` adds one to the exponent field, so a subnormal
  // (biased == 1, hidden bit clear) encodes with exponent field 0 and a value
  // that rounded up to 2^emin encodes as the smallest normal.
  return signBit<F>(negative) | ((Bits(biased - 1) << F::kFractionBits) + Bits(kept));
}

// As roundPack, for a 128-bit significand whose bit 127 weighs 2^exponent.
template <class F>
typename F::Bits roundPackWide(bool negative, int32_t exponent, uint128 significand, RoundingMode rm, uint8_t& flags) {
  const int leadingZeros = countLeadingZeros(significand);
  significand <<= leadingZeros;
  exponent -= leadingZeros;
  const uint64_t high = static_cast<uint64_t>(significand >> 64);
  const uint64_t low = static_cast<uint64_t>(significand);
  return roundPack<F>(negative, exponent, high | (low != 0 ? 1 : 0), rm, flags);
}

// Result of an operation with a NaN operand: RISC-V returns the canonical NaN
// (11.3) and raises NV only for signaling NaNs.
template <class F>
typename F::Bits nanResult(typename F::Bits a, typename F::Bits b, uint8_t& flags) {
  if (isSignalingNaN<F>(a) || isSignalingNaN<F>(b)) flags |= kFflagNV;
  return F::kCanonicalNaN;
}

template <class F>
typename F::Bits invalidResult(uint8_t& flags) {
  flags |= kFflagNV;
  return F::kCanonicalNaN;
}

// An exact zero sum of operands with opposite signs is +0, except -0 when
// rounding down (IEEE 754-2008 6.3).
template <class F>
typename F::Bits exactZeroSum(RoundingMode rm) {
  return signBit<F>(rm == RoundingMode::Down);
}

template <class F>
typename F::Bits add(typename F::Bits a, typename F::Bits b, RoundingMode rm, uint8_t& flags) {
  if (isNaN<F>(a) || isNaN<F>(b)) return nanResult<F>(a, b, flags);
  if (isInfinity<F>(a)) {
    if (isInfinity<F>(b) && isNegative<F>(a) != isNegative<F>(b)) return invalidResult<F>(flags);
    return a;
  }
  if (isInfinity<F>(b)) return b;
  if (isZero<F>(a) && isZero<F>(b)) {
    return isNegative<F>(a) == isNegative<F>(b) ? a : exactZeroSum<F>(rm);
  }
  // x + 0 = x exactly (x is representable).
  if (isZero<F>(b)) return a;
  if (isZero<F>(a)) return b;

  Unpacked larger = unpack<F>(a);
  Unpacked smaller = unpack<F>(b);
  if (larger.exponent < smaller.exponent) std::swap(larger, smaller);
  // Hidden bit at bit 61: room for the carry of an addition, and at least
  // nine zero bits below the significand, so that when the smaller operand is
  // shifted far enough to lose bits (sticky), the difference keeps guard bits
  // between the rounding point and the sticky bit.
  constexpr int kAlign = 61 - F::kFractionBits;
  const uint64_t largerSignificand = larger.significand << kAlign;
  const uint64_t smallerSignificand = shiftRightJam(smaller.significand << kAlign, larger.exponent - smaller.exponent);
  const int32_t exponent = larger.exponent + 2;  // weight of bit 63
  if (larger.negative == smaller.negative) {
    return roundPack<F>(larger.negative, exponent, largerSignificand + smallerSignificand, rm, flags);
  }
  if (largerSignificand == smallerSignificand) return exactZeroSum<F>(rm);
  if (largerSignificand > smallerSignificand) {
    return roundPack<F>(larger.negative, exponent, largerSignificand - smallerSignificand, rm, flags);
  }
  return roundPack<F>(smaller.negative, exponent, smallerSignificand - largerSignificand, rm, flags);
}

template <class F>
typename F::Bits mul(typename F::Bits a, typename F::Bits b, RoundingMode rm, uint8_t& flags) {
  if (isNaN<F>(a) || isNaN<F>(b)) return nanResult<F>(a, b, flags);
  const bool negative = isNegative<F>(a) != isNegative<F>(b);
  if (isInfinity<F>(a) || isInfinity<F>(b)) {
    if (isZero<F>(a) || isZero<F>(b)) return invalidResult<F>(flags);
    return signBit<F>(negative) | F::kInfinity;
  }
  if (isZero<F>(a) || isZero<F>(b)) return signBit<F>(negative);
  const Unpacked ua = unpack<F>(a);
  const Unpacked ub = unpack<F>(b);
  // The exact product; its bit 2*kFractionBits weighs 2^(ea+eb).
  const uint128 product = uint128{ua.significand} * ub.significand;
  return roundPackWide<F>(negative, ua.exponent + ub.exponent + (127 - 2 * F::kFractionBits), product, rm, flags);
}

template <class F>
typename F::Bits div(typename F::Bits a, typename F::Bits b, RoundingMode rm, uint8_t& flags) {
  if (isNaN<F>(a) || isNaN<F>(b)) return nanResult<F>(a, b, flags);
  const bool negative = isNegative<F>(a) != isNegative<F>(b);
  if (isInfinity<F>(a)) {
    if (isInfinity<F>(b)) return invalidResult<F>(flags);
    return signBit<F>(negative) | F::kInfinity;
  }
  if (isInfinity<F>(b)) return signBit<F>(negative);
  if (isZero<F>(b)) {
    if (isZero<F>(a)) return invalidResult<F>(flags);
    flags |= kFflagDZ;  // finite nonzero / 0 (IEEE 754-2008 7.3)
    return signBit<F>(negative) | F::kInfinity;
  }
  if (isZero<F>(a)) return signBit<F>(negative);
  const Unpacked ua = unpack<F>(a);
  const Unpacked ub = unpack<F>(b);
  // quotient = floor(sa * 2^(kFractionBits+3) / sb) lies in
  // (2^(kFractionBits+2), 2^(kFractionBits+4)): the kFractionBits+1 result
  // bits, at least two more below them (round bit, and a bit that absorbs
  // the sticky bit), and the sticky bit for a nonzero remainder. Bit
  // kFractionBits+3 weighs 2^(ea-eb).
  const uint128 numerator = uint128{ua.significand} << (F::kFractionBits + 3);
  const uint64_t quotient = static_cast<uint64_t>(numerator / ub.significand);
  const bool exact = numerator % ub.significand == 0;
  return roundPack<F>(negative, ua.exponent - ub.exponent + (60 - F::kFractionBits), quotient | (exact ? 0 : 1), rm,
                      flags);
}

// floor(sqrt(radicand)) by the classic digit-by-digit method; `exact` reports
// whether the remainder is zero.
uint64_t integerSquareRoot(uint128 radicand, bool& exact) {
  uint128 remainder = radicand;
  uint128 root = 0;
  uint128 bit = uint128{1} << 126;
  while (bit > remainder) bit >>= 2;
  while (bit != 0) {
    if (remainder >= root + bit) {
      remainder -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  exact = remainder == 0;
  return static_cast<uint64_t>(root);
}

template <class F>
typename F::Bits sqrt(typename F::Bits a, RoundingMode rm, uint8_t& flags) {
  if (isNaN<F>(a)) return nanResult<F>(a, a, flags);
  if (isZero<F>(a)) return a;  // sqrt(-0) = -0 (IEEE 754-2008 5.4.1)
  if (isNegative<F>(a)) return invalidResult<F>(flags);
  if (isInfinity<F>(a)) return a;
  Unpacked ua = unpack<F>(a);
  // Make the exponent even so it halves exactly; the significand then holds
  // m in [1, 4) in units of 2^-kFractionBits.
  if ((ua.exponent & 1) != 0) {
    ua.significand <<= 1;
    ua.exponent -= 1;
  }
  // radicand = m * 2^(2*kFractionBits+4), so root = sqrt(m) * 2^(kFractionBits+2)
  // lies in [2^(kFractionBits+2), 2^(kFractionBits+3)): the result bits, a round
  // bit and one more that absorbs the sticky bit. Bit kFractionBits+2 weighs
  // 2^(exponent/2). (A square root is never exactly halfway, but the sticky
  // bit still decides directed rounding and NX.)
  const uint128 radicand = uint128{ua.significand} << (F::kFractionBits + 4);
  bool exact = false;
  const uint64_t root = integerSquareRoot(radicand, exact);
  return roundPack<F>(false, ua.exponent / 2 + (61 - F::kFractionBits), root | (exact ? 0 : 1), rm, flags);
}

template <class F>
typename F::Bits fma(typename F::Bits a, typename F::Bits b, typename F::Bits c, RoundingMode rm, uint8_t& flags) {
  // RISC-V 11.6: "The fused multiply-add instructions must set the invalid
  // operation exception flag when the multiplicands are inf and zero, even
  // when the addend is a quiet NaN." (IEEE 754-2008 7.2(c) leaves that case
  // to the implementation; Berkeley SoftFloat's RISC-V build does the same.)
  const bool infinityTimesZero = (isInfinity<F>(a) && isZero<F>(b)) || (isZero<F>(a) && isInfinity<F>(b));
  if (isNaN<F>(a) || isNaN<F>(b) || isNaN<F>(c) || infinityTimesZero) {
    if (infinityTimesZero || isSignalingNaN<F>(a) || isSignalingNaN<F>(b) || isSignalingNaN<F>(c)) {
      flags |= kFflagNV;
    }
    return F::kCanonicalNaN;
  }
  const bool productNegative = isNegative<F>(a) != isNegative<F>(b);
  const bool addendNegative = isNegative<F>(c);
  if (isInfinity<F>(a) || isInfinity<F>(b)) {
    if (isInfinity<F>(c) && addendNegative != productNegative) return invalidResult<F>(flags);
    return signBit<F>(productNegative) | F::kInfinity;
  }
  if (isInfinity<F>(c)) return c;
  if (isZero<F>(a) || isZero<F>(b)) {
    if (isZero<F>(c)) {
      return productNegative == addendNegative ? c : exactZeroSum<F>(rm);
    }
    return c;  // 0 + c = c exactly
  }
  const Unpacked ua = unpack<F>(a);
  const Unpacked ub = unpack<F>(b);
  const int32_t productExponent = ua.exponent + ub.exponent;
  // Exact product, bit 2*kFractionBits weighing 2^productExponent.
  uint128 product = uint128{ua.significand} * ub.significand;
  if (isZero<F>(c)) {
    return roundPackWide<F>(productNegative, productExponent + (127 - 2 * F::kFractionBits), product, rm, flags);
  }
  const Unpacked uc = unpack<F>(c);
  // Align both terms so bit 124 weighs 2^exponent of each. The product then
  // occupies bits [124 - 2*kFractionBits, 125] and the addend
  // [124 - kFractionBits, 124]: the sum cannot overflow 128 bits, and the
  // zero bits below each term mean a term only loses bits to the sticky bit
  // when it is far smaller than the other, where no cancellation can reach
  // the rounding point (same argument as in add()).
  product <<= 124 - 2 * F::kFractionBits;
  uint128 addend = uint128{uc.significand} << (124 - F::kFractionBits);
  int32_t exponent = productExponent;
  if (productExponent >= uc.exponent) {
    addend = shiftRightJam(addend, productExponent - uc.exponent);
  } else {
    product = shiftRightJam(product, uc.exponent - productExponent);
    exponent = uc.exponent;
  }
  exponent += 3;  // weight of bit 127
  if (productNegative == addendNegative) {
    return roundPackWide<F>(productNegative, exponent, product + addend, rm, flags);
  }
  if (product == addend) return exactZeroSum<F>(rm);
  if (product > addend) return roundPackWide<F>(productNegative, exponent, product - addend, rm, flags);
  return roundPackWide<F>(addendNegative, exponent, addend - product, rm, flags);
}

// a < b for non-NaN values. With zeroSigned, -0 < +0 (the order used by
// fmin/fmax); otherwise the two zeros are equal (IEEE comparisons).
template <class F>
bool lessThan(typename F::Bits a, typename F::Bits b, bool zeroSigned) {
  const bool negativeA = isNegative<F>(a);
  const bool negativeB = isNegative<F>(b);
  if (!zeroSigned && isZero<F>(a) && isZero<F>(b)) return false;
  if (negativeA != negativeB) return negativeA;
  // Same sign: magnitudes order like their bit patterns.
  return negativeA ? a > b : a < b;
}

// IEEE 754-2019 minimumNumber/maximumNumber (RISC-V 11.6).
template <class F>
typename F::Bits minMax(typename F::Bits a, typename F::Bits b, bool maximum, uint8_t& flags) {
  if (isSignalingNaN<F>(a) || isSignalingNaN<F>(b)) flags |= kFflagNV;
  if (isNaN<F>(a) && isNaN<F>(b)) return F::kCanonicalNaN;
  if (isNaN<F>(a)) return b;
  if (isNaN<F>(b)) return a;
  const bool aIsLess = lessThan<F>(a, b, true);
  return aIsLess != maximum ? a : b;
}

// feq is a quiet comparison: NV only for signaling NaNs (RISC-V 11.8).
template <class F>
bool equal(typename F::Bits a, typename F::Bits b, uint8_t& flags) {
  if (isNaN<F>(a) || isNaN<F>(b)) {
    if (isSignalingNaN<F>(a) || isSignalingNaN<F>(b)) flags |= kFflagNV;
    return false;
  }
  return a == b || (isZero<F>(a) && isZero<F>(b));
}

// flt/fle are signaling comparisons: NV for any NaN operand (RISC-V 11.8).
template <class F>
bool less(typename F::Bits a, typename F::Bits b, bool orEqual, uint8_t& flags) {
  if (isNaN<F>(a) || isNaN<F>(b)) {
    flags |= kFflagNV;
    return false;
  }
  if (orEqual && (a == b || (isZero<F>(a) && isZero<F>(b)))) return true;
  return lessThan<F>(a, b, false);
}

// fclass result bits (RISC-V table 11.5).
template <class F>
uint32_t classify(typename F::Bits a) {
  const bool negative = isNegative<F>(a);
  if (isNaN<F>(a)) return isSignalingNaN<F>(a) ? 1u << 8 : 1u << 9;
  if (isInfinity<F>(a)) return negative ? 1u << 0 : 1u << 7;
  if (isZero<F>(a)) return negative ? 1u << 3 : 1u << 4;
  if (biasedExponent<F>(a) == 0) return negative ? 1u << 2 : 1u << 5;
  return negative ? 1u << 1 : 1u << 6;
}

// Float to integer (RISC-V 11.7, table 11.4): rounds per rm; NaN gives the
// largest positive integer; out-of-range values saturate by sign. Those
// invalid cases raise NV only; an in-range inexact conversion raises NX.
template <class F, typename Integer>
Integer toInteger(typename F::Bits a, RoundingMode rm, uint8_t& flags) {
  using Unsigned = std::make_unsigned_t<Integer>;
  constexpr Integer kMax = std::numeric_limits<Integer>::max();
  constexpr Integer kMin = std::numeric_limits<Integer>::min();
  constexpr uint64_t kMaxPositiveMagnitude = static_cast<uint64_t>(kMax);
  // Largest magnitude a negative result may have: 2^(N-1) signed, 0 unsigned.
  constexpr uint64_t kMaxNegativeMagnitude = std::is_signed_v<Integer> ? kMaxPositiveMagnitude + 1 : 0;

  if (isNaN<F>(a)) {
    flags |= kFflagNV;
    return kMax;
  }
  const bool negative = isNegative<F>(a);
  if (isInfinity<F>(a)) {
    flags |= kFflagNV;
    return negative ? kMin : kMax;
  }
  if (isZero<F>(a)) return 0;

  const Unpacked ua = unpack<F>(a);
  uint64_t magnitude = 0;
  bool inexact = false;
  bool inRange = ua.exponent < 64;  // |a| >= 2^64 fits no supported type
  if (inRange) {
    if (ua.exponent >= F::kFractionBits) {
      magnitude = ua.significand << (ua.exponent - F::kFractionBits);
    } else {
      // Fractional bits exist. Beyond 61 dropped bits |a| < 2^-8, so
      // squeezing the excess into the sticky bit keeps every rounding
      // decision (the value stays well below one half).
      int32_t droppedBits = F::kFractionBits - ua.exponent;
      uint64_t significand = ua.significand;
      if (droppedBits > 61) {
        significand = shiftRightJam(significand, droppedBits - 61);
        droppedBits = 61;
      }
      magnitude = significand >> droppedBits;
      const uint64_t remainder = significand & ((uint64_t{1} << droppedBits) - 1);
      inexact = remainder != 0;
      if (roundsUp(magnitude, remainder, droppedBits, negative, rm)) ++magnitude;
    }
    inRange = magnitude <= (negative ? kMaxNegativeMagnitude : kMaxPositiveMagnitude);
  }
  if (!inRange) {
    flags |= kFflagNV;
    return negative ? kMin : kMax;
  }
  if (inexact) flags |= kFflagNX;
  // Two's complement negation in the unsigned type; converting back is
  // well defined (modular) in C++20.
  const Unsigned bits = static_cast<Unsigned>(magnitude);
  return static_cast<Integer>(negative ? static_cast<Unsigned>(Unsigned{0} - bits) : bits);
}

template <class F>
typename F::Bits fromInteger(bool negative, uint64_t magnitude, RoundingMode rm, uint8_t& flags) {
  if (magnitude == 0) return 0;  // integer zero converts to +0
  return roundPack<F>(negative, 63, magnitude, rm, flags);
}

template <class F>
typename F::Bits fromSigned(int64_t value, RoundingMode rm, uint8_t& flags) {
  const uint64_t bits = static_cast<uint64_t>(value);
  return fromInteger<F>(value < 0, value < 0 ? uint64_t{0} - bits : bits, rm, flags);
}

// Conversion between formats; exact when To is the wider format.
template <class To, class From>
typename To::Bits convert(typename From::Bits a, RoundingMode rm, uint8_t& flags) {
  if (isNaN<From>(a)) {
    if (isSignalingNaN<From>(a)) flags |= kFflagNV;
    return To::kCanonicalNaN;
  }
  const bool negative = isNegative<From>(a);
  if (isInfinity<From>(a)) return signBit<To>(negative) | To::kInfinity;
  if (isZero<From>(a)) return signBit<To>(negative);
  const Unpacked ua = unpack<From>(a);
  return roundPack<To>(negative, ua.exponent, ua.significand << (63 - From::kFractionBits), rm, flags);
}

using F32 = Binary32;
using F64 = Binary64;

}  // namespace

// ---- binary32 ----
uint32_t f32_add(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags) { return add<F32>(a, b, rm, flags); }
uint32_t f32_sub(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags) {
  return add<F32>(a, b ^ F32::kSignBit, rm, flags);  // NaN sign is irrelevant: results are canonical
}
uint32_t f32_mul(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags) { return mul<F32>(a, b, rm, flags); }
uint32_t f32_div(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags) { return div<F32>(a, b, rm, flags); }
uint32_t f32_sqrt(uint32_t a, RoundingMode rm, uint8_t& flags) { return sqrt<F32>(a, rm, flags); }
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, RoundingMode rm, uint8_t& flags) {
  return fma<F32>(a, b, c, rm, flags);
}
uint32_t f32_min(uint32_t a, uint32_t b, uint8_t& flags) { return minMax<F32>(a, b, false, flags); }
uint32_t f32_max(uint32_t a, uint32_t b, uint8_t& flags) { return minMax<F32>(a, b, true, flags); }
bool f32_eq(uint32_t a, uint32_t b, uint8_t& flags) { return equal<F32>(a, b, flags); }
bool f32_lt(uint32_t a, uint32_t b, uint8_t& flags) { return less<F32>(a, b, false, flags); }
bool f32_le(uint32_t a, uint32_t b, uint8_t& flags) { return less<F32>(a, b, true, flags); }
uint32_t f32_classify(uint32_t a) { return classify<F32>(a); }

int32_t f32_to_i32(uint32_t a, RoundingMode rm, uint8_t& flags) { return toInteger<F32, int32_t>(a, rm, flags); }
uint32_t f32_to_u32(uint32_t a, RoundingMode rm, uint8_t& flags) { return toInteger<F32, uint32_t>(a, rm, flags); }
int64_t f32_to_i64(uint32_t a, RoundingMode rm, uint8_t& flags) { return toInteger<F32, int64_t>(a, rm, flags); }
uint64_t f32_to_u64(uint32_t a, RoundingMode rm, uint8_t& flags) { return toInteger<F32, uint64_t>(a, rm, flags); }
uint32_t i32_to_f32(int32_t a, RoundingMode rm, uint8_t& flags) { return fromSigned<F32>(a, rm, flags); }
uint32_t u32_to_f32(uint32_t a, RoundingMode rm, uint8_t& flags) { return fromInteger<F32>(false, a, rm, flags); }
uint32_t i64_to_f32(int64_t a, RoundingMode rm, uint8_t& flags) { return fromSigned<F32>(a, rm, flags); }
uint32_t u64_to_f32(uint64_t a, RoundingMode rm, uint8_t& flags) { return fromInteger<F32>(false, a, rm, flags); }

// ---- binary64 ----
uint64_t f64_add(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags) { return add<F64>(a, b, rm, flags); }
uint64_t f64_sub(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags) {
  return add<F64>(a, b ^ F64::kSignBit, rm, flags);
}
uint64_t f64_mul(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags) { return mul<F64>(a, b, rm, flags); }
uint64_t f64_div(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags) { return div<F64>(a, b, rm, flags); }
uint64_t f64_sqrt(uint64_t a, RoundingMode rm, uint8_t& flags) { return sqrt<F64>(a, rm, flags); }
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, RoundingMode rm, uint8_t& flags) {
  return fma<F64>(a, b, c, rm, flags);
}
uint64_t f64_min(uint64_t a, uint64_t b, uint8_t& flags) { return minMax<F64>(a, b, false, flags); }
uint64_t f64_max(uint64_t a, uint64_t b, uint8_t& flags) { return minMax<F64>(a, b, true, flags); }
bool f64_eq(uint64_t a, uint64_t b, uint8_t& flags) { return equal<F64>(a, b, flags); }
bool f64_lt(uint64_t a, uint64_t b, uint8_t& flags) { return less<F64>(a, b, false, flags); }
bool f64_le(uint64_t a, uint64_t b, uint8_t& flags) { return less<F64>(a, b, true, flags); }
uint64_t f64_classify(uint64_t a) { return classify<F64>(a); }

int32_t f64_to_i32(uint64_t a, RoundingMode rm, uint8_t& flags) { return toInteger<F64, int32_t>(a, rm, flags); }
uint32_t f64_to_u32(uint64_t a, RoundingMode rm, uint8_t& flags) { return toInteger<F64, uint32_t>(a, rm, flags); }
int64_t f64_to_i64(uint64_t a, RoundingMode rm, uint8_t& flags) { return toInteger<F64, int64_t>(a, rm, flags); }
uint64_t f64_to_u64(uint64_t a, RoundingMode rm, uint8_t& flags) { return toInteger<F64, uint64_t>(a, rm, flags); }
uint64_t i32_to_f64(int32_t a, RoundingMode rm, uint8_t& flags) { return fromSigned<F64>(a, rm, flags); }
uint64_t u32_to_f64(uint32_t a, RoundingMode rm, uint8_t& flags) { return fromInteger<F64>(false, a, rm, flags); }
uint64_t i64_to_f64(int64_t a, RoundingMode rm, uint8_t& flags) { return fromSigned<F64>(a, rm, flags); }
uint64_t u64_to_f64(uint64_t a, RoundingMode rm, uint8_t& flags) { return fromInteger<F64>(false, a, rm, flags); }

// ---- conversions between formats ----
uint64_t f32_to_f64(uint32_t a, uint8_t& flags) {
  // Every binary32 value is a binary64 value, so the mode is irrelevant.
  return convert<F64, F32>(a, RoundingMode::NearestEven, flags);
}
uint32_t f64_to_f32(uint64_t a, RoundingMode rm, uint8_t& flags) { return convert<F32, F64>(a, rm, flags); }

}  // namespace emu::riscv::softfloat
