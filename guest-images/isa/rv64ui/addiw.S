// addiw: 32-bit add, result sign-extended from bit 31; upper input bits ignored.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_IMM_OP(2,  addiw, 0x0000000000000000, 0x0000000000000000, 0)
  TEST_IMM_OP(3,  addiw, 0x0000000000000002, 0x0000000000000001, 1)
  TEST_IMM_OP(4,  addiw, 0xfffffffffffff800, 0x0000000000000000, -2048)
  TEST_IMM_OP(5,  addiw, 0x00000000000007ff, 0x0000000000000000, 2047)
  TEST_IMM_OP(6,  addiw, 0xffffffff80000000, 0x000000007fffffff, 1)
  TEST_IMM_OP(7,  addiw, 0x000000007fffffff, 0xffffffff80000000, -1)
  TEST_IMM_OP(8,  addiw, 0x0000000000000000, 0x00000000ffffffff, 1)
  TEST_IMM_OP(9,  addiw, 0x0000000000000005, 0x1234567800000004, 1)
  TEST_IMM_OP(10, addiw, 0xffffffffffffffff, 0x7fffffffffffffff, 0)
  TEST_IMM_OP(11, addiw, 0x00000000000007fe, 0xffffffffffffffff, 2047)
  TEST_IMM_OP(12, addiw, 0x000000007fffffff, 0x0000000080000000, -1)
  TEST_IMM_SRC1_EQ_DEST(13, addiw, 24, 13, 11)
  TEST_IMM_ZEROSRC1(14, addiw, 32, 32)
  TEST_IMM_ZERODEST(15, addiw, 33, 50)
  TEST_IMM_HIGHREGS(16, addiw, 0xffffffff80000000, 0x000000007fffffff, 1)
TEST_END
