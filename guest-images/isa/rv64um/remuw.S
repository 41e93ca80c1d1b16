// remuw: unsigned 32-bit remainder, result sign-extended from bit 31.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  remuw, 2, 20, 6)
  TEST_RR_OP(3,  remuw, 2, -20, 6)
  TEST_RR_OP(4,  remuw, 20, 20, -6)
  TEST_RR_OP(5,  remuw, -20, -20, -6)
  TEST_RR_OP(6,  remuw, 0, 0xffffffff80000000, 1)
  TEST_RR_OP(7,  remuw, 0xffffffff80000000, 0xffffffff80000000, -1)
  TEST_RR_OP(8,  remuw, 0xffffffff80000000, 0x0000000080000000, 0)
  TEST_RR_OP(9,  remuw, 1, 1, 0)
  TEST_RR_OP(10, remuw, 0, 0, 0)
  TEST_RR_OP(11, remuw, 0xffffffff80000001, 0x1234567880000001, 0xffffffff00000000)
  TEST_RR_OP(12, remuw, 1, 0x00000000ffffffff, 2)
  TEST_RR_SRC1_EQ_DEST(13, remuw, 1, 45, 11)
  TEST_RR_SRC2_EQ_DEST(14, remuw, 3, -45, 11)
  TEST_RR_SRC12_EQ_DEST(15, remuw, 0, -13)
  TEST_RR_ZEROSRC1(16, remuw, 0, 31)
  TEST_RR_ZEROSRC2(17, remuw, 32, 32)
  TEST_RR_ZERODEST(18, remuw, 33, 34)
  TEST_RR_HIGHREGS(19, remuw, 1, 1000, 3)
TEST_END
