// lh: sign-extends the halfword.
#include "test_macros.h"
#include "load_data.h"
TEST_BEGIN_U
  TEST_LD_OP(2,  lh, 0x0000000000007f81, 0,  load_data)
  TEST_LD_OP(3,  lh, 0xffffffffffffff00, 2,  load_data)
  TEST_LD_OP(4,  lh, 0x0000000000003412, 4,  load_data)
  TEST_LD_OP(5,  lh, 0xffffffffffffbc9a, 8,  load_data)
  TEST_LD_OP(6,  lh, 0xffffffffffff8001, 12, load_data)
  TEST_LD_OP(7,  lh, 0x0000000000007fff, 14, load_data)
  TEST_LD_OP(8,  lh, 0xfffffffffffff0de, -6, load_data_end)
  TEST_LD_OP_BIAS(9, lh, 0x0000000000007856, -2042, load_data, 2048)
  TEST_LD_DEST_EQ_BASE(10, lh, 0xffffffffffffff00, 2, load_data)
  TEST_CASE(11, x0, 0, la a1, load_data; lh x0, 0(a1))
TEST_END
