package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * virtio-blk on a modern (version 2) virtio-mmio transport, one split virtqueue
 * (Virtio 1.1 §4.2.2 registers, §2.6 split queues, §5.2 block device).
 *
 * <pre>
 * 0x000 MagicValue          0x004 Version = 2        0x008 DeviceID = 2      0x00c VendorID
 * 0x010 DeviceFeatures      0x014 DeviceFeaturesSel  0x020 DriverFeatures    0x024 DriverFeaturesSel
 * 0x030 QueueSel            0x034 QueueNumMax        0x038 QueueNum          0x044 QueueReady
 * 0x050 QueueNotify         0x060 InterruptStatus    0x064 InterruptACK      0x070 Status
 * 0x080/84 QueueDesc        0x090/94 QueueDriver     0x0a0/a4 QueueDevice    0x0fc ConfigGeneration
 * 0x100 config: capacity (u64 sectors), 0x108 size_max, 0x10c seg_max, 0x114 blk_size
 * </pre>
 * Requests are carried out synchronously when the guest notifies the queue (data transfer is
 * deterministic); publishing them in the used ring and raising the interrupt waits for the
 * {@link InputPort} to complete the request, so replay can reproduce completion order.
 */
final class VirtioBlock extends MmioDevice {

    static final int QUEUE_MAX = 256;
    static final long F_RO = 1L << 5, F_BLK_SIZE = 1L << 6, F_FLUSH = 1L << 9, F_VERSION_1 = 1L << 32;
    private static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
    private static final int S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;

    interface Submitter {
        /** Registers a started request with the input port; returns its id. */
        long submitted();
    }

    private final int slot;
    private final BlockDevice disk;
    private final Memory ram;
    private final Plic plic;
    private final Submitter submitter;

    private int deviceFeaturesSel, driverFeaturesSel, queueSel, status, interruptStatus;
    private long driverFeatures;
    private int queueNum = QUEUE_MAX;
    private boolean queueReady;
    private long descAddr, availAddr, usedAddr;
    private int lastAvail;
    /** Requests done but not yet published: {id, head, length}. */
    private final List<long[]> inFlight = new ArrayList<>();

    VirtioBlock(int slot, BlockDevice disk, Memory ram, Plic plic, Submitter submitter) {
        super("virtio" + slot, VirtioMmio.BASE + slot * VirtioMmio.SIZE, VirtioMmio.SIZE);
        this.slot = slot;
        this.disk = disk;
        this.ram = ram;
        this.plic = plic;
        this.submitter = submitter;
    }

    private long deviceFeatures() {
        return F_VERSION_1 | F_FLUSH | F_BLK_SIZE | (disk.readOnly() ? F_RO : 0);
    }

    @Override
    public long read(long off, int size) {
        if (off >= 0x100) {
            return config(off - 0x100, size);
        }
        return switch ((int) off) {
            case 0x000 -> VirtioMmio.MAGIC;
            case 0x004 -> 2;
            case 0x008 -> 2;
            case 0x00c -> VirtioMmio.VENDOR;
            case 0x010 -> deviceFeaturesSel <= 1 ? (deviceFeatures() >>> (32 * deviceFeaturesSel)) & 0xffffffffL : 0;
            case 0x034 -> queueSel == 0 ? QUEUE_MAX : 0;
            case 0x044 -> queueSel == 0 && queueReady ? 1 : 0;
            case 0x060 -> interruptStatus;
            case 0x070 -> status;
            case 0x0fc -> 0;
            default -> 0;
        };
    }

    @Override
    long peek(long offset, int size) {
        return read(offset, size); // reads have no side effects here
    }

    private long config(long off, int size) {
        byte[] cfg = new byte[0x20];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(cfg).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, disk.sectors());
        b.putInt(0x08, 0);
        b.putInt(0x0c, 126);
        b.putInt(0x14, BlockDevice.SECTOR_SIZE);
        if (off + size > cfg.length) {
            return 0;
        }
        return HartSystem.readRaw(cfg, (int) off, size);
    }

    @Override
    public void write(long off, int size, long value) {
        int v = (int) value;
        switch ((int) off) {
            case 0x014 -> deviceFeaturesSel = v;
            case 0x020 -> {
                if (driverFeaturesSel <= 1) {
                    int shift = 32 * driverFeaturesSel;
                    driverFeatures = (driverFeatures & ~(0xffffffffL << shift)) | ((v & 0xffffffffL) << shift);
                }
            }
            case 0x024 -> driverFeaturesSel = v;
            case 0x030 -> queueSel = v;
            case 0x038 -> {
                if (queueSel == 0 && v > 0 && v <= QUEUE_MAX && Integer.bitCount(v) == 1) {
                    queueNum = v;
                }
            }
            case 0x044 -> {
                if (queueSel == 0) {
                    queueReady = (v & 1) != 0;
                }
            }
            case 0x050 -> {
                if (v == 0 && queueReady && (status & 4) != 0) {
                    processQueue();
                }
            }
            case 0x064 -> {
                interruptStatus &= ~v;
                if (interruptStatus == 0) {
                    plic.setLevel(VirtioMmio.FIRST_IRQ + slot, false);
                }
            }
            case 0x070 -> {
                if (v == 0) {
                    reset();
                } else {
                    status = v & 0xff;
                }
            }
            case 0x080 -> descAddr = low(descAddr, v);
            case 0x084 -> descAddr = high(descAddr, v);
            case 0x090 -> availAddr = low(availAddr, v);
            case 0x094 -> availAddr = high(availAddr, v);
            case 0x0a0 -> usedAddr = low(usedAddr, v);
            case 0x0a4 -> usedAddr = high(usedAddr, v);
            default -> { }
        }
    }

    private static long low(long old, int v) {
        return (old & ~0xffffffffL) | (v & 0xffffffffL);
    }

    private static long high(long old, int v) {
        return (old & 0xffffffffL) | ((long) v << 32);
    }

    private void reset() {
        status = 0;
        interruptStatus = 0;
        driverFeatures = 0;
        queueReady = false;
        queueNum = QUEUE_MAX;
        descAddr = availAddr = usedAddr = 0;
        lastAvail = 0;
        inFlight.clear();
        plic.setLevel(VirtioMmio.FIRST_IRQ + slot, false);
    }

    // ---------------------------------------------------------------- guest memory

    private int ramOffset(long pa, long len) {
        long o = pa - ram.base;
        if (o < 0 || len < 0 || o + len > ram.size) {
            throw new IllegalArgumentException(String.format("virtio DMA outside RAM at 0x%x", pa));
        }
        return (int) o;
    }

    private long dmaRead(long pa, int size) {
        return HartSystem.readRaw(ram.data, ramOffset(pa, size), size);
    }

    private void dmaWrite(long pa, int size, long v) {
        int o = ramOffset(pa, size);
        ram.beforeStore(o, size);
        HartSystem.writeRaw(ram.data, o, size, v);
    }

    // ---------------------------------------------------------------- requests

    private void processQueue() {
        try {
            int availIdx = (int) dmaRead(availAddr + 2, 2);
            while ((lastAvail & 0xffff) != availIdx) {
                int head = (int) dmaRead(availAddr + 4 + 2L * (lastAvail % queueNum), 2);
                lastAvail = (lastAvail + 1) & 0xffff;
                int written = execute(head);
                long id = submitter.submitted();
                inFlight.add(new long[] {id, head, written});
            }
        } catch (IllegalArgumentException | IOException e) {
            status |= 0x40; // DEVICE_NEEDS_RESET: the driver handed us a broken queue
        }
    }

    /** Runs the request whose chain starts at {@code head}; returns bytes written to the guest. */
    private int execute(int head) throws IOException {
        List<long[]> segs = new ArrayList<>(); // {addr, len, writable}
        int i = head;
        for (int n = 0; n < queueNum; n++) {
            long d = descAddr + 16L * i;
            long addr = dmaRead(d, 8);
            long len = dmaRead(d + 8, 4);
            int flags = (int) dmaRead(d + 12, 2);
            segs.add(new long[] {addr, len, (flags & 2) != 0 ? 1 : 0});
            if ((flags & 1) == 0) {
                break;
            }
            i = (int) dmaRead(d + 14, 2);
        }
        byte[] header = gather(segs, 16);
        java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(0);
        long sector = h.getLong(8);
        long[] statusSeg = segs.get(segs.size() - 1);
        long statusAddr = statusSeg[0] + statusSeg[1] - 1;
        List<long[]> data = dataSegments(segs, 16);
        int written = 0;
        int st = S_OK;
        switch (type) {
            case T_IN, T_OUT -> {
                long pos = sector * BlockDevice.SECTOR_SIZE;
                long total = 0;
                for (long[] s : data) {
                    total += s[1];
                }
                if (sector < 0 || pos + total > disk.sectors() * BlockDevice.SECTOR_SIZE) {
                    st = S_IOERR;
                } else if (type == T_OUT && disk.readOnly()) {
                    st = S_IOERR;
                } else {
                    for (long[] s : data) {
                        int o = ramOffset(s[0], s[1]);
                        if (type == T_IN) {
                            ram.beforeStore(o, (int) s[1]);
                            disk.read(pos, ram.data, o, (int) s[1]);
                            written += (int) s[1];
                        } else {
                            disk.write(pos, ram.data, o, (int) s[1]);
                        }
                        pos += s[1];
                    }
                }
            }
            case T_FLUSH -> disk.flush();
            case T_GET_ID -> {
                byte[] id = "rewind-virtio-blk".getBytes(StandardCharsets.US_ASCII);
                if (!data.isEmpty()) {
                    long[] s = data.get(0);
                    int n = (int) Math.min(20, s[1]);
                    for (int k = 0; k < n; k++) {
                        dmaWrite(s[0] + k, 1, k < id.length ? id[k] : 0);
                    }
                    written += n;
                }
            }
            default -> st = S_UNSUPP;
        }
        dmaWrite(statusAddr, 1, st);
        return written + 1;
    }

    private byte[] gather(List<long[]> segs, int n) {
        byte[] out = new byte[n];
        int k = 0;
        for (long[] s : segs) {
            for (long j = 0; j < s[1] && k < n; j++) {
                out[k++] = (byte) dmaRead(s[0] + j, 1);
            }
            if (k == n) {
                break;
            }
        }
        return out;
    }

    /** The payload between the 16-byte header and the final status byte. */
    private static List<long[]> dataSegments(List<long[]> segs, int skip) {
        List<long[]> out = new ArrayList<>();
        long toSkip = skip;
        for (int k = 0; k < segs.size(); k++) {
            long addr = segs.get(k)[0], len = segs.get(k)[1];
            long cut = Math.min(toSkip, len);
            addr += cut;
            len -= cut;
            toSkip -= cut;
            if (k == segs.size() - 1) {
                len -= 1; // status byte
            }
            if (len > 0) {
                out.add(new long[] {addr, len, segs.get(k)[2]});
            }
        }
        return out;
    }

    /** Publishes a finished request in the used ring and raises the interrupt. */
    void complete(long id) {
        for (int k = 0; k < inFlight.size(); k++) {
            long[] r = inFlight.get(k);
            if (r[0] != id) {
                continue;
            }
            inFlight.remove(k);
            try {
                int usedIdx = (int) dmaRead(usedAddr + 2, 2);
                long e = usedAddr + 4 + 8L * (usedIdx % queueNum);
                dmaWrite(e, 4, r[1]);
                dmaWrite(e + 4, 4, r[2]);
                dmaWrite(usedAddr + 2, 2, (usedIdx + 1) & 0xffff);
                interruptStatus |= 1;
                plic.setLevel(VirtioMmio.FIRST_IRQ + slot, true);
            } catch (IllegalArgumentException ex) {
                status |= 0x40;
            }
            return;
        }
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        int[] ints = {deviceFeaturesSel, driverFeaturesSel, queueSel, status, interruptStatus, queueNum, lastAvail};
        for (int v : ints) {
            out.writeInt(v);
        }
        out.writeLong(driverFeatures);
        out.writeBoolean(queueReady);
        out.writeLong(descAddr);
        out.writeLong(availAddr);
        out.writeLong(usedAddr);
        out.writeInt(inFlight.size());
        for (long[] r : inFlight) {
            out.writeLong(r[0]);
            out.writeLong(r[1]);
            out.writeLong(r[2]);
        }
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        deviceFeaturesSel = in.readInt();
        driverFeaturesSel = in.readInt();
        queueSel = in.readInt();
        status = in.readInt();
        interruptStatus = in.readInt();
        queueNum = in.readInt();
        lastAvail = in.readInt();
        driverFeatures = in.readLong();
        queueReady = in.readBoolean();
        descAddr = in.readLong();
        availAddr = in.readLong();
        usedAddr = in.readLong();
        int n = in.readInt();
        inFlight.clear();
        for (int k = 0; k < n; k++) {
            inFlight.add(new long[] {in.readLong(), in.readLong(), in.readLong()});
        }
    }
}
