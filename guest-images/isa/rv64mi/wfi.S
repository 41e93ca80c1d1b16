// WFI: returns once an interrupt is pending and enabled in mie, whether or
// not mstatus.MIE allows taking it (privileged spec 3.3.3); with MIE set the
// interrupt is taken and mepc points after the WFI. TW does not affect
// M-mode. (WFI may also be a no-op, so waits are re-checked in a loop.)
#include "test_macros.h"
#include "clint.h"
TEST_BEGIN_M
  MTIMECMP_NEVER
  // pending before WFI, MIE = 0: falls through, no trap
  TEST_CASE(2, a0, 0, li a1, MIP_MSIP; csrs mie, a1; SET_MSIP(1); wfi; LOAD_TRAP(a0, TS_COUNT))
  SET_MSIP(0)
  // timer in the future, MIE = 0: wait for it
  TEST_CASE(3, a0, MIP_MTIP,
    csrw mie, zero; li a1, MIP_MTIP; csrs mie, a1; MTIMECMP_IN(a2, 500);
    li a3, 1000000; 1: wfi; csrr a1, mip; andi a0, a1, MIP_MTIP; bnez a0, 2f; addi a3, a3, -1; bnez a3, 1b; 2:)
  TEST_CASE(4, a0, 0, LOAD_TRAP(a0, TS_COUNT))
  TEST_CASE(5, a0, 1, READ_MTIME(a1); li t0, CLINT_MTIMECMP; ld a2, 0(t0); sltu a0, a1, a2; xori a0, a0, 1)
  MTIMECMP_NEVER
  // MIE = 1: the interrupt is taken, mepc = the instruction after WFI
test_6:
  li TESTNUM, 6
  // 10 ms ahead: the loop must reach WFI before the interrupt, since the
  // handler masks MTIE and a WFI entered after that would never end
  READ_MTIME(a2)
  li a3, 100000
  add a2, a2, a3
  WRITE_MTIMECMP(a2)
  EXPECT_INTERRUPT
  li a1, MSTATUS_MIE
  csrs mstatus, a1
  li a3, 1000000
1:
  LOAD_TRAP(t0, TS_EXPECT)
  beqz t0, 3f
  wfi
2:
  addi a3, a3, -1
  bnez a3, 1b
  j fail
3:
  li a1, MSTATUS_MIE
  csrc mstatus, a1
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_INTERRUPT | IRQ_M_TIMER)
  // mepc is inside the loop, never the WFI that was waiting (an interrupt
  // that ends a WFI returns to the next instruction); on an implementation
  // that sleeps in WFI it is exactly the instruction after it
  LOAD_TRAP(a4, TS_EPC)
  la a5, 1b
  bltu a4, a5, fail
  la a5, 3b
  bgeu a4, a5, fail
  MTIMECMP_NEVER
  // TW = 1 has no effect in M-mode
  TEST_CASE(7, a0, 1, li a1, MSTATUS_TW; csrs mstatus, a1; li a1, MIP_MSIP; csrw mie, a1; SET_MSIP(1); wfi; li a1, MSTATUS_TW; csrc mstatus, a1; LOAD_TRAP(a0, TS_COUNT))
  SET_MSIP(0)
  csrw mie, zero
TEST_END
