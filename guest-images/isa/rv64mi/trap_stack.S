// Trap entry and mret update the interrupt-enable stack (privileged spec
// 3.1.6.1): on a trap into M, MPIE = MIE, MIE = 0, MPP = previous mode; mret
// sets MIE = MPIE, MPIE = 1, MPP = U (least privileged) and keeps MPRV when
// returning to M. (Privileged spec 1.12 also clears MPRV when mret returns
// below M; QEMU 7.2 does not, so that is not checked.)
#include "test_macros.h"
TEST_BEGIN_M
  // MIE = 1 before the trap (no interrupt is enabled in mie)
  csrw mie, zero
  li a1, MSTATUS_MIE
  csrs mstatus, a1
  li a1, MSTATUS_MPIE
  csrc mstatus, a1
  TEST_TRAP(2, CAUSE_MACHINE_ECALL, ecall)
  // in the handler: MIE was 0, MPIE 1
  TEST_CASE(3, a0, MSTATUS_MPIE, LOAD_TRAP(a1, TS_STATUS); andi a0, a1, MSTATUS_MIE | MSTATUS_MPIE)
  // after mret (MPP = M): MIE restored to 1, MPIE = 1, MPP = U
  TEST_CASE(4, a0, MSTATUS_MIE | MSTATUS_MPIE, csrr a1, mstatus; andi a0, a1, MSTATUS_MIE | MSTATUS_MPIE)
  TEST_CASE(5, a0, 0, csrr a1, mstatus; li a2, MSTATUS_MPP; and a0, a1, a2)
  // MIE = 0 before the trap: MPIE becomes 0, and mret leaves MIE = 0
  li a1, MSTATUS_MIE
  csrc mstatus, a1
  TEST_TRAP(6, CAUSE_MACHINE_ECALL, ecall)
  TEST_CASE(7, a0, 0, LOAD_TRAP(a1, TS_STATUS); andi a0, a1, MSTATUS_MIE | MSTATUS_MPIE)
  TEST_CASE(8, a0, MSTATUS_MPIE, csrr a1, mstatus; andi a0, a1, MSTATUS_MIE | MSTATUS_MPIE)
  // mret to M keeps MPRV
  li a1, MSTATUS_MPRV | MSTATUS_MPP
  csrs mstatus, a1
  li TESTNUM, 9
  ENTER_MODE_FROM_M(PRV_M, 1f)
1:
  TEST_CASE(10, a0, MSTATUS_MPRV, csrr a1, mstatus; li a2, MSTATUS_MPRV; and a0, a1, a2; li a2, MSTATUS_MPRV; csrs mstatus, a2)
  li TESTNUM, 11
  ENTER_MODE_FROM_M(PRV_U, in_u)
in_u:
  li TESTNUM, 12
  ECALL_TO_MODE(PRV_M, 1f)
1:
  TEST_CASE(13, a0, 0, li a1, MSTATUS_MPRV; csrc mstatus, a1; csrr a1, mstatus; li a2, MSTATUS_MPRV; and a0, a1, a2)
  // SIE/SPIE are untouched by M traps and mret
  li a1, MSTATUS_SIE
  csrs mstatus, a1
  li a1, MSTATUS_SPIE
  csrc mstatus, a1
  li TESTNUM, 14
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  li TESTNUM, 15
  ECALL_TO_MODE(PRV_M, 1f)
1:
  TEST_CASE(16, a0, MSTATUS_SIE, csrr a1, mstatus; li a2, MSTATUS_SIE | MSTATUS_SPIE; and a0, a1, a2; li a2, MSTATUS_SIE; csrc mstatus, a2)
  // mcause/mepc/mtval are plain read/write registers for software
  csrr s11, mepc
  TEST_CASE(17, a0, 0x80001234, li a1, 0x80001234; csrw mepc, a1; csrr a0, mepc)
  TEST_CASE(18, a0, 0x80001236, li a1, 0x80001236; csrw mepc, a1; csrr a0, mepc)   // bit 1 writable with C
  TEST_CASE(19, a0, 0x8000000000000007, li a1, 0x8000000000000007; csrw mcause, a1; csrr a0, mcause)
  TEST_CASE(20, a0, 0xfedcba9876543210, li a1, 0xfedcba9876543210; csrw mtval, a1; csrr a0, mtval)
  // mret jumps to mepc
  TEST_CASE(21, a0, 5, li a0, 0; la a1, 2f; csrw mepc, a1; li a1, MSTATUS_MPP; csrs mstatus, a1; mret; j fail; 2: li a0, 5)
TEST_END
