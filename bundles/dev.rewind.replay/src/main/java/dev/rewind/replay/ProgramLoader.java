package dev.rewind.replay;

import java.io.IOException;
import java.nio.file.Path;

import dev.rewind.emulator.ElfFormatException;
import dev.rewind.emulator.ElfImage;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.VirtMachine;

/** Builds a machine and loads a program into it, turning loader errors into setup errors. */
final class ProgramLoader {

    private ProgramLoader() {
    }

    static VirtMachine newMachine(MachineConfig config, Path program) throws ReplaySetupException {
        try {
            ElfImage elf = ElfImage.read(program);
            VirtMachine m = new VirtMachine(config);
            m.load(elf);
            return m;
        } catch (ElfFormatException e) {
            throw new ReplaySetupException(program + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ReplaySetupException("cannot read program " + program + ": " + e.getMessage(), e);
        }
    }
}
