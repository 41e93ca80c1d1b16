// sltiu: the immediate is sign-extended, then compared unsigned
// (sltiu rd, rs, 1 is "rs == 0"; imm -1 compares against 2^64-1).
#include "test_macros.h"
TEST_BEGIN_U
  TEST_IMM_OP(2,  sltiu, 0, 0x0000000000000000, 0)
  TEST_IMM_OP(3,  sltiu, 0, 0x0000000000000001, 1)
  TEST_IMM_OP(4,  sltiu, 1, 0x0000000000000003, 7)
  TEST_IMM_OP(5,  sltiu, 0, 0x0000000000000007, 3)
  TEST_IMM_OP(6,  sltiu, 1, 0x0000000000000000, -2048)
  TEST_IMM_OP(7,  sltiu, 0, 0xffffffff80000000, 0)
  TEST_IMM_OP(8,  sltiu, 1, 0xffffffff80000000, -2048)
  TEST_IMM_OP(9,  sltiu, 1, 0xfffffffffffffffe, -1)
  TEST_IMM_OP(10, sltiu, 0, 0xffffffffffffffff, -1)
  TEST_IMM_OP(11, sltiu, 1, 0x0000000000000000, 1)
  TEST_IMM_OP(12, sltiu, 0, 0x0000000000000800, 2047)
  TEST_IMM_OP(13, sltiu, 0, 0x8000000000000000, 2047)
  TEST_IMM_SRC1_EQ_DEST(14, sltiu, 1, 11, 13)
  TEST_IMM_ZEROSRC1(15, sltiu, 1, -1)
  TEST_IMM_ZEROSRC1(16, sltiu, 0, 0)
  TEST_IMM_ZERODEST(17, sltiu, 0x00ff00ff, 0x70f)
  TEST_IMM_HIGHREGS(18, sltiu, 1, 0x00000000000007fe, 2047)
TEST_END
