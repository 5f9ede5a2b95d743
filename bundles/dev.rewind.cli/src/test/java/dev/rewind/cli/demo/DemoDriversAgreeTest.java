package dev.rewind.cli.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Timeline;
import dev.rewind.symbols.ProgramSymbols;

/**
 * The demo's two drivers must tell the same story: real gdb-multiarch against the gdb server,
 * and the in-process engine with its own source stepping. Each stop is compared by function,
 * file, line and icount; gdb's stop reasons pin the expected kinds.
 */
public class DemoDriversAgreeTest {

    static Path root() {
        return dev.rewind.replay.GuestPrograms.root();
    }

    @Test
    public void gdbAndInProcessDriversStopAtTheSamePlaces() throws Exception {
        assumeTrue("gdb-multiarch is not installed", GdbDemo.available());
        Path elf = root().resolve("guests/prebuilt/sample.elf");
        Path work = Files.createTempDirectory("demo-test");
        Path log = work.resolve("s.rrlog");
        try (RecordSession r = RecordSession.start(RecordSession.Options.of(elf, log).withInput(null, new ByteArrayOutputStream()))) {
            r.run(Long.MAX_VALUE);
        }
        List<DemoStep> viaGdb;
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            viaGdb = GdbDemo.run(s, elf, work);
        }
        List<DemoStep> inProcess;
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            inProcess = new InProcessDemo(s, ProgramSymbols.load(elf)).run();
        }
        assertEquals(viaGdb.size(), inProcess.size());
        for (int i = 0; i < viaGdb.size(); i++) {
            DemoStep g = viaGdb.get(i);
            DemoStep p = inProcess.get(i);
            String what = "step " + i + " (" + g.command() + ")";
            assertEquals(what, g.function(), p.function());
            assertEquals(what, g.file(), p.file());
            assertEquals(what, g.line(), p.line());
            assertEquals(what, g.icount(), p.icount());
        }
        // What gdb itself reported, against the sample's source (guests/src/sample.c).
        assertEquals("breakpoint", viaGdb.get(0).reason());
        assertEquals("add_square", viaGdb.get(0).function());
        assertTrue(viaGdb.get(1).icount() > viaGdb.get(0).icount());
        assertEquals(viaGdb.get(1).icount() - 1, viaGdb.get(2).icount());          // reverse-stepi
        assertEquals(viaGdb.get(0).icount(), viaGdb.get(3).icount());              // reverse-continue
        assertEquals(viaGdb.get(5).line(), viaGdb.get(7).line());                  // next, next, reverse-next
        assertEquals("main", viaGdb.get(8).function());                            // reverse-finish
        assertEquals("watchpoint: total 1 -> 0", viaGdb.get(9).reason());          // last write before, in reverse
        assertEquals("end of recorded history", viaGdb.get(10).reason());
    }

    @Test
    public void prebuiltSampleStillMatchesItsSources() throws Exception {
        Path fresh = root().resolve("guests/build/sample.elf");
        assumeTrue("cross compiler not installed", new ProcessBuilder("riscv64-unknown-elf-gcc", "--version").start().waitFor() == 0);
        Process make = new ProcessBuilder("make", "-s", "-C", root().resolve("guests").toString(), "build/sample.elf").inheritIO().start();
        assertEquals(0, make.waitFor());
        assertEquals(output(fresh), output(root().resolve("guests/prebuilt/sample.elf")));
    }

    private static String output(Path elf) throws Exception {
        Path log = Files.createTempFile("sample", ".rrlog");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSession r = RecordSession.start(RecordSession.Options.of(elf, log).withInput(null, out))) {
            RecordSession.Result res = r.run(Long.MAX_VALUE);
            return out.toString(StandardCharsets.UTF_8) + "exit " + res.exitCode();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
