package dev.rewind.debug.core.model;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IMemoryBlock;

/** Guest memory (virtual addresses, as the hart sees them) at the current position of the replay. */
public final class ReplayMemoryBlock extends RewindDebugElement implements IMemoryBlock {

    private final long start;
    private final long length;

    ReplayMemoryBlock(ReplayTarget target, long start, long length) {
        super(target);
        this.start = start;
        this.length = length;
    }

    @Override
    public long getStartAddress() {
        return start;
    }

    @Override
    public long getLength() {
        return length;
    }

    /** The bytes at the current position; bytes that cannot be read (unmapped) are zero. */
    @Override
    public byte[] getBytes() throws DebugException {
        return replay().readMemory(start, (int) Math.min(length, 1 << 20));
    }

    @Override
    public boolean supportsValueModification() {
        return true; // so that the Memory view's edit reaches setValue, whose refusal it shows
    }

    @Override
    public void setValue(long offset, byte[] bytes) throws DebugException {
        throw ReplayEngine.readOnly("memory");
    }
}
