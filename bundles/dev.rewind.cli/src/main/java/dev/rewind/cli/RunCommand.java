package dev.rewind.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

import dev.rewind.emulator.BlockDevice;
import dev.rewind.emulator.BootException;
import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.FlashImage;
import dev.rewind.emulator.LiveInputPort;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.RawFileBlockDevice;
import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.qcow2.Qcow2Image;
import dev.rewind.replay.Qcow2Disk;

/** {@code rewind run}: runs a program live on the virt machine, UART on stdin/stdout. */
final class RunCommand implements Command {

    /** Exit codes when the guest did not exit by itself (as timeout(1) and friends use). */
    static final int EXIT_LIMIT = 124, EXIT_IDLE = 125;
    /** Instructions between polls of the guest's input (as the recorder's default). */
    static final long POLL_INTERVAL = dev.rewind.replay.RecordSession.Options.DEFAULT_POLL_INTERVAL;

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run a program, or firmware + kernel, on the emulated virt machine (UART on stdin/stdout)";
    }

    @Override
    public String usage() {
        return "rewind run PROG.elf [--ram 128M] [--disk FILE.img] [--icount-shift N] [--max-insns N] [--trace] [--stats]\n"
                + "       rewind run [--bios FILE|none] [--kernel FILE] [--initrd FILE] [--append ARGS] [--dtb FILE]\n"
                + "                  [--dumpdtb FILE] [other options as above]\n"
                + "  PROG.elf is QEMU's -bios none -kernel PROG.elf; the boot options are QEMU 7.2's:\n"
                + BootOptions.USAGE + "\n"
                + "  exit code: the guest's (SiFive test finisher or HTIF); " + EXIT_LIMIT + " when --max-insns ran out,\n"
                + "  " + EXIT_IDLE + " when the guest sleeps in WFI with nothing left to wake it\n"
                + "  --disk         disk image for the virtio block device, qcow2 (by its header) or raw;\n"
                + "                 the guest's writes go to the image (read-only if the file is)\n"
                + "  --icount-shift virtual ns per instruction = 2^N (0..10), as QEMU's -icount shift=N\n"
                + "  --trace        print every instruction (icount, pc, bits, mnemonic) to stderr\n"
                + "  --stats        print instructions, virtual time and MIPS to stderr at the end";
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        Args a = new Args(argv, BootOptions.withValue("--ram", "--disk", "--icount-shift", "--max-insns"),
                Set.of("--trace", "--stats"));
        BootFiles boot = BootOptions.parse(a);
        long ram = a.bytes("--ram", MachineConfig.DEFAULT_RAM);
        int shift = a.integer("--icount-shift", 0, 0, MachineConfig.MAX_ICOUNT_SHIFT);
        int harts = BootOptions.harts(a);
        dev.rewind.emulator.RtcConfig rtc = BootOptions.rtc(a);
        long max = a.count("--max-insns", Long.MAX_VALUE);
        if (BootOptions.dumpDtb(a, boot, ram, console, name())) {
            return 0;
        }
        BlockDevice disk = null;
        if (a.has("--disk")) {
            Path d = Path.of(a.value("--disk", null));
            if (!Files.isRegularFile(d)) {
                throw new CliException("disk image " + d + " does not exist");
            }
            disk = openDisk(d);
        }
        FlashImage[] flash = new FlashImage[MachineConfig.PFLASH_BANKS];
        try {
            flash = BootOptions.liveFlash(boot);
            MachineConfig config;
            try {
                config = MachineConfig.builder().ramSize(ram).icountShift(shift).harts(harts).rtc(rtc).disk(disk).uartOut(console.out())
                        .inputPort(livePort(console.in())).pflash(flash).build();
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
            VirtMachine machine = new VirtMachine(config);
            try {
                machine.boot(boot);
            } catch (BootException e) {
                throw new CliException(e.getMessage());
            }
            long started = System.nanoTime();
            StopReason stop = a.has("--trace") ? traced(machine, max, console.err()) : machine.run(max);
            long elapsed = System.nanoTime() - started;
            console.out().flush();
            if (a.has("--stats")) {
                printStats(machine, elapsed, console.err());
            }
            return switch (stop) {
                case EXIT -> machine.exitCode();
                case IDLE -> {
                    console.err().printf("rewind run: the guest waits in WFI at pc 0x%x with no timer armed and no input left%n",
                            machine.pc());
                    yield EXIT_IDLE;
                }
                default -> {
                    console.err().printf("rewind run: stopped after %d instructions (--max-insns) at pc 0x%x%n",
                            machine.icount(), machine.pc());
                    yield EXIT_LIMIT;
                }
            };
        } finally {
            if (disk != null) {
                disk.close();
            }
            closeFlash(flash, console);
        }
    }

    /** The guest's UART input from {@code in}, polled every {@link #POLL_INTERVAL} instructions, on the host clock. */
    static LiveInputPort livePort(java.io.InputStream in) {
        return new LiveInputPort(in, Clock.systemUTC(), POLL_INTERVAL);
    }

    /**
     * The disk in its own format: a qcow2 image through the qcow2 driver (read as raw, the guest
     * would see the image's metadata and its writes would destroy it), anything else as raw.
     */
    private static BlockDevice openDisk(Path d) throws CliException {
        boolean readOnly = !Files.isWritable(d);
        try {
            if (Qcow2Image.probeFormat(d).equals("qcow2")) {
                return new Qcow2Disk(readOnly ? Qcow2Image.openReadOnly(d) : Qcow2Image.open(d));
            }
            return new RawFileBlockDevice(d, readOnly);
        } catch (IOException e) {
            throw new CliException("cannot open disk image " + d + ": " + e.getMessage());
        }
    }

    private static StopReason traced(VirtMachine m, long max, PrintStream err) {
        VirtMachine.InstructionObserver print = (pc, icount) -> {
            long bits = m.instructionAt(pc);
            err.printf(bits >= 0 && (bits & 3) != 3 ? "%d 0x%016x     %04x %s%n" : "%d 0x%016x %08x %s%n",
                    icount, pc, bits, m.mnemonicAt(pc));
        };
        while (true) {
            StopReason r = m.step(print);
            if (r != null) {
                return r;
            }
            if (m.icount() >= max) {
                return StopReason.LIMIT;
            }
        }
    }

    private static void printStats(VirtMachine m, long elapsedNs, PrintStream err) {
        double seconds = elapsedNs / 1e9;
        err.printf("instructions: %d%n", m.icount());
        err.printf("virtual time: %.6f s%n", m.virtualNs() / 1e9);
        err.printf("host time:    %.3f s%n", seconds);
        err.printf("speed:        %.1f MIPS%n", seconds > 0 ? m.icount() / seconds / 1e6 : 0.0);
        m.executionProfile().forEach(err::println);
    }

    /** Writes the flash banks back (as QEMU does) and says so if that failed: the run itself is not lost. */
    static void closeFlash(FlashImage[] flash, Console console) {
        for (FlashImage f : flash) {
            if (f != null && f.writeError() != null) {
                console.err().println("rewind: could not write the guest's flash changes back to " + f.file() + ": "
                        + f.writeError().getMessage());
            }
        }
        try {
            FlashImage.closeAll(flash);
        } catch (java.io.IOException e) {
            console.err().println("rewind: could not write the guest's flash changes back: " + e.getMessage());
        }
    }

}
