package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The launcher passes jit-commands.txt to HotSpot (-XX:CompileCommandFile). HotSpot applies a
 * pattern that matches nothing silently, so a renamed class would quietly lose its command:
 * every emulator class and method a command names must exist (translated blocks: the class
 * names the translator defines them under), hot blocks (the ones C2 is for) must stay out of the
 * block pattern, and a JVM must accept the file without printing to stdout, the guest's console.
 */
public class JitCommandsNameTheEmulatorsCodeTest {

    private static final String PREFIX = "dev/rewind/emulator/";

    private static Path commands() {
        return Guests.repoRoot().resolve("bundles/dev.rewind.emulator/jit-commands.txt");
    }

    /** The method patterns ("dev/rewind/emulator/Class.method") of the file's commands. */
    private static List<String> emulatorPatterns() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(commands())) {
            String[] f = line.trim().split(",");
            if (f.length >= 2 && f[1].startsWith(PREFIX)) {
                out.add(f[1].substring(PREFIX.length()));
            }
        }
        return out;
    }

    @Test
    public void everyEmulatorClassAndMethodNamedExists() throws Exception {
        List<String> patterns = emulatorPatterns();
        assertTrue("no emulator patterns in " + commands(), patterns.size() >= 5);
        List<String> blockClasses = blockClassNames(false);
        List<String> hotClasses = blockClassNames(true);
        assertFalse("no hot block defined", hotClasses.isEmpty());
        for (String p : patterns) {
            String cls = p.substring(0, p.indexOf('.'));
            String method = p.substring(p.indexOf('.') + 1);
            if (cls.endsWith("*")) {
                String prefix = "dev.rewind.emulator." + cls.substring(0, cls.length() - 1);
                assertTrue(p + ": no translated block's class starts with " + prefix + " (e.g. " + blockClasses.get(0) + ")",
                        blockClasses.stream().anyMatch(n -> n.startsWith(prefix)));
                assertTrue(p + ": Block has no method " + method, hasMethod(Block.class, method));
                assertTrue(p + ": also matches hot blocks (" + hotClasses.get(0) + ")", hotClasses.stream().noneMatch(n -> n.startsWith(prefix)));
            } else {
                Class<?> c = Class.forName("dev.rewind.emulator." + cls);
                assertTrue(p + ": " + c + " has no method " + method, method.equals("*") || hasMethod(c, method));
            }
        }
    }

    @Test
    public void aJvmAcceptsTheFileAndPrintsNothingOnStdout() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:CompileCommandFile=" + commands(), "-version")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue("java -version did not end", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("exit status of java with the commands file", 0, p.exitValue());
        assertEquals("stdout (the guest's console)", "", new String(out, StandardCharsets.UTF_8));
    }

    private static boolean hasMethod(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Class names of blocks the translator defines for a short guest's code: ordinary blocks
     * (as runs define them), or hot ones (translated again, as for code a run spends its time in).
     */
    private static List<String> blockClassNames(boolean hot) throws Exception {
        VirtMachine m = Guests.machine(ElfImage.read(Guests.elf("rv64i")), new ByteArrayOutputStream());
        m.translateAfter(1);
        m.run(100_000);
        assertFalse("the guest entered no block", m.blocksEntered() == 0);
        Hart h = hartOf(m);
        DecodedPage page = h.mmu.fetchPage(h.pc);
        List<String> names = new ArrayList<>();
        for (int slot = 0; slot < DecodedPage.SLOTS; slot++) {
            if (page.blocks != null && page.blocks[slot] != null && page.blocks[slot] != Block.NONE) {
                Block b = hot ? BlockTranslator.translate(h, page, slot, (h.pc & ~0xfffL) + 2L * slot, false, true) : page.blocks[slot];
                if (b != Block.NONE) {
                    names.add(b.getClass().getName());
                }
            }
        }
        return names;
    }

    private static Hart hartOf(VirtMachine m) throws Exception {
        Field f = VirtMachine.class.getDeclaredField("hart");
        f.setAccessible(true);
        return (Hart) f.get(m);
    }
}
