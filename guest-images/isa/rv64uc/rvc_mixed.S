// Mixed 16/32-bit streams: 32-bit instructions at 2 mod 4 addresses,
// a 32-bit instruction straddling a 4 KiB page boundary, auipc/jal link
// values after compressed code, c.ebreak, and illegal compressed encodings
// (all-zero halfword, reserved c.addi4spn/c.lui/c.addi16sp/c.jr forms);
// tval for an illegal compressed instruction is its 16 bits.
#include "test_macros.h"
TEST_BEGIN_U
  .option rvc
test_2:                          // alternating sizes
  li TESTNUM, 2
  c.li a0, 1
  addi a0, a0, 100
  c.addi a0, 2
  addi a0, a0, 200
  c.slli a0, 1
  li a1, 606
  bne a0, a1, fail

test_3:                          // jal from a 2 mod 4 address links pc + 4
  li TESTNUM, 3
  .balign 4
  c.nop
1:
  jal t0, 2f
3:
  j fail
2:
  la a1, 3b
  bne t0, a1, fail
  la a2, 1b
  andi a2, a2, 3
  li a3, 2
  bne a2, a3, fail

test_4:                          // auipc at a 2 mod 4 address
  li TESTNUM, 4
  .balign 4
  c.nop
1:
  auipc a0, 0
  la a1, 1b
  bne a0, a1, fail

test_5:                          // a 32-bit instruction across a page boundary
  li TESTNUM, 5
  j 1f
  .balign 4096
  .skip 4096 - 6
1:
  c.li a0, 0                     // page offset 4090
  c.nop                          // 4092
  c.nop                          // 4094: the next instruction starts at 4094
  addi a0, a0, 77                // bytes 4094..4097, crosses into the next page
  li a1, 77
  bne a0, a1, fail

  TEST_TRAP(6, CAUSE_BREAKPOINT, c.ebreak)
  TEST_TRAP_TVAL(7, CAUSE_ILLEGAL_INSTRUCTION, 0, .hword 0x0000)
  TEST_TRAP_TVAL(8, CAUSE_ILLEGAL_INSTRUCTION, 0x6001, .hword 0x6001)   // c.lui x0, 0 (reserved: nzimm = 0)
  TEST_TRAP_TVAL(9, CAUSE_ILLEGAL_INSTRUCTION, 0x6501, .hword 0x6501)   // c.lui a0, 0 (reserved)
  TEST_TRAP_TVAL(10, CAUSE_ILLEGAL_INSTRUCTION, 0x6101, .hword 0x6101)  // c.addi16sp sp, 0 (reserved)
  TEST_TRAP_TVAL(11, CAUSE_ILLEGAL_INSTRUCTION, 0x8002, .hword 0x8002)  // c.jr x0 (reserved)
  TEST_TRAP_TVAL(12, CAUSE_ILLEGAL_INSTRUCTION, 0x2001, .hword 0x2001)  // c.addiw x0 (reserved)
  TEST_TRAP_TVAL(13, CAUSE_ILLEGAL_INSTRUCTION, 0x4002, .hword 0x4002)  // c.lwsp x0 (reserved)
  TEST_TRAP_TVAL(14, CAUSE_ILLEGAL_INSTRUCTION, 0x6002, .hword 0x6002)  // c.ldsp x0 (reserved)
  // the epc of a trapping compressed instruction after a 32-bit one
  TEST_TRAP(15, CAUSE_BREAKPOINT, c.ebreak)
TEST_END
