// Illegal instructions trap with cause 2 and mtval = the instruction bits
// (QEMU behaviour; privileged spec 3.1.16 allows this or 0): reserved
// opcodes, reserved fields in RV64I shifts, privileged instructions in lower
// modes, and the all-zero / all-one words.
#include "test_macros.h"
#define ILLEGAL(n, bits) TEST_TRAP_TVAL(n, CAUSE_ILLEGAL_INSTRUCTION, bits, .word bits)
TEST_BEGIN_M
  ILLEGAL(2, 0xffffffff)
  TEST_TRAP(3, CAUSE_ILLEGAL_INSTRUCTION, .word 0x00000000)
  ILLEGAL(4, 0x0205151b)           // slliw a0, a0, 32 (shamt[5] set: reserved)
  ILLEGAL(5, 0x0205551b)           // srliw a0, a0, 32
  ILLEGAL(6, 0x4205551b)           // sraiw a0, a0, 32
  ILLEGAL(7, 0x80051513)           // slli with funct6 = 0x20
  ILLEGAL(8, 0x0000007b)           // custom-3 / reserved major opcode 0x7b (rv128)
  ILLEGAL(9, 0x0000005b)           // reserved major opcode (custom-2)
  ILLEGAL(10, 0x0000002b)          // custom-1
  ILLEGAL(11, 0x00b5053b | (1 << 26)) // addw with funct7 bit 1 (reserved)
  ILLEGAL(12, 0x00007003)          // load with funct3 = 7 (reserved)
  ILLEGAL(13, 0x00007023)          // store with funct3 = 7 (reserved)
  ILLEGAL(14, 0x00002063)          // branch with funct3 = 2 (reserved)
  ILLEGAL(15, 0x00001067)          // jalr with funct3 = 1 (reserved)
  ILLEGAL(16, 0x0020a02f | (0x1f << 27)) // AMO with reserved funct5
  ILLEGAL(17, 0x00b5253b)          // OP-32 funct7 = 0, funct3 = 2 (reserved)
  ILLEGAL(19, 0x10500073 | (1 << 7))  // wfi with rd != 0 (reserved)
  ILLEGAL(20, 0x30200073 | (1 << 15)) // mret with rs1 != 0 (reserved)
  ILLEGAL(21, 0x00100073 | (1 << 7))  // ebreak with rd != 0 (reserved)
  // mret/sret/wfi/sfence.vma and M CSRs from U-mode
  ENTER_MODE_FROM_M(PRV_U, in_u)
in_u:
  TEST_TRAP_TVAL(22, CAUSE_ILLEGAL_INSTRUCTION, 0x30200073, mret)
  TEST_TRAP_TVAL(23, CAUSE_ILLEGAL_INSTRUCTION, 0x10200073, sret)
  TEST_TRAP_TVAL(24, CAUSE_ILLEGAL_INSTRUCTION, 0x10500073, wfi)
  TEST_TRAP_TVAL(25, CAUSE_ILLEGAL_INSTRUCTION, 0x12000073, sfence.vma)
  TEST_TRAP_TVAL(26, CAUSE_ILLEGAL_INSTRUCTION, 0x30002573, csrr a0, mstatus)
  TEST_TRAP_TVAL(27, CAUSE_ILLEGAL_INSTRUCTION, 0x10002573, csrr a0, sstatus)
  TEST_TRAP_TVAL(28, CAUSE_ILLEGAL_INSTRUCTION, 0x18002573, csrr a0, satp)
  TEST_TRAP_TVAL(29, CAUSE_ILLEGAL_INSTRUCTION, 0xf1402573, csrr a0, mhartid)
  // from S-mode: mret and M CSRs
  li TESTNUM, 30
  ECALL_TO_MODE(PRV_S, in_s)
in_s:
  TEST_TRAP_TVAL(31, CAUSE_ILLEGAL_INSTRUCTION, 0x30200073, mret)
  TEST_TRAP_TVAL(32, CAUSE_ILLEGAL_INSTRUCTION, 0x34002573, csrr a0, mscratch)
  TEST_TRAP_TVAL(33, CAUSE_ILLEGAL_INSTRUCTION, 0x3a002573, csrr a0, pmpcfg0)
  TEST_TRAP_TVAL(34, CAUSE_ILLEGAL_INSTRUCTION, 0xb0002573, csrr a0, mcycle)
  // S-mode may use sret/sfence.vma/S CSRs
  TEST_CASE(35, a0, 0, csrr a0, sscratch; csrr a1, stvec; sfence.vma; li a0, 0)
  li TESTNUM, 36
  ECALL_TO_MODE(PRV_M, back_in_m)
back_in_m:
TEST_END
