// lb: sign-extends the byte.
#include "test_macros.h"
#include "load_data.h"
TEST_BEGIN_U
  TEST_LD_OP(2,  lb, 0xffffffffffffff81, 0,  load_data)
  TEST_LD_OP(3,  lb, 0x000000000000007f, 1,  load_data)
  TEST_LD_OP(4,  lb, 0x0000000000000000, 2,  load_data)
  TEST_LD_OP(5,  lb, 0xffffffffffffffff, 3,  load_data)
  TEST_LD_OP(6,  lb, 0x0000000000000078, 7,  load_data)
  TEST_LD_OP(7,  lb, 0xffffffffffffff9a, 8,  load_data)
  TEST_LD_OP(8,  lb, 0x000000000000007f, 15, load_data)
  TEST_LD_OP(9,  lb, 0xffffffffffffff80, -3, load_data_end)
  TEST_LD_OP(10, lb, 0xffffffffffffff81, -16, load_data_end)
  TEST_LD_OP_BIAS(11, lb, 0x0000000000000012, -2044, load_data, 2048)
  TEST_LD_OP_BIAS(12, lb, 0xfffffffffffffff0, 2047, load_data, -2036)
  TEST_LD_DEST_EQ_BASE(13, lb, 0xffffffffffffffde, 10, load_data)
  TEST_CASE(14, x0, 0, la a1, load_data; lb x0, 0(a1))
  TEST_CASE(15, t6, 0x0000000000000034, la t5, load_data; lb t6, 5(t5))
TEST_END
