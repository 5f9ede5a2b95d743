package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A device on the bus at [{@link #base()}, base + {@link #size()}). Accesses arrive with the
 * offset inside that range and a size of 1, 2, 4 or 8 bytes. State save/load must capture
 * everything guest-visible and must not call into other devices while loading.
 */
interface MmioDevice {

    String name();

    long base();

    long size();

    long read(long offset, int size);

    void write(long offset, int size, long value);

    void save(DataOutputStream out) throws IOException;

    void load(DataInputStream in) throws IOException;
}
