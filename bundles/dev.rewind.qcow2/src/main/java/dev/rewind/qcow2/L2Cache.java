package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Write-back LRU cache of L2 tables keyed by host offset. Dirty tables are only written by
 * {@link #writeDirty}, which the image calls after the refcount blocks they depend on.
 */
final class L2Cache {

    /** One L2 table: the decoded entries and where it lives. */
    static final class Table {
        final long offset;
        final long[] entries;
        boolean dirty;

        Table(long offset, long[] entries) {
            this.offset = offset;
            this.entries = entries;
        }
    }

    private final int capacity;
    private final LinkedHashMap<Long, Table> tables = new LinkedHashMap<>(64, 0.75f, true);
    private final List<Table> dirty = new ArrayList<>();

    L2Cache(int capacity) {
        this.capacity = Math.max(4, capacity);
    }

    Table get(long offset) {
        return tables.get(offset);
    }

    /** True if adding a table would have to evict a dirty one (the image flushes first). */
    boolean fullOfDirty() {
        return tables.size() >= capacity && dirty.size() >= tables.size();
    }

    void put(Table t) {
        if (tables.size() >= capacity) {
            Iterator<Map.Entry<Long, Table>> it = tables.entrySet().iterator();
            while (it.hasNext() && tables.size() >= capacity) {
                Table old = it.next().getValue();
                if (!old.dirty) {
                    it.remove();
                }
            }
        }
        tables.put(t.offset, t);
        if (t.dirty) {
            dirty.add(t);
        }
    }

    void markDirty(Table t) {
        if (!t.dirty) {
            t.dirty = true;
            dirty.add(t);
        }
    }

    boolean hasDirty() {
        return !dirty.isEmpty();
    }

    void writeDirty(HostFile file) throws IOException {
        if (dirty.isEmpty()) {
            return;
        }
        for (Table t : dirty) {
            ByteBuffer b = ByteBuffer.allocate(t.entries.length * 8);
            b.asLongBuffer().put(t.entries);
            file.write(t.offset, b);
            t.dirty = false;
        }
        dirty.clear();
    }

    /** Drops a table whose cluster was freed (it may be reused for anything). */
    void remove(long offset) {
        Table t = tables.remove(offset);
        if (t != null && t.dirty) {
            t.dirty = false;
            dirty.remove(t);
        }
    }

    void clear() {
        tables.clear();
        dirty.clear();
    }
}
