package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * Every entry of the encoding table, with random operand bits, disassembles exactly as GNU
 * objdump prints it: one blob of instructions through the real {@code riscv64-unknown-elf-objdump},
 * compared line by line (mnemonic, pseudo-instruction and operands; targets as bare addresses,
 * there are no symbols). Entries added to the table later are covered without change here.
 */
public class DisassemblerMatchesObjdumpTest {

    static final String OBJDUMP = "riscv64-unknown-elf-objdump";
    private static final int PER_ENCODING = 40;

    /** Random bits that the entry matches: its match bits, anything outside its mask. */
    private static int instance(Encoding e, SplittableRandom r) {
        int bits = r.nextInt();
        if (e.compressed()) {
            bits &= 0xffff;
        }
        if (r.nextInt(4) == 0) {
            bits &= 0xfffff07f | 0xf8000; // rd or rs1 zero more often: the aliases test for it
        }
        if (r.nextInt(4) == 0) {
            bits &= ~0xfff00000 | 0x1f00000; // small immediates, csr 0..31
        }
        return (bits & ~e.mask) | e.match;
    }

    @Test
    public void everyEncodingDisassemblesAsObjdumpPrintsIt() throws Exception {
        assumeTrue("needs " + OBJDUMP, onPath(OBJDUMP));
        SplittableRandom r = new SplittableRandom(20);
        ByteBuffer blob = ByteBuffer.allocate(Encoding.values().length * PER_ENCODING * 4 + 64)
                .order(ByteOrder.LITTLE_ENDIAN);
        List<Disassembler.Instruction> ours = new ArrayList<>();
        Disassembler d = new Disassembler(Disassembler.Labels.NONE, null);
        for (Encoding e : Encoding.values()) {
            for (int i = 0; i < PER_ENCODING; i++) {
                int bits = instance(e, r);
                if (e.format == Encoding.Format.CSR && Csr.byNumber((bits >>> 20) & 0xfff).isEmpty()) {
                    // objdump names CSRs this hart lacks: only the table's numbers compare
                    bits = (bits & 0xfffff) | Csr.all().get(r.nextInt(Csr.all().size())).number() << 20;
                }
                Disassembler.Instruction in = d.next(blob.position(), bits);
                if (!in.valid()) {
                    continue; // reserved encodings of an entry: objdump has its own words for them
                }
                ours.add(in);
                if (in.length() == 2) {
                    blob.putShort((short) bits);
                } else {
                    blob.putInt(bits);
                }
            }
        }
        List<String> theirs = objdump(blob);
        assertEquals("instruction count", ours.size(), theirs.size());
        int bad = 0;
        StringBuilder report = new StringBuilder();
        java.util.Set<String> reported = new java.util.TreeSet<>();
        for (int i = 0; i < ours.size(); i++) {
            String mine = ours.get(i).objdumpLine();
            String ref = theirs.get(i);
            if (!mine.equals(ref)) {
                bad++;
                if (reported.add(ours.get(i).mnemonic()) && reported.size() <= 40) { // one example per mnemonic
                    report.append("\n  ours:    ").append(mine).append("\n  objdump: ").append(ref);
                }
            }
        }
        assertEquals("lines differing from objdump:" + report, 0, bad);
    }

    /** The instruction lines of {@code objdump -D -b binary -m riscv:rv64} for these bytes. */
    static List<String> objdump(ByteBuffer blob) throws IOException, InterruptedException {
        Path bin = Files.createTempFile("rewind-dis", ".bin");
        try {
            byte[] bytes = new byte[blob.position()];
            blob.flip();
            blob.get(bytes);
            Files.write(bin, bytes);
            Process p = new ProcessBuilder(OBJDUMP, "-D", "-b", "binary", "-m", "riscv:rv64", bin.toString())
                    .redirectErrorStream(true).start();
            List<String> out = new ArrayList<>();
            for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
                if (line.matches(" *[0-9a-f]+:\t.*")) {
                    out.add(line);
                }
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            return out;
        } finally {
            Files.deleteIfExists(bin);
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
