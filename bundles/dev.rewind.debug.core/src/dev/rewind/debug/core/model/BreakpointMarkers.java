package dev.rewind.debug.core.model;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IWorkspaceRunnable;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.model.Breakpoint;
import org.eclipse.debug.core.model.IBreakpoint;

import dev.rewind.debug.core.RewindDebugCore;

/** Creates the marker of a new Rewind breakpoint and registers the breakpoint with the Platform. */
final class BreakpointMarkers {

    private BreakpointMarkers() {
    }

    /**
     * Gives {@code bp} a marker of {@code type} on {@code resource} holding {@code attributes}
     * plus the model id, enabled and persisted flags (in one workspace operation, so listeners
     * never see a half-filled marker), then adds it to the breakpoint manager.
     */
    static <B extends Breakpoint> B attach(B bp, IResource resource, String type, Map<String, Object> attributes)
            throws CoreException {
        Map<String, Object> all = new HashMap<>(attributes);
        all.put(IBreakpoint.ID, RewindDebugCore.MODEL_ID);
        all.put(IBreakpoint.ENABLED, Boolean.TRUE);
        all.put(IBreakpoint.PERSISTED, Boolean.TRUE);
        IWorkspaceRunnable r = monitor -> {
            IMarker marker = resource.createMarker(type);
            bp.setMarker(marker);
            marker.setAttributes(all);
        };
        ResourcesPlugin.getWorkspace().run(r, null);
        DebugPlugin.getDefault().getBreakpointManager().addBreakpoint(bp);
        return bp;
    }
}
