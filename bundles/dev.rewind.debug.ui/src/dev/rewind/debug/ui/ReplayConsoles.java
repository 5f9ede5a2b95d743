package dev.rewind.debug.ui;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IDebugEventSetListener;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IStartup;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.MessageConsole;
import org.eclipse.ui.console.MessageConsoleStream;

import dev.rewind.debug.core.model.HartThread;
import dev.rewind.debug.core.model.ReplayTarget;

/**
 * One console per replay showing the guest's UART output up to the current position: it is
 * rewritten at every stop, so it shrinks when the replay goes back in time.
 */
public final class ReplayConsoles implements IStartup, IDebugEventSetListener {

    private static ReplayConsoles instance;
    private final Map<ReplayTarget, ReplayConsole> consoles = new HashMap<>();

    /** Starts following replays (once). */
    public static synchronized ReplayConsoles start() {
        if (instance == null) {
            instance = new ReplayConsoles();
            DebugPlugin.getDefault().addDebugEventListener(instance);
        }
        return instance;
    }

    @Override
    public void earlyStartup() {
        start();
    }

    /** The console of a replay, or null before its first stop was shown. */
    public static synchronized MessageConsole consoleOf(ReplayTarget target) {
        return instance == null ? null : instance.consoles.get(target);
    }

    @Override
    public void handleDebugEvents(DebugEvent[] events) {
        for (DebugEvent e : events) {
            if (e.getKind() == DebugEvent.SUSPEND && e.getSource() instanceof HartThread t) {
                show((ReplayTarget) t.getDebugTarget());
            } else if (e.getKind() == DebugEvent.CREATE && e.getSource() instanceof ReplayTarget t) {
                show(t);
            } else if (e.getKind() == DebugEvent.TERMINATE && e.getSource() instanceof ReplayTarget t) {
                terminated(t);
            }
        }
    }

    private void show(ReplayTarget target) {
        if (!PlatformUI.isWorkbenchRunning()) {
            return;
        }
        Display display = PlatformUI.getWorkbench().getDisplay();
        display.asyncExec(() -> {
            ReplayConsole c;
            boolean created = false;
            synchronized (ReplayConsoles.class) {
                c = consoles.get(target);
                if (c == null) {
                    c = new ReplayConsole("Replay console: " + target.getName());
                    consoles.put(target, c);
                    created = true;
                }
            }
            if (created) {
                ConsolePlugin.getDefault().getConsoleManager().addConsoles(new IConsole[] {c});
            }
            c.show(target.consoleText());
        });
    }

    private void terminated(ReplayTarget target) {
        if (!PlatformUI.isWorkbenchRunning()) {
            return;
        }
        PlatformUI.getWorkbench().getDisplay().asyncExec(() -> {
            ReplayConsole c;
            synchronized (ReplayConsoles.class) {
                c = consoles.remove(target);
            }
            if (c != null) {
                c.rename("<terminated> " + c.getName());
            }
        });
    }

    /**
     * A message console showing one text at a time: output that only grew is appended, anything
     * else (a reverse move) clears the console and prints it all again. Writing the document
     * directly would count as typed input. UI thread only.
     */
    static final class ReplayConsole extends MessageConsole {
        private final MessageConsoleStream stream = newMessageStream();
        private String shown = "";

        ReplayConsole(String name) {
            super(name, null);
        }

        void show(String text) {
            if (text.equals(shown)) {
                return;
            }
            if (text.startsWith(shown)) {
                stream.print(text.substring(shown.length()));
            } else {
                clearConsole();
                stream.print(text);
            }
            shown = text;
        }

        void rename(String name) {
            setName(name);
        }
    }
}
