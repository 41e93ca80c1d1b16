// remw: signed 32-bit remainder, sign-extended; x%0 = x (sign-extended).
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  remw, 2, 20, 6)
  TEST_RR_OP(3,  remw, -2, -20, 6)
  TEST_RR_OP(4,  remw, 2, 20, -6)
  TEST_RR_OP(5,  remw, -2, -20, -6)
  TEST_RR_OP(6,  remw, 0, 0xffffffff80000000, 1)
  TEST_RR_OP(7,  remw, 0, 0xffffffff80000000, -1)
  TEST_RR_OP(8,  remw, 0xffffffff80000000, 0xffffffff80000000, 0)
  TEST_RR_OP(9,  remw, 0xffffffff80000000, 0x0000000080000000, 0)
  TEST_RR_OP(10, remw, 1, 1, 0)
  TEST_RR_OP(11, remw, 0, 0, 0)
  TEST_RR_OP(12, remw, 0xfffffffffffff000, 0x00000000fffff000, 0x0000000100000000)
  TEST_RR_OP(13, remw, 1, 0x1234567800000007, 0xabcdef0000000002)
  TEST_RR_SRC1_EQ_DEST(14, remw, 1, 45, 11)
  TEST_RR_SRC2_EQ_DEST(15, remw, -1, -45, 11)
  TEST_RR_SRC12_EQ_DEST(16, remw, 0, -13)
  TEST_RR_ZEROSRC1(17, remw, 0, 31)
  TEST_RR_ZEROSRC2(18, remw, 32, 32)
  TEST_RR_ZERODEST(19, remw, 33, 34)
  TEST_RR_HIGHREGS(20, remw, 1, 1000, -3)
TEST_END
