/* Case macros for emu's ISA tests. Every macro defines one numbered case:
 * it loads TESTNUM (gp) with the case number, runs the instruction under
 * test and branches to `fail` (defined by TEST_END) on a mismatch, so the
 * exit status names the failing case. Case numbers must be 1..255.
 *
 * Register use: inputs in a1/a2 (a3 for three operands), result in a0,
 * expected value in t2; FP inputs f10-f12, FP result f13. The *_HIGHREGS
 * variants use x29-x31 to exercise the top of the register-number fields. */
#ifndef EMU_ISA_TEST_MACROS_H
#define EMU_ISA_TEST_MACROS_H

#include "test.h"

#ifdef __ASSEMBLER__

/* ------------------------------------------------------------------ */
/* generic                                                            */

/* Case n: run `code`, then `reg` must equal `expected` (any 64-bit value). */
#define TEST_CASE(n, reg, expected, code...)               \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  code;                                                    \
  li t2, expected;                                         \
  bne reg, t2, fail;

/* ------------------------------------------------------------------ */
/* register-register and register-immediate ALU operations           */

#define TEST_RR_OP(n, inst, result, val1, val2)            \
  TEST_CASE(n, a0, result,                                 \
    li a1, val1; li a2, val2; inst a0, a1, a2)

#define TEST_RR_SRC1_EQ_DEST(n, inst, result, val1, val2)  \
  TEST_CASE(n, a1, result,                                 \
    li a1, val1; li a2, val2; inst a1, a1, a2)

#define TEST_RR_SRC2_EQ_DEST(n, inst, result, val1, val2)  \
  TEST_CASE(n, a2, result,                                 \
    li a1, val1; li a2, val2; inst a2, a1, a2)

#define TEST_RR_SRC12_EQ_DEST(n, inst, result, val1)       \
  TEST_CASE(n, a1, result,                                 \
    li a1, val1; inst a1, a1, a1)

#define TEST_RR_ZEROSRC1(n, inst, result, val2)            \
  TEST_CASE(n, a0, result,                                 \
    li a2, val2; inst a0, x0, a2)

#define TEST_RR_ZEROSRC2(n, inst, result, val1)            \
  TEST_CASE(n, a0, result,                                 \
    li a1, val1; inst a0, a1, x0)

#define TEST_RR_ZEROSRC12(n, inst, result)                 \
  TEST_CASE(n, a0, result,                                 \
    li a0, 0x5a5a; inst a0, x0, x0)

/* writes to x0 are discarded */
#define TEST_RR_ZERODEST(n, inst, val1, val2)              \
  TEST_CASE(n, x0, 0,                                      \
    li a1, val1; li a2, val2; inst x0, a1, a2)

#define TEST_RR_HIGHREGS(n, inst, result, val1, val2)      \
  TEST_CASE(n, t6, result,                                 \
    li t4, val1; li t5, val2; inst t6, t4, t5)

/* the result feeds the next instruction directly (JIT register caching) */
#define TEST_RR_CHAIN(n, inst, result, val1, val2, val3)   \
  TEST_CASE(n, a0, result,                                 \
    li a1, val1; li a2, val2; li a3, val3;                 \
    inst a0, a1, a2; inst a0, a0, a3)

#define TEST_IMM_OP(n, inst, result, val1, imm)            \
  TEST_CASE(n, a0, result,                                 \
    li a1, val1; inst a0, a1, imm)

#define TEST_IMM_SRC1_EQ_DEST(n, inst, result, val1, imm)  \
  TEST_CASE(n, a1, result,                                 \
    li a1, val1; inst a1, a1, imm)

#define TEST_IMM_ZEROSRC1(n, inst, result, imm)            \
  TEST_CASE(n, a0, result,                                 \
    inst a0, x0, imm)

#define TEST_IMM_ZERODEST(n, inst, val1, imm)              \
  TEST_CASE(n, x0, 0,                                      \
    li a1, val1; inst x0, a1, imm)

#define TEST_IMM_HIGHREGS(n, inst, result, val1, imm)      \
  TEST_CASE(n, t6, result,                                 \
    li t5, val1; inst t6, t5, imm)

/* ------------------------------------------------------------------ */
/* loads and stores                                                   */

/* a0 = load from base_label + offset */
#define TEST_LD_OP(n, inst, result, offset, base_label)    \
  TEST_CASE(n, a0, result,                                 \
    la a1, base_label; inst a0, offset(a1))

/* base register = base_label + bias: extreme offsets both ways */
#define TEST_LD_OP_BIAS(n, inst, result, offset, base_label, bias) \
  TEST_CASE(n, a0, result,                                 \
    la a1, base_label; li t0, bias; add a1, a1, t0; inst a0, offset(a1))

/* the loaded value overwrites the base register */
#define TEST_LD_DEST_EQ_BASE(n, inst, result, offset, base_label) \
  TEST_CASE(n, a1, result,                                 \
    la a1, base_label; inst a1, offset(a1))

/* store `stored`, load it back with ld_inst: must read `result` */
#define TEST_ST_OP(n, ld_inst, st_inst, result, stored, offset, base_label) \
  TEST_CASE(n, a0, result,                                 \
    la a1, base_label; li a2, stored;                      \
    st_inst a2, offset(a1); ld_inst a0, offset(a1))

/* ------------------------------------------------------------------ */
/* branches: taken forward and backward, not taken in both directions */

#define TEST_BR2_TAKEN(n, inst, val1, val2)                \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  li a1, val1; li a2, val2;                                \
  inst a1, a2, 92f;                                        \
  j fail;                                                  \
91:                                                        \
  j 93f;                                                   \
92:                                                        \
  inst a1, a2, 91b;                                        \
  j fail;                                                  \
93:

#define TEST_BR2_NOTTAKEN(n, inst, val1, val2)             \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  li a1, val1; li a2, val2;                                \
  inst a1, a2, 91f;                                        \
  j 92f;                                                   \
91:                                                        \
  j fail;                                                  \
92:                                                        \
  inst a1, a2, 91b;                                        \
  j 93f;                                                   \
93:

/* ------------------------------------------------------------------ */
/* floating point                                                      */
/* Every FP case clears fflags first and compares the accrued flags    */
/* exactly. Single-precision results must be NaN-boxed (upper 32 bits  */
/* of the f register all ones). `dir` is the data directive for the    */
/* operand/result values: .float/.double take decimal literals, the    */
/* _HEX macros take raw bit patterns (.word/.dword).                   */

#define FP_CASE_S(n, flags, dir, result, val1, val2, val3, code...) \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  .pushsection .data;                                      \
  .balign 8;                                               \
test_##n##_data: dir val1; dir val2; dir val3; dir result; \
  .popsection;                                             \
  la a0, test_##n##_data;                                  \
  flw f10, 0(a0); flw f11, 4(a0); flw f12, 8(a0);          \
  lw a3, 12(a0);                                           \
  fsflags x0;                                              \
  code;                                                    \
  fsflags a1, x0;                                          \
  li a2, flags; bne a1, a2, fail;                          \
  fmv.x.d a4, f13; srai a5, a4, 32; li a2, -1;             \
  bne a5, a2, fail;                                        \
  sext.w a4, a4; bne a4, a3, fail;

#define FP_CASE_D(n, flags, dir, result, val1, val2, val3, code...) \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  .pushsection .data;                                      \
  .balign 8;                                               \
test_##n##_data: dir val1; dir val2; dir val3; dir result; \
  .popsection;                                             \
  la a0, test_##n##_data;                                  \
  fld f10, 0(a0); fld f11, 8(a0); fld f12, 16(a0);         \
  ld a3, 24(a0);                                           \
  fsflags x0;                                              \
  code;                                                    \
  fsflags a1, x0;                                          \
  li a2, flags; bne a1, a2, fail;                          \
  fmv.x.d a4, f13; bne a4, a3, fail;

/* integer result in a0 (compares, fclass, conversions to integer) */
#define FP_INT_CASE_S(n, flags, dir, result, val1, val2, code...) \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  .pushsection .data;                                      \
  .balign 8;                                               \
test_##n##_data: dir val1; dir val2;                       \
  .popsection;                                             \
  la a4, test_##n##_data;                                  \
  flw f10, 0(a4); flw f11, 4(a4);                          \
  fsflags x0;                                              \
  code;                                                    \
  fsflags a1, x0;                                          \
  li a2, flags; bne a1, a2, fail;                          \
  li t2, result; bne a0, t2, fail;

#define FP_INT_CASE_D(n, flags, dir, result, val1, val2, code...) \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  .pushsection .data;                                      \
  .balign 8;                                               \
test_##n##_data: dir val1; dir val2;                       \
  .popsection;                                             \
  la a4, test_##n##_data;                                  \
  fld f10, 0(a4); fld f11, 8(a4);                          \
  fsflags x0;                                              \
  code;                                                    \
  fsflags a1, x0;                                          \
  li a2, flags; bne a1, a2, fail;                          \
  li t2, result; bne a0, t2, fail;

/* FP result in f13 from the integer in a1 */
#define FP_FROM_INT_CASE_S(n, flags, dir, result, int_value, code...) \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  .pushsection .data;                                      \
  .balign 8;                                               \
test_##n##_data: dir result;                               \
  .popsection;                                             \
  la a0, test_##n##_data; lw a3, 0(a0);                    \
  li a1, int_value;                                        \
  fsflags x0;                                              \
  code;                                                    \
  fsflags a1, x0;                                          \
  li a2, flags; bne a1, a2, fail;                          \
  fmv.x.d a4, f13; srai a5, a4, 32; li a2, -1;             \
  bne a5, a2, fail;                                        \
  sext.w a4, a4; bne a4, a3, fail;

#define FP_FROM_INT_CASE_D(n, flags, dir, result, int_value, code...) \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  .pushsection .data;                                      \
  .balign 8;                                               \
test_##n##_data: dir result;                               \
  .popsection;                                             \
  la a0, test_##n##_data; ld a3, 0(a0);                    \
  li a1, int_value;                                        \
  fsflags x0;                                              \
  code;                                                    \
  fsflags a1, x0;                                          \
  li a2, flags; bne a1, a2, fail;                          \
  fmv.x.d a4, f13; bne a4, a3, fail;

/* single precision, decimal literals */
#define TEST_FP_OP1_S(n, inst, flags, result, a)           FP_CASE_S(n, flags, .float, result, a, 0.0, 0.0, inst f13, f10)
#define TEST_FP_OP1_S_RM(n, inst, rm, flags, result, a)    FP_CASE_S(n, flags, .float, result, a, 0.0, 0.0, inst f13, f10, rm)
#define TEST_FP_OP2_S(n, inst, flags, result, a, b)        FP_CASE_S(n, flags, .float, result, a, b, 0.0, inst f13, f10, f11)
#define TEST_FP_OP2_S_RM(n, inst, rm, flags, result, a, b) FP_CASE_S(n, flags, .float, result, a, b, 0.0, inst f13, f10, f11, rm)
#define TEST_FP_OP3_S(n, inst, flags, result, a, b, c)     FP_CASE_S(n, flags, .float, result, a, b, c, inst f13, f10, f11, f12)
#define TEST_FP_OP3_S_RM(n, inst, rm, flags, result, a, b, c) FP_CASE_S(n, flags, .float, result, a, b, c, inst f13, f10, f11, f12, rm)
#define TEST_FP_CMP_S(n, inst, flags, result, a, b)        FP_INT_CASE_S(n, flags, .float, result, a, b, inst a0, f10, f11)
#define TEST_FP_TO_INT_S(n, inst, rm, flags, result, a)    FP_INT_CASE_S(n, flags, .float, result, a, 0.0, inst a0, f10, rm)
#define TEST_FP_FROM_INT_S(n, inst, rm, flags, result, i)  FP_FROM_INT_CASE_S(n, flags, .float, result, i, inst f13, a1, rm)
/* single precision, bit patterns */
#define TEST_FP_OP1_S_HEX(n, inst, flags, result, a)       FP_CASE_S(n, flags, .word, result, a, 0, 0, inst f13, f10)
#define TEST_FP_OP1_S_RM_HEX(n, inst, rm, flags, result, a) FP_CASE_S(n, flags, .word, result, a, 0, 0, inst f13, f10, rm)
#define TEST_FP_OP2_S_HEX(n, inst, flags, result, a, b)    FP_CASE_S(n, flags, .word, result, a, b, 0, inst f13, f10, f11)
#define TEST_FP_OP2_S_RM_HEX(n, inst, rm, flags, result, a, b) FP_CASE_S(n, flags, .word, result, a, b, 0, inst f13, f10, f11, rm)
#define TEST_FP_OP3_S_HEX(n, inst, flags, result, a, b, c) FP_CASE_S(n, flags, .word, result, a, b, c, inst f13, f10, f11, f12)
#define TEST_FP_OP3_S_RM_HEX(n, inst, rm, flags, result, a, b, c) FP_CASE_S(n, flags, .word, result, a, b, c, inst f13, f10, f11, f12, rm)
#define TEST_FP_CMP_S_HEX(n, inst, flags, result, a, b)    FP_INT_CASE_S(n, flags, .word, result, a, b, inst a0, f10, f11)
#define TEST_FP_CLASS_S(n, result, a)                      FP_INT_CASE_S(n, 0, .word, result, a, 0, fclass.s a0, f10)
#define TEST_FP_TO_INT_S_HEX(n, inst, rm, flags, result, a) FP_INT_CASE_S(n, flags, .word, result, a, 0, inst a0, f10, rm)
#define TEST_FP_FROM_INT_S_HEX(n, inst, rm, flags, result, i) FP_FROM_INT_CASE_S(n, flags, .word, result, i, inst f13, a1, rm)

/* double precision, decimal literals */
#define TEST_FP_OP1_D(n, inst, flags, result, a)           FP_CASE_D(n, flags, .double, result, a, 0.0, 0.0, inst f13, f10)
#define TEST_FP_OP1_D_RM(n, inst, rm, flags, result, a)    FP_CASE_D(n, flags, .double, result, a, 0.0, 0.0, inst f13, f10, rm)
#define TEST_FP_OP2_D(n, inst, flags, result, a, b)        FP_CASE_D(n, flags, .double, result, a, b, 0.0, inst f13, f10, f11)
#define TEST_FP_OP2_D_RM(n, inst, rm, flags, result, a, b) FP_CASE_D(n, flags, .double, result, a, b, 0.0, inst f13, f10, f11, rm)
#define TEST_FP_OP3_D(n, inst, flags, result, a, b, c)     FP_CASE_D(n, flags, .double, result, a, b, c, inst f13, f10, f11, f12)
#define TEST_FP_OP3_D_RM(n, inst, rm, flags, result, a, b, c) FP_CASE_D(n, flags, .double, result, a, b, c, inst f13, f10, f11, f12, rm)
#define TEST_FP_CMP_D(n, inst, flags, result, a, b)        FP_INT_CASE_D(n, flags, .double, result, a, b, inst a0, f10, f11)
#define TEST_FP_TO_INT_D(n, inst, rm, flags, result, a)    FP_INT_CASE_D(n, flags, .double, result, a, 0.0, inst a0, f10, rm)
#define TEST_FP_FROM_INT_D(n, inst, rm, flags, result, i)  FP_FROM_INT_CASE_D(n, flags, .double, result, i, inst f13, a1, rm)
/* double precision, bit patterns */
#define TEST_FP_OP1_D_HEX(n, inst, flags, result, a)       FP_CASE_D(n, flags, .dword, result, a, 0, 0, inst f13, f10)
#define TEST_FP_OP1_D_RM_HEX(n, inst, rm, flags, result, a) FP_CASE_D(n, flags, .dword, result, a, 0, 0, inst f13, f10, rm)
#define TEST_FP_OP2_D_HEX(n, inst, flags, result, a, b)    FP_CASE_D(n, flags, .dword, result, a, b, 0, inst f13, f10, f11)
#define TEST_FP_OP2_D_RM_HEX(n, inst, rm, flags, result, a, b) FP_CASE_D(n, flags, .dword, result, a, b, 0, inst f13, f10, f11, rm)
#define TEST_FP_OP3_D_HEX(n, inst, flags, result, a, b, c) FP_CASE_D(n, flags, .dword, result, a, b, c, inst f13, f10, f11, f12)
#define TEST_FP_OP3_D_RM_HEX(n, inst, rm, flags, result, a, b, c) FP_CASE_D(n, flags, .dword, result, a, b, c, inst f13, f10, f11, f12, rm)
#define TEST_FP_CMP_D_HEX(n, inst, flags, result, a, b)    FP_INT_CASE_D(n, flags, .dword, result, a, b, inst a0, f10, f11)
#define TEST_FP_CLASS_D(n, result, a)                      FP_INT_CASE_D(n, 0, .dword, result, a, 0, fclass.d a0, f10)
#define TEST_FP_TO_INT_D_HEX(n, inst, rm, flags, result, a) FP_INT_CASE_D(n, flags, .dword, result, a, 0, inst a0, f10, rm)
#define TEST_FP_FROM_INT_D_HEX(n, inst, rm, flags, result, i) FP_FROM_INT_CASE_D(n, flags, .dword, result, i, inst f13, a1, rm)

/* well-known bit patterns */
#define QNAN_S     0x7fc00000   /* canonical NaN */
#define SNAN_S     0x7f800001
#define NEG_QNAN_S 0xffc00000
#define INF_S      0x7f800000
#define NEG_INF_S  0xff800000
#define ZERO_S     0x00000000
#define NEG_ZERO_S 0x80000000
#define ONE_S      0x3f800000
#define MAX_S      0x7f7fffff
#define MIN_NORM_S 0x00800000
#define MIN_SUB_S  0x00000001
#define QNAN_D     0x7ff8000000000000
#define SNAN_D     0x7ff0000000000001
#define NEG_QNAN_D 0xfff8000000000000
#define INF_D      0x7ff0000000000000
#define NEG_INF_D  0xfff0000000000000
#define ZERO_D     0x0000000000000000
#define NEG_ZERO_D 0x8000000000000000
#define ONE_D      0x3ff0000000000000
#define MAX_D      0x7fefffffffffffff
#define MIN_NORM_D 0x0010000000000000
#define MIN_SUB_D  0x0000000000000001

#endif /* __ASSEMBLER__ */
#endif
