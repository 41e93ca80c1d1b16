// c.lw/c.ld/c.sw/c.sd/c.fld/c.fsd: 3-bit registers x8-x15/f8-f15, scaled
// unsigned offsets up to their maximum (124 for words, 248 for doublewords).
#include "test_macros.h"
  .data
  .balign 16
buffer:
  .dword 0x8877665544332211, 0xfedcba9876543210
  .skip 256
TEST_BEGIN_U
  .option rvc
  TEST_CASE(2,  a0, 0x0000000044332211, la s0, buffer; c.lw a0, 0(s0))
  TEST_CASE(3,  a0, 0xffffffff88776655, la s0, buffer; c.lw a0, 4(s0))
  TEST_CASE(4,  a5, 0x8877665544332211, la s1, buffer; c.ld a5, 0(s1))
  TEST_CASE(5,  a0, 0xfedcba9876543210, la a5, buffer; c.ld a0, 8(a5))
  TEST_CASE(6,  a1, 0x0000000012345678, la a2, buffer; li a3, 0x12345678; c.sw a3, 124(a2); c.lw a1, 124(a2))
  TEST_CASE(7,  a1, 0x0123456789abcdef, la a2, buffer; li a3, 0x0123456789abcdef; c.sd a3, 248(a2); c.ld a1, 248(a2))
  TEST_CASE(8,  a1, 0x0123456789abcdef, la a2, buffer; ld a1, 248(a2))
  TEST_CASE(9,  a0, 0xffffffff87654321, la s0, buffer; li s1, 0x87654321; c.sw s1, 16(s0); lw a0, 16(s0))
  TEST_CASE(10, a0, 0, la s0, buffer; lw a0, 20(s0))          // c.sw wrote 4 bytes only
  TEST_CASE(11, a0, 0x7ff0000000000001,                        // c.fld/c.fsd move raw bits
    la a4, buffer; li a1, 0x7ff0000000000001; sd a1, 32(a4); c.fld f8, 32(a4); c.fsd f8, 240(a4); ld a0, 240(a4))
  TEST_CASE(12, a0, 0xfedcba9876543210, la a4, buffer; c.fld f15, 8(a4); fmv.x.d a0, f15)
  // the loaded value may overwrite the base register
  TEST_CASE(13, s0, 0x8877665544332211, la s0, buffer; c.ld s0, 0(s0))
  // misaligned base
  TEST_CASE(14, a0, 0x1088776655443322, la s0, buffer; addi s0, s0, 1; c.ld a0, 0(s0))
TEST_END
