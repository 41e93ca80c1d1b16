// sie/sip are views of mie/mip restricted to the interrupts delegated in
// mideleg (privileged spec 4.1.3): undelegated bits read as zero and ignore
// writes; S can set/clear SSIP itself; STIP and SEIP are read-only in sip.
#include "test_macros.h"
#define S_INTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
TEST_BEGIN_M
  csrw menvcfg, zero
  csrw mideleg, zero
  // nothing delegated: sie/sip show nothing even with mie/mip bits set
  li a1, S_INTS
  csrs mie, a1
  csrs mip, a1
  TEST_CASE(2, a0, 0, csrr a1, sie; csrr a2, sip; or a0, a1, a2)
  TEST_CASE(3, a0, S_INTS, li a1, -1; csrw sie, a1; csrr a1, mie; andi a0, a1, S_INTS)  // writes ignored (mie unchanged)
  csrw mie, zero
  csrc mip, a1
  TEST_CASE(4, a0, 0, li a1, -1; csrw sie, a1; csrr a1, mie; andi a0, a1, S_INTS)
  // delegate all three
  li a1, S_INTS
  csrw mideleg, a1
  TEST_CASE(5, a0, S_INTS, li a1, S_INTS; csrs sie, a1; csrr a2, mie; and a0, a2, a1)
  TEST_CASE(6, a0, S_INTS, csrr a2, sie; li a1, S_INTS | MIP_MSIP | MIP_MTIP | MIP_MEIP; and a0, a2, a1)
  TEST_CASE(7, a0, 0, li a1, S_INTS; csrc sie, a1; csrr a2, mie; and a0, a2, a1)
  // M-level bits never appear in sie
  TEST_CASE(8, a0, 0, li a1, MIP_MSIP | MIP_MTIP; csrs mie, a1; csrr a2, sie; and a0, a2, a1; csrc mie, a1)
  // in S-mode: SSIP is writable through sip, STIP/SEIP are not
  li TESTNUM, 9
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  TEST_CASE(10, a0, MIP_SSIP, li a1, MIP_SSIP; csrs sip, a1; csrr a2, sip; andi a0, a2, S_INTS)
  TEST_CASE(11, a0, 0, li a1, MIP_SSIP; csrc sip, a1; csrr a2, sip; andi a0, a2, S_INTS)
  TEST_CASE(12, a0, 0, li a1, MIP_STIP | MIP_SEIP; csrs sip, a1; csrr a2, sip; andi a0, a2, S_INTS)
  // sie is writable from S for the delegated bits
  TEST_CASE(13, a0, S_INTS, li a1, -1; csrw sie, a1; csrr a2, sie; andi a0, a2, S_INTS; csrw sie, zero)
  // M-level CSRs stay out of reach
  TEST_TRAP(14, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, mip)
  TEST_TRAP(15, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, mideleg)
  li TESTNUM, 16
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  // STIP/SEIP set by M show up in sip
  TEST_CASE(17, a0, MIP_STIP | MIP_SEIP, li a1, MIP_STIP | MIP_SEIP; csrs mip, a1; csrr a2, sip; andi a0, a2, S_INTS; csrc mip, a1)
  csrw mideleg, zero
TEST_END
