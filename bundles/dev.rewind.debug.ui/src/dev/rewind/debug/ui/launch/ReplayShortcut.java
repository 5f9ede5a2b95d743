package dev.rewind.debug.ui.launch;

import dev.rewind.debug.core.launch.LaunchAttributes;

/** Debug As > Replay on an ELF file. */
public final class ReplayShortcut extends ElfShortcut {
    public ReplayShortcut() {
        super(LaunchAttributes.REPLAY_TYPE);
    }
}
