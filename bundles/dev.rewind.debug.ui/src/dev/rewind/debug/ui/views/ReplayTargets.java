package dev.rewind.debug.ui.views;

import org.eclipse.core.runtime.IAdaptable;
import org.eclipse.debug.core.model.IDebugElement;

import dev.rewind.debug.core.model.ReplayTarget;

/** The Rewind replay a debug context element (a thread, frame, variable or the launch) belongs to. */
final class ReplayTargets {

    private ReplayTargets() {
    }

    /** The replay of {@code o}, or null when it is not part of one. */
    static ReplayTarget of(Object o) {
        if (o instanceof IDebugElement e && e.getDebugTarget() instanceof ReplayTarget rt) {
            return rt;
        }
        return o instanceof IAdaptable a ? a.getAdapter(ReplayTarget.class) : null;
    }
}
