// mstatus.MPRV: M-mode loads and stores are checked with the privilege in
// MPP (here against PMP), instruction fetches are not.
#include "test_macros.h"
#include "pmp.h"
TEST_BEGIN_M
  PMP_RESET
  la s0, guarded                         // no S/U permission on this page
  PMP_NAPOT_ADDR(t1, s0, 4096)
  csrw pmpaddr0, t1
  PMP_SET_CFG(0, PMP_NAPOT)
  TEST_CASE(2, a0, 0x5555, ld a0, 0(s0))                // plain M access
  // MPRV with MPP = U: the access is a U access
  li s1, MSTATUS_MPRV
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  csrs mstatus, s1
  TEST_TRAP(3, CAUSE_LOAD_ACCESS, ld a0, 0(s0))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s0)
  // the handler's mret left MPP = U and MPRV on
  TEST_TRAP(4, CAUSE_STORE_ACCESS, sd a0, 0(s0))
  // fetches are unaffected; other memory is still reachable
  TEST_CASE(5, a0, 7, la a1, elsewhere; ld a0, 0(a1))
  // MPP = S: also denied
  li a1, MSTATUS_MPP_S
  csrs mstatus, a1
  TEST_TRAP(6, CAUSE_LOAD_ACCESS, lw a0, 4(s0))
  // MPP = M: allowed again
  li a1, MSTATUS_MPP
  csrs mstatus, a1
  TEST_CASE(7, a0, 0x5555, ld a0, 0(s0))
  csrc mstatus, s1
  TEST_CASE(8, a0, 0x5555, li a1, MSTATUS_MPP; csrc mstatus, a1; ld a0, 0(s0))
  PMP_RESET
TEST_END

  .data
  .balign 4096
guarded:
  .dword 0x5555
  .skip 4096 - 8
elsewhere:
  .dword 7
