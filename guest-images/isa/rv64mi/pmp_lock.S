// Locked PMP entries (L bit): the permissions apply to M-mode too, the
// entry's pmpcfg byte and pmpaddr ignore writes, and a locked TOR entry also
// locks the pmpaddr below it. Locks last until reset, so this test locks
// only its own data.
#include "test_macros.h"
#include "pmp.h"
TEST_BEGIN_M
  PMP_RESET
  la s0, locked_data
  // entry 0: 64 bytes read-only for everyone
  PMP_NAPOT_ADDR(t1, s0, 64)
  csrw pmpaddr0, t1
  PMP_SET_CFG(0, PMP_L | PMP_NAPOT | PMP_R)
  // entry 1: 64 bytes at +0x200, read/write but not executable, for everyone
  addi s1, s0, 0x200
  PMP_NAPOT_ADDR(t1, s1, 64)
  csrw pmpaddr1, t1
  PMP_SET_CFG(1, PMP_L | PMP_NAPOT | PMP_R | PMP_W)
  // entries 2+3: TOR over [+0x400, +0x500), locked, no permissions
  addi s2, s0, 0x400
  addi s3, s0, 0x500
  srli t1, s2, 2
  csrw pmpaddr2, t1
  srli t1, s3, 2
  csrw pmpaddr3, t1
  PMP_SET_CFG(3, PMP_L | PMP_TOR)
  // M-mode now obeys them
  TEST_CASE(2, a0, 0x1111111111111111, ld a0, 0(s0))
  TEST_TRAP(3, CAUSE_STORE_ACCESS, sd a0, 0(s0))
  CHECK_TRAP_FIELD_REG(TS_TVAL, s0)
  TEST_TRAP(4, CAUSE_STORE_ACCESS, amoadd.w a0, a0, (s0))
  TEST_CASE(5, a0, 0x1111111111111111, ld a0, 0(s0))    // unchanged
  TEST_CASE(6, a0, 0x42, li a1, 0x42; sd a1, 0(s1); ld a0, 0(s1))
test_7:
  li TESTNUM, 7
  EXPECT_TRAP(1f)
  jr s1
  j fail
1:
  CHECK_TRAP_FIELD(TS_CAUSE, CAUSE_FETCH_ACCESS)
  CHECK_TRAP_FIELD_REG(TS_EPC, s1)
  TEST_TRAP(8, CAUSE_LOAD_ACCESS, ld a0, 0(s2))
  TEST_TRAP(9, CAUSE_STORE_ACCESS, sd a0, 0xf8(s2))
  TEST_CASE(10, a0, 0, ld a0, 0(s3))                    // just past the TOR region
  // locked configuration cannot be changed
  TEST_CASE(11, a0, PMP_L | PMP_NAPOT | PMP_R, PMP_SET_CFG(0, PMP_NAPOT | PMP_R | PMP_W | PMP_X); csrr a1, pmpcfg0; andi a0, a1, 0xff)
  TEST_CASE(12, a0, 0, csrr a1, pmpaddr0; csrw pmpaddr0, zero; csrr a2, pmpaddr0; sub a0, a1, a2)
  TEST_CASE(13, a0, 0, csrr a1, pmpaddr3; csrw pmpaddr3, zero; csrr a2, pmpaddr3; sub a0, a1, a2)
  // the TOR base (pmpaddr2) is locked through entry 3
  TEST_CASE(14, a0, 0, csrr a1, pmpaddr2; csrw pmpaddr2, zero; csrr a2, pmpaddr2; sub a0, a1, a2)
  TEST_TRAP(15, CAUSE_STORE_ACCESS, sd a0, 0(s0))        // still enforced
  // unlocked entries stay writable
  TEST_CASE(16, a0, 0x1234, li a1, 0x1234; csrw pmpaddr4, a1; csrr a0, pmpaddr4; csrw pmpaddr4, zero)
  // U-mode sees the same permissions
  ENTER_MODE_FROM_M(PRV_U, in_u)
in_u:
  TEST_CASE(17, a0, 0x1111111111111111, ld a0, 0(s0))
  TEST_TRAP(18, CAUSE_STORE_ACCESS, sd a0, 8(s0))
  TEST_TRAP(19, CAUSE_LOAD_ACCESS, lw a0, 4(s2))
  li TESTNUM, 20
  ECALL_TO_MODE(PRV_M, 1f)
1:
TEST_END

  .data
  .balign 4096
locked_data:
  .dword 0x1111111111111111
  .skip 4096 - 8
