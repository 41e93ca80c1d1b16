// flw/fsw: NaN-boxing on load, raw bit transfer (no canonicalization of NaN
// payloads), offsets in both directions.
#include "test_macros.h"
  .data
  .balign 16
source:
  .word 0x3f800000, 0x7f800001, 0xffc01234, 0x80000001
target:
  .word 0, 0, 0, 0
TEST_BEGIN_U
  // flw boxes: upper 32 bits all ones
  TEST_CASE(2, a0, 0xffffffff3f800000, la a1, source; flw f1, 0(a1); fmv.x.d a0, f1)
  TEST_CASE(3, a0, 0xffffffff7f800001, la a1, source; flw f2, 4(a1); fmv.x.d a0, f2)
  TEST_CASE(4, a0, 0xffffffffffc01234, la a1, source; flw f31, 8(a1); fmv.x.d a0, f31)
  TEST_CASE(5, a0, 0xffffffff80000001, la a1, source; addi a1, a1, 16; flw f0, -4(a1); fmv.x.d a0, f0)
  // fsw stores the low 32 bits unchanged (signaling NaN payload kept)
  TEST_CASE(6, a0, 0x000000007f800001, la a1, source; flw f3, 4(a1); la a2, target; fsw f3, 0(a2); lwu a0, 0(a2))
  TEST_CASE(7, a0, 0x00000000ffc01234, la a1, source; flw f4, 8(a1); la a2, target; fsw f4, 12(a2); lwu a0, 12(a2))
  // fsw of a register that is not NaN-boxed still stores its low half
  TEST_CASE(8, a0, 0x0000000089abcdef,
    li a1, 0x0123456789abcdef; fmv.d.x f5, a1; la a2, target; fsw f5, 4(a2); lwu a0, 4(a2))
  // neighbours untouched
  TEST_CASE(9, a0, 0x000000007f800001, la a2, target; lwu a0, 0(a2))
  TEST_CASE(10, a0, 0, la a2, target; lwu a0, 8(a2))
  // flw/fsw do not touch fflags
  TEST_CASE(11, a0, 0, fsflags x0; la a1, source; flw f6, 4(a1); la a2, target; fsw f6, 8(a2); frflags a0)
  // misaligned flw/fsw work like integer accesses on virt
  TEST_CASE(12, a0, 0x0000000001234000,  // misaligned fsw/lwu
    la a1, source; li a2, 0x01234000; sw a2, 0(a1); flw f7, 0(a1); la a2, target; fsw f7, 2(a2); lwu a0, 2(a2))
TEST_END
