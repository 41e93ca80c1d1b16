// Machine timer interrupt from the CLINT: MTIP follows mtime >= mtimecmp
// (mtimecmp resets to 0 on virt, so MTIP starts pending), is read-only in
// mip, is taken when MTIE and MIE are set (cause 0x8000000000000007), is
// never taken in M-mode with MIE clear, and is always taken in U/S-mode.
#include "test_macros.h"
#include "clint.h"
TEST_BEGIN_M
  // at reset mtimecmp = 0, so the timer interrupt is pending
  TEST_CASE(2, a0, MIP_MTIP, csrr a1, mip; andi a0, a1, MIP_MTIP)
  // mtimecmp in the far future clears it
  TEST_CASE(3, a0, 0, MTIMECMP_NEVER; csrr a1, mip; andi a0, a1, MIP_MTIP)
  // mtime advances
  TEST_CASE(4, a0, 1, READ_MTIME(s0); li a1, 100000; 1: addi a1, a1, -1; bnez a1, 1b; READ_MTIME(s1); sltu a0, s0, s1)
  // mtimecmp reads back
  TEST_CASE(5, a0, 0x123456789, li a1, 0x123456789; WRITE_MTIMECMP(a1); li t0, CLINT_MTIMECMP; ld a0, 0(t0))
  // MTIP is read-only in mip
  TEST_CASE(6, a0, 0, MTIMECMP_NEVER; li a1, MIP_MTIP; csrs mip, a1; csrr a1, mip; andi a0, a1, MIP_MTIP)
  // a pending, enabled timer interrupt is not taken in M-mode while MIE = 0
  TEST_CASE(7, a0, 0,
    li a1, MSTATUS_MIE; csrc mstatus, a1; li a1, MIP_MTIP; csrs mie, a1; WRITE_MTIMECMP(zero);
    li a2, 1000; 1: addi a2, a2, -1; bnez a2, 1b; LOAD_TRAP(a0, TS_COUNT))
  // setting MIE takes it right after the csrs; mepc = the next instruction
test_8:
  li TESTNUM, 8
  EXPECT_INTERRUPT
  li a1, MSTATUS_MIE
  csrs mstatus, a1
1:
  nop
  CHECK_TRAP_TAKEN
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_INTERRUPT | IRQ_M_TIMER)
  CHECK_TRAP_FIELD_LABEL(TS_EPC, 1b)
  // in the handler: MIE = 0, MPIE = 1, MPP = M
  TEST_CASE(9, a0, MSTATUS_MPIE | MSTATUS_MPP, LOAD_TRAP(a1, TS_STATUS); li a2, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP; and a0, a1, a2)
  // the handler masked MTIE; MIE is back on after mret
  TEST_CASE(10, a0, MSTATUS_MIE, csrr a1, mstatus; andi a0, a1, MSTATUS_MIE)
  TEST_CASE(11, a0, 0, csrr a1, mie; andi a0, a1, MIP_MTIP)
  // a timer interrupt some ticks in the future interrupts a spin loop
test_12:
  li TESTNUM, 12
  MTIMECMP_IN(a2, 200)
  EXPECT_INTERRUPT
  li a1, MIP_MTIP
  csrs mie, a1
spin_start:
  SPIN_UNTIL_TRAP(10000000)
spin_end:
  CHECK_TRAP_TAKEN
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_INTERRUPT | IRQ_M_TIMER)
  // mepc lies inside the loop
  LOAD_TRAP(a3, TS_EPC)
  la a4, spin_start
  bltu a3, a4, fail
  la a4, spin_end
  bgeu a3, a4, fail
  // mtime has reached mtimecmp
  TEST_CASE(13, a0, 1, READ_MTIME(a3); li t0, CLINT_MTIMECMP; ld a4, 0(t0); sltu a0, a3, a4; xori a0, a0, 1)
  // still pending until mtimecmp is rewritten
  TEST_CASE(14, a0, MIP_MTIP, csrr a1, mip; andi a0, a1, MIP_MTIP)
  TEST_CASE(15, a0, 0, MTIMECMP_NEVER; csrr a1, mip; andi a0, a1, MIP_MTIP)
  // U-mode is interrupted even with mstatus.MIE = 0 (M interrupts are
  // globally enabled below M)
  li a1, MSTATUS_MIE
  csrc mstatus, a1
  li a1, MIP_MTIP
  csrs mie, a1
  WRITE_MTIMECMP(zero)
  EXPECT_INTERRUPT
  ENTER_MODE_FROM_M(PRV_U, in_u)
in_u:
  nop
  TEST_CASE(16, a0, CAUSE_INTERRUPT | IRQ_M_TIMER, LOAD_TRAP(a0, TS_CAUSE))
  TEST_CASE(17, a0, 0, LOAD_TRAP(a1, TS_STATUS); li a2, MSTATUS_MPP; and a0, a1, a2)   // came from U
  TEST_CASE(18, a0, 0, LOAD_TRAP(a1, TS_EPC); la a2, in_u; sub a0, a1, a2)          // before the first U instruction
  li TESTNUM, 19
  MTIMECMP_NEVER
  ECALL_TO_MODE(PRV_M, 1f)
1:
TEST_END
