// fcsr, frm, fflags: field views, reserved bits, accrual, invalid rounding
// modes (illegal instruction when used).
#include "test_macros.h"
TEST_BEGIN_U
  // fcsr = frm << 5 | fflags; bits 63:8 read as zero
  TEST_CASE(2, a0, 0x000000ff, li a1, -1; csrw fcsr, a1; csrr a0, fcsr)
  TEST_CASE(3, a0, 0x1f, csrr a0, fflags)
  TEST_CASE(4, a0, 0x7, csrr a0, frm)
  TEST_CASE(5, a0, 0x85, li a1, 0x85; fscsr a1; frcsr a0)
  TEST_CASE(6, a0, 0x4, frrm a0)
  TEST_CASE(7, a0, 0x5, frflags a0)
  // fflags writes keep only 5 bits; frm writes only 3 bits
  TEST_CASE(8, a0, 0x9f, li a1, 0xff; fsflags a1; frcsr a0)
  TEST_CASE(9, a0, 0x3f, li a1, 0xf9; fsrm a1; frcsr a0)
  // swaps return the old value
  TEST_CASE(10, a0, 0x1f, li a1, 0x3; fsflags a0, a1; frflags a2; li a3, 3; bne a2, a3, fail)
  TEST_CASE(11, a0, 0x1, fsrmi a0, 2; frrm a2; li a3, 2; bne a2, a3, fail)
  TEST_CASE(12, a0, 0x50, fsflagsi a1, 0x10; li a2, 3; bne a1, a2, fail; frcsr a0)
  // csrrs/csrrc/immediate forms on fflags
  TEST_CASE(13, a0, 0x18, csrwi fflags, 0x10; csrsi fflags, 0x8; csrr a0, fflags)
  TEST_CASE(14, a0, 0x08, csrci fflags, 0x10; csrr a0, fflags)
  // flags accrue: an exact operation does not clear them
  TEST_CASE(15, a0, 0x09,
    csrwi fflags, FFLAG_DZ; li a1, 0x3f800000; fmv.w.x f1, a1; li a1, 0x40400000; fmv.w.x f2, a1; fdiv.s f3, f1, f2; fadd.s f4, f1, f1; frflags a0)
  // frm = 5/6/7 makes dyn-rounded instructions illegal; fixed rm still works
  TEST_CASE(16, a0, 0x3f800000, fsrmi 0; fmv.w.x f9, x0; li a1, 0x3f800000; fmv.w.x f1, a1; fsrmi 5; fadd.s f2, f1, f9, rne; fmv.x.w a0, f2)
  TEST_TRAP(17, CAUSE_ILLEGAL_INSTRUCTION, fadd.s f2, f1, f9, dyn)
  fsrmi 6
  TEST_TRAP(18, CAUSE_ILLEGAL_INSTRUCTION, fmul.d f2, f1, f1)
  fsrmi 7
  TEST_TRAP(19, CAUSE_ILLEGAL_INSTRUCTION, fcvt.w.s a0, f1, dyn)
  // operations without a rounding mode do not care about frm
  TEST_CASE(20, a0, 0xffffffff3f800000, fmin.s f2, f1, f1; fmv.x.d a0, f2)
  TEST_CASE(21, a0, 1, feq.s a0, f1, f1)
  // reserved rm encodings 5 and 6 in the instruction are illegal whatever frm is
  fsrmi 0
  TEST_TRAP(22, CAUSE_ILLEGAL_INSTRUCTION, .word 0x0090d0d3 /* fadd.s f1, f1, f9, rm=5 */)
  TEST_TRAP(23, CAUSE_ILLEGAL_INSTRUCTION, .word 0x0090e0d3 /* fadd.s f1, f1, f9, rm=6 */)
  // the trapping instruction did not write its destination
  TEST_CASE(24, a0, 0xffffffff3f800000, fmv.x.d a0, f1)
  // fflags/frm are not changed by a trapping FP instruction
  TEST_CASE(25, a0, 0, csrwi fcsr, 0; fsrmi 7; EXPECT_TRAP(1f); fdiv.s f2, f1, f9; j fail; 1: frflags a0; fsrmi 0)
TEST_END
