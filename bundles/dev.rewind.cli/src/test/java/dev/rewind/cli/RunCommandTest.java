package dev.rewind.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;

public class RunCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, String... args) {
        Console console = new Console(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        return new Main(CommandCatalog.standard()).run(all, console);
    }

    static String guest(String name) throws CliException {
        return BenchCommand.defaultGuest(name).toString();
    }

    @Test
    public void guestOutputGoesToStdoutAndExitCodeComesFromTheFinisher() throws Exception {
        assertEquals(0, run("", guest("rv64i"), "--stats"));
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o, o.contains("ALL") && o.contains("CHECKS PASSED"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e, e.contains("instructions:") && e.contains("MIPS"));
    }

    @Test
    public void htifFailureCodeBecomesTheExitCode() throws Exception {
        assertEquals(3, run("", guest("htif_fail")));
    }

    @Test
    public void stdinReachesTheUart() throws Exception {
        assertEquals(0, run("hi\nq", guest("echo")));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("[line 1: 2 chars]"));
    }

    @Test
    public void instructionLimitStopsWithItsOwnCode() throws Exception {
        assertEquals(RunCommand.EXIT_LIMIT, run("", guest("compute-1g"), "--max-insns", "100k"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e, e.contains("stopped after 100000 instructions"));
    }

    @Test
    public void traceListsEveryInstruction() throws Exception {
        assertEquals(RunCommand.EXIT_LIMIT, run("", guest("rv64i"), "--trace", "--max-insns", "8"));
        String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
        assertTrue(lines[0], lines[0].startsWith("0 0x0000000000001000 00000297 auipc"));
        assertTrue(lines[6], lines[6].startsWith("6 0x0000000080000000"));
    }

    @Test
    public void badInputIsOneLineAndExitCode2() throws Exception {
        Path notElf = Files.createTempFile("rewind", ".elf");
        try {
            Files.writeString(notElf, "hello");
            assertEquals(2, run("", notElf.toString()));
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(e, 1, e.strip().split("\n").length);
            assertTrue(e, e.contains("not an ELF"));
            assertFalse(e.contains("Exception"));
        } finally {
            Files.deleteIfExists(notElf);
        }
        err.reset();
        assertEquals(2, run("", "/nonexistent.elf"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("does not exist"));
        err.reset();
        assertEquals(2, run("", guest("rv64i"), "--icount-shift", "11"));
        err.reset();
        assertEquals(2, run("", guest("rv64i"), "--ram", "12345"));
        assertTrue(err.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).contains("RAM size"));
    }

    /**
     * The blk guest checks its disk (known sectors, writes read back, concurrent requests) and
     * writes to it. Given as qcow2, the disk must behave exactly as the raw disk it was converted
     * from: the guest passes, qemu-img finds the image clean, and its contents afterwards equal
     * the raw disk's after the same run.
     */
    @Test
    public void aQcow2DiskIsUsedThroughItsFormatAndEndsLikeTheRawOne() throws Exception {
        Path dir = Files.createTempDirectory("rewind-run-disk");
        Path raw = dir.resolve("disk.img");
        byte[] disk = new byte[1 << 20];
        for (int s = 0; s < 8; s++) {
            byte[] text = ("REWIND DISK SECTOR " + s + "\n").getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, disk, s * 512, text.length);
        }
        Files.write(raw, disk);
        Path qcow2 = dir.resolve("disk.qcow2");
        qemuImg("convert", "-O", "qcow2", raw.toString(), qcow2.toString());

        assertEquals(err.toString(), 0, run("", guest("blk"), "--disk", raw.toString()));
        String rawOutput = out.toString();
        out.reset();
        assertEquals(err.toString(), 0, run("", guest("blk"), "--disk", qcow2.toString()));
        assertEquals(rawOutput, out.toString());

        qemuImg("check", qcow2.toString());
        Path back = dir.resolve("back.img");
        qemuImg("convert", "-O", "raw", qcow2.toString(), back.toString());
        assertTrue("the guest's writes differ between the raw and the qcow2 disk",
                java.util.Arrays.equals(Files.readAllBytes(raw), Files.readAllBytes(back)));
    }

    private static void qemuImg(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("qemu-img"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("qemu-img " + String.join(" ", args) + ": " + text, 0, p.waitFor());
    }
}
