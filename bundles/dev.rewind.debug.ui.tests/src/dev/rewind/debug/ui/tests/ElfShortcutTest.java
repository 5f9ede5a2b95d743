package dev.rewind.debug.ui.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.IPath;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.ui.launch.RecordShortcut;
import dev.rewind.debug.ui.launch.ReplayShortcut;

/** Run As / Debug As on an ELF in the workspace makes (then reuses) a configuration for that program. */
public class ElfShortcutTest {

    @Test
    public void shortcutsMakeAndReuseConfigurationsForTheElf() throws Exception {
        Path elf = ReverseDebuggingWorkbenchTest.guest("sample");
        IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("guest-shortcut");
        if (!project.exists()) {
            project.create(null);
        }
        project.open(null);
        IFile file = project.getFile("sample.elf");
        if (!file.exists()) {
            file.createLink(IPath.fromOSString(elf.toString()), IResource.NONE, null);
        }
        ILaunchConfiguration record = new RecordShortcut().configurationFor(file);
        assertEquals(LaunchAttributes.RECORD_TYPE, record.getType().getIdentifier());
        assertEquals(elf.toString(), record.getAttribute(LaunchAttributes.PROGRAM, ""));
        String recording = record.getAttribute(LaunchAttributes.RECORDING, "");
        assertTrue(recording, recording.endsWith("sample.rrlog"));
        assertEquals("the second use reuses the configuration", record, new RecordShortcut().configurationFor(file));

        ILaunchConfiguration replay = new ReplayShortcut().configurationFor(file);
        assertEquals(LaunchAttributes.REPLAY_TYPE, replay.getType().getIdentifier());
        assertEquals("replay reads what record writes", recording, replay.getAttribute(LaunchAttributes.RECORDING, ""));
        record.delete();
        replay.delete();
    }
}
