package dev.rewind.dsf;

import java.util.Map;

import org.eclipse.cdt.dsf.concurrent.DataRequestMonitor;
import org.eclipse.cdt.dsf.concurrent.DsfExecutor;
import org.eclipse.cdt.dsf.concurrent.Sequence;
import org.eclipse.cdt.dsf.debug.service.IRunControl.IContainerDMContext;
import org.eclipse.cdt.dsf.gdb.service.GDBProcesses_7_12;
import org.eclipse.cdt.dsf.service.DsfSession;

/** CDT's processes service, starting the replayed program with {@link HistoryStartSequence}. */
public class ReplayProcesses extends GDBProcesses_7_12 {

    public ReplayProcesses(DsfSession session) {
        super(session);
    }

    @Override
    protected Sequence getStartOrRestartProcessSequence(DsfExecutor executor, IContainerDMContext containerDmc,
            Map<String, Object> attributes, boolean restart, DataRequestMonitor<IContainerDMContext> rm) {
        return new HistoryStartSequence(executor, containerDmc, attributes, restart, rm);
    }
}
