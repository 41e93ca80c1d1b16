// jalr: target = (rs1 + imm) & ~1, link = pc + 4, rd == rs1 uses the old rs1.
#include "test_macros.h"
TEST_BEGIN_U
test_2:
  li TESTNUM, 2
  li ra, 0
  la t0, 2f
  jalr ra, 0(t0)
1:
  j fail
2:
  la a1, 1b
  bne ra, a1, fail

test_3:                   // positive offset
  li TESTNUM, 3
  la t0, 2f
  addi t0, t0, -100
  jalr a0, 100(t0)
  j fail
2:

test_4:                   // negative offset, maximum magnitude
  li TESTNUM, 4
  la t0, 2f
  li a1, 2048
  add t0, t0, a1
  jalr a0, -2048(t0)
  j fail
2:

test_5:                   // bit 0 of the sum is cleared: no misaligned-fetch trap
  li TESTNUM, 5
  la t0, 2f
  addi t0, t0, 1
  jalr a0, 0(t0)
  j fail
2:

test_6:                   // odd immediate, +2047
  li TESTNUM, 6
  la t0, 2f
  addi t0, t0, -2046
  jalr a0, 2047(t0)
  j fail
2:

test_7:                   // rd == rs1: target from the old value
  li TESTNUM, 7
  la t1, 2f
  mv t0, t1
  jalr t0, 0(t0)
1:
  j fail
2:
  la a1, 1b
  bne t0, a1, fail

test_8:                   // rd = x0 (ret-like), x0 stays zero
  li TESTNUM, 8
  la t0, 2f
  jalr x0, 0(t0)
  j fail
2:
  bnez x0, fail

test_9:                   // call a function and return through ra
  li TESTNUM, 9
  li a0, 0
  la t0, function
  jalr ra, 0(t0)
  li a1, 77
  bne a0, a1, fail

test_10:                  // jalr with a negative odd target offset from ra
  li TESTNUM, 10
  la t0, 2f
  addi t0, t0, 5
  jalr a2, -5(t0)
  j fail
2:

TEST_END

function:
  li a0, 77
  jalr x0, 0(ra)
