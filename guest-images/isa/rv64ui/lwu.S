// lwu: zero-extends the word.
#include "test_macros.h"
#include "load_data.h"
TEST_BEGIN_U
  TEST_LD_OP(2,  lwu, 0x00000000ff007f81, 0,  load_data)
  TEST_LD_OP(3,  lwu, 0x0000000078563412, 4,  load_data)
  TEST_LD_OP(4,  lwu, 0x00000000f0debc9a, 8,  load_data)
  TEST_LD_OP(5,  lwu, 0x000000007fff8001, 12, load_data)
  TEST_LD_OP(6,  lwu, 0x00000000f0debc9a, -8, load_data_end)
  TEST_LD_DEST_EQ_BASE(7, lwu, 0x00000000ff007f81, 0, load_data)
  TEST_CASE(8, x0, 0, la a1, load_data; lwu x0, 0(a1))
TEST_END
