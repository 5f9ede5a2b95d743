package dev.rewind.debug.ui;

import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.jface.resource.ImageRegistry;
import org.eclipse.ui.plugin.AbstractUIPlugin;
import org.osgi.framework.BundleContext;

/** The debug-ui bundle's activator: plug-in id and the bundle's images. */
public final class RewindDebugUI extends AbstractUIPlugin {

    public static final String PLUGIN_ID = "dev.rewind.debug.ui";
    public static final String TIMELINE_VIEW_ID = "dev.rewind.debug.ui.TimelineView";
    public static final String REVERSE_RESUME = "dev.rewind.debug.ui.reverseResume";
    public static final String REVERSE_STEP_INTO = "dev.rewind.debug.ui.reverseStepInto";
    public static final String REVERSE_STEP_OVER = "dev.rewind.debug.ui.reverseStepOver";
    public static final String REVERSE_STEP_RETURN = "dev.rewind.debug.ui.reverseStepReturn";

    public static final String IMG_RECORD = "icons/record.png";
    public static final String IMG_REPLAY = "icons/replay.png";
    public static final String IMG_TIMELINE = "icons/timeline.png";

    private static RewindDebugUI instance;

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

    public static RewindDebugUI getDefault() {
        return instance;
    }

    @Override
    protected void initializeImageRegistry(ImageRegistry reg) {
        for (String path : new String[] {IMG_RECORD, IMG_REPLAY, IMG_TIMELINE}) {
            reg.put(path, ImageDescriptor.createFromURL(getBundle().getEntry(path)));
        }
    }

    public static org.eclipse.swt.graphics.Image image(String path) {
        return getDefault().getImageRegistry().get(path);
    }
}
