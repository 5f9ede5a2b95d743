package dev.rewind.debug.ui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.Position;
import org.eclipse.jface.text.source.Annotation;
import org.eclipse.jface.text.source.IAnnotationModel;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IEditorReference;
import org.eclipse.ui.IFileEditorInput;
import org.eclipse.ui.IPartListener2;
import org.eclipse.ui.IStorageEditorInput;
import org.eclipse.ui.IURIEditorInput;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchPartReference;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.texteditor.ITextEditor;

import dev.rewind.debug.core.model.RecordingQueries;
import dev.rewind.debug.core.model.ReplayTarget;

/**
 * Coverage of a recording in the source editors: lines the recording entered are marked
 * "executed N times", lines with code it never entered "not executed" (annotation types with
 * the editors' usual ruler, overview and highlight preferences). Open editors are annotated when
 * the coverage arrives, editors opened later as they open. Counts come from the recording's
 * query engine ({@code rewind coverage}'s numbers).
 */
public final class CoverageAnnotations {

    public static final String EXECUTED = "dev.rewind.debug.ui.executed";
    public static final String NOT_EXECUTED = "dev.rewind.debug.ui.notExecuted";

    /** The coverage shown (per DWARF source path, per line), or null; UI thread. */
    private static Map<String, TreeMap<Integer, Long>> shown;
    /** The replay whose coverage is shown: once it ended, editors opened later get none. */
    private static ReplayTarget shownTarget;
    private static IPartListener2 opener;

    private CoverageAnnotations() {
    }

    /** Measures the target's coverage in a job (one replay of the recording) and annotates the editors. */
    public static Job show(ReplayTarget t) {
        Job job = new RecordingQuestionJob("Coverage of " + t.getName()) {
            @Override
            protected IStatus ask(IProgressMonitor monitor) throws CoreException {
                Map<String, TreeMap<Integer, Long>> lines = RecordingQueries.coverage(t, monitor);
                Display.getDefault().asyncExec(() -> {
                    shownTarget = t;
                    annotateAll(lines);
                });
                return Status.OK_STATUS;
            }
        };
        job.schedule();
        return job;
    }

    private static void annotateAll(Map<String, TreeMap<Integer, Long>> lines) {
        shown = lines;
        for (IWorkbenchWindow w : PlatformUI.getWorkbench().getWorkbenchWindows()) {
            for (IWorkbenchPage p : w.getPages()) {
                for (IEditorReference r : p.getEditorReferences()) {
                    IEditorPart e = r.getEditor(false);
                    if (e instanceof ITextEditor te) {
                        annotate(te, lines);
                    }
                }
            }
            if (opener == null) {
                opener = new IPartListener2() {
                    @Override
                    public void partOpened(IWorkbenchPartReference ref) {
                        if (shownTarget != null && shownTarget.isTerminated()) {
                            shown = null;
                            shownTarget = null;
                        }
                        if (shown != null && ref.getPart(false) instanceof ITextEditor te) {
                            annotate(te, shown);
                        }
                    }
                };
                w.getPartService().addPartListener(opener);
            }
        }
    }

    /** Replaces the editor's coverage annotations by those of {@code lines} for its file, if it has code there. */
    static void annotate(ITextEditor editor, Map<String, TreeMap<Integer, Long>> lines) {
        IEditorInput input = editor.getEditorInput();
        TreeMap<Integer, Long> counts = countsFor(pathOf(input), lines);
        IAnnotationModel model = editor.getDocumentProvider().getAnnotationModel(input);
        IDocument doc = editor.getDocumentProvider().getDocument(input);
        if (model == null || doc == null) {
            return;
        }
        for (Annotation a : annotations(editor)) {
            model.removeAnnotation(a);
        }
        if (counts == null) {
            return;
        }
        for (Map.Entry<Integer, Long> e : counts.entrySet()) {
            int line = e.getKey() - 1;
            if (line >= doc.getNumberOfLines()) {
                continue;
            }
            try {
                long n = e.getValue();
                String text = n == 0 ? "Not executed in this recording"
                        : String.format("Executed %,d time%s in this recording", n, n == 1 ? "" : "s");
                model.addAnnotation(new Annotation(n == 0 ? NOT_EXECUTED : EXECUTED, false, text),
                        new Position(doc.getLineOffset(line), doc.getLineLength(line)));
            } catch (BadLocationException ex) {
                // the file changed since it was compiled: leave that line unmarked
            }
        }
    }

    /** The coverage annotations an editor shows. */
    public static List<Annotation> annotations(ITextEditor editor) {
        List<Annotation> out = new ArrayList<>();
        IAnnotationModel model = editor.getDocumentProvider().getAnnotationModel(editor.getEditorInput());
        if (model != null) {
            for (Iterator<Annotation> it = model.getAnnotationIterator(); it.hasNext();) {
                Annotation a = it.next();
                if (EXECUTED.equals(a.getType()) || NOT_EXECUTED.equals(a.getType())) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** The line of an annotation in the editor (1-based), or -1. */
    public static int lineOf(ITextEditor editor, Annotation a) {
        IAnnotationModel model = editor.getDocumentProvider().getAnnotationModel(editor.getEditorInput());
        Position p = model == null ? null : model.getPosition(a);
        try {
            return p == null ? -1 : editor.getDocumentProvider().getDocument(editor.getEditorInput()).getLineOfOffset(p.offset) + 1;
        } catch (BadLocationException e) {
            return -1;
        }
    }

    private static Path pathOf(IEditorInput input) {
        try {
            if (input instanceof IFileEditorInput f && f.getFile().getLocation() != null) {
                return f.getFile().getLocation().toPath();
            }
            if (input instanceof IURIEditorInput u && "file".equals(u.getURI().getScheme())) {
                return Path.of(u.getURI());
            }
            if (input instanceof IStorageEditorInput s && s.getStorage().getFullPath() != null) {
                return s.getStorage().getFullPath().toPath();
            }
        } catch (CoreException | RuntimeException e) {
            // an input without a file: nothing to annotate
        }
        return null;
    }

    /** The counts of the DWARF path that names {@code file}: the same path, else the only one with its name. */
    private static TreeMap<Integer, Long> countsFor(Path file, Map<String, TreeMap<Integer, Long>> lines) {
        if (file == null) {
            return null;
        }
        Path abs = file.toAbsolutePath().normalize();
        TreeMap<Integer, Long> byName = null;
        int sameName = 0;
        for (Map.Entry<String, TreeMap<Integer, Long>> e : lines.entrySet()) {
            Path p = Path.of(e.getKey());
            if (p.isAbsolute() && p.normalize().equals(abs)) {
                return e.getValue();
            }
            if (p.getFileName() != null && p.getFileName().equals(abs.getFileName())) {
                byName = e.getValue();
                sameName++;
            }
        }
        return sameName == 1 ? byName : null;
    }
}
