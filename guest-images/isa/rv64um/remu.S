// remu: unsigned; x%0 = x.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  remu, 2, 20, 6)
  TEST_RR_OP(3,  remu, 2, -20, 6)
  TEST_RR_OP(4,  remu, 20, 20, -6)
  TEST_RR_OP(5,  remu, -20, -20, -6)
  TEST_RR_OP(6,  remu, 0, 0x8000000000000000, 1)
  TEST_RR_OP(7,  remu, 0x8000000000000000, 0x8000000000000000, -1)
  TEST_RR_OP(8,  remu, 0x8000000000000000, 0x8000000000000000, 0)
  TEST_RR_OP(9,  remu, 1, 1, 0)
  TEST_RR_OP(10, remu, 0, 0, 0)
  TEST_RR_OP(11, remu, 0, -1, -1)
  TEST_RR_OP(12, remu, 0, 0xffffffffffffffff, 0x0000000100000001)
  TEST_RR_SRC1_EQ_DEST(13, remu, 1, 45, 11)
  TEST_RR_SRC2_EQ_DEST(14, remu, 4, -45, 11)
  TEST_RR_SRC12_EQ_DEST(15, remu, 0, -13)
  TEST_RR_ZEROSRC1(16, remu, 0, 31)
  TEST_RR_ZEROSRC2(17, remu, 32, 32)
  TEST_RR_ZERODEST(18, remu, 33, 34)
  TEST_RR_HIGHREGS(19, remu, 1, 1000, 3)
TEST_END
