// divuw: unsigned 32-bit, result sign-extended from bit 31; x/0 = -1.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  divuw, 3, 20, 6)
  TEST_RR_OP(3,  divuw, 0x000000002aaaaaa7, -20, 6)
  TEST_RR_OP(4,  divuw, 0, 20, -6)
  TEST_RR_OP(5,  divuw, 0, -20, -6)
  TEST_RR_OP(6,  divuw, 0xffffffff80000000, 0xffffffff80000000, 1)
  TEST_RR_OP(7,  divuw, 0, 0xffffffff80000000, -1)
  TEST_RR_OP(8,  divuw, -1, 0xffffffff80000000, 0)
  TEST_RR_OP(9,  divuw, -1, 1, 0)
  TEST_RR_OP(10, divuw, -1, 0, 0)
  TEST_RR_OP(11, divuw, -1, 5, 0xffffffff00000000)
  TEST_RR_OP(12, divuw, 0xffffffffffffffff, 0x00000000ffffffff, 1)
  TEST_RR_OP(13, divuw, 0x7fffffff, 0x00000000ffffffff, 2)
  TEST_RR_SRC1_EQ_DEST(14, divuw, 4, 45, 11)
  TEST_RR_SRC2_EQ_DEST(15, divuw, 0x1745d170, -45, 11)
  TEST_RR_SRC12_EQ_DEST(16, divuw, 1, -13)
  TEST_RR_ZEROSRC1(17, divuw, 0, 31)
  TEST_RR_ZEROSRC2(18, divuw, -1, 32)
  TEST_RR_ZERODEST(19, divuw, 33, 34)
  TEST_RR_HIGHREGS(20, divuw, 333, 1000, 3)
TEST_END
