// Page faults delegated to S (medeleg 12, 13, 15): scause/sepc/stval in the
// S handler, from S and from U. A fetch or load that crosses into an
// unmapped page reports the address of the part that faulted (the start of
// the second page), with epc = the instruction. A PTE that lives in
// non-existent memory gives an access fault of the original access type
// (privileged spec 4.3.2 step 2); QEMU 7.2 raises a page fault instead, so
// those cases accept both.
#include "test_macros.h"
#include "vm.h"
TEST_BEGIN_M
  li a1, (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
  csrw medeleg, a1
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  VM_BUILD_SV39
  VM_ENABLE
  la s0, page_a
  la s4, code_page
  MAP_TEST_PAGE(0, s0, LEAF_FLAGS)
  MAP_TEST_PAGE(2, s4, PTE_V | PTE_R | PTE_X | PTE_A | PTE_U)
  TEST_VA(s1, 1, 0)                                 // unmapped
  TEST_TRAP(2, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s1))
  CHECK_TRAP_FIELD(TS_MODE, PRV_S)
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  TEST_TRAP(3, CAUSE_STORE_PAGE_FAULT, sb a0, 0(s1))
  CHECK_TRAP_FIELD(TS_MODE, PRV_S)
  // scause/stval hold the values too
  TEST_CASE(4, a0, CAUSE_STORE_PAGE_FAULT, csrr a0, scause; csrr a1, stval; bne a1, s1, fail)
  // a misaligned load crossing from page 0 into unmapped page 1
  TEST_VA(s2, 0, 4092)
  TEST_TRAP(5, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s2))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  TEST_TRAP(6, CAUSE_STORE_PAGE_FAULT, sw a0, 2(s2))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  // a 32-bit instruction at the end of page 2 whose second half is on the
  // unmapped page 3: epc = its start, tval = the start of page 3
  TEST_VA(s3, 2, 4094)
  TEST_VA(s5, 3, 0)
test_7:
  li TESTNUM, 7
  EXPECT_TRAP_TO_MODE(1f, PRV_S)
  ENTER_U_AT_ALIAS(straddle_from_u)
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_PAGE_FAULT)
  CHECK_TRAP_FIELD(TS_MODE, PRV_S)
  CHECK_TRAP_FIELD_REG(TS_EPC, s3)
  CHECK_TRAP_FIELD_REG(TS_TVAL, s5)
  // the trap came from U
  TEST_CASE(8, a0, 0, LOAD_TRAP(a1, TS_STATUS); andi a0, a1, MSTATUS_SPP)
  // PTE in memory that does not exist: access fault, not page fault
  li t1, UNMAPPED_ADDRESS
  MAKE_PTE(t2, t1, PTE_V)
  STORE_PTE(pt_l1, 5, t2)
  sfence.vma
  li s6, TEST_WINDOW + 5 * 0x200000 + 0x40
  TEST_TRAP_EITHER(9, CAUSE_LOAD_ACCESS, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s6))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s6)
  TEST_TRAP_EITHER(10, CAUSE_STORE_ACCESS, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s6))
test_11:
  li TESTNUM, 11
  EXPECT_TRAP(1f)
  jr s6
  j fail
1:
  LOAD_TRAP(t0, TS_CAUSE)
  li t1, CAUSE_FETCH_ACCESS
  beq t0, t1, 2f
  li t1, CAUSE_FETCH_PAGE_FAULT
  bne t0, t1, fail
2:
  CHECK_TRAP_FIELD_REG(TS_TVAL, s6)
  csrw satp, zero
  sfence.vma
  li TESTNUM, 12
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  csrw medeleg, zero
TEST_END

// jumps (as U, code at the RAM alias is U-accessible) to the window page 2
// end; that instruction straddles into page 3
straddle_from_u:
  jr s3
  j fail
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .skip 4096
code_page:
  .skip 4094
  .hword 0x0513              // first half of "addi a0, x0, ..."
  .balign 4096
