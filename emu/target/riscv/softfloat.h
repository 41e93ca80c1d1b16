// IEEE 754-2008 binary32/binary64 arithmetic with RISC-V semantics, in pure
// integer code so results and flags are identical on every host.
//
// RISC-V specifics (unprivileged ISA 20191213 chapter 11):
//  - any NaN result is the canonical NaN (0x7fc00000 / 0x7ff8000000000000);
//    NaN payloads are never propagated,
//  - tininess is detected after rounding,
//  - fmin/fmax follow IEEE 754-2019 minimumNumber/maximumNumber (a quiet NaN
//    operand is ignored; -0 < +0; signaling NaN raises NV),
//  - float->int conversions saturate (NaN converts to the largest positive
//    value) and raise NV when the value is out of range or NaN.
// Values are raw bit patterns (uint32_t / uint64_t). Each operation ORs the
// exception flags it raises (kFflag* in csr_numbers.h) into `flags`.
#pragma once

#include <cstdint>

namespace emu::riscv::softfloat {

// Rounding modes as encoded in frm / the rm field (values 5 and 6 are
// reserved and 7 means dynamic: the interpreter resolves those before calling).
enum class RoundingMode : uint8_t {
  NearestEven = 0,
  TowardZero = 1,
  Down = 2,
  Up = 3,
  NearestMaxMagnitude = 4,
};

inline constexpr uint32_t kCanonicalNaN32 = 0x7fc00000u;
inline constexpr uint64_t kCanonicalNaN64 = 0x7ff8000000000000ull;

// ---- binary32 ----
uint32_t f32_add(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags);
uint32_t f32_sub(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags);
uint32_t f32_mul(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags);
uint32_t f32_div(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags);
uint32_t f32_sqrt(uint32_t a, RoundingMode rm, uint8_t& flags);
// a*b + c with one rounding. The four RISC-V fused ops are:
//   fmadd = fma(a,b,c), fmsub = fma(a,b,-c), fnmsub = fma(-a,b,c), fnmadd = fma(-a,b,-c)
// where negation flips the sign bit of the operand before the operation.
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, RoundingMode rm, uint8_t& flags);
uint32_t f32_min(uint32_t a, uint32_t b, uint8_t& flags);
uint32_t f32_max(uint32_t a, uint32_t b, uint8_t& flags);
bool f32_eq(uint32_t a, uint32_t b, uint8_t& flags);  // quiet: NV only for signaling NaN
bool f32_lt(uint32_t a, uint32_t b, uint8_t& flags);  // signaling: NV for any NaN
bool f32_le(uint32_t a, uint32_t b, uint8_t& flags);
uint32_t f32_classify(uint32_t a);  // the fclass one-hot mask (table 11.5)

int32_t f32_to_i32(uint32_t a, RoundingMode rm, uint8_t& flags);
uint32_t f32_to_u32(uint32_t a, RoundingMode rm, uint8_t& flags);
int64_t f32_to_i64(uint32_t a, RoundingMode rm, uint8_t& flags);
uint64_t f32_to_u64(uint32_t a, RoundingMode rm, uint8_t& flags);
uint32_t i32_to_f32(int32_t a, RoundingMode rm, uint8_t& flags);
uint32_t u32_to_f32(uint32_t a, RoundingMode rm, uint8_t& flags);
uint32_t i64_to_f32(int64_t a, RoundingMode rm, uint8_t& flags);
uint32_t u64_to_f32(uint64_t a, RoundingMode rm, uint8_t& flags);

// ---- binary64 ----
uint64_t f64_add(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags);
uint64_t f64_sub(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags);
uint64_t f64_mul(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags);
uint64_t f64_div(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags);
uint64_t f64_sqrt(uint64_t a, RoundingMode rm, uint8_t& flags);
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, RoundingMode rm, uint8_t& flags);
uint64_t f64_min(uint64_t a, uint64_t b, uint8_t& flags);
uint64_t f64_max(uint64_t a, uint64_t b, uint8_t& flags);
bool f64_eq(uint64_t a, uint64_t b, uint8_t& flags);
bool f64_lt(uint64_t a, uint64_t b, uint8_t& flags);
bool f64_le(uint64_t a, uint64_t b, uint8_t& flags);
uint64_t f64_classify(uint64_t a);

int32_t f64_to_i32(uint64_t a, RoundingMode rm, uint8_t& flags);
uint32_t f64_to_u32(uint64_t a, RoundingMode rm, uint8_t& flags);
int64_t f64_to_i64(uint64_t a, RoundingMode rm, uint8_t& flags);
uint64_t f64_to_u64(uint64_t a, RoundingMode rm, uint8_t& flags);
uint64_t i32_to_f64(int32_t a, RoundingMode rm, uint8_t& flags);
uint64_t u32_to_f64(uint32_t a, RoundingMode rm, uint8_t& flags);
uint64_t i64_to_f64(int64_t a, RoundingMode rm, uint8_t& flags);
uint64_t u64_to_f64(uint64_t a, RoundingMode rm, uint8_t& flags);

// ---- conversions between formats ----
uint64_t f32_to_f64(uint32_t a, uint8_t& flags);  // exact; NV for signaling NaN
uint32_t f64_to_f32(uint64_t a, RoundingMode rm, uint8_t& flags);

}  // namespace emu::riscv::softfloat
