package dev.rewind.debug.ui.views;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IBreakpointListener;
import org.eclipse.debug.core.IBreakpointManager;
import org.eclipse.core.resources.IMarkerDelta;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.IToolBarManager;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.graphics.FontData;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.debug.core.disassembly.DisassemblyListing;
import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.disassembly.DisassemblyListing.Kind;
import dev.rewind.debug.core.disassembly.DisassemblyListing.Line;
import dev.rewind.debug.core.model.HartState;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.RewindAddressBreakpoint;
import dev.rewind.symbols.ElfSymbol;

/**
 * The instructions around the current pc (or any address the user goes to) as objdump prints
 * them, decoded by the emulator's own table, with symbol headers and the source lines DWARF
 * attributes them to. The current instruction is marked; a double click in the first column
 * toggles an address breakpoint; the toolbar steps one instruction forwards or backwards.
 */
public final class DisassemblyView extends ReplayStateView<DisassemblyView.Listing> implements IBreakpointListener {

    public static final String ID = "dev.rewind.debug.ui.DisassemblyView";
    /** Bytes shown before and after the address in view. */
    private static final int BEFORE = 0x60, AFTER = 0x140;

    /** The lines of [from, to) and the pc they were read for. */
    record Listing(long pc, long from, long to, List<Line> lines) {
        boolean holdsWell(long a) {
            return Long.compareUnsigned(a - from, 0x20) >= 0 && Long.compareUnsigned(to - a, 0x40) >= 0
                    && Long.compareUnsigned(a, from) >= 0 && Long.compareUnsigned(a, to) < 0;
        }
    }

    private Table table;
    private Text address;
    private Label status;
    private Color pcColor;
    private Color sourceColor;
    private Font mono;
    private Font monoBold;
    /** The address the user went to, or -1 to follow the pc. */
    private volatile long anchor = -1;
    private DisassemblyListing listing;
    private ReplayTarget listingOf;
    private volatile Listing shownListing;
    private Set<Long> shownBreakpoints = Set.of();

    @Override
    public void createPartControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayout layout = new GridLayout(3, false);
        layout.marginWidth = layout.marginHeight = 2;
        c.setLayout(layout);
        new Label(c, SWT.NONE).setText("Go to:");
        address = new Text(c, SWT.BORDER | SWT.SINGLE);
        address.setMessage("address or symbol, Enter; empty follows the pc");
        address.setLayoutData(new GridData(220, SWT.DEFAULT));
        address.addListener(SWT.DefaultSelection, e -> goTo(address.getText()));
        status = new Label(c, SWT.NONE);
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        table = new Table(c, SWT.FULL_SELECTION | SWT.SINGLE | SWT.V_SCROLL | SWT.H_SCROLL);
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 3, 1));
        table.setHeaderVisible(true);
        String[] titles = {"", "Address", "Bytes", "Instruction"};
        int[] widths = {36, 160, 110, 560};
        for (int i = 0; i < titles.length; i++) {
            TableColumn col = new TableColumn(table, SWT.LEFT);
            col.setText(titles[i]);
            col.setWidth(widths[i]);
        }
        FontData fd = parent.getDisplay().getSystemFont().getFontData()[0];
        mono = new Font(parent.getDisplay(), "Monospace", fd.getHeight(), SWT.NORMAL);
        monoBold = new Font(parent.getDisplay(), "Monospace", fd.getHeight(), SWT.BOLD);
        table.setFont(mono);
        pcColor = new Color(parent.getDisplay(), 200, 225, 255);
        sourceColor = new Color(parent.getDisplay(), 0, 110, 0);
        table.addListener(SWT.MouseDoubleClick, e -> {
            TableItem item = table.getItem(new org.eclipse.swt.graphics.Point(e.x, e.y));
            if (item != null && item.getData() instanceof Line l && l.kind() == Kind.INSTRUCTION) {
                toggleBreakpoint(l.address());
            }
        });
        IToolBarManager bar = getViewSite().getActionBars().getToolBarManager();
        bar.add(new Action("Reverse Step Instruction") {
            @Override
            public void run() {
                move(false);
            }
        });
        bar.add(new Action("Step Instruction") {
            @Override
            public void run() {
                move(true);
            }
        });
        bar.add(new Action("Go to PC") {
            @Override
            public void run() {
                goTo("");
            }
        });
        DebugPlugin.getDefault().getBreakpointManager().addBreakpointListener(this);
        startFollowing();
    }

    @Override
    public void dispose() {
        DebugPlugin.getDefault().getBreakpointManager().removeBreakpointListener(this);
        pcColor.dispose();
        sourceColor.dispose();
        mono.dispose();
        monoBold.dispose();
        super.dispose();
    }

    @Override
    protected boolean isDisposed() {
        return table == null || table.isDisposed();
    }

    @Override
    public void setFocus() {
        table.setFocus();
    }

    /** Steps one instruction forwards or backwards (the toolbar's actions). */
    public void move(boolean forward) {
        ReplayTarget t = target();
        if (t == null || !t.canMove()) {
            return;
        }
        try {
            if (forward) {
                t.stepInstruction();
            } else {
                t.reverseStepInstruction();
            }
        } catch (DebugException e) {
            status.setText(e.getMessage());
        }
    }

    /** Shows the code at {@code where} (hex address or symbol); "" goes back to following the pc. */
    public void goTo(String where) {
        String w = where.strip();
        if (w.isEmpty()) {
            anchor = -1;
        } else {
            try {
                anchor = Long.parseUnsignedLong(w.startsWith("0x") ? w.substring(2) : w, 16);
            } catch (NumberFormatException e) {
                ReplayTarget t = target();
                ElfSymbol s = t == null ? null : t.symbols().symbol(w);
                if (s == null) {
                    status.setText("no symbol or hex address \"" + w + "\"");
                    return;
                }
                anchor = s.value();
            }
        }
        refreshAsync();
    }

    private void toggleBreakpoint(long a) {
        try {
            IBreakpointManager bm = DebugPlugin.getDefault().getBreakpointManager();
            for (IBreakpoint bp : bm.getBreakpoints(RewindDebugCore.MODEL_ID)) {
                if (bp instanceof RewindAddressBreakpoint ab && ab.address() == a) {
                    bm.removeBreakpoint(bp, true);
                    return;
                }
            }
            RewindAddressBreakpoint.create(a);
        } catch (CoreException e) {
            status.setText(e.getMessage());
        }
    }

    /** Addresses with an enabled Rewind address breakpoint. */
    private static Set<Long> breakpointAddresses() {
        Set<Long> out = new TreeSet<>();
        for (IBreakpoint bp : DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(RewindDebugCore.MODEL_ID)) {
            try {
                if (bp instanceof RewindAddressBreakpoint ab && bp.isEnabled()) {
                    out.add(ab.address());
                }
            } catch (CoreException e) {
                // a breakpoint whose marker is gone shows no dot
            }
        }
        return out;
    }

    @Override
    protected void targetChanged(ReplayTarget t) {
        anchor = -1;
    }

    @Override
    protected Listing read(ReplayTarget t, HartState state) throws DebugException {
        if (listingOf != t) {
            java.nio.file.Path program = null;
            try {
                String p = t.getLaunch().getLaunchConfiguration().getAttribute(LaunchAttributes.PROGRAM, "");
                program = p.isEmpty() ? null : java.nio.file.Path.of(p);
            } catch (CoreException | RuntimeException e) {
                // sources then only where DWARF's paths point
            }
            listing = new DisassemblyListing(t.symbols(), program);
            listingOf = t;
        }
        DisassemblyListing l = listing;
        long pc = state.pc();
        long center = anchor == -1 ? pc : anchor;
        Listing before = shownListing;
        // a step that stays well inside the lines on screen keeps them (only the marker moves)
        boolean keep = anchor == -1 && before != null && before.holdsWell(pc);
        return t.inspect(m -> {
            DisassemblyListing.Memory mem = (a, dst, off, len) -> m.debugView().readMemory(a, dst, off, len);
            long from = keep ? before.from() : l.startBefore(mem, center, BEFORE);
            long to = keep ? before.to() : center + AFTER;
            return new Listing(pc, from, to, l.lines(mem, from, to));
        });
    }

    @Override
    protected void show(ReplayTarget t, HartState state, Listing data) {
        Listing before = shownListing;
        shownListing = data;
        Set<Long> breakpoints = breakpointAddresses();
        if (before != null && before.lines().equals(data.lines()) && breakpoints.equals(shownBreakpoints)) {
            moveMarker(before.pc(), data.pc(), breakpoints);
        } else {
            rebuild(data, breakpoints);
        }
        shownBreakpoints = breakpoints;
        status.setText("pc 0x" + Long.toHexString(data.pc()) + " at icount " + String.format("%,d", state.icount())
                + (anchor == -1 ? "" : " (showing 0x" + Long.toHexString(anchor) + ")"));
    }

    /** The same code as on screen: only the pc marker moves (a step costs two rows, not the table). */
    private void moveMarker(long oldPc, long newPc, Set<Long> breakpoints) {
        for (TableItem item : table.getItems()) {
            if (item.getData() instanceof Line l && l.kind() == Kind.INSTRUCTION
                    && (l.address() == oldPc || l.address() == newPc)) {
                boolean atPc = l.address() == newPc;
                item.setText(0, (breakpoints.contains(l.address()) ? "\u25cf" : " ") + (atPc ? "\u21d2" : ""));
                item.setBackground(atPc ? pcColor : null);
                item.setFont(atPc ? monoBold : null);
                if (atPc) {
                    int row = table.indexOf(item);
                    if (row < table.getTopIndex() || row > table.getTopIndex() + 20) {
                        table.setTopIndex(Math.max(0, row - 8));
                    }
                }
            }
        }
    }

    private void rebuild(Listing data, Set<Long> breakpoints) {
        table.setRedraw(false);
        try {
            table.removeAll();
            int pcRow = -1;
            for (Line l : data.lines()) {
                TableItem item = new TableItem(table, SWT.NONE);
                item.setData(l);
                switch (l.kind()) {
                    case INSTRUCTION -> {
                        var in = l.instruction();
                        boolean atPc = l.address() == data.pc();
                        String mark = (breakpoints.contains(l.address()) ? "\u25cf" : " ") + (atPc ? "\u21d2" : "");
                        item.setText(new String[] {mark, Long.toHexString(l.address()), in.hex().strip(), in.text()});
                        if (atPc) {
                            item.setBackground(pcColor);
                            item.setFont(monoBold);
                            pcRow = table.getItemCount() - 1;
                        }
                        if (breakpoints.contains(l.address())) {
                            item.setForeground(0, table.getDisplay().getSystemColor(SWT.COLOR_RED));
                        }
                    }
                    case SYMBOL -> {
                        item.setText(new String[] {"", "", "", l.text()});
                        item.setFont(monoBold);
                    }
                    case SOURCE -> {
                        item.setText(new String[] {"", "", "", l.text()});
                        item.setForeground(sourceColor);
                    }
                    default -> item.setText(new String[] {"", "", "", l.text().strip()});
                }
            }
            if (pcRow >= 0) {
                table.setTopIndex(Math.max(0, pcRow - 8));
            }
        } finally {
            table.setRedraw(true);
        }
    }

    @Override
    protected void showUnavailable(String why) {
        status.setText(why);
    }

    /** The lines on screen (tests). */
    public List<Line> shownLines() {
        Listing l = shownListing;
        return l == null ? List.of() : new ArrayList<>(l.lines());
    }

    /** The table (tests read it). */
    public Table table() {
        return table;
    }

    @Override
    public void breakpointAdded(IBreakpoint breakpoint) {
        refreshAsync();
    }

    @Override
    public void breakpointRemoved(IBreakpoint breakpoint, IMarkerDelta delta) {
        refreshAsync();
    }

    @Override
    public void breakpointChanged(IBreakpoint breakpoint, IMarkerDelta delta) {
        refreshAsync();
    }
}
