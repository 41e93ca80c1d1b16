// bgeu: unsigned 64-bit, equal is taken.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_BR2_TAKEN(2, bgeu, 0, 0)
  TEST_BR2_TAKEN(3, bgeu, 1, 1)
  TEST_BR2_TAKEN(4, bgeu, 0xffffffffffffffff, 0xffffffffffffffff)
  TEST_BR2_TAKEN(5, bgeu, 1, 0)
  TEST_BR2_TAKEN(6, bgeu, 0xffffffffffffffff, 0xfffffffffffffffe)
  TEST_BR2_TAKEN(7, bgeu, 0xffffffffffffffff, 0)
  TEST_BR2_TAKEN(8, bgeu, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_BR2_NOTTAKEN(9, bgeu, 0, 1)
  TEST_BR2_NOTTAKEN(10, bgeu, 0xfffffffffffffffe, 0xffffffffffffffff)
  TEST_BR2_NOTTAKEN(11, bgeu, 0, 0xffffffffffffffff)
  TEST_BR2_NOTTAKEN(12, bgeu, 0x00000000ffffffff, 0x0000000100000000)
TEST_END
