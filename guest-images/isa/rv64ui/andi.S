// andi: the immediate is sign-extended before the AND.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_IMM_OP(2,  andi, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0f, -16)
  TEST_IMM_OP(3,  andi, 0x00000000000000f0, 0x000000000ff00ff0, 0x0f0)
  TEST_IMM_OP(4,  andi, 0x000000000000000f, 0x0000000000ff00ff, 0x70f)
  TEST_IMM_OP(5,  andi, 0x0000000000000000, 0x00000000f00ff00f, 0x0f0)
  TEST_IMM_OP(6,  andi, 0xfffffffffffff800, 0xffffffffffffffff, -2048)
  TEST_IMM_OP(7,  andi, 0x00000000000007ff, 0xffffffffffffffff, 2047)
  TEST_IMM_OP(8,  andi, 0x8000000000000800, 0x8000000000000fff, -2048)
  TEST_IMM_SRC1_EQ_DEST(9, andi, 0x0000000000000000, 0x00000000ff00ff00, 0x0f0)
  TEST_IMM_ZEROSRC1(10, andi, 0, 0x0f0)
  TEST_IMM_ZERODEST(11, andi, 0x00ff00ff, 0x70f)
  TEST_IMM_HIGHREGS(12, andi, 0x0000000000000555, 0x5555555555555555, 0x7ff)
TEST_END
