package dev.rewind.debug.core.model;

import java.util.Map;

import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IWorkspaceRunnable;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.model.Breakpoint;
import org.eclipse.debug.core.model.IBreakpoint;

import dev.rewind.debug.core.RewindDebugCore;

/** A breakpoint on an instruction address, for code without line information. */
public final class RewindAddressBreakpoint extends Breakpoint {

    public static final String MARKER_TYPE = "dev.rewind.debug.core.addressBreakpointMarker";
    public static final String ADDRESS = "dev.rewind.address";

    public RewindAddressBreakpoint() {
    }

    public static RewindAddressBreakpoint create(long address) throws CoreException {
        RewindAddressBreakpoint bp = new RewindAddressBreakpoint();
        IWorkspaceRunnable r = monitor -> {
            IMarker marker = ResourcesPlugin.getWorkspace().getRoot().createMarker(MARKER_TYPE);
            bp.setMarker(marker);
            marker.setAttributes(Map.of(IBreakpoint.ID, RewindDebugCore.MODEL_ID, IBreakpoint.ENABLED, Boolean.TRUE,
                    IBreakpoint.PERSISTED, Boolean.TRUE, ADDRESS, "0x" + Long.toHexString(address), IMarker.MESSAGE,
                    "Address breakpoint: 0x" + Long.toHexString(address)));
        };
        ResourcesPlugin.getWorkspace().run(r, null);
        DebugPlugin.getDefault().getBreakpointManager().addBreakpoint(bp);
        return bp;
    }

    @Override
    public String getModelIdentifier() {
        return RewindDebugCore.MODEL_ID;
    }

    /** The instruction address, or -1 if the marker holds none. */
    public long address() {
        IMarker m = getMarker();
        String a = m == null ? null : m.getAttribute(ADDRESS, null);
        if (a == null) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(a.startsWith("0x") ? a.substring(2) : a, a.startsWith("0x") ? 16 : 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
