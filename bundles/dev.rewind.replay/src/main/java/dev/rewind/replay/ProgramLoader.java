package dev.rewind.replay;

import java.io.IOException;

import dev.rewind.emulator.BootException;
import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.FlashImage;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.VirtMachine;

/**
 * Builds a machine and boots it, turning boot errors into setup errors. Flash banks named by the
 * boot files start with their files' contents, which recording and replay never write (the
 * files stay the recording's starting point; the header keeps their SHA-256).
 */
final class ProgramLoader {

    private ProgramLoader() {
    }

    static VirtMachine newMachine(MachineConfig config, BootFiles boot) throws ReplaySetupException {
        try {
            if (!boot.pflash().isEmpty()) {
                config = config.toBuilder().pflash(FlashImage.banks(boot.pflash(), false)).build();
            }
            VirtMachine m = new VirtMachine(config);
            m.boot(boot);
            return m;
        } catch (BootException e) {
            throw new ReplaySetupException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ReplaySetupException(e.getMessage(), e);
        }
    }
}
