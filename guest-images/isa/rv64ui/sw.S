// sw: writes exactly four bytes.
#include "test_macros.h"
  .data
  .balign 16
store_buffer: .dword 0, 0x1111111111111111
TEST_BEGIN_U
  TEST_ST_OP(2, lw,  sw, 0xffffffffdeadbeef, 0x00000000deadbeef, 0, store_buffer)
  TEST_ST_OP(3, lwu, sw, 0x00000000deadbeef, 0xffffffffdeadbeef, 0, store_buffer)
  TEST_ST_OP(4, lw,  sw, 0x0000000012345678, 0xabcdef0112345678, 4, store_buffer)
  TEST_CASE(5, a0, 0x12345678deadbeef, la a1, store_buffer; ld a0, 0(a1))
  TEST_CASE(6, a0, 0x1234567855555555,
    la a1, store_buffer; addi a1, a1, 8; li a2, 0xaaaaaaaa55555555; sw a2, -8(a1); ld a0, -8(a1))
  TEST_CASE(7, a0, 0x0000000055555555,
    la a1, store_buffer; sw x0, 4(a1); ld a0, 0(a1))
  TEST_CASE(8, a0, 0,
    la a1, store_buffer; sw a1, 8(a1); lwu a0, 8(a1); slli a1, a1, 32; srli a1, a1, 32; sub a0, a0, a1)
  TEST_CASE(9, a0, 0x0000000011111111,
    la a1, store_buffer; lwu a0, 12(a1))
TEST_END
