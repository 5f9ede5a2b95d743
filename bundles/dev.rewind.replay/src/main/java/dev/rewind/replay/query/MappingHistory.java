package dev.rewind.replay.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.rewind.emulator.PhysicalView;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.emulator.WatchKind;
import dev.rewind.replay.Timeline;

/**
 * What a virtual range maps to over a stretch of the recording, so that a query about a virtual
 * address (a kernel variable under Linux) is answered about the physical bytes behind it, with
 * the write log and physical watchpoints, exactly.
 *
 * <p>The engine walks hart {@code h}'s Sv39 page table (its satp, as S-mode would, whatever
 * privilege the hart is in) at the end of the stretch; the mapping holds back to the last write
 * that changed one of the page-table entries the walk read (valid bit, permissions or physical
 * page; hardware A/D updates do not count), which a write query on each entry's 8 physical bytes
 * finds. Before that write the walk is done again at its position, and so on back to the start
 * of the stretch: each {@link Piece} is a stretch of positions with one physical address, or none
 * (not mapped: nothing can write through the range there). Adjacent pieces with the same address
 * are merged.
 *
 * <p>A global mapping (G set in the leaf, as the kernel's are) is by the privileged spec's
 * definition the same in every address space: its root-table entry, which each new address space
 * copies (Linux: at every fork), is not followed, only the shared tables below it.
 *
 * <p>What this does not follow: the hart switching satp to another page table without any entry
 * being written (exact for global mappings; a process's own addresses are answered in the address
 * space the hart had at the end of the stretch), and a hart that uses a stale TLB entry after an
 * entry changed before it fenced. With satp bare, virtual addresses are physical ones.
 */
final class MappingHistory {

    /**
     * Positions [from, to) over which the range maps to physical {@code [pa, pa+size)} for hart
     * {@code hart} ({@code pa} -1: to nothing); {@code satp} is the hart's at the walk.
     */
    record Piece(long from, long to, long pa, int hart, long satp) {
        boolean mapped() {
            return pa >= 0;
        }

        /** The physical target of this piece: the range's text, its physical address. */
        Target physical(Target t) {
            return new Target(t.text(), pa, t.size(), true, -1);
        }
    }

    /** A walk's result: the physical address (-1: not mapped) and the page-table entries it read. */
    record Walk(long pa, long satp, long[] ptes) {
    }

    /** Valid, R, W, X, U and the physical page number: what decides where an address goes. */
    static final long MAPPING_BITS = (((1L << 44) - 1) << 10) | 0x1f;
    /** Writes to one entry that leave its mapping alone looked at before giving up and taking the last as a change. */
    private static final int SAME_WRITES = 64;

    private final Timeline session;
    private final AccessSearch search;
    private final RecordingIndex index;

    MappingHistory(Timeline session, AccessSearch search, RecordingIndex index) {
        this.session = session;
        this.search = search;
        this.index = index;
    }

    /** Adjacent pieces with the same physical address as one, in order. */
    static List<Piece> merged(List<Piece> pieces) {
        List<Piece> out = new ArrayList<>();
        for (Piece p : pieces) {
            Piece last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.pa() == p.pa() && last.to() == p.from()) {
                out.set(out.size() - 1, new Piece(last.from(), p.to(), p.pa(), last.hart(), last.satp()));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The pieces covering [from, to) for {@code t} (virtual), latest first, computed as the
     * caller takes them: a last-write query stops at the piece that answers it.
     */
    Backwards backwards(Target t, long from, long to) {
        return new Backwards(t, from, to);
    }

    /** Every piece covering [from, to), in order. */
    List<Piece> pieces(Target t, long from, long to) {
        List<Piece> out = new ArrayList<>();
        Backwards b = backwards(t, from, to);
        for (Piece p = b.next(); p != null; p = b.next()) {
            out.add(0, p);
        }
        return out;
    }

    /**
     * The piece that ends at {@code to}, cut short cheaply: the walk there, held back as far as
     * the write log shows no change of its entries (a logged store to an entry that leaves its
     * mapping bits alone does not count; any other does), to the end of the last interval the log
     * does not cover for one of them. The exact start may lie far before; a last-write query
     * looks here first and needs no replay when the answer lies inside.
     */
    Piece near(Target t, long from, long to) {
        Backwards b = new Backwards(t, from, to);
        Walk w = b.walkAt(to);
        long floor = from;
        for (long pte : w.ptes()) {
            floor = Math.max(floor, unchangedSince(pte - VirtMachine.RAM_BASE, floor, to));
        }
        return floor < to ? new Piece(floor, to, w.pa(), b.hart, w.satp()) : null;
    }

    /** The earliest position in [from, to) back to which the log shows the entry at RAM offset {@code off} unchanged. */
    private long unchangedSince(long off, long from, long to) {
        if (off < 0 || off + 8 > session.machine().config().ramSize()) {
            return to;
        }
        int[] ks = index.intervalsWriting(off, 8);
        for (int i = ks.length - 1; i >= 0; i--) {
            int k = ks[i];
            if (index.start(k) >= to) {
                continue;
            }
            if (index.end(k) <= from) {
                break;
            }
            long e = Math.min(index.end(k), to);
            if (!index.logCovers(k, off, 8)) {
                return e;
            }
            LoggedChanges c = index.changes(off, 8, index.start(k), e);
            for (int j = c.size() - 1; j >= 0; j--) {
                boolean whole = c.offset(j) == off && c.length(j) == 8;
                if (!whole || ((c.before(j) ^ c.after(j)) & MAPPING_BITS) != 0) {
                    return c.icount(j) + 1;
                }
            }
        }
        return from;
    }

    final class Backwards {
        private final Target t;
        private final long from;
        private int hart = -1;
        /** The walk's position and the end (exclusive) of the next piece. */
        private long at;
        private long end;
        private Piece held;
        private boolean done;

        Backwards(Target t, long from, long to) {
            this.t = t;
            this.from = from;
            this.at = to;
            this.end = to;
            this.done = from >= to;
        }

        /** The next piece going back (merged with its equals), or null past {@code from}. */
        Piece next() {
            while (!done) {
                Piece p = step();
                if (p == null) {
                    continue;
                }
                if (held == null) {
                    held = p;
                } else if (held.pa() == p.pa()) {
                    held = new Piece(p.from(), held.to(), p.pa(), p.hart(), p.satp());
                } else {
                    Piece out = held;
                    held = p;
                    return out;
                }
            }
            Piece out = held;
            held = null;
            return out;
        }

        /** The next piece going back as one walk finds it (not merged with its equals), or null past {@code from}. */
        Piece nextUnmerged() {
            while (!done) {
                Piece p = step();
                if (p != null) {
                    return p;
                }
            }
            return null;
        }

        /**
         * The walk at position {@code at}: with the satp the index knows there and the entries'
         * bytes from the write log, without moving, if the log covers them; else after moving there.
         */
        Walk walkAt(long at) {
            int b = index.boundAt(at);
            // the hart: asked for, or the one running there (known at bounds, and with one hart)
            int h = hart >= 0 ? hart : t.hart() >= 0 ? t.hart() : b >= 0 ? index.running(b) : index.harts() == 1 ? 0 : -1;
            if (h >= 0 && session.icount() != at) {
                Walk w = walk(session.machine(), h, index.satpAt(at, h), t.address(), t.size(), pa -> search.bytesAt(pa, 8, at));
                if (w != null) {
                    hart = h;
                    return w;
                }
            }
            session.moveTo(at);
            VirtMachine m = session.machine();
            if (hart < 0) {
                hart = t.hart() >= 0 ? t.hart() : m.currentHart();
            }
            return walk(m, hart, t.address(), t.size());
        }

        /** One walk and the search for the change before it; null if the piece is empty. */
        private Piece step() {
            Walk w = walkAt(at);
            long change = lastChange(w.ptes(), from, at);
            long pieceFrom = change < 0 ? from : Math.max(from, change + 1);
            Piece p = pieceFrom < end ? new Piece(pieceFrom, end, w.pa(), hart, w.satp()) : null;
            if (change < 0 || change + 1 <= from) {
                done = true;
            } else {
                // the entry's writer ran with the mapping before it: walk again there
                at = change;
                end = change + 1;
            }
            return p;
        }
    }

    /**
     * The position of the last instruction in [from, before) that changed the mapping one of
     * {@code ptes} (physical addresses of entries) holds, or -1.
     */
    private long lastChange(long[] ptes, long from, long before) {
        long latest = -1;
        for (long a : ptes) {
            Target entry = new Target("page-table entry", a, 8, true, -1);
            long b = before;
            for (int n = 0; b > Math.max(from, latest); n++) {
                Optional<Access> w = search.last(entry, WatchKind.WRITE, Math.max(from, latest), b, Progress.NONE);
                if (w.isEmpty()) {
                    break;
                }
                Access x = w.get();
                if (n >= SAME_WRITES || x.before() == null || ((value(x.before()) ^ value(x.after())) & MAPPING_BITS) != 0) {
                    latest = Math.max(latest, x.icount());
                    break;
                }
                b = x.icount();
            }
        }
        return latest;
    }

    private static long value(byte[] le) {
        long v = 0;
        for (int i = le.length - 1; i >= 0; i--) {
            v = v << 8 | (le[i] & 0xff);
        }
        return v;
    }

    /** Reads a page-table entry's 8 bytes (little-endian) at a physical RAM address; null if not known. */
    interface Entries {
        byte[] read(long pa);
    }

    /**
     * Walks hart {@code hart}'s page table now for [va, va+size): where it maps to (a range that
     * crosses into a virtual page must continue in the physical page after, else
     * IllegalArgumentException) and every entry read.
     */
    static Walk walk(VirtMachine m, int hart, long va, int size) {
        return walk(m, hart, m.hart(hart).csr(0x180).orElse(0), va, size,
                pa -> AccessSearch.readPhysical(m, pa, 8));
    }

    /** As {@link #walk(VirtMachine, int, long, int)} with satp {@code satp} and the entries {@code entries} reads; null if one is not known. */
    static Walk walk(VirtMachine m, int hart, long satp, long va, int size, Entries entries) {
        Walk first = walkOne(m, entries, satp, va);
        long last = va + size - 1;
        if (first == null || (va >>> 12) == (last >>> 12)) {
            return first;
        }
        Walk second = walkOne(m, entries, satp, last & ~0xfffL);
        if (second == null) {
            return null;
        }
        long[] ptes = Arrays.copyOf(first.ptes(), first.ptes().length + second.ptes().length);
        System.arraycopy(second.ptes(), 0, ptes, first.ptes().length, second.ptes().length);
        boolean follows = first.pa() >= 0 && second.pa() == first.pa() + ((last & ~0xfffL) - va);
        if (!follows && (first.pa() >= 0 || second.pa() >= 0)) {
            throw new IllegalArgumentException(String.format("[0x%x, +%d) crosses into a virtual page that does not map to "
                    + "the physical page after (hart %d, satp 0x%x): ask about each page's part", va, size, hart, satp));
        }
        return new Walk(first.pa(), satp, ptes);
    }

    private static Walk walkOne(VirtMachine m, Entries entries, long satp, long va) {
        if (satp >>> 60 != 8) {
            return new Walk(physicalExists(m, m.physicalView(), va) ? va : -1, satp, new long[0]);
        }
        if ((va >> 38) != 0 && (va >> 38) != -1) {
            return new Walk(-1, satp, new long[0]);
        }
        long table = (satp & ((1L << 44) - 1)) << 12;
        long[] ptes = new long[3];
        for (int level = 2, n = 0; level >= 0; level--) {
            long pteAddr = table + (((va >>> (12 + 9 * level)) & 511) << 3);
            ptes[n++] = pteAddr;
            long pte = 0;
            if (inRam(m, pteAddr)) {
                byte[] b = entries.read(pteAddr);
                if (b == null) {
                    return null;
                }
                for (int i = 7; i >= 0; i--) {
                    pte = pte << 8 | (b[i] & 0xff);
                }
            }
            if ((pte & 1) == 0 || (pte & 6) == 4) {
                return new Walk(-1, satp, Arrays.copyOf(ptes, n));
            }
            long ppn = (pte >>> 10) & ((1L << 44) - 1);
            if ((pte & 0xa) == 0) {
                table = ppn << 12;
                continue;
            }
            if (level > 0 && (ppn & ((1L << (9 * level)) - 1)) != 0) {
                return new Walk(-1, satp, Arrays.copyOf(ptes, n)); // a misaligned superpage faults
            }
            long mask = (1L << (12 + 9 * level)) - 1;
            long pa = ((ppn << 12) & ~mask) | (va & mask);
            if ((pte & 0x20) != 0 && n > 1) {
                // global: the same in every address space, so the root table's entry, which each
                // new address space copies, is not followed; the tables below it are shared
                return new Walk(pa, satp, Arrays.copyOfRange(ptes, 1, n));
            }
            return new Walk(pa, satp, Arrays.copyOf(ptes, n));
        }
        return new Walk(-1, satp, ptes);
    }

    private static boolean inRam(VirtMachine m, long pa) {
        long off = pa - VirtMachine.RAM_BASE;
        return off >= 0 && off < m.config().ramSize();
    }

    private static boolean physicalExists(VirtMachine m, PhysicalView phys, long pa) {
        if (inRam(m, pa)) {
            return true;
        }
        for (PhysicalView.Device d : phys.devices()) {
            if (pa >= d.base() && pa - d.base() < d.size()) {
                return true;
            }
        }
        return false;
    }
}
