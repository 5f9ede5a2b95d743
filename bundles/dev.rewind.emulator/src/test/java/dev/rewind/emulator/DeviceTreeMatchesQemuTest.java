package dev.rewind.emulator;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.Test;

import dev.rewind.emulator.reference.QemuReference;

/**
 * The device tree a booted machine gets has QEMU 7.2 virt's structure: the same nodes, and in
 * each the same {@code compatible}, {@code reg}, {@code interrupts}, {@code interrupt-parent}
 * and {@code interrupts-extended}, compared with {@code qemu-system-riscv64 -M virt -machine
 * dumpdtb} on a hart configured like ours (RV64GC without H). The intended differences are listed below
 * and checked to be exactly these.
 */
public class DeviceTreeMatchesQemuTest {

    /** QEMU nodes this machine leaves out: devices it does not have. */
    static final Set<String> ONLY_IN_QEMU = Set.of(
            "/pmu",                   // no performance-monitoring counters beyond cycle/instret
            "/fw-cfg@10100000",       // no fw_cfg device
            "/platform-bus@4000000",  // no dynamic sysbus devices
            "/soc/pci@30000000");     // no PCIe host bridge
    /** The flash node exists where the machine has the CFI flash device. */
    static final String FLASH = "/flash@20000000";
    /** Properties compared in every node common to both trees. */
    static final List<String> COMPARED = List.of("compatible", "reg", "interrupts", "interrupt-parent",
            "interrupts-extended", "phandle", "#address-cells", "#size-cells", "#interrupt-cells", "regmap", "value",
            "offset", "riscv,ndev", "clock-frequency", "timebase-frequency", "device_type", "cpu");
    /**
     * Properties that differ on purpose: /chosen/rng-seed (QEMU puts host randomness there; a
     * recorded machine must be a pure function of its configuration), riscv,isa (QEMU's cpu also
     * lists zihintpause, zba, zbb, zbc, zbs and sstc, which this hart does not implement) and
     * mmu-type (QEMU's hart has Sv48, this one Sv39).
     */
    static final Set<String> DIFFERENT_ON_PURPOSE = Set.of("/chosen/rng-seed", "/cpus/cpu@0/riscv,isa", "/cpus/cpu@0/mmu-type");

    private static Map<String, FdtNode> byPath(FdtNode root) {
        Map<String, FdtNode> out = new TreeMap<>();
        walk(root, "", out);
        return out;
    }

    private static void walk(FdtNode n, String parent, Map<String, FdtNode> out) {
        String path = n.name.isEmpty() ? "/" : (parent.equals("/") ? "" : parent) + "/" + n.name;
        out.put(path, n);
        for (FdtNode c : n.children()) {
            walk(c, path, out);
        }
    }

    @Test
    public void theBootedTreeHasQemuVirtsNodesAndPropertiesExceptTheListedDifferences() throws Exception {
        assumeTrue("qemu-system-riscv64 not installed", QemuReference.qemuAvailable());
        Map<String, FdtNode> qemu = byPath(FdtNode.parse(new QemuReference().deviceTree(QemuReference.RV64GC_CPU)));
        VirtMachine m = Guests.machine(Guests.assemble("j pass\n"), new ByteArrayOutputStream());
        Map<String, FdtNode> ours = byPath(FdtNode.parse(m.deviceTree()));
        boolean flash = ours.containsKey(FLASH);

        List<String> problems = new ArrayList<>();
        for (String path : qemu.keySet()) {
            boolean expectedMissing = ONLY_IN_QEMU.contains(path) || (path.startsWith(FLASH) && !flash);
            if (!ours.containsKey(path) && !expectedMissing) {
                problems.add("missing node " + path);
            } else if (ours.containsKey(path) && expectedMissing) {
                problems.add("node " + path + " is listed as missing but exists: update the list");
            }
        }
        for (String path : ours.keySet()) {
            if (!qemu.containsKey(path)) {
                problems.add("node " + path + " is not in QEMU's tree");
            }
        }
        for (Map.Entry<String, FdtNode> e : ours.entrySet()) {
            FdtNode q = qemu.get(e.getKey());
            if (q == null) {
                continue;
            }
            for (String prop : q.props().keySet()) {
                String where = e.getKey() + "/" + prop;
                byte[] ourValue = e.getValue().prop(prop);
                if (DIFFERENT_ON_PURPOSE.contains(where)) {
                    continue;
                }
                if (ourValue == null) {
                    problems.add("missing property " + where);
                } else if (COMPARED.contains(prop) && !java.util.Arrays.equals(q.prop(prop), ourValue)) {
                    problems.add("property " + where + " differs");
                }
            }
        }
        assertTrue(String.join("\n", problems), problems.isEmpty());

        FdtNode cpu = ours.get("/cpus/cpu@0");
        assertEquals(List.of("rv64imafdc_zicsr_zifencei"), cpu.strings("riscv,isa"));
        assertTrue("QEMU's string starts with ours", qemu.get("/cpus/cpu@0").strings("riscv,isa").get(0).startsWith("rv64imafdc_zicsr_zifencei"));
        assertEquals(List.of("riscv,sv39"), cpu.strings("mmu-type"));
        assertEquals(null, ours.get("/chosen").prop("rng-seed"));
    }

    @Test
    public void everyHartGetsACpuNodeAndPlicAndClintContextsWithQemusPhandles() throws Exception {
        FdtNode root = DeviceTree.build(new DeviceTree.Machine(VirtMachine.RAM_BASE, 128L << 20, 2, CsrFile.MISA, false, false, false));
        Map<String, FdtNode> t = byPath(root);
        // QEMU numbers from the last hart: cpu@1 = 1, its intc = 2, cpu@0 = 3, its intc = 4; PLIC 5; test 6.
        assertArrayEquals(new long[] {3}, t.get("/cpus/cpu@0").cellValues("phandle"));
        assertArrayEquals(new long[] {4}, t.get("/cpus/cpu@0/interrupt-controller").cellValues("phandle"));
        assertArrayEquals(new long[] {1}, t.get("/cpus/cpu@1").cellValues("phandle"));
        assertArrayEquals(new long[] {4, 11, 4, 9, 2, 11, 2, 9}, t.get("/soc/plic@c000000").cellValues("interrupts-extended"));
        assertArrayEquals(new long[] {4, 3, 4, 7, 2, 3, 2, 7}, t.get("/soc/clint@2000000").cellValues("interrupts-extended"));
        assertArrayEquals(new long[] {5}, t.get("/soc/serial@10000000").cellValues("interrupt-parent"));
        assertArrayEquals(new long[] {6}, t.get("/poweroff").cellValues("regmap"));
        assertArrayEquals(new long[] {1}, t.get("/cpus/cpu-map/cluster0/core1").cellValues("cpu"));
    }

    @Test
    public void theIsaStringIsDerivedFromMisa() {
        assertEquals("rv64imafdc_zicsr_zifencei", DeviceTree.isaString(CsrFile.MISA));
        long withoutFd = CsrFile.MISA & ~(1L << ('F' - 'A')) & ~(1L << ('D' - 'A'));
        assertEquals("rv64imac_zicsr_zifencei", DeviceTree.isaString(withoutFd));
    }
}
