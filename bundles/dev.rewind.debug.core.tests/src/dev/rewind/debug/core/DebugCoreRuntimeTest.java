package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import org.eclipse.core.runtime.Platform;
import org.eclipse.debug.core.DebugPlugin;
import org.junit.Test;
import org.osgi.framework.Bundle;

/** Runs inside a real Equinox runtime started by Tycho Surefire. */
public class DebugCoreRuntimeTest {

    @Test
    public void ourBundleIsResolvedAndActiveInEquinox() {
        Bundle bundle = Platform.getBundle(RewindDebugCore.PLUGIN_ID);
        assertNotNull("dev.rewind.debug.core is not installed in the test runtime", bundle);
        assertNotNull("our activator did not run", RewindDebugCore.getDefault());
        assertEquals("state of " + bundle, Bundle.ACTIVE, bundle.getState());
        assertTrue("not running inside an OSGi framework", Platform.isRunning());
    }

    @Test
    public void eclipseDebugPluginIsActive() {
        DebugPlugin debug = DebugPlugin.getDefault();
        assertNotNull("org.eclipse.debug.core did not start", debug);
        Bundle bundle = Platform.getBundle(DebugPlugin.getUniqueIdentifier());
        assertEquals(Bundle.ACTIVE, bundle.getState());
        assertNotNull(debug.getLaunchManager());
    }
}
