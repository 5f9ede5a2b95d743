package dev.rewind.debug.ui.tests;

import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.guest;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.waitUntil;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.eclipse.core.filesystem.EFS;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.jface.text.source.Annotation;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.junit.Test;

import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.ui.CoverageAnnotations;
import dev.rewind.replay.GuestPrograms;

/**
 * Coverage of a recording of the sample program in the C editor: add_square's
 * {@code total = total + s;} (line 19) was entered 10 times, penalty's {@code total = total - 1;}
 * (line 25) 3 times (i = 3, 6, 9), its {@code if} 10 times; the editor shows it as annotations.
 */
public class CoverageAnnotationsTest {

    @Test
    public void theSourceEditorMarksHowOftenTheRecordingExecutedEachLine() throws Exception {
        Path elf = guest("sample");
        Path rec = Files.createTempDirectory("rewind-coverage").resolve("sample.rrlog");
        // in the Debug perspective already, as a user debugging is: no "switch perspective?" question
        PlatformUI.getWorkbench().showPerspective(org.eclipse.debug.ui.IDebugUIConstants.ID_DEBUG_PERSPECTIVE,
                PlatformUI.getWorkbench().getActiveWorkbenchWindow());
        ILaunch recorded = GuestRecordings.record(elf, rec, 0);
        ILaunch launch = GuestRecordings.replay(elf, rec);
        ReplayTarget t = (ReplayTarget) launch.getDebugTarget();
        try {
            IWorkbenchPage page = PlatformUI.getWorkbench().getActiveWorkbenchWindow().getActivePage();
            Path source = GuestPrograms.root().resolve("guests/src/sample.c");
            ITextEditor editor = (ITextEditor) IDE.openEditorOnFileStore(page,
                    EFS.getLocalFileSystem().getStore(source.toUri()));
            CoverageAnnotations.show(t).join();
            waitUntil(() -> !CoverageAnnotations.annotations(editor).isEmpty(), "the coverage annotations");
            Map<Integer, String> byLine = new TreeMap<>(CoverageAnnotations.annotations(editor).stream().collect(
                    Collectors.toMap(a -> CoverageAnnotations.lineOf(editor, a), Annotation::getText)));
            assertEquals(byLine.toString(), "Executed 10 times in this recording", byLine.get(19));
            assertEquals(byLine.toString(), "Executed 10 times in this recording", byLine.get(24));
            assertEquals(byLine.toString(), "Executed 3 times in this recording", byLine.get(25));
            assertTrue("comment lines carry no mark: " + byLine, !byLine.containsKey(1));
            assertTrue(CoverageAnnotations.annotations(editor).stream()
                    .allMatch(a -> a.getType().equals(CoverageAnnotations.EXECUTED)
                            || a.getType().equals(CoverageAnnotations.NOT_EXECUTED)));
            editor.selectAndReveal(0, 0);
            ReverseDebuggingWorkbenchTest.pump(500);
            assertTrue(Screenshots.save(page.getWorkbenchWindow().getShell(), "coverage-in-editor.png").length() > 1000);
            page.closeEditor(editor, false);
        } finally {
            launch.terminate();
            GuestRecordings.manager().removeLaunches(new ILaunch[] {launch, recorded});
        }
    }
}
