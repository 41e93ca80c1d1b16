// The smallest test: start-up, one case, exit through sifive_test.
#include "test_macros.h"
TEST_BEGIN_U
  TEST_CASE(2, a0, 1, li a0, 1)
TEST_END
