package dev.rewind.cli.img;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.rewind.cli.Console;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code rewind img} verbs: output and exit codes side by side with qemu-img 7.2 on the same files. */
public class ImgCommandTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    record Run(int exit, String out, String err) { }

    private Run rewind(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console c = new Console(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = new ImgCommand().run(args, c);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run qemu(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Path errFile = tmp.newFile().toPath();
        Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).directory(tmp.getRoot()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, Files.readString(errFile));
    }

    private String f(String name) {
        return tmp.getRoot().toPath().resolve(name).toString();
    }

    @Test
    public void createAndInfoLookLikeQemuImg() throws Exception {
        Run ours = rewind("create", "-f", "qcow2", "-o", "cluster_size=65536,compat=1.1", f("a.qcow2"), "1G");
        Run theirs = qemu("create", "-f", "qcow2", "-o", "cluster_size=65536,compat=1.1", f("b.qcow2"), "1G");
        assertEquals(0, ours.exit());
        assertEquals(theirs.out().replace("b.qcow2", "a.qcow2"), ours.out());
        assertArrayEquals(Files.readAllBytes(Path.of(f("b.qcow2"))), Files.readAllBytes(Path.of(f("a.qcow2"))));
        Run v2 = rewind("create", "-o", "compat=0.10", f("v2.qcow2"), "64M");
        Run v2q = qemu("create", "-f", "qcow2", "-o", "compat=0.10", f("v2q.qcow2"), "64M");
        assertEquals(v2q.out().replace("v2q.qcow2", "v2.qcow2"), v2.out());

        Run info = rewind("info", f("a.qcow2"));
        Run qinfo = qemu("info", f("a.qcow2"));
        assertEquals(0, info.exit());
        for (String line : qinfo.out().lines().toList()) {
            if (!line.startsWith("disk size")) {
                assertTrue("missing line '" + line + "' in\n" + info.out(), info.out().contains(line));
            }
        }
        try {
            rewind("create", f("x.qcow2"), "12Q");
            org.junit.Assert.fail("bad size accepted");
        } catch (dev.rewind.cli.CliException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("invalid size '12Q'"));
        }
    }

    @Test
    public void snapshotListShowsIcountExactlyAsQemuImgDoes() throws Exception {
        String img = f("s.qcow2");
        assertEquals(0, rewind("create", img, "16M").exit());
        Path state = tmp.getRoot().toPath().resolve("state.bin");
        byte[] vm = new byte[123_456];
        new Random(1).nextBytes(vm);
        Files.write(state, vm);
        assertEquals(0, rewind("snapshot", "-c", "first", "--icount", "987654321", "--vm-clock", "61234000000",
                "--vmstate", state.toString(), img).exit());
        assertEquals(0, rewind("snapshot", "-c", "plain", img).exit());
        Run ours = rewind("snapshot", "-l", img);
        Run theirs = qemu("snapshot", "-l", img);
        assertEquals(0, ours.exit());
        assertEquals(theirs.out(), ours.out());
        assertTrue(ours.out(), ours.out().lines().anyMatch(l -> l.contains("first") && l.endsWith(" 987654321")
                && l.contains("121 KiB") && l.contains("00:01:01.234")));
        assertEquals(0, rewind("snapshot", "-a", "first", img).exit());
        assertEquals(0, rewind("snapshot", "-d", "plain", img).exit());
        assertEquals(0, qemu("check", img).exit());
        Run missing = rewind("snapshot", "-d", "nope", img);
        assertEquals(1, missing.exit());
        assertTrue(missing.err(), missing.err().contains("'nope' not found"));
        assertEquals(0, rewind("check", img).exit());
    }

    private static void pokeRefcount(String img, long cluster, int value) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(img, "rw")) {
            byte[] h = new byte[72];
            raf.readFully(h);
            long reftable = ByteBuffer.wrap(h).getLong(48);
            raf.seek(reftable);
            long block = raf.readLong();
            raf.seek(block + 2 * cluster);
            raf.writeShort(value);
        }
    }

    @Test
    public void checkExitCodesAndRepairsMatchQemuImg() throws Exception {
        String img = f("c.qcow2");
        assertEquals(0, rewind("create", img, "8M").exit());
        Run clean = rewind("check", img);
        assertEquals(qemu("check", img).out(), clean.out());
        assertEquals(0, clean.exit());

        pokeRefcount(img, 40, 1); // a leaked cluster (beyond the data, inside the file after extension)
        try (RandomAccessFile raf = new RandomAccessFile(img, "rw")) {
            raf.setLength(41L * 65536);
        }
        Run qLeak = qemu("check", img);
        Run leak = rewind("check", img);
        assertEquals(3, qLeak.exit());
        assertEquals(qLeak.exit(), leak.exit());
        assertEquals(qLeak.out(), leak.out());
        assertTrue(leak.err(), leak.err().contains("Leaked cluster 40 refcount=1 reference=0"));
        Run fix = rewind("check", "-r", "leaks", img);
        assertEquals(0, fix.exit());
        assertTrue(fix.out(), fix.out().contains("1 leaked clusters") && fix.out().contains("Double checking"));
        assertEquals(0, qemu("check", img).exit());

        pokeRefcount(img, 3, 0); // the L1 table now counts zero: a corruption
        Run qBad = qemu("check", img);
        Run bad = rewind("check", img);
        assertEquals(2, qBad.exit());
        assertEquals(2, bad.exit());
        assertTrue(bad.err(), bad.err().contains("ERROR cluster 3 refcount=0 reference=1"));
        assertEquals(0, rewind("check", "-r", "all", img).exit());
        assertEquals(0, qemu("check", img).exit());

        Path raw = tmp.getRoot().toPath().resolve("r.raw");
        Files.write(raw, new byte[4096]);
        assertEquals(63, rewind("check", raw.toString()).exit());
        assertEquals(1, rewind("check", f("missing.qcow2")).exit());
    }

    @Test
    public void convertAndCompareAgreeWithQemuImg() throws Exception {
        Path raw = tmp.getRoot().toPath().resolve("in.raw");
        byte[] data = new byte[5 << 20];
        Random r = new Random(5);
        for (int i = 0; i < data.length; i += 1 << 20) {
            if ((i >> 20) % 2 == 0) {
                byte[] chunk = new byte[700_000];
                r.nextBytes(chunk);
                System.arraycopy(chunk, 0, data, i, chunk.length);
            }
        }
        Files.write(raw, data);
        Run conv = rewind("convert", "-p", "-O", "qcow2", "-o", "cluster_size=4096", raw.toString(), f("o.qcow2"));
        assertEquals(conv.err(), 0, conv.exit());
        assertTrue(conv.err(), conv.err().contains("(100.00/100%)"));
        assertEquals(0, qemu("check", f("o.qcow2")).exit());
        assertEquals(0, qemu("compare", raw.toString(), f("o.qcow2")).exit());
        assertEquals(0, rewind("convert", "-O", "raw", f("o.qcow2"), f("o.raw")).exit());
        assertArrayEquals(data, Files.readAllBytes(Path.of(f("o.raw"))));

        Run same = rewind("compare", raw.toString(), f("o.qcow2"));
        assertEquals(0, same.exit());
        assertEquals("Images are identical.\n", same.out());
        data[3_000_123] ^= 1;
        Files.write(Path.of(f("changed.raw")), data);
        Run ours = rewind("compare", f("o.qcow2"), f("changed.raw"));
        Run theirs = qemu("compare", f("o.qcow2"), f("changed.raw"));
        assertEquals(1, ours.exit());
        assertEquals(theirs.exit(), ours.exit());
        assertEquals(theirs.out(), ours.out());
        assertEquals(2, rewind("compare", f("o.qcow2"), f("nothere")).exit());

        // converting an image onto itself would create the output empty, destroying the input
        byte[] before = Files.readAllBytes(Path.of(f("o.qcow2")));
        try {
            rewind("convert", "-O", "raw", f("o.qcow2"), f("o.qcow2"));
            org.junit.Assert.fail("converted an image onto itself");
        } catch (dev.rewind.cli.CliException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("is the input image"));
        }
        assertArrayEquals(before, Files.readAllBytes(Path.of(f("o.qcow2"))));
    }
}
