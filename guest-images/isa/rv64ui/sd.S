// sd
#include "test_macros.h"
  .data
  .balign 16
store_buffer: .dword 0, 0, 0x2222222222222222
TEST_BEGIN_U
  TEST_ST_OP(2, ld, sd, 0x0123456789abcdef, 0x0123456789abcdef, 0, store_buffer)
  TEST_CASE(3, a0, 0xffffffff89abcdef, la a1, store_buffer; lw a0, 0(a1))
  TEST_CASE(4, a0, 0x0000000001234567, la a1, store_buffer; lw a0, 4(a1))
  TEST_ST_OP(5, ld, sd, 0xfedcba9876543210, 0xfedcba9876543210, 8, store_buffer)
  TEST_CASE(6, a0, 0x8000000000000001,
    la a1, store_buffer; addi a1, a1, 16; li a2, 0x8000000000000001; sd a2, -16(a1); ld a0, -16(a1))
  TEST_CASE(7, a0, 0,
    la a1, store_buffer; sd x0, 8(a1); ld a0, 8(a1))
  TEST_CASE(8, a0, 0,
    la a1, store_buffer; sd a1, 0(a1); ld a0, 0(a1); sub a0, a0, a1)
  TEST_CASE(9, a0, 0x2222222222222222,
    la a1, store_buffer; ld a0, 16(a1))
  TEST_CASE(10, a0, 0x0f0f0f0f0f0f0f0f,
    la a1, store_buffer; li t0, -2040 + 8; add a1, a1, t0; li a2, 0x0f0f0f0f0f0f0f0f; sd a2, 2040(a1); ld a0, 2040(a1))
TEST_END
