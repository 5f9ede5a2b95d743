package dev.rewind.emulator;

import java.util.ArrayList;
import java.util.List;

/**
 * A QEMU {@code virt} machine with 1 to 8 RV64GC harts ({@link HartScheduler} interleaves them
 * deterministically): boot ROM at 0x1000, RAM at 0x8000_0000,
 * UART, CLINT, PLIC, SiFive test finisher, goldfish RTC, eight virtio-mmio slots (block device in slot 0 when
 * a disk is configured), two CFI flash banks and HTIF through ELF symbols. Execution is a pure function of the loaded
 * program, the configuration and what the {@link InputPort} delivers.
 *
 * <p>Time: {@link #icount()} counts retired instructions; virtual ns = (icount &lt;&lt; shift) + bias,
 * and the bias only grows by idle warps the input port grants at WFI.
 *
 * <p>Not thread-safe: one caller drives it.
 */
public final class VirtMachine {

    public static final long RAM_BASE = Hart.RAM_BASE;
    /** The hart's ISA as the device tree and recordings name it (derived from misa): "rv64imafdc_zicsr_zifencei". */
    public static final String ISA = DeviceTree.isaString(CsrFile.MISA);
    public static final long ROM_BASE = 0x1000, ROM_SIZE = 0xf000;
    public static final long FDT_MAGIC_INFO = 0x4942534fL; // "OSBI", fw_dynamic_info magic

    private final MachineConfig config;
    private final InputPort port;
    private final Memory ram;
    private final Memory rom;
    private final Bus bus;
    private final Hart[] harts;
    private final DebugView[] views;
    private final HartScheduler scheduler;
    /** The hart whose turn it is ({@link HartScheduler#current}), refreshed at every boundary. */
    private Hart hart;
    private final DebugHooks debug;
    private final StateCapture state;
    private final VirtualClock clock;
    private final Clint clint;
    private final Plic plic;
    private final Uart16550 uart;
    private final VirtioBlock block;
    private final List<MmioDevice> stateful = new ArrayList<>();
    private final InputSink sink;

    private ElfImage program;
    private byte[] deviceTree = new byte[0];
    // Machine state beyond hart and devices (saved by StateCapture).
    boolean exited;
    int exitCode;
    long nextRequestId;
    /** Set from another thread (e.g. a Ctrl-C hook); seen at least every {@link #MAX_CHUNK} instructions. */
    private volatile boolean stopRequested;
    static final long MAX_CHUNK = 1L << 24;

    public VirtMachine(MachineConfig config) {
        this.config = config;
        this.port = config.inputPort();
        this.ram = new Memory(RAM_BASE, (int) config.ramSize(), true);
        this.rom = new Memory(ROM_BASE, (int) ROM_SIZE, false);
        List<MmioDevice> devices = new ArrayList<>();
        this.bus = new Bus(ram, rom);
        this.debug = new DebugHooks(bus);
        int n = config.harts();
        this.harts = new Hart[n];
        this.views = new DebugView[n];
        CsrFile[] csrFiles = new CsrFile[n];
        for (int i = 0; i < n; i++) {
            harts[i] = new Hart(i, bus, debug);
            views[i] = new DebugView(harts[i]);
            csrFiles[i] = harts[i].csrs;
        }
        this.hart = harts[0];
        this.clock = new VirtualClock(hart, config.icountShift());
        for (Hart h : harts) {
            h.csrs.clock = clock;
        }
        this.scheduler = new HartScheduler(harts, clock);
        this.plic = new Plic(csrFiles);
        this.clint = new Clint(csrFiles, clock);
        this.uart = new Uart16550(config.uartOut(), plic);
        SifiveTest test = new SifiveTest(this::guestExit);
        GoldfishRtc rtc = new GoldfishRtc(config.rtc(), () -> port.hostClockNs(hart.icount), clock);
        devices.add(clint);
        devices.add(plic);
        devices.add(uart);
        devices.add(test);
        devices.add(rtc);
        if (config.disk() != null) {
            this.block = new VirtioBlock(0, config.disk(), ram, plic, this::blockSubmitted);
            devices.add(block);
        } else {
            this.block = null;
            devices.add(new VirtioMmio(0));
        }
        for (int i = 1; i < VirtioMmio.SLOTS; i++) {
            devices.add(new VirtioMmio(i));
        }
        for (int unit = 0; unit < MachineConfig.PFLASH_BANKS; unit++) {
            CfiFlash flash = new CfiFlash(unit, config.pflash(unit));
            devices.add(flash);
            stateful.add(flash);
        }
        bus.attach(devices.toArray(new MmioDevice[0]));
        stateful.add(clint);
        stateful.add(plic);
        stateful.add(uart);
        stateful.add(rtc);
        if (block != null) {
            stateful.add(block);
        }
        this.sink = new InputSink() {
            @Override
            public int uartRxSpace() {
                return uart.rxSpace();
            }

            @Override
            public void uartReceive(int b) {
                uart.receive(b);
            }

            @Override
            public void completeBlockRequest(long requestId) {
                if (block != null) {
                    block.complete(requestId);
                }
            }
        };
        this.state = new StateCapture(this, harts, scheduler, ram, rom, clock, stateful);
        reset();
    }

    /** Every hart starts in M-mode at the reset ROM, which hands it its hart id in a0. */
    private void reset() {
        for (Hart h : harts) {
            h.priv = Hart.M;
            h.pc = ROM_BASE;
            h.waiting = false;
            h.icount = hart.icount;
            h.mmu.translationChanged();
        }
        scheduler.reset();
        hart = scheduler.current();
        clint.reset();
        exited = false;
    }

    /**
     * Loads the program and sets up the boot ROM and FDT exactly as QEMU 7.2 virt with
     * {@code -bios none -kernel} and no flash contents: the ROM jumps to the start of RAM with
     * a0 = hartid, a1 = FDT address and a2 = fw_dynamic_info, whose next_addr is the program's
     * lowest address. (Flash banks with contents change nothing here; {@link #boot} follows QEMU.)
     *
     * @throws ElfFormatException if a segment does not fit in RAM
     */
    public void load(ElfImage elf) throws ElfFormatException {
        try {
            install(BootLayout.of(elf, description()));
        } catch (BootException e) {
            throw new ElfFormatException(e.getMessage());
        }
    }

    /**
     * Boots the given files as QEMU 7.2 virt places them for {@code -bios}, {@code -kernel},
     * {@code -initrd}, {@code -append} and {@code -dtb} (see {@link BootLayout}). Nothing in the
     * machine changes unless all of them load.
     *
     * @throws BootException naming the file and addresses when a file is missing, unrecognised,
     *         does not parse, overlaps another or does not fit in RAM
     */
    public void boot(BootFiles files) throws BootException {
        install(BootLayout.of(files, description()));
    }

    /** The flattened device tree the last {@link #load}/{@link #boot} put in RAM (what {@code --dumpdtb} writes). */
    public byte[] deviceTree() {
        return deviceTree.clone();
    }

    private DeviceTree.Machine description() {
        boolean flash = bus.device(CfiFlash.BASE, 1) != null;
        return new DeviceTree.Machine(RAM_BASE, ram.size, harts.length, CsrFile.MISA, flash, config.pflash(0) != null,
                config.pflash(1) != null);
    }

    private void install(BootLayout layout) {
        for (BootLayout.Piece p : layout.pieces) {
            int off = (int) (p.addr() - RAM_BASE);
            System.arraycopy(p.data(), 0, ram.data, off, p.data().length);
            java.util.Arrays.fill(ram.data, off + p.data().length, off + (int) p.memSize(), (byte) 0);
            ram.markUsed(off, (int) Math.max(p.memSize(), p.data().length));
        }
        writeResetVector(layout.startAddr, layout.fdtAddr, layout.kernelEntry);
        deviceTree = layout.fdt;
        program = layout.symbols;
        long tohost = program == null ? 0 : program.symbol("tohost").orElse(0L);
        long fromhost = program == null ? 0 : program.symbol("fromhost").orElse(0L);
        Htif htif = tohost != 0 && Htif.fits(ram, tohost)
                ? new Htif(ram, tohost, fromhost, config.uartOut(), this::guestExit) : null;
        for (Hart h : harts) {
            h.sys.specialStores = htif;
        }
        ram.forgetDecoded();
        rom.forgetDecoded();
        ram.clearDirty();
        reset();
    }

    /** QEMU 7.2's reset vector (riscv_setup_rom_reset_vec) followed by its fw_dynamic_info. */
    private void writeResetVector(long startAddr, long fdtAddr, long kernelEntry) {
        int[] code = {
            0x00000297, // auipc t0, 0
            0x02828613, // addi  a2, t0, 40   (a2 = &fw_dynamic_info)
            0xf1402573, // csrr  a0, mhartid
            0x0202b583, // ld    a1, 32(t0)   (FDT address)
            0x0182b283, // ld    t0, 24(t0)   (start address)
            0x00028067, // jr    t0
        };
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(rom.data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < code.length; i++) {
            b.putInt(4 * i, code[i]);
        }
        b.putLong(24, startAddr);
        b.putLong(32, fdtAddr);
        // fw_dynamic_info: magic, version 2, next_addr, next_mode S, options, boot_hart
        b.putLong(40, FDT_MAGIC_INFO).putLong(48, 2).putLong(56, kernelEntry).putLong(64, 1).putLong(72, 0).putLong(80, 0);
    }

    private void guestExit(int code) {
        exited = true;
        exitCode = code;
    }

    private long blockSubmitted() {
        long id = nextRequestId++;
        port.blockSubmitted(hart.icount, id);
        return id;
    }

    // ------------------------------------------------------------------ execution

    /** Runs of at most this many instructions use the interpreter only ({@link Hart#shortRun}); 0: none. */
    private long shortRuns;

    /**
     * Interprets every run of at most {@code instructions} instructions instead of entering
     * translated blocks (0, the default: never). For a replay engine whose steps back replay a few
     * hundred instructions: there a C2-compiled block would fail a budget check it was compiled
     * without (see {@link Hart#shortRun}). Execution is the same either way.
     */
    public void interpretShortRuns(long instructions) {
        shortRuns = instructions;
    }

    /**
     * Runs until icount reaches {@code icountLimit} (absolute), or a breakpoint, watchpoint,
     * guest exit or permanent idle stops it. A breakpoint at the current pc does not stop the
     * machine before at least one instruction has run, so "continue" from a breakpoint works.
     */
    public StopReason run(long icountLimit) {
        stopRequested = false;
        scheduler.armBreakpointSkip();
        boolean shortRun = icountLimit - hart.icount <= shortRuns;
        for (Hart h : harts) {
            h.shortRun = shortRun;
        }
        while (true) {
            StopReason stop = boundary(icountLimit);
            if (stop != null) {
                return stop;
            }
            StopReason r = afterRun(hart.runUntil(nextLimit));
            if (r != null) {
                return r;
            }
        }
    }

    /**
     * Executes exactly one instruction attempt: first any interrupt that is due is taken, then
     * {@code observer} sees the state, then the instruction at pc runs; it either retires, or
     * traps without retiring (pc is then the handler). This is the granularity of QEMU's
     * {@code -singlestep -d exec} trace. Returns null normally, or why nothing could run.
     */
    public StopReason step(InstructionObserver observer) {
        stopRequested = false;
        scheduler.armBreakpointSkip();
        StopReason stop = boundary(hart.icount + 1);
        if (stop != null) {
            return stop;
        }
        hart.sys.checkInterrupts();
        try {
            hart.mmu.prefetch(hart.pc);
            if (hart.triggers.firesOnExecute(hart.pc, hart.priv)) {
                throw hart.sys.raise(hart.pc, hart.icount, HartSystem.BREAKPOINT, 0, false);
            }
        } catch (Trap t) {
            // QEMU logs no instruction whose fetch faults or whose execute trigger fires: the
            // first one observed is the handler's.
            hart.sys.takeTrap();
        }
        if (observer != null) {
            observer.beforeInstruction(hart.pc, hart.icount);
        }
        hart.stepping = true;
        try {
            return afterRun(hart.runUntil(hart.icount + 1));
        } finally {
            hart.stepping = false;
        }
    }

    /** Sees each instruction before it executes (see {@link VirtMachine#step}). */
    @FunctionalInterface
    public interface InstructionObserver {
        void beforeInstruction(long pc, long icount);
    }

    private long nextLimit;

    /**
     * Work between instructions: exit and stop checks, timer, input port poll, whose turn it is,
     * WFI idling. Returns a stop reason, or null with {@link #nextLimit} set to where execution
     * must pause.
     */
    private StopReason boundary(long icountLimit) {
        while (true) {
            if (exited) {
                return StopReason.EXIT;
            }
            if (stopRequested) {
                return StopReason.REQUESTED;
            }
            long now = hart.icount;
            if (now >= icountLimit) {
                return StopReason.LIMIT;
            }
            clint.tick(clock.nowNs());
            long portDeadline = port.nextDeadline(now);
            if (portDeadline <= now) {
                port.poll(now, sink);
                portDeadline = port.nextDeadline(now);
                if (portDeadline <= now) {
                    portDeadline = now + 1; // a port that is never satisfied still lets the guest progress
                }
            }
            if (!scheduler.schedule(now)) {
                // Every hart waits for an interrupt.
                long warp = port.idle(now, clock.nowNs(), clint.deadlineNs(), sink);
                if (warp == InputPort.IDLE_FOREVER) {
                    return StopReason.IDLE;
                }
                clock.warp(warp);
                continue;
            }
            hart = scheduler.current();
            long limit = Math.min(Math.min(icountLimit, scheduler.turnEnd()),
                    Math.min(portDeadline, clock.icountAt(clint.deadlineNs())));
            nextLimit = Math.max(Math.min(limit, now + MAX_CHUNK), now + 1);
            return null;
        }
    }

    private StopReason afterRun(int status) {
        switch (status) {
            case Hart.WFI -> hart.waiting = !hart.sys.wakeable();
            case Hart.BREAK -> {
                return StopReason.BREAKPOINT;
            }
            case Hart.WATCH -> {
                return StopReason.WATCHPOINT;
            }
            default -> { }
        }
        return null;
    }

    /** Mnemonic of the instruction at virtual address pc, for traces ("?" if unreadable). */
    public String mnemonicAt(long pc) {
        return debugView().mnemonicAt(pc);
    }

    /** Raw bits of the instruction at pc (16 or 32 bits), or -1 if unreadable. */
    public long instructionAt(long pc) {
        return debugView().instructionAt(pc);
    }

    /**
     * Makes the current {@link #run} return {@link StopReason#REQUESTED} at its next instruction
     * boundary check (within {@value #MAX_CHUNK} instructions); safe to call from another thread.
     */
    public void requestStop() {
        stopRequested = true;
    }

    public long icount() {
        return hart.icount;
    }

    /** Hot code as translated blocks (the default) or everything through the interpreter (to compare them). */
    void translateHotCode(boolean on) {
        for (Hart h : harts) {
            h.translate = on;
        }
    }

    /** Entries into a slot before its code is translated ({@link Hart#HOT} unless a test lowers it). */
    void translateAfter(int entries) {
        for (Hart h : harts) {
            h.translateAfter(entries);
        }
    }

    /** Exits of a block to its own page before it is translated again with chaining ({@link Hart#CHAIN_AFTER} unless a test lowers it). */
    void chainAfter(int exits) {
        for (Hart h : harts) {
            h.chainAfter = exits;
        }
    }

    /** Calls into translated blocks so far. */
    long blocksEntered() {
        long n = 0;
        for (Hart h : harts) {
            n += h.blocksEntered;
        }
        return n;
    }

    /** Translated blocks entered through a link from another block's exit (block chaining), on all harts. */
    long blocksLinked() {
        long n = 0;
        for (Hart h : harts) {
            n += h.blocksLinked;
        }
        return n;
    }

    /**
     * The run loop's counts for all harts (dispatches, block entries, hand-overs to the
     * interpreter): lines to print, none unless the JVM runs with -Drewind.profile=true.
     */
    public java.util.List<String> executionProfile() {
        ExecutionProfile all = new ExecutionProfile();
        for (Hart h : harts) {
            all.merge(h.profile);
        }
        return all.report(icount());
    }

    /** Virtual time in ns: (icount &lt;&lt; shift) + bias. */
    public long virtualNs() {
        return clock.nowNs();
    }

    public VirtualClock clock() {
        return clock;
    }

    /** The debugger's view of the current hart (registers, CSRs, memory through its translation). */
    public DebugView debugView() {
        return views[hart.id];
    }

    /** The debugger's view of hart {@code id} (0 .. {@link #harts()} - 1). */
    public DebugView hart(int id) {
        if (id < 0 || id >= harts.length) {
            throw new IllegalArgumentException("no hart " + id + " (this machine has " + harts.length + ")");
        }
        return views[id];
    }

    public int harts() {
        return harts.length;
    }

    /**
     * The hart whose turn it is: the one that ran last, hit the breakpoint or watchpoint of the
     * last stop, and runs next unless its turn is over. The accessors below (pc, reg, csr, ...)
     * read it.
     */
    public int currentHart() {
        return hart.id;
    }

    /** Instructions hart {@code id} retired itself (the machine's {@link #icount()} counts all harts'). */
    public long retired(int id) {
        hart(id);
        return scheduler.retired(harts[id]);
    }

    /** Physical memory and devices read without side effects (the Peripherals and Memory views). */
    public PhysicalView physicalView() {
        return new PhysicalView(bus);
    }

    public long pc() {
        return debugView().pc();
    }

    /** Integer register x{@code i} (x0 reads 0). */
    public long reg(int i) {
        return debugView().reg(i);
    }

    /** Debugger write of a register (breaks replay determinism: the replay engine should refuse it). */
    public void setReg(int i, long value) {
        debugView().setReg(i, value);
    }

    public void setPc(long pc) {
        debugView().setPc(pc);
    }

    /** 0 = U, 1 = S, 3 = M. */
    public int privilege() {
        return debugView().privilege();
    }

    /** True while the hart sleeps in WFI. */
    public boolean waitingForInterrupt() {
        return debugView().waitingForInterrupt();
    }

    /** Reads a CSR without side effects, as M-mode would; empty for CSRs this hart lacks. */
    public java.util.OptionalLong csr(int number) {
        return debugView().csr(number);
    }

    /** See {@link DebugView#readMemory}. */
    public int readMemory(long vaddr, byte[] dst, int off, int len) {
        return debugView().readMemory(vaddr, dst, off, len);
    }

    /** The RAM itself (tests in this package compare it with captures). */
    Memory ram() {
        return ram;
    }

    /** Debugger write to guest physical RAM (dirty tracking and code cache kept right). */
    public void writePhysical(long paddr, byte[] src, int off, int len) {
        long o = paddr - RAM_BASE;
        if (o < 0 || o + len > ram.size) {
            throw new IllegalArgumentException(String.format("0x%x..+%d is not RAM", paddr, len));
        }
        ram.beforeStore((int) o, len);
        System.arraycopy(src, off, ram.data, (int) o, len);
    }

    /** The loaded program (symbols for HTIF and debuggers), or null before {@link #load}. */
    public ElfImage program() {
        return program;
    }

    public MachineConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ debugger hooks

    /** Stop <em>before</em> executing the instruction at virtual address {@code pc}. */
    public void addBreakpoint(long pc) {
        debug.addBreakpoint(pc);
    }

    public void removeBreakpoint(long pc) {
        debug.removeBreakpoint(pc);
    }

    public boolean hasBreakpoint(long pc) {
        return debug.isBreakpoint(pc);
    }

    /** Stop after an instruction that accesses [addr, addr+len) the given way (virtual addresses, any address space). */
    public void addWatchpoint(long addr, long len, WatchKind kind) {
        addWatchpoint(addr, len, kind, WatchHit.ANY_SPACE);
    }

    public void removeWatchpoint(long addr, long len, WatchKind kind) {
        removeWatchpoint(addr, len, kind, WatchHit.ANY_SPACE);
    }

    /**
     * Stop after an instruction that accesses [addr, addr+len) the given way in address space
     * {@code space}: {@link WatchHit#ANY_SPACE} (virtual, every space), {@link WatchHit#PHYSICAL}
     * (physical addresses: RAM through any mapping, device registers) or one page table's
     * virtual addresses ({@link DebugView#addressSpace()}).
     */
    public void addWatchpoint(long addr, long len, WatchKind kind, long space) {
        if (len <= 0) {
            throw new IllegalArgumentException("watchpoint length must be positive");
        }
        debug.addWatchpoint(addr, len, kind, space);
    }

    public void removeWatchpoint(long addr, long len, WatchKind kind, long space) {
        debug.removeWatchpoint(addr, len, kind, space);
    }

    /**
     * Installs (or with null removes) the observer of changes of logged RAM pages; with null,
     * every page also stops being logged.
     */
    public void observeRamWrites(RamWriteObserver observer) {
        ram.writes = observer;
        if (observer == null) {
            for (int pg = 0; pg < ram.flags.length; pg++) {
                ram.log(pg, false);
            }
        }
    }

    /** Starts or stops reporting changes of RAM page {@code page} (RAM offset / 4096) to the {@link RamWriteObserver}. */
    public void logRamWrites(int page, boolean on) {
        ram.log(page, on);
    }

    /** Installs (or with null removes) the set every hart notes the code pages it enters in ({@link CodePages}). */
    public void observeCodePages(CodePages pages) {
        for (Hart h : harts) {
            h.codePages = pages;
        }
    }

    /** Installs (or with null removes) the observer of trap entries and returns. */
    public void observeTraps(TrapObserver observer) {
        for (Hart h : harts) {
            h.sys.trapObserver = observer;
        }
    }

    /** The access that caused the last {@link StopReason#WATCHPOINT}. */
    public WatchHit lastWatchHit() {
        return debug.lastWatchHit;
    }

    /** True once the guest asked to exit. */
    public boolean exited() {
        return exited;
    }

    /** Exit code the guest reported (finisher or HTIF); meaningful after {@link StopReason#EXIT}. */
    public int exitCode() {
        return exitCode;
    }

    // ------------------------------------------------------------------ state

    /** Full state capture; clears dirty tracking. */
    public MachineState saveState() {
        return state.capture(true);
    }

    /** Pages written since the previous capture (full or delta), plus hart and devices; clears dirty tracking. */
    public MachineState saveDelta() {
        return state.capture(false);
    }

    /** Restores a full state captured from a machine with the same configuration. */
    public void restoreState(MachineState s) throws StateFormatException {
        state.restore(s);
        hart = scheduler.current();
    }

    /**
     * Restores a full state but rewrites only the RAM pages set in {@code pages} (index = RAM
     * offset / 4096); the caller guarantees every other page already holds the state's bytes.
     * The replay engine passes the pages written since the last capture or restore plus those in
     * which that baseline and {@code state} differ, so a restore near the current position costs
     * a few pages instead of all of RAM.
     */
    public void restoreState(MachineState s, java.util.BitSet pages) throws StateFormatException {
        state.restore(s, pages);
        hart = scheduler.current();
    }

    /** RAM pages written since the last capture or restore (a copy; tracking is not cleared). */
    public java.util.BitSet dirtyPages() {
        return state.dirtyPages();
    }

    /** SHA-256 over the canonical full state (does not disturb dirty tracking). */
    public String digestHex() {
        return state.digestHex();
    }
}
