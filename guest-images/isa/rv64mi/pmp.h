/* PMP helpers (privileged spec 3.7). The environment's catch-all entry 0 is
 * replaced: PMP_RESET leaves all entries off except entry 15, a NAPOT entry
 * over the whole address space with RWX, so that lower-numbered entries take
 * priority over it. Clobber t0. */
#define PMP_RESET                                          \
  csrw pmpcfg0, zero; csrw pmpcfg2, zero;                  \
  li t0, -1; csrw pmpaddr15, t0;                           \
  li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56;        \
  csrw pmpcfg2, t0; sfence.vma
/* pmpcfg byte of entry `index` (0..7) = value */
#define PMP_SET_CFG(index, value)                          \
  li t0, 0xff << ((index) * 8); csrc pmpcfg0, t0;          \
  li t0, (value) << ((index) * 8); csrs pmpcfg0, t0; sfence.vma
/* pmpaddr for a naturally aligned power-of-two region (size >= 8) */
#define PMP_NAPOT_ADDR(reg, base_reg, size)                \
  srli reg, base_reg, 2; ori reg, reg, ((size) / 8) - 1
