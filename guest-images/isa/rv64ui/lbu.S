// lbu: zero-extends the byte.
#include "test_macros.h"
#include "load_data.h"
TEST_BEGIN_U
  TEST_LD_OP(2,  lbu, 0x0000000000000081, 0,  load_data)
  TEST_LD_OP(3,  lbu, 0x000000000000007f, 1,  load_data)
  TEST_LD_OP(4,  lbu, 0x0000000000000000, 2,  load_data)
  TEST_LD_OP(5,  lbu, 0x00000000000000ff, 3,  load_data)
  TEST_LD_OP(6,  lbu, 0x000000000000009a, 8,  load_data)
  TEST_LD_OP(7,  lbu, 0x0000000000000080, -3, load_data_end)
  TEST_LD_OP_BIAS(8, lbu, 0x00000000000000f0, 2047, load_data, -2036)
  TEST_LD_DEST_EQ_BASE(9, lbu, 0x00000000000000de, 10, load_data)
  TEST_CASE(10, x0, 0, la a1, load_data; lbu x0, 0(a1))
TEST_END
