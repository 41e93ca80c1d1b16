// sstatus is a view of mstatus (privileged spec 4.1.1): it shows SIE, SPIE,
// SPP, FS, XS, SUM, MXR, UXL and SD, hides the M-only fields, and writes
// through it cannot reach them.
#include "test_macros.h"
#define S_VISIBLE (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define M_ONLY    (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_SXL)
TEST_BEGIN_M
  // M sets M-only fields (MPP = S so mret enters S; TW/TSR/TVM are harmless here)
  li a1, MSTATUS_MPP_S | MSTATUS_MPRV
  csrs mstatus, a1
  li TESTNUM, 2
  la t0, in_s
  csrw mepc, t0
  mret
in_s:
  // none of them shows in sstatus
  TEST_CASE(3, a0, 0, csrr a1, sstatus; li a2, M_ONLY & ~MSTATUS_SXL; and a0, a1, a2)
  // UXL = 2 is visible
  TEST_CASE(4, a0, 2, csrr a1, sstatus; srli a0, a1, 32; andi a0, a0, 3)
  // S fields are writable through sstatus
  TEST_CASE(5, a0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR,
    li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR; csrs sstatus, a1; csrr a2, sstatus; and a0, a2, a1)
  // writing ones everywhere (but UXL, which QEMU 7.2 lets change) does not
  // set M-only bits (checked from M below)
  li a1, -1
  li a2, MSTATUS_UXL
  xor a1, a1, a2
  csrs sstatus, a1
  // FS is shared: S can turn the FP unit off and on
  TEST_CASE(6, a0, 0, li a1, MSTATUS_FS; csrc sstatus, a1; csrr a2, sstatus; and a0, a2, a1)
  TEST_TRAP(7, CAUSE_ILLEGAL_INSTRUCTION, fmv.x.d a0, f0)
  TEST_CASE(8, a0, MSTATUS_FS_INITIAL, li a1, MSTATUS_FS_INITIAL; csrs sstatus, a1; csrr a2, sstatus; li a1, MSTATUS_FS; and a0, a2, a1)
  // SD follows FS = Dirty in the sstatus view too
  TEST_CASE(9, a0, 1, fmv.d.x f1, zero; csrr a1, sstatus; srli a0, a1, 63)
  li TESTNUM, 10
  ECALL_TO_MODE(PRV_M, in_m)
in_m:
  // from M: the S fields were set, MIE/TVM/TW/TSR were not. (MPRV is not
  // checked: privileged spec 1.12 clears it on mret to S, QEMU 7.2 keeps it.)
  TEST_CASE(11, a0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR,
    csrr a1, mstatus; li a2, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR; and a0, a1, a2)
  TEST_CASE(12, a0, 0, csrr a1, mstatus; li a2, MSTATUS_MIE | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR; and a0, a1, a2)
  // the S-mode view of fields written from M
  li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP | MSTATUS_MPRV
  csrc mstatus, a1
  TEST_CASE(13, a0, 0, csrr a1, sstatus; li a2, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP; and a0, a1, a2)
TEST_END
