package dev.rewind.qcow2;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The process {@link CrashConsistencyTest} kills: random guest writes, flushes, zeroes and
 * discards, and snapshot create (with VM state) / apply / delete / rename on one image,
 * forever. Prints "ready" once the image is open so the test can time its kill.
 *
 * <p>Arguments: image, seed, and optionally an operation kind ({@link Op}) and a number N:
 * the writer then stops just before its N-th file write inside operations of that kind
 * (counted across them), prints "paused" and waits for the kill. That puts kills at exact
 * steps of the snapshot code, where random timing would rarely land.
 */
public final class CrashWriterMain {

    /** Operation kinds a pause can target. */
    enum Op { WRITE, FLUSH, ZERO, DISCARD, CREATE, DELETE, APPLY, RENAME }

    private static Op current;
    private static Op pauseIn;
    private static long pauseAt;
    private static long writesInTarget;

    private CrashWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        Random r = new Random(Long.parseLong(args[1]));
        if (args.length > 3) {
            pauseIn = Op.valueOf(args[2]);
            pauseAt = Long.parseLong(args[3]);
            HostFile.beforeWrite = pos -> maybePause();
        }
        byte[] data = new byte[300_000];
        r.nextBytes(data);
        // Snapshot names must not collide with those of earlier (killed) runs on the same image.
        String run = Integer.toHexString(r.nextInt());
        try (Qcow2Image img = Qcow2Image.open(p)) {
            System.out.println("ready");
            System.out.flush();
            long size = img.size();
            for (long n = 0;; n++) {
                int op = r.nextInt(100);
                long off = (long) (r.nextDouble() * (size - 1));
                int len = (int) Math.min(size - off, 1 + r.nextInt(r.nextBoolean() ? 200_000 : 5000));
                List<Snapshot> s = img.snapshots();
                if (op < 60) {
                    current = Op.WRITE;
                    img.write(off, data, r.nextInt(data.length - len + 1), len);
                } else if (op < 70) {
                    current = Op.FLUSH;
                    img.flush();
                } else if (op < 74) {
                    current = Op.ZERO;
                    img.writeZeroes(off, len);
                } else if (op < 77) {
                    current = Op.DISCARD;
                    img.discard(off, len);
                } else if (op < 87) {
                    byte[] vm = new byte[r.nextInt(200_000)];
                    r.nextBytes(vm);
                    current = Op.CREATE;
                    img.createSnapshot("s" + run + "-" + n, n, n * 10, vm);
                } else if (op < 93) {
                    if (s.size() > 2) {
                        current = Op.DELETE;
                        img.deleteSnapshot(pick(s, r).id());
                    }
                } else if (op < 97) {
                    if (!s.isEmpty()) {
                        current = Op.APPLY;
                        img.applySnapshot(pick(s, r).id());
                    }
                } else if (!s.isEmpty()) {
                    current = Op.RENAME;
                    img.renameSnapshot(s.get(r.nextInt(s.size())).id(), "r" + run + "-" + n);
                }
                current = null;
            }
        }
    }

    /**
     * Mostly the newest snapshot: it shares the most with the active image, so deleting it
     * changes the most refcounts and COPIED flags at once.
     */
    private static Snapshot pick(List<Snapshot> s, Random r) {
        return s.get(r.nextInt(4) != 0 ? s.size() - 1 : r.nextInt(s.size()));
    }

    private static void maybePause() {
        if (current == pauseIn && ++writesInTarget == pauseAt) {
            System.out.println("paused");
            System.out.flush();
            for (;;) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    // keep waiting for the kill
                }
            }
        }
    }
}
