// sraw: arithmetic shift of rs1[31:0] by rs2[4:0], sign-extended.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_RR_OP(2,  sraw, 0xffffffff80000000, 0x0000000080000000, 0)
  TEST_RR_OP(3,  sraw, 0xffffffffc0000000, 0x0000000080000000, 1)
  TEST_RR_OP(4,  sraw, 0xffffffffff000000, 0x0000000080000000, 7)
  TEST_RR_OP(5,  sraw, 0xffffffffffffffff, 0x0000000080000000, 31)
  TEST_RR_OP(6,  sraw, 0x000000003fffffff, 0x000000007fffffff, 1)
  TEST_RR_OP(7,  sraw, 0x0000000000000000, 0x000000007fffffff, 31)
  TEST_RR_OP(8,  sraw, 0x0000000000000000, 0xffffffff7fffffff, 31)
  TEST_RR_OP(9,  sraw, 0xffffffff81818181, 0x8181818181818181, 0)
  TEST_RR_OP(10, sraw, 0xffffffff81818181, 0x8181818181818181, 32)
  TEST_RR_OP(11, sraw, 0xffffffffc0c0c0c0, 0x8181818181818181, 0xffffffffffffffe1)
  TEST_RR_OP(12, sraw, 0xffffffffffffffff, 0x8181818181818181, 0xffffffffffffffff)
  TEST_RR_SRC1_EQ_DEST(13, sraw, 0xffffffffff000000, 0x0000000080000000, 7)
  TEST_RR_SRC2_EQ_DEST(14, sraw, 0xfffffffffffe0000, 0x0000000080000000, 14)
  TEST_RR_SRC12_EQ_DEST(15, sraw, 0, 7)
  TEST_RR_ZEROSRC1(16, sraw, 0, 15)
  TEST_RR_ZEROSRC2(17, sraw, 0xffffffff80000000, 0x0000000080000000)
  TEST_RR_ZEROSRC12(18, sraw, 0)
  TEST_RR_ZERODEST(19, sraw, 1024, 2048)
  TEST_RR_HIGHREGS(20, sraw, 0xffffffffffffffff, 0x00000000f0000000, 28)
TEST_END
