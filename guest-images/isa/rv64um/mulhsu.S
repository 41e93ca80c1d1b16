// mulhsu: upper 64 bits of signed rs1 x unsigned rs2.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  mulhsu, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
  TEST_RR_OP(3,  mulhsu, 0x0000000000000000, 0x0000000000000003, 0x0000000000000007)
  TEST_RR_OP(4,  mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000001)
  TEST_RR_OP(5,  mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff)
  TEST_RR_OP(6,  mulhsu, 0xfffffffffffffffe, 0xfffffffffffffffe, 0xffffffffffffffff)
  TEST_RR_OP(7,  mulhsu, 0x7ffffffffffffffe, 0x7fffffffffffffff, 0xffffffffffffffff)
  TEST_RR_OP(8,  mulhsu, 0xc000000000000000, 0x8000000000000000, 0x8000000000000000)
  TEST_RR_OP(9,  mulhsu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff)
  TEST_RR_OP(10, mulhsu, 0x0000000000000000, 0x0000000000000001, 0xffffffffffffffff)
  TEST_RR_OP(11, mulhsu, 0xfffffffffedcba98, 0xfedcba9876543210, 0x0000000100000000)
  TEST_RR_SRC1_EQ_DEST(12, mulhsu, 0xffffffffffffffff, 0xffffffff00000000, 0x0000000100000000)
  TEST_RR_SRC2_EQ_DEST(13, mulhsu, 0x00000000ffffffff, 0x0000000100000000, 0xffffffff00000000)
  TEST_RR_SRC12_EQ_DEST(14, mulhsu, 0xffffffff00000001, 0xffffffff00000000)
  TEST_RR_ZEROSRC1(15, mulhsu, 0, -1)
  TEST_RR_ZEROSRC2(16, mulhsu, 0, -1)
  TEST_RR_ZERODEST(17, mulhsu, -1, -1)
  TEST_RR_HIGHREGS(18, mulhsu, 0xfffffffffffffff8, 0xfffffffffffffff0, 0x8000000000000000)
TEST_END
