// addi: sign-extended 12-bit immediate at both ends of its range.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_IMM_OP(2,  addi, 0x0000000000000000, 0x0000000000000000, 0)
  TEST_IMM_OP(3,  addi, 0x0000000000000002, 0x0000000000000001, 1)
  TEST_IMM_OP(4,  addi, 0x000000000000000a, 0x0000000000000003, 7)
  TEST_IMM_OP(5,  addi, 0xfffffffffffff800, 0x0000000000000000, -2048)
  TEST_IMM_OP(6,  addi, 0x00000000000007ff, 0x0000000000000000, 2047)
  TEST_IMM_OP(7,  addi, 0xffffffff80000000, 0xffffffff80000000, 0)
  TEST_IMM_OP(8,  addi, 0xffffffff7ffff800, 0xffffffff80000000, -2048)
  TEST_IMM_OP(9,  addi, 0x00000000800007fe, 0x000000007fffffff, 2047)
  TEST_IMM_OP(10, addi, 0x8000000000000000, 0x7fffffffffffffff, 1)
  TEST_IMM_OP(11, addi, 0x7fffffffffffffff, 0x8000000000000000, -1)
  TEST_IMM_OP(12, addi, 0x0000000000000000, 0xffffffffffffffff, 1)
  TEST_IMM_OP(13, addi, 0xfffffffffffffffe, 0xffffffffffffffff, -1)
  TEST_IMM_OP(14, addi, 0x0000000100000000, 0x00000000ffffffff, 1)
  TEST_IMM_SRC1_EQ_DEST(15, addi, 24, 13, 11)
  TEST_IMM_ZEROSRC1(16, addi, 32, 32)
  TEST_IMM_ZEROSRC1(17, addi, -1, -1)
  TEST_IMM_ZERODEST(18, addi, 33, 50)
  TEST_IMM_HIGHREGS(19, addi, 0x0000000000000fff, 0x0000000000000800, 2047)
TEST_END
