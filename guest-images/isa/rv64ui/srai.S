// srai: arithmetic right shift by 6-bit shamt (funct6 0x10).
#include "test_macros.h"
TEST_BEGIN_U
  TEST_IMM_OP(2,  srai, 0xffffff8000000000, 0xffffff8000000000, 0)
  TEST_IMM_OP(3,  srai, 0xffffffffc0000000, 0xffffffff80000000, 1)
  TEST_IMM_OP(4,  srai, 0xffffffffff000000, 0xffffffff80000000, 7)
  TEST_IMM_OP(5,  srai, 0xffffffffffffffff, 0xffffffff80000000, 31)
  TEST_IMM_OP(6,  srai, 0xc000000000000000, 0x8000000000000000, 1)
  TEST_IMM_OP(7,  srai, 0xffffffff80000000, 0x8000000000000000, 32)
  TEST_IMM_OP(8,  srai, 0xffffffffffffffff, 0x8000000000000000, 63)
  TEST_IMM_OP(9,  srai, 0x000000007fffffff, 0x7fffffffffffffff, 32)
  TEST_IMM_OP(10, srai, 0x0000000000000000, 0x7fffffffffffffff, 63)
  TEST_IMM_OP(11, srai, 0x0000000000000001, 0x0000000080000000, 31)
  TEST_IMM_SRC1_EQ_DEST(12, srai, 0xff00000000000000, 0x8000000000000000, 7)
  TEST_IMM_ZEROSRC1(13, srai, 0, 4)
  TEST_IMM_ZERODEST(14, srai, 33, 10)
  TEST_IMM_HIGHREGS(15, srai, 0xfffffffffffffffd, 0xa000000000000000, 61)
TEST_END
