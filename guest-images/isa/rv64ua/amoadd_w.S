// amoadd: wrap-around add (32-bit, rd sign-extended, rs2[63:32] ignored); aq/rl variants decode alike.
#include "test_macros.h"
#include "amo.h"
TEST_BEGIN_U
  TEST_AMO_W(2, amoadd.w, 0x00000000, 0x0000000000000000, 0x00000000)
  TEST_AMO_W(3, amoadd.w.aq, 0x00000001, 0x0000000000000002, 0x00000003)
  TEST_AMO_W(4, amoadd.w.rl, 0x7fffffff, 0x0000000000000001, 0x80000000)
  TEST_AMO_W(5, amoadd.w.aqrl, 0x80000000, 0x00000000ffffffff, 0x7fffffff)
  TEST_AMO_W(6, amoadd.w, 0xffffffff, 0x0000000000000001, 0x00000000)
  TEST_AMO_W(7, amoadd.w.aq, 0x89abcdef, 0x0000000076543210, 0xffffffff)
  TEST_AMO_W(8, amoadd.w.rl, 0x80000000, 0x000000007fffffff, 0xffffffff)
  TEST_AMO_W(9, amoadd.w.aqrl, 0x00000001, 0xffffffff00000002, 0x00000003)
  TEST_AMO_W(10, amoadd.w, 0xfffffffe, 0x1234567800000002, 0x00000000)
  TEST_AMO_W(11, amoadd.w.aq, 0x7fffffff, 0x0000000180000000, 0xffffffff)
  TEST_AMO_W_ZERODEST(12, amoadd.w, 0x89abcdef, 0x0000000076543210, 0xffffffff)
TEST_END
