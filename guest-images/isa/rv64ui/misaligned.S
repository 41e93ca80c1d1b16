// Misaligned loads and stores of every size and offset, including ones that
// cross a page boundary. QEMU's virt (and emu) perform them without a trap
// (the privileged spec allows either; the tests pin the QEMU behaviour).
#include "test_macros.h"
  .data
  .balign 4096
  .skip 4096 - 16
cross_page:                        // 16 bytes each side of a page boundary
  .byte 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77
  .byte 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
  .byte 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef
  .byte 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87
scratch:
  .dword 0, 0, 0, 0
TEST_BEGIN_U
  TEST_LD_OP(2,  lh,  0x0000000000002211, 1,  cross_page)
  TEST_LD_OP(3,  lh,  0xffffffffffff9988, 8,  cross_page)
  TEST_LD_OP(4,  lhu, 0x000000000000aa99, 9,  cross_page)
  TEST_LD_OP(5,  lh,  0x00000000000001ff, 15, cross_page)   // crosses the page
  TEST_LD_OP(6,  lw,  0x0000000044332211, 1,  cross_page)
  TEST_LD_OP(7,  lw,  0x0000000055443322, 2,  cross_page)
  TEST_LD_OP(8,  lw,  0xffffffffbbaa9988, 8,  cross_page)
  TEST_LD_OP(9,  lw,  0x000000002301ffee, 14, cross_page)   // crosses the page
  TEST_LD_OP(10, lwu, 0x00000000ccbbaa99, 9,  cross_page)
  TEST_LD_OP(11, lwu, 0x00000000452301ff, 15, cross_page)
  TEST_LD_OP(12, ld,  0x8877665544332211, 1,  cross_page)
  TEST_LD_OP(13, ld,  0x9988776655443322, 2,  cross_page)
  TEST_LD_OP(14, ld,  0xaa99887766554433, 3,  cross_page)
  TEST_LD_OP(15, ld,  0xbbaa998877665544, 4,  cross_page)
  TEST_LD_OP(16, ld,  0xccbbaa9988776655, 5,  cross_page)
  TEST_LD_OP(17, ld,  0xddccbbaa99887766, 6,  cross_page)
  TEST_LD_OP(18, ld,  0xeeddccbbaa998877, 7,  cross_page)
  TEST_LD_OP(19, ld,  0xab8967452301ffee, 14, cross_page)   // crosses the page
  TEST_LD_OP(20, ld,  0x8967452301ffeedd, 13, cross_page)
  TEST_LD_OP(21, ld,  0xe1f0efcdab896745, 18, cross_page)
  // stores at every misalignment, read back aligned
  TEST_CASE(22, a0, 0x0000000000aabb00,
    la a1, scratch; li a2, 0xaabb; sh a2, 1(a1); ld a0, 0(a1))
  TEST_CASE(23, a0, 0x0000112233aabb00,
    la a1, scratch; li a2, 0x00112233; sw a2, 3(a1); ld a0, 0(a1))
  TEST_CASE(24, a0, 0x0011223344556677,
    la a1, scratch; li a2, 0x1122334455667722; sd a2, 7(a1); ld a0, 8(a1))
  TEST_CASE(25, a0, 0x2200112233aabb00,
    la a1, scratch; ld a0, 0(a1))
  // a misaligned store across the page boundary, read back both ways
  TEST_CASE(26, a0, 0x0706050403020100,
    la a1, cross_page; li a2, 0x0706050403020100; sd a2, 12(a1); ld a0, 12(a1))
  TEST_CASE(27, a0, 0x03020100bbaa9988,
    la a1, cross_page; ld a0, 8(a1))
  TEST_CASE(28, a0, 0xefcdab8907060504,
    la a1, cross_page; ld a0, 16(a1))
  TEST_CASE(29, a0, 0x000000000000bbaa,
    la a1, cross_page; li a2, 0xbbaa; sh a2, 15(a1); lhu a0, 15(a1))
  TEST_CASE(30, a0, 0x0000000012345678,
    la a1, cross_page; li a2, 0x12345678; sw a2, 13(a1); lw a0, 13(a1))
TEST_END
