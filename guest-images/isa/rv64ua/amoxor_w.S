// amoxor (32-bit, rd sign-extended, rs2[63:32] ignored); aq/rl variants decode alike.
#include "test_macros.h"
#include "amo.h"
TEST_BEGIN_U
  TEST_AMO_W(2, amoxor.w, 0x00000000, 0x0000000000000000, 0x00000000)
  TEST_AMO_W(3, amoxor.w.aq, 0x00000001, 0x0000000000000002, 0x00000003)
  TEST_AMO_W(4, amoxor.w.rl, 0x7fffffff, 0x0000000000000001, 0x7ffffffe)
  TEST_AMO_W(5, amoxor.w.aqrl, 0x80000000, 0x00000000ffffffff, 0x7fffffff)
  TEST_AMO_W(6, amoxor.w, 0xffffffff, 0x0000000000000001, 0xfffffffe)
  TEST_AMO_W(7, amoxor.w.aq, 0x89abcdef, 0x0000000076543210, 0xffffffff)
  TEST_AMO_W(8, amoxor.w.rl, 0x80000000, 0x000000007fffffff, 0xffffffff)
  TEST_AMO_W(9, amoxor.w.aqrl, 0x00000001, 0xffffffff00000002, 0x00000003)
  TEST_AMO_W(10, amoxor.w, 0xfffffffe, 0x1234567800000002, 0xfffffffc)
  TEST_AMO_W(11, amoxor.w.aq, 0x7fffffff, 0x0000000180000000, 0xffffffff)
  TEST_AMO_W_ZERODEST(12, amoxor.w, 0x89abcdef, 0x0000000076543210, 0xffffffff)
TEST_END
