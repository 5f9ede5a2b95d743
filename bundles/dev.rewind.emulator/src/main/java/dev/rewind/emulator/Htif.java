package dev.rewind.emulator;

/**
 * Berkeley HTIF through the {@code tohost}/{@code fromhost} symbols of the loaded ELF, as Spike
 * does it, so riscv-tests style programs can report results. Only RAM-resident symbols work; the
 * tohost page is flagged so ordinary stores elsewhere cost nothing.
 *
 * <pre>
 * tohost = (device &lt;&lt; 56) | (command &lt;&lt; 48) | payload
 *   device 0, payload bit 0 set: exit with code payload &gt;&gt; 1
 *   device 1, command 1: putchar(payload &amp; 0xff), acknowledged through fromhost
 * </pre>
 */
final class Htif implements HartSystem.SpecialStoreListener {

    private final Memory ram;
    private final long tohost;
    private final long fromhost;
    private final java.io.OutputStream console;
    private final SifiveTest.ExitListener exit;

    Htif(Memory ram, long tohost, long fromhost, java.io.OutputStream console, SifiveTest.ExitListener exit) {
        this.ram = ram;
        this.tohost = tohost;
        this.fromhost = fromhost;
        this.console = console;
        this.exit = exit;
        ram.markSpecial((int) (tohost - ram.base));
    }

    static boolean fits(Memory ram, long addr) {
        return addr >= ram.base && addr + 8 <= ram.base + ram.size;
    }

    @Override
    public boolean stored(long paddr, int size) {
        if (paddr + size <= tohost || paddr >= tohost + 8) {
            return false;
        }
        int off = (int) (tohost - ram.base);
        long v = HartSystem.readRaw(ram.data, off, 8);
        if (v == 0 || paddr + size < tohost + 8) {
            return false; // wait for the whole doubleword (RV32-style split writes end with the high word)
        }
        int device = (int) (v >>> 56);
        int command = (int) (v >>> 48) & 0xff;
        long payload = v & 0xffff_ffff_ffffL;
        if (device == 0 && (payload & 1) != 0) {
            exit.exit((int) (payload >>> 1));
            return true;
        }
        ram.beforeStore(off, 8);
        HartSystem.writeRaw(ram.data, off, 8, 0);
        if (device == 1 && command == 1) {
            try {
                console.write((int) payload & 0xff);
                console.flush();
            } catch (java.io.IOException e) {
                // host console failures are invisible to the guest
            }
            if (fits(ram, fromhost)) {
                int f = (int) (fromhost - ram.base);
                ram.beforeStore(f, 8);
                HartSystem.writeRaw(ram.data, f, 8, (1L << 56) | (1L << 48));
            }
        }
        return false;
    }
}
