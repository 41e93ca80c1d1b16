// Accesses to physical addresses where nothing is mapped on virt raise
// access faults with mtval = the address: loads (5), stores and AMOs (7),
// instruction fetch (1, mepc = mtval = the target). The same from U-mode.
// QEMU 7.2 reports an AMO to an unmapped address as a load access fault (5)
// instead of store/AMO access fault (7), so the AMO case accepts both.
#include "test_macros.h"
TEST_BEGIN_M
  li s0, UNMAPPED_ADDRESS
  TEST_TRAP(2, CAUSE_LOAD_ACCESS, ld a0, 0(s0))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s0)
  TEST_TRAP(3, CAUSE_LOAD_ACCESS, lbu a0, 5(s0))
  addi s1, s0, 5
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  TEST_TRAP(4, CAUSE_STORE_ACCESS, sw a0, 8(s0))
  addi s1, s0, 8
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  TEST_TRAP_EITHER(5, CAUSE_STORE_ACCESS, CAUSE_LOAD_ACCESS, amoadd.d a0, a1, (s0))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s0)
  TEST_TRAP(6, CAUSE_LOAD_ACCESS, lr.d a0, (s0))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s0)
  la s2, fp_word
  fld f1, 0(s2)
  TEST_TRAP(7, CAUSE_LOAD_ACCESS, flw f1, 16(s0))
  TEST_TRAP(8, CAUSE_STORE_ACCESS, fsd f1, 24(s0))
  // the faulting load did not write rd
  TEST_CASE(9, a0, 42, li a0, 42; EXPECT_TRAP(1f); ld a0, 0(s0); j fail; 1:)
  // an address far above RAM
  li s3, 0x4000000000
  TEST_TRAP(10, CAUSE_LOAD_ACCESS, lw a0, 0(s3))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s3)
  // instruction fetch
test_11:
  li TESTNUM, 11
  EXPECT_TRAP(1f)
  jr s0
  j fail
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_ACCESS)
  CHECK_TRAP_FIELD_REG(TS_EPC, s0)
  CHECK_TRAP_FIELD_REG(TS_TVAL, s0)
  // the same from U-mode
  ENTER_MODE_FROM_M(PRV_U, in_u)
in_u:
  TEST_TRAP(12, CAUSE_LOAD_ACCESS, lh a0, 2(s0))
  addi s1, s0, 2
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  TEST_TRAP(13, CAUSE_STORE_ACCESS, sd a0, 0(s0))
test_14:
  li TESTNUM, 14
  EXPECT_TRAP(1f)
  jalr s0
  j fail
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_ACCESS)
  CHECK_TRAP_FIELD_REG(TS_TVAL, s0)
  // the trap came from U
  TEST_CASE(15, a0, 0, LOAD_TRAP(a1, TS_STATUS); srli a0, a1, 11; andi a0, a0, 3)
TEST_END
  .data
  .balign 8
fp_word: .dword 0x3ff0000000000000
