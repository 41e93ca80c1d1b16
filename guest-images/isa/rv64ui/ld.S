// ld
#include "test_macros.h"
#include "load_data.h"
TEST_BEGIN_U
  TEST_LD_OP(2,  ld, 0x78563412ff007f81, 0,  load_data)
  TEST_LD_OP(3,  ld, 0x7fff8001f0debc9a, 8,  load_data)
  TEST_LD_OP(4,  ld, 0x78563412ff007f81, -16, load_data_end)
  TEST_LD_OP_BIAS(5, ld, 0x7fff8001f0debc9a, -2040, load_data, 2048)
  TEST_LD_OP_BIAS(6, ld, 0x78563412ff007f81, 2040, load_data, -2040)
  TEST_LD_DEST_EQ_BASE(7, ld, 0x7fff8001f0debc9a, 8, load_data)
  TEST_CASE(8, x0, 0, la a1, load_data; ld x0, 0(a1))
  TEST_CASE(9, t6, 0x78563412ff007f81, la t5, load_data; ld t6, 0(t5))
TEST_END
