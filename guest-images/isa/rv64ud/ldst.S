// fld/fsd: raw 64-bit transfers (NaN payloads kept), offsets, and the
// interplay with single-precision loads in the same register.
#include "test_macros.h"
  .data
  .balign 16
source:
  .dword 0x3ff0000000000000, 0x7ff0000000000001, 0xfff8000000012345, 0x0123456789abcdef
target:
  .dword 0, 0, 0, 0
TEST_BEGIN_U
  TEST_CASE(2, a0, 0x3ff0000000000000, la a1, source; fld f1, 0(a1); fmv.x.d a0, f1)
  TEST_CASE(3, a0, 0x7ff0000000000001, la a1, source; fld f2, 8(a1); fmv.x.d a0, f2)
  TEST_CASE(4, a0, 0xfff8000000012345, la a1, source; addi a1, a1, 32; fld f31, -16(a1); fmv.x.d a0, f31)
  TEST_CASE(5, a0, 0x7ff0000000000001, la a1, source; fld f3, 8(a1); la a2, target; fsd f3, 0(a2); ld a0, 0(a2))
  TEST_CASE(6, a0, 0x0123456789abcdef, la a1, source; fld f4, 24(a1); la a2, target; fsd f4, 24(a2); ld a0, 24(a2))
  // fsd of a boxed single stores the box too
  TEST_CASE(7, a0, 0xffffffff40490fdb, li a1, 0x40490fdb; fmv.w.x f5, a1; la a2, target; fsd f5, 8(a2); ld a0, 8(a2))
  // flw into a register that held a double replaces all 64 bits
  TEST_CASE(8, a0, 0xffffffff89abcdef, la a1, source; fld f6, 24(a1); flw f6, 24(a1); fmv.x.d a0, f6)
  // no flags from loads/stores of NaNs
  TEST_CASE(9, a0, 0, fsflags x0; la a1, source; fld f7, 8(a1); la a2, target; fsd f7, 16(a2); frflags a0)
  // misaligned fld/fsd
  TEST_CASE(10, a0, 0x0123456789abcdef, la a1, source; fld f8, 24(a1); la a2, target; fsd f8, 3(a2); fld f9, 3(a2); fmv.x.d a0, f9)
TEST_END
