// FENCE variants (all ordering hints on a single hart): every predecessor/
// successor combination, FENCE.TSO, PAUSE (Zihintpause) and reserved-field
// encodings must execute as no-ops that do not trap.
#include "test_macros.h"
  .data
  .balign 8
value: .dword 0
TEST_BEGIN_U
  TEST_CASE(2, a0, 5,
    la a1, value; li a2, 5; sd a2, 0(a1); fence; ld a0, 0(a1))
  TEST_CASE(3, a0, 6,
    la a1, value; li a2, 6; sd a2, 0(a1); fence w, r; ld a0, 0(a1))
  TEST_CASE(4, a0, 7,
    la a1, value; li a2, 7; sd a2, 0(a1); fence rw, rw; fence r, r; fence w, w; fence iorw, iorw; fence io, io; ld a0, 0(a1))
  TEST_CASE(5, a0, 8,
    la a1, value; li a2, 8; sd a2, 0(a1); .word 0x8330000f /* fence.tso */; ld a0, 0(a1))
  TEST_CASE(6, a0, 9,
    li a0, 9; .word 0x0100000f /* pause */)
  TEST_CASE(7, a0, 10,
    li a0, 10; .word 0x0000000f /* fence with empty sets */)
  // reserved rs1/rd fields and fm values must be ignored (unprivileged spec 2.7)
  TEST_CASE(8, a0, 11,
    li a0, 11; .word 0x0ff5850f /* fence iorw,iorw with rs1=a1, rd=a0 */; addi a0, a0, 0)
  TEST_CASE(9, a0, 12,
    li a0, 12; .word 0x5ff0000f /* fm = 0101 (reserved) */)
  TEST_CASE(10, a0, 13,
    li a0, 13; .word 0x0000100f /* fence.i */)
TEST_END
