// sltu: unsigned 64-bit compare; sltu rd, x0, rs is "rs != 0".
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  sltu, 0, 0x0000000000000000, 0x0000000000000000)
  TEST_RR_OP(3,  sltu, 0, 0x0000000000000001, 0x0000000000000001)
  TEST_RR_OP(4,  sltu, 1, 0x0000000000000003, 0x0000000000000007)
  TEST_RR_OP(5,  sltu, 0, 0x0000000000000007, 0x0000000000000003)
  TEST_RR_OP(6,  sltu, 1, 0x0000000000000000, 0xffffffffffff8000)
  TEST_RR_OP(7,  sltu, 0, 0xffffffff80000000, 0x0000000000000000)
  TEST_RR_OP(8,  sltu, 0, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_RR_OP(9,  sltu, 1, 0x7fffffffffffffff, 0x8000000000000000)
  TEST_RR_OP(10, sltu, 0, 0xffffffffffffffff, 0xfffffffffffffffe)
  TEST_RR_OP(11, sltu, 1, 0xfffffffffffffffe, 0xffffffffffffffff)
  TEST_RR_OP(12, sltu, 1, 0x00000000ffffffff, 0x0000000100000000)
  TEST_RR_SRC1_EQ_DEST(13, sltu, 0, 14, 13)
  TEST_RR_SRC2_EQ_DEST(14, sltu, 1, 11, 13)
  TEST_RR_SRC12_EQ_DEST(15, sltu, 0, 13)
  TEST_RR_ZEROSRC1(16, sltu, 1, -1)
  TEST_RR_ZEROSRC1(17, sltu, 0, 0)
  TEST_RR_ZEROSRC2(18, sltu, 0, -1)
  TEST_RR_ZEROSRC12(19, sltu, 0)
  TEST_RR_ZERODEST(20, sltu, 16, 30)
  TEST_RR_HIGHREGS(21, sltu, 0, 0x8000000000000000, 0x0000000000000000)
TEST_END
