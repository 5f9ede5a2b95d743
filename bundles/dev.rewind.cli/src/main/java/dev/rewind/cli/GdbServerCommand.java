package dev.rewind.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;

import dev.rewind.emulator.BootException;
import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.FlashImage;
import dev.rewind.emulator.LiveInputPort;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.gdbstub.DebugTarget;
import dev.rewind.gdbstub.ListenAddress;
import dev.rewind.gdbstub.RspServer;
import dev.rewind.gdbstub.target.LiveTarget;
import dev.rewind.gdbstub.target.ReplayTarget;
import dev.rewind.replay.RecordingPack;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.log.ReplayLogException;

/**
 * {@code rewind gdbserver}: serves a recording (forwards and backwards) or a live run
 * (forwards) to gdb over the remote protocol, on loopback unless told otherwise.
 */
final class GdbServerCommand implements Command {

    static final int DEFAULT_PORT = 1234;

    @Override
    public String name() {
        return "gdbserver";
    }

    @Override
    public String summary() {
        return "debug a recording forwards and backwards (or a live run) with gdb";
    }

    @Override
    public String usage() {
        return "rewind gdbserver --replay RUN.rrlog|RUN.rwd [--listen [HOST:]PORT] [--snapshot-every N]\n"
                + "                 [--snapshot-budget SIZE]   (default: twice the guest's RAM)\n"
                + "       rewind gdbserver PROG.elf [--listen [HOST:]PORT] [--ram 128M]\n"
                + "       rewind gdbserver [--bios FILE|none] [--kernel FILE] [--initrd FILE] [--append ARGS] [--dtb FILE]\n"
                + "                        [--listen [HOST:]PORT] [--ram 128M]   (a live run of firmware + kernel)\n"
                + "  --replay   serve a recording: reverse-stepi, reverse-continue ... work\n"
                + "  --listen   where to listen (default 127.0.0.1:" + DEFAULT_PORT + "; use PORT 0 for a free one)\n"
                + BootOptions.USAGE + "\n"
                + "Serves one gdb session, then exits. Connect with:\n"
                + "  gdb-multiarch PROG.elf -ex 'target remote 127.0.0.1:" + DEFAULT_PORT + "'";
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        Args a = new Args(argv, BootOptions.withValue("--replay", "--listen", "--ram", "--snapshot-every",
                "--snapshot-budget"), Set.of());
        InetSocketAddress listen;
        try {
            listen = ListenAddress.parse(a.value("--listen", Integer.toString(DEFAULT_PORT)));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        AutoCloseable resource;
        DebugTarget target;
        String program;
        if (a.has("--replay")) {
            if (!a.positional().isEmpty()) {
                throw new CliException("with --replay the program comes from the recording; drop '" + a.positional().get(0) + "'");
            }
            Timeline s;
            RecordingPack.Opened opened;
            try {
                opened = RecordingPack.openForReplay(Path.of(a.value("--replay", null)));
            } catch (ReplayLogException e) {
                throw new CliException(e.getMessage());
            }
            try {
                Timeline.Options o = Timeline.Options.defaults()
                        .withSnapshotInterval(a.count("--snapshot-every", Timeline.Options.DEFAULT_INTERVAL))
                        .withSnapshotBudget(a.bytes("--snapshot-budget", Timeline.Options.DEFAULT_BUDGET));
                s = Timeline.open(opened.log(), opened.program() != null ? o.withProgram(opened.program()) : o);
            } catch (ReplayLogException | ReplaySetupException e) {
                opened.close();
                throw new CliException(e.getMessage());
            }
            BootOptions.requireRecordedHarts(a, s.session().log().header().harts(), s, opened);
            BootOptions.requireRecordedRtc(a, s.session().log().header().rtc(), s, opened);
            Timeline session = s;
            resource = () -> {
                try (opened; session) {
                    // closes the session, then deletes an unpacked pack's folder
                }
            };
            ReplayTarget replay = new ReplayTarget(s);
            try {
                replay.warmUp(); // before gdb connects: its first reverse-stepi then costs what the next ones do
            } catch (dev.rewind.gdbstub.TargetException e) {
                // only a warm-up: gdb will meet the problem, if any, with a message
            }
            target = replay;
            program = opened.program() != null ? opened.program().toString() : s.session().log().header().programPath();
        } else {
            if (a.positional().isEmpty() && !a.has("--kernel") && !a.has("--bios")) {
                throw new CliException("missing program (an RV64 ELF file), --bios/--kernel FILE or --replay RUN.rrlog");
            }
            BootFiles boot = BootOptions.parse(a);
            long ram = a.bytes("--ram", MachineConfig.DEFAULT_RAM);
            if (BootOptions.dumpDtb(a, boot, ram, console, name())) {
                return 0;
            }
            VirtMachine m;
            dev.rewind.emulator.RtcConfig rtc = BootOptions.rtc(a);
            FlashImage[] flash = BootOptions.liveFlash(boot);
            try {
                m = new VirtMachine(MachineConfig.builder().ramSize(ram).harts(BootOptions.harts(a)).rtc(rtc)
                        .uartOut(console.out()).inputPort(new LiveInputPort(console.in(), java.time.Clock.systemUTC(), 100_000))
                        .pflash(flash).build());
                m.boot(boot);
            } catch (BootException | IllegalArgumentException e) {
                RunCommand.closeFlash(flash, console);
                throw new CliException(e.getMessage());
            }
            resource = () -> RunCommand.closeFlash(flash, console);
            target = new LiveTarget(m);
            program = boot.program().toString();
        }
        try (resource; RspServer server = new RspServer(target, listen)) {
            try {
                server.bind();
            } catch (BindException e) {
                throw new CliException("cannot listen on " + listen + ": " + e.getMessage()
                        + " (another gdbserver or QEMU -s running? pick one with --listen PORT)");
            }
            String where = listen.getAddress().getHostAddress() + ":" + server.port();
            console.err().println("rewind gdbserver: listening on " + where + (target.supportsReverse() ? " (replay: reverse execution on)" : " (live run)"));
            console.err().println("  connect with: gdb-multiarch " + program + " -ex 'target remote " + where + "'");
            console.err().flush();
            try {
                server.serveOne();
            } catch (IOException e) {
                throw new CliException("gdb session failed: " + e.getMessage());
            }
        }
        console.err().println("rewind gdbserver: gdb disconnected");
        return 0;
    }
}
