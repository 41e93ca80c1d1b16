// amominu: unsigned minimum (64-bit); aq/rl variants decode alike.
#include "test_macros.h"
#include "amo.h"
TEST_BEGIN_U
  TEST_AMO_D(2, amominu.d, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
  TEST_AMO_D(3, amominu.d.aq, 0x0000000000000001, 0x0000000000000002, 0x0000000000000001)
  TEST_AMO_D(4, amominu.d.rl, 0x7fffffffffffffff, 0x0000000000000001, 0x0000000000000001)
  TEST_AMO_D(5, amominu.d.aqrl, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000)
  TEST_AMO_D(6, amominu.d, 0xffffffffffffffff, 0x0000000000000001, 0x0000000000000001)
  TEST_AMO_D(7, amominu.d.aq, 0x0123456789abcdef, 0xfedcba9876543210, 0x0123456789abcdef)
  TEST_AMO_D(8, amominu.d.rl, 0x00000000ffffffff, 0x0000000100000000, 0x00000000ffffffff)
  TEST_AMO_D(9, amominu.d.aqrl, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff)
  TEST_AMO_D(10, amominu.d, 0x0000000000000005, 0x0000000000000005, 0x0000000000000005)
  TEST_AMO_D(11, amominu.d.aq, 0xfffffffffffffffe, 0x0000000000000002, 0x0000000000000002)
  TEST_AMO_D_RD_EQ_RS2(12, amominu.d, 0x0123456789abcdef, 0xfedcba9876543210, 0x0123456789abcdef)
TEST_END
