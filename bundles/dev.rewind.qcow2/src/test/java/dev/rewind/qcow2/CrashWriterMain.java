package dev.rewind.qcow2;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The process {@link CrashConsistencyTest} kills: random guest writes, flushes, zeroes and
 * discards, and snapshot create (with VM state) / apply / delete on one image, forever.
 * Prints "ready" once the image is open so the test can time its kill.
 */
public final class CrashWriterMain {

    private CrashWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        Random r = new Random(Long.parseLong(args[1]));
        byte[] data = new byte[300_000];
        r.nextBytes(data);
        try (Qcow2Image img = Qcow2Image.open(p)) {
            System.out.println("ready");
            System.out.flush();
            long size = img.size();
            for (long n = 0;; n++) {
                int op = r.nextInt(100);
                long off = (long) (r.nextDouble() * (size - 1));
                int len = (int) Math.min(size - off, 1 + r.nextInt(r.nextBoolean() ? 200_000 : 5000));
                if (op < 70) {
                    img.write(off, data, r.nextInt(data.length - len + 1), len);
                } else if (op < 80) {
                    img.flush();
                } else if (op < 84) {
                    img.writeZeroes(off, len);
                } else if (op < 87) {
                    img.discard(off, len);
                } else if (op < 93) {
                    byte[] vm = new byte[r.nextInt(200_000)];
                    r.nextBytes(vm);
                    img.createSnapshot("s" + n + "-" + r.nextInt(1000), n, n * 10, vm);
                } else if (op < 97) {
                    List<Snapshot> s = img.snapshots();
                    if (s.size() > 2) {
                        img.deleteSnapshot(s.get(r.nextInt(s.size())).id());
                    }
                } else {
                    List<Snapshot> s = img.snapshots();
                    if (!s.isEmpty()) {
                        img.applySnapshot(s.get(r.nextInt(s.size())).id());
                    }
                }
            }
        }
    }
}
