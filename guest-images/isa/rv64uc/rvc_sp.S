// Stack-pointer forms: c.addi16sp, c.addi4spn, c.lwsp, c.ldsp, c.swsp,
// c.sdsp, c.fldsp, c.fsdsp (offsets scaled, any rd for the loads).
#include "test_macros.h"
  .data
  .balign 16
stack_area:
  .skip 1024
stack_middle:
  .skip 1024
TEST_BEGIN_U
  .option rvc
  TEST_CASE(2,  a0, 496, la sp, stack_middle; mv a1, sp; c.addi16sp sp, 496; sub a0, sp, a1)
  TEST_CASE(3,  a0, -512, la sp, stack_middle; mv a1, sp; c.addi16sp sp, -512; sub a0, sp, a1)
  TEST_CASE(4,  a0, 16, la sp, stack_middle; mv a1, sp; c.addi16sp sp, 16; sub a0, sp, a1)
  TEST_CASE(5,  a0, 4, la sp, stack_middle; c.addi4spn a0, sp, 4; sub a0, a0, sp)
  TEST_CASE(6,  a0, 1020, la sp, stack_middle; c.addi4spn s1, sp, 1020; sub a0, s1, sp)
  TEST_CASE(7,  a0, 0x0000000055667788,
    la sp, stack_middle; li a1, 0x1122334455667788; c.swsp a1, 252(sp); c.lwsp a0, 252(sp))
  TEST_CASE(8,  a0, 0xffffffff99aabbcc,
    la sp, stack_middle; li a1, 0x99aabbcc; c.swsp a1, 0(sp); c.lwsp a0, 0(sp))
  TEST_CASE(9,  t6, 0x1122334455667788,
    la sp, stack_middle; li a1, 0x1122334455667788; c.sdsp a1, 504(sp); c.ldsp t6, 504(sp))
  TEST_CASE(10, ra, 0x0102030405060708,
    la sp, stack_middle; li a1, 0x0102030405060708; c.sdsp a1, 8(sp); c.ldsp ra, 8(sp))
  TEST_CASE(11, a0, 0x7ff4000000000000,
    la sp, stack_middle; li a1, 0x7ff4000000000000; c.sdsp a1, 16(sp); c.fldsp f31, 16(sp); c.fsdsp f31, 496(sp); ld a0, 496(sp))
  TEST_CASE(12, a0, 0x7ff4000000000000, fmv.x.d a0, f31)
  // sp moved down then used with the maximum offsets
  TEST_CASE(13, a0, 0x1122334455667788,
    la sp, stack_middle; c.addi16sp sp, -512; c.ldsp a0, 8(sp); li t0, 0; c.addi16sp sp, 496; c.addi16sp sp, 16; ld a0, 504(sp))
TEST_END
