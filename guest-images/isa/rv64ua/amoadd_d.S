// amoadd: wrap-around add (64-bit); aq/rl variants decode alike.
#include "test_macros.h"
#include "amo.h"
TEST_BEGIN_U
  TEST_AMO_D(2, amoadd.d, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
  TEST_AMO_D(3, amoadd.d.aq, 0x0000000000000001, 0x0000000000000002, 0x0000000000000003)
  TEST_AMO_D(4, amoadd.d.rl, 0x7fffffffffffffff, 0x0000000000000001, 0x8000000000000000)
  TEST_AMO_D(5, amoadd.d.aqrl, 0x8000000000000000, 0xffffffffffffffff, 0x7fffffffffffffff)
  TEST_AMO_D(6, amoadd.d, 0xffffffffffffffff, 0x0000000000000001, 0x0000000000000000)
  TEST_AMO_D(7, amoadd.d.aq, 0x0123456789abcdef, 0xfedcba9876543210, 0xffffffffffffffff)
  TEST_AMO_D(8, amoadd.d.rl, 0x00000000ffffffff, 0x0000000100000000, 0x00000001ffffffff)
  TEST_AMO_D(9, amoadd.d.aqrl, 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff)
  TEST_AMO_D(10, amoadd.d, 0x0000000000000005, 0x0000000000000005, 0x000000000000000a)
  TEST_AMO_D(11, amoadd.d.aq, 0xfffffffffffffffe, 0x0000000000000002, 0x0000000000000000)
  TEST_AMO_D_RD_EQ_RS2(12, amoadd.d, 0x0123456789abcdef, 0xfedcba9876543210, 0xffffffffffffffff)
TEST_END
