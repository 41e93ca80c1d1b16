// Sv48 translation: four levels, 512 GiB / 1 GiB / 2 MiB / 4 KiB leaves,
// canonical addresses up to bit 47, misaligned superpages fault.
#include "test_macros.h"
#include "vm.h"
TEST_BEGIN_S
  VM_BUILD_SV48
  VM_ENABLE
  TEST_CASE(2, a0, SATP_MODE_SV48, csrr a1, satp; srli a0, a1, 60)
  la s0, page_a
  MAP_TEST_PAGE(0, s0, LEAF_FLAGS)
  MAP_TEST_PAGE(300, s0, LEAF_FLAGS)
  // the same window as Sv39, now one level deeper
  TEST_CASE(3, a0, 0xaaaa0000, TEST_VA(a1, 0, 0); lwu a0, 0(a1))
  TEST_CASE(4, a0, 0xaaaa0000, TEST_VA(a1, 300, 0); lwu a0, 0(a1))
  TEST_CASE(5, a0, 0xaaaa0000, lwu a0, 0(s0))                    // identity gigapage
  // a 512 GiB leaf at root index 1: VA 0x8000000000 + x -> PA x
  li t1, 0
  MAKE_PTE(t2, t1, LEAF_FLAGS)
  STORE_PTE(pt_root, 1, t2)
  sfence.vma
  TEST_CASE(6, a0, 0xaaaa0000, li a1, 0x8000000000; add a1, a1, s0; lwu a0, 0(a1))
  // VA bit 38 set is canonical in Sv48 (it was not in Sv39): root index 0,
  // level-2 index 256 -> a gigapage onto RAM
  li t1, RAM_BASE
  MAKE_PTE(t2, t1, LEAF_FLAGS)
  STORE_PTE(pt_l2, 256, t2)
  sfence.vma
  TEST_CASE(7, a0, 0xaaaa0000, li a1, 0x4000000000 - RAM_BASE; add a1, a1, s0; lwu a0, 0(a1))
  // upper half: root index 511 -> level-2 table pt_spare, entry 511 -> RAM gigapage
  la t1, pt_spare
  MAKE_PTE(t2, t1, PTE_V)
  STORE_PTE(pt_root, 511, t2)
  li t1, RAM_BASE
  MAKE_PTE(t2, t1, LEAF_FLAGS)
  STORE_PTE(pt_spare, 511, t2)
  sfence.vma
  TEST_CASE(8, a0, 0xaaaa0000, li a1, 0xffffffffc0000000 - RAM_BASE; add a1, a1, s0; lwu a0, 0(a1))
  // non-canonical: bit 47 set but bits 63:48 clear, and the reverse
  li s1, 0x0000800000000000
  TEST_TRAP(9, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s1))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s1)
  li s1, 0xffff000000000000
  TEST_TRAP(10, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s1))
  // misaligned 512 GiB leaf (PPN[2] != 0)
  li t1, 0x40000000
  MAKE_PTE(t2, t1, LEAF_FLAGS)
  STORE_PTE(pt_root, 2, t2)
  sfence.vma
  li s2, 0x10000000000
  TEST_TRAP(11, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s2))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s2)
  // misaligned 1 GiB leaf (PPN[1] != 0) at level 2
  li t1, RAM_BASE + 0x200000
  MAKE_PTE(t2, t1, LEAF_FLAGS)
  STORE_PTE(pt_l2, 5, t2)
  sfence.vma
  li s2, 5 * 0x40000000
  TEST_TRAP(12, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s2))
  // misaligned 2 MiB leaf (PPN[0] != 0)
  li t1, RAM_BASE + 0x1000
  MAKE_PTE(t2, t1, LEAF_FLAGS)
  STORE_PTE(pt_l1, 3, t2)
  sfence.vma
  li s2, TEST_WINDOW + 3 * 0x200000
  TEST_TRAP(13, CAUSE_LOAD_PAGE_FAULT, lw a0, 0(s2))
  // an invalid level-3 (root) entry
  li s2, 0x0000030000000000
  TEST_TRAP(14, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s2))
  // the walk ends in a pointer at level 0: fault
  MAP_TEST_PAGE(7, s0, PTE_V)
  TEST_VA(s3, 7, 0)
  TEST_TRAP(15, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s3))
  csrw satp, zero
  sfence.vma
TEST_END
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .word 0xaaaa0000
  .balign 4096
