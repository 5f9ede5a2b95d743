package dev.rewind.debug.ui.tests;

import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.guest;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.pump;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.waitUntil;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.runtime.IAdaptable;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IStackFrame;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.debug.ui.IDebugView;
import org.eclipse.jface.viewers.TreePath;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.HartThread;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.ui.RewindDebugUI;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.Timeline;

/**
 * A replay of guests/src/smp.c on two harts in the Debug view: one thread per hart, each with its
 * own frames and registers; selecting the hart that did not stop shows its pc, registers and
 * mhartid as an independent replay reads them at the same position, and Reverse Step Into on it
 * goes back to just before that hart's previous instruction.
 */
public class HartsAreThreadsInTheDebugViewTest {

    @Test
    public void eachHartIsAThreadWithItsOwnRegistersAndReverseStepsGoBackToThatHartsPreviousInstruction() throws Exception {
        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, window);
        IWorkbenchPage page = window.getActivePage();
        IViewPart debugView = page.showView(IDebugUIConstants.ID_DEBUG_VIEW);
        page.activate(debugView);

        Path elf = guest("smp");
        Path rec = Files.createTempDirectory("rewind-harts").resolve("smp2.rrlog");
        ILaunchConfigurationWorkingCopy wc = GuestRecordings.manager().getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE)
                .newInstance(null, "record smp on 2 harts");
        wc.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        wc.setAttribute(LaunchAttributes.RECORDING, rec.toString());
        wc.setAttribute(LaunchAttributes.HARTS, 2);
        ILaunch recorded = wc.launch(ILaunchManager.RUN_MODE, null);
        waitUntil(recorded::isTerminated, "the recording on 2 harts");

        ILaunch launch = GuestRecordings.replay(elf, rec);
        ReplayTarget target = (ReplayTarget) launch.getDebugTarget();
        try {
            long mid = target.endIcount() / 2;
            target.seek(mid);
            waitUntil(() -> target.isSuspended() && target.state().icount() == mid, "the replay at icount " + mid);
            assertEquals("one thread per hart", 2, target.getThreads().length);
            Tree tree = (Tree) ((IDebugView) debugView).getViewer().getControl();
            waitUntil(() -> shows(tree.getItems(), "Hart 0 (suspended") && shows(tree.getItems(), "Hart 1 (suspended"),
                    "both harts in the Debug view");

            // The hart that did not stop: its own state, as an independent replay reads it there.
            int other = 1 - target.hart().id();
            HartThread hart = target.hart(other);
            // As a click does. The viewer's own setSelection asks the Debug view's selection policy,
            // which keeps a suspended frame of another thread selected: once the model's suspend
            // delta has selected the stopped hart's frame, a programmatic selection of this hart is
            // refused, so the test clicks the frame's tree item instead. Again if the click came
            // before the hart's frames were in the tree.
            waitUntil(() -> {
                if (!ofHart(DebugUITools.getDebugContext(), hart)) {
                    page.activate(debugView);
                    click(tree, (TreeViewer) ((IDebugView) debugView).getViewer(),
                            new TreePath(new Object[] {launch, target, hart}), hart);
                    for (int waited = 0; waited < 1_000 && !ofHart(DebugUITools.getDebugContext(), hart); waited += 50) {
                        pump(50);
                    }
                }
                return ofHart(DebugUITools.getDebugContext(), hart);
            }, "hart " + other + "'s frame to be the debug context");
            IStackFrame top = hart.getTopStackFrame();
            long pc;
            long[] regs = new long[32];
            long retired;
            try (Timeline t = Timeline.open(rec, Timeline.Options.defaults())) {
                t.seek(mid);
                VirtMachine m = t.machine();
                pc = m.hart(other).pc();
                for (int i = 0; i < 32; i++) {
                    regs[i] = m.hart(other).reg(i);
                }
                retired = m.retired(other);
                assertNotEquals("the harts are in different places", m.hart(0).pc(), m.hart(1).pc());
            }
            assertEquals("pc of hart " + other, pc, register(top, "pc"));
            assertEquals("mhartid of hart " + other, other, register(top, "mhartid"));
            for (int i = 1; i < 32; i++) {
                assertEquals("x" + i + " of hart " + other, regs[i], hart.state().regs()[i]);
            }
            assertEquals(retired, hart.state().retired());

            // Reverse Step Into on it, through the command as the toolbar runs it.
            PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(RewindDebugUI.REVERSE_STEP_INTO, null);
            waitUntil(() -> target.isSuspended() && target.state().icount() < mid, "the reverse step of hart " + other);
            assertEquals("the hart that stepped back is the current one", other, target.hart().id());
            assertEquals("hart " + other + " is one instruction back", retired - 1, target.state(other).retired());
            assertEquals("and about to run that instruction again", target.state(other).pc(), target.state().pc());
        } finally {
            launch.terminate();
            GuestRecordings.manager().removeLaunches(new ILaunch[] {launch, recorded});
        }
    }

    /** Expands the hart's item and clicks its top frame's item, if the tree has it yet. */
    private static void click(Tree tree, TreeViewer viewer, TreePath threadPath, HartThread hart) {
        viewer.expandToLevel(threadPath, 1);
        TreeItem frame = frameItem(tree.getItems(), hart);
        if (frame != null) {
            tree.setSelection(frame);
            Event e = new Event();
            e.item = frame;
            tree.notifyListeners(SWT.Selection, e);
        }
    }

    private static TreeItem frameItem(TreeItem[] items, HartThread hart) {
        for (TreeItem item : items) {
            if (item.getData() instanceof IStackFrame f && f.getThread() == hart) {
                return item;
            }
            TreeItem below = frameItem(item.getItems(), hart);
            if (below != null) {
                return below;
            }
        }
        return null;
    }

    private static boolean ofHart(IAdaptable context, HartThread hart) {
        return context == hart || context instanceof IStackFrame f && f.getThread() == hart;
    }

    private static long register(IStackFrame frame, String name) throws Exception {
        for (IRegisterGroup g : frame.getRegisterGroups()) {
            for (IRegister r : g.getRegisters()) {
                if (r.getName().equals(name)) {
                    return Long.parseUnsignedLong(r.getValue().getValueString().substring(2, 18), 16);
                }
            }
        }
        throw new AssertionError("no register " + name + " in " + frame.getName());
    }

    private static boolean shows(TreeItem[] items, String text) {
        for (TreeItem item : items) {
            if (item.getText().contains(text) || shows(item.getItems(), text)) {
                return true;
            }
        }
        return false;
    }
}
