package dev.rewind.debug.core.model;

import java.util.Map;

import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.model.Breakpoint;
import org.eclipse.debug.core.model.IWatchpoint;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.emulator.WatchKind;

/**
 * A watchpoint on {@code [address, address + length)}: a replay stops after an instruction that
 * writes (or reads, or either) it, forwards, and before it, backwards. Set from the Peripherals
 * view on a device register or from the Memory view on a range. The address is the one the hart
 * accesses; devices sit at their physical address, and bare-metal code reaches them there.
 */
public final class RewindWatchpoint extends Breakpoint implements IWatchpoint {

    public static final String MARKER_TYPE = "dev.rewind.debug.core.watchpointMarker";
    public static final String ADDRESS = "dev.rewind.address";
    public static final String LENGTH = "dev.rewind.length";
    public static final String ACCESS = "dev.rewind.access";
    public static final String WRITE = "dev.rewind.write";
    /** True: the address is physical (a device register), watched whatever the hart's address translation. */
    public static final String PHYSICAL = "dev.rewind.physical";

    public RewindWatchpoint() {
    }

    /** Creates and registers a watchpoint on addresses as the hart accesses them; {@code what} names it ("memory"). */
    public static RewindWatchpoint create(long address, long length, WatchKind kind, String what) throws CoreException {
        return create(address, length, kind, what, false);
    }

    /**
     * Creates and registers a watchpoint; {@code what} names it for the Breakpoints view
     * ("uart0.LCR"); {@code physical}: the address is physical (a device register), so the
     * replay stops on the access to it in any address space (the replay's physical watchpoints).
     */
    public static RewindWatchpoint create(long address, long length, WatchKind kind, String what, boolean physical)
            throws CoreException {
        if (length <= 0) {
            throw new IllegalArgumentException("watchpoint length must be positive: " + length);
        }
        boolean read = kind != WatchKind.WRITE;
        boolean write = kind != WatchKind.READ;
        return BreakpointMarkers.attach(new RewindWatchpoint(), ResourcesPlugin.getWorkspace().getRoot(), MARKER_TYPE,
                Map.of(ADDRESS, "0x" + Long.toHexString(address), LENGTH, Long.toString(length), ACCESS, read, WRITE,
                        write, PHYSICAL, physical, IMarker.MESSAGE, "Watchpoint (" + (read && write ? "access" : read
                                ? "read" : "write") + (physical ? ", physical" : "") + "): " + what + " [0x"
                                + Long.toHexString(address) + ", " + length + " bytes]"));
    }

    /** Whether the address is physical (see {@link #PHYSICAL}). */
    public boolean physical() {
        IMarker m = getMarker();
        return m != null && m.getAttribute(PHYSICAL, false);
    }

    @Override
    public String getModelIdentifier() {
        return RewindDebugCore.MODEL_ID;
    }

    /** The first watched address, or -1 if the marker holds none. */
    public long address() {
        IMarker m = getMarker();
        String a = m == null ? null : m.getAttribute(ADDRESS, null);
        try {
            return a == null ? -1 : Long.parseUnsignedLong(a.substring(2), 16);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    public long length() {
        IMarker m = getMarker();
        try {
            return m == null ? 0 : Long.parseLong(m.getAttribute(LENGTH, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Which accesses stop a replay. */
    public WatchKind kind() throws CoreException {
        return isAccess() && isModification() ? WatchKind.ACCESS : isAccess() ? WatchKind.READ : WatchKind.WRITE;
    }

    @Override
    public boolean isAccess() throws CoreException {
        return ensureMarker().getAttribute(ACCESS, false);
    }

    @Override
    public void setAccess(boolean access) throws CoreException {
        setAttribute(ACCESS, access);
    }

    @Override
    public boolean isModification() throws CoreException {
        return ensureMarker().getAttribute(WRITE, true);
    }

    @Override
    public void setModification(boolean modification) throws CoreException {
        setAttribute(WRITE, modification);
    }

    @Override
    public boolean supportsAccess() {
        return true;
    }

    @Override
    public boolean supportsModification() {
        return true;
    }
}
