/* icount: which instructions QEMU 7.2's icount counts when they raise an exception.
 * Reads instret (= icount under -icount) around one instruction whose trap handler is
 * 4 instructions long. Counted: ecall, ebreak and instructions that fail to decode
 * (the exception is part of the translated code). Not counted: exceptions raised while
 * the instruction executes — CSR permission/unknown CSR, load/store/AMO access faults,
 * misaligned AMO/LR (and, by the same rule, page faults). Run it with -icount shift=0:
 * without icount QEMU's instret follows host time and the checks fail. */
#include "rt.h"

#define P(n) extern u64 probe_##n(void);
P(nop) P(ecall) P(ebreak) P(custom0) P(all_ones) P(csr_readonly) P(csr_unknown) P(load_fault)
P(store_fault) P(amo_fault) P(amo_misaligned) P(lr_misaligned) P(ld_misaligned)

#define HANDLER 4

static void expect(u64 delta, u64 base, int counted, const char *what)
{
    check_eq(delta - base, (u64)(HANDLER + (counted ? 1 : 0) - 1), what);
}

int main(void)
{
    uart_puts("icount: instructions counted by QEMU's icount around exceptions\n");
    group("icount.baseline");
    u64 base = probe_nop();
    check_eq(probe_nop(), base, "instret deltas are exact");
    check_eq(probe_ld_misaligned(), base, "misaligned ld: performed, one instruction");

    group("icount.counted");
    expect(probe_ecall(), base, 1, "ecall counts");
    expect(probe_ebreak(), base, 1, "ebreak counts");
    expect(probe_custom0(), base, 1, "undecodable custom-0 counts");
    expect(probe_all_ones(), base, 1, "undecodable 0xffffffff counts");

    group("icount.not-counted");
    expect(probe_csr_readonly(), base, 0, "write to read-only CSR");
    expect(probe_csr_unknown(), base, 0, "unknown CSR");
    expect(probe_load_fault(), base, 0, "load access fault");
    expect(probe_store_fault(), base, 0, "store access fault");
    expect(probe_amo_fault(), base, 0, "AMO access fault");
    expect(probe_amo_misaligned(), base, 0, "misaligned AMO");
    expect(probe_lr_misaligned(), base, 0, "misaligned LR");
    return checks_done();
}
