// ori: sign-extended immediate sets the upper bits when negative.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_IMM_OP(2,  ori, 0xffffffffffffff0f, 0xffffffffff00ff00, -241)
  TEST_IMM_OP(3,  ori, 0x000000000ff00ff0, 0x000000000ff00ff0, 0x0f0)
  TEST_IMM_OP(4,  ori, 0x0000000000ff07ff, 0x0000000000ff00ff, 0x70f)
  TEST_IMM_OP(5,  ori, 0x00000000f00ff0ff, 0x00000000f00ff00f, 0x0f0)
  TEST_IMM_OP(6,  ori, 0xfffffffffffff800, 0x0000000000000000, -2048)
  TEST_IMM_OP(7,  ori, 0x00000000000007ff, 0x0000000000000000, 2047)
  TEST_IMM_SRC1_EQ_DEST(8, ori, 0x00000000ff00fff0, 0x00000000ff00ff00, 0x0f0)
  TEST_IMM_ZEROSRC1(9, ori, 0x0f0, 0x0f0)
  TEST_IMM_ZERODEST(10, ori, 0x00ff00ff, 0x70f)
  TEST_IMM_HIGHREGS(11, ori, 0x80000000000007ff, 0x8000000000000000, 0x7ff)
TEST_END
