// sfence.vma orders PTE updates before later translations (privileged spec
// 4.2.1): after changing a PTE (all forms: global, by address, by ASID, by
// both) and fencing, the new mapping is used; switching satp to another
// root changes the address space.
#include "test_macros.h"
#include "vm.h"
TEST_BEGIN_S
  VM_BUILD_SV39
  mv s9, a0
  VM_ENABLE
  la s0, page_a
  la s1, page_b
  TEST_VA(s2, 0, 0)
  MAP_TEST_PAGE(0, s0, LEAF_FLAGS)
  TEST_CASE(2, a0, 0xaaaa, lwu a0, 0(s2))
  // remap to page_b, sfence.vma x0, x0
  TEST_CASE(3, a0, 0xbbbb, MAKE_PTE(t1, s1, LEAF_FLAGS); STORE_PTE(pt_l0, 0, t1); sfence.vma; lwu a0, 0(s2))
  // back to page_a, fence by address
  TEST_CASE(4, a0, 0xaaaa, MAKE_PTE(t1, s0, LEAF_FLAGS); STORE_PTE(pt_l0, 0, t1); sfence.vma s2, zero; lwu a0, 0(s2))
  // by ASID (the current one, 0)
  TEST_CASE(5, a0, 0xbbbb, MAKE_PTE(t1, s1, LEAF_FLAGS); STORE_PTE(pt_l0, 0, t1); sfence.vma zero, zero; li a1, 0; sfence.vma zero, a1; lwu a0, 0(s2))
  // by address and ASID
  TEST_CASE(6, a0, 0xaaaa, MAKE_PTE(t1, s0, LEAF_FLAGS); STORE_PTE(pt_l0, 0, t1); li a1, 0; sfence.vma s2, a1; lwu a0, 0(s2))
  // invalidating the PTE makes the page fault
  TEST_CASE(7, a0, 0, STORE_PTE(pt_l0, 0, zero); sfence.vma s2, zero; li a0, 0)
  TEST_TRAP(8, CAUSE_LOAD_PAGE_FAULT, lwu a0, 0(s2))
  // a page that faulted becomes usable once mapped and fenced
  TEST_CASE(9, a0, 0xbbbb, MAKE_PTE(t1, s1, LEAF_FLAGS); STORE_PTE(pt_l0, 0, t1); sfence.vma s2, zero; lwu a0, 0(s2))
  // permission upgrade: read-only -> writable
  MAP_TEST_PAGE(1, s0, PTE_V | PTE_R | PTE_A | PTE_D)
  TEST_VA(s3, 1, 0)
  TEST_TRAP(10, CAUSE_STORE_PAGE_FAULT, sw a0, 4(s3))
  TEST_CASE(11, a0, 0x99, MAKE_PTE(t1, s0, LEAF_FLAGS); STORE_PTE(pt_l0, 1, t1); sfence.vma s3, zero; li a1, 0x99; sw a1, 4(s3); lwu a0, 4(s3))
  // a fence by another address has no effect on this one's new mapping
  // being visible after a full fence
  TEST_CASE(12, a0, 0xaaaa, MAKE_PTE(t1, s0, LEAF_FLAGS); STORE_PTE(pt_l0, 0, t1); sfence.vma s3, zero; sfence.vma; lwu a0, 0(s2))
  // a second address space: copy of the root whose window points elsewhere
  la a1, pt_root
  la a2, pt_spare
  li a3, 512
1:
  ld a4, 0(a1)
  sd a4, 0(a2)
  addi a1, a1, 8
  addi a2, a2, 8
  addi a3, a3, -1
  bnez a3, 1b
  // window gigapage of the second space: 1 GiB leaf onto RAM
  li t1, RAM_BASE
  MAKE_PTE(t2, t1, LEAF_FLAGS)
  STORE_PTE(pt_spare, 1, t2)
  la a1, pt_spare
  srli a1, a1, PAGE_SHIFT
  li t0, SATP_SV39 | (1 << 44)                     // ASID 1
  or s10, a1, t0
  csrw satp, s10
  sfence.vma
  // TEST_WINDOW + (page_b - RAM_BASE) is page_b in the new space
  TEST_CASE(13, a0, 0xbbbb, li a1, TEST_WINDOW - RAM_BASE; add a1, a1, s1; lwu a0, 0(a1))
  csrw satp, s9
  sfence.vma
  TEST_CASE(15, a0, 0xaaaa, lwu a0, 0(s2))
  csrw satp, zero
  sfence.vma
TEST_END
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .word 0xaaaa
  .balign 4096
page_b: .word 0xbbbb
  .balign 4096
