// Zicntr/Zihpm as seen from M-mode: cycle/time/instret read the machine
// counters, time follows the CLINT's mtime, mcycle/minstret are writable
// and keep counting from the written value, hpm counters read without trap.
#include "test_macros.h"
#include "clint.h"
TEST_BEGIN_M
  // time lies between two reads of mtime
  TEST_CASE(2, a0, 1, READ_MTIME(a1); csrr a2, time; READ_MTIME(a3); sltu a4, a2, a1; sltu a5, a3, a2; or a0, a4, a5; xori a0, a0, 1)
  // instret and cycle advance
  TEST_CASE(3, a0, 1, csrr a1, instret; nop; nop; csrr a2, instret; sltu a0, a1, a2)
  TEST_CASE(4, a0, 1, csrr a1, cycle; nop; nop; csrr a2, cycle; sltu a0, a1, a2)
  // the user counters mirror the machine ones
  TEST_CASE(5, a0, 1, csrr a1, minstret; csrr a2, instret; sltu a0, a2, a1; xori a0, a0, 1)
  // written values stick and then count up (bounded: QEMU without icount
  // counts host cycles)
  TEST_CASE(6, a0, 1, li a1, 0x100000000; csrw minstret, a1; csrr a2, minstret; sub a3, a2, a1; li a4, 100000000; sltu a0, a3, a4)
  TEST_CASE(7, a0, 1, li a1, 0x200000000; csrw mcycle, a1; csrr a2, mcycle; sub a3, a2, a1; li a4, 100000000; sltu a0, a3, a4)
  TEST_CASE(8, a0, 1, li a1, 0x300000000; csrw minstret, a1; csrr a2, instret; sub a3, a2, a1; li a4, 100000000; sltu a0, a3, a4)
  TEST_CASE(9, a0, 1, li a1, 0x12345; csrw minstret, a1; nop; csrr a2, minstret; sltu a0, a1, a2)
  // writing zero resets them
  TEST_CASE(10, a0, 1, csrw mcycle, zero; csrr a2, mcycle; li a4, 100000000; sltu a0, a2, a4)
  // hpm counters and event selectors are present (value unspecified; QEMU
  // 7.2 implements only mhpmcounter3..18, so higher ones are not tested)
  TEST_CASE(11, a0, 0, csrr a1, mhpmcounter3; csrr a2, hpmcounter3; csrr a3, mhpmevent3; li a0, 0)
  // time is read-only
  TEST_TRAP(12, CAUSE_ILLEGAL_INSTRUCTION, csrw time, zero)
  TEST_TRAP(13, CAUSE_ILLEGAL_INSTRUCTION, csrw instret, zero)
TEST_END
