package dev.rewind.replay;

import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.StopReason;

/**
 * Test fixture for real firmware: records a boot of firmware (Debian's OpenSBI and U-Boot, as
 * test.sh installs them) while a script talks to its console (wait for a text, then type),
 * ends the recording once the last text appeared, and replays it. Scenario tests build on it:
 * {@code FirmwareConsole.record(boot, log, List.of(Step.type("Hit any key", " "), Step.await("=> ")))}.
 */
final class FirmwareConsole {

    static final Path OPENSBI = Path.of("/usr/lib/riscv64-linux-gnu/opensbi/generic");
    static final Path FW_JUMP_ELF = OPENSBI.resolve("fw_jump.elf");
    static final Path FW_DYNAMIC_BIN = OPENSBI.resolve("fw_dynamic.bin");
    static final Path UBOOT_M_ELF = Path.of("/usr/lib/u-boot/qemu-riscv64/uboot.elf");
    static final Path UBOOT_S_BIN = Path.of("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin");
    /** U-Boot's autoboot countdown line; a key typed once it shows stops the countdown. */
    static final String COUNTDOWN = "Hit any key to stop autoboot";
    static final String PROMPT = "=> ";

    private FirmwareConsole() {
    }

    /** The file, or the test is skipped where Debian's opensbi/u-boot-qemu packages are missing. */
    static Path require(Path file) {
        assumeTrue(file + " is not installed (apt-get install opensbi u-boot-qemu)", Files.isRegularFile(file));
        return file;
    }

    /** Once {@code await} has appeared on the console (after the previous step's text), type {@code type} (may be null). */
    record Step(String await, String type) {
        static Step type(String await, String text) {
            return new Step(await, text);
        }

        static Step await(String text) {
            return new Step(text, null);
        }
    }

    /** What a recording did: why it stopped, where, its console and the final state digest. */
    record Recorded(StopReason reason, long icount, String console, String digest, Path log) {
    }

    /** What a replay of it did. */
    record Replayed(Stop.Kind stop, long icount, String console, String digest) {
    }

    /**
     * Records {@code boot} with the script on its console; the recording ends a little after the
     * last step's text appeared (at most one run slice), or at {@code maxIcount}.
     */
    static Recorded record(BootFiles boot, Path log, long ramSize, List<Step> script, long maxIcount) throws Exception {
        ScriptedConsole console = new ScriptedConsole(script, null, 0);
        RecordSession.Options o = RecordSession.Options.of(boot, log).withMachine(ramSize, 0);
        return record(o, console, maxIcount, true);
    }

    /**
     * Records with {@code o}'s machine, each step's keys typed at a pseudo-random moment: once its
     * text has appeared, 0 to {@code maxDelay} instructions later (drawn from {@code seed}), so the
     * input lands at icounts the seed decides, not the host. The recording runs until the guest
     * exits (or {@code maxIcount}).
     */
    static Recorded recordTypedAtRandomIcounts(RecordSession.Options o, List<Step> script, long seed, long maxDelay,
            long maxIcount) throws Exception {
        return record(o, new ScriptedConsole(script, new SplittableRandom(seed), maxDelay), maxIcount, false);
    }

    private static Recorded record(RecordSession.Options o, ScriptedConsole console, long maxIcount, boolean stopAfterScript)
            throws Exception {
        try (RecordSession s = RecordSession.start(o.withInput(console.input(), console))) {
            if (stopAfterScript) {
                console.whenDone = s::requestStop;
            }
            console.icount = s.machine()::icount;
            RecordSession.Result r = s.run(maxIcount);
            return new Recorded(r.reason(), r.icount(), console.text(), s.machine().digestHex(), o.logFile());
        }
    }

    /** Replays a recording to its end. */
    static Replayed replay(Path log) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withEcho(out))) {
            Stop.Kind stop = s.replayTo(Long.MAX_VALUE).kind();
            return new Replayed(stop, s.icount(), out.toString(StandardCharsets.ISO_8859_1), s.machine().digestHex());
        }
    }

    /** The guest's console: output collected, input revealed step by step as the awaited texts appear. */
    private static final class ScriptedConsole extends ByteArrayOutputStream {
        private final List<Step> script;
        private int step;
        private int searchFrom;
        private byte[] typing = new byte[0];
        private int typed;
        volatile Runnable whenDone = () -> { };
        /** Where the machine is (read on its own thread, so the moments are the machine's). */
        LongSupplier icount = () -> 0;
        private final SplittableRandom random;
        private final long maxDelay;
        /** The icount from which the current step's keys may go in. */
        private long dueAt;

        ScriptedConsole(List<Step> script, SplittableRandom random, long maxDelay) {
            this.script = script;
            this.random = random;
            this.maxDelay = maxDelay;
        }

        String text() {
            return toString(StandardCharsets.ISO_8859_1);
        }

        /** Advances the script over every step whose text has appeared. */
        private void advance() {
            while (step < script.size() && typed == typing.length) {
                Step s = script.get(step);
                int at = text().indexOf(s.await(), searchFrom);
                if (at < 0) {
                    return;
                }
                searchFrom = at + s.await().length();
                step++;
                typing = s.type() == null ? new byte[0] : s.type().getBytes(StandardCharsets.ISO_8859_1);
                typed = 0;
                dueAt = random == null ? 0 : icount.getAsLong() + random.nextLong(maxDelay + 1);
                if (step == script.size()) {
                    whenDone.run();
                }
            }
        }

        InputStream input() {
            return new InputStream() {
                @Override
                public int available() {
                    advance();
                    return icount.getAsLong() < dueAt ? 0 : typing.length - typed;
                }

                @Override
                public int read() {
                    // Asked for what available() offered, or, blocking, by a machine that waits with no timer
                    // armed: its icount will not move on by itself, so keys not yet due go in now. Nothing
                    // typed yet to come: the input ends (the script waits for output that cannot come).
                    dueAt = Math.min(dueAt, icount.getAsLong());
                    return typed < typing.length ? typing[typed++] & 0xff : -1;
                }
            };
        }
    }
}
