// sh: writes exactly two bytes.
#include "test_macros.h"
  .data
  .balign 16
store_buffer: .dword 0xfedcba9876543210, 0
TEST_BEGIN_U
  TEST_ST_OP(2, lhu, sh, 0x000000000000beef, 0x000000000000beef, 0, store_buffer)
  TEST_ST_OP(3, lh,  sh, 0xffffffffffffbeef, 0x000000000000beef, 0, store_buffer)
  TEST_ST_OP(4, lh,  sh, 0x0000000000001234, 0xffffffffffff1234, 6, store_buffer)
  TEST_CASE(5, a0, 0x1234ba987654beef, la a1, store_buffer; ld a0, 0(a1))
  TEST_CASE(6, a0, 0xffffba987654beef,
    la a1, store_buffer; addi a1, a1, 8; li a2, 0x5555ffff; sh a2, -2(a1); ld a0, -8(a1))
  TEST_CASE(7, a0, 0xffff00007654beef,
    la a1, store_buffer; sh x0, 4(a1); ld a0, 0(a1))
  TEST_CASE(8, a0, 0,
    la a1, store_buffer; sh a1, 8(a1); lhu a0, 8(a1); slli a1, a1, 48; srli a1, a1, 48; sub a0, a0, a1)
  TEST_CASE(9, a0, 0x0000000000000000,      // bytes 10..15 still zero
    la a1, store_buffer; ld a0, 8(a1); srli a0, a0, 16)
  TEST_CASE(10, a0, 0x0000000000007ffe,
    la a1, store_buffer; li t0, -2047 + 10 + 1; add a1, a1, t0; li a2, 0x7ffe; sh a2, 2046(a1); lh a0, 2046(a1))
TEST_END
