package dev.rewind.debug.ui.views;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.part.ViewPart;

import dev.rewind.debug.core.model.RecordingQueries;
import dev.rewind.debug.core.model.ReplayTarget;

/**
 * Value History: every change of a variable (or {@code ADDR[:LEN]}) over the whole recording of
 * the selected replay, answered by the recording's query engine: a step plot of the value over
 * the recording ({@link ValueHistoryPlot}) above a table of position, pc, privilege, value before
 * and after, and the writing function and line. A double-click on a row, or a click on a change
 * in the plot, moves the replay to just before that write.
 */
public final class ValueHistoryView extends ViewPart {

    public static final String ID = "dev.rewind.debug.ui.ValueHistoryView";
    private static final String[] COLUMNS = {"icount", "pc", "priv", "before", "after", "written by"};
    private static final int[] WIDTHS = {110, 110, 40, 170, 170, 260};

    private Text expression;
    private Label status;
    private Table table;
    private ValueHistoryPlot plot;
    private volatile ReplayTarget target;
    private RecordingQueries.History shown;

    @Override
    public void createPartControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(3, false));
        new Label(c, SWT.NONE).setText("Variable or ADDR[:LEN]:");
        expression = new Text(c, SWT.BORDER | SWT.SINGLE);
        expression.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        expression.addListener(SWT.DefaultSelection, e -> showHistory());
        Button show = new Button(c, SWT.PUSH);
        show.setText("Show History");
        show.addListener(SWT.Selection, e -> showHistory());
        status = new Label(c, SWT.NONE);
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1));
        status.setText("Select a Rewind replay, name a global variable and press Show History.");
        SashForm split = new SashForm(c, SWT.VERTICAL);
        split.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 3, 1));
        plot = new ValueHistoryPlot(split, i -> {
            table.setSelection(i);
            seekToRow(i);
        });
        table = new Table(split, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        split.setWeights(new int[] {2, 3});
        for (int i = 0; i < COLUMNS.length; i++) {
            TableColumn col = new TableColumn(table, i < 3 ? SWT.RIGHT : SWT.LEFT);
            col.setText(COLUMNS[i]);
            col.setWidth(WIDTHS[i]);
        }
        table.addListener(SWT.DefaultSelection, e -> seekToRow(table.getSelectionIndex()));
        table.addListener(SWT.Selection, e -> plot.select(table.getSelectionIndex()));
    }

    @Override
    public void setFocus() {
        expression.setFocus();
    }

    /** The replay the view asks (for tests; otherwise the one selected in the Debug view). */
    public void setTarget(ReplayTarget t) {
        target = t;
    }

    public void setExpression(String text) {
        expression.setText(text);
    }

    public Table table() {
        return table;
    }

    /** The plot's canvas (tests click it). */
    public Canvas plot() {
        return plot.canvas();
    }

    /** Where the plot draws change {@code index}, in its canvas's coordinates. */
    public Point plotPointOf(int index) {
        return plot.pointOf(index);
    }

    public String status() {
        return status.getText();
    }

    /** Asks the recording for the history of the expression, in a job; returns the job. */
    public Job showHistory() {
        ReplayTarget t = target != null && !target.isTerminated() ? target : selectedTarget();
        String text = expression.getText().trim();
        if (t == null || text.isEmpty()) {
            status.setText(t == null ? "No Rewind replay is selected in the Debug view." : "Name a variable first.");
            return null;
        }
        target = t;
        status.setText("Asking the recording for the history of " + text + " ...");
        Job job = new Job("Value history of " + text) {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                monitor.beginTask(getName(), 1000);
                try {
                    RecordingQueries.History h = RecordingQueries.history(t, text, monitor);
                    Display.getDefault().asyncExec(() -> show(h));
                    return Status.OK_STATUS;
                } catch (OperationCanceledException e) {
                    return Status.CANCEL_STATUS;
                } catch (CoreException e) {
                    String m = e.getStatus().getMessage();
                    Display.getDefault().asyncExec(() -> {
                        if (!status.isDisposed()) {
                            status.setText(m);
                        }
                    });
                    return Status.OK_STATUS; // the view says what is wrong; no error dialog
                } finally {
                    monitor.done();
                }
            }
        };
        job.setUser(false);
        job.schedule();
        return job;
    }

    private void show(RecordingQueries.History h) {
        if (table.isDisposed()) {
            return;
        }
        shown = h;
        table.removeAll();
        for (RecordingQueries.Change ch : h.changes()) {
            TableItem item = new TableItem(table, SWT.NONE);
            item.setText(new String[] {Long.toString(ch.icount()), String.format("0x%08x", ch.pc()), ch.privilege(),
                ch.before(), ch.after(), ch.where()});
        }
        plot.show(h);
        status.setText(h.target() + ": " + h.changes().size() + " changes in " + h.writes() + " writes, initially "
                + h.initial() + " (double-click a row or click a change in the plot to go there)");
    }

    /** Moves the replay to just before the write of row {@code index}. */
    public void seekToRow(int index) {
        RecordingQueries.History h = shown;
        ReplayTarget t = target;
        if (h == null || t == null || index < 0 || index >= h.changes().size()) {
            return;
        }
        plot.select(index);
        try {
            t.seek(h.changes().get(index).icount());
        } catch (DebugException e) {
            status.setText(e.getStatus().getMessage());
        }
    }

    private static ReplayTarget selectedTarget() {
        return ReplayTargets.of(DebugUITools.getDebugContext());
    }
}
