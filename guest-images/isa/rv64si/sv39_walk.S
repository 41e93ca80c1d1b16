// Sv39 translation (privileged spec 4.4): 4 KiB pages through three levels,
// 2 MiB and 1 GiB superpages, the page offset and every VPN field taken from
// the right bits, upper-half addresses, and page faults with stval = VA for
// invalid PTEs, W-without-R leaves, non-canonical addresses and missing
// permissions. Page faults are not delegated here: M records them.
#include "test_macros.h"
#include "vm.h"
TEST_BEGIN_S
  VM_BUILD_SV39
  VM_ENABLE
  la s0, page_a
  la s1, page_b
  // window page 0 -> page_a, page 1 -> page_b, page 511 -> page_a
  MAP_TEST_PAGE(0, s0, LEAF_FLAGS)
  MAP_TEST_PAGE(1, s1, LEAF_FLAGS)
  MAP_TEST_PAGE(511, s0, LEAF_FLAGS)
  TEST_CASE(2, a0, 0xaaaa0000, TEST_VA(a1, 0, 0); lwu a0, 0(a1))
  TEST_CASE(3, a0, 0xbbbb0000, TEST_VA(a1, 1, 0); lwu a0, 0(a1))
  TEST_CASE(4, a0, 0xaaaa0ff8, TEST_VA(a1, 0, 0xff8); lwu a0, 0(a1))    // offset bits kept
  TEST_CASE(5, a0, 0xaaaa0000, TEST_VA(a1, 511, 0); lwu a0, 0(a1))      // VPN[0] = 511
  // stores through one alias are seen through the other and physically
  TEST_CASE(6, a0, 0x1234, li a2, 0x1234; TEST_VA(a1, 511, 8); sd a2, 0(a1); TEST_VA(a1, 0, 8); ld a0, 0(a1))
  TEST_CASE(7, a0, 0x1234, ld a0, 8(s0))
  // identity RAM gigapage: VA == PA
  TEST_CASE(8, a0, 0xbbbb0000, lwu a0, 0(s1))
  // unmapped window page: load/store page faults with stval = VA
  TEST_VA(s2, 2, 0x10)
  TEST_TRAP(9, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s2))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s2)
  TEST_TRAP(10, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s2))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s2)
  // (QEMU 7.2 reports a load page fault for an AMO to an unmapped page)
  TEST_TRAP_EITHER(11, CAUSE_STORE_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT, amoadd.d a0, a0, (s2))
  TEST_TRAP(12, CAUSE_LOAD_PAGE_FAULT, lr.d a0, (s2))
test_13:                                            // fetch page fault
  li TESTNUM, 13
  EXPECT_TRAP(1f)
  jr s2
  j fail
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_PAGE_FAULT)
  CHECK_TRAP_FIELD_REG(TS_TVAL, s2)
  CHECK_TRAP_FIELD_REG(TS_EPC, s2)
  // permission faults on a present page
  MAP_TEST_PAGE(3, s0, PTE_V | PTE_R | PTE_A | PTE_D)              // read-only
  TEST_VA(s3, 3, 0)
  TEST_CASE(14, a0, 0xaaaa0000, lwu a0, 0(s3))
  TEST_TRAP(15, CAUSE_STORE_PAGE_FAULT, sw a0, 0(s3))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s3)
  TEST_TRAP(16, CAUSE_STORE_PAGE_FAULT, amoswap.w a0, a0, (s3))
test_17:                                            // no X
  li TESTNUM, 17
  EXPECT_TRAP(1f)
  jr s3
  j fail
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_PAGE_FAULT)
  // execute-only page: fetch works, loads fault (MXR = 0)
  la s4, code_page
  MAP_TEST_PAGE(4, s4, PTE_V | PTE_X | PTE_A | PTE_D)
  TEST_CASE(18, a0, 42, li a0, 0; TEST_VA(a1, 4, 0); jalr a1)
  TEST_VA(s5, 4, 0)
  TEST_TRAP(19, CAUSE_LOAD_PAGE_FAULT, lw a0, 0(s5))
  // W without R is reserved: page fault for every access
  MAP_TEST_PAGE(5, s0, PTE_V | PTE_W | PTE_A | PTE_D)
  TEST_VA(s6, 5, 0)
  TEST_TRAP(20, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s6))
  TEST_TRAP(21, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s6))
  // W + X without R: also reserved
  MAP_TEST_PAGE(6, s0, PTE_V | PTE_W | PTE_X | PTE_A | PTE_D)
  TEST_VA(s6, 6, 0)
  TEST_TRAP(22, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s6))
  // V = 0 with other bits set
  MAP_TEST_PAGE(7, s0, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
  TEST_VA(s6, 7, 0)
  TEST_TRAP(23, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s6))
  // a non-leaf PTE at the last level (R = W = X = 0, V = 1)
  MAP_TEST_PAGE(8, s0, PTE_V)
  TEST_VA(s6, 8, 0)
  TEST_TRAP(24, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s6))
  // reserved PTE bits 63:54 set: page fault
  MAKE_PTE(t1, s0, LEAF_FLAGS)
  li t2, 1 << 54
  or t1, t1, t2
  STORE_PTE(pt_l0, 9, t1)
  sfence.vma
  TEST_VA(s6, 9, 0)
  TEST_TRAP(25, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s6))
  // non-canonical addresses (bits 63:39 must equal bit 38)
  li s7, 0x0000008000000000
  TEST_TRAP(26, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s7))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s7)
  li s7, 0xffff7fffc0000000
  TEST_TRAP(27, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s7))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s7)
  // an upper-half address: root entry 511 -> 1 GiB leaf onto RAM
  li t1, RAM_BASE
  MAKE_PTE(t2, t1, LEAF_FLAGS)
  STORE_PTE(pt_root, 511, t2)
  sfence.vma
  TEST_CASE(28, a0, 0xbbbb0000, li a1, 0xffffffffc0000000 - RAM_BASE; add a1, a1, s1; lwu a0, 0(a1))
  // 2 MiB megapage: level-1 entry 1 of the window -> the 2 MiB RAM block
  // that holds page_a (VA window + 2 MiB + offset within the block)
  li t2, ~0x1fffff
  and s8, s0, t2                                   // 2 MiB-aligned base
  MAKE_PTE(t1, s8, LEAF_FLAGS)
  STORE_PTE(pt_l1, 1, t1)
  sfence.vma
  TEST_CASE(29, a0, 0xaaaa0000, li t2, 0x1fffff; and a1, s0, t2; li t2, TEST_WINDOW + 0x200000; add a1, a1, t2; lwu a0, 0(a1))
  // a megapage at the end of the level-1 table (VPN[1] = 511)
  STORE_PTE(pt_l1, 511, t1)
  sfence.vma
  TEST_CASE(30, a0, 0xbbbb0000, li t2, 0x1fffff; and a1, s1, t2; li t2, TEST_WINDOW + 511 * 0x200000; add a1, a1, t2; lwu a0, 0(a1))
  // misaligned superpages: PPN[0] != 0 in a megapage, PPN[1] != 0 in a gigapage
  addi s9, s8, 0                                   // base + 4 KiB
  li t2, 0x1000
  add s9, s8, t2
  MAKE_PTE(t1, s9, LEAF_FLAGS)
  STORE_PTE(pt_l1, 2, t1)
  sfence.vma
  li s10, TEST_WINDOW + 2 * 0x200000
  TEST_TRAP(31, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s10))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s10)
  li t1, RAM_BASE + 0x200000
  MAKE_PTE(t2, t1, LEAF_FLAGS)
  STORE_PTE(pt_root, 4, t2)
  sfence.vma
  li s10, 4 * 0x40000000
  TEST_TRAP(32, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s10))
  TEST_TRAP(33, CAUSE_STORE_PAGE_FAULT, sd a0, 8(s10))
  // a leaf pointing at physical memory that does not exist: access fault
  li t1, UNMAPPED_ADDRESS
  MAP_TEST_PAGE(10, t1, LEAF_FLAGS)
  TEST_VA(s6, 10, 0x18)
  TEST_TRAP(34, CAUSE_LOAD_ACCESS, ld a0, 0(s6))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s6)
  // bare mode again: VA == PA for everything
  csrw satp, zero
  sfence.vma
  TEST_CASE(35, a0, 0xaaaa0000, lwu a0, 0(s0))
  TEST_CASE(36, a0, 0, csrr a0, satp)
TEST_END
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .word 0xaaaa0000
  .skip 0xff8 - 4
  .word 0xaaaa0ff8
  .skip 4
page_b: .word 0xbbbb0000
  .skip 4092
code_page:
  li a0, 42
  ret
  .balign 4096
