package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import org.junit.Test;

/**
 * The reset state and boot ROM as QEMU 7.2 virt leaves them (observed with
 * {@code qemu-system-riscv64 -M virt -bios none -singlestep -d exec,cpu}): six ROM instructions,
 * then pc = start of RAM with a0 = 0, a1 = FDT at 0x87e00000 (128 MiB), a2 = 0x1028,
 * t0 = 0x80000000, mstatus = 0xa00000000 and MTIP pending.
 */
public class BootMatchesQemuVirtTest {

    @Test
    public void romHandsOverLikeQemu() throws Exception {
        VirtMachine m = Guests.machine(Guests.assemble("j pass\n"), new ByteArrayOutputStream());
        assertEquals(0x1000, m.pc());
        assertEquals(StopReason.LIMIT, m.run(6));
        assertEquals(0x8000_0000L, m.pc());
        assertEquals(0, m.reg(10));
        assertEquals(0x87e0_0000L, m.reg(11));
        assertEquals(0x1028, m.reg(12));
        assertEquals(0x8000_0000L, m.reg(5));
        assertEquals(0xa_0000_0000L, m.csr(0x300).getAsLong());
        assertEquals(0x80, m.csr(0x344).getAsLong());
        byte[] magic = new byte[4];
        m.readMemory(0x87e0_0000L, magic, 0, 4);
        assertEquals(0xd00dfeedL, ((magic[0] & 0xffL) << 24) | ((magic[1] & 0xff) << 16) | ((magic[2] & 0xff) << 8) | (magic[3] & 0xff));
    }

    @Test
    public void fdtFollowsRamSize() throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().ramSize(256L << 20).build());
        m.load(Guests.assemble("j pass\n"));
        m.run(6);
        assertEquals(0x8fe0_0000L, m.reg(11));
    }
}
