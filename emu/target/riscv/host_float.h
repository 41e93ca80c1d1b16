// The F/D arithmetic the interpreter executes: the host FPU where its result
// and exception flags are provably those of the integer softfloat, the
// softfloat otherwise. Every function has the signature and the exact
// semantics (result bits and flags) of its softfloat namespace namesake, on
// every host; only the speed differs.
//
// Why the host can be trusted at all: IEEE 754-2008 requires +, -, *, /,
// sqrt and fused multiply-add to be correctly rounded (5.4.1, 4.3), and SSE2 /
// FMA3 implement that for the four directed/nearest-even modes. What differs
// from RISC-V is confined to results that are NaN (RISC-V returns the
// canonical NaN, 11.3), infinite or huge (overflow), or tiny (x86 detects
// tininess before rounding, RISC-V after, 11.2), and to RMM, which x86 lacks.
// The fast path therefore keeps a host result only when it is finite and
// either exact or strictly between the smallest normal and the largest
// finite magnitude: then no exception but inexact can have occurred under
// either convention. Two ways to learn "inexact":
//  - round to nearest even (nearly all code): plain host arithmetic in the
//    default environment plus an exactness test (TwoSum for +/-, integer
//    products of the significands' odd parts for *, / and sqrt), because
//    writing MXCSR costs more than the operation;
//  - the directed modes, fused multiply-add, and operands the first way
//    declines (subnormal, huge): the operation runs with MXCSR set to the
//    instruction's rounding mode and inexact is MXCSR.PE.
// Everything else (RMM, results at the range ends, NaN, non-x86-64 hosts)
// goes to the softfloat.
#pragma once

#include <cstdint>

#include "emu/target/riscv/softfloat.h"

namespace emu::riscv::host_float {

using softfloat::RoundingMode;

uint32_t f32_add(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags);
uint32_t f32_sub(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags);
uint32_t f32_mul(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags);
uint32_t f32_div(uint32_t a, uint32_t b, RoundingMode rm, uint8_t& flags);
uint32_t f32_sqrt(uint32_t a, RoundingMode rm, uint8_t& flags);
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, RoundingMode rm, uint8_t& flags);

uint64_t f64_add(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags);
uint64_t f64_sub(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags);
uint64_t f64_mul(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags);
uint64_t f64_div(uint64_t a, uint64_t b, RoundingMode rm, uint8_t& flags);
uint64_t f64_sqrt(uint64_t a, RoundingMode rm, uint8_t& flags);
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, RoundingMode rm, uint8_t& flags);

// Whether this build and CPU have the host path at all (x86-64), and whether
// the fused operations use it (the CPU has FMA3; checked once at startup).
// Tests use these to know that the fast path is actually exercised.
bool host_path_available();
bool host_fma_available();

// The fast path alone: true with `result` set and NX ORed into `flags` when
// the host result is kept, false (nothing written) when the softfloat must
// decide. For the tests that check the fast path is taken.
bool try_f64_add(uint64_t a, uint64_t b, RoundingMode rm, uint64_t& result, uint8_t& flags);
bool try_f32_mul(uint32_t a, uint32_t b, RoundingMode rm, uint32_t& result, uint8_t& flags);

}  // namespace emu::riscv::host_float
