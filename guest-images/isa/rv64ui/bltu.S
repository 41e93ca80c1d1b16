// bltu: unsigned 64-bit.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_BR2_TAKEN(2, bltu, 0, 1)
  TEST_BR2_TAKEN(3, bltu, 0xfffffffffffffffe, 0xffffffffffffffff)
  TEST_BR2_TAKEN(4, bltu, 0, 0xffffffffffffffff)
  TEST_BR2_TAKEN(5, bltu, 0x7fffffffffffffff, 0x8000000000000000)
  TEST_BR2_TAKEN(6, bltu, 0x00000000ffffffff, 0x0000000100000000)
  TEST_BR2_NOTTAKEN(7, bltu, 1, 0)
  TEST_BR2_NOTTAKEN(8, bltu, 0xffffffffffffffff, 0xfffffffffffffffe)
  TEST_BR2_NOTTAKEN(9, bltu, 0xffffffffffffffff, 0)
  TEST_BR2_NOTTAKEN(10, bltu, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_BR2_NOTTAKEN(11, bltu, 7, 7)
TEST_END
