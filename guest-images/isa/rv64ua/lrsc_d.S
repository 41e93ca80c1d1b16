// lr.d / sc.d: success, failure without a reservation, failure after an
// intervening sc (success or failure both invalidate the reservation), sc to
// another address, and an lr/sc increment loop.
#include "test_macros.h"
  .data
  .balign 16
cell:  .dword 0x1111111111111111
other: .dword 0x2222222222222222
TEST_BEGIN_U
test_2:                         // sc without any lr fails, memory unchanged
  li TESTNUM, 2
  la a1, cell
  li a2, 0x5555
  sc.d a0, a2, (a1)
  beqz a0, fail
  ld a3, 0(a1)
  li t2, 0x1111111111111111
  bne a3, t2, fail

test_3:                         // lr then sc succeeds (rd = 0) and stores
  li TESTNUM, 3
  la a1, cell
  lr.d a0, (a1)
  li t2, 0x1111111111111111
  bne a0, t2, fail
  li a2, 0x3333333333333333
  sc.d a4, a2, (a1)
  bnez a4, fail
  ld a3, 0(a1)
  bne a3, a2, fail

test_4:                         // a second sc fails: the reservation is gone
  li TESTNUM, 4
  la a1, cell
  li a2, 0x4444
  sc.d a4, a2, (a1)
  beqz a4, fail
  ld a3, 0(a1)
  li t2, 0x3333333333333333
  bne a3, t2, fail

test_5:                         // sc to a different address fails ...
  li TESTNUM, 5
  la a1, cell
  la a5, other
  lr.d a0, (a1)
  li a2, 0x6666
  sc.d a4, a2, (a5)
  beqz a4, fail
  ld a3, 0(a5)
  li t2, 0x2222222222222222
  bne a3, t2, fail

test_6:                         // ... and also kills the reservation on cell
  li TESTNUM, 6
  la a1, cell
  li a2, 0x7777
  sc.d a4, a2, (a1)
  beqz a4, fail
  ld a3, 0(a1)
  li t2, 0x3333333333333333
  bne a3, t2, fail

test_7:                         // the failure code is 1 (the only one defined)
  li TESTNUM, 7
  la a1, cell
  sc.d a4, a2, (a1)
  li t2, 1
  bne a4, t2, fail

test_8:                         // atomic increment loop, 100 times
  li TESTNUM, 8
  la a1, other
  sd zero, 0(a1)
  li a5, 100
1:
  lr.d.aq a0, (a1)
  addi a0, a0, 1
  sc.d.rl a4, a0, (a1)
  bnez a4, 1b
  addi a5, a5, -1
  bnez a5, 1b
  ld a3, 0(a1)
  li t2, 100
  bne a3, t2, fail

test_9:                         // rd == rs2 on sc: rd gets the status
  li TESTNUM, 9
  la a1, cell
  lr.d a0, (a1)
  li a2, 0x0123456789abcdef
  sc.d.aqrl a2, a2, (a1)
  bnez a2, fail
  ld a3, 0(a1)
  li t2, 0x0123456789abcdef
  bne a3, t2, fail

test_10:                        // lr.aqrl loads like lr
  li TESTNUM, 10
  la a1, cell
  lr.d.aqrl a0, (a1)
  li t2, 0x0123456789abcdef
  bne a0, t2, fail
  sc.d x0, a0, (a1)             // consume the reservation (success, rd = x0)
  bnez x0, fail
TEST_END
