// fmv.x.d / fmv.d.x: raw 64-bit moves, no canonicalization, no flags.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_CASE(2, a0, 0x3ff0000000000000, li a1, 0x3ff0000000000000; fmv.d.x f1, a1; fmv.x.d a0, f1)
  TEST_CASE(3, a0, 0x7ff0000000000001, fsflags x0; li a1, 0x7ff0000000000001; fmv.d.x f1, a1; fmv.x.d a0, f1; frflags a2; bnez a2, fail)
  TEST_CASE(4, a0, 0x0000000000000000, fmv.d.x f2, x0; fmv.x.d a0, f2)
  TEST_CASE(5, a0, 0x8000000000000000, li a1, 0x8000000000000000; fmv.d.x f31, a1; fmv.x.d a0, f31)
  TEST_CASE(6, a0, 0xffffffffffffffff, li a1, -1; fmv.d.x f0, a1; fmv.x.d a0, f0)
  // a double-precision op on a value loaded with fmv.d.x
  TEST_CASE(7, a0, 0x4000000000000000, li a1, 0x3ff0000000000000; fmv.d.x f1, a1; fadd.d f2, f1, f1; fmv.x.d a0, f2)
  // fsgnj.d used as fmv.d / fneg.d / fabs.d
  TEST_CASE(8, a0, 0xbff0000000000000, li a1, 0x3ff0000000000000; fmv.d.x f1, a1; fneg.d f2, f1; fmv.x.d a0, f2)
  TEST_CASE(9, a0, 0x7ff0000000000001, li a1, 0xfff0000000000001; fmv.d.x f1, a1; fabs.d f2, f1; fmv.x.d a0, f2)
  TEST_CASE(10, a0, 0x7ff8000000000123, li a1, 0x7ff8000000000123; fmv.d.x f1, a1; fmv.d f2, f1; fmv.x.d a0, f2)
TEST_END
