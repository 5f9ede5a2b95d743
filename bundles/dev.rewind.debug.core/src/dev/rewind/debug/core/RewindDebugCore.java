package dev.rewind.debug.core;

import org.eclipse.core.runtime.Plugin;
import org.osgi.framework.BundleContext;

/** The debug-core bundle's activator: the plug-in id for statuses and logs. */
public final class RewindDebugCore extends Plugin {

    public static final String PLUGIN_ID = "dev.rewind.debug.core";

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
}
