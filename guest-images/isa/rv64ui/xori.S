// xori: xori rd, rs, -1 is bitwise NOT.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_IMM_OP(2,  xori, 0xffffffffff00f00f, 0x0000000000ff0f00, -241)
  TEST_IMM_OP(3,  xori, 0x000000000ff00f00, 0x000000000ff00ff0, 0x0f0)
  TEST_IMM_OP(4,  xori, 0x0000000000ff0ff0, 0x0000000000ff08ff, 0x70f)
  TEST_IMM_OP(5,  xori, 0x00000000f00ff0ff, 0x00000000f00ff00f, 0x0f0)
  TEST_IMM_OP(6,  xori, 0x8765432101234567, 0x789abcdefedcba98, -1)
  TEST_IMM_OP(7,  xori, 0x00000000000007ff, 0xfffffffffffff800, -1)
  TEST_IMM_OP(8,  xori, 0x0000000000000000, 0xfffffffffffff800, -2048)
  TEST_IMM_SRC1_EQ_DEST(9, xori, 0xffffffffff00f00f, 0xffffffffff00f700, 0x70f)
  TEST_IMM_ZEROSRC1(10, xori, 0x0f0, 0x0f0)
  TEST_IMM_ZERODEST(11, xori, 0x00ff00ff, 0x70f)
  TEST_IMM_HIGHREGS(12, xori, 0xaaaaaaaaaaaaa2aa, 0x5555555555555d55, -1)
TEST_END
