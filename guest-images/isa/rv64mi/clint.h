/* CLINT helpers for hart 0 (QEMU virt: msip 0x2000000, mtimecmp 0x2004000,
 * mtime 0x200bff8). Clobber t0 (and the named registers). */
#define READ_MTIME(reg)        li t0, CLINT_MTIME; ld reg, 0(t0)
#define WRITE_MTIMECMP(reg)    li t0, CLINT_MTIMECMP; sd reg, 0(t0)
#define MTIMECMP_NEVER         li t0, CLINT_MTIMECMP; li t1, -1; sd t1, 0(t0)
#define SET_MSIP(value)        li t0, CLINT_MSIP; li t1, value; sw t1, 0(t0)
/* mtimecmp = mtime + ticks (reg is clobbered) */
#define MTIMECMP_IN(reg, ticks) READ_MTIME(reg); addi reg, reg, ticks; WRITE_MTIMECMP(reg)
/* Spin until trap_state.expect is consumed (the expected trap happened),
 * at most `limit` iterations; falls through either way. Clobbers t0, t1. */
#define SPIN_UNTIL_TRAP(limit)                             \
  li t1, limit;                                            \
  1: LOAD_TRAP(t0, TS_EXPECT); beqz t0, 2f;                \
  addi t1, t1, -1; bnez t1, 1b;                            \
  2:
