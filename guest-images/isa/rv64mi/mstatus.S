// mstatus: writable fields (MIE, SIE, MPIE, SPIE, SPP, MPP = 0/1/3, MPRV, SUM,
// MXR, TVM, TW, TSR, FS), read-only fields (UXL = SXL = 2, XS = 0, UBE = SBE =
// MBE = 0), SD as the summary of FS, and FS gating of the FP unit.
#include "test_macros.h"
#define FIELD_WRITABLE(n, mask) \
  TEST_CASE(n, a0, mask, li a1, mask; csrs mstatus, a1; csrr a2, mstatus; and a0, a2, a1; csrc mstatus, a1; csrr a2, mstatus; and a2, a2, a1; bnez a2, fail)
TEST_BEGIN_M
  FIELD_WRITABLE(2, MSTATUS_SIE)
  FIELD_WRITABLE(3, MSTATUS_SPIE)
  FIELD_WRITABLE(4, MSTATUS_MPIE)
  FIELD_WRITABLE(5, MSTATUS_SPP)
  FIELD_WRITABLE(6, MSTATUS_MPP)
  FIELD_WRITABLE(7, MSTATUS_MPP_S)
  FIELD_WRITABLE(8, MSTATUS_MPRV)
  FIELD_WRITABLE(9, MSTATUS_SUM)
  FIELD_WRITABLE(10, MSTATUS_MXR)
  FIELD_WRITABLE(11, MSTATUS_TVM)
  FIELD_WRITABLE(12, MSTATUS_TW)
  FIELD_WRITABLE(13, MSTATUS_TSR)
  FIELD_WRITABLE(14, MSTATUS_MIE)
  // UXL and SXL read 2 (64-bit); 0 is not a legal value, so writing it is
  // ignored. (QEMU 7.2 lets UXL be set to 1 or 3 - U-mode RV32 - so other
  // values are not tested.)
  TEST_CASE(15, a0, 0xa, csrr a1, mstatus; srli a0, a1, 32; andi a0, a0, 0xf)
  TEST_CASE(16, a0, 0xa, li a1, MSTATUS_UXL | MSTATUS_SXL; csrc mstatus, a1; csrr a1, mstatus; srli a0, a1, 32; andi a0, a0, 0xf)
  // XS, UBE, SBE, MBE are zero and stay zero
  TEST_CASE(18, a0, 0, li a1, MSTATUS_XS | MSTATUS_UBE | (3 << 36); csrs mstatus, a1; csrr a2, mstatus; and a0, a2, a1)
  // FS = Off/Initial/Clean: SD clear; FS = Dirty: SD set
  TEST_CASE(19, a0, 0, li a1, MSTATUS_FS; csrc mstatus, a1; li a1, MSTATUS_FS_INITIAL; csrs mstatus, a1; csrr a0, mstatus; srli a0, a0, 63)
  TEST_CASE(20, a0, 1, li a1, MSTATUS_FS; csrs mstatus, a1; csrr a0, mstatus; srli a0, a0, 63)
  TEST_CASE(21, a0, 0, li a1, MSTATUS_FS; csrc mstatus, a1; li a1, MSTATUS_FS_CLEAN; csrs mstatus, a1; csrr a0, mstatus; srli a0, a0, 63)
  // writing an f register makes FS Dirty (and SD set)
  TEST_CASE(22, a0, 3, fmv.w.x f1, zero; csrr a1, mstatus; srli a0, a1, 13; andi a0, a0, 3; srli a1, a1, 63; beqz a1, fail)
  // writing fflags makes FS Dirty too
  TEST_CASE(23, a0, 3, li a1, MSTATUS_FS; csrc mstatus, a1; li a1, MSTATUS_FS_CLEAN; csrs mstatus, a1; csrwi fflags, 1; csrr a1, mstatus; srli a0, a1, 13; andi a0, a0, 3)
  // an FP operation that sets flags makes FS Dirty
  TEST_CASE(24, a0, 3, li a1, MSTATUS_FS; csrc mstatus, a1; li a1, MSTATUS_FS_INITIAL; csrs mstatus, a1; fdiv.s f2, f1, f1; csrr a1, mstatus; srli a0, a1, 13; andi a0, a0, 3)
  // FS = Off: every FP instruction and the FP CSRs are illegal
  li a1, MSTATUS_FS
  csrc mstatus, a1
  TEST_TRAP(25, CAUSE_ILLEGAL_INSTRUCTION, fadd.d f1, f2, f3)
  TEST_TRAP(26, CAUSE_ILLEGAL_INSTRUCTION, fmv.x.d a0, f1)
  TEST_TRAP(27, CAUSE_ILLEGAL_INSTRUCTION, fmv.w.x f1, a0)
  TEST_TRAP(28, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, fcsr)
  TEST_TRAP(29, CAUSE_ILLEGAL_INSTRUCTION, csrwi fflags, 0)
  TEST_TRAP(30, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, frm)
  la a2, fp_data
  TEST_TRAP(31, CAUSE_ILLEGAL_INSTRUCTION, fld f1, 0(a2))
  TEST_TRAP(32, CAUSE_ILLEGAL_INSTRUCTION, fsw f1, 0(a2))
  TEST_TRAP(33, CAUSE_ILLEGAL_INSTRUCTION, .hword 0x2202 /* c.fldsp f4, 0(sp) */; nop)
  TEST_TRAP(34, CAUSE_ILLEGAL_INSTRUCTION, fmadd.s f1, f2, f3, f4)
  TEST_TRAP(35, CAUSE_ILLEGAL_INSTRUCTION, fcvt.w.d a0, f1)
  // FS stays Off after the traps; turning it back on restores the unit
  TEST_CASE(36, a0, 0, csrr a1, mstatus; srli a0, a1, 13; andi a0, a0, 3)
  TEST_CASE(37, a0, 0x3ff0000000000000,
    li a1, MSTATUS_FS_INITIAL; csrs mstatus, a1; li a1, 0x3ff0000000000000; fmv.d.x f1, a1; fmv.x.d a0, f1)
  // MPRV set in M-mode with MPP = M has no visible effect on loads and stores
  TEST_CASE(38, a0, 0x1122334455667788,
    li a1, MSTATUS_MPP | MSTATUS_MPRV; csrs mstatus, a1; la a2, fp_data; ld a0, 0(a2); csrc mstatus, a1)
TEST_END
  .data
  .balign 8
fp_data: .dword 0x1122334455667788
