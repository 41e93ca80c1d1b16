// fence.i: stores to instruction memory become visible to fetch, also for
// code that has already run (a JIT must drop its translation) and for the
// instruction right after the fence in the same straight-line block.
#include "test_macros.h"
#define ADDI_A0_X0(imm) (((imm) << 20) | (10 << 7) | 0x13)   /* addi a0, x0, imm */
TEST_BEGIN_U
test_2:                         // run the routine once, unmodified
  li TESTNUM, 2
  li a0, 0
  call patchable
  li a1, 7
  bne a0, a1, fail

test_3:                         // rewrite it, fence.i, run again
  li TESTNUM, 3
  la a1, patchable
  li a2, ADDI_A0_X0(42)
  sw a2, 0(a1)
  fence.i
  li a0, 0
  call patchable
  li a1, 42
  bne a0, a1, fail

test_4:                         // and once more (the previous code was run)
  li TESTNUM, 4
  la a1, patchable
  li a2, ADDI_A0_X0(-5)
  sw a2, 0(a1)
  fence.i
  call patchable
  li a1, -5
  bne a0, a1, fail

test_5:                         // patch the instruction just ahead
  li TESTNUM, 5
  la a1, 1f
  li a2, ADDI_A0_X0(99)
  sw a2, 0(a1)
  fence.i
1:
  addi a0, x0, 1
  li a1, 99
  bne a0, a1, fail

test_6:                         // loop: the same code patched on each pass
  li TESTNUM, 6
  li a3, 0                      // sum
  li a4, 1                      // pass
2:
  la a1, 1f
  li a2, ADDI_A0_X0(0)
  slli a5, a4, 20
  or a2, a2, a5
  sw a2, 0(a1)
  fence.i
1:
  addi a0, x0, 0
  add a3, a3, a0
  addi a4, a4, 1
  li a5, 5
  bleu a4, a5, 2b
  li a1, 15                     // 1+2+3+4+5
  bne a3, a1, fail

TEST_END

patchable:
  addi a0, x0, 7
  ret
