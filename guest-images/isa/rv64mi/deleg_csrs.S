// mie/mip/medeleg/mideleg writability from M-mode: MSIE/MTIE/MEIE and the
// S-level enables are writable; in mip only SSIP/STIP/SEIP are (MSIP, MTIP,
// MEIP come from the devices); M-level interrupts cannot be delegated; a
// trap taken in M-mode is never delegated, whatever medeleg says.
#include "test_macros.h"
#include "clint.h"
#define S_INTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define M_INTS (MIP_MSIP | MIP_MTIP | MIP_MEIP)
TEST_BEGIN_M
  MTIMECMP_NEVER
  csrw menvcfg, zero
  TEST_CASE(2, a0, S_INTS | M_INTS, li a1, S_INTS | M_INTS; csrw mie, a1; csrr a2, mie; and a0, a2, a1)
  TEST_CASE(3, a0, 0, csrw mie, zero; csrr a2, mie; li a1, S_INTS | M_INTS; and a0, a2, a1)
  TEST_CASE(4, a0, S_INTS, li a1, S_INTS | M_INTS; csrs mip, a1; csrr a2, mip; and a0, a2, a1)
  TEST_CASE(5, a0, 0, li a1, S_INTS; csrc mip, a1; csrr a2, mip; li a1, S_INTS | M_INTS; and a0, a2, a1)
  // mideleg: S-level bits writable, M-level bits read-only zero
  TEST_CASE(6, a0, S_INTS, li a1, S_INTS | M_INTS; csrs mideleg, a1; csrr a2, mideleg; and a0, a2, a1)
  TEST_CASE(7, a0, 0, li a1, S_INTS; csrc mideleg, a1; csrr a2, mideleg; li a1, S_INTS | M_INTS; and a0, a2, a1)
  // medeleg: the usual S-mode set is writable
#define DELEGABLE ((1 << CAUSE_MISALIGNED_FETCH) | (1 << CAUSE_FETCH_ACCESS) | (1 << CAUSE_ILLEGAL_INSTRUCTION) | \
                   (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_MISALIGNED_LOAD) | (1 << CAUSE_LOAD_ACCESS) | \
                   (1 << CAUSE_MISALIGNED_STORE) | (1 << CAUSE_STORE_ACCESS) | (1 << CAUSE_USER_ECALL) | \
                   (1 << CAUSE_SUPERVISOR_ECALL) | (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | \
                   (1 << CAUSE_STORE_PAGE_FAULT))
  TEST_CASE(8, a0, DELEGABLE, li a1, DELEGABLE; csrw medeleg, a1; csrr a2, medeleg; and a0, a2, a1)
  // with everything delegated, traps in M-mode still go to M
  li a1, -1
  csrw medeleg, a1
  TEST_TRAP(9, CAUSE_ILLEGAL_INSTRUCTION, .word 0)
  CHECK_TRAP_FIELD(TS_MODE, PRV_M)
  TEST_TRAP(10, CAUSE_BREAKPOINT, ebreak)
  CHECK_TRAP_FIELD(TS_MODE, PRV_M)
  TEST_TRAP(11, CAUSE_MACHINE_ECALL, ecall)
  CHECK_TRAP_FIELD(TS_MODE, PRV_M)
  li a1, UNMAPPED_ADDRESS
  TEST_TRAP(12, CAUSE_LOAD_ACCESS, ld a0, 0(a1))
  CHECK_TRAP_FIELD(TS_MODE, PRV_M)
  csrw medeleg, zero
  // with the S interrupts delegated, an S interrupt pending in M-mode is not
  // taken (M-mode ignores interrupts delegated to S): still the 4 traps above
  TEST_CASE(13, a0, 4,
    li a1, S_INTS; csrw mideleg, a1; csrw mie, a1; csrs mip, a1; li a2, MSTATUS_MIE | MSTATUS_SIE; csrs mstatus, a2;
    nop; nop; csrc mstatus, a2; csrc mip, a1; csrw mie, zero; csrw mideleg, zero; LOAD_TRAP(a0, TS_COUNT))
TEST_END
