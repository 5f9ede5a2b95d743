package dev.rewind.debug.ui.views;

import java.math.BigInteger;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.ui.memory.IRepositionableMemoryRendering;
import org.eclipse.debug.ui.memory.IMemoryRendering;
import org.eclipse.debug.ui.memory.IMemoryRenderingContainer;
import org.eclipse.debug.ui.memory.IMemoryRenderingSite;
import org.eclipse.jface.action.IAction;
import org.eclipse.jface.dialogs.InputDialog;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.window.Window;
import org.eclipse.ui.IViewActionDelegate;
import org.eclipse.ui.IViewPart;

import dev.rewind.debug.core.model.RewindWatchpoint;
import dev.rewind.emulator.WatchKind;

/**
 * The Memory view's "Watch Range" action: a watchpoint on writes to a range that starts at the
 * selected address of the active rendering; a replay stops there forwards and backwards.
 */
public final class WatchMemoryAction implements IViewActionDelegate {

    private IViewPart view;

    @Override
    public void init(IViewPart v) {
        this.view = v;
    }

    /** The selected address of the active rendering, or null. */
    private BigInteger selectedAddress() {
        if (view instanceof IMemoryRenderingSite site) {
            for (IMemoryRenderingContainer c : site.getMemoryRenderingContainers()) {
                IMemoryRendering r = c.getActiveRendering();
                if (r instanceof IRepositionableMemoryRendering t && t.getSelectedAddress() != null) {
                    return t.getSelectedAddress();
                }
            }
        }
        return null;
    }

    @Override
    public void run(IAction action) {
        BigInteger a = selectedAddress();
        InputDialog d = new InputDialog(view.getSite().getShell(), "Watch Range",
                "Stop where the replay writes this range (address and length in bytes):",
                (a == null ? "0x" : "0x" + a.toString(16)) + " 4", v -> parse(v) == null ? "address (hex) and length" : null);
        if (d.open() != Window.OK) {
            return;
        }
        long[] range = parse(d.getValue());
        try {
            RewindWatchpoint.create(range[0], range[1], WatchKind.WRITE, "memory");
        } catch (CoreException e) {
            MessageDialog.openError(view.getSite().getShell(), "Watch Range", e.getMessage());
        }
    }

    /** "0x80002000 4" -> {address, length}, or null. */
    public static long[] parse(String text) {
        String[] parts = text.strip().split("[\\s,]+");
        if (parts.length != 2) {
            return null;
        }
        try {
            String h = parts[0].startsWith("0x") ? parts[0].substring(2) : parts[0];
            long length = Long.decode(parts[1]);
            return length > 0 ? new long[] {Long.parseUnsignedLong(h, 16), length} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void selectionChanged(IAction action, ISelection selection) {
    }
}
