// PMP NAPOT and NA4 regions, priority of lower-numbered entries, and the
// default for S/U when PMP entries exist but none matches (fail) versus M
// (succeed).
#include "test_macros.h"
#include "pmp.h"
TEST_BEGIN_M
  PMP_RESET
  la s0, region                              // 8 KiB, 8 KiB aligned
  // entry 0: NAPOT 64 bytes at region + 0x40, R only
  addi s1, s0, 0x40
  PMP_NAPOT_ADDR(t1, s1, 64)
  csrw pmpaddr0, t1
  PMP_SET_CFG(0, PMP_NAPOT | PMP_R)
  // entry 1: NA4 at region + 0x100, no permissions
  addi s2, s0, 0x100
  srli t1, s2, 2
  csrw pmpaddr1, t1
  PMP_SET_CFG(1, PMP_NA4)
  // entry 2: NAPOT 8 bytes (the smallest NAPOT) at region + 0x200, W+R
  addi s3, s0, 0x200
  PMP_NAPOT_ADDR(t1, s3, 8)
  csrw pmpaddr2, t1
  PMP_SET_CFG(2, PMP_NAPOT | PMP_R | PMP_W)
  // entry 3: NAPOT 4 KiB at region + 0x1000, no permissions; entry 4: NAPOT
  // 8 KiB over the whole region, RW: entry 3 wins inside its 4 KiB
  li t1, 0x1000
  add s4, s0, t1
  PMP_NAPOT_ADDR(t1, s4, 4096)
  csrw pmpaddr3, t1
  PMP_SET_CFG(3, PMP_NAPOT)
  PMP_NAPOT_ADDR(t1, s0, 8192)
  csrw pmpaddr4, t1
  PMP_SET_CFG(4, PMP_NAPOT | PMP_R | PMP_W)
  // the NAPOT encoding reads back as written (QEMU: granularity 4 bytes)
  TEST_CASE(2, a0, 0, srli a1, s1, 2; ori a1, a1, 7; csrr a2, pmpaddr0; sub a0, a1, a2)
  TEST_CASE(3, a0, 0, srli a1, s0, 2; li a3, 0x3ff; or a1, a1, a3; csrr a2, pmpaddr4; sub a0, a1, a2)
  ENTER_MODE_FROM_M(PRV_U, in_u)
in_u:
  // entry 0
  TEST_CASE(4, a0, 0, ld a0, 0(s1); ld a0, 56(s1); li a0, 0)
  TEST_TRAP(5, CAUSE_STORE_ACCESS, sd a0, 0(s1))
  TEST_TRAP(6, CAUSE_STORE_ACCESS, sb a0, 63(s1))
  TEST_CASE(7, a0, 0x11, li a1, 0x11; sb a1, 64(s1); lbu a0, 64(s1))  // just past it: entry 4
  TEST_CASE(8, a0, 0x12, li a1, 0x12; sb a1, -1(s1); lbu a0, -1(s1))  // just before it
  // entry 1 (NA4): each of the 4 bytes, and the neighbours
  TEST_TRAP(9,  CAUSE_LOAD_ACCESS, lb a0, 0(s2))
  TEST_TRAP(10, CAUSE_LOAD_ACCESS, lb a0, 3(s2))
  TEST_TRAP(11, CAUSE_STORE_ACCESS, sb a0, 2(s2))
  TEST_CASE(12, a0, 0, lb a0, 4(s2); lb a0, -1(s2); li a0, 0)
  addi s5, s2, 3
  TEST_TRAP(13, CAUSE_LOAD_ACCESS, lh a0, 0(s5))       // straddles the NA4 end
  CHECK_TRAP_FIELD_REG(TS_TVAL, s5)
  // entry 2: 8 bytes read/write, no execute
  TEST_CASE(14, a0, 0x1234, li a1, 0x1234; sd a1, 0(s3); ld a0, 0(s3))
test_15:
  li TESTNUM, 15
  EXPECT_TRAP(1f)
  jr s3
  j fail
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_ACCESS)
  // entries 3 and 4: lower number wins
  TEST_TRAP(16, CAUSE_LOAD_ACCESS, ld a0, 0(s4))
  TEST_CASE(17, a0, 0x13, li a1, 0x13; sb a1, 0x400(s0); lbu a0, 0x400(s0))
  li TESTNUM, 18
  ECALL_TO_MODE(PRV_M, 1f)
1:
  // M-mode: everything accessible (no L bits)
  TEST_CASE(19, a0, 0x14, li a1, 0x14; sb a1, 0(s2); sb a1, 0(s4); sb a1, 0(s1); lbu a0, 0(s4))
  // no catch-all: S/U accesses that match no entry fail, M ones succeed.
  // Keep code, data and the trap state reachable with a TOR entry over the
  // image below `region` (entry 5, from pmpaddr4 = 0) and one above it
  // (entry 7, from pmpaddr6 = region_end).
  PMP_SET_CFG(4, PMP_OFF)
  csrw pmpaddr4, zero                         // base of TOR entry 5
  la t1, region_end
  srli t1, t1, 2
  csrw pmpaddr6, t1
  li t1, -1
  csrw pmpaddr7, t1
  PMP_SET_CFG(7, PMP_TOR | PMP_R | PMP_W | PMP_X)
  srli t1, s0, 2
  csrw pmpaddr5, t1
  PMP_SET_CFG(5, PMP_TOR | PMP_R | PMP_W | PMP_X)
  csrw pmpcfg2, zero                          // entry 15 (catch-all) off
  sfence.vma
  TEST_CASE(20, a0, 0x15, li a1, 0x15; sb a1, 0x400(s0); lbu a0, 0x400(s0))   // M: fine
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  TEST_TRAP(21, CAUSE_LOAD_ACCESS, lbu a0, 0x400(s0))
  TEST_TRAP(22, CAUSE_STORE_ACCESS, sb a0, 0x400(s0))
  TEST_CASE(23, a0, 0, ld a0, 0(s1); li a0, 0)             // entry 0 still applies
  li TESTNUM, 24
  ECALL_TO_MODE(PRV_M, 1f)
1:
  PMP_RESET
TEST_END

  .data
  .balign 8192
region: .skip 8192
region_end:
