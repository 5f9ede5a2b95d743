package dev.rewind.debug.ui.views;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugException;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.IToolBarManager;
import org.eclipse.jface.preference.IPreferenceStore;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.graphics.FontData;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeColumn;
import org.eclipse.swt.widgets.TreeItem;

import dev.rewind.debug.core.model.HartState;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.RewindWatchpoint;
import dev.rewind.emulator.WatchKind;
import dev.rewind.debug.core.svd.SvdException;
import dev.rewind.debug.core.svd.SvdModel.Device;
import dev.rewind.debug.core.svd.SvdModel.Field;
import dev.rewind.debug.core.svd.SvdModel.Peripheral;
import dev.rewind.debug.core.svd.SvdModel.Register;
import dev.rewind.debug.core.svd.SvdReader;
import dev.rewind.debug.ui.RewindDebugUI;

/**
 * Every device of the machine with its registers and bit fields, at the current position of the
 * replay, read without side effects; values that changed with the last move are highlighted.
 * Descriptions come from CMSIS-SVD files: Rewind's own for the virt machine, and any the user
 * adds (their peripherals are read from physical memory as the file places them, emulated or
 * not). A file with a problem is reported with its line and left out; the view goes on.
 */
public final class PeripheralsView extends ReplayStateView<PeripheralsView.Values> {

    public static final String ID = "dev.rewind.debug.ui.PeripheralsView";
    private static final String PREF_FILES = "peripherals.svdFiles";

    /** One register shown: where it is read and its tree item. */
    private record Row(Peripheral peripheral, Register register, TreeItem item) {
    }

    /** Values of the rows read at one position (null = nothing mapped there). */
    record Values(long icount, Long[] values) {
    }

    private Tree tree;
    private Label problems;
    private Color changedColor;
    private Font boldFont;
    private final List<Device> devices = new ArrayList<>();
    private final Map<Path, String> fileProblems = new LinkedHashMap<>();
    private final List<Path> userFiles = new ArrayList<>();
    private volatile List<Row> rows = List.of();
    private Values shown;
    /** The values at the stop before the one shown: what the highlights compare with. */
    private Values previousStop;
    /** What each value cell shows, so a refresh only touches cells that change. */
    private final Map<TreeItem, String> shownText = new java.util.IdentityHashMap<>();
    private final Map<TreeItem, Boolean> shownChanged = new java.util.IdentityHashMap<>();

    @Override
    public void createPartControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayout layout = new GridLayout(1, false);
        layout.marginWidth = layout.marginHeight = 0;
        c.setLayout(layout);
        problems = new Label(c, SWT.WRAP);
        problems.setForeground(parent.getDisplay().getSystemColor(SWT.COLOR_DARK_RED));
        problems.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        tree = new Tree(c, SWT.FULL_SELECTION | SWT.SINGLE | SWT.V_SCROLL | SWT.H_SCROLL);
        tree.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        tree.setHeaderVisible(true);
        tree.setLinesVisible(true);
        String[] titles = {"Register", "Address", "Value", "Description"};
        int[] widths = {200, 110, 170, 520};
        for (int i = 0; i < titles.length; i++) {
            TreeColumn col = new TreeColumn(tree, SWT.LEFT);
            col.setText(titles[i]);
            col.setWidth(widths[i]);
        }
        changedColor = new Color(parent.getDisplay(), 255, 235, 120);
        FontData fd = tree.getFont().getFontData()[0];
        boldFont = new Font(parent.getDisplay(), fd.getName(), fd.getHeight(), SWT.BOLD);
        IToolBarManager bar = getViewSite().getActionBars().getToolBarManager();
        bar.add(new Action("Add SVD File...") {
            @Override
            public void run() {
                FileDialog d = new FileDialog(tree.getShell(), SWT.OPEN);
                d.setFilterExtensions(new String[] {"*.svd;*.xml", "*.*"});
                String f = d.open();
                if (f != null) {
                    addSvd(Path.of(f));
                }
            }
        });
        bar.add(new Action("Remove Added SVD Files") {
            @Override
            public void run() {
                userFiles.clear();
                saveFiles();
                reload();
            }
        });
        bar.add(new Action("Watch Register") {
            @Override
            public void run() {
                try {
                    watchSelected();
                } catch (CoreException e) {
                    setContentDescription(e.getMessage());
                }
            }
        });
        IPreferenceStore prefs = RewindDebugUI.getDefault().getPreferenceStore();
        for (String f : prefs.getString(PREF_FILES).split("\n")) {
            if (!f.isBlank()) {
                userFiles.add(Path.of(f));
            }
        }
        reload();
        startFollowing();
    }

    @Override
    public void dispose() {
        changedColor.dispose();
        boldFont.dispose();
        super.dispose();
    }

    @Override
    protected boolean isDisposed() {
        return tree == null || tree.isDisposed();
    }

    @Override
    public void setFocus() {
        tree.setFocus();
    }

    /**
     * Adds the user's SVD file; returns its problem (file:line: message) or null when it was
     * read. A file with a problem is remembered but not shown until it is fixed.
     */
    public String addSvd(Path file) {
        if (!userFiles.contains(file)) {
            userFiles.add(file);
            saveFiles();
        }
        reload();
        return fileProblems.get(file);
    }

    /** The problems of the SVD files, one per line, or "". */
    public String problemsText() {
        return problems.getText();
    }

    private void saveFiles() {
        StringBuilder sb = new StringBuilder();
        for (Path p : userFiles) {
            sb.append(p).append('\n');
        }
        RewindDebugUI.getDefault().getPreferenceStore().setValue(PREF_FILES, sb.toString());
    }

    /** Re-reads the SVD files and rebuilds the tree (values follow with the next refresh). */
    private void reload() {
        devices.clear();
        fileProblems.clear();
        devices.add(SvdReader.virt());
        for (Path p : userFiles) {
            try {
                devices.add(SvdReader.read(p));
            } catch (SvdException e) {
                fileProblems.put(p, e.getMessage());
            } catch (IOException e) {
                fileProblems.put(p, p + ": cannot be read: " + e.getMessage());
            }
        }
        StringBuilder sb = new StringBuilder();
        fileProblems.values().forEach(m -> sb.append(sb.length() == 0 ? "" : "\n").append(m).append(" (file not shown)"));
        problems.setText(sb.toString());
        problems.setVisible(sb.length() > 0);
        ((GridData) problems.getLayoutData()).exclude = sb.length() == 0;
        problems.getParent().layout(true);
        tree.removeAll();
        shownText.clear();
        shownChanged.clear();
        List<Row> built = new ArrayList<>();
        for (Device d : devices) {
            TreeItem di = new TreeItem(tree, SWT.NONE);
            di.setText(new String[] {d.name(), "", "", d.description() + " (" + Path.of(d.source()).getFileName() + ")"});
            for (Peripheral p : d.peripherals()) {
                TreeItem pi = new TreeItem(di, SWT.NONE);
                pi.setText(new String[] {p.name(), hex(p.baseAddress()), "", p.description()});
                for (Register r : p.registers()) {
                    TreeItem ri = new TreeItem(pi, SWT.NONE);
                    ri.setText(new String[] {r.name(), hex(r.address(p)), r.readable() ? "" : "(write-only)", r.description()});
                    ri.setData(new Row(p, r, ri));
                    for (Field f : r.fields()) {
                        TreeItem fi = new TreeItem(ri, SWT.NONE);
                        String bits = f.width() == 1 ? "[" + f.lsb() + "]" : "[" + f.msb() + ":" + f.lsb() + "]";
                        fi.setText(new String[] {f.name() + " " + bits, "", "", f.description()});
                        fi.setData(f);
                    }
                    if (r.readable()) {
                        built.add(new Row(p, r, ri));
                    }
                }
            }
            di.setExpanded(true);
        }
        rows = List.copyOf(built);
        shown = null;
        previousStop = null;
        refreshAsync();
    }

    private static String hex(long a) {
        return String.format("0x%08x", a);
    }

    @Override
    protected void targetChanged(ReplayTarget t) {
        shown = null;
        previousStop = null;
    }

    @Override
    protected Values read(ReplayTarget t, HartState state) throws DebugException {
        List<Row> rs = rows;
        long[] addresses = new long[rs.size()];
        int[] sizes = new int[rs.size()];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = rs.get(i).register().address(rs.get(i).peripheral());
            sizes[i] = rs.get(i).register().size() / 8;
        }
        Long[] values = t.inspect(m -> {
            var view = m.physicalView();
            Long[] out = new Long[addresses.length];
            for (int i = 0; i < out.length; i++) {
                OptionalLong v = view.peek(addresses[i], sizes[i]);
                out[i] = v.isPresent() ? v.getAsLong() : null;
            }
            return out;
        });
        return new Values(state.icount(), values);
    }

    @Override
    protected void show(ReplayTarget t, HartState state, Values data) {
        List<Row> rs = rows;
        if (data.values().length != rs.size()) {
            refreshAsync(); // the files changed while reading
            return;
        }
        if (shown != null && shown.icount() != data.icount()) {
            previousStop = shown;
        }
        shown = data;
        Values before = previousStop; // a second refresh at the same position keeps the highlights
        for (int i = 0; i < rs.size(); i++) {
            Row r = rs.get(i);
            Long v = data.values()[i];
            Long old = before == null ? null : before.values()[i];
            showRegister(r, v, before != null && !java.util.Objects.equals(old, v), old);
        }
        setContentDescription("icount " + String.format("%,d", state.icount()));
    }

    private void showRegister(Row r, Long v, boolean changed, Long old) {
        TreeItem item = r.item();
        if (item.isDisposed()) {
            return;
        }
        int digits = r.register().size() / 4;
        show(item, v == null ? "(not mapped)" : String.format("0x%0" + digits + "x", v), changed);
        for (TreeItem fi : item.getItems()) {
            Field f = (Field) fi.getData();
            if (v == null) {
                show(fi, "", false);
                continue;
            }
            long fv = f.extract(v);
            String name = f.values().get(fv);
            show(fi, (f.width() == 1 ? Long.toString(fv) : String.format("0x%x (%d)", fv, fv)) + (name == null ? "" : " " + name),
                    changed && old != null && f.extract(old) != fv);
        }
    }

    /** Sets a value cell, touching the widget only where text or highlight differ (SWT calls are the cost of a refresh). */
    private void show(TreeItem item, String text, boolean changed) {
        if (!text.equals(shownText.get(item))) {
            item.setText(2, text);
            shownText.put(item, text);
        }
        if (shownChanged.getOrDefault(item, false) != changed) {
            item.setBackground(2, changed ? changedColor : null);
            item.setFont(2, changed ? boldFont : null);
            shownChanged.put(item, changed);
        }
    }

    @Override
    protected void showUnavailable(String why) {
        setContentDescription(why);
    }

    /** The register of the selected row (a field selects its register), or null. */
    Row selectedRow() {
        TreeItem[] sel = tree.getSelection();
        if (sel.length == 0) {
            return null;
        }
        TreeItem i = sel[0];
        if (i.getData() instanceof Field) {
            i = i.getParentItem();
        }
        return i.getData() instanceof Row r ? r : null;
    }

    /**
     * Sets a watchpoint on the selected register at its physical address: on writes for a
     * register the guest may write, on reads for a read-only one. Null when nothing is selected.
     */
    public RewindWatchpoint watchSelected() throws CoreException {
        Row r = selectedRow();
        if (r == null) {
            return null;
        }
        WatchKind kind = "read-only".equals(r.register().access()) ? WatchKind.READ : WatchKind.WRITE;
        // SVD addresses are physical: the watchpoint holds whatever address translation the guest uses
        return RewindWatchpoint.create(r.register().address(r.peripheral()), r.register().size() / 8, kind,
                r.peripheral().name() + "." + r.register().name(), true);
    }

    /** The SWT tree (tests read it). */
    public Tree tree() {
        return tree;
    }

    /** The item of a register, e.g. ("uart0", "LSR"), or null (tests select and read it). */
    public TreeItem itemOf(String peripheral, String register) {
        for (Row r : rows) {
            if (r.peripheral().name().equals(peripheral) && r.register().name().equals(register)) {
                return r.item();
            }
        }
        for (TreeItem d : tree.getItems()) {
            for (TreeItem p : d.getItems()) {
                if (p.getText(0).equals(peripheral)) {
                    for (TreeItem ri : p.getItems()) {
                        if (ri.getText(0).equals(register)) {
                            return ri;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** Whether a register's value is highlighted as changed by the last move. */
    public boolean isHighlighted(TreeItem item) {
        return changedColor.equals(item.getBackground(2));
    }

}
