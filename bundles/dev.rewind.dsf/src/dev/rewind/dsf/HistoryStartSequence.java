package dev.rewind.dsf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.eclipse.cdt.dsf.concurrent.DataRequestMonitor;
import org.eclipse.cdt.dsf.concurrent.DsfExecutor;
import org.eclipse.cdt.dsf.concurrent.RequestMonitor;
import org.eclipse.cdt.dsf.debug.service.IRunControl.IContainerDMContext;
import org.eclipse.cdt.dsf.debug.service.command.ICommandControlService;
import org.eclipse.cdt.dsf.gdb.service.StartOrRestartProcessSequence_7_12;
import org.eclipse.cdt.dsf.mi.service.IMIContainerDMContext;
import org.eclipse.cdt.dsf.mi.service.IMIProcesses;
import org.eclipse.cdt.dsf.service.DsfServicesTracker;
import org.osgi.framework.FrameworkUtil;

/**
 * CDT's start sequence for a remote program, minus the resume: for a gdbserver CDT sends
 * {@code -exec-continue} to "run" the program, which on a replay would run to the first
 * breakpoint or to the end of the recording. A replay session must open where history starts,
 * so the run step is replaced by one that only adopts the already-stopped process (as the run
 * step does once the program is running).
 */
public class HistoryStartSequence extends StartOrRestartProcessSequence_7_12 {

    static final String RUN_STEP = "stepRunProgram";
    static final String ADOPT_STEP = "stepAdoptStoppedProcess";

    private final DataRequestMonitor<IContainerDMContext> result;

    public HistoryStartSequence(DsfExecutor executor, IContainerDMContext containerDmc, Map<String, Object> attributes,
            boolean restart, DataRequestMonitor<IContainerDMContext> rm) {
        super(executor, containerDmc, attributes, restart, rm);
        this.result = rm;
    }

    @Override
    protected String[] getExecutionOrder(String group) {
        String[] steps = super.getExecutionOrder(group);
        if (!GROUP_TOP_LEVEL.equals(group) || steps == null) {
            return steps;
        }
        List<String> order = new ArrayList<>(Arrays.asList(steps));
        int run = order.indexOf(RUN_STEP);
        if (run >= 0) {
            order.set(run, ADOPT_STEP);
        }
        return order.toArray(new String[0]);
    }

    /** Replaces {@code stepRunProgram}: the process exists and is stopped; report its context. */
    @Execute
    public void stepAdoptStoppedProcess(RequestMonitor rm) {
        IContainerDMContext container = getContainerContext();
        if (container instanceof IMIContainerDMContext mi) {
            DsfServicesTracker tracker = new DsfServicesTracker(
                    FrameworkUtil.getBundle(HistoryStartSequence.class).getBundleContext(), container.getSessionId());
            try {
                IMIProcesses processes = tracker.getService(IMIProcesses.class);
                ICommandControlService control = tracker.getService(ICommandControlService.class);
                if (processes != null && control != null) {
                    result.setData(processes.createContainerContextFromGroupId(control.getContext(), mi.getGroupId()));
                }
            } finally {
                tracker.dispose();
            }
        }
        rm.done();
    }
}
