// sb: writes exactly one byte, at any offset.
#include "test_macros.h"
  .data
  .balign 16
store_buffer: .dword 0x0123456789abcdef, 0
TEST_BEGIN_U
  TEST_ST_OP(2, lbu, sb, 0x00000000000000aa, 0x12345678900000aa, 0, store_buffer)
  TEST_ST_OP(3, lb,  sb, 0x0000000000000000, 0xffffffffffffff00, 1, store_buffer)
  TEST_ST_OP(4, lb,  sb, 0x000000000000007f, 0x000000000000007f, 7, store_buffer)
  TEST_ST_OP(5, lb,  sb, 0xffffffffffffffa0, 0x00000000000000a0, 8, store_buffer)
  TEST_CASE(6, a0, 0x7f23456789ab00aa, la a1, store_buffer; ld a0, 0(a1))
  TEST_CASE(7, a0, 0x5523456789ab00aa,
    la a1, store_buffer; addi a1, a1, 8; li a2, 0x55; sb a2, -1(a1); ld a0, -8(a1))
  TEST_CASE(8, a0, 0x55234567890000aa,
    la a1, store_buffer; sb x0, 2(a1); ld a0, 0(a1))
  TEST_CASE(9, a0, 0,                       // data register == base register
    la a1, store_buffer; sb a1, 9(a1); lbu a0, 9(a1); andi a1, a1, 0xff; sub a0, a0, a1)
  TEST_CASE(10, a0, 0,                      // bytes 10..15 untouched
    la a1, store_buffer; ld a0, 8(a1); srli a0, a0, 16)
  TEST_CASE(11, a0, 0xffffffffffffffee,     // extreme negative offset
    la a1, store_buffer; li t0, 2048 + 12; add a1, a1, t0; li a2, 0xee; sb a2, -2048(a1); lb a0, -2048(a1))
TEST_END
