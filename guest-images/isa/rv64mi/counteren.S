// mcounteren/scounteren gate the user counters (privileged spec 3.1.11,
// 4.1.5): below M, cycle (bit 0), time (bit 1), instret (bit 2) and
// hpmcounterN (bit N) trap as illegal unless enabled in mcounteren, and in
// U-mode also in scounteren. mtval is the instruction.
#include "test_macros.h"
TEST_BEGIN_M
  csrw mcounteren, zero
  li a1, -1
  csrw scounteren, a1
  ENTER_MODE_FROM_M(PRV_S, s_all_off)
s_all_off:
  TEST_TRAP_TVAL(2, CAUSE_ILLEGAL_INSTRUCTION, 0xc0002573, csrr a0, cycle)
  TEST_TRAP_TVAL(3, CAUSE_ILLEGAL_INSTRUCTION, 0xc0102573, csrr a0, time)
  TEST_TRAP_TVAL(4, CAUSE_ILLEGAL_INSTRUCTION, 0xc0202573, csrr a0, instret)
  TEST_TRAP(5, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, hpmcounter3)
  li TESTNUM, 6
  ECALL_TO_MODE(PRV_M, 1f)
1:
  // enable cycle and instret for S only via mcounteren, keep time off
  li a1, 0x5
  csrw mcounteren, a1
  ENTER_MODE_FROM_M(PRV_S, s_some)
s_some:
  TEST_CASE(7, a0, 1, csrr a1, cycle; csrr a2, instret; li a0, 1)
  TEST_TRAP(8, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, time)
  // scounteren is S-mode's own register
  TEST_CASE(9, a0, 0x2, li a1, 0x2; csrw scounteren, a1; csrr a0, scounteren)
  // from U: needs both; cycle is in mcounteren only
  li TESTNUM, 10
  ECALL_TO_MODE(PRV_U, u_some)
u_some:
  TEST_TRAP(11, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, cycle)
  TEST_TRAP(12, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, time)
  TEST_TRAP(13, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, instret)
  li TESTNUM, 14
  ECALL_TO_MODE(PRV_M, 1f)
1:
  // everything on
  li a1, -1
  csrw mcounteren, a1
  csrw scounteren, a1
  ENTER_MODE_FROM_M(PRV_U, u_all)
u_all:
  TEST_CASE(15, a0, 1, csrr a1, cycle; csrr a2, time; csrr a3, instret; csrr a4, hpmcounter3; li a0, 1)
  // the counters are read-only from U as well
  TEST_TRAP(16, CAUSE_ILLEGAL_INSTRUCTION, csrw cycle, zero)
  // scounteren is not accessible from U
  TEST_TRAP(17, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, scounteren)
  li TESTNUM, 18
  ECALL_TO_MODE(PRV_M, 1f)
1:
  // M-mode is never gated
  csrw mcounteren, zero
  TEST_CASE(19, a0, 1, csrr a1, cycle; csrr a2, time; csrr a3, instret; li a0, 1)
  li a1, -1
  csrw mcounteren, a1
TEST_END
