// U bit, SUM and MXR (privileged spec 4.3.1, 4.1.1): S-mode may not touch
// U pages unless SUM = 1 and may never execute them; U-mode may not touch S
// pages; MXR makes execute-only pages readable, for both modes.
#include "test_macros.h"
#include "vm.h"
TEST_BEGIN_S
  VM_BUILD_SV39
  VM_ENABLE
  la s0, page_a
  la s4, code_page
  MAP_TEST_PAGE(0, s0, LEAF_FLAGS | PTE_U)                   // U data
  MAP_TEST_PAGE(1, s0, LEAF_FLAGS)                           // S data
  MAP_TEST_PAGE(2, s4, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A) // U code
  MAP_TEST_PAGE(3, s0, PTE_V | PTE_X | PTE_U | PTE_A)        // U execute-only
  MAP_TEST_PAGE(4, s4, PTE_V | PTE_R | PTE_X | PTE_A)        // S code
  MAP_TEST_PAGE(5, s0, PTE_V | PTE_X | PTE_A)                // S execute-only
  TEST_VA(s1, 0, 0)
  TEST_VA(s2, 1, 0)
  TEST_VA(s3, 2, 0)
  TEST_VA(s5, 3, 0)
  TEST_VA(s6, 4, 0)
  TEST_VA(s7, 5, 0)
  // S-mode, SUM = 0
  li a1, MSTATUS_SUM | MSTATUS_MXR
  csrc sstatus, a1
  TEST_TRAP(2, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s1))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  TEST_TRAP(3, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s1))
  TEST_CASE(4, a0, 0x5a5a, ld a0, 0(s2))
  // SUM = 1: loads and stores to U pages allowed, fetch still not
  li a1, MSTATUS_SUM
  csrs sstatus, a1
  TEST_CASE(5, a0, 0x5a5a, ld a0, 0(s1))
  TEST_CASE(6, a0, 0x77, li a1, 0x77; sd a1, 8(s1); ld a0, 8(s1))
test_7:
  li TESTNUM, 7
  EXPECT_TRAP(1f)
  jalr s3
  j fail
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_PAGE_FAULT)
  CHECK_TRAP_FIELD_REG(TS_TVAL, s3)
  li a1, MSTATUS_SUM
  csrc sstatus, a1
  // S may execute its own code pages
  TEST_CASE(8, a0, 42, li a0, 0; jalr s6)
  // MXR: execute-only S page readable only with MXR = 1
  TEST_TRAP(9, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s7))
  TEST_CASE(10, a0, 0x5a5a, li a1, MSTATUS_MXR; csrs sstatus, a1; ld a0, 0(s7))
  // MXR does not make it writable
  TEST_TRAP(11, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s7))
  // MXR does not override SUM for the U execute-only page
  TEST_TRAP(12, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s5))
  TEST_CASE(13, a0, 0x5a5a, li a1, MSTATUS_SUM; csrs sstatus, a1; ld a0, 0(s5); li a1, MSTATUS_SUM | MSTATUS_MXR; csrc sstatus, a1)
  // U-mode (running at the U alias of RAM)
  li TESTNUM, 14
  ENTER_U_AT_ALIAS(in_u)
in_u:
  TEST_CASE(15, a0, 0x5a5a, ld a0, 0(s1))
  TEST_TRAP(16, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s2))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s2)
  TEST_TRAP(17, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s2))
  TEST_CASE(18, a0, 42, li a0, 0; jalr s3)                  // U code page
test_19:                                                     // S code page
  li TESTNUM, 19
  EXPECT_TRAP(1f)
  jalr s6
  j fail
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_PAGE_FAULT)
  CHECK_TRAP_FIELD_REG(TS_TVAL, s6)
  // U execute-only page: not readable without MXR (SUM is irrelevant for U)
  TEST_TRAP(20, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s5))
  li TESTNUM, 21
  ECALL_TO_S_FROM_ALIAS(in_s)
in_s:
  li a1, MSTATUS_MXR
  csrs sstatus, a1
  li TESTNUM, 22
  ENTER_U_AT_ALIAS(in_u2)
in_u2:
  TEST_CASE(23, a0, 0x5a5a, ld a0, 0(s5))                    // MXR applies to U too
  TEST_TRAP(24, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s7))         // but not to S pages
  li TESTNUM, 25
  ECALL_TO_S_FROM_ALIAS(in_s2)
in_s2:
  li a1, MSTATUS_MXR
  csrc sstatus, a1
TEST_END
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .dword 0x5a5a
  .skip 4088
code_page:
  li a0, 42
  ret
  .balign 4096
