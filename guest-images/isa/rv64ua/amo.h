/* AMO case macros. `old` is the memory value before the operation, `new` the
 * value after it; rd must receive `old` (for .w: sign-extended from bit 31).
 * The .w forms also check that the neighbouring words are untouched. */
  .pushsection .data
  .balign 16
amo_guard_low:  .word 0x5a5a5a5a
amo_word:       .word 0
amo_guard_high: .word 0xa5a5a5a5
  .balign 8
amo_dword:      .dword 0
amo_dword_guard: .dword 0x0123456789abcdef
  .popsection

#define TEST_AMO_D(n, inst, old, operand, new)             \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  la a1, amo_dword; li a2, old; sd a2, 0(a1);              \
  li a3, operand;                                          \
  inst a0, a3, (a1);                                       \
  li t2, old; bne a0, t2, fail;                            \
  ld a4, 0(a1); li t2, new; bne a4, t2, fail;              \
  ld a4, 8(a1); li t2, 0x0123456789abcdef; bne a4, t2, fail;

#define TEST_AMO_W(n, inst, old, operand, new)             \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  la a1, amo_word; li a2, old; sw a2, 0(a1);               \
  li a3, operand;                                          \
  inst a0, a3, (a1);                                       \
  li t2, old; sext.w t2, t2; bne a0, t2, fail;             \
  lwu a4, 0(a1); li t2, new; bne a4, t2, fail;             \
  lwu a4, -4(a1); li t2, 0x5a5a5a5a; bne a4, t2, fail;     \
  lwu a4, 4(a1); li t2, 0xa5a5a5a5; bne a4, t2, fail;

/* rd == rs2: the old value replaces the operand only after the operation */
#define TEST_AMO_D_RD_EQ_RS2(n, inst, old, operand, new)   \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  la a1, amo_dword; li a2, old; sd a2, 0(a1);              \
  li a3, operand;                                          \
  inst a3, a3, (a1);                                       \
  li t2, old; bne a3, t2, fail;                            \
  ld a4, 0(a1); li t2, new; bne a4, t2, fail;

/* rd = x0: memory is still updated */
#define TEST_AMO_W_ZERODEST(n, inst, old, operand, new)    \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  la a1, amo_word; li a2, old; sw a2, 0(a1);               \
  li a3, operand;                                          \
  inst x0, a3, (a1);                                       \
  bnez x0, fail;                                           \
  lwu a4, 0(a1); li t2, new; bne a4, t2, fail;
