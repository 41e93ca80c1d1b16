// bne
#include "test_macros.h"
TEST_BEGIN_U
  TEST_BR2_TAKEN(2, bne, 0, 1)
  TEST_BR2_TAKEN(3, bne, 1, 0)
  TEST_BR2_TAKEN(4, bne, -1, 1)
  TEST_BR2_TAKEN(5, bne, 0x0000000100000000, 0)
  TEST_BR2_TAKEN(6, bne, 0x00000000ffffffff, 0xffffffffffffffff)
  TEST_BR2_NOTTAKEN(7, bne, 0, 0)
  TEST_BR2_NOTTAKEN(8, bne, 1, 1)
  TEST_BR2_NOTTAKEN(9, bne, -1, -1)
  TEST_BR2_NOTTAKEN(10, bne, 0x8000000000000000, 0x8000000000000000)
  TEST_CASE(11, a0, 1, li a0, 1; bne x0, x0, fail)
TEST_END
