// Host-FPU fast path for F/D arithmetic; the reasoning is in host_float.h.
//
// Round to nearest even uses plain host arithmetic (try_nearest_*). The
// other modes and FMA run each operation as one inline-asm block
//   ldmxcsr control      ; rounding mode, all exceptions masked, flags clear
//   <op>sd/<op>ss        ; the IEEE operation itself
//   stmxcsr status       ; read back the sticky flags, PE = inexact
// so the compiler can neither move the operation out from between the MXCSR
// accesses nor fold it at compile time. MXCSR is the C runtime default
// (0x1f80: round to nearest even, exceptions masked, FTZ/DAZ off) everywhere
// else in emu (the round-to-nearest path relies on that); a directed
// rounding mode is put back to it after the op, and the sticky flags left
// behind are never read by anyone.
#include "emu/target/riscv/host_float.h"

#include <bit>
#include <cmath>
#include <cstdint>

#include "emu/target/riscv/csr_numbers.h"

namespace emu::riscv::host_float {
namespace {

namespace sf = softfloat;

enum class BinaryOp { Add, Sub, Mul, Div };

#if defined(__x86_64__)

// Intel SDM vol. 1, 10.2.3 "MXCSR Control and Status Register".
constexpr uint32_t kMxcsrDefault = 0x1f80;     // exception masks set, RC = nearest, flags clear
constexpr uint32_t kMxcsrInexact = 1u << 5;    // PE, precision (inexact) flag
constexpr uint32_t kMxcsrRoundingShift = 13;   // RC: 0 nearest, 1 down, 2 up, 3 toward zero

// The MXCSR value for a RISC-V rounding mode; RMM has no x86 equivalent.
bool mxcsr_for(RoundingMode rm, uint32_t& control) {
  switch (rm) {
    case RoundingMode::NearestEven: control = kMxcsrDefault; return true;
    case RoundingMode::Down: control = kMxcsrDefault | (1u << kMxcsrRoundingShift); return true;
    case RoundingMode::Up: control = kMxcsrDefault | (2u << kMxcsrRoundingShift); return true;
    case RoundingMode::TowardZero: control = kMxcsrDefault | (3u << kMxcsrRoundingShift); return true;
    case RoundingMode::NearestMaxMagnitude: return false;
  }
  return false;
}

void restore_mxcsr(uint32_t control) {
  if (control == kMxcsrDefault) return;
  asm volatile("ldmxcsr %[control]" : : [control] "m"(kMxcsrDefault));
}

// One definition per instruction: asm mnemonics cannot be template arguments.
// AT&T operand order: "op src, dst" computes dst = dst op src.
#define EMU_HOST_BINARY(name, type, mnemonic)                                                            \
  type name(type a, type b, uint32_t control, uint32_t& status) {                                        \
    asm volatile("ldmxcsr %[control]\n\t" mnemonic " %[b], %[a]\n\tstmxcsr %[status]"                    \
                 : [a] "+x"(a), [status] "=m"(status)                                                    \
                 : [b] "x"(b), [control] "m"(control));                                                  \
    return a;                                                                                            \
  }
EMU_HOST_BINARY(host_add, double, "addsd")
EMU_HOST_BINARY(host_sub, double, "subsd")
EMU_HOST_BINARY(host_mul, double, "mulsd")
EMU_HOST_BINARY(host_div, double, "divsd")
EMU_HOST_BINARY(host_add, float, "addss")
EMU_HOST_BINARY(host_sub, float, "subss")
EMU_HOST_BINARY(host_mul, float, "mulss")
EMU_HOST_BINARY(host_div, float, "divss")
#undef EMU_HOST_BINARY

double host_sqrt(double a, uint32_t control, uint32_t& status) {
  asm volatile("ldmxcsr %[control]\n\tsqrtsd %[a], %[a]\n\tstmxcsr %[status]"
               : [a] "+x"(a), [status] "=m"(status)
               : [control] "m"(control));
  return a;
}
float host_sqrt(float a, uint32_t control, uint32_t& status) {
  asm volatile("ldmxcsr %[control]\n\tsqrtss %[a], %[a]\n\tstmxcsr %[status]"
               : [a] "+x"(a), [status] "=m"(status)
               : [control] "m"(control));
  return a;
}
// FMA3 "231" form: c = a * b + c with a single rounding (only called when the
// CPU has FMA3; the assembler accepts the mnemonic whatever -march is).
double host_fma(double a, double b, double c, uint32_t control, uint32_t& status) {
  asm volatile("ldmxcsr %[control]\n\tvfmadd231sd %[b], %[a], %[c]\n\tstmxcsr %[status]"
               : [c] "+x"(c), [status] "=m"(status)
               : [a] "x"(a), [b] "x"(b), [control] "m"(control));
  return c;
}
float host_fma(float a, float b, float c, uint32_t control, uint32_t& status) {
  asm volatile("ldmxcsr %[control]\n\tvfmadd231ss %[b], %[a], %[c]\n\tstmxcsr %[status]"
               : [c] "+x"(c), [status] "=m"(status)
               : [a] "x"(a), [b] "x"(b), [control] "m"(control));
  return c;
}

const bool kHostHasFma = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("fma") != 0;
}();

// GCC/Clang extension; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef unsigned __int128 uint128;

template <typename Host>
struct Format;
template <>
struct Format<double> {
  using Bits = uint64_t;
  using Wide = uint128;  // holds the product of two significands
  static constexpr int kPrecision = 53;
  static constexpr Bits kSignBit = Bits{1} << 63;
  static constexpr Bits kMinNormal = Bits{1} << 52;
  static constexpr Bits kMaxFinite = 0x7fefffffffffffffull;
  static constexpr Bits kInfinity = 0x7ff0000000000000ull;
};
template <>
struct Format<float> {
  using Bits = uint32_t;
  using Wide = uint64_t;
  static constexpr int kPrecision = 24;
  static constexpr Bits kSignBit = Bits{1} << 31;
  static constexpr Bits kMinNormal = Bits{1} << 23;
  static constexpr Bits kMaxFinite = 0x7f7fffffu;
  static constexpr Bits kInfinity = 0x7f800000u;
};

template <typename Host>
typename Format<Host>::Bits magnitude_of(typename Format<Host>::Bits x) {
  return x & ~Format<Host>::kSignBit;
}
// Normal: neither zero, subnormal, infinite nor NaN.
template <typename Host>
bool is_normal(typename Format<Host>::Bits x) {
  const auto magnitude = magnitude_of<Host>(x);
  return magnitude >= Format<Host>::kMinNormal && magnitude < Format<Host>::kInfinity;
}
// Strictly between the smallest normal and the largest finite magnitude:
// where an inexact result raises NX and nothing else (see keep() below).
template <typename Host>
bool inside_normal_range(typename Format<Host>::Bits x) {
  const auto magnitude = magnitude_of<Host>(x);
  return magnitude > Format<Host>::kMinNormal && magnitude < Format<Host>::kMaxFinite;
}
// The significand of a normal value (hidden bit included) without its
// trailing zero bits: two normal values' products and quotients are exact
// exactly when these odd parts multiply out (see try_nearest_*).
template <typename Host>
typename Format<Host>::Wide odd_significand(typename Format<Host>::Bits x) {
  using F = Format<Host>;
  const typename F::Bits significand = (x & (F::kMinNormal - 1)) | F::kMinNormal;
  return significand >> std::countr_zero(significand);
}

// Whether the host result carries exactly the RISC-V result and flags (see
// host_float.h). An exact finite result raised nothing under either
// convention: invalid gives NaN, divide-by-zero infinity, overflow and
// underflow (with masked traps) are inexact. An inexact one strictly
// between the smallest normal and the largest finite magnitude did not
// overflow, and its exact value was at least the smallest normal, so it is
// not tiny before or after rounding; at the smallest normal itself the two
// tininess conventions can disagree, and at the largest finite magnitude a
// directed mode may have overflowed, so both boundaries go to the softfloat.
template <typename Host>
bool keep(typename Format<Host>::Bits result, uint32_t status) {
  using F = Format<Host>;
  const typename F::Bits magnitude = result & ~F::kSignBit;
  if ((status & kMxcsrInexact) == 0) return magnitude <= F::kMaxFinite;
  return magnitude > F::kMinNormal && magnitude < F::kMaxFinite;
}

template <typename Host, typename Operation>
bool try_host(RoundingMode rm, typename Format<Host>::Bits& result, uint8_t& flags, Operation operation) {
  uint32_t control = 0;
  if (!mxcsr_for(rm, control)) return false;
  uint32_t status = 0;
  const Host value = operation(control, status);
  restore_mxcsr(control);
  const auto bits = std::bit_cast<typename Format<Host>::Bits>(value);
  if (!keep<Host>(bits, status)) return false;
  result = bits;
  if ((status & kMxcsrInexact) != 0) flags |= kFflagNX;
  return true;
}

// Round to nearest even, the mode of nearly all FP code, without touching
// MXCSR (whose writes serialize and cost more than the operation): host
// arithmetic in the default environment plus an exactness test. They keep
// only results strictly inside the normal range (or exact sums), where NX is
// the one flag (see keep()).
template <typename Host, BinaryOp op, typename Bits>
bool try_nearest_binary(Bits a, Bits b, Bits& result, uint8_t& flags) {
  using F = Format<Host>;
  const Host x = std::bit_cast<Host>(a), y = std::bit_cast<Host>(b);
  Host value;
  bool inexact;
  if constexpr (op == BinaryOp::Add || op == BinaryOp::Sub) {
    // TwoSum (Knuth, TAOCP vol. 2, 4.2.2): `error` is the exact rounding
    // error of x + y under round to nearest, provided no step overflows.
    // Boldo, Graillat and Muller (2017) show a step can only overflow if
    // the sum does; bounding the operands below 2^(emax-3) (every
    // intermediate then stays below 2^emax) keeps this self-evident at the
    // price of sending huge operands to the MXCSR path. A sum that lands
    // below the normal range is exact, so no addition raises UF.
    constexpr Bits kLimit = F::kInfinity - (Bits{4} << (F::kPrecision - 1));
    if (magnitude_of<Host>(a) >= kLimit || magnitude_of<Host>(b) >= kLimit) return false;
    const Host addend = op == BinaryOp::Add ? y : -y;
    value = x + addend;
    const Host addend_part = value - x;
    const Host x_part = value - addend_part;
    const Host error = (x - x_part) + (addend - addend_part);
    inexact = error != 0;
    if (inexact && !inside_normal_range<Host>(std::bit_cast<Bits>(value))) return false;
  } else {
    if (!is_normal<Host>(a) || !is_normal<Host>(b)) return false;
    value = op == BinaryOp::Mul ? x * y : x / y;
    if (!inside_normal_range<Host>(std::bit_cast<Bits>(value))) return false;
    using Wide = typename F::Wide;
    const Wide odd_a = odd_significand<Host>(a), odd_b = odd_significand<Host>(b);
    if constexpr (op == BinaryOp::Mul) {
      // The exact product is odd_a * odd_b * 2^k: representable (the result
      // is normal) exactly when that odd integer fits in the precision.
      inexact = (odd_a * odd_b) >> F::kPrecision != 0;
    } else {
      // value * b == a exactly iff the odd parts agree (a power-of-two
      // mismatch is impossible: value is a/b within half an ulp).
      inexact = odd_significand<Host>(std::bit_cast<Bits>(value)) * odd_b != odd_a;
    }
  }
  result = std::bit_cast<Bits>(value);
  if (inexact) flags |= kFflagNX;
  return true;
}

template <typename Host, typename Bits>
bool try_nearest_sqrt(Bits a, Bits& result, uint8_t& flags) {
  if (!is_normal<Host>(a) || (a & Format<Host>::kSignBit) != 0) return false;
  // The root of a positive normal is normal and far from both range ends.
  const Host value = std::sqrt(std::bit_cast<Host>(a));
  const auto odd_root = odd_significand<Host>(std::bit_cast<Bits>(value));
  result = std::bit_cast<Bits>(value);
  if (odd_root * odd_root != odd_significand<Host>(a)) flags |= kFflagNX;  // as for a quotient
  return true;
}

template <typename Host, BinaryOp op, typename Bits>
bool try_binary(Bits a, Bits b, RoundingMode rm, Bits& result, uint8_t& flags) {
  if (rm == RoundingMode::NearestEven && try_nearest_binary<Host, op>(a, b, result, flags)) return true;
  return try_host<Host>(rm, result, flags, [&](uint32_t control, uint32_t& status) {
    const Host x = std::bit_cast<Host>(a), y = std::bit_cast<Host>(b);
    if constexpr (op == BinaryOp::Add) return host_add(x, y, control, status);
    else if constexpr (op == BinaryOp::Sub) return host_sub(x, y, control, status);
    else if constexpr (op == BinaryOp::Mul) return host_mul(x, y, control, status);
    else return host_div(x, y, control, status);
  });
}

template <typename Host, typename Bits>
bool try_sqrt(Bits a, RoundingMode rm, Bits& result, uint8_t& flags) {
  if (rm == RoundingMode::NearestEven && try_nearest_sqrt<Host>(a, result, flags)) return true;
  return try_host<Host>(rm, result, flags, [&](uint32_t control, uint32_t& status) {
    return host_sqrt(std::bit_cast<Host>(a), control, status);
  });
}

template <typename Host, typename Bits>
bool try_fma(Bits a, Bits b, Bits c, RoundingMode rm, Bits& result, uint8_t& flags) {
  if (!kHostHasFma) return false;
  return try_host<Host>(rm, result, flags, [&](uint32_t control, uint32_t& status) {
    return host_fma(std::bit_cast<Host>(a), std::bit_cast<Host>(b), std::bit_cast<Host>(c), control, status);
  });
}

constexpr bool kHostPath = true;

#else  // no host path: every operation is the softfloat's

template <typename Host, BinaryOp, typename Bits>
bool try_binary(Bits, Bits, RoundingMode, Bits&, uint8_t&) {
  return false;
}
template <typename Host, typename Bits>
bool try_sqrt(Bits, RoundingMode, Bits&, uint8_t&) {
  return false;
}
template <typename Host, typename Bits>
bool try_fma(Bits, Bits, Bits, RoundingMode, Bits&, uint8_t&) {
  return false;
}
constexpr bool kHostHasFma = false;
constexpr bool kHostPath = false;

#endif

}  // namespace

bool host_path_available() { return kHostPath; }
bool host_fma_available() { return kHostHasFma; }

bool try_f64_add(uint64_t a, uint64_t b, RoundingMode rm, uint64_t& result, uint8_t& flags) {
  return try_binary<double, BinaryOp::Add>(a, b, rm, result, flags);
}
bool try_f32_mul(uint32_t a, uint32_t b, RoundingMode rm, uint32_t& result, uint8_t& flags) {
  return try_binary<float, BinaryOp::Mul>(a, b, rm, result, flags);
}

// ---- binary32 ----
uint32_t f32_add(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags) {
  uint32_t result;
  return try_binary<float, BinaryOp::Add>(a, b, rm, result, flags) ? result : sf::f32_add(a, b, rm, flags);
}
uint32_t f32_sub(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags) {
  uint32_t result;
  return try_binary<float, BinaryOp::Sub>(a, b, rm, result, flags) ? result : sf::f32_sub(a, b, rm, flags);
}
uint32_t f32_mul(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags) {
  uint32_t result;
  return try_f32_mul(a, b, rm, result, flags) ? result : sf::f32_mul(a, b, rm, flags);
}
uint32_t f32_div(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags) {
  uint32_t result;
  return try_binary<float, BinaryOp::Div>(a, b, rm, result, flags) ? result : sf::f32_div(a, b, rm, flags);
}
uint32_t f32_sqrt(uint32_t a, RoundingMode rm, uint8_t& flags) {
  uint32_t result;
  return try_sqrt<float, uint32_t>(a, rm, result, flags) ? result : sf::f32_sqrt(a, rm, flags);
}
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, RoundingMode rm, uint8_t& flags) {
  uint32_t result;
  return try_fma<float, uint32_t>(a, b, c, rm, result, flags) ? result : sf::f32_fma(a, b, c, rm, flags);
}

// ---- binary64 ----
uint64_t f64_add(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags) {
  uint64_t result;
  return try_f64_add(a, b, rm, result, flags) ? result : sf::f64_add(a, b, rm, flags);
}
uint64_t f64_sub(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags) {
  uint64_t result;
  return try_binary<double, BinaryOp::Sub>(a, b, rm, result, flags) ? result : sf::f64_sub(a, b, rm, flags);
}
uint64_t f64_mul(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags) {
  uint64_t result;
  return try_binary<double, BinaryOp::Mul>(a, b, rm, result, flags) ? result : sf::f64_mul(a, b, rm, flags);
}
uint64_t f64_div(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags) {
  uint64_t result;
  return try_binary<double, BinaryOp::Div>(a, b, rm, result, flags) ? result : sf::f64_div(a, b, rm, flags);
}
uint64_t f64_sqrt(uint64_t a, RoundingMode rm, uint8_t& flags) {
  uint64_t result;
  return try_sqrt<double, uint64_t>(a, rm, result, flags) ? result : sf::f64_sqrt(a, rm, flags);
}
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, RoundingMode rm, uint8_t& flags) {
  uint64_t result;
  return try_fma<double, uint64_t>(a, b, c, rm, result, flags) ? result : sf::f64_fma(a, b, c, rm, flags);
}

}  // namespace emu::riscv::host_float
