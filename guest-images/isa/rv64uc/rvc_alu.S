// Compressed integer computational instructions (RVC quadrants 1 and 2):
// c.li, c.lui, c.addi, c.addiw, c.slli, c.srli, c.srai, c.andi, c.mv, c.add,
// c.sub, c.xor, c.or, c.and, c.subw, c.addw, incl. immediate extremes.
#include "test_macros.h"
TEST_BEGIN_U
  .option rvc
  TEST_CASE(2,  a0, 31, c.li a0, 31)
  TEST_CASE(3,  a0, -32, c.li a0, -32)
  TEST_CASE(4,  t6, -1, c.li t6, -1)
  TEST_CASE(5,  a0, 0x0000000000001000, c.lui a0, 1)
  TEST_CASE(6,  a0, 0x000000000001f000, c.lui a0, 0x1f)
  TEST_CASE(7,  a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)   // nzimm = -32 (encoded 0x20 in 6 bits)
  TEST_CASE(8,  a0, 0xfffffffffffff000, c.lui a0, 0xfffff)
  TEST_CASE(9,  s1, 0x0000000000005000, c.lui s1, 5)
  TEST_CASE(10, a0, 0x000000000000001f, li a0, 0; c.addi a0, 31)
  TEST_CASE(11, a0, 0xffffffffffffffe0, li a0, 0; c.addi a0, -32)
  TEST_CASE(12, a0, 0x8000000000000000, li a0, 0x7fffffffffffffff; c.addi a0, 1)
  TEST_CASE(13, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
  TEST_CASE(14, a0, 0x0000000000000000, li a0, 0xffffffff00000000; c.addiw a0, 0)   // sext.w
  TEST_CASE(15, a0, 0xffffffffffffffff, li a0, 0x00000000ffffffff; c.addiw a0, 0)
  TEST_CASE(16, t5, 0x000000007fffffe0, li t5, 0x80000000; c.addiw t5, -32)
  TEST_CASE(17, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
  TEST_CASE(18, a0, 0x0000000100000000, li a0, 1; c.slli a0, 32)
  TEST_CASE(19, t3, 0x0000000000000002, li t3, 1; c.slli t3, 1)
  TEST_CASE(20, a0, 0x0000000000000001, li a0, 0x8000000000000000; c.srli a0, 63)
  TEST_CASE(21, a0, 0x0000000080000000, li a0, 0x8000000000000000; c.srli a0, 32)
  TEST_CASE(22, a0, 0xffffffffffffffff, li a0, 0x8000000000000000; c.srai a0, 63)
  TEST_CASE(23, a5, 0xffffffff80000000, li a5, 0x8000000000000000; c.srai a5, 32)
  TEST_CASE(24, a0, 0x0000000000000011, li a0, 0x1234567800000031; c.andi a0, 0x1f)
  TEST_CASE(25, a0, 0x1234567800000020, li a0, 0x1234567800000031; c.andi a0, -32)
  TEST_CASE(26, s0, 0xfffffffffffffff0, li s0, -1; c.andi s0, -16)
  TEST_CASE(27, a0, 0x0123456789abcdef, li a1, 0x0123456789abcdef; c.mv a0, a1)
  TEST_CASE(28, t6, 0x0123456789abcdef, li s2, 0x0123456789abcdef; c.mv t6, s2)
  TEST_CASE(29, a0, 0x0000000100000000, li a0, 0xffffffff; li a1, 1; c.add a0, a1)
  TEST_CASE(30, s3, 0x0000000000000000, li s3, -5; li t4, 5; c.add s3, t4)
  TEST_CASE(31, a0, 0xffffffffffffffff, li a0, 0; li a1, 1; c.sub a0, a1)
  TEST_CASE(32, s1, 0xff00ff00ff00ff00, li s1, 0xf0f0f0f0f0f0f0f0; li a5, 0x0ff00ff00ff00ff0; c.xor s1, a5)
  TEST_CASE(33, a2, 0xfff0fff0fff0fff0, li a2, 0xf0f0f0f0f0f0f0f0; li a3, 0x0ff00ff00ff00ff0; c.or a2, a3)
  TEST_CASE(34, a4, 0x00f000f000f000f0, li a4, 0xf0f0f0f0f0f0f0f0; li s0, 0x0ff00ff00ff00ff0; c.and a4, s0)
  TEST_CASE(35, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, -1; c.subw a0, a1)
  TEST_CASE(36, a0, 0x0000000000000001, li a0, 0x1234567800000003; li a1, 0xabcdef0000000002; c.subw a0, a1)
  TEST_CASE(37, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, 1; c.addw a0, a1)
  TEST_CASE(38, a0, 0x0000000000000005, li a0, 0x1234567800000003; li a1, 0xabcdef0000000002; c.addw a0, a1)
  // HINT encodings execute as no-ops (unprivileged spec 16.7): rd = x0 forms
  TEST_CASE(39, a0, 0x55, li a0, 0x55; c.nop 5; c.li x0, 3; c.mv x0, a0; c.add x0, a0; c.slli x0, 1; c.lui x0, 1; c.addi x0, 0)
  // c.nop
  TEST_CASE(40, a0, 0x66, li a0, 0x66; c.nop; c.nop)
TEST_END
