// jal: link = pc + 4, forward/backward targets, rd = x0, far targets.
#include "test_macros.h"
TEST_BEGIN_U
test_2:
  li TESTNUM, 2
  li ra, 0
  jal ra, 2f
1:
  j fail
2:
  la a1, 1b
  bne ra, a1, fail

test_3:                   // jal x0 does not link
  li TESTNUM, 3
  jal x0, 1f
  j fail
1:
  bnez x0, fail

test_4:                   // backward target, link in t0
  li TESTNUM, 4
  j 2f
1:
  la a1, 3f
  bne t0, a1, fail
  j 4f
2:
  jal t0, 1b
3:
  j fail
4:

test_5:                   // far forward and back (beyond +-64 KiB)
  li TESTNUM, 5
  li a0, 0
  jal t6, far_target
  li a1, 1
  bne a0, a1, fail

test_6:                   // the link register is written even if it is also
  li TESTNUM, 6           // used right at the target
  jal a3, 1f
2:
  j fail
1:
  la a4, 2b
  bne a3, a4, fail

test_7:                   // jal to the very next instruction
  li TESTNUM, 7
  jal a5, 1f
1:
  la a4, 1b
  bne a5, a4, fail

  j past_far_code
  .skip 0x12000
far_target:
  li a0, 1
  jr t6
past_far_code:
TEST_END
