// lw: sign-extends the word.
#include "test_macros.h"
#include "load_data.h"
TEST_BEGIN_U
  TEST_LD_OP(2,  lw, 0xffffffffff007f81, 0,  load_data)
  TEST_LD_OP(3,  lw, 0x0000000078563412, 4,  load_data)
  TEST_LD_OP(4,  lw, 0xfffffffff0debc9a, 8,  load_data)
  TEST_LD_OP(5,  lw, 0x000000007fff8001, 12, load_data)
  TEST_LD_OP(6,  lw, 0xfffffffff0debc9a, -8, load_data_end)
  TEST_LD_OP_BIAS(7, lw, 0x0000000078563412, -2044, load_data, 2048)
  TEST_LD_DEST_EQ_BASE(8, lw, 0x0000000078563412, 4, load_data)
  TEST_CASE(9, x0, 0, la a1, load_data; lw x0, 0(a1))
TEST_END
