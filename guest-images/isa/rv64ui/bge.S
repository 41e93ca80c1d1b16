// bge: signed 64-bit, equal is taken.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_BR2_TAKEN(2, bge, 0, 0)
  TEST_BR2_TAKEN(3, bge, 1, 1)
  TEST_BR2_TAKEN(4, bge, -1, -1)
  TEST_BR2_TAKEN(5, bge, 1, 0)
  TEST_BR2_TAKEN(6, bge, 1, -1)
  TEST_BR2_TAKEN(7, bge, -1, -2)
  TEST_BR2_TAKEN(8, bge, 0x7fffffffffffffff, 0x8000000000000000)
  TEST_BR2_NOTTAKEN(9, bge, 0, 1)
  TEST_BR2_NOTTAKEN(10, bge, -1, 1)
  TEST_BR2_NOTTAKEN(11, bge, -2, -1)
  TEST_BR2_NOTTAKEN(12, bge, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_BR2_NOTTAKEN(13, bge, 0xffffffff80000000, 0x0000000080000000)
TEST_END
