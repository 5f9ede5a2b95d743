package dev.rewind.debug.ui.launch;

import dev.rewind.debug.core.launch.LaunchAttributes;

/** Run As > Record Run on an ELF file. */
public final class RecordShortcut extends ElfShortcut {
    public RecordShortcut() {
        super(LaunchAttributes.RECORD_TYPE);
    }
}
