// amoor (64-bit); aq/rl variants decode alike.
#include "test_macros.h"
#include "amo.h"
TEST_BEGIN_U
  TEST_AMO_D(2, amoor.d, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
  TEST_AMO_D(3, amoor.d.aq, 0x0000000000000001, 0x0000000000000002, 0x0000000000000003)
  TEST_AMO_D(4, amoor.d.rl, 0x7fffffffffffffff, 0x0000000000000001, 0x7fffffffffffffff)
  TEST_AMO_D(5, amoor.d.aqrl, 0x8000000000000000, 0xffffffffffffffff, 0xffffffffffffffff)
  TEST_AMO_D(6, amoor.d, 0xffffffffffffffff, 0x0000000000000001, 0xffffffffffffffff)
  TEST_AMO_D(7, amoor.d.aq, 0x0123456789abcdef, 0xfedcba9876543210, 0xffffffffffffffff)
  TEST_AMO_D(8, amoor.d.rl, 0x00000000ffffffff, 0x0000000100000000, 0x00000001ffffffff)
  TEST_AMO_D(9, amoor.d.aqrl, 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff)
  TEST_AMO_D(10, amoor.d, 0x0000000000000005, 0x0000000000000005, 0x0000000000000005)
  TEST_AMO_D(11, amoor.d.aq, 0xfffffffffffffffe, 0x0000000000000002, 0xfffffffffffffffe)
  TEST_AMO_D_RD_EQ_RS2(12, amoor.d, 0x0123456789abcdef, 0xfedcba9876543210, 0xffffffffffffffff)
TEST_END
