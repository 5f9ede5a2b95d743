package dev.rewind.debug.core;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Plugin;
import org.osgi.framework.BundleContext;

/** The debug-core bundle's activator: the plug-in id for statuses and logs. */
public final class RewindDebugCore extends Plugin {

    public static final String PLUGIN_ID = "dev.rewind.debug.core";
    /** Model identifier of Rewind debug elements and breakpoints. */
    public static final String MODEL_ID = "dev.rewind.debug";

    private static RewindDebugCore instance;

    @Override
    public void start(BundleContext context) throws Exception {
        super.start(context);
        instance = this;
    }

    @Override
    public void stop(BundleContext context) throws Exception {
        instance = null;
        super.stop(context);
    }

    /** The running instance, or null when the bundle is not active. */
    public static RewindDebugCore getDefault() {
        return instance;
    }

    public static void log(IStatus status) {
        ILog.of(RewindDebugCore.class).log(status);
    }
}
