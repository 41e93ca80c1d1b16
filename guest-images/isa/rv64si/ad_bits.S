// Accessed/dirty bits: QEMU (and emu) update them in the PTE (the privileged
// spec 1.12 also allows raising a page fault instead; the tests pin the
// update): a load or fetch sets A, a store sets A and D, an AMO sets both;
// a failed access sets nothing; superpage leaves are updated too.
#include "test_macros.h"
#include "vm.h"
/* reg = pt_l0[index] */
#define LOAD_PTE(reg, index) la reg, pt_l0 + (index) * 8; ld reg, 0(reg)
#define AD_OF(reg) andi reg, reg, PTE_A | PTE_D
TEST_BEGIN_S
  VM_BUILD_SV39
  VM_ENABLE
  la s0, page_a
  la s4, code_page
  MAP_TEST_PAGE(0, s0, PTE_V | PTE_R | PTE_W)
  MAP_TEST_PAGE(1, s0, PTE_V | PTE_R | PTE_W)
  MAP_TEST_PAGE(2, s0, PTE_V | PTE_R | PTE_W)
  MAP_TEST_PAGE(3, s4, PTE_V | PTE_R | PTE_X)
  MAP_TEST_PAGE(4, s0, PTE_V | PTE_R)
  MAP_TEST_PAGE(5, s0, PTE_V | PTE_R | PTE_W | PTE_A)
  TEST_CASE(2, a0, 0, LOAD_PTE(a1, 0); AD_OF(a1); mv a0, a1)
  // load: A only
  TEST_CASE(3, a0, PTE_A, TEST_VA(a2, 0, 0); ld a3, 0(a2); LOAD_PTE(a1, 0); AD_OF(a1); mv a0, a1)
  // then store: A and D
  TEST_CASE(4, a0, PTE_A | PTE_D, TEST_VA(a2, 0, 0); sd a3, 8(a2); LOAD_PTE(a1, 0); AD_OF(a1); mv a0, a1)
  // a store to a fresh page sets both at once
  TEST_CASE(5, a0, PTE_A | PTE_D, TEST_VA(a2, 1, 0); sd a3, 16(a2); LOAD_PTE(a1, 1); AD_OF(a1); mv a0, a1)
  // an AMO sets both
  TEST_CASE(6, a0, PTE_A | PTE_D, TEST_VA(a2, 2, 0); amoadd.d a3, zero, (a2); LOAD_PTE(a1, 2); AD_OF(a1); mv a0, a1)
  // an instruction fetch sets A
  TEST_CASE(7, a0, PTE_A, TEST_VA(a2, 3, 0); jalr a2; LOAD_PTE(a1, 3); AD_OF(a1); mv a0, a1)
  // a store to a read-only page faults and leaves A/D clear
  TEST_VA(s5, 4, 0)
  TEST_TRAP(8, CAUSE_STORE_PAGE_FAULT, sd a3, 0(s5))
  TEST_CASE(9, a0, 0, LOAD_PTE(a1, 4); AD_OF(a1); mv a0, a1)
  // A already set, store: D added, other bits untouched
  TEST_CASE(10, a0, 0, TEST_VA(a2, 5, 0); LOAD_PTE(a4, 5); sd a3, 0(a2); LOAD_PTE(a1, 5); xor a0, a1, a4; li a5, ~PTE_D; and a0, a0, a5)
  TEST_CASE(11, a0, PTE_A | PTE_D, LOAD_PTE(a1, 5); AD_OF(a1); mv a0, a1)
  // a 2 MiB leaf gets its A/D bits too
  li t2, ~0x1fffff
  and s8, s0, t2
  MAKE_PTE(t1, s8, PTE_V | PTE_R | PTE_W)
  STORE_PTE(pt_l1, 1, t1)
  sfence.vma
  TEST_CASE(12, a0, PTE_A | PTE_D,
    li t2, 0x1fffff; and a2, s0, t2; li t2, TEST_WINDOW + 0x200000; add a2, a2, t2; sd a3, 24(a2);
    la a1, pt_l1 + 8; ld a1, 0(a1); AD_OF(a1); mv a0, a1)
  // non-leaf PTEs are not given A/D bits
  TEST_CASE(13, a0, 0, la a1, pt_l1; ld a1, 0(a1); AD_OF(a1); mv a0, a1)
TEST_END
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .skip 4096
code_page:
  ret
  .balign 4096
