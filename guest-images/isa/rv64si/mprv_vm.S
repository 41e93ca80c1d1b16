// mstatus.MPRV with translation on: M-mode loads and stores are translated
// and checked with the privilege in MPP (U or S, honouring SUM and MXR);
// instruction fetches stay untranslated; MPP = M means no translation.
// MPRV is switched on only around the access under test: with it on, the
// test's own accesses to trap_state would be translated too (and every trap
// into M followed by mret leaves MPP = U).
#include "test_macros.h"
#include "vm.h"
/* MPP = mpp, MPRV = 1 for `insn`, then MPRV = 0 (clobbers t0) */
#define WITH_MPRV(mpp, extra, insn...)                       \
  li t0, MSTATUS_MPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV; csrc mstatus, t0; \
  li t0, ((mpp) << 11) | (extra); csrs mstatus, t0;        \
  li t0, MSTATUS_MPRV; csrs mstatus, t0;                   \
  insn;                                                    \
  li t0, MSTATUS_MPRV; csrc mstatus, t0
/* case n: `insn` under MPRV must trap with `cause`, tval = tval_reg */
#define MPRV_TRAP(n, cause, tval_reg, mpp, extra, insn...)   \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  EXPECT_TRAP(98f);                                        \
  WITH_MPRV(mpp, extra, insn);                             \
  j fail;                                                  \
98:                                                        \
  li t0, MSTATUS_MPRV; csrc mstatus, t0;                   \
  CHECK_TRAP_FIELD(TS_CAUSE, cause);                       \
  CHECK_TRAP_FIELD_REG(TS_TVAL, tval_reg)
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
  // MPP = S
  TEST_CASE(3, a0, 0x5a5a, WITH_MPRV(PRV_S, 0, ld a0, 0(s1)))
  TEST_CASE(4, a0, 0x66, li a1, 0x66; WITH_MPRV(PRV_S, 0, sd a1, 8(s1)); ld a0, 8(s0))
  MPRV_TRAP(5, CAUSE_LOAD_PAGE_FAULT, s2, PRV_S, 0, ld a0, 0(s2))     // U page, SUM = 0
  TEST_CASE(6, a0, 0x5a5a, WITH_MPRV(PRV_S, MSTATUS_SUM, ld a0, 0(s2)))
  MPRV_TRAP(7, CAUSE_LOAD_PAGE_FAULT, s3, PRV_S, 0, ld a0, 0(s3))     // execute-only, MXR = 0
  TEST_CASE(8, a0, 0x5a5a, WITH_MPRV(PRV_S, MSTATUS_MXR, ld a0, 0(s3)))
  // MPP = U: the S page is out of reach, the U page is fine
  TEST_CASE(9, a0, 0x5a5a, WITH_MPRV(PRV_U, 0, ld a0, 0(s2)))
  MPRV_TRAP(10, CAUSE_STORE_PAGE_FAULT, s1, PRV_U, 0, sd a0, 0(s1))
  // fetches are not translated: a jump with MPRV on still runs at the PA
  TEST_CASE(11, a0, 0x5a5a, WITH_MPRV(PRV_U, 0, jal ra, 1f; j 2f; 1: ret; 2: ld a0, 0(s2)))
  // MPP = M: no translation (page_a by its physical address)
  TEST_CASE(12, a0, 0x5a5a, WITH_MPRV(PRV_M, 0, ld a0, 0(s0)))
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  csrw satp, zero
  sfence.vma
TEST_END
VM_SUPPORT_CODE
  .data
  .balign 4096
page_a: .dword 0x5a5a
  .balign 4096
