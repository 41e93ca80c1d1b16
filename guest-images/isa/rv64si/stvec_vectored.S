// stvec in vectored mode: delegated interrupts go to BASE + 4 * cause,
// delegated exceptions to BASE; scause as usual.
#include "test_macros.h"
TEST_BEGIN_M
  csrw menvcfg, zero
  li a1, MIP_SSIP | MIP_STIP
  csrw mideleg, a1
  li a1, 1 << CAUSE_USER_ECALL
  csrw medeleg, a1
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  csrr s11, stvec
  la a1, vector_table
  ori a1, a1, 1
  csrw stvec, a1
  TEST_CASE(2, a0, 0, csrr a2, stvec; sub a0, a2, a1)
  // supervisor software interrupt -> entry 1
  li s2, 0
  li a1, MIP_SSIP
  csrs sie, a1
  csrs sip, a1
  li a1, MSTATUS_SIE
  csrs sstatus, a1
  nop
  csrc sstatus, a1
  TEST_CASE(3, s2, 1, nop)
  TEST_CASE(4, s3, CAUSE_INTERRUPT | IRQ_S_SOFT, nop)
  li TESTNUM, 5
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  // supervisor timer interrupt (STIP set by M) -> entry 5
  li a1, MIP_STIP
  csrs mie, a1
  csrs mip, a1
  ENTER_MODE_FROM_M(PRV_S, in_s2)
in_s2:
  li s2, 0
  li a1, MSTATUS_SIE
  csrs sstatus, a1
  nop
  csrc sstatus, a1
  TEST_CASE(6, s2, 5, nop)
  TEST_CASE(7, s3, CAUSE_INTERRUPT | IRQ_S_TIMER, nop)
  // a delegated exception (ecall from U) -> BASE
  li s2, 0
  la t0, 1f
  csrw sepc, t0
  li t0, MSTATUS_SPP
  csrc sstatus, t0
  sret
1:
  ecall                        // in U; the handler returns to S below
  j fail
back_in_s:
  TEST_CASE(8, s2, 100, nop)
  TEST_CASE(9, s3, CAUSE_USER_ECALL, nop)
  csrw stvec, s11
  li TESTNUM, 10
  ECALL_TO_MODE(PRV_M, in_m2)
in_m2:
  csrw mideleg, zero
  csrw medeleg, zero
  li a1, MIP_STIP
  csrc mip, a1
  csrw mie, zero
TEST_END

  .balign 256
vector_table:
  j vector_0
  j vector_1
  j vector_bad
  j vector_bad
  j vector_bad
  j vector_5
  j vector_bad
  j vector_bad
  j vector_bad
  j vector_bad
vector_0:                      // exceptions: only the ecall from U is expected
  li s2, 100
  csrr s3, scause
  la s4, back_in_s
  csrw sepc, s4
  li s4, MSTATUS_SPP
  csrs sstatus, s4
  sret
vector_1:
  li s2, 1
  csrr s3, scause
  li s4, MIP_SSIP
  csrc sip, s4
  sret
vector_5:
  li s2, 5
  csrr s3, scause
  li s4, MIP_STIP
  csrc sie, s4                 // S cannot clear STIP; mask it
  sret
vector_bad:
  j fail
