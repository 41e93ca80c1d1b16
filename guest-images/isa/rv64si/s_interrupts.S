// Interrupts delegated to S (mideleg): taken by the S handler in S-mode only
// when sstatus.SIE is set, always in U-mode, never in M-mode; scause has the
// interrupt bit; sret returns to the interrupted code. Undelegated S-level
// interrupts go to M even from S. M-level interrupts preempt S-mode.
#include "test_macros.h"
#include "../rv64mi/clint.h"
TEST_BEGIN_M
  csrw menvcfg, zero
  MTIMECMP_NEVER
  li a1, MIP_SSIP | MIP_STIP
  csrw mideleg, a1
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  // SSIP pending, SSIE enabled, SIE clear: not taken
  TEST_CASE(2, a0, 0, li a1, MIP_SSIP; csrs sie, a1; csrs sip, a1; nop; nop; LOAD_TRAP(a0, TS_COUNT))
  // SIE set: taken by S
test_3:
  li TESTNUM, 3
  EXPECT_INTERRUPT
  li a1, MSTATUS_SIE
  csrs sstatus, a1
1:
  nop
  CHECK_TRAP_TAKEN
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_INTERRUPT | IRQ_S_SOFT)
  CHECK_TRAP_FIELD(TS_MODE, PRV_S)
  CHECK_TRAP_FIELD_LABEL(TS_EPC, 1b)
  TEST_CASE(4, a0, MSTATUS_SPIE | MSTATUS_SPP, LOAD_TRAP(a1, TS_STATUS); andi a0, a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP)
  // the handler masked SSIE; clear the pending bit
  li a1, MIP_SSIP
  csrc sip, a1
  li a1, MSTATUS_SIE
  csrc sstatus, a1
  // in U-mode a delegated interrupt is taken even with SIE = 0
  li a1, MIP_SSIP
  csrs sie, a1
  csrs sip, a1
  EXPECT_INTERRUPT
  ENTER_MODE_FROM_S(PRV_U, in_u)
in_u:
  nop
  TEST_CASE(5, a0, CAUSE_INTERRUPT | IRQ_S_SOFT, LOAD_TRAP(a0, TS_CAUSE))
  TEST_CASE(6, a0, PRV_S, LOAD_TRAP(a0, TS_MODE))
  TEST_CASE(7, a0, 0, LOAD_TRAP(a1, TS_STATUS); andi a0, a1, MSTATUS_SPP)
  TEST_CASE(8, a0, 0, LOAD_TRAP(a1, TS_EPC); la a2, in_u; sub a0, a1, a2)
  li TESTNUM, 9
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  li a1, MIP_SSIP
  csrc mip, a1
  // STIP set by M, delegated: S timer interrupt in S
  li a1, MIP_STIP
  csrs mie, a1
  csrs mip, a1
  li a1, MSTATUS_SIE
  csrs mstatus, a1
  EXPECT_INTERRUPT
  ENTER_MODE_FROM_M(PRV_S, in_s2)
in_s2:
  nop
  TEST_CASE(10, a0, CAUSE_INTERRUPT | IRQ_S_TIMER, LOAD_TRAP(a0, TS_CAUSE))
  TEST_CASE(11, a0, PRV_S, LOAD_TRAP(a0, TS_MODE))
  li TESTNUM, 12
  ECALL_TO_MODE(PRV_M, in_m2)
in_m2:
  li a1, MSTATUS_MIE             // mret from the ecall left MIE = 1
  csrc mstatus, a1
  li a1, MIP_STIP
  csrc mip, a1
  // not delegated (SEIP): goes to M even from S with SIE = 0
  li a1, MSTATUS_SIE
  csrc mstatus, a1
  li a1, MIP_SEIP
  csrs mie, a1
  csrs mip, a1
  EXPECT_INTERRUPT
  ENTER_MODE_FROM_M(PRV_S, in_s3)
in_s3:
  nop
  TEST_CASE(13, a0, CAUSE_INTERRUPT | IRQ_S_EXT, LOAD_TRAP(a0, TS_CAUSE))
  TEST_CASE(14, a0, PRV_M, LOAD_TRAP(a0, TS_MODE))
  // an M timer interrupt preempts S-mode, whatever SIE and MIE say
  li TESTNUM, 15
  ECALL_TO_MODE(PRV_M, in_m3)
in_m3:
  li a1, MSTATUS_MIE             // mret from the ecall left MIE = 1
  csrc mstatus, a1
  li a1, MIP_SEIP
  csrc mip, a1
  li a1, MIP_MTIP
  csrs mie, a1
  WRITE_MTIMECMP(zero)
  EXPECT_INTERRUPT
  ENTER_MODE_FROM_M(PRV_S, in_s4)
in_s4:
  nop
  TEST_CASE(16, a0, CAUSE_INTERRUPT | IRQ_M_TIMER, LOAD_TRAP(a0, TS_CAUSE))
  TEST_CASE(17, a0, MSTATUS_MPP_S, LOAD_TRAP(a1, TS_STATUS); li a2, MSTATUS_MPP; and a0, a1, a2)
  MTIMECMP_NEVER
  li TESTNUM, 18
  ECALL_TO_MODE(PRV_M, in_m4)
in_m4:
  csrw mideleg, zero
  csrw mie, zero
TEST_END
