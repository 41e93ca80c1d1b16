// medeleg: exceptions from S/U whose bit is set trap to S (stvec, scause,
// sepc, stval, sstatus.SPP/SPIE/SIE); the others still go to M. Traps taken
// in S-mode with medeleg set stay in S (never go "down").
#include "test_macros.h"
#define CHECK_SPP(value) LOAD_TRAP(a3, TS_STATUS); andi a3, a3, MSTATUS_SPP; li a4, value; bne a3, a4, fail
TEST_BEGIN_M
  li a1, (1 << CAUSE_USER_ECALL) | (1 << CAUSE_ILLEGAL_INSTRUCTION) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_LOAD_ACCESS)
  csrw medeleg, a1
  ENTER_MODE_FROM_M(PRV_U, in_u)
in_u:
  // delegated: handled by the S handler
  TEST_TRAP_TVAL(2, CAUSE_USER_ECALL, 0, ecall)
  CHECK_TRAP_FIELD(TS_MODE, PRV_S)
  CHECK_SPP(0)
  TEST_TRAP_TVAL(3, CAUSE_ILLEGAL_INSTRUCTION, 0xffffffff, .word 0xffffffff)
  CHECK_TRAP_FIELD(TS_MODE, PRV_S)
  TEST_TRAP(4, CAUSE_BREAKPOINT, ebreak)
  CHECK_TRAP_FIELD(TS_MODE, PRV_S)
  li s0, UNMAPPED_ADDRESS
  TEST_TRAP(5, CAUSE_LOAD_ACCESS, ld a0, 8(s0))
  CHECK_TRAP_FIELD(TS_MODE, PRV_S)
  addi s1, s0, 8
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  // not delegated: store access fault goes to M
  TEST_TRAP(6, CAUSE_STORE_ACCESS, sd a0, 0(s0))
  CHECK_TRAP_FIELD(TS_MODE, PRV_M)
  // from U to S through a delegated ecall, then traps in S
  li TESTNUM, 7
  ECALL_TO_MODE(PRV_S, in_s)
in_s:
  // illegal instruction in S: delegated, so S handles its own trap
  TEST_TRAP(8, CAUSE_ILLEGAL_INSTRUCTION, .word 0xffffffff)
  CHECK_TRAP_FIELD(TS_MODE, PRV_S)
  CHECK_SPP(MSTATUS_SPP)
  // ecall from S is not delegated: M
  TEST_TRAP(9, CAUSE_SUPERVISOR_ECALL, ecall)
  CHECK_TRAP_FIELD(TS_MODE, PRV_M)
  // the S CSRs hold the last S trap; sscratch is untouched by traps
  TEST_CASE(10, a0, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, scause)
  // SIE -> SPIE, SIE = 0 on trap entry to S; sret restores
  li a1, MSTATUS_SIE
  csrs sstatus, a1
  TEST_TRAP(11, CAUSE_BREAKPOINT, ebreak)
  TEST_CASE(12, a0, MSTATUS_SPIE, LOAD_TRAP(a1, TS_STATUS); andi a0, a1, MSTATUS_SIE | MSTATUS_SPIE)
  TEST_CASE(13, a0, MSTATUS_SIE | MSTATUS_SPIE, csrr a1, sstatus; andi a0, a1, MSTATUS_SIE | MSTATUS_SPIE)
  li a1, MSTATUS_SIE
  csrc sstatus, a1
  // stval of an illegal compressed instruction in S: its 16 bits
  TEST_TRAP_TVAL(14, CAUSE_ILLEGAL_INSTRUCTION, 0, .hword 0; .hword 0x0001 /* c.nop */)
  // S writes stvec: traps go to the new vector
  li TESTNUM, 15
  csrr s2, stvec
  la a1, own_handler
  csrw stvec, a1
  li s3, 0
  ebreak
  li a1, 1
  bne s3, a1, fail
  csrw stvec, s2
  li TESTNUM, 16
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  csrw medeleg, zero
TEST_END

  .balign 4
own_handler:
  li s3, 1
  csrr s4, sepc
  addi s4, s4, 4
  csrw sepc, s4
  sret
