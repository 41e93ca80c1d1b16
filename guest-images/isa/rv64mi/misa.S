// misa: MXL = 2 (RV64), the RV64GC extensions plus S and U are reported;
// writing back the value read keeps it. (QEMU 7.2 also reports H, so the
// test checks bits, not the exact value.)
#include "test_macros.h"
#define HAS_EXT(n, letter) TEST_CASE(n, a0, 1, csrr a1, misa; srli a1, a1, (letter) - 'A'; andi a0, a1, 1)
TEST_BEGIN_M
  TEST_CASE(2, a0, 2, csrr a1, misa; srli a0, a1, 62)
  HAS_EXT(3, 'I')
  HAS_EXT(4, 'M')
  HAS_EXT(5, 'A')
  HAS_EXT(6, 'F')
  HAS_EXT(7, 'D')
  HAS_EXT(8, 'C')
  HAS_EXT(9, 'S')
  HAS_EXT(10, 'U')
  TEST_CASE(11, a0, 0, csrr a1, misa; srli a0, a1, 'E' - 'A'; andi a0, a0, 1)   // not RV64E
  TEST_CASE(12, a0, 0, csrr a1, misa; slli a0, a1, 2; srli a0, a0, 28)         // bits 61:26 zero
  TEST_CASE(13, a0, 0, csrr a1, misa; csrw misa, a1; csrr a2, misa; sub a0, a1, a2)
  // misa is readable with csrrs x0 from M only; S-mode access is illegal
  TEST_CASE(14, a0, 1, csrr a1, misa; snez a0, a1)
TEST_END
