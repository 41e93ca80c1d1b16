// lui: imm[31:12], sign-extended from bit 31 on RV64.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_CASE(2, a0, 0x0000000000000000, lui a0, 0x00000)
  TEST_CASE(3, a0, 0x0000000000001000, lui a0, 0x00001)
  TEST_CASE(4, a0, 0x000000007ffff000, lui a0, 0x7ffff)
  TEST_CASE(5, a0, 0xffffffff80000000, lui a0, 0x80000)
  TEST_CASE(6, a0, 0xfffffffffffff000, lui a0, 0xfffff)
  TEST_CASE(7, a0, 0x0000000012345000, lui a0, 0x12345)
  TEST_CASE(8, a0, 0xfffffffffffff800, lui a0, 0xfffff; srai a0, a0, 1)
  TEST_CASE(9, a0, 0x0000000000000000, li a0, 7; lui a0, 0)
  TEST_CASE(10, x0, 0, lui x0, 0x80000)
  TEST_CASE(11, t6, 0xffffffffabcde000, lui t6, 0xabcde)
TEST_END
