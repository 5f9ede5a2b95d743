package dev.rewind.dsf;

import org.eclipse.cdt.debug.core.model.IChangeReverseMethodHandler.ReverseDebugMethod;
import org.eclipse.cdt.dsf.concurrent.ImmediateRequestMonitor;
import org.eclipse.cdt.dsf.concurrent.RequestMonitor;
import org.eclipse.cdt.dsf.debug.service.command.ICommandControlService.ICommandControlDMContext;
import org.eclipse.cdt.dsf.gdb.service.GDBRunControl_7_12;
import org.eclipse.cdt.dsf.service.DsfSession;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;

/**
 * DSF-GDB run control for a target that executes backwards by itself (Rewind's replay server
 * advertises ReverseStep+/ReverseContinue+, so gdb turns {@code reverse-*} into {@code bs}/
 * {@code bc}).
 *
 * <p>CDT's run control only allows reverse commands after {@code record} succeeded; sending
 * {@code record} here would start gdb's own recorder on top of the replay and make gdb, not
 * Rewind, answer the reverse commands. So reverse mode is on from the start of the session, and
 * turning it on or off only flips the flag that CDT's toolbar buttons and reverse commands test.
 * The reverse commands themselves are CDT's unchanged ({@code -interpreter-exec console
 * "reverse-step 1"} and friends).
 */
public class NativeReverseRunControl extends GDBRunControl_7_12 {

    /** The method CDT shows in its reverse toggle: the target records everything, as "full" does. */
    static final ReverseDebugMethod NATIVE = ReverseDebugMethod.SOFTWARE;

    public NativeReverseRunControl(DsfSession session) {
        super(session);
    }

    @Override
    public void initialize(RequestMonitor rm) {
        super.initialize(new ImmediateRequestMonitor(rm) {
            @Override
            protected void handleSuccess() {
                // A replay can go backwards from its first stop on; no user toggling needed.
                setReverseTraceMethod(NATIVE);
                rm.done();
            }
        });
    }

    @Override
    public void enableReverseMode(ICommandControlDMContext context, boolean enable, RequestMonitor rm) {
        enableReverseMode(context, enable ? NATIVE : ReverseDebugMethod.OFF, rm);
    }

    @Override
    public void enableReverseMode(ICommandControlDMContext context, ReverseDebugMethod method, RequestMonitor rm) {
        if (!getReverseSupported()) {
            rm.done(new Status(IStatus.ERROR, RewindServicesFactory.PLUGIN_ID, NOT_SUPPORTED,
                    "Reverse execution is not available in this session.", null));
            return;
        }
        // Any trace method the user picks means the same here: Rewind's own history.
        setReverseTraceMethod(method == ReverseDebugMethod.OFF ? ReverseDebugMethod.OFF : NATIVE);
        rm.done();
    }
}
