package dev.rewind.debug.ui.tests;

import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.guest;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.root;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.waitUntil;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.core.model.MemoryByte;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.debug.core.disassembly.DisassemblyListing;
import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.RewindAddressBreakpoint;
import dev.rewind.debug.core.model.RewindLineBreakpoint;
import dev.rewind.debug.core.model.RewindWatchpoint;
import dev.rewind.replay.Stop;
import dev.rewind.debug.ui.views.DisassemblyView;
import dev.rewind.debug.ui.views.PeripheralsView;

/**
 * The firmware views in a real workbench, on real replays: the Disassembly view shows what
 * objdump shows, marks the pc, steps one instruction forwards and backwards and toggles address
 * breakpoints; the Peripherals view shows the UART's and PLIC's registers changing across a
 * reverse step of an interrupt-driven guest, a user's SVD file, and a malformed one reported
 * with its line while the view goes on working; the Memory view's block marks the bytes the
 * last move changed. Screenshots go to target/screenshots.
 */
public class FirmwareViewsWorkbenchTest {

    private static IWorkbenchPage page;
    private ILaunch launch;

    @BeforeClass
    public static void openDebugPerspective() throws Exception {
        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        window.getShell().setBounds(0, 0, 1270, 900); // inside Xvfb's default 1280x1024 screen
        PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, window);
        page = window.getActivePage();
    }

    @After
    public void endReplay() throws Exception {
        if (launch != null) {
            launch.terminate();
            // leave the reverse commands disabled, as a workbench without a replay has them
            var commands = PlatformUI.getWorkbench().getService(org.eclipse.ui.commands.ICommandService.class);
            waitUntil(() -> !commands.getCommand(dev.rewind.debug.ui.RewindDebugUI.REVERSE_RESUME).isEnabled(),
                    "Reverse Resume to be disabled once the replay ended");
        }
        DebugPlugin.getDefault().getBreakpointManager().removeBreakpoints(
                DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(RewindDebugCore.MODEL_ID), true);
    }

    @AfterClass
    public static void forgetUserSvdFiles() {
        dev.rewind.debug.ui.RewindDebugUI.getDefault().getPreferenceStore().setValue("peripherals.svdFiles", "");
    }

    private ReplayTarget replay(String guest) throws Exception {
        Path elf = guest(guest);
        Path recording = Files.createTempDirectory("rewind-views").resolve(guest + ".rrlog");
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy rec = lm.getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE)
                .newInstance(null, "record " + guest);
        rec.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        rec.setAttribute(LaunchAttributes.RECORDING, recording.toString());
        ILaunch recorded = rec.launch(ILaunchManager.RUN_MODE, null);
        waitUntil(recorded::isTerminated, "the recording of " + guest + " to end");
        ILaunchConfigurationWorkingCopy rep = lm.getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE)
                .newInstance(null, "replay " + guest);
        rep.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        rep.setAttribute(LaunchAttributes.RECORDING, recording.toString());
        rep.setAttribute(LaunchAttributes.SNAPSHOT_INTERVAL, "10000");
        launch = rep.launch(ILaunchManager.DEBUG_MODE, null);
        return (ReplayTarget) launch.getDebugTarget();
    }

    private static void settle(ReplayTarget t, java.util.function.LongSupplier shown) {
        waitUntil(() -> t.isSuspended() && shown.getAsLong() == t.state().icount(), "the view to show icount "
                + (t.state() == null ? "?" : t.state().icount()));
    }

    private static int lineOf(String guestSource, String text) throws Exception {
        List<String> lines = Files.readAllLines(root().resolve("guests/src/" + guestSource), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + guestSource);
    }

    /** objdump -d of the program: address -> its instruction line. */
    private static Map<Long, String> objdump(Path elf) throws Exception {
        Process p = new ProcessBuilder("riscv64-unknown-elf-objdump", "-d", elf.toString()).redirectErrorStream(true).start();
        Map<Long, String> out = new TreeMap<>();
        for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (line.matches(" +[0-9a-f]+:\t.*")) {
                out.put(Long.parseLong(line.substring(0, line.indexOf(':')).strip(), 16), line.strip());
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    @Test
    public void disassemblyMatchesObjdumpMarksThePcAndStepsByInstructionBothWays() throws Exception {
        Path elf = guest("sample");
        Map<Long, String> reference = objdump(elf);
        ReplayTarget t = replay("sample");
        DisassemblyView view = (DisassemblyView) page.showView(DisassemblyView.ID);
        view.setTarget(t);
        RewindLineBreakpoint.create(root().resolve("guests/src/sample.c"), 19);
        t.resume();
        waitUntil(t::isSuspended, "the breakpoint in add_square");
        settle(t, view::shownIcount);
        long pc = t.state().pc();
        DisassemblyListing.Line atPc = view.shownLines().stream()
                .filter(l -> l.kind() == DisassemblyListing.Kind.INSTRUCTION && l.address() == pc).findFirst().orElseThrow();
        assertEquals(reference.get(pc), atPc.text().strip());
        assertTrue("no symbol header in view", view.shownLines().stream().anyMatch(l -> l.text().contains("<add_square>:")));
        assertTrue("no source line in view", view.shownLines().stream().anyMatch(l -> l.kind() == DisassemblyListing.Kind.SOURCE
                && l.text().startsWith("sample.c:19\ttotal = total + s;")));
        for (var l : view.shownLines()) {
            if (l.kind() == DisassemblyListing.Kind.INSTRUCTION && reference.containsKey(l.address())) {
                assertEquals(reference.get(l.address()), l.text().strip());
            }
        }
        assertTrue(tableRowAt(view, pc).startsWith("\u21d2") || tableRowAt(view, pc).contains("\u21d2"));

        long icount = t.state().icount();
        view.move(true);
        settle(t, view::shownIcount);
        assertEquals(icount + 1, t.state().icount());
        long next = t.state().pc();
        assertTrue(tableRowAt(view, next).contains("\u21d2"));
        view.move(false);
        settle(t, view::shownIcount);
        assertEquals(icount, t.state().icount());
        assertEquals(pc, t.state().pc());

        // a breakpoint toggled on the next instruction is installed and drawn
        toggleAt(view, next);
        waitUntil(() -> hasAddressBreakpoint(next), "the address breakpoint");
        waitUntil(() -> tableRowAt(view, next).contains("\u25cf"), "the breakpoint dot");
        view.goTo("main");
        waitUntil(() -> view.shownLines().stream().anyMatch(l -> l.text().contains("<main>:")), "the view to go to main");
        view.goTo("");
        // the table, not only the listing: a refresh started before goTo("") may still be drawing
        waitUntil(() -> !tableRowAt(view, pc).isEmpty() && !tableRowAt(view, next).isEmpty(), "the view to follow the pc again");
        File png = screenshot(view, "disassembly.png");
        assertTrue(png.length() > 1000);
        toggleAt(view, next);
        waitUntil(() -> !hasAddressBreakpoint(next), "the breakpoint to go again");
    }

    private static boolean hasAddressBreakpoint(long a) {
        for (IBreakpoint bp : DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(RewindDebugCore.MODEL_ID)) {
            if (bp instanceof RewindAddressBreakpoint ab && ab.address() == a) {
                return true;
            }
        }
        return false;
    }

    private static String tableRowAt(DisassemblyView view, long address) {
        for (var item : view.table().getItems()) {
            if (item.getData() instanceof DisassemblyListing.Line l && l.kind() == DisassemblyListing.Kind.INSTRUCTION
                    && l.address() == address) {
                return item.getText(0);
            }
        }
        return "";
    }

    private static void toggleAt(DisassemblyView view, long address) {
        waitUntil(() -> !tableRowAt(view, address).isEmpty(), "a row for 0x" + Long.toHexString(address));
        for (var item : view.table().getItems()) {
            if (item.getData() instanceof DisassemblyListing.Line l && l.kind() == DisassemblyListing.Kind.INSTRUCTION
                    && l.address() == address) {
                view.table().showItem(item);
                ReverseDebuggingWorkbenchTest.pump(50);
                var r = item.getBounds(0);
                org.eclipse.swt.widgets.Event e = new org.eclipse.swt.widgets.Event();
                e.x = r.x + 2;
                e.y = r.y + r.height / 2;
                e.button = 1;
                view.table().notifyListeners(org.eclipse.swt.SWT.MouseDoubleClick, e);
                return;
            }
        }
        throw new AssertionError("no row for 0x" + Long.toHexString(address));
    }

    private static long peek(ReplayTarget t, long address, int size) throws Exception {
        return t.inspect(m -> m.physicalView().peek(address, size).orElse(-1));
    }

    @Test
    public void peripheralsShowUartAndPlicRegistersChangingAcrossAReverseStep() throws Exception {
        ReplayTarget t = replay("uart_irq");
        PeripheralsView view = (PeripheralsView) page.showView(PeripheralsView.ID);
        view.setTarget(t);
        // LCR: just after the guest set 8N1, one reverse step takes it back to 0
        RewindLineBreakpoint.create(root().resolve("guests/src/uart_irq.c"), lineOf("uart_irq.c", "UART_LCR, 0x03"));
        t.resume();
        waitUntil(t::isSuspended, "the LCR write");
        while (peek(t, 0x1000_0003L, 1) != 3) {
            t.stepInstruction();
            waitUntil(t::isSuspended, "an instruction step");
        }
        settle(t, view::shownIcount);
        t.reverseStepInstruction();
        waitUntil(t::isSuspended, "the reverse step");
        settle(t, view::shownIcount);
        TreeItem lcr = view.itemOf("uart0", "LCR");
        assertEquals("0x00", lcr.getText(2));
        assertTrue("LCR not highlighted", view.isHighlighted(lcr));

        // LSR.DR and the PLIC's pending bit 10: the loopback byte written to THR, undone by a reverse step
        DebugPlugin.getDefault().getBreakpointManager().removeBreakpoints(
                DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(RewindDebugCore.MODEL_ID), true);
        RewindLineBreakpoint.create(root().resolve("guests/src/uart_irq.c"), lineOf("uart_irq.c", "UART_THR, (u8)*p"));
        t.resume();
        waitUntil(t::isSuspended, "the THR write in loopback");
        while ((peek(t, 0x1000_0005L, 1) & 1) == 0) {
            t.stepInstruction();
            waitUntil(t::isSuspended, "an instruction step");
        }
        settle(t, view::shownIcount);
        TreeItem lsr = view.itemOf("uart0", "LSR");
        TreeItem pending = view.itemOf("plic", "PENDING0");
        assertEquals("0x61", lsr.getText(2));
        assertTrue(pending.getText(2), (Long.decode(pending.getText(2)) & (1 << 10)) != 0);
        t.reverseStepInstruction();
        waitUntil(t::isSuspended, "the reverse step");
        settle(t, view::shownIcount);
        assertEquals("0x60", lsr.getText(2));
        assertEquals(0, Long.decode(pending.getText(2)) & (1 << 10));
        assertTrue("LSR not highlighted", view.isHighlighted(lsr));
        assertTrue("PENDING0 not highlighted", view.isHighlighted(pending));
        assertEquals("0x03", lcr.getText(2));
        lcr.setExpanded(false);
        expand(lsr);
        expand(pending.getParentItem());
        expand(pending);
        view.tree().setTopItem(view.tree().getItem(0));
        screenshot(view, "peripherals-reverse-step.png");

        // a user's SVD file: a board's GPIO block (not emulated) and a mailbox in RAM
        Path svd = Files.createTempDirectory("rewind-svd").resolve("board.svd");
        try (var in = FirmwareViewsWorkbenchTest.class.getResourceAsStream("/svd/board.svd")) {
            Files.copy(in, svd);
        }
        assertEquals(null, view.addSvd(svd));
        long shownBefore = view.shownIcount();
        waitUntil(() -> view.itemOf("mailbox", "COUNTER") != null && !view.itemOf("mailbox", "COUNTER").getText(2).isEmpty(),
                "the user's registers to be read");
        assertEquals("(not mapped)", view.itemOf("gpio0", "INPUT_VAL").getText(2));
        assertTrue(view.itemOf("mailbox", "COUNTER").getText(2).startsWith("0x"));
        view.tree().showItem(view.itemOf("mailbox", "COUNTER"));
        screenshot(view, "peripherals-user-svd.png");

        // a malformed file: reported with its line, the rest goes on
        Path bad = svd.resolveSibling("broken.svd");
        try (var in = FirmwareViewsWorkbenchTest.class.getResourceAsStream("/svd/broken.svd")) {
            Files.copy(in, bad);
        }
        String problem = view.addSvd(bad);
        assertNotNull(problem);
        assertTrue(problem, problem.contains("broken.svd:14:"));
        assertTrue(view.problemsText(), view.problemsText().contains("broken.svd:14:"));
        t.stepInstruction();
        waitUntil(t::isSuspended, "a step after the bad file");
        settle(t, view::shownIcount);
        assertTrue(view.shownIcount() > shownBefore);
        assertFalse(view.itemOf("uart0", "LSR").getText(2).isEmpty());
        screenshot(view, "peripherals-malformed-svd.png");
    }

    /** Saves the workbench with {@code view} maximized, then restores the layout. */
    private static File screenshot(org.eclipse.ui.IViewPart view, String name) {
        var ref = page.getReference(view);
        ReverseDebuggingWorkbenchTest.pump(300); // the Debug view comes forward at a stop: let it, then cover it
        page.activate(view);
        page.setPartState(ref, IWorkbenchPage.STATE_MAXIMIZED);
        ReverseDebuggingWorkbenchTest.pump(400);
        File png = Screenshots.save(page.getWorkbenchWindow().getShell(), name);
        page.setPartState(ref, IWorkbenchPage.STATE_RESTORED);
        ReverseDebuggingWorkbenchTest.pump(100);
        return png;
    }

    private static void expand(TreeItem item) {
        item.setExpanded(true);
        Display.getCurrent().readAndDispatch();
    }

    @Test
    public void aWatchpointOnADeviceRegisterStopsAtItsWriteForwardsAndBackwards() throws Exception {
        ReplayTarget t = replay("uart_irq");
        PeripheralsView view = (PeripheralsView) page.showView(PeripheralsView.ID);
        view.setTarget(t);
        TreeItem lcr = view.itemOf("uart0", "LCR");
        view.tree().setSelection(lcr);
        RewindWatchpoint w = view.watchSelected();
        assertEquals(0x1000_0003L, w.address());
        assertEquals(1, w.length());
        assertTrue(w.isModification());
        assertTrue("a device register is watched at its physical address", w.physical());
        t.resume();
        waitUntil(t::isSuspended, "the watchpoint forwards");
        assertEquals(Stop.Kind.WATCHPOINT, t.state().stop().kind());
        long after = t.state().icount();
        assertEquals(3, peek(t, 0x1000_0003L, 1));
        assertTrue(List.of(t.hart().getBreakpoints()).contains(w));
        t.resume();
        waitUntil(t::isSuspended, "the end of history (LCR is written once)");
        assertEquals(Stop.Kind.HISTORY_END, t.state().stop().kind());
        t.reverseResume();
        waitUntil(t::isSuspended, "the watchpoint backwards");
        assertEquals(Stop.Kind.WATCHPOINT, t.state().stop().kind());
        assertEquals("backwards it stops before the write", after - 1, t.state().icount());
        assertEquals(0, peek(t, 0x1000_0003L, 1));
        assertTrue(List.of(t.hart().getBreakpoints()).contains(w));
        // the Memory view's action reads "address length"
        assertEquals(0x80002000L, dev.rewind.debug.ui.views.WatchMemoryAction.parse("0x80002000 4")[0]);
        assertEquals(4, dev.rewind.debug.ui.views.WatchMemoryAction.parse("0x80002000 4")[1]);
        assertEquals(null, dev.rewind.debug.ui.views.WatchMemoryAction.parse("nonsense"));
    }

    @Test
    public void memoryBlockMarksTheBytesTheLastMoveChanged() throws Exception {
        ReplayTarget t = replay("sample");
        RewindLineBreakpoint.create(root().resolve("guests/src/sample.c"), 19); // total = total + s;
        t.resume();
        waitUntil(t::isSuspended, "the breakpoint");
        var block = t.getExtendedMemoryBlock("total", null);
        MemoryByte[] before = block.getBytesFromAddress(block.getBigBaseAddress(), 16);
        assertTrue(before[0].isReadable());
        t.stepOver();
        waitUntil(t::isSuspended, "a step over");
        assertChanged(block.getBytesFromAddress(block.getBigBaseAddress(), 16), "the step over");
        t.reverseStepOver();
        waitUntil(t::isSuspended, "a reverse step over");
        MemoryByte[] back = block.getBytesFromAddress(block.getBigBaseAddress(), 16);
        assertChanged(back, "the reverse step over");
        for (int i = 0; i < 16; i++) {
            assertEquals(before[i].getValue(), back[i].getValue());
        }
        // the Platform's Memory view renders the block; after a step the changed bytes stand out
        var debugView = (org.eclipse.debug.ui.IDebugView) page.showView(IDebugUIConstants.ID_DEBUG_VIEW);
        debugView.getViewer().setSelection(new org.eclipse.jface.viewers.TreeSelection(new org.eclipse.jface.viewers.TreePath(
                new Object[] {t.getLaunch(), t, t.hart(), t.hart().getTopStackFrame()})), true);
        org.eclipse.ui.IViewPart memory = page.showView(IDebugUIConstants.ID_MEMORY_VIEW);
        DebugPlugin.getDefault().getMemoryBlockManager().addMemoryBlocks(new org.eclipse.debug.core.model.IMemoryBlock[] {block});
        var types = org.eclipse.debug.ui.DebugUITools.getMemoryRenderingManager().getDefaultRenderingTypes(block);
        assertEquals("the Memory view renders a replay's block in hex by default", "org.eclipse.debug.ui.rendering.raw_memory",
                types.length == 0 ? "none" : types[0].getId());
        var pane = ((org.eclipse.debug.ui.memory.IMemoryRenderingSite) memory)
                .getContainer(IDebugUIConstants.ID_RENDERING_VIEW_PANE_1);
        ReverseDebuggingWorkbenchTest.pump(300);
        if (pane.getRenderings().length == 0) { // as the New Renderings tab does with the default type
            var rendering = types[0].createRendering();
            rendering.init(pane, block);
            pane.addMemoryRendering(rendering);
        }
        ReverseDebuggingWorkbenchTest.pump(300);
        t.stepOver();
        waitUntil(t::isSuspended, "a step over with the Memory view open");
        assertChanged(block.getBytesFromAddress(block.getBigBaseAddress(), 16), "the step over");
        ReverseDebuggingWorkbenchTest.pump(800); // the Debug view comes forward at a stop: let it, then the Memory view
        var ref = page.getReference(memory);
        page.activate(memory);
        page.setPartState(ref, IWorkbenchPage.STATE_MAXIMIZED);
        ReverseDebuggingWorkbenchTest.pump(1500); // the table rendering fills itself in the background
        File png = Screenshots.save(page.getWorkbenchWindow().getShell(), "memory-changed-bytes.png");
        page.setPartState(ref, IWorkbenchPage.STATE_RESTORED);
        assertTrue(png.length() > 1000);
    }

    /** {@code total} (an int) changed, the bytes after it did not. */
    private static void assertChanged(MemoryByte[] bytes, String move) {
        boolean any = false;
        for (int i = 0; i < bytes.length; i++) {
            assertTrue(bytes[i].isHistoryKnown());
            if (i >= 4) {
                assertFalse("byte " + i + " after total marked changed by " + move, bytes[i].isChanged());
            }
            any |= bytes[i].isChanged();
        }
        assertTrue("total not marked changed by " + move, any);
    }
}
