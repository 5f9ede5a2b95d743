package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.eclipse.core.resources.IFile;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IStackFrame;
import org.eclipse.debug.core.model.IVariable;
import org.eclipse.debug.core.sourcelookup.containers.LocalFileStorage;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.debug.core.model.ReplayEngine;
import dev.rewind.debug.core.model.ReplayStackFrame;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.RewindAddressBreakpoint;
import dev.rewind.debug.core.model.RewindLineBreakpoint;
import dev.rewind.replay.Stop;

/**
 * The whole flow through the real launch framework in Equinox: Record Run on sample.elf, then
 * Replay with a line breakpoint, forwards and backwards.
 */
public class RecordAndReplayLaunchTest {

    /** sample.c line 19: {@code total = total + s;} in add_square; line 18 is the one before it. */
    private static final int TOTAL_LINE = 19;
    private static final int SQUARES_LINE = 18;

    private static Path dir;
    private static Path elf;
    private static Path recording;
    private static ILaunch recordLaunch;

    @BeforeClass
    public static void record() throws Exception {
        elf = Guests.elf("sample");
        dir = Files.createTempDirectory("rewind-launch");
        recording = dir.resolve("sample.rrlog");
        recordLaunch = Launches.record("record sample", elf, recording).launch(ILaunchManager.RUN_MODE, null);
        Launches.awaitTerminated(recordLaunch);
    }

    @AfterClass
    public static void cleanUp() throws Exception {
        DebugPlugin.getDefault().getBreakpointManager().removeBreakpoints(
                DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(RewindDebugCore.MODEL_ID), true);
    }

    @Test
    public void recordRunSavesTheRecordingAndTheConsoleHasTheGuestOutput() throws Exception {
        assertTrue("no recording at " + recording, Files.size(recording) > 0);
        IProcess[] processes = recordLaunch.getProcesses();
        assertEquals(1, processes.length);
        IProcess p = processes[0];
        assertTrue(p.isTerminated());
        assertEquals("guest exit code", 0, p.getExitValue());
        String out = p.getStreamsProxy().getOutputStreamMonitor().getContents();
        assertTrue(out, out.startsWith("sample: summing squares\n"));
        assertTrue(out, out.contains("step 10: total = 382\n"));
        assertTrue(out, out.contains("sample: done, total = 382\n"));
        String report = p.getStreamsProxy().getErrorStreamMonitor().getContents();
        assertTrue(report, report.contains("Recorded ") && report.contains("exited with code 0"));
        assertEquals(recording.toString(), p.getAttribute("dev.rewind.recording"));
    }

    @Test
    public void aRecordRunBootsFirmwareWithAnyKernelFormatAndTheRecordingNamesEveryBootFile() throws Exception {
        Path kernel = dir.resolve("payload.bin"); // raw bytes at 0x80200000; the firmware never jumps there
        Files.write(kernel, new byte[] {0x6f, 0, 0, 0});
        Path rec = dir.resolve("firmware.rrlog");
        var wc = Launches.record("record firmware", kernel, rec);
        wc.setAttribute(dev.rewind.debug.core.launch.LaunchAttributes.BIOS, Guests.elf("rv64i").toString());
        wc.setAttribute(dev.rewind.debug.core.launch.LaunchAttributes.APPEND, "console=ttyS0");
        ILaunch l = wc.launch(ILaunchManager.RUN_MODE, null);
        Launches.awaitTerminated(l);
        assertEquals("guest exit code", 0, l.getProcesses()[0].getExitValue());
        var h = dev.rewind.replay.log.ReplayLog.read(rec).header();
        assertEquals(Arrays.asList("bios", "kernel"), h.bootFiles().stream().map(b -> b.role()).toList());
        assertEquals(kernel.toString(), h.bootFiles().get(1).path());
        assertEquals("console=ttyS0", h.append());
    }

    @Test
    public void aRecordRunBootsFromFlashBankZeroAndTheReplayTakesTheBanksFromTheRecording() throws Exception {
        // bank 0: li t0,1; slli t0,t0,31; jr t0 -- from the reset ROM's jump to 0x20000000 on to the program in RAM
        byte[] bank = new byte[(int) dev.rewind.emulator.FlashImage.BANK_SIZE];
        java.nio.ByteBuffer.wrap(bank).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0x00100293).putInt(0x01f29293)
                .putInt(0x00028067);
        Path flash = dir.resolve("flash0.img");
        Files.write(flash, bank);
        Path rec = dir.resolve("flash.rrlog");
        var wc = Launches.record("record from flash", elf, rec);
        wc.setAttribute(dev.rewind.debug.core.launch.LaunchAttributes.PFLASH0, flash.toString());
        ILaunch l = wc.launch(ILaunchManager.RUN_MODE, null);
        Launches.awaitTerminated(l);
        IProcess p = l.getProcesses()[0];
        assertEquals("guest exit code", 0, p.getExitValue());
        assertTrue(p.getStreamsProxy().getOutputStreamMonitor().getContents().contains("sample: done, total = 382\n"));
        assertEquals("rewind record " + elf + " --pflash " + flash + " --max-insns "
                + dev.rewind.debug.core.launch.LaunchAttributes.DEFAULT_MAX_ICOUNT + " --rrfile " + rec,
                p.getAttribute(IProcess.ATTR_CMDLINE));
        var h = dev.rewind.replay.log.ReplayLog.read(rec).header();
        assertEquals(Arrays.asList("kernel", "pflash0"), h.bootFiles().stream().map(b -> b.role()).toList());
        long startPc;
        try (var session = dev.rewind.replay.Timeline.open(rec, dev.rewind.replay.Timeline.Options.defaults())) {
            startPc = session.machine().pc();
        }
        assertEquals("the replay starts in the reset ROM that jumps to flash", 0x1000L, startPc);

        // the Replay launch has no flash fields: it boots the banks the recording names
        ILaunch replay = Launches.replay("replay from flash", elf, rec).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) replay.getDebugTarget();
        try {
            target.resume();
            Launches.awaitSuspended(target);
            assertTrue(target.consoleText(), target.consoleText().contains("sample: done, total = 382\n"));
        } finally {
            replay.terminate();
        }

        bank[12] = 1;
        Files.write(flash, bank);
        String m = null;
        try {
            Launches.replay("replay changed flash", elf, rec).launch(ILaunchManager.DEBUG_MODE, null);
        } catch (org.eclipse.core.runtime.CoreException e) {
            m = e.getStatus().getMessage();
        }
        assertNotNull("a changed flash file is refused", m);
        assertTrue(m, m.contains("flash0.img"));
    }

    @Test
    public void aRecordRunOnFourHartsRecordsThemAndItsReplayPrintsTheSameTotals() throws Exception {
        Path smp = Guests.elf("smp");
        Path rec = dir.resolve("smp4.rrlog");
        var wc = Launches.record("record smp", smp, rec);
        wc.setAttribute(dev.rewind.debug.core.launch.LaunchAttributes.HARTS, 4);
        ILaunch l = wc.launch(ILaunchManager.RUN_MODE, null);
        Launches.awaitTerminated(l);
        IProcess p = l.getProcesses()[0];
        String totals = "harts 4 amo 8000 lrsc 8000 token 250 ipis 100\n";
        String recorded = p.getStreamsProxy().getOutputStreamMonitor().getContents();
        assertEquals(recorded, 0, p.getExitValue());
        assertTrue(recorded, recorded.startsWith(totals));
        assertTrue(p.getAttribute(IProcess.ATTR_CMDLINE), p.getAttribute(IProcess.ATTR_CMDLINE).contains(" --smp 4 "));
        assertEquals(4, dev.rewind.replay.log.ReplayLog.read(rec).header().harts());

        ILaunch replay = Launches.replay("replay smp", smp, rec).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) replay.getDebugTarget();
        try {
            target.resume();
            Launches.awaitSuspended(target);
            assertTrue(target.consoleText(), target.consoleText().startsWith(totals));
        } finally {
            replay.terminate();
        }
    }

    @Test
    public void replayStopsOnLineBreakpointsAndGoesBackToPreviousHitsLinesAndHistoryStart() throws Exception {
        ILaunch launch = Launches.replay("replay sample", elf, recording).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) launch.getDebugTarget();
        assertNotNull("no debug target", target);
        try (Launches.EventLog log = new Launches.EventLog()) {
            assertTrue(target.isSuspended());
            assertEquals(target.startIcount(), target.state().icount());
            RewindLineBreakpoint bp = RewindLineBreakpoint.create(Guests.source("sample.c"), TOTAL_LINE);
            assertFalse("line " + TOTAL_LINE + " maps to no address", target.installedAddresses(bp).isEmpty());

            target.resume();
            Launches.awaitSuspended(target);
            ReplayStackFrame top = (ReplayStackFrame) target.hart().getTopStackFrame();
            assertEquals(Stop.Kind.BREAKPOINT, target.state().stop().kind());
            assertEquals("add_square", top.function());
            assertEquals("sample.c", top.location().fileName());
            assertEquals(TOTAL_LINE, top.getLineNumber());
            assertTrue(top.getName(), top.getName().startsWith("add_square() at sample.c:" + TOTAL_LINE));
            assertEquals("the thread reports the breakpoint it stopped at", Arrays.asList(bp),
                    Arrays.asList(target.hart().getBreakpoints()));
            IStackFrame[] frames = target.hart().getStackFrames();
            assertTrue("caller frames", frames.length >= 2);
            assertEquals("main", ((ReplayStackFrame) frames[1]).function());
            assertTrue(log.has(DebugEvent.SUSPEND, DebugEvent.BREAKPOINT));
            assertEquals("i=1 s=1", vars(top, "i", "s"));
            long firstHit = target.state().icount();
            String consoleAtFirst = target.consoleText();
            assertTrue(consoleAtFirst, consoleAtFirst.startsWith("sample: summing squares"));
            assertFalse(consoleAtFirst, consoleAtFirst.contains("step 1:"));

            // source lookup finds the C file by its DWARF path
            Object source = launch.getSourceLocator().getSourceElement(top);
            assertNotNull("no source for " + top.sourcePath(), source);
            String sourcePath = source instanceof IFile f ? f.getLocation().toOSString() : ((LocalFileStorage) source).getFile().getPath();
            assertTrue(sourcePath, sourcePath.endsWith("sample.c"));

            // registers: x0..x31 and pc in the general group, CSRs in another
            IRegisterGroup[] groups = top.getRegisterGroups();
            IRegister[] general = groups[0].getRegisters();
            assertEquals(33, general.length);
            assertTrue(general[0].getValue().getValueString(),
                    general[0].getValue().getValueString().startsWith(String.format("0x%016x", target.state().pc())));
            assertTrue(Arrays.stream(groups[1].getRegisters()).anyMatch(r -> safeName(r).equals("mstatus")));
            byte[] code = target.getMemoryBlock(target.state().pc(), 4).getBytes();
            assertTrue("instruction bytes at pc", code[0] != 0 || code[1] != 0);

            target.resume();
            Launches.awaitSuspended(target);
            long secondHit = target.state().icount();
            assertEquals(TOTAL_LINE, target.hart().getTopStackFrame().getLineNumber());
            assertTrue(secondHit > firstHit);
            assertTrue(target.consoleText(), target.consoleText().contains("step 1: total = 1\n"));
            assertEquals("i=2 s=4", vars(target.hart().getTopStackFrame(), "i", "s"));
            assertEquals("total=1", vars(target.hart().getTopStackFrame(), "total"));

            target.reverseResume();
            Launches.awaitSuspended(target);
            assertEquals(Stop.Kind.BREAKPOINT, target.state().stop().kind());
            assertEquals("reverse resume goes back to the previous hit", firstHit, target.state().icount());
            assertTrue(target.state().icount() < secondHit);
            assertEquals("the console rolled back", consoleAtFirst, target.consoleText());

            target.reverseStepInto();
            Launches.awaitSuspended(target);
            IStackFrame back = target.hart().getTopStackFrame();
            assertEquals("reverse step into lands on the previous line", SQUARES_LINE, back.getLineNumber());
            assertEquals("add_square", ((ReplayStackFrame) back).function());
            assertTrue(target.state().icount() < firstHit);

            target.reverseResume();
            Launches.awaitSuspended(target);
            assertEquals(Stop.Kind.HISTORY_BEGIN, target.state().stop().kind());
            assertEquals(target.startIcount(), target.state().icount());
            assertTrue("a beginning-of-history event", log.has(DebugEvent.MODEL_SPECIFIC, ReplayTarget.HISTORY_BEGIN));
            assertTrue(target.hart().getName(), target.hart().getName().contains("beginning of history"));
            assertEquals("", target.consoleText());

            bp.delete();
        }
        launch.terminate();
        assertTrue(launch.isTerminated());
        assertTrue(target.isTerminated());
        assertEquals("engine threads left running", 0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(ReplayEngine.THREAD_PREFIX) && t.isAlive()).count());
    }

    @Test
    public void forwardStepsFollowSourceLines() throws Exception {
        ILaunch launch = Launches.replay("replay steps", elf, recording).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) launch.getDebugTarget();
        RewindLineBreakpoint bp = RewindLineBreakpoint.create(Guests.source("sample.c"), 17);
        try {
            target.resume();
            Launches.awaitSuspended(target);
            assertEquals(17, target.hart().getTopStackFrame().getLineNumber());
            long at = target.state().icount();

            target.stepOver();
            Launches.awaitSuspended(target);
            assertEquals("step over the call to square", 18, target.hart().getTopStackFrame().getLineNumber());

            target.reverseStepOver();
            Launches.awaitSuspended(target);
            assertEquals(17, target.hart().getTopStackFrame().getLineNumber());
            assertEquals("reverse step over returns to the start of line 17", at, target.state().icount());

            target.stepInto();
            Launches.awaitSuspended(target);
            assertEquals("step into enters square", "square",
                    ((ReplayStackFrame) target.hart().getTopStackFrame()).function());
            int firstLine = target.hart().getTopStackFrame().getLineNumber();

            target.stepOver();
            Launches.awaitSuspended(target);
            assertEquals("square", ((ReplayStackFrame) target.hart().getTopStackFrame()).function());
            assertTrue(target.hart().getTopStackFrame().getLineNumber() > firstLine);

            target.reverseStepReturn();
            Launches.awaitSuspended(target);
            ReplayStackFrame f = (ReplayStackFrame) target.hart().getTopStackFrame();
            assertEquals("reverse step return goes back to the call", "add_square", f.function());
            assertEquals(17, f.getLineNumber());
            assertTrue(target.state().icount() > at && target.state().icount() < at + 20);

            target.stepInto();
            Launches.awaitSuspended(target);
            assertEquals("square", ((ReplayStackFrame) target.hart().getTopStackFrame()).function());
            target.stepReturn();
            Launches.awaitSuspended(target);
            assertEquals("step return goes back to the caller", "add_square",
                    ((ReplayStackFrame) target.hart().getTopStackFrame()).function());

            // an address breakpoint on penalty's entry
            long penalty = target.symbols().symbol("penalty").value();
            RewindAddressBreakpoint abp = RewindAddressBreakpoint.create(penalty);
            try {
                target.resume();
                Launches.awaitSuspended(target);
                assertEquals(Stop.Kind.BREAKPOINT, target.state().stop().kind());
                assertEquals(penalty, target.state().pc());
                assertEquals("penalty", ((ReplayStackFrame) target.hart().getTopStackFrame()).function());
            } finally {
                abp.delete();
            }
        } finally {
            bp.delete();
            launch.terminate();
        }
    }

    /** "name=value ..." of the named variables of a frame (globals looked up under "(globals)"). */
    private static String vars(IStackFrame frame, String... names) throws Exception {
        java.util.Map<String, String> values = new java.util.HashMap<>();
        for (IVariable v : frame.getVariables()) {
            values.put(v.getName(), v.getValue().getValueString());
            for (IVariable g : v.getValue().getVariables()) {
                values.put(g.getName(), g.getValue().getValueString());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String n : names) {
            b.append(b.length() == 0 ? "" : " ").append(n).append('=').append(values.get(n));
        }
        return b.toString();
    }

    private static String safeName(IRegister r) {
        try {
            return r.getName();
        } catch (Exception e) {
            return "";
        }
    }
}
