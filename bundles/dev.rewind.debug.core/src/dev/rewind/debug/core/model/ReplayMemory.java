package dev.rewind.debug.core.model;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IMemoryBlockExtension;
import org.eclipse.debug.core.model.IMemoryBlockRetrieval;
import org.eclipse.debug.core.model.MemoryByte;

/**
 * Guest memory for the Platform's Memory view (virtual addresses, as the hart sees them) at the
 * current position of the replay. The block manages change itself: a byte whose value differs
 * from the one it had at the previous stop is marked CHANGED, so the renderings highlight what
 * the last move (forwards or backwards) wrote. Pages are read once per stop.
 */
public final class ReplayMemory extends RewindDebugElement implements IMemoryBlockExtension {

    private static final int PAGE = 4096;
    /** A page's bytes and how many of them could be read. */
    private record Page(byte[] bytes, int readable) {
    }

    private final String expression;
    private long base;
    private final List<Object> connections = new ArrayList<>();
    private long icount = -1;
    private final Map<Long, Page> current = new TreeMap<>();
    private Map<Long, Page> previous = new TreeMap<>();
    private long previousIcount = -1;

    ReplayMemory(ReplayTarget target, String expression, long base) {
        super(target);
        this.expression = expression;
        this.base = base;
    }

    @Override
    public String getExpression() {
        return expression;
    }

    @Override
    public long getStartAddress() {
        return base;
    }

    @Override
    public long getLength() {
        return Long.MAX_VALUE;
    }

    @Override
    public BigInteger getBigBaseAddress() {
        return unsigned(base);
    }

    @Override
    public BigInteger getMemoryBlockStartAddress() {
        return BigInteger.ZERO;
    }

    @Override
    public BigInteger getMemoryBlockEndAddress() {
        return BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    }

    @Override
    public BigInteger getBigLength() {
        return BigInteger.ONE.shiftLeft(64);
    }

    @Override
    public int getAddressSize() {
        return 8;
    }

    @Override
    public int getAddressableSize() {
        return 1;
    }

    @Override
    public boolean supportBaseAddressModification() {
        return true;
    }

    @Override
    public void setBaseAddress(BigInteger address) {
        base = address.longValue();
    }

    @Override
    public boolean supportsChangeManagement() {
        return true;
    }

    @Override
    public byte[] getBytes() throws DebugException {
        MemoryByte[] m = getBytesFromAddress(unsigned(base), 256);
        byte[] b = new byte[m.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = m[i].getValue();
        }
        return b;
    }

    @Override
    public MemoryByte[] getBytesFromOffset(BigInteger unitOffset, long units) throws DebugException {
        return getBytesFromAddress(unsigned(base).add(unitOffset), units);
    }

    /** Bytes at the current position; CHANGED where the previous stop had another value. */
    @Override
    public synchronized MemoryByte[] getBytesFromAddress(BigInteger address, long units) throws DebugException {
        HartState st = replay().state();
        long now = st == null ? -1 : st.icount();
        if (now != icount) {
            if (icount != -1) {
                previous = new TreeMap<>(current);
                previousIcount = icount;
            }
            current.clear();
            icount = now;
        }
        long a0 = address.longValue();
        int n = (int) Math.min(units, 1 << 20);
        MemoryByte[] out = new MemoryByte[n];
        for (int i = 0; i < n; i++) {
            long a = a0 + i;
            long pageIndex = Long.divideUnsigned(a, PAGE);
            int off = (int) Long.remainderUnsigned(a, PAGE);
            Page p = page(pageIndex);
            byte flags = 0;
            byte value = 0;
            if (off < p.readable()) {
                value = p.bytes()[off];
                flags = MemoryByte.READABLE;
                Page before = previousIcount == -1 ? null : previous.get(pageIndex);
                if (before != null && off < before.readable()) {
                    flags |= MemoryByte.HISTORY_KNOWN;
                    if (before.bytes()[off] != value) {
                        flags |= MemoryByte.CHANGED;
                    }
                }
            }
            out[i] = new MemoryByte(value, flags);
        }
        return out;
    }

    private Page page(long index) throws DebugException {
        Page p = current.get(index);
        if (p == null) {
            long start = index * PAGE;
            byte[] bytes = new byte[PAGE];
            int readable = replay().inspect(m -> m.debugView().readMemory(start, bytes, 0, PAGE));
            p = new Page(bytes, readable);
            current.put(index, p);
        }
        return p;
    }

    @Override
    public boolean supportsValueModification() {
        return true; // so that the Memory view's edit reaches setValue, whose refusal it shows
    }

    @Override
    public void setValue(long offset, byte[] bytes) throws DebugException {
        throw ReplayEngine.readOnly("memory");
    }

    @Override
    public void setValue(BigInteger offset, byte[] bytes) throws DebugException {
        throw ReplayEngine.readOnly("memory");
    }

    @Override
    public synchronized void connect(Object client) {
        if (!connections.contains(client)) {
            connections.add(client);
        }
    }

    @Override
    public synchronized void disconnect(Object client) {
        connections.remove(client);
    }

    @Override
    public synchronized Object[] getConnections() {
        return connections.toArray();
    }

    @Override
    public void dispose() {
        connections.clear();
    }

    @Override
    public IMemoryBlockRetrieval getMemoryBlockRetrieval() {
        return replay();
    }

    private static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }
}
