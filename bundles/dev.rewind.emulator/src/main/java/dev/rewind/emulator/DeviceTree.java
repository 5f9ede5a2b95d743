package dev.rewind.emulator;

/**
 * The device tree of this machine as QEMU 7.2 virt builds it ({@code hw/riscv/virt.c}), node
 * for node where the device exists here: memory, the cpus (one node and one interrupt controller
 * per hart, {@code riscv,isa} derived from misa) with their cpu-map, /chosen, the syscon
 * poweroff and reboot nodes on the test finisher, the CFI flash when present, and under /soc the
 * RTC, UART, test finisher, eight virtio-mmio slots, PLIC and CLINT (an M and an S context per
 * hart). Nodes appear in the order QEMU's dump shows them. Phandles are numbered as QEMU numbers
 * them (cpus from the last hart down, each cpu then its interrupt controller; then the PLIC, then
 * the test finisher).
 *
 * <p>Left out on purpose (QEMU has them, this machine has no such device): pmu, fw-cfg,
 * platform-bus, the PCIe host bridge; and /chosen/rng-seed, which QEMU fills with host
 * randomness, so the tree stays a pure function of the configuration.
 */
final class DeviceTree {

    /** QEMU 7.2 virt's interrupt sources (VIRT_IRQCHIP_NUM_SOURCES - 1). */
    static final int PLIC_NDEV = 0x60;
    /** The test finisher's syscon values for poweroff (FINISHER_PASS) and reboot (FINISHER_RESET). */
    static final int POWEROFF_VALUE = 0x5555, REBOOT_VALUE = 0x7777;
    /** QEMU's order of single-letter extensions in riscv,isa (target/riscv/cpu.c riscv_single_letter_exts). */
    private static final String ISA_LETTERS = "IEMAFDQCPVH";
    /** Interrupt numbers of the hart-local controller: M/S software, timer, external. */
    private static final int IRQ_M_SOFT = 3, IRQ_M_TIMER = 7, IRQ_S_EXT = 9, IRQ_M_EXT = 11;

    private DeviceTree() {
    }

    /**
     * What the tree describes, and which flash banks were given contents (QEMU's
     * {@code -drive if=pflash,unit=N}), which changes where the boot goes.
     */
    record Machine(long ramBase, long ramSize, int harts, long misa, boolean flash, boolean pflash0, boolean pflash1) {
    }

    /** {@code riscv,isa} as QEMU writes it: rv64, the misa letters in QEMU's order, then Zicsr and Zifencei. */
    static String isaString(long misa) {
        StringBuilder sb = new StringBuilder("rv64");
        for (char c : ISA_LETTERS.toCharArray()) {
            if ((misa & (1L << (c - 'A'))) != 0) {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.append("_zicsr_zifencei").toString();
    }

    static FdtNode build(Machine m) {
        int harts = m.harts();
        int[] cpuPhandle = new int[harts];
        int[] intcPhandle = new int[harts];
        int phandle = 1;
        for (int h = harts - 1; h >= 0; h--) {
            cpuPhandle[h] = phandle++;
            intcPhandle[h] = phandle++;
        }
        int plicPhandle = phandle++;
        int testPhandle = phandle;

        FdtNode root = new FdtNode("");
        root.cells("#address-cells", 2).cells("#size-cells", 2)
                .str("compatible", "riscv-virtio").str("model", "riscv-virtio,qemu");
        if (m.flash()) {
            long base = CfiFlash.BASE, bank = FlashImage.BANK_SIZE;
            root.child("flash@20000000").cells("bank-width", 4)
                    .cells("reg", 0, base, 0, bank, 0, base + bank, 0, bank).str("compatible", "cfi-flash");
        }
        root.child("chosen").str("stdout-path", "/soc/serial@10000000");
        root.child("poweroff").cells("value", POWEROFF_VALUE).cells("offset", 0).cells("regmap", testPhandle)
                .str("compatible", "syscon-poweroff");
        root.child("reboot").cells("value", REBOOT_VALUE).cells("offset", 0).cells("regmap", testPhandle)
                .str("compatible", "syscon-reboot");
        root.child(String.format("memory@%x", m.ramBase())).str("device_type", "memory")
                .cells("reg", m.ramBase() >>> 32, m.ramBase() & 0xffffffffL, m.ramSize() >>> 32, m.ramSize() & 0xffffffffL);

        FdtNode cpus = root.child("cpus").cells("#address-cells", 1).cells("#size-cells", 0)
                .cells("timebase-frequency", Clint.FREQUENCY);
        String isa = isaString(m.misa());
        for (int h = 0; h < harts; h++) {
            FdtNode cpu = cpus.child("cpu@" + h).cells("phandle", cpuPhandle[h]).str("device_type", "cpu").cells("reg", h)
                    .str("status", "okay").str("compatible", "riscv").str("riscv,isa", isa).str("mmu-type", "riscv,sv39");
            cpu.child("interrupt-controller").cells("#interrupt-cells", 1).empty("interrupt-controller")
                    .str("compatible", "riscv,cpu-intc").cells("phandle", intcPhandle[h]);
        }
        FdtNode cluster = cpus.child("cpu-map").child("cluster0");
        for (int h = 0; h < harts; h++) {
            cluster.child("core" + h).cells("cpu", cpuPhandle[h]);
        }

        FdtNode soc = root.child("soc").cells("#address-cells", 2).cells("#size-cells", 2)
                .str("compatible", "simple-bus").empty("ranges");
        soc.child("rtc@101000").cells("interrupts", GoldfishRtc.IRQ).cells("interrupt-parent", plicPhandle)
                .cells("reg", 0, GoldfishRtc.BASE, 0, GoldfishRtc.SIZE).str("compatible", "google,goldfish-rtc");
        soc.child("serial@10000000").cells("interrupts", Uart16550.IRQ).cells("interrupt-parent", plicPhandle)
                .cells("clock-frequency", Uart16550.CLOCK_HZ).cells("reg", 0, Uart16550.BASE, 0, Uart16550.SIZE)
                .str("compatible", "ns16550a");
        soc.child("test@100000").cells("phandle", testPhandle).cells("reg", 0, SifiveTest.BASE, 0, SifiveTest.SIZE)
                .str("compatible", "sifive,test1", "sifive,test0", "syscon");
        for (int i = VirtioMmio.SLOTS - 1; i >= 0; i--) {
            long base = VirtioMmio.BASE + i * VirtioMmio.SIZE;
            soc.child(String.format("virtio_mmio@%x", base)).cells("interrupts", VirtioMmio.FIRST_IRQ + i)
                    .cells("interrupt-parent", plicPhandle).cells("reg", 0, base, 0, VirtioMmio.SIZE)
                    .str("compatible", "virtio,mmio");
        }
        long[] plicContexts = new long[4 * harts];
        long[] clintContexts = new long[4 * harts];
        for (int h = 0; h < harts; h++) {
            plicContexts[4 * h] = intcPhandle[h];
            plicContexts[4 * h + 1] = IRQ_M_EXT;
            plicContexts[4 * h + 2] = intcPhandle[h];
            plicContexts[4 * h + 3] = IRQ_S_EXT;
            clintContexts[4 * h] = intcPhandle[h];
            clintContexts[4 * h + 1] = IRQ_M_SOFT;
            clintContexts[4 * h + 2] = intcPhandle[h];
            clintContexts[4 * h + 3] = IRQ_M_TIMER;
        }
        soc.child("plic@c000000").cells("phandle", plicPhandle).cells("riscv,ndev", PLIC_NDEV)
                .cells("reg", 0, Plic.BASE, 0, Plic.SIZE).cells("interrupts-extended", plicContexts)
                .empty("interrupt-controller").str("compatible", "sifive,plic-1.0.0", "riscv,plic0")
                .cells("#address-cells", 0).cells("#interrupt-cells", 1);
        soc.child("clint@2000000").cells("interrupts-extended", clintContexts)
                .cells("reg", 0, Clint.BASE, 0, Clint.SIZE).str("compatible", "sifive,clint0", "riscv,clint0");
        return root;
    }

    /**
     * Where QEMU 7.2 puts the FDT (riscv_load_fdt): 2 MiB aligned, at least {@code fdtSize} below
     * the end of RAM or 3 GiB, whichever is lower. QEMU measures the tree before packing it: 1 MiB
     * for its own, (file size + 10000) * 2 for a {@code -dtb} file.
     */
    static long loadAddress(long ramBase, long ramSize, long fdtSize) {
        long end = ramBase < (3L << 30) ? Math.min(ramBase + ramSize, 3L << 30) : ramBase + ramSize;
        return (end - fdtSize) & ~((2L << 20) - 1);
    }
}
