// beq: taken/not taken, forward and backward.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_BR2_TAKEN(2, beq, 0, 0)
  TEST_BR2_TAKEN(3, beq, 1, 1)
  TEST_BR2_TAKEN(4, beq, -1, -1)
  TEST_BR2_TAKEN(5, beq, 0x8000000000000000, 0x8000000000000000)
  TEST_BR2_NOTTAKEN(6, beq, 0, 1)
  TEST_BR2_NOTTAKEN(7, beq, 1, 0)
  TEST_BR2_NOTTAKEN(8, beq, -1, 1)
  TEST_BR2_NOTTAKEN(9, beq, 0x0000000100000000, 0)
  TEST_BR2_NOTTAKEN(10, beq, 0xffffffff00000000, 0x0000000000000000)
  TEST_BR2_NOTTAKEN(11, beq, 0x00000000ffffffff, 0xffffffffffffffff)
  // x0 operands
  TEST_CASE(12, a0, 1, li a0, 0; beq x0, x0, 1f; j fail; 1: li a0, 1)
  TEST_CASE(13, a0, 1, li a0, 1; li a1, 0; beq a1, x0, 1f; li a0, 0; 1:)
TEST_END
