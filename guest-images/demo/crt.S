# Entry point of the demo. The boot ROM (QEMU's and emu's alike) enters
# here in M-mode on every hart with a0 = mhartid, a1 = device-tree address and
# a2 = the fw_dynamic_info block; the demo passes all three to main on hart 0
# and parks every other hart.
    .section .text.entry, "ax"
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    # Set up gp without relaxation (nothing has a gp yet).
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    # Zero .bss: the loader does it for ELF, but a raw image carries no bss.
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    main
    # main returns the exit code: 0 = pass, else fail with that code.
    li      t0, 0x100000        # sifive_test finisher
    beqz    a0, 3f
    slli    a0, a0, 16
    li      t1, 0x3333          # FAIL | code << 16
    or      t1, t1, a0
    sw      t1, 0(t0)
    j       park
3:  li      t1, 0x5555          # PASS: power off
    sw      t1, 0(t0)
park:
    wfi
    j       park
