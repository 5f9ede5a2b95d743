package dev.rewind.debug.core.model;

import java.util.Map;

import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.model.Breakpoint;

import dev.rewind.debug.core.RewindDebugCore;

/** A breakpoint on an instruction address, for code without line information. */
public final class RewindAddressBreakpoint extends Breakpoint {

    public static final String MARKER_TYPE = "dev.rewind.debug.core.addressBreakpointMarker";
    public static final String ADDRESS = "dev.rewind.address";

    public RewindAddressBreakpoint() {
    }

    public static RewindAddressBreakpoint create(long address) throws CoreException {
        return BreakpointMarkers.attach(new RewindAddressBreakpoint(), ResourcesPlugin.getWorkspace().getRoot(),
                MARKER_TYPE, Map.of(ADDRESS, "0x" + Long.toHexString(address), IMarker.MESSAGE,
                        "Address breakpoint: 0x" + Long.toHexString(address)));
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
