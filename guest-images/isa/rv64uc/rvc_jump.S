// Compressed control transfer: c.j, c.jr, c.jalr (link = pc + 2),
// c.beqz/c.bnez taken and not taken in both directions.
#include "test_macros.h"
TEST_BEGIN_U
  .option rvc
test_2:                          // c.j forward
  li TESTNUM, 2
  c.j 1f
  j fail
1:

test_3:                          // c.j backward
  li TESTNUM, 3
  c.j 2f
1:
  c.j 3f
2:
  c.j 1b
  j fail
3:

test_4:                          // c.jr
  li TESTNUM, 4
  la a1, 1f
  c.jr a1
  j fail
1:

test_5:                          // c.jalr links pc + 2
  li TESTNUM, 5
  la t0, 2f
  c.jalr t0
1:
  j fail
2:
  la a1, 1b
  bne ra, a1, fail

test_6:                          // c.jalr with rs1 = ra: target from the old ra
  li TESTNUM, 6
  la ra, 2f
  c.jalr ra
1:
  j fail
2:
  la a1, 1b
  bne ra, a1, fail

test_7:                          // c.beqz taken forward and backward
  li TESTNUM, 7
  li s0, 0
  c.beqz s0, 2f
  j fail
1:
  c.j 3f
2:
  c.beqz s0, 1b
  j fail
3:

test_8:                          // c.beqz not taken (upper bits count)
  li TESTNUM, 8
  li s1, 0x100000000
  c.beqz s1, 1f
  c.j 2f
1:
  j fail
2:

test_9:                          // c.bnez taken both ways
  li TESTNUM, 9
  li a5, -1
  c.bnez a5, 2f
  j fail
1:
  c.j 3f
2:
  c.bnez a5, 1b
  j fail
3:

test_10:                         // c.bnez not taken
  li TESTNUM, 10
  li a4, 0
  c.bnez a4, 1f
  c.j 2f
1:
  j fail
2:

test_11:                         // c.jr to an odd-halfword target after a 32-bit insn
  li TESTNUM, 11
  la a2, 2f
  c.jr a2
  j fail
  .balign 4
  c.nop
2:
  addi a0, zero, 9               // 32-bit instruction at a 2 mod 4 address
  li a1, 9
  bne a0, a1, fail

test_12:                         // c.j over a long distance (about 2000 bytes)
  li TESTNUM, 12
  c.j 1f
  .rept 500
  c.ebreak
  .endr
1:
TEST_END
