package dev.rewind.debug.ui.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchManager;
import org.junit.After;
import org.junit.Test;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.debug.core.model.ReplayStackFrame;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.RewindLineBreakpoint;
import dev.rewind.debug.ui.ide.ProjectFolders;
import dev.rewind.replay.Stop;

/**
 * The sample project of {@code ./rewind ide}, laid out as the script does it: opening it makes
 * its shared launch configurations known, and they work as shipped: Record sample writes
 * sample.rrlog into the project, Replay sample stops at a breakpoint set in the project's copy of
 * sample.c, and source lookup finds that copy as a workspace file.
 */
public class SampleProjectLaunchesTest {

    private static final int TOTAL_LINE = 19;
    private IProject project;

    @After
    public void cleanUp() throws Exception {
        for (ILaunch l : DebugPlugin.getDefault().getLaunchManager().getLaunches()) {
            if (!l.isTerminated()) {
                l.terminate();
            }
        }
        var bm = DebugPlugin.getDefault().getBreakpointManager();
        bm.removeBreakpoints(bm.getBreakpoints(RewindDebugCore.MODEL_ID), true);
        if (project != null) {
            project.delete(true, true, null);
        }
    }

    @Test
    public void sharedLaunchConfigurationsRecordAndReplayTheSample() throws Exception {
        IWorkspace ws = ResourcesPlugin.getWorkspace();
        Path folder = layOutSample(Path.of(ws.getRoot().getLocation().toOSString()).resolve("sample"));
        List<IProject> opened = ProjectFolders.open(ws, new NullProgressMonitor());
        project = ws.getRoot().getProject("sample");
        assertEquals(List.of(project), opened);
        assertTrue(project.isOpen());
        assertEquals("a second pass opens nothing", List.of(), ProjectFolders.open(ws, new NullProgressMonitor()));

        ILaunch record = configuration("Record sample").launch(ILaunchManager.RUN_MODE, null);
        ReverseDebuggingWorkbenchTest.waitUntil(record::isTerminated, "Record sample to end");
        assertEquals("guest exit code", 0, record.getProcesses()[0].getExitValue());
        assertTrue("no recording in the project", Files.size(folder.resolve("sample.rrlog")) > 0);

        RewindLineBreakpoint.create(folder.resolve("src/sample.c"), TOTAL_LINE);
        ILaunch replay = configuration("Replay sample").launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) replay.getDebugTarget();
        assertNotNull("Replay sample made no debug target", target);
        target.resume();
        ReverseDebuggingWorkbenchTest.waitUntil(target::isSuspended, "the breakpoint in the project's sample.c");
        assertEquals(Stop.Kind.BREAKPOINT, target.state().stop().kind());
        ReplayStackFrame top = (ReplayStackFrame) target.hart().getTopStackFrame();
        assertEquals("add_square", top.function());
        assertEquals(TOTAL_LINE, top.getLineNumber());
        Object source = replay.getSourceLocator().getSourceElement(top);
        assertTrue("source is " + source, source instanceof IFile);
        assertEquals("/sample/src/sample.c", ((IFile) source).getFullPath().toString());
    }

    private static ILaunchConfiguration configuration(String name) throws Exception {
        ILaunchConfiguration[] all = DebugPlugin.getDefault().getLaunchManager().getLaunchConfigurations();
        return Arrays.stream(all).filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no launch configuration '" + name + "' in " + Arrays.toString(all)));
    }

    /** What {@code releng/dev.rewind.product/ide.sh} copies on first use. */
    private static Path layOutSample(Path folder) throws Exception {
        Path root = ReverseDebuggingWorkbenchTest.root();
        Path template = root.resolve("releng/dev.rewind.product/sample");
        Files.createDirectories(folder.resolve("src"));
        Files.createDirectories(folder.resolve("lib"));
        for (String f : List.of(".project", "Record sample.launch", "Replay sample.launch")) {
            Files.copy(template.resolve(f), folder.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(root.resolve("guests/src/sample.c"), folder.resolve("src/sample.c"), StandardCopyOption.REPLACE_EXISTING);
        for (String f : List.of("rt.c", "rt.h", "crt0.S", "link.ld")) {
            Files.copy(root.resolve("guests/lib/" + f), folder.resolve("lib/" + f), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(root.resolve("guests/prebuilt/sample.elf"), folder.resolve("sample.elf"), StandardCopyOption.REPLACE_EXISTING);
        return folder;
    }
}
