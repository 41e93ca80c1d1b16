// amomin: signed minimum (64-bit); aq/rl variants decode alike.
#include "test_macros.h"
#include "amo.h"
TEST_BEGIN_U
  TEST_AMO_D(2, amomin.d, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
  TEST_AMO_D(3, amomin.d.aq, 0x0000000000000001, 0x0000000000000002, 0x0000000000000001)
  TEST_AMO_D(4, amomin.d.rl, 0x7fffffffffffffff, 0x0000000000000001, 0x0000000000000001)
  TEST_AMO_D(5, amomin.d.aqrl, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000)
  TEST_AMO_D(6, amomin.d, 0xffffffffffffffff, 0x0000000000000001, 0xffffffffffffffff)
  TEST_AMO_D(7, amomin.d.aq, 0x0123456789abcdef, 0xfedcba9876543210, 0xfedcba9876543210)
  TEST_AMO_D(8, amomin.d.rl, 0x00000000ffffffff, 0x0000000100000000, 0x00000000ffffffff)
  TEST_AMO_D(9, amomin.d.aqrl, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000)
  TEST_AMO_D(10, amomin.d, 0x0000000000000005, 0x0000000000000005, 0x0000000000000005)
  TEST_AMO_D(11, amomin.d.aq, 0xfffffffffffffffe, 0x0000000000000002, 0xfffffffffffffffe)
  TEST_AMO_D_RD_EQ_RS2(12, amomin.d, 0x0123456789abcdef, 0xfedcba9876543210, 0xfedcba9876543210)
TEST_END
