// divu: unsigned; x/0 = 2^64-1.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  divu, 3, 20, 6)
  TEST_RR_OP(3,  divu, 0x2aaaaaaaaaaaaaa7, -20, 6)
  TEST_RR_OP(4,  divu, 0, 20, -6)
  TEST_RR_OP(5,  divu, 0, -20, -6)
  TEST_RR_OP(6,  divu, 1, -6, -6)
  TEST_RR_OP(7,  divu, 0x8000000000000000, 0x8000000000000000, 1)
  TEST_RR_OP(8,  divu, 0, 0x8000000000000000, -1)
  TEST_RR_OP(9,  divu, -1, 0x8000000000000000, 0)
  TEST_RR_OP(10, divu, -1, 1, 0)
  TEST_RR_OP(11, divu, -1, 0, 0)
  TEST_RR_OP(12, divu, 1, -1, -1)
  TEST_RR_OP(13, divu, 0x00000000ffffffff, 0xffffffffffffffff, 0x0000000100000001)
  TEST_RR_SRC1_EQ_DEST(14, divu, 4, 45, 11)
  TEST_RR_SRC2_EQ_DEST(15, divu, 0x1745d1745d1745cd, -45, 11)
  TEST_RR_SRC12_EQ_DEST(16, divu, 1, -13)
  TEST_RR_ZEROSRC1(17, divu, 0, 31)
  TEST_RR_ZEROSRC2(18, divu, -1, 32)
  TEST_RR_ZERODEST(19, divu, 33, 34)
  TEST_RR_HIGHREGS(20, divu, 333, 1000, 3)
TEST_END
