// fmv.x.w sign-extends bit 31 and ignores NaN-boxing; fmv.w.x boxes.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_CASE(2, a0, 0x000000003f800000, li a1, 0x3f800000; fmv.w.x f1, a1; fmv.x.w a0, f1)
  TEST_CASE(3, a0, 0xffffffffbf800000, li a1, 0xbf800000; fmv.w.x f1, a1; fmv.x.w a0, f1)
  TEST_CASE(4, a0, 0xffffffff7f800001, li a1, 0x123456787f800001; fmv.w.x f1, a1; fmv.x.d a0, f1)
  TEST_CASE(5, a0, 0xffffffff80000000, li a1, 0x80000000; fmv.w.x f2, a1; fmv.x.w a0, f2)
  // fmv.x.w of an unboxed double takes the low bits as they are
  TEST_CASE(6, a0, 0xffffffff89abcdef, li a1, 0x0123456789abcdef; fmv.d.x f3, a1; fmv.x.w a0, f3)
  TEST_CASE(7, a0, 0x0000000076543210, li a1, 0xfedcba9876543210; fmv.d.x f3, a1; fmv.x.w a0, f3)
  // signaling NaN passes through unchanged, no flags
  TEST_CASE(8, a0, 0x000000007f800001, fsflags x0; li a1, 0x7f800001; fmv.w.x f4, a1; fmv.x.w a0, f4; frflags a2; bnez a2, fail)
  // x0 source gives +0.0 (boxed)
  TEST_CASE(9, a0, 0xffffffff00000000, fmv.w.x f5, x0; fmv.x.d a0, f5)
  // every register number
  TEST_CASE(10, a0, 0x0000000012345678, li a1, 0x12345678; fmv.w.x f31, a1; fmv.x.w a0, f31)
  TEST_CASE(11, a0, 0x0000000012345679, li a1, 0x12345679; fmv.w.x f0, a1; fmv.x.w a0, f0)
TEST_END
