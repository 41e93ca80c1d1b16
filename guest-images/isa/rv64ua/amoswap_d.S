// amoswap: memory gets rs2, rd the old value (64-bit); aq/rl variants decode alike.
#include "test_macros.h"
#include "amo.h"
TEST_BEGIN_U
  TEST_AMO_D(2, amoswap.d, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
  TEST_AMO_D(3, amoswap.d.aq, 0x0000000000000001, 0x0000000000000002, 0x0000000000000002)
  TEST_AMO_D(4, amoswap.d.rl, 0x7fffffffffffffff, 0x0000000000000001, 0x0000000000000001)
  TEST_AMO_D(5, amoswap.d.aqrl, 0x8000000000000000, 0xffffffffffffffff, 0xffffffffffffffff)
  TEST_AMO_D(6, amoswap.d, 0xffffffffffffffff, 0x0000000000000001, 0x0000000000000001)
  TEST_AMO_D(7, amoswap.d.aq, 0x0123456789abcdef, 0xfedcba9876543210, 0xfedcba9876543210)
  TEST_AMO_D(8, amoswap.d.rl, 0x00000000ffffffff, 0x0000000100000000, 0x0000000100000000)
  TEST_AMO_D(9, amoswap.d.aqrl, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff)
  TEST_AMO_D(10, amoswap.d, 0x0000000000000005, 0x0000000000000005, 0x0000000000000005)
  TEST_AMO_D(11, amoswap.d.aq, 0xfffffffffffffffe, 0x0000000000000002, 0x0000000000000002)
  TEST_AMO_D_RD_EQ_RS2(12, amoswap.d, 0x0123456789abcdef, 0xfedcba9876543210, 0xfedcba9876543210)
TEST_END
