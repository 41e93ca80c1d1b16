// PMP TOR regions: entry i covers [pmpaddr(i-1), pmpaddr(i)) (entry 0 from
// 0). R/W/X are enforced for S and U, not for M without L. An access that
// only partly overlaps the highest-priority matching entry fails. Faults are
// access faults (1/5/7) with mtval = the address.
#include "test_macros.h"
#include "pmp.h"
TEST_BEGIN_M
  PMP_RESET
  la s0, region                         // 4 KiB, page aligned
  li s1, 0x100
  add s2, s0, s1                        // TOR region: [s0 + 0x100, s0 + 0x200)
  addi s3, s2, 0x100
  srli t1, s2, 2
  csrw pmpaddr0, t1
  srli t1, s3, 2
  csrw pmpaddr1, t1
  PMP_SET_CFG(1, PMP_TOR | PMP_R)       // read-only for S/U
  // and region + 0x200 .. +0x300: TOR with no permissions (entry 3, base entry 2)
  addi s4, s3, 0x100
  srli t1, s3, 2
  csrw pmpaddr2, t1
  srli t1, s4, 2
  csrw pmpaddr3, t1
  PMP_SET_CFG(3, PMP_TOR)
  TEST_CASE(2, a0, 0, srli a1, s3, 2; csrr a2, pmpaddr1; sub a0, a1, a2)
  TEST_CASE(3, a0, (PMP_TOR | PMP_R) << 8 | (PMP_TOR << 24), csrr a1, pmpcfg0; li a2, 0xffffffff; and a0, a1, a2)
  // M-mode ignores the permissions
  TEST_CASE(4, a0, 0x55, li a1, 0x55; sd a1, 0(s2); ld a0, 0(s2))
  TEST_CASE(5, a0, 0x66, li a1, 0x66; sd a1, 0(s3); ld a0, 0(s3))
  ENTER_MODE_FROM_M(PRV_U, in_u)
in_u:
  TEST_CASE(6, a0, 0x55, ld a0, 0(s2))
  TEST_CASE(7, a0, 0x00, lbu a0, 0xff(s2))                 // last byte of the region
  TEST_TRAP(8, CAUSE_STORE_ACCESS, sd a0, 0(s2))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s2)
  TEST_TRAP(9, CAUSE_STORE_ACCESS, sb a0, 0xff(s2))
  TEST_TRAP(10, CAUSE_STORE_ACCESS, amoswap.d a0, a0, (s2))
  // execute permission missing: fetch fault, mepc = mtval = the target
test_11:
  li TESTNUM, 11
  EXPECT_TRAP(1f)
  jr s2
  j fail
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_ACCESS)
  CHECK_TRAP_FIELD_REG(TS_TVAL, s2)
  CHECK_TRAP_FIELD_REG(TS_EPC, s2)
  // just below and above the region: the catch-all entry
  TEST_CASE(12, a0, 0x77, li a1, 0x77; sb a1, -1(s2); lbu a0, -1(s2))
  // no permissions at all in entry 3
  TEST_TRAP(13, CAUSE_LOAD_ACCESS, ld a0, 0(s3))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s3)
  TEST_TRAP(14, CAUSE_STORE_ACCESS, sw a0, 8(s3))
  TEST_CASE(15, a0, 0, ld a0, 0(s4))                      // after entry 3
  // an access straddling the end of the read-only region: partial match fails
  addi s5, s2, 0xfc
  TEST_TRAP(16, CAUSE_LOAD_ACCESS, ld a0, 0(s5))
  // straddling the start (from the catch-all area into entry 1)
  addi s5, s2, -4
  TEST_TRAP(17, CAUSE_LOAD_ACCESS, ld a0, 0(s5))
  li TESTNUM, 18
  ECALL_TO_MODE(PRV_M, back_in_m)
back_in_m:
  // pmpaddr(i-1) >= pmpaddr(i): the TOR entry matches nothing
  srli t1, s3, 2
  csrw pmpaddr0, t1
  srli t1, s2, 2
  csrw pmpaddr1, t1
  sfence.vma
  ENTER_MODE_FROM_M(PRV_U, in_u2)
in_u2:
  TEST_CASE(19, a0, 0x12, li a1, 0x12; sd a1, 0(s2); ld a0, 0(s2))
  // S-mode is restricted like U
  li TESTNUM, 20
  ECALL_TO_MODE(PRV_M, 1f)
1:
  srli t1, s2, 2
  csrw pmpaddr0, t1
  srli t1, s3, 2
  csrw pmpaddr1, t1
  sfence.vma
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  TEST_CASE(21, a0, 0x12, ld a0, 0(s2))
  TEST_TRAP(22, CAUSE_STORE_ACCESS, sd a0, 0(s2))
  li TESTNUM, 23
  ECALL_TO_MODE(PRV_M, 1f)
1:
  // entry 0 in TOR mode starts at address 0: [0, pmpaddr0)
  PMP_RESET
  srli t1, s0, 2
  csrw pmpaddr0, t1
  PMP_SET_CFG(0, PMP_TOR | PMP_R | PMP_X)   // everything below `region` (code included)
  ENTER_MODE_FROM_M(PRV_U, in_u3)
in_u3:
  TEST_CASE(24, a0, 0x34, lbu a0, -1(s0); li a0, 0x34)
  TEST_TRAP(25, CAUSE_STORE_ACCESS, sb a0, -1(s0))
  TEST_CASE(26, a0, 0x35, li a1, 0x35; sb a1, 0(s0); lbu a0, 0(s0))   // `region` itself: catch-all
  li TESTNUM, 27
  ECALL_TO_MODE(PRV_M, 1f)
1:
  PMP_RESET
TEST_END

  .data
  .balign 4096
region: .skip 4096
