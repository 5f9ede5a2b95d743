package dev.rewind.debug.core;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IDebugEventSetListener;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.ReplayTarget;

/** Launch configurations and waiting, as the tests drive them through the real launch framework. */
final class Launches {

    static final long TIMEOUT_MS = 60_000;

    private Launches() {
    }

    static ILaunchManager manager() {
        return DebugPlugin.getDefault().getLaunchManager();
    }

    static ILaunchConfigurationWorkingCopy record(String name, Path program, Path recording) throws CoreException {
        ILaunchConfigurationWorkingCopy wc = manager().getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE)
                .newInstance(null, name);
        wc.setAttribute(LaunchAttributes.PROGRAM, program == null ? "" : program.toString());
        wc.setAttribute(LaunchAttributes.RECORDING, recording == null ? "" : recording.toString());
        return wc;
    }

    static ILaunchConfigurationWorkingCopy replay(String name, Path program, Path recording) throws CoreException {
        ILaunchConfigurationWorkingCopy wc = manager().getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE)
                .newInstance(null, name);
        wc.setAttribute(LaunchAttributes.PROGRAM, program == null ? "" : program.toString());
        wc.setAttribute(LaunchAttributes.RECORDING, recording == null ? "" : recording.toString());
        return wc;
    }

    static void awaitTerminated(ILaunch launch) throws InterruptedException {
        long end = System.currentTimeMillis() + TIMEOUT_MS;
        while (!launch.isTerminated()) {
            if (System.currentTimeMillis() > end) {
                fail("launch did not terminate within " + TIMEOUT_MS + " ms");
            }
            Thread.sleep(20);
        }
    }

    static void awaitSuspended(ReplayTarget target) throws InterruptedException {
        long end = System.currentTimeMillis() + TIMEOUT_MS;
        while (!target.isSuspended()) {
            assertTrue("target terminated while waiting for a stop", !target.isTerminated());
            if (System.currentTimeMillis() > end) {
                fail("target did not suspend within " + TIMEOUT_MS + " ms");
            }
            Thread.sleep(2);
        }
    }

    /** Collects debug events while open. */
    static final class EventLog implements IDebugEventSetListener, AutoCloseable {
        final CopyOnWriteArrayList<DebugEvent> events = new CopyOnWriteArrayList<>();

        EventLog() {
            DebugPlugin.getDefault().addDebugEventListener(this);
        }

        @Override
        public void handleDebugEvents(DebugEvent[] set) {
            for (DebugEvent e : set) {
                events.add(e);
            }
        }

        /** Whether such an event arrives within the timeout (the debug plug-in delivers events asynchronously). */
        boolean has(int kind, int detail) throws InterruptedException {
            long end = System.currentTimeMillis() + TIMEOUT_MS;
            while (System.currentTimeMillis() < end) {
                if (events.stream().anyMatch(e -> e.getKind() == kind && e.getDetail() == detail)) {
                    return true;
                }
                Thread.sleep(5);
            }
            return false;
        }

        @Override
        public void close() {
            DebugPlugin.getDefault().removeDebugEventListener(this);
        }
    }
}
