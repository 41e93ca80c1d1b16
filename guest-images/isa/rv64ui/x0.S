// x0: writes by every instruction class are discarded; reads give zero.
#include "test_macros.h"
  .data
  .balign 8
word: .dword 0x1234567812345678
TEST_BEGIN_U
  TEST_CASE(2,  x0, 0, addi x0, x0, 5)
  TEST_CASE(3,  x0, 0, li a1, 3; add x0, a1, a1)
  TEST_CASE(4,  x0, 0, lui x0, 0x12345)
  TEST_CASE(5,  x0, 0, auipc x0, 0x12345)
  TEST_CASE(6,  x0, 0, la a1, word; ld x0, 0(a1))
  TEST_CASE(7,  x0, 0, jal x0, 1f; 1:)
  TEST_CASE(8,  x0, 0, la a1, 1f; jalr x0, 0(a1); 1:)
  TEST_CASE(9,  x0, 0, li a1, 1; slli x0, a1, 3)
  TEST_CASE(10, x0, 0, li a1, -1; addiw x0, a1, 0)
  TEST_CASE(11, x0, 0, csrrs x0, fflags, x0)
  TEST_CASE(12, x0, 0, li a1, 5; mul x0, a1, a1)
  TEST_CASE(13, x0, 0, fmv.x.d x0, f0)
  // x0 as a source after those writes
  TEST_CASE(14, a0, 0, li a0, 9; add a0, x0, x0)
  TEST_CASE(15, a0, 7, li a1, 7; or a0, a1, x0)
  TEST_CASE(16, a0, 0, la a1, word; sd x0, 0(a1); ld a0, 0(a1))
  TEST_CASE(17, a0, -1, li a1, 0; sltu a0, x0, a1; addi a0, a0, -1)
TEST_END
