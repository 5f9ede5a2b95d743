package dev.rewind.replay.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

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

    MappingHistory(Timeline session, AccessSearch search) {
        this.session = session;
        this.search = search;
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

        /** One walk and the search for the change before it; null if the piece is empty. */
        private Piece step() {
            session.moveTo(at);
            VirtMachine m = session.machine();
            if (hart < 0) {
                hart = t.hart() >= 0 ? t.hart() : m.currentHart();
            }
            Walk w = walk(m, hart, t.address(), t.size());
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

    /**
     * Walks hart {@code hart}'s page table now for [va, va+size): where it maps to (a range that
     * crosses into a virtual page must continue in the physical page after, else
     * IllegalArgumentException) and every entry read.
     */
    static Walk walk(VirtMachine m, int hart, long va, int size) {
        long satp = m.hart(hart).csr(0x180).orElse(0);
        PhysicalView phys = m.physicalView();
        Walk first = walkOne(m, phys, satp, va);
        long last = va + size - 1;
        if ((va >>> 12) == (last >>> 12)) {
            return first;
        }
        Walk second = walkOne(m, phys, satp, last & ~0xfffL);
        long[] ptes = Arrays.copyOf(first.ptes(), first.ptes().length + second.ptes().length);
        System.arraycopy(second.ptes(), 0, ptes, first.ptes().length, second.ptes().length);
        boolean follows = first.pa() >= 0 && second.pa() == first.pa() + ((last & ~0xfffL) - va);
        if (!follows && (first.pa() >= 0 || second.pa() >= 0)) {
            throw new IllegalArgumentException(String.format("[0x%x, +%d) crosses into a virtual page that does not map to "
                    + "the physical page after (hart %d, satp 0x%x): ask about each page's part", va, size, hart, satp));
        }
        return new Walk(first.pa(), satp, ptes);
    }

    private static Walk walkOne(VirtMachine m, PhysicalView phys, long satp, long va) {
        if (satp >>> 60 != 8) {
            return new Walk(physicalExists(m, phys, va) ? va : -1, satp, new long[0]);
        }
        if ((va >> 38) != 0 && (va >> 38) != -1) {
            return new Walk(-1, satp, new long[0]);
        }
        long table = (satp & ((1L << 44) - 1)) << 12;
        long[] ptes = new long[3];
        for (int level = 2, n = 0; level >= 0; level--) {
            long pteAddr = table + (((va >>> (12 + 9 * level)) & 511) << 3);
            ptes[n++] = pteAddr;
            OptionalLong read = inRam(m, pteAddr) ? phys.peek(pteAddr, 8) : OptionalLong.empty();
            long pte = read.orElse(0);
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
