// NaN-boxing (unprivileged spec 12.2): single-precision operations treat an
// f register whose upper 32 bits are not all ones as the canonical NaN.
#include "test_macros.h"
#define UNBOXED(freg, low) li t0, (0x7fffffff00000000 | (low)); fmv.d.x freg, t0
TEST_BEGIN_U
  // fadd.s of unboxed 1.0 + 1.0 -> canonical NaN, no NV (it is a quiet NaN)
  TEST_CASE(2, a0, 0xffffffff7fc00000,
    UNBOXED(f1, 0x3f800000); li a1, 0x3f800000; fmv.w.x f2, a1; fsflags x0; fadd.s f3, f1, f2; fmv.x.d a0, f3; frflags a2; bnez a2, fail)
  // fsgnj.s copies the canonical NaN magnitude with the new sign
  TEST_CASE(3, a0, 0xffffffffffc00000,
    UNBOXED(f1, 0x3f800000); li a1, 0xbf800000; fmv.w.x f2, a1; fsgnj.s f3, f1, f2; fmv.x.d a0, f3)
  // the sign source is unboxed too: its sign is that of the canonical NaN (+)
  TEST_CASE(4, a0, 0xffffffff3f800000,
    li a1, 0xbf800000; fmv.w.x f1, a1; UNBOXED(f2, 0x80000000); fsgnj.s f3, f1, f2; fmv.x.d a0, f3)
  // fsgnjn.s with unboxed sign source: NOT of +
  TEST_CASE(5, a0, 0xffffffffbf800000,
    li a1, 0x3f800000; fmv.w.x f1, a1; UNBOXED(f2, 0x00000000); fsgnjn.s f3, f1, f2; fmv.x.d a0, f3)
  // fclass.s: quiet NaN
  TEST_CASE(6, a0, FCLASS_QNAN, UNBOXED(f1, 0xff800000); fclass.s a0, f1)
  // feq.s of an unboxed value with itself: unordered
  TEST_CASE(7, a0, 0, UNBOXED(f1, 0x3f800000); feq.s a0, f1, f1)
  // fcvt.w.s: NaN -> 2^31-1 with NV
  TEST_CASE(8, a0, 0x7fffffff, UNBOXED(f1, 0x3f800000); fsflags x0; fcvt.w.s a0, f1, rtz; frflags a2; li a3, FFLAG_NV; bne a2, a3, fail)
  // fcvt.d.s: canonical double NaN, no flags
  TEST_CASE(9, a0, 0x7ff8000000000000, UNBOXED(f1, 0x3f800000); fsflags x0; fcvt.d.s f2, f1; fmv.x.d a0, f2; frflags a2; bnez a2, fail)
  // fmin.s: an unboxed operand is a (quiet) NaN, so the other one is returned
  TEST_CASE(10, a0, 0xffffffff40000000,
    UNBOXED(f1, 0x3f800000); li a1, 0x40000000; fmv.w.x f2, a1; fmin.s f3, f1, f2; fmv.x.d a0, f3)
  // fmadd.s with an unboxed addend
  TEST_CASE(11, a0, 0xffffffff7fc00000,
    li a1, 0x3f800000; fmv.w.x f1, a1; UNBOXED(f2, 0x3f800000); fmadd.s f3, f1, f1, f2; fmv.x.d a0, f3)
  // almost boxed (one upper bit clear) is still unboxed
  TEST_CASE(12, a0, 0xffffffff7fc00000,
    li t0, 0xfffffffe3f800000; fmv.d.x f1, t0; fsqrt.s f3, f1; fmv.x.d a0, f3)
  // fmv.x.w and fsw ignore boxing (low bits as stored)
  TEST_CASE(13, a0, 0x000000003f800000, UNBOXED(f1, 0x3f800000); fmv.x.w a0, f1)
  // a double written by fld/fmv.d.x and read as single: only the exact all-ones
  // upper half counts as boxed
  TEST_CASE(14, a0, 0xffffffff40400000,
    li t0, 0xffffffff3fc00000; fmv.d.x f1, t0; fadd.s f3, f1, f1; fmv.x.d a0, f3)
TEST_END
