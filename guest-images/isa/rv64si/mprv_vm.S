// mstatus.MPRV with translation on: M-mode loads and stores are translated
// and checked with the privilege in MPP (U or S, honouring SUM and MXR);
// instruction fetches stay untranslated; MPP = M means no translation.
#include "test_macros.h"
#include "vm.h"
TEST_BEGIN_M
  VM_BUILD_SV39
  csrw satp, a0
  sfence.vma
  la s0, page_a
  MAP_TEST_PAGE(0, s0, LEAF_FLAGS)                 // S page
  MAP_TEST_PAGE(1, s0, LEAF_FLAGS | PTE_U)         // U page
  MAP_TEST_PAGE(2, s0, PTE_V | PTE_X | PTE_A)      // S execute-only
  TEST_VA(s1, 0, 0)
  TEST_VA(s2, 1, 0)
  TEST_VA(s3, 2, 0)
  // satp alone does not affect M-mode: page_a is read at its PA
  TEST_CASE(2, a0, 0x5a5a, ld a0, 0(s0))
  // MPRV + MPP = S
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  li a1, MSTATUS_MPP_S | MSTATUS_MPRV
  csrs mstatus, a1
  TEST_CASE(3, a0, 0x5a5a, ld a0, 0(s1))
  TEST_CASE(4, a0, 0x66, li a1, 0x66; sd a1, 8(s1); ld a0, 8(s0))   // the second load: identity gigapage
  TEST_TRAP(5, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s2))                // U page, SUM = 0
  CHECK_TRAP_FIELD_REG(TS_TVAL, s2)
  // the trap set MPP = M (trap from M), and mret made it U: set it back
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  li a1, MSTATUS_MPP_S | MSTATUS_SUM
  csrs mstatus, a1
  TEST_CASE(6, a0, 0x5a5a, ld a0, 0(s2))                          // SUM = 1
  TEST_TRAP(7, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s3))                // execute-only, MXR = 0
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  li a1, MSTATUS_MPP_S | MSTATUS_MXR
  csrs mstatus, a1
  TEST_CASE(8, a0, 0x5a5a, ld a0, 0(s3))                          // MXR = 1
  // MPP = U: the S page is out of reach, the U page is fine. (With MPP = U
  // the test's own accesses to trap_state would fault too, so MPRV is only
  // on around the instruction under test.)
  li a1, MSTATUS_MPP | MSTATUS_SUM | MSTATUS_MXR
  csrc mstatus, a1
  TEST_CASE(9, a0, 0x5a5a, ld a0, 0(s2))
test_10:
  li TESTNUM, 10
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  EXPECT_TRAP(1f)
  li a1, MSTATUS_MPRV
  csrs mstatus, a1
  sd a0, 0(s1)
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  j fail
1:
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_STORE_PAGE_FAULT)
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  li a1, MSTATUS_MPRV
  csrs mstatus, a1
  // MPP = M: no translation (page_a by its physical address)
  li a1, MSTATUS_MPP
  csrs mstatus, a1
  TEST_CASE(11, a0, 0x5a5a, ld a0, 0(s0))
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  csrw satp, zero
  sfence.vma
TEST_END
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .dword 0x5a5a
  .balign 4096
