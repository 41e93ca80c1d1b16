// ecall from M, S and U (causes 11, 9, 8) and ebreak/c.ebreak (cause 3):
// mepc = the instruction, mtval = 0 for ecall; for ebreak mtval is 0 (QEMU)
// or the pc (both allowed by the privileged spec 3.1.16); MPP records the
// mode the trap came from.
#include "test_macros.h"
#define CHECK_TVAL_ZERO_OR_EPC \
  LOAD_TRAP(a3, TS_TVAL); beqz a3, 1f; LOAD_TRAP(a4, TS_EPC); bne a3, a4, fail; 1:
#define CHECK_MPP(mode) \
  LOAD_TRAP(a3, TS_STATUS); srli a3, a3, 11; andi a3, a3, 3; li a4, mode; bne a3, a4, fail
TEST_BEGIN_M
  TEST_TRAP_TVAL(2, CAUSE_MACHINE_ECALL, 0, ecall)
  CHECK_MPP(PRV_M)
  TEST_TRAP(3, CAUSE_BREAKPOINT, ebreak)
  CHECK_TVAL_ZERO_OR_EPC
  CHECK_MPP(PRV_M)
  .option push
  .option rvc
  TEST_TRAP(4, CAUSE_BREAKPOINT, c.ebreak)
  .option pop
  CHECK_TVAL_ZERO_OR_EPC

  // from S-mode
  ENTER_MODE_FROM_M(PRV_S, in_s)
in_s:
  TEST_TRAP_TVAL(5, CAUSE_SUPERVISOR_ECALL, 0, ecall)
  CHECK_MPP(PRV_S)
  TEST_TRAP(6, CAUSE_BREAKPOINT, ebreak)
  CHECK_MPP(PRV_S)
  CHECK_TVAL_ZERO_OR_EPC
  // the handler returned to S: ecall again says so
  TEST_TRAP(7, CAUSE_SUPERVISOR_ECALL, ecall)

  // S -> U through the M handler, then from U
  li TESTNUM, 8
  ECALL_TO_MODE(PRV_U, in_u)
in_u:
  TEST_TRAP_TVAL(9, CAUSE_USER_ECALL, 0, ecall)
  CHECK_MPP(PRV_U)
  TEST_TRAP(10, CAUSE_BREAKPOINT, ebreak)
  CHECK_MPP(PRV_U)
  // back to M
  li TESTNUM, 11
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  TEST_CASE(12, a0, 0, csrr a1, mstatus; li a2, MSTATUS_MPP; and a0, a1, a2)   // mret left MPP = U
TEST_END
