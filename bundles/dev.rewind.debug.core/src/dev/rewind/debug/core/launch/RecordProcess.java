package dev.rewind.debug.core.launch;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.core.runtime.PlatformObject;

/**
 * A recording shown as a process in the Debug view: its streams are the guest's UART (the
 * standard process console displays them and sends typed text back), terminating it ends the
 * recording, its exit value is the guest's exit code.
 */
public final class RecordProcess extends PlatformObject implements IProcess {

    private final ILaunch launch;
    private final String label;
    private final UartStreams streams;
    private final Map<String, String> attributes = new HashMap<>();
    private volatile Runnable stopper = () -> { };
    private volatile boolean terminated;
    private volatile int exitValue;

    RecordProcess(ILaunch launch, String label, UartStreams streams) {
        this.launch = launch;
        this.label = label;
        this.streams = streams;
        attributes.put(IProcess.ATTR_PROCESS_TYPE, "dev.rewind.recording");
        launch.addProcess(this);
        fire(DebugEvent.CREATE);
    }

    void onTerminate(Runnable stop) {
        this.stopper = stop;
    }

    void ended(int exitCode) {
        exitValue = exitCode;
        terminated = true;
        streams.uart().flush();
        fire(DebugEvent.TERMINATE);
    }

    private void fire(int kind) {
        DebugPlugin p = DebugPlugin.getDefault();
        if (p != null) {
            p.fireDebugEventSet(new DebugEvent[] {new DebugEvent(this, kind)});
        }
    }

    @Override
    public String getLabel() {
        return label;
    }

    @Override
    public ILaunch getLaunch() {
        return launch;
    }

    @Override
    public UartStreams getStreamsProxy() {
        return streams;
    }

    @Override
    public synchronized void setAttribute(String key, String value) {
        attributes.put(key, value);
    }

    @Override
    public synchronized String getAttribute(String key) {
        return attributes.get(key);
    }

    @Override
    public int getExitValue() throws DebugException {
        if (!terminated) {
            throw new DebugException(new org.eclipse.core.runtime.Status(org.eclipse.core.runtime.IStatus.ERROR,
                    dev.rewind.debug.core.RewindDebugCore.PLUGIN_ID, "the recording is still running"));
        }
        return exitValue;
    }

    @Override
    public boolean canTerminate() {
        return !terminated;
    }

    @Override
    public boolean isTerminated() {
        return terminated;
    }

    @Override
    public void terminate() {
        stopper.run();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getAdapter(Class<T> adapter) {
        if (adapter == ILaunch.class) {
            return (T) launch;
        }
        if (adapter == IProcess.class) {
            return (T) this;
        }
        return super.getAdapter(adapter);
    }
}
