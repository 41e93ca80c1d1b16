// auipc: pc + sign-extended imm[31:12]; compared with the PC-relative
// address of a label, which also holds under the "v" environment.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_CASE(2, a0, 0,
    1: auipc a0, 0; la a1, 1b; sub a0, a0, a1)
  TEST_CASE(3, a0, 0x1000,
    1: auipc a0, 1; la a1, 1b; sub a0, a0, a1)
  TEST_CASE(4, a0, 0xfffffffffffff000,
    1: auipc a0, 0xfffff; la a1, 1b; sub a0, a0, a1)
  TEST_CASE(5, a0, 0x7ffff000,
    1: auipc a0, 0x7ffff; la a1, 1b; sub a0, a0, a1)
  TEST_CASE(6, a0, 0xffffffff80000000,
    1: auipc a0, 0x80000; la a1, 1b; sub a0, a0, a1)
  // auipc + jalr reaches the next-but-one instruction with the computed address
  TEST_CASE(7, a0, 12,
    1: auipc a0, 0; jalr a2, 12(a0); j fail; sub a0, a2, a0; addi a0, a0, 4)
  // auipc + addi at an odd spot after data-dependent placement
  TEST_CASE(8, a0, 0,
    auipc a0, 0; addi a0, a0, 16; nop; nop; 2: la a1, 2b; sub a0, a0, a1)
  TEST_CASE(9, x0, 0, auipc x0, 0x12345)
TEST_END
