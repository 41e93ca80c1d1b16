// lr.w / sc.w: lr.w sign-extends, sc.w writes 32 bits only, reservation rules.
#include "test_macros.h"
  .data
  .balign 16
cell:  .word 0x80000001
guard: .word 0x5a5a5a5a
other: .word 0x12345678
TEST_BEGIN_U
test_2:
  li TESTNUM, 2
  la a1, cell
  li a2, 5
  sc.w a0, a2, (a1)
  beqz a0, fail
  lwu a3, 0(a1)
  li t2, 0x80000001
  bne a3, t2, fail

test_3:                         // lr.w sign-extends
  li TESTNUM, 3
  la a1, cell
  lr.w a0, (a1)
  li t2, 0xffffffff80000001
  bne a0, t2, fail
  li a2, 0xffffffff7ffffffe     // only the low word is stored
  sc.w a4, a2, (a1)
  bnez a4, fail
  lwu a3, 0(a1)
  li t2, 0x7ffffffe
  bne a3, t2, fail
  lwu a3, 4(a1)
  li t2, 0x5a5a5a5a
  bne a3, t2, fail

test_4:
  li TESTNUM, 4
  la a1, cell
  sc.w a4, a2, (a1)
  beqz a4, fail

test_5:                         // sc.w to another word fails and invalidates
  li TESTNUM, 5
  la a1, cell
  la a5, other
  lr.w a0, (a1)
  sc.w a4, a0, (a5)
  beqz a4, fail
  sc.w a4, a0, (a1)
  beqz a4, fail
  lwu a3, 0(a5)
  li t2, 0x12345678
  bne a3, t2, fail

test_6:                         // increment loop on a word, wrapping at 2^32
  li TESTNUM, 6
  la a1, other
  li t0, -3
  sw t0, 0(a1)
  li a5, 5
1:
  lr.w a0, (a1)
  addiw a0, a0, 1
  sc.w a4, a0, (a1)
  bnez a4, 1b
  addi a5, a5, -1
  bnez a5, 1b
  lw a3, 0(a1)
  li t2, 2
  bne a3, t2, fail
TEST_END
