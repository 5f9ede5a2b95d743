package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.runtime.IStatus;
import org.junit.Test;

public class ProgramFileCheckTest {

    /** A minimal ELF header: class, data, type, machine; the rest stays zero. */
    private static byte[] elfHeader(int elfClass, int type, int machine) {
        byte[] h = new byte[64];
        h[0] = 0x7f; h[1] = 'E'; h[2] = 'L'; h[3] = 'F';
        h[4] = (byte) elfClass;
        h[5] = 1;
        h[6] = 1;
        h[16] = (byte) type;
        h[18] = (byte) machine;
        h[19] = (byte) (machine >> 8);
        return h;
    }

    private static Path write(byte[] bytes) throws IOException {
        Path f = Files.createTempFile("rewind-check", ".elf");
        f.toFile().deleteOnExit();
        Files.write(f, bytes);
        return f;
    }

    @Test
    public void acceptsRiscv64Executable() throws IOException {
        IStatus s = ProgramFileCheck.check(write(elfHeader(2, 2, 243)).toString());
        assertTrue(s.getMessage(), s.isOK());
    }

    @Test
    public void rejectsOtherMachineNamingIt() throws IOException {
        IStatus s = ProgramFileCheck.check(write(elfHeader(2, 2, 62)).toString());
        assertEquals(IStatus.ERROR, s.getSeverity());
        assertTrue(s.getMessage(), s.getMessage().contains("machine 62") && s.getMessage().contains("RISC-V"));
    }

    @Test
    public void rejects32BitElf() throws IOException {
        IStatus s = ProgramFileCheck.check(write(elfHeader(1, 2, 243)).toString());
        assertTrue(s.getMessage(), s.getMessage().contains("64-bit"));
    }

    @Test
    public void rejectsObjectFiles() throws IOException {
        IStatus s = ProgramFileCheck.check(write(elfHeader(2, 1, 243)).toString());
        assertTrue(s.getMessage(), s.getMessage().contains("not an executable"));
    }

    @Test
    public void rejectsNonElfAndTruncatedAndMissingFiles() throws IOException {
        assertTrue(ProgramFileCheck.check(write("int main(){}".getBytes()).toString()).getMessage().contains("not an ELF"));
        assertTrue(ProgramFileCheck.check(write(new byte[] {0x7f, 'E', 'L', 'F', 2}).toString()).getMessage().contains("truncated"));
        assertTrue(ProgramFileCheck.check("/no/such/file.elf").getMessage().contains("does not exist"));
        assertTrue(ProgramFileCheck.check("").getMessage().contains("No program selected"));
    }
}
