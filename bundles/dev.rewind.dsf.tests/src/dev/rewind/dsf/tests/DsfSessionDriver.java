package dev.rewind.dsf.tests;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.eclipse.cdt.debug.core.model.IChangeReverseMethodHandler.ReverseDebugMethod;
import org.eclipse.cdt.dsf.concurrent.DataRequestMonitor;
import org.eclipse.cdt.dsf.concurrent.Query;
import org.eclipse.cdt.dsf.concurrent.RequestMonitor;
import org.eclipse.cdt.dsf.datamodel.DMContexts;
import org.eclipse.cdt.dsf.datamodel.IDMContext;
import org.eclipse.cdt.dsf.debug.service.IBreakpoints;
import org.eclipse.cdt.dsf.debug.service.IBreakpoints.IBreakpointsTargetDMContext;
import org.eclipse.cdt.dsf.debug.service.IExpressions;
import org.eclipse.cdt.dsf.debug.service.IFormattedValues;
import org.eclipse.cdt.dsf.debug.service.IFormattedValues.FormattedValueDMData;
import org.eclipse.cdt.dsf.debug.service.IProcesses;
import org.eclipse.cdt.dsf.debug.service.IRunControl;
import org.eclipse.cdt.dsf.debug.service.IRunControl.IContainerDMContext;
import org.eclipse.cdt.dsf.debug.service.IRunControl.IExecutionDMContext;
import org.eclipse.cdt.dsf.debug.service.IRunControl.ISuspendedDMEvent;
import org.eclipse.cdt.dsf.debug.service.IRunControl.StepType;
import org.eclipse.cdt.dsf.debug.service.IStack;
import org.eclipse.cdt.dsf.debug.service.IStack.IFrameDMContext;
import org.eclipse.cdt.dsf.debug.service.IStack.IFrameDMData;
import org.eclipse.cdt.dsf.debug.service.command.ICommandControlService;
import org.eclipse.cdt.dsf.gdb.service.IReverseRunControl;
import org.eclipse.cdt.dsf.mi.service.IMICommandControl;
import org.eclipse.cdt.dsf.mi.service.MIBreakpoints;
import org.eclipse.cdt.dsf.mi.service.command.output.CLIInfoRecordInfo;
import org.eclipse.cdt.dsf.service.DsfServiceEventHandler;
import org.eclipse.cdt.dsf.service.DsfServicesTracker;
import org.eclipse.cdt.dsf.service.DsfSession;
import org.osgi.framework.FrameworkUtil;

/**
 * Drives a DSF-GDB session the way CDT's own DSF tests do: service calls run on the session's
 * executor through {@link Query} objects and the test thread waits for their results; suspend
 * events are collected by a {@link DsfServiceEventHandler} and waited for with a timeout. Public:
 * DSF calls the handler reflectively from its own bundle.
 */
public final class DsfSessionDriver {

    private static final long TIMEOUT_SECONDS = 30;

    private final DsfSession session;
    private final DsfServicesTracker tracker;
    private final BlockingQueue<ISuspendedDMEvent> suspended = new LinkedBlockingQueue<>();

    DsfSessionDriver(DsfSession session) throws Exception {
        this.session = session;
        this.tracker = new DsfServicesTracker(FrameworkUtil.getBundle(DsfSessionDriver.class).getBundleContext(),
                session.getId());
        run(rm -> {
            session.addServiceEventListener(this, null);
            rm.done(Boolean.TRUE);
        });
    }

    /** Called on the DSF executor for every suspend of a thread or of the whole process. */
    @DsfServiceEventHandler
    public void eventDispatched(ISuspendedDMEvent event) {
        suspended.add(event);
    }

    <S> S service(Class<S> type) {
        S s = tracker.getService(type);
        if (s == null) {
            throw new AssertionError("DSF service " + type.getSimpleName() + " is not registered");
        }
        return s;
    }

    /** Runs {@code body} on the executor and waits for the value it completes {@code rm} with. */
    <V> V run(java.util.function.Consumer<DataRequestMonitor<V>> body) throws Exception {
        Query<V> q = new Query<>() {
            @Override
            protected void execute(DataRequestMonitor<V> rm) {
                body.accept(rm);
            }
        };
        session.getExecutor().execute(q);
        return q.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Runs a command that reports only completion (resume, step, insert ...). */
    void command(BiConsumer<DsfSessionDriver, RequestMonitor> body) throws Exception {
        run((DataRequestMonitor<Boolean> rm) -> body.accept(this, new RequestMonitor(session.getExecutor(), rm) {
            @Override
            protected void handleSuccess() {
                rm.done(Boolean.TRUE);
            }
        }));
    }

    /** Waits for the next suspend event (events from before this call count too). */
    ISuspendedDMEvent awaitSuspended() throws InterruptedException {
        ISuspendedDMEvent e = suspended.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("the target did not suspend within " + TIMEOUT_SECONDS + " s");
        }
        return e;
    }

    void forgetEvents() {
        suspended.clear();
    }

    IContainerDMContext container() throws Exception {
        ICommandControlService control = service(ICommandControlService.class);
        IDMContext[] procs = run(rm -> service(IProcesses.class).getProcessesBeingDebugged(control.getContext(), rm));
        if (procs == null || procs.length == 0 || !(procs[0] instanceof IContainerDMContext c)) {
            throw new AssertionError("gdb debugs no process");
        }
        return c;
    }

    IExecutionDMContext thread() throws Exception {
        IContainerDMContext c = container();
        IExecutionDMContext[] threads = run(rm -> service(IRunControl.class).getExecutionContexts(c, rm));
        if (threads == null || threads.length == 0) {
            throw new AssertionError("the process has no thread");
        }
        return threads[0];
    }

    boolean isSuspended() throws Exception {
        IExecutionDMContext t = thread();
        return run(rm -> rm.done(service(IRunControl.class).isSuspended(t)));
    }

    IFrameDMData topFrame() throws Exception {
        IExecutionDMContext t = thread();
        IFrameDMContext frame = run(rm -> service(IStack.class).getTopFrame(t, rm));
        return run(rm -> service(IStack.class).getFrameData(frame, rm));
    }

    /** The value of a C expression in the top frame, as CDT's Variables view shows it. */
    String evaluate(String expression) throws Exception {
        IExecutionDMContext t = thread();
        IFrameDMContext frame = run(rm -> service(IStack.class).getTopFrame(t, rm));
        FormattedValueDMData value = run(rm -> {
            IExpressions expressions = service(IExpressions.class);
            IExpressions.IExpressionDMContext e = expressions.createExpression(frame, expression);
            expressions.getFormattedExpressionValue(
                    expressions.getFormattedValueContext(e, IFormattedValues.NATURAL_FORMAT), rm);
        });
        return value.getFormattedValue();
    }

    void insertFunctionBreakpoint(String function) throws Exception {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(MIBreakpoints.BREAKPOINT_TYPE, MIBreakpoints.BREAKPOINT);
        attributes.put(MIBreakpoints.FUNCTION, function);
        insertBreakpoint(attributes);
    }

    void insertLineBreakpoint(String file, int line) throws Exception {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(MIBreakpoints.BREAKPOINT_TYPE, MIBreakpoints.BREAKPOINT);
        attributes.put(MIBreakpoints.FILE_NAME, file);
        attributes.put(MIBreakpoints.LINE_NUMBER, line);
        insertBreakpoint(attributes);
    }

    private void insertBreakpoint(Map<String, Object> attributes) throws Exception {
        IBreakpointsTargetDMContext target = DMContexts.getAncestorOfType(container(), IBreakpointsTargetDMContext.class);
        run((DataRequestMonitor<IBreakpoints.IBreakpointDMContext> rm) -> service(IBreakpoints.class)
                .insertBreakpoint(target, attributes, rm));
    }

    ISuspendedDMEvent resume() throws Exception {
        IExecutionDMContext t = thread();
        forgetEvents();
        command((d, rm) -> service(IRunControl.class).resume(t, rm));
        return awaitSuspended();
    }

    ISuspendedDMEvent reverseResume() throws Exception {
        IExecutionDMContext t = thread();
        forgetEvents();
        command((d, rm) -> service(IReverseRunControl.class).reverseResume(t, rm));
        return awaitSuspended();
    }

    ISuspendedDMEvent reverseStep(StepType type) throws Exception {
        IExecutionDMContext t = thread();
        forgetEvents();
        command((d, rm) -> service(IReverseRunControl.class).reverseStep(t, type, rm));
        return awaitSuspended();
    }

    boolean reverseModeEnabled() throws Exception {
        ICommandControlService control = service(ICommandControlService.class);
        return run(rm -> service(IReverseRunControl.class).isReverseModeEnabled(control.getContext(), rm));
    }

    /** What gdb itself says about its recorder ({@code info record}, parsed by CDT). */
    ReverseDebugMethod gdbRecorder() throws Exception {
        IMICommandControl control = service(IMICommandControl.class);
        CLIInfoRecordInfo info = run(
                rm -> control.queueCommand(control.getCommandFactory().createCLIInfoRecord(control.getContext()), rm));
        return info.getReverseMethod();
    }

    boolean canReverseResume() throws Exception {
        IExecutionDMContext t = thread();
        return run(rm -> service(IReverseRunControl.class).canReverseResume(t, rm));
    }

    void dispose() throws Exception {
        run(rm -> {
            session.removeServiceEventListener(this);
            rm.done(Boolean.TRUE);
        });
        tracker.dispose();
    }
}
