# Entry point of the benchmark workloads (guest-images/bench). The boot ROM
# enters in M-mode on every hart (-bios none); hart 0 turns the FPU on
# (mstatus.FS = Initial, privileged spec 3.1.6.6), sets up gp and sp, runs
# main and powers off through the SiFive test finisher (0x5555 = pass,
# 0x3333 | code << 16 = fail); every other hart parks in WFI.
    .section .text.entry, "ax"
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    li      t0, 0x2000
    csrs    mstatus, t0
    csrwi   fcsr, 0
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    main
    li      t0, 0x100000
    beqz    a0, 3f
    slli    a0, a0, 16
    li      t1, 0x3333
    or      t1, t1, a0
    sw      t1, 0(t0)
    j       park
3:  li      t1, 0x5555
    sw      t1, 0(t0)
park:
    wfi
    j       park
