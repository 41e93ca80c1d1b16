// mstatus.TVM = 1: satp accesses and sfence.vma in S-mode are illegal.
// mstatus.TW = 1: wfi in S-mode is illegal. Both leave M-mode alone.
#include "test_macros.h"
#include "../rv64mi/clint.h"
TEST_BEGIN_M
  MTIMECMP_NEVER
  li a1, MSTATUS_TVM
  csrs mstatus, a1
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  TEST_TRAP_TVAL(2, CAUSE_ILLEGAL_INSTRUCTION, 0x18002573, csrr a0, satp)
  TEST_TRAP_TVAL(3, CAUSE_ILLEGAL_INSTRUCTION, 0x18001073, csrw satp, zero)
  TEST_TRAP_TVAL(4, CAUSE_ILLEGAL_INSTRUCTION, 0x12000073, sfence.vma)
  TEST_TRAP(5, CAUSE_ILLEGAL_INSTRUCTION, sfence.vma a0, a1)
  // other S CSRs are fine
  TEST_CASE(6, a0, 0x55, li a1, 0x55; csrw sscratch, a1; csrr a0, sscratch)
  li TESTNUM, 7
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  // M-mode is not affected by TVM
  TEST_CASE(8, a0, 0, csrr a0, satp; csrw satp, zero; sfence.vma; li a0, 0)
  li a1, MSTATUS_TVM
  csrc mstatus, a1
  ENTER_MODE_FROM_M(PRV_S, in_s2)
in_s2:
  TEST_CASE(9, a0, 0, csrr a0, satp; sfence.vma; li a0, 0)
  li TESTNUM, 10
  ECALL_TO_MODE(PRV_M, in_m2)
in_m2:
  // TW = 0: wfi in S completes once a (delegated, SIE = 0) interrupt is pending
  li a1, MIP_SSIP
  csrw mideleg, a1
  ENTER_MODE_FROM_M(PRV_S, in_s3)
in_s3:
  TEST_CASE(11, a0, 0, li a1, MSTATUS_SIE; csrc sstatus, a1; li a1, MIP_SSIP; csrw sie, a1; csrs sip, a1; wfi; csrc sip, a1; csrw sie, zero; li a0, 0)
  li TESTNUM, 12
  ECALL_TO_MODE(PRV_M, in_m3)
in_m3:
  csrw mideleg, zero
  csrw mie, zero
  li a1, MSTATUS_TW
  csrs mstatus, a1
  ENTER_MODE_FROM_M(PRV_S, in_s4)
in_s4:
  TEST_TRAP_TVAL(13, CAUSE_ILLEGAL_INSTRUCTION, 0x10500073, wfi)
  CHECK_TRAP_FIELD(TS_MODE, PRV_M)
  li TESTNUM, 14
  ECALL_TO_MODE(PRV_M, in_m4)
in_m4:
  // TW in M-mode: wfi with a pending enabled interrupt just completes
  TEST_CASE(15, a0, 0, li a1, MIP_SSIP; csrw mie, a1; csrs mip, a1; wfi; csrc mip, a1; csrw mie, zero; li a0, 0)
  li a1, MSTATUS_TW
  csrc mstatus, a1
TEST_END
