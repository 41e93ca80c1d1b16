// mulhu: upper 64 bits of unsigned x unsigned.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  mulhu, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
  TEST_RR_OP(3,  mulhu, 0x0000000000000000, 0x0000000000000003, 0x0000000000000007)
  TEST_RR_OP(4,  mulhu, 0xffffffffffff7fff, 0xffffffffffff8000, 0xffffffffffffffff)
  TEST_RR_OP(5,  mulhu, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff)
  TEST_RR_OP(6,  mulhu, 0x0000000000000000, 0xffffffffffffffff, 0x0000000000000001)
  TEST_RR_OP(7,  mulhu, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
  TEST_RR_OP(8,  mulhu, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff)
  TEST_RR_OP(9,  mulhu, 0x0000000000000001, 0x0000000100000000, 0x0000000100000000)
  TEST_RR_OP(10, mulhu, 0x0000000001234567, 0x0123456789abcdef, 0x0000000100000000)
  TEST_RR_SRC1_EQ_DEST(11, mulhu, 0x00000000ffffffff, 0xffffffff00000000, 0x0000000100000000)
  TEST_RR_SRC2_EQ_DEST(12, mulhu, 0x00000000ffffffff, 0x0000000100000000, 0xffffffff00000000)
  TEST_RR_SRC12_EQ_DEST(13, mulhu, 0xfffffffe00000001, 0xffffffff00000000)
  TEST_RR_ZEROSRC1(14, mulhu, 0, -1)
  TEST_RR_ZEROSRC2(15, mulhu, 0, -1)
  TEST_RR_ZERODEST(16, mulhu, -1, -1)
  TEST_RR_HIGHREGS(17, mulhu, 0x7ffffffffffffff8, 0xfffffffffffffff0, 0x8000000000000000)
TEST_END
