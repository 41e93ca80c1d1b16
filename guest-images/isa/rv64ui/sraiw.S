// sraiw: arithmetic shift of rs1[31:0] by 5-bit shamt, sign-extended.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_IMM_OP(2,  sraiw, 0xffffffff80000000, 0x0000000080000000, 0)
  TEST_IMM_OP(3,  sraiw, 0xffffffffc0000000, 0x0000000080000000, 1)
  TEST_IMM_OP(4,  sraiw, 0xffffffffff000000, 0x0000000080000000, 7)
  TEST_IMM_OP(5,  sraiw, 0xffffffffffffffff, 0x0000000080000000, 31)
  TEST_IMM_OP(6,  sraiw, 0x000000003fffffff, 0x000000007fffffff, 1)
  TEST_IMM_OP(7,  sraiw, 0x0000000000000000, 0x000000007fffffff, 31)
  TEST_IMM_OP(8,  sraiw, 0x0000000000000000, 0xffffffff7fffffff, 31)
  TEST_IMM_OP(9,  sraiw, 0xffffffffff030303, 0x8181818181818181, 7)
  TEST_IMM_OP(10, sraiw, 0x0000000012345678, 0xfedcba9812345678, 0)
  TEST_IMM_SRC1_EQ_DEST(11, sraiw, 0xffffffffff000000, 0x0000000080000000, 7)
  TEST_IMM_ZEROSRC1(12, sraiw, 0, 31)
  TEST_IMM_ZERODEST(13, sraiw, 31, 28)
  TEST_IMM_HIGHREGS(14, sraiw, 0xffffffffffffffff, 0x00000000f0000000, 28)
TEST_END
