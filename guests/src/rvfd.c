/* rvfd: the F and D extensions' architectural state as QEMU 7.2 implements it —
 * mstatus.FS (Off: every FP instruction and FP CSR access is illegal, mtval = the
 * instruction bits; writes of f registers or of fflags/frm/fcsr make it Dirty and set SD,
 * compares/conversions to x registers/stores do not), reserved rounding modes (rm 5, 6 and
 * dynamic with frm 5-7 are illegal), the fcsr/frm/fflags CSRs, misa F and D, NaN boxing of
 * singles, compressed FP loads/stores, and a few results of each kind of operation.
 * Built with -march=rv64gc -mabi=lp64d. */
#include "rt.h"

#define NORVC ".option push\n.option norvc\n"
#define POPRVC "\n.option pop"

static u64 fs(void) { return csr_read(mstatus) & MSTATUS_FS; }
static void set_fs(u64 v) { csr_clear(mstatus, MSTATUS_FS); csr_set(mstatus, v); }

/* Executes one instruction (given as text) with FS set to fs_value, then restores Dirty;
 * returns the trap cause + 1 (0 if none). The instruction touches only ft0/ft1/t0. */
#define WITH_FS(fs_value, insn) ({ u64 n__ = last_trap.count; \
        asm volatile("csrc mstatus, %0\n csrs mstatus, %1\n" NORVC insn POPRVC "\n csrs mstatus, %0" \
        :: "r"((u64)MSTATUS_FS), "r"((u64)(fs_value)) : "t0", "ft0", "ft1", "memory"); \
        last_trap.count != n__ ? last_trap.cause + 1 : 0; })

static u64 bits_d(double d) { u64 v; asm volatile("fmv.x.d %0, %1" : "=r"(v) : "f"(d)); return v; }
static double from_d(u64 v) { double d; asm volatile("fmv.d.x %0, %1" : "=f"(d) : "r"(v)); return d; }

static u64 word_at(const char *p) { return *(volatile u32 *)p; }

extern char insn_fadd[], insn_fld[], insn_cfldsp[], insn_csrr_fflags[], insn_fmvxd[];
extern char insn_rm5[], insn_rm6[], insn_dyn[];

static void fs_group(void)
{
    group("fs");
    check_eq(fs(), MSTATUS_FS_INITIAL, "crt0 leaves FS Initial");
    check_eq(csr_read(misa) & ((1 << 3) | (1 << 5)), (1 << 3) | (1 << 5), "misa has D and F");

    set_fs(MSTATUS_FS_INITIAL);
    u64 r;
    asm volatile("feq.d %0, ft0, ft0" : "=r"(r) :: "memory");
    check_eq(fs(), MSTATUS_FS_INITIAL, "feq.d leaves FS");
    asm volatile("fcvt.w.d %0, ft0, rtz" : "=r"(r) :: "memory");
    check_eq(fs(), MSTATUS_FS_INITIAL, "fcvt.w.d leaves FS");
    u64 slot;
    asm volatile("fsd ft0, %0" : "=m"(slot) :: "memory");
    check_eq(fs(), MSTATUS_FS_INITIAL, "fsd leaves FS");
    asm volatile("csrr %0, fflags" : "=r"(r) :: "memory");
    check_eq(fs(), MSTATUS_FS_INITIAL, "reading fflags leaves FS");
    /* A signalling NaN raises NV in feq.d, still without dirtying FS. */
    asm volatile("fmv.d.x ft1, %0" :: "r"(0x7ff0000000000001UL) : "ft1");
    set_fs(MSTATUS_FS_INITIAL);
    csr_write(fflags, 0); /* dirties */
    set_fs(MSTATUS_FS_INITIAL);
    asm volatile("feq.d %0, ft1, ft1" : "=r"(r) :: "memory");
    check_eq(fs(), MSTATUS_FS_INITIAL, "feq.d raising NV leaves FS");
    check_eq(csr_read(fflags), 0x10, "feq.d of a signalling NaN raises NV");
    check_eq(csr_read(mstatus) & MSTATUS_SD, 0, "SD clear while FS is not Dirty");

    asm volatile("fadd.d ft0, ft0, ft0" ::: "ft0", "memory");
    check_eq(fs(), MSTATUS_FS, "fadd.d makes FS Dirty");
    check_eq(csr_read(mstatus) & MSTATUS_SD, MSTATUS_SD, "SD set with FS Dirty");
    check_eq(csr_read(sstatus) & (MSTATUS_SD | MSTATUS_FS), MSTATUS_SD | MSTATUS_FS, "sstatus shows FS and SD");

    set_fs(MSTATUS_FS_CLEAN);
    asm volatile("fmv.x.d %0, ft0" : "=r"(r) :: "memory");
    check_eq(fs(), MSTATUS_FS_CLEAN, "fmv.x.d leaves FS Clean");
    asm volatile("fmv.d.x ft0, %0" :: "r"(r) : "ft0", "memory");
    check_eq(fs(), MSTATUS_FS, "fmv.d.x makes FS Dirty");
    set_fs(MSTATUS_FS_CLEAN);
    csr_write(frm, 1);
    check_eq(fs(), MSTATUS_FS, "writing frm makes FS Dirty");
    set_fs(0);
    check_eq(csr_read(mstatus) & (MSTATUS_SD | MSTATUS_FS), 0, "FS Off, SD clear");
    set_fs(MSTATUS_FS);
    csr_write(frm, 0);

    /* FS Off: each FP instruction or FP CSR access traps with mtval = its bits. */
    struct { const char *name; char *at; u64 cause; } off[5] = {
        {"fadd.d with FS Off", insn_fadd, 0}, {"fld with FS Off", insn_fld, 0},
        {"c.fldsp with FS Off", insn_cfldsp, 0}, {"csrr fflags with FS Off", insn_csrr_fflags, 0},
        {"fmv.x.d with FS Off", insn_fmvxd, 0},
    };
    off[0].cause = WITH_FS(0, "insn_fadd: fadd.d ft0, ft0, ft1");
    check_eq(last_trap.tval, word_at(insn_fadd), "fadd.d mtval");
    off[1].cause = WITH_FS(0, "insn_fld: fld ft0, 0(sp)");
    check_eq(last_trap.tval, word_at(insn_fld), "fld mtval");
    off[2].cause = WITH_FS(0, ".option rvc\n insn_cfldsp: c.fldsp ft0, 0(sp)");
    check_eq(last_trap.tval, word_at(insn_cfldsp) & 0xffff, "c.fldsp mtval is 16 bits");
    check_eq(last_trap.epc, (u64)insn_cfldsp, "c.fldsp epc");
    off[3].cause = WITH_FS(0, "insn_csrr_fflags: csrr t0, fflags");
    off[4].cause = WITH_FS(0, "insn_fmvxd: fmv.x.d t0, ft0");
    for (int i = 0; i < 5; i++)
        check_eq(off[i].cause, EXC_ILLEGAL + 1, off[i].name);
    check_eq(WITH_FS(MSTATUS_FS_INITIAL, "fadd.d ft0, ft0, ft1"), 0, "fadd.d with FS Initial");
}

static void rm_group(void)
{
    group("rm");
    /* fadd.d ft0, ft0, ft1 with rm = 5 and 6: reserved. */
    check_eq(WITH_FS(MSTATUS_FS, "insn_rm5: .insn r 0x53, 5, 1, ft0, ft0, ft1"), EXC_ILLEGAL + 1, "rm 5 is illegal");
    check_eq(last_trap.tval, word_at(insn_rm5), "rm 5 mtval");
    check_eq(WITH_FS(MSTATUS_FS, "insn_rm6: .insn r 0x53, 6, 1, ft0, ft0, ft1"), EXC_ILLEGAL + 1, "rm 6 is illegal");
    for (u64 f = 0; f < 8; f++) {
        csr_write(frm, f);
        u64 c = WITH_FS(MSTATUS_FS, "insn_dyn: fmul.d ft0, ft0, ft1, dyn");
        check_eq(c, f > 4 ? EXC_ILLEGAL + 1 : 0, f > 4 ? "dynamic rm with frm > 4 is illegal" : "dynamic rm valid");
    }
    csr_write(frm, 7);
    check_eq(WITH_FS(MSTATUS_FS, "fsgnj.d ft0, ft0, ft1"), 0, "fsgnj.d ignores frm");
    check_eq(WITH_FS(MSTATUS_FS, "fmin.d ft0, ft0, ft1"), 0, "fmin.d ignores frm");
    check_eq(WITH_FS(MSTATUS_FS, "feq.d t0, ft0, ft1"), 0, "feq.d ignores frm");
    csr_write(frm, 0);
}

static void csr_group(void)
{
    group("fcsr");
    csr_write(fcsr, 0xfff);
    check_eq(csr_read(fcsr), 0xff, "fcsr keeps 8 bits");
    check_eq(csr_read(frm), 7, "frm is fcsr[7:5]");
    check_eq(csr_read(fflags), 0x1f, "fflags is fcsr[4:0]");
    csr_write(fflags, 0xff);
    check_eq(csr_read(fflags), 0x1f, "fflags keeps 5 bits");
    csr_write(frm, 0xfe);
    check_eq(csr_read(frm), 6, "frm keeps 3 bits");
    check_eq(csr_read(fcsr), 0xdf, "fcsr after frm write");
    csr_write(fcsr, 0);
    volatile double a = 1.0, b = 3.0;
    volatile double q = a / b;
    (void)q;
    check_eq(csr_read(fflags), 0x01, "1/3 is inexact");
    volatile double z = 0.0;
    q = a / z;
    check_eq(csr_read(fflags), 0x09, "1/0 raises DZ");
    csr_write(fflags, 0);
}

static void nanbox_group(void)
{
    group("nanbox");
    u64 r;
    double d;
    asm volatile("fmv.w.x %0, %1" : "=f"(d) : "r"(0x3f800000UL));
    check_eq(bits_d(d), 0xffffffff3f800000UL, "fmv.w.x boxes");
    u32 w = 0x40490fdb;
    asm volatile("flw %0, %1" : "=f"(d) : "m"(w));
    check_eq(bits_d(d), 0xffffffff40490fdbUL, "flw boxes");
    double unboxed = from_d(0x123456783f800000UL);
    u32 out = 0;
    asm volatile("fsw %1, %0" : "=m"(out) : "f"(unboxed));
    check_eq(out, 0x3f800000, "fsw stores the low half as is");
    asm volatile("fmv.x.w %0, %1" : "=r"(r) : "f"(from_d(0x00000000bf800000UL)));
    check_eq(r, 0xffffffffbf800000UL, "fmv.x.w sign-extends the low half");
    asm volatile("fadd.s %0, %1, %1" : "=f"(d) : "f"(unboxed));
    check_eq(bits_d(d), 0xffffffff7fc00000UL, "an unboxed operand reads as the default NaN");
    asm volatile("fsgnj.s %0, %1, %1" : "=f"(d) : "f"(unboxed));
    check_eq(bits_d(d), 0xffffffff7fc00000UL, "fmv.s of an unboxed value gives the default NaN");
    asm volatile("fsgnjn.s %0, %1, %2" : "=f"(d) : "f"(from_d(0xffffffff3f800000UL)), "f"(unboxed));
    check_eq(bits_d(d), 0xffffffffbf800000UL, "fsgnjn.s takes the sign of the default NaN");
    asm volatile("fclass.s %0, %1" : "=r"(r) : "f"(unboxed));
    check_eq(r, 1 << 9, "fclass.s of an unboxed value is quiet NaN");
    asm volatile("fcvt.d.s %0, %1" : "=f"(d) : "f"(from_d(0xffffffff7f800001UL)));
    check_eq(bits_d(d), 0x7ff8000000000000UL, "fcvt.d.s of a signalling NaN gives the default NaN");
    csr_write(fflags, 0);
}

static void compressed_group(void)
{
    group("c.fp");
    u64 buf[4] = {0x400921fb54442d18UL, 0, 0, 0};
    u64 a, b;
    asm volatile(".option push\n.option rvc\n mv a4, %2\n c.fld fa4, 0(a4)\n c.fsd fa4, 8(a4)\n"
            " c.fsdsp fa4, 0(sp)\n c.fldsp fa5, 0(sp)\n c.fsd fa5, 16(a4)\n fmv.x.d %0, fa4\n fmv.x.d %1, fa5\n"
            ".option pop" : "=r"(a), "=r"(b) : "r"(buf) : "a4", "fa4", "fa5", "memory");
    check_eq(buf[1], buf[0], "c.fld / c.fsd");
    check_eq(buf[2], buf[0], "c.fsdsp / c.fldsp");
    check_eq(a, b, "registers after the round trip");
}

static void arith_group(void)
{
    group("arith");
    volatile double one = 1.0, two = 2.0, m0 = -0.0, p0 = 0.0;
    check_eq(bits_d(one + two), bits_d(3.0), "1 + 2");
    check_eq(bits_d(__builtin_sqrt(two)), 0x3ff6a09e667f3bcdUL, "sqrt 2");
    double r;
    asm volatile("fmin.d %0, %1, %2" : "=f"(r) : "f"((double)p0), "f"((double)m0));
    check_eq(bits_d(r), 0x8000000000000000UL, "fmin(+0, -0) = -0");
    asm volatile("fmax.d %0, %1, %2" : "=f"(r) : "f"(from_d(0x7ff8000000000000UL)), "f"((double)one));
    check_eq(bits_d(r), bits_d(1.0), "fmax(NaN, 1) = 1");
    u64 i;
    asm volatile("fcvt.w.d %0, %1, rtz" : "=r"(i) : "f"(3e10));
    check_eq(i, 0x7fffffff, "fcvt.w.d saturates");
    asm volatile("fcvt.wu.d %0, %1, rtz" : "=r"(i) : "f"(-1.0));
    check_eq(i, 0, "fcvt.wu.d of -1 is 0");
    check_eq(csr_read(fflags) & 0x10, 0x10, "saturation raises NV");
    csr_write(fflags, 0);
    /* a = 1 + 2^-23: a*a - fl(a*a) = 2^-46 exactly when fused, 0 when rounded twice. */
    u64 a = 0xffffffff3f800001UL, p = 0xffffffff3f800002UL, s;
    asm volatile("fnmsub.s %0, %1, %1, %2" : "=f"(r) : "f"(from_d(a)), "f"(from_d(p)));
    asm volatile("fneg.s %0, %1" : "=f"(r) : "f"(r));
    s = bits_d(r);
    check_eq(s, 0xffffffff28800000UL, "fnmsub.s rounds once");
    csr_write(fflags, 0);
}

int main(void)
{
    m_trap_hook = trap_skip_hook;
    fs_group();
    rm_group();
    csr_group();
    nanbox_group();
    compressed_group();
    arith_group();
    return checks_done();
}
