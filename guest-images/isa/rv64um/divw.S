// divw: signed 32-bit, sign-extended; x/0 = -1; INT32_MIN/-1 = INT32_MIN.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  divw, 3, 20, 6)
  TEST_RR_OP(3,  divw, -3, -20, 6)
  TEST_RR_OP(4,  divw, -3, 20, -6)
  TEST_RR_OP(5,  divw, 3, -20, -6)
  TEST_RR_OP(6,  divw, 0xffffffff80000000, 0xffffffff80000000, 1)
  TEST_RR_OP(7,  divw, 0xffffffff80000000, 0xffffffff80000000, -1)
  TEST_RR_OP(8,  divw, 0xffffffff80000000, 0x0000000080000000, 0xffffffffffffffff)
  TEST_RR_OP(9,  divw, -1, 0xffffffff80000000, 0)
  TEST_RR_OP(10, divw, -1, 1, 0)
  TEST_RR_OP(11, divw, -1, 0, 0)
  TEST_RR_OP(12, divw, -1, 1, 0x0000000100000000)
  TEST_RR_OP(13, divw, 2, 0x1234567800000004, 0xabcdef0000000002)
  TEST_RR_OP(14, divw, -2, 0x00000000fffffffc, 2)
  TEST_RR_SRC1_EQ_DEST(15, divw, 4, 45, 11)
  TEST_RR_SRC2_EQ_DEST(16, divw, -4, -45, 11)
  TEST_RR_SRC12_EQ_DEST(17, divw, 1, -13)
  TEST_RR_ZEROSRC1(18, divw, 0, 31)
  TEST_RR_ZEROSRC2(19, divw, -1, 32)
  TEST_RR_ZERODEST(20, divw, 33, 34)
  TEST_RR_HIGHREGS(21, divw, -333, 1000, -3)
TEST_END
