// sret (privileged spec 3.3.2): privilege = SPP, SIE = SPIE, SPIE = 1,
// SPP = U. mstatus.TSR = 1 makes sret in S-mode illegal (not in M-mode).
#include "test_macros.h"
TEST_BEGIN_S
  // sret to S with SPIE = 1: SIE becomes 1, SPIE 1, SPP U
  li a1, MSTATUS_SPIE
  csrs sstatus, a1
  li a1, MSTATUS_SIE
  csrc sstatus, a1
  li TESTNUM, 2
  ENTER_MODE_FROM_S(PRV_S, 1f)
1:
  TEST_CASE(3, a0, MSTATUS_SIE | MSTATUS_SPIE, csrr a1, sstatus; andi a0, a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP)
  // sret with SPIE = 0: SIE becomes 0
  li a1, MSTATUS_SPIE
  csrc sstatus, a1
  li TESTNUM, 4
  ENTER_MODE_FROM_S(PRV_S, 1f)
1:
  TEST_CASE(5, a0, MSTATUS_SPIE, csrr a1, sstatus; andi a0, a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP)
  // sret to U: U-mode cannot read sstatus any more
  li TESTNUM, 6
  ENTER_MODE_FROM_S(PRV_U, in_u)
in_u:
  TEST_TRAP(7, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, sstatus)
  CHECK_TRAP_FIELD(TS_MODE, PRV_M)
  TEST_CASE(8, a0, 0, LOAD_TRAP(a1, TS_STATUS); li a2, MSTATUS_MPP; and a0, a1, a2)    // came from U
  // sret jumps to sepc exactly (bit 1 honoured with C)
  li TESTNUM, 9
  ECALL_TO_MODE(PRV_S, in_s)
in_s:
  TEST_CASE(10, a0, 7,
    li a0, 0; li a1, MSTATUS_SPP; csrs sstatus, a1; la a1, 2f; csrw sepc, a1; sret; j fail;
    .balign 4; .hword 0x0001; 2: li a0, 7)
  // TSR = 1 (set from M): sret in S is illegal, in M it works
  li TESTNUM, 11
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  li a1, MSTATUS_TSR
  csrs mstatus, a1
  ENTER_MODE_FROM_M(PRV_S, in_s_tsr)
in_s_tsr:
  la a1, 1f
  csrw sepc, a1
  TEST_TRAP_TVAL(12, CAUSE_ILLEGAL_INSTRUCTION, 0x10200073, sret)
  CHECK_TRAP_FIELD(TS_MODE, PRV_M)
1:
  li TESTNUM, 13
  ECALL_TO_MODE(PRV_M, in_m2)
in_m2:
  // sret in M-mode with TSR = 1 returns to SPP
  li a1, MSTATUS_SPP
  csrs mstatus, a1
  la a1, 1f
  csrw sepc, a1
  li TESTNUM, 14
  sret
  j fail
1:
  TEST_CASE(15, a0, 0, csrr a0, sscratch; li a0, 0)          // S CSR access works: in S
  TEST_TRAP(16, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, mscratch)   // but not in M any more
  li TESTNUM, 17
  ECALL_TO_MODE(PRV_M, in_m3)
in_m3:
  li a1, MSTATUS_TSR
  csrc mstatus, a1
TEST_END
