/* The contract between a test program and the shared environment (crt.S).
 *
 * A test is one .S file:
 *
 *     #include "test_macros.h"
 *     TEST_BEGIN_U            // body runs in U-mode (S: TEST_BEGIN_S, M: TEST_BEGIN_M)
 *       TEST_RR_OP(2, add, 3, 1, 2)
 *       ...
 *     TEST_END                // all cases passed -> sifive_test 0x5555
 *
 * The environment the file is linked with decides how the body runs:
 *   p  physical: satp = 0, the body runs in the mode it asked for, reached by
 *      mret from M-mode; PMP entry 0 grants S/U access to everything.
 *   v  virtual: as p, but satp holds an Sv39 table that maps RAM at
 *      VIRT_RAM_BASE (upper half, not identity) and the first GiB (devices)
 *      identity; the body runs at its virtual address. Only U and S bodies.
 *
 * Failure: TESTNUM (gp) holds the number of the running case. `fail` (end of
 * every test) prints the case number on the UART and exits through
 * sifive_test with status = case number (1..255; 255 if out of range).
 * An unexpected trap prints cause/epc/tval and exits the same way.
 *
 * Registers: gp is reserved for TESTNUM. Code must be position independent
 * (la/lla are PC-relative here), because under "v" it runs at a different
 * address from the one it was linked at.
 *
 * Expected traps: both handlers (M: crt's m_trap_entry at mtvec, S:
 * s_trap_entry at stvec) consult `trap_state`. If its `expect` field is
 * non-zero the trap is recorded (cause, epc, tval, status, handling mode,
 * count), `expect` is cleared, and execution resumes at the address in
 * `expect`, or at epc if `expect` is 1 (for interrupts: the handler then also
 * clears the interrupt's bit in mie/sie so it cannot fire again). If
 * `next_mode` is non-zero (PRV_x + 1) the handler returns to that mode with
 * its interrupt enable cleared (MIE = 0 after mret, SIE = 0 after sret).
 * The handlers clobber no register of the interrupted code.
 */
#ifndef EMU_ISA_TEST_H
#define EMU_ISA_TEST_H

#include "riscv_defs.h"

#define TESTNUM gp

/* v environment: where RAM appears in the virtual address space. */
#define VIRT_RAM_BASE 0xffffffffc0000000
#define VIRT_OFFSET   (VIRT_RAM_BASE - RAM_BASE)

/* trap_state layout (crt.S) */
#define TS_EXPECT    0
#define TS_NEXT_MODE 8
#define TS_CAUSE     16
#define TS_EPC       24
#define TS_TVAL      32
#define TS_STATUS    40
#define TS_MODE      48
#define TS_COUNT     56
#define TS_SIZE      64

#ifdef __ASSEMBLER__

#define TEST_BEGIN(mode)                                   \
  .pushsection .rodata.test_body_mode, "a";                \
  .balign 4;                                               \
  .globl test_body_mode;                                   \
test_body_mode: .word mode;                                \
  .popsection;                                             \
  .text;                                                   \
  .option norvc;                                           \
  .balign 4;                                               \
  .globl test_main;                                        \
test_main:

#define TEST_BEGIN_U TEST_BEGIN(PRV_U)
#define TEST_BEGIN_S TEST_BEGIN(PRV_S)
#define TEST_BEGIN_M TEST_BEGIN(PRV_M)

#define TEST_END                                           \
  j test_pass;                                             \
fail:                                                      \
  j test_fail;

/* ---- expected traps (clobber t0, t1) ---- */
#define EXPECT_TRAP(resume_label)                          \
  la t1, trap_state; la t0, resume_label; sd t0, TS_EXPECT(t1)
#define EXPECT_INTERRUPT                                   \
  la t1, trap_state; li t0, 1; sd t0, TS_EXPECT(t1)
/* as EXPECT_TRAP, and the handler returns to privilege `mode` (PRV_x) */
#define EXPECT_TRAP_TO_MODE(resume_label, mode)            \
  EXPECT_TRAP(resume_label); li t0, (mode) + 1; sd t0, TS_NEXT_MODE(t1)
#define DISARM_TRAP                                        \
  la t1, trap_state; sd zero, TS_EXPECT(t1); sd zero, TS_NEXT_MODE(t1)
/* reg = trap_state.field */
#define LOAD_TRAP(reg, field)                              \
  la reg, trap_state; ld reg, field(reg)

/* Fail the current case unless the last trap had the given field value.
 * Clobbers t0, t1. */
#define CHECK_TRAP_FIELD(field, value)                     \
  LOAD_TRAP(t0, field); li t1, value; bne t0, t1, fail
#define CHECK_TRAP_FIELD_LABEL(field, label)               \
  LOAD_TRAP(t0, field); la t1, label; bne t0, t1, fail
/* field must equal a register (not t0/t1) */
#define CHECK_TRAP_FIELD_REG(field, reg)                   \
  LOAD_TRAP(t0, field); bne t0, reg, fail
/* the handler consumed the expectation (i.e. a trap happened) */
#define CHECK_TRAP_TAKEN                                   \
  LOAD_TRAP(t0, TS_EXPECT); bnez t0, fail

/* Case n: `code` must trap with `cause`; epc must be the first instruction
 * of `code`; execution continues after the check. */
#define TEST_TRAP(n, cause, code...)                       \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  EXPECT_TRAP(98f);                                        \
97: code;                                                  \
  j fail;                                                  \
98:                                                        \
  CHECK_TRAP_FIELD(TS_CAUSE, cause);                       \
  CHECK_TRAP_FIELD_LABEL(TS_EPC, 97b);

/* as TEST_TRAP, accepting either of two causes (where QEMU 7.2 and the
 * specification disagree; the test says which is which) */
#define TEST_TRAP_EITHER(n, cause1, cause2, code...)       \
test_##n:                                                  \
  li TESTNUM, n;                                           \
  EXPECT_TRAP(98f);                                        \
97: code;                                                  \
  j fail;                                                  \
98:                                                        \
  LOAD_TRAP(t0, TS_CAUSE); li t1, cause1; beq t0, t1, 99f; \
  li t1, cause2; bne t0, t1, fail;                         \
99:                                                        \
  CHECK_TRAP_FIELD_LABEL(TS_EPC, 97b);

/* as TEST_TRAP, and also checks tval */
#define TEST_TRAP_TVAL(n, cause, tval, code...)            \
  TEST_TRAP(n, cause, code)                                \
  CHECK_TRAP_FIELD(TS_TVAL, tval);

/* ---- privilege changes ---- */
/* From M-mode: continue at `label` in privilege `mode` (mret; MPIE/MIE as
 * they are). Clobbers t0. */
#define ENTER_MODE_FROM_M(mode, label)                     \
  li t0, MSTATUS_MPP; csrc mstatus, t0;                    \
  li t0, (mode) << 11; csrs mstatus, t0;                   \
  la t0, label; csrw mepc, t0; mret
/* From S-mode: continue at `label` in U or S (sret). Clobbers t0. */
#define ENTER_MODE_FROM_S(mode, label)                     \
  li t0, MSTATUS_SPP; csrc sstatus, t0;                    \
  li t0, ((mode) & 1) << 8; csrs sstatus, t0;              \
  la t0, label; csrw sepc, t0; sret
/* From any mode: ecall, and have the handler that takes it (M, or S if
 * the ecall is delegated) continue at `label` in privilege `mode`.
 * Clobbers t0, t1. */
#define ECALL_TO_MODE(mode, label)                         \
  EXPECT_TRAP_TO_MODE(label, mode); ecall; j fail

/* ---- exits usable from any mode (the devices are mapped in "v") ---- */
#define EXIT_PASS j test_pass

#endif /* __ASSEMBLER__ */
#endif
