package dev.rewind.debug.ui.tests;

import java.io.File;

import org.eclipse.swt.widgets.Shell;

import dev.rewind.debug.ui.ide.Screenshot;

/** Saves what a shell shows as a PNG under the build's screenshots folder. */
final class Screenshots {

    private Screenshots() {
    }

    static File save(Shell shell, String name) {
        String dir = System.getProperty("rewind.screenshots", "target/screenshots");
        return Screenshot.save(shell, new File(dir, name));
    }
}
