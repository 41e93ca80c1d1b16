// mtvec modes: in vectored mode (1) interrupts go to BASE + 4 * cause and
// exceptions to BASE; mode 0 sends everything to BASE. Reserved modes 2/3
// are never read back (WARL; QEMU 7.2 ignores such writes).
#include "test_macros.h"
#include "clint.h"
#define VECTOR(n) j vector_##n
TEST_BEGIN_M
  MTIMECMP_NEVER
  csrr s11, mtvec
  // reserved modes: reads back with mode 0 or 1
  TEST_CASE(2, a0, 0, la a1, vector_table; ori a1, a1, 2; csrw mtvec, a1; csrr a2, mtvec; andi a0, a2, 2; csrw mtvec, s11)
  TEST_CASE(3, a0, 0, la a1, vector_table; ori a1, a1, 3; csrw mtvec, a1; csrr a2, mtvec; andi a0, a2, 2; csrw mtvec, s11)
  // vectored mode reads back as written
  TEST_CASE(4, a0, 0, la a1, vector_table; ori a1, a1, 1; csrw mtvec, a1; csrr a2, mtvec; sub a0, a2, a1)
  // software interrupt -> entry 3
  li s2, 0
  li a1, MIP_MSIP
  csrs mie, a1
  SET_MSIP(1)
  li a1, MSTATUS_MIE
  csrs mstatus, a1
  nop
  csrc mstatus, a1
  TEST_CASE(5, s2, 3, nop)
  TEST_CASE(6, s3, CAUSE_INTERRUPT | IRQ_M_SOFT, nop)
  // timer interrupt -> entry 7
  li s2, 0
  li a1, MIP_MTIP
  csrs mie, a1
  WRITE_MTIMECMP(zero)
  li a1, MSTATUS_MIE
  csrs mstatus, a1
  nop
  csrc mstatus, a1
  TEST_CASE(7, s2, 7, nop)
  // supervisor software interrupt (not delegated) -> entry 1
  li s2, 0
  li a1, MIP_SSIP
  csrs mie, a1
  csrs mip, a1
  li a1, MSTATUS_MIE
  csrs mstatus, a1
  nop
  csrc mstatus, a1
  TEST_CASE(8, s2, 1, nop)
  // an exception -> entry 0 (BASE), mcause = 11
  li s2, 0
  ecall
  TEST_CASE(9, s2, 100, nop)
  TEST_CASE(10, s3, CAUSE_MACHINE_ECALL, nop)
  // direct mode: interrupts go to BASE as well
  la a1, vector_table
  csrw mtvec, a1
  li s2, 0
  li a1, MIP_MSIP
  csrs mie, a1
  SET_MSIP(1)
  li a1, MSTATUS_MIE
  csrs mstatus, a1
  nop
  csrc mstatus, a1
  TEST_CASE(11, s2, 100, nop)
  TEST_CASE(12, s3, CAUSE_INTERRUPT | IRQ_M_SOFT, nop)
  csrw mtvec, s11
  csrw mie, zero
TEST_END

// The table: 4-byte jumps (compressed code is disabled in tests by default).
// Every handler records its slot in s2 and mcause in s3 and silences the
// source; exceptions step over the 4-byte ecall.
  .balign 256
vector_table:
  VECTOR(0)
  VECTOR(1)
  VECTOR(2)
  VECTOR(3)
  VECTOR(4)
  VECTOR(5)
  VECTOR(6)
  VECTOR(7)
  VECTOR(8)
  VECTOR(9)
  VECTOR(10)
  VECTOR(11)
vector_0:
  li s2, 100
  csrr s3, mcause
  bltz s3, 1f
  csrr s4, mepc
  addi s4, s4, 4
  csrw mepc, s4
  mret
1:
  li s4, 1
  sll s4, s4, s3
  csrc mie, s4
  mret
vector_1:
  li s2, 1
  csrr s3, mcause
  li s4, MIP_SSIP
  csrc mip, s4
  mret
vector_3:
  li s2, 3
  csrr s3, mcause
  li s4, CLINT_MSIP
  sw zero, 0(s4)
  mret
vector_7:
  li s2, 7
  csrr s3, mcause
  li s4, CLINT_MTIMECMP
  li s5, -1
  sd s5, 0(s4)
  mret
vector_2:
vector_4:
vector_5:
vector_6:
vector_8:
vector_9:
vector_10:
vector_11:
  li s2, 99
  j fail
