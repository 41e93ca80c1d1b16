// satp writes (privileged spec 4.1.11): an unsupported MODE makes the whole
// write have no effect; Bare, Sv39 and Sv48 are supported. Sv57: emu does
// not implement it (the write is ignored), QEMU 7.2 does (its device tree
// still says sv48). The test accepts both, but checks that the outcome is
// consistent: if satp reads back Sv57, a 5-level walk must work.
// ASID bits hold some implementation-defined subset of what was written.
#include "test_macros.h"
#include "vm.h"
TEST_BEGIN_S
  VM_BUILD_SV48
  mv s0, a0                                         // Sv48 satp value
  VM_ENABLE
  // unsupported modes: no effect at all (PPN unchanged too)
  TEST_CASE(2, a0, 0, li a1, 1 << 60; csrw satp, a1; csrr a2, satp; sub a0, a2, s0)
  TEST_CASE(3, a0, 0, li a1, 7 << 60; csrw satp, a1; csrr a2, satp; sub a0, a2, s0)
  TEST_CASE(4, a0, 0, li a1, 11 << 60 | 0x1234; csrw satp, a1; csrr a2, satp; sub a0, a2, s0)
  TEST_CASE(5, a0, 0, li a1, -1; csrw satp, a1; csrr a2, satp; sub a0, a2, s0)
  // ASID: only bits that were written can read back
  TEST_CASE(6, a0, 0,
    li a1, 0xffff << 44; or a1, a1, s0; csrw satp, a1; csrr a2, satp; srli a3, a2, 44; li a4, 0xffff; and a3, a3, a4;
    li a4, ~(0xffff << 44); and a2, a2, a4; sub a0, a2, s0)
  csrw satp, s0
  sfence.vma
  la s1, page_a
  // level 4: pt_spare[0] and pt_spare[1] both -> the Sv48 root
  la t1, pt_root
  MAKE_PTE(t2, t1, PTE_V)
  STORE_PTE(pt_spare, 0, t2)
  STORE_PTE(pt_spare, 1, t2)
  la a1, pt_spare
  srli a1, a1, PAGE_SHIFT
  li t0, SATP_SV57
  or s2, a1, t0                                    // Sv57 satp value
  csrw satp, s2
  sfence.vma
  csrr s3, satp
  // either unchanged or exactly the Sv57 value
  TEST_CASE(7, a0, 1, xor a1, s3, s0; seqz a2, a1; xor a1, s3, s2; seqz a3, a1; or a0, a2, a3)
  // low addresses translate the same either way
  TEST_CASE(8, a0, 0xaaaa0000, lwu a0, 0(s1))
  // VA 2^48 + page_a: canonical and mapped only under Sv57
  li s4, 0x0001000000000000
  add s4, s4, s1
  bne s3, s2, no_sv57
  TEST_CASE(9, a0, 0xaaaa0000, lwu a0, 0(s4))
  j sv57_done
no_sv57:
  TEST_TRAP(10, CAUSE_LOAD_PAGE_FAULT, lwu a0, 0(s4))
sv57_done:
  // back to Bare
  TEST_CASE(11, a0, 0, csrw satp, zero; sfence.vma; csrr a0, satp)
  TEST_CASE(12, a0, 0xaaaa0000, lwu a0, 0(s1))
TEST_END
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .word 0xaaaa0000
  .balign 4096
