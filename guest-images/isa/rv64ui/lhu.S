// lhu: zero-extends the halfword.
#include "test_macros.h"
#include "load_data.h"
TEST_BEGIN_U
  TEST_LD_OP(2,  lhu, 0x0000000000007f81, 0,  load_data)
  TEST_LD_OP(3,  lhu, 0x000000000000ff00, 2,  load_data)
  TEST_LD_OP(4,  lhu, 0x000000000000bc9a, 8,  load_data)
  TEST_LD_OP(5,  lhu, 0x0000000000008001, 12, load_data)
  TEST_LD_OP(6,  lhu, 0x000000000000f0de, -6, load_data_end)
  TEST_LD_DEST_EQ_BASE(7, lhu, 0x000000000000ff00, 2, load_data)
  TEST_CASE(8, x0, 0, la a1, load_data; lhu x0, 0(a1))
TEST_END
