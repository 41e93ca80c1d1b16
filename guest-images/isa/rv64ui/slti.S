// slti: signed compare with the sign-extended immediate.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_IMM_OP(2,  slti, 0, 0x0000000000000000, 0)
  TEST_IMM_OP(3,  slti, 0, 0x0000000000000001, 1)
  TEST_IMM_OP(4,  slti, 1, 0x0000000000000003, 7)
  TEST_IMM_OP(5,  slti, 0, 0x0000000000000007, 3)
  TEST_IMM_OP(6,  slti, 0, 0x0000000000000000, -2048)
  TEST_IMM_OP(7,  slti, 1, 0xffffffff80000000, 0)
  TEST_IMM_OP(8,  slti, 1, 0x8000000000000000, 2047)
  TEST_IMM_OP(9,  slti, 0, 0x7fffffffffffffff, -2048)
  TEST_IMM_OP(10, slti, 1, 0xfffffffffffff7ff, -2048)
  TEST_IMM_OP(11, slti, 0, 0xfffffffffffff800, -2048)
  TEST_IMM_OP(12, slti, 1, 0xffffffffffffffff, 0)
  TEST_IMM_OP(13, slti, 0, 0xffffffffffffffff, -1)
  TEST_IMM_SRC1_EQ_DEST(14, slti, 1, 11, 13)
  TEST_IMM_ZEROSRC1(15, slti, 0, -1)
  TEST_IMM_ZEROSRC1(16, slti, 1, 1)
  TEST_IMM_ZERODEST(17, slti, 0x00ff00ff, 0x70f)
  TEST_IMM_HIGHREGS(18, slti, 1, 0x00000000000007fe, 2047)
TEST_END
