package dev.rewind.emulator;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flattened device tree (Devicetree Specification v0.4, ch. 5) describing this machine the
 * way QEMU virt does: the two flash banks, memory, one cpu with its interrupt controller, and under /soc the UART,
 * test finisher, goldfish RTC, eight virtio-mmio slots, PLIC and CLINT; /chosen points stdout at the UART.
 */
final class DeviceTree {

    private static final int BEGIN_NODE = 1, END_NODE = 2, PROP = 3, END = 9;
    private static final int CPU_INTC_PHANDLE = 1, PLIC_PHANDLE = 2;

    /** One node: properties in insertion order (fixed order keeps the blob deterministic). */
    private static final class Node {
        final String name;
        final Map<String, byte[]> props = new LinkedHashMap<>();
        final List<Node> children = new ArrayList<>();

        Node(String name) {
            this.name = name;
        }

        Node child(String childName) {
            Node n = new Node(childName);
            children.add(n);
            return n;
        }

        Node str(String key, String... values) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String v : values) {
                out.writeBytes(v.getBytes(StandardCharsets.US_ASCII));
                out.write(0);
            }
            props.put(key, out.toByteArray());
            return this;
        }

        Node cells(String key, long... values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4);
            for (long v : values) {
                b.putInt((int) v);
            }
            props.put(key, b.array());
            return this;
        }

        Node empty(String key) {
            props.put(key, new byte[0]);
            return this;
        }
    }

    static byte[] build(long ramBase, long ramSize) {
        Node root = new Node("");
        root.cells("#address-cells", 2).cells("#size-cells", 2)
                .str("compatible", "riscv-virtio").str("model", "riscv-virtio,qemu");
        long flash = CfiFlash.BASE, bank = FlashImage.BANK_SIZE;
        root.child("flash@20000000").cells("bank-width", 4)
                .cells("reg", 0, flash, 0, bank, 0, flash + bank, 0, bank).str("compatible", "cfi-flash");
        root.child("chosen").str("stdout-path", "/soc/serial@10000000");
        root.child("memory@80000000").str("device_type", "memory")
                .cells("reg", ramBase >>> 32, ramBase & 0xffffffffL, ramSize >>> 32, ramSize & 0xffffffffL);
        Node cpus = root.child("cpus").cells("#address-cells", 1).cells("#size-cells", 0)
                .cells("timebase-frequency", Clint.FREQUENCY);
        Node cpu = cpus.child("cpu@0").str("device_type", "cpu").cells("reg", 0).str("status", "okay")
                .str("compatible", "riscv").str("riscv,isa", "rv64imac").str("mmu-type", "riscv,sv39");
        cpu.child("interrupt-controller").cells("#interrupt-cells", 1).empty("interrupt-controller")
                .str("compatible", "riscv,cpu-intc").cells("phandle", CPU_INTC_PHANDLE);
        Node soc = root.child("soc").cells("#address-cells", 2).cells("#size-cells", 2)
                .str("compatible", "simple-bus").empty("ranges");
        soc.child("serial@10000000").cells("interrupts", Uart16550.IRQ).cells("interrupt-parent", PLIC_PHANDLE)
                .cells("clock-frequency", 0x384000).cells("reg", 0, Uart16550.BASE, 0, Uart16550.SIZE)
                .str("compatible", "ns16550a");
        soc.child("rtc@101000").cells("interrupts", GoldfishRtc.IRQ).cells("interrupt-parent", PLIC_PHANDLE)
                .cells("reg", 0, GoldfishRtc.BASE, 0, GoldfishRtc.SIZE).str("compatible", "google,goldfish-rtc");
        soc.child("test@100000").str("compatible", "sifive,test1", "sifive,test0", "syscon")
                .cells("reg", 0, SifiveTest.BASE, 0, SifiveTest.SIZE);
        for (int i = VirtioMmio.SLOTS - 1; i >= 0; i--) {
            long base = VirtioMmio.BASE + i * VirtioMmio.SIZE;
            soc.child(String.format("virtio_mmio@%x", base)).cells("interrupts", VirtioMmio.FIRST_IRQ + i)
                    .cells("interrupt-parent", PLIC_PHANDLE).cells("reg", 0, base, 0, VirtioMmio.SIZE)
                    .str("compatible", "virtio,mmio");
        }
        soc.child("plic@c000000").cells("phandle", PLIC_PHANDLE).cells("riscv,ndev", Plic.SOURCES - 1)
                .cells("reg", 0, Plic.BASE, 0, Plic.SIZE)
                .cells("interrupts-extended", CPU_INTC_PHANDLE, 11, CPU_INTC_PHANDLE, 9).empty("interrupt-controller")
                .str("compatible", "sifive,plic-1.0.0", "riscv,plic0").cells("#interrupt-cells", 1)
                .cells("#address-cells", 0);
        soc.child("clint@2000000").cells("interrupts-extended", CPU_INTC_PHANDLE, 3, CPU_INTC_PHANDLE, 7)
                .cells("reg", 0, Clint.BASE, 0, Clint.SIZE).str("compatible", "sifive,clint0", "riscv,clint0");
        return flatten(root);
    }

    private static byte[] flatten(Node root) {
        ByteArrayOutputStream struct = new ByteArrayOutputStream();
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        Map<String, Integer> stringOffsets = new LinkedHashMap<>();
        emit(root, struct, strings, stringOffsets);
        putInt(struct, END);
        byte[] s = struct.toByteArray();
        byte[] t = strings.toByteArray();
        int header = 40, rsvmap = 16;
        int offStruct = header + rsvmap;
        int offStrings = offStruct + s.length;
        int total = offStrings + t.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(0xd00dfeed).putInt(total).putInt(offStruct).putInt(offStrings).putInt(header)
                .putInt(17).putInt(16).putInt(0).putInt(t.length).putInt(s.length);
        b.putLong(0).putLong(0);
        b.put(s).put(t);
        return b.array();
    }

    private static void emit(Node n, ByteArrayOutputStream out, ByteArrayOutputStream strings, Map<String, Integer> offsets) {
        putInt(out, BEGIN_NODE);
        out.writeBytes(n.name.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        pad(out);
        for (Map.Entry<String, byte[]> p : n.props.entrySet()) {
            Integer off = offsets.get(p.getKey());
            if (off == null) {
                off = strings.size();
                offsets.put(p.getKey(), off);
                strings.writeBytes(p.getKey().getBytes(StandardCharsets.US_ASCII));
                strings.write(0);
            }
            putInt(out, PROP);
            putInt(out, p.getValue().length);
            putInt(out, off);
            out.writeBytes(p.getValue());
            pad(out);
        }
        for (Node c : n.children) {
            emit(c, out, strings, offsets);
        }
        putInt(out, END_NODE);
    }

    private static void putInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }

    /** Where QEMU 7.2 puts the FDT: 2 MiB aligned below the end of RAM (or below 3 GiB). */
    static long loadAddress(long ramBase, long ramSize, int fdtSize) {
        long end = Math.min(ramBase + ramSize, 3L << 30);
        return (end - fdtSize) & ~((2L << 20) - 1);
    }
}
