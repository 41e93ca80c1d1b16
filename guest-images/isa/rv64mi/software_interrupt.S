// Machine software interrupt through the CLINT's msip register: MSIP in mip
// follows msip (read-only through the CSR), cause 0x8000000000000003.
#include "test_macros.h"
#include "clint.h"
TEST_BEGIN_M
  MTIMECMP_NEVER
  TEST_CASE(2, a0, 0, csrr a1, mip; andi a0, a1, MIP_MSIP)
  TEST_CASE(3, a0, MIP_MSIP, SET_MSIP(1); csrr a1, mip; andi a0, a1, MIP_MSIP)
  TEST_CASE(4, a0, 1, li t0, CLINT_MSIP; lw a0, 0(t0))
  TEST_CASE(5, a0, 0, SET_MSIP(0); csrr a1, mip; andi a0, a1, MIP_MSIP)
  // only bit 0 of msip is implemented
  TEST_CASE(6, a0, 1, SET_MSIP(0xfffffffe); SET_MSIP(3); li t0, CLINT_MSIP; lw a0, 0(t0))
  SET_MSIP(0)
  // MSIP cannot be set through mip
  TEST_CASE(7, a0, 0, li a1, MIP_MSIP; csrs mip, a1; csrr a1, mip; andi a0, a1, MIP_MSIP)
  // taken when enabled
test_8:
  li TESTNUM, 8
  li a1, MIP_MSIP
  csrs mie, a1
  li a1, MSTATUS_MIE
  csrs mstatus, a1
  EXPECT_INTERRUPT
  SET_MSIP(1)
  SPIN_UNTIL_TRAP(1000000)
  CHECK_TRAP_TAKEN
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_INTERRUPT | IRQ_M_SOFT)
  TEST_CASE(9, a0, MIP_MSIP, csrr a1, mip; andi a0, a1, MIP_MSIP)
  // clear the source, re-enable: nothing further happens
  TEST_CASE(10, a0, 1, SET_MSIP(0); li a1, MIP_MSIP; csrs mie, a1; li a2, 1000; 1: addi a2, a2, -1; bnez a2, 1b; LOAD_TRAP(a0, TS_COUNT))
  // the interrupt is taken again from S-mode with MIE = 0
  li a1, MSTATUS_MIE
  csrc mstatus, a1
  li TESTNUM, 11
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  EXPECT_INTERRUPT
  SET_MSIP(1)
  SPIN_UNTIL_TRAP(1000000)
  CHECK_TRAP_TAKEN
  TEST_CASE(12, a0, CAUSE_INTERRUPT | IRQ_M_SOFT, LOAD_TRAP(a0, TS_CAUSE))
  TEST_CASE(13, a0, MSTATUS_MPP_S, LOAD_TRAP(a1, TS_STATUS); li a2, MSTATUS_MPP; and a0, a1, a2)
  TEST_CASE(14, a0, 2, LOAD_TRAP(a0, TS_COUNT))
  li TESTNUM, 15
  SET_MSIP(0)
  ECALL_TO_MODE(PRV_M, 1f)
1:
TEST_END
