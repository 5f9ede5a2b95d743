package dev.rewind.qcow2;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Consistency check and repair, modelled on {@code qemu-img check [-r leaks|all]}: every
 * reference from the header, L1/L2 tables (active and snapshots), the snapshot table and
 * the refcount structure is counted and compared with the stored refcounts; COPIED flags
 * and snapshot table entries are verified. Messages use qemu-img's wording.
 */
public final class ImageCheck {

    /** What to fix. */
    public enum Repair { NONE, LEAKS, ALL }

    /** Counts as qemu-img reports them, plus statistics. */
    public record Result(long corruptions, long leaks, long checkErrors, long corruptionsFixed, long leaksFixed,
            long imageEndOffset, long totalClusters, long allocatedClusters, long fragmentedClusters,
            long compressedClusters) {

        /** qemu-img check's exit code: 0 clean, 1 check failed, 2 corruptions, 3 leaks only. */
        public int exitCode() {
            if (checkErrors > 0) {
                return 1;
            }
            if (corruptions > 0) {
                return 2;
            }
            return leaks > 0 ? 3 : 0;
        }

        public boolean clean() {
            return corruptions == 0 && leaks == 0 && checkErrors == 0;
        }
    }

    private final Qcow2Image img;
    private final int cb;
    private final int cs;
    private PrintStream log;
    private long[] refs;
    private long corruptions;
    /** The repair mode of the running check. */
    private Repair repair = Repair.NONE;
    /**
     * True during the one scan that reports (and repairs) problems found in L1/L2 entries; the
     * other scans only count references, so nothing is reported or fixed twice.
     */
    private boolean reporting;
    /** L2 entries were rewritten in the file: cached L2 tables are stale. */
    private boolean l2EntriesRepaired;
    private long corruptionsFixed;
    private long leaks;
    private long leaksFixed;
    private long checkErrors;
    private long allocated;
    private long fragmented;
    private long compressed;
    private long lastHost;
    /** Refcount errors only a rebuilt refcount structure can fix. */
    private long rebuildNeeded;
    /** Highest cluster with a stored or computed refcount (qemu-img's "Image end offset"). */
    private long highest = -1;

    public ImageCheck(Qcow2Image img) {
        this.img = img;
        this.cb = img.clusterBits;
        this.cs = img.clusterSize;
    }

    /** Runs one check (and repair) pass; messages go to {@code log} (may be null). */
    public Result run(Repair repair, PrintStream log) throws IOException {
        this.log = log;
        this.repair = repair;
        if (repair != Repair.NONE && img.isReadOnly()) {
            throw new Qcow2Exception("repair needs the image opened with Mode.REPAIR", Qcow2Exception.NO_OFFSET);
        }
        SnapshotTable table = img.snapshots;
        boolean tableNeedsRewrite = !table.problems.isEmpty() || !table.incomplete.isEmpty();
        if (tableNeedsRewrite && repair == Repair.ALL) {
            // Make allocation safe first (no cluster in use may count as free), then rewrite the table.
            PrintStream quiet = this.log;
            this.log = null;
            scan();
            compare(Repair.ALL, true);
            if (rebuildNeeded > 0 || !img.refcounts.badEntries.isEmpty()) {
                scan(false);
                img.refcounts.rebuild(refs);
            }
            this.log = quiet;
            img.refcounts.writeDirty();
            img.file.force();
            for (String p : table.problems) {
                say(p);
            }
            for (int i : table.incomplete) {
                say("Repairing snapshot table entry " + i + " is incomplete");
            }
            corruptionsFixed += table.problems.size() + table.incomplete.size();
            List<Snapshot> fixed = new ArrayList<>();
            for (Snapshot s : table.snapshots()) {
                fixed.add(s.normalized());
            }
            img.writeSnapshotTableForRepair(new SnapshotTable(fixed));
            img.reloadAfterRepair();
            resetCounts();
        } else {
            for (String p : table.problems) {
                say("ERROR " + p.replace("Discarding", "should discard"));
                corruptions++;
            }
            for (int i : table.incomplete) {
                say("ERROR snapshot table entry " + i + " is incomplete");
                corruptions++;
            }
        }
        for (int bad : img.refcounts.badEntries) {
            say((repair == Repair.ALL ? "Repairing" : "ERROR") + " refcount table entry " + bad
                    + ": refcount block is not cluster aligned or lies outside the image");
        }
        reporting = true;
        scan();
        reporting = false;
        if (l2EntriesRepaired) {
            img.l2Cache.clear();
        }
        compare(repair, false);
        if (repair == Repair.ALL && (rebuildNeeded > 0 || !img.refcounts.badEntries.isEmpty())) {
            say("Rebuilding refcount structure");
            corruptionsFixed += rebuildNeeded + img.refcounts.badEntries.size();
            // Everything the new structure must count, except the old structure itself.
            scan(false);
            img.refcounts.rebuild(refs);
            scan();
            highest = refs.length - 1;
        } else {
            corruptions += rebuildNeeded + img.refcounts.badEntries.size();
        }
        checkCopied(repair);
        if (repair != Repair.NONE) {
            img.refcounts.writeDirty();
            img.l2Cache.writeDirty(img.file);
            img.file.force();
            long features = img.header.incompatibleFeatures;
            if (repair == Repair.ALL && corruptions == 0 && checkErrors == 0) {
                features &= ~Qcow2Header.INCOMPAT_CORRUPT;
            }
            if (corruptions == 0 && checkErrors == 0) {
                features &= ~Qcow2Header.INCOMPAT_DIRTY;
            }
            if (features != img.header.incompatibleFeatures) {
                img.setIncompatibleFeatures(features);
            }
        }
        long end = (highest + 1) << cb;
        long total = (img.size() + cs - 1) >>> cb;
        return new Result(corruptions, leaks, checkErrors, corruptionsFixed, leaksFixed, end, total, allocated,
                fragmented, compressed);
    }

    private void resetCounts() {
        rebuildNeeded = 0;
        corruptions = 0;
        leaks = 0;
        checkErrors = 0;
    }

    /** A corruption found while scanning the metadata: counted and said once, in the reporting scan. */
    private void report(String message) {
        if (reporting) {
            say(message);
            corruptions++;
        }
    }

    private void say(String s) {
        if (log != null) {
            log.println(s);
        }
    }

    private void scan() throws IOException {
        scan(true);
    }

    /** Counts every reference to every host cluster (optionally leaving out the refcount structure). */
    private void scan(boolean countRefcountStructure) throws IOException {
        long fileClusters = (img.file.length() + cs - 1) >>> cb;
        if (fileClusters > Integer.MAX_VALUE - 16) {
            throw new Qcow2Exception("image file too large to check", Qcow2Exception.NO_OFFSET);
        }
        refs = new long[(int) fileClusters];
        allocated = 0;
        fragmented = 0;
        compressed = 0;
        lastHost = -1;
        Qcow2Header h = img.header;
        inc(0, cs, "header");
        inc(h.l1TableOffset, (long) h.l1Size * 8, "active L1 table");
        long[] l1 = img.activeL1();
        checkL1(l1, h.l1TableOffset, true);
        SnapshotTable table = img.snapshots;
        for (Snapshot s : table.snapshots()) {
            if ((s.l1TableOffset & (cs - 1)) != 0) {
                report("ERROR snapshot " + s.id() + " (" + s.name() + ") l1_offset=0x" + Long.toHexString(s.l1TableOffset)
                        + ": L1 table is not cluster aligned; snapshot table entry corrupted");
                continue;
            }
            if (s.l1Size < 0 || s.l1Size > Qcow2Image.MAX_L1_ENTRIES) {
                report("ERROR snapshot " + s.id() + " (" + s.name() + ") l1_size=0x" + Integer.toHexString(s.l1Size)
                        + ": L1 table is too large; snapshot table entry corrupted");
                continue;
            }
            inc(s.l1TableOffset, (long) s.l1Size * 8, "snapshot L1 table");
            long[] sl1;
            try {
                sl1 = img.snapshotL1(s);
            } catch (Qcow2Exception e) {
                report("ERROR snapshot " + s.id() + ": " + e.getMessage());
                continue;
            }
            checkL1(sl1, s.l1TableOffset, false);
        }
        inc(h.snapshotsOffset, img.snapshotTableBytes, "snapshot table");
        if (!countRefcountStructure) {
            return;
        }
        inc(h.refcountTableOffset, (long) h.refcountTableClusters * cs, "refcount table");
        long[] rt = img.refcounts.tableEntries();
        for (int k = 0; k < rt.length; k++) {
            long off = rt[k] & 0xFFFFFFFFFFFFFE00L;
            if (off == 0) {
                continue;
            }
            if (((off >>> cb) >= refs.length)) {
                report("ERROR refcount block " + k + " is outside image");
                continue;
            }
            inc(off, cs, "refcount block");
        }
    }

    private void checkL1(long[] l1, long l1Offset, boolean active) throws IOException {
        for (int i = 0; i < l1.length; i++) {
            long e = l1[i];
            long l2 = e & Qcow2Image.L1E_OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            if ((l2 & (cs - 1)) != 0 || (e & Qcow2Image.L1E_RESERVED) != 0) {
                report("ERROR l2_offset=" + Long.toHexString(l2) + ": Table is not cluster aligned; L1 entry corrupted");
                continue;
            }
            if (l2 + cs > img.file.length()) {
                report("ERROR l2_offset=" + Long.toHexString(l2) + ": L2 table is outside the image file; "
                        + "L1 entry corrupted");
                continue;
            }
            inc(l2, cs, "L2 table");
            byte[] raw = new byte[cs];
            img.file.read(l2, raw, 0, cs);
            ByteBuffer b = ByteBuffer.wrap(raw);
            for (int j = 0; j < cs / 8; j++) {
                long le = b.getLong(8 * j);
                checkL2Entry(le, active, l2 + 8L * j);
            }
        }
    }

    private void checkL2Entry(long e, boolean active, long entryOffset) throws IOException {
        if (e == 0) {
            return;
        }
        if ((e & Qcow2Image.COMPRESSED) != 0) {
            if ((e & Qcow2Image.COPIED) != 0) {
                report("ERROR: coffset=0x" + Long.toHexString(e) + ": Compressed cluster has COPIED flag set");
            }
            int shift = 62 - (cb - 8);
            long coffset = e & ((1L << shift) - 1);
            long nb = ((e >>> shift) & ((1L << (cb - 8)) - 1)) + 1;
            inc(coffset & ~511L, nb * 512, "compressed cluster");
            if (active) {
                allocated++;
                compressed++;
            }
            return;
        }
        if ((e & Qcow2Image.L2E_STD_RESERVED) != 0) {
            report("ERROR found l2 entry with reserved bits set: " + Long.toHexString(e));
        }
        long off = e & Qcow2Image.L2E_OFFSET_MASK;
        if (off == 0) {
            return;
        }
        if ((off & (cs - 1)) != 0 && reporting) {
            corruptions++;
            if ((e & Qcow2Image.ZERO) != 0) {
                // A preallocated zero cluster: reads as zeros whatever its offset, so the repair
                // (as qemu-img's) makes it a plain zero cluster and the bad offset is forgotten.
                say((repair == Repair.ALL ? "Repairing" : "ERROR") + " offset=" + Long.toHexString(off)
                        + ": Preallocated cluster is not properly aligned; L2 entry corrupted.");
                if (repair == Repair.ALL) {
                    img.file.write(entryOffset, ByteBuffer.allocate(8).putLong(0, Qcow2Image.ZERO));
                    l2EntriesRepaired = true;
                    corruptions--;
                    corruptionsFixed++;
                    return;
                }
            } else {
                say("ERROR offset=" + Long.toHexString(off) + ": Data cluster is not properly aligned; L2 entry corrupted.");
            }
        }
        inc(off, cs, "data cluster");
        if (active) { // a preallocated zero cluster counts as allocated too, as qemu-img counts it
            allocated++;
            if (lastHost >= 0 && off != lastHost + cs) {
                fragmented++;
            }
            lastHost = off;
        }
    }

    private void inc(long offset, long length, String what) {
        if (length <= 0) {
            return;
        }
        long first = offset >>> cb;
        long last = (offset + length - 1) >>> cb;
        for (long c = first; c <= last; c++) {
            if (c < 0 || c >= refs.length) {
                report("ERROR " + what + " at 0x" + Long.toHexString(c << cb) + " lies beyond the end of the image file");
                continue;
            }
            refs[(int) c]++;
        }
    }

    private void compare(Repair repair, boolean errorsOnlySilently) throws IOException {
        RefcountTable rc = img.refcounts;
        highest = -1;
        for (int i = 0; i < refs.length; i++) {
            long stored;
            try {
                stored = rc.get(i);
            } catch (Qcow2Exception e) {
                if (!errorsOnlySilently) {
                    say("ERROR: could not read refcount of cluster " + i + ": " + e.getMessage());
                    checkErrors++;
                }
                continue;
            }
            long want = refs[i];
            if (stored > 0 || want > 0) {
                highest = i;
            }
            if (stored == want) {
                continue;
            }
            boolean leak = stored > want;
            if (errorsOnlySilently) {
                if (!leak && rc.hasBlockFor(i)) {
                    rc.set(i, want);
                } else if (!leak) {
                    rebuildNeeded++;
                }
                continue;
            }
            boolean fix = leak ? repair != Repair.NONE : repair == Repair.ALL;
            if (fix && !leak && !rc.hasBlockFor(i)) {
                // No refcount block to hold it: only a new refcount structure can.
                say("ERROR cluster " + i + " refcount=" + stored + " reference=" + want);
                rebuildNeeded++;
                continue;
            }
            if (leak) {
                say((fix ? "Repairing" : "Leaked") + " cluster " + i + " refcount=" + stored + " reference=" + want);
            } else {
                say((fix ? "Repairing" : "ERROR") + " cluster " + i + " refcount=" + stored + " reference=" + want);
            }
            if (fix) {
                if (want > rc.maxRefcount()) {
                    say("ERROR cluster " + i + ": refcount overflow");
                    corruptions++;
                    continue;
                }
                rc.set(i, want);
                if (leak) {
                    leaksFixed++;
                } else {
                    corruptionsFixed++;
                }
            } else if (leak) {
                leaks++;
            } else {
                corruptions++;
            }
        }
    }

    private void checkCopied(Repair repair) throws IOException {
        long[] l1 = img.activeL1();
        RefcountTable rc = img.refcounts;
        // As qemu-img: with -r leaks the flags are fixed too when the refcounts are now exact
        // (a crash between raising a refcount and clearing COPIED leaves exactly that).
        boolean fix = repair == Repair.ALL
                || (repair == Repair.LEAKS && checkErrors == 0 && corruptions == 0 && leaks == 0);
        boolean l1Changed = false;
        for (int i = 0; i < l1.length; i++) {
            long e = l1[i];
            long l2 = e & Qcow2Image.L1E_OFFSET_MASK;
            if (l2 == 0 || (l2 & (cs - 1)) != 0 || (e & Qcow2Image.L1E_RESERVED) != 0 || l2 + cs > img.file.length()) {
                continue;
            }
            long r = rc.get(l2 >>> cb);
            if ((r == 1) != ((e & Qcow2Image.COPIED) != 0)) {
                say((fix ? "Repairing" : "ERROR") + " OFLAG_COPIED L2 cluster: l1_index=" + i + " l1_entry="
                        + Long.toHexString(e) + " refcount=" + r);
                if (fix) {
                    l1[i] = r == 1 ? e | Qcow2Image.COPIED : e & ~Qcow2Image.COPIED;
                    l1Changed = true;
                    corruptionsFixed++;
                } else {
                    corruptions++;
                }
            }
            L2Cache.Table t = img.loadL2(l1[i], img.header.l1TableOffset + 8L * i);
            boolean changed = false;
            for (int j = 0; j < t.entries.length; j++) {
                long le = t.entries[j];
                if ((le & Qcow2Image.COMPRESSED) != 0 || (le & Qcow2Image.L2E_STD_RESERVED) != 0) {
                    continue;
                }
                long off = le & Qcow2Image.L2E_OFFSET_MASK;
                if (off == 0 || (off >>> cb) >= refs.length) {
                    continue;
                }
                long dr = rc.get(off >>> cb);
                if ((dr == 1) != ((le & Qcow2Image.COPIED) != 0)) {
                    say((fix ? "Repairing" : "ERROR") + " OFLAG_COPIED data cluster: l2_entry=" + Long.toHexString(le)
                            + " refcount=" + dr);
                    if (fix) {
                        t.entries[j] = dr == 1 ? le | Qcow2Image.COPIED : le & ~Qcow2Image.COPIED;
                        changed = true;
                        corruptionsFixed++;
                    } else {
                        corruptions++;
                    }
                }
            }
            if (changed) {
                img.l2Cache.markDirty(t);
            }
        }
        if (l1Changed) {
            ByteBuffer b = ByteBuffer.allocate(l1.length * 8);
            b.asLongBuffer().put(l1);
            img.file.write(img.header.l1TableOffset, b);
        }
    }
}
