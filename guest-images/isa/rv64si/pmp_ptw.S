// PMP also checks the implicit page-table reads of an S/U translation
// (privileged spec 4.3.2): a page-table page without S/U read permission
// makes the access fail with an access fault of the original type.
#include "test_macros.h"
#include "vm.h"
#include "../rv64mi/pmp.h"
TEST_BEGIN_M
  VM_BUILD_SV39
  mv s9, a0
  la s0, page_a
  MAP_TEST_PAGE(0, s0, LEAF_FLAGS)
  PMP_RESET
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  csrw satp, s9
  sfence.vma
  TEST_VA(s1, 0, 0)
  TEST_CASE(2, a0, 0x5a5a, ld a0, 0(s1))
  li TESTNUM, 3
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  // deny S/U access to the level-0 table
  la t1, pt_l0
  PMP_NAPOT_ADDR(t1, t1, 4096)
  csrw pmpaddr0, t1
  PMP_SET_CFG(0, PMP_NAPOT)
  ENTER_MODE_FROM_M(PRV_S, in_s2)
in_s2:
  sfence.vma
  TEST_TRAP(4, CAUSE_LOAD_ACCESS, ld a0, 0(s1))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  TEST_TRAP(5, CAUSE_STORE_ACCESS, sd a0, 0(s1))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  // other translations (not using pt_l0) still work
  TEST_CASE(6, a0, 0x5a5a, ld a0, 0(s0))
  li TESTNUM, 7
  ECALL_TO_MODE(PRV_M, in_m2)
in_m2:
  PMP_RESET
  csrw satp, zero
  sfence.vma
TEST_END
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .dword 0x5a5a
  .balign 4096
