package dev.rewind.replay;

import dev.rewind.emulator.BootException;
import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.VirtMachine;

/** Builds a machine and boots it, turning boot errors into setup errors. */
final class ProgramLoader {

    private ProgramLoader() {
    }

    static VirtMachine newMachine(MachineConfig config, BootFiles boot) throws ReplaySetupException {
        try {
            VirtMachine m = new VirtMachine(config);
            m.boot(boot);
            return m;
        } catch (BootException e) {
            throw new ReplaySetupException(e.getMessage(), e);
        }
    }
}
