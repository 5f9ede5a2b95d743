package dev.rewind.emulator;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node of a flattened device tree (Devicetree Specification v0.4, ch. 5) with its
 * properties in insertion order and its children: built for the machine's own tree, or parsed
 * from a user's {@code --dtb} blob, edited (/chosen), and flattened again. Insertion order keeps
 * the blob a pure function of what was put in.
 */
final class FdtNode {

    static final int MAGIC = 0xd00dfeed;
    private static final int BEGIN_NODE = 1, END_NODE = 2, PROP = 3, NOP = 4, END = 9;
    private static final int HEADER = 40, VERSION = 17, LAST_COMPATIBLE = 16;

    final String name;
    private final Map<String, byte[]> props = new LinkedHashMap<>();
    private final List<FdtNode> children = new ArrayList<>();

    FdtNode(String name) {
        this.name = name;
    }

    FdtNode child(String childName) {
        FdtNode n = new FdtNode(childName);
        children.add(n);
        return n;
    }

    List<FdtNode> children() {
        return children;
    }

    /** The child of that exact name, if any. */
    Optional<FdtNode> find(String childName) {
        return children.stream().filter(c -> c.name.equals(childName)).findFirst();
    }

    /** The child of that name, created at the end if missing. */
    FdtNode findOrAdd(String childName) {
        return find(childName).orElseGet(() -> child(childName));
    }

    Map<String, byte[]> props() {
        return props;
    }

    byte[] prop(String key) {
        return props.get(key);
    }

    FdtNode bytes(String key, byte[] value) {
        props.put(key, value.clone());
        return this;
    }

    FdtNode str(String key, String... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String v : values) {
            out.writeBytes(v.getBytes(StandardCharsets.US_ASCII));
            out.write(0);
        }
        props.put(key, out.toByteArray());
        return this;
    }

    FdtNode cells(String key, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4);
        for (long v : values) {
            b.putInt((int) v);
        }
        props.put(key, b.array());
        return this;
    }

    FdtNode empty(String key) {
        props.put(key, new byte[0]);
        return this;
    }

    /** A string list property as its strings (NUL-separated), or an empty list. */
    List<String> strings(String key) {
        byte[] v = props.get(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        int start = 0;
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 0) {
                out.add(new String(v, start, i - start, StandardCharsets.US_ASCII));
                start = i + 1;
            }
        }
        return out;
    }

    /** A property as big-endian 32-bit cells, or an empty array. */
    long[] cellValues(String key) {
        byte[] v = props.get(key);
        if (v == null) {
            return new long[0];
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        long[] out = new long[v.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getInt() & 0xffffffffL;
        }
        return out;
    }

    // ------------------------------------------------------------------ flattening

    /** The blob: header, an empty memory reservation map, structure block, strings block. */
    byte[] flatten() {
        ByteArrayOutputStream struct = new ByteArrayOutputStream();
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        emit(struct, strings, new LinkedHashMap<>());
        putInt(struct, END);
        byte[] s = struct.toByteArray();
        byte[] t = strings.toByteArray();
        int rsvmap = 16;
        int offStruct = HEADER + rsvmap;
        int offStrings = offStruct + s.length;
        int total = offStrings + t.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(MAGIC).putInt(total).putInt(offStruct).putInt(offStrings).putInt(HEADER)
                .putInt(VERSION).putInt(LAST_COMPATIBLE).putInt(0).putInt(t.length).putInt(s.length);
        b.putLong(0).putLong(0);
        b.put(s).put(t);
        return b.array();
    }

    private void emit(ByteArrayOutputStream out, ByteArrayOutputStream strings, Map<String, Integer> offsets) {
        putInt(out, BEGIN_NODE);
        out.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        pad(out);
        for (Map.Entry<String, byte[]> p : props.entrySet()) {
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
        for (FdtNode c : children) {
            c.emit(out, strings, offsets);
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

    // ------------------------------------------------------------------ parsing

    /** A blob that is not a well-formed flattened device tree. */
    static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    /** The root node of a blob, checked as libfdt's fdt_check_header and a full structure walk would. */
    static FdtNode parse(byte[] blob) throws FormatException {
        if (blob.length < HEADER) {
            throw new FormatException("too short for a device tree header (" + blob.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(blob);
        if (b.getInt(0) != MAGIC) {
            throw new FormatException(String.format("bad magic 0x%08x (a device tree blob starts with 0xd00dfeed)", b.getInt(0)));
        }
        long total = b.getInt(4) & 0xffffffffL;
        long offStruct = b.getInt(8) & 0xffffffffL;
        long offStrings = b.getInt(12) & 0xffffffffL;
        int version = b.getInt(20);
        int lastCompatible = b.getInt(24);
        long sizeStrings = b.getInt(32) & 0xffffffffL;
        long sizeStruct = b.getInt(36) & 0xffffffffL;
        if (version < LAST_COMPATIBLE || lastCompatible > VERSION) {
            throw new FormatException("device tree version " + version + " (last compatible " + lastCompatible
                    + ") is not readable as version 17");
        }
        if (total > blob.length) {
            throw new FormatException("truncated: the header says " + total + " bytes, the file has " + blob.length);
        }
        if (offStruct + sizeStruct > total || offStrings + sizeStrings > total || offStruct % 4 != 0) {
            throw new FormatException("structure or strings block lies outside the blob");
        }
        Cursor c = new Cursor(b, (int) offStruct, (int) (offStruct + sizeStruct), (int) offStrings, (int) sizeStrings);
        int token = c.token();
        if (token != BEGIN_NODE) {
            throw new FormatException("the structure block does not start with the root node");
        }
        FdtNode root = c.node();
        if (c.token() != END) {
            throw new FormatException("data after the root node");
        }
        return root;
    }

    private static final class Cursor {
        private final ByteBuffer b;
        private int pos;
        private final int end, strings, stringsSize;

        Cursor(ByteBuffer b, int pos, int end, int strings, int stringsSize) {
            this.b = b;
            this.pos = pos;
            this.end = end;
            this.strings = strings;
            this.stringsSize = stringsSize;
        }

        int token() throws FormatException {
            while (true) {
                if (pos + 4 > end) {
                    throw new FormatException("structure block ends inside a node");
                }
                int t = b.getInt(pos);
                pos += 4;
                if (t != NOP) {
                    return t;
                }
            }
        }

        /** Reads a node whose BEGIN_NODE token was just consumed. */
        FdtNode node() throws FormatException {
            FdtNode n = new FdtNode(cString(pos, end));
            pos = align(pos + n.name.length() + 1);
            while (true) {
                int t = token();
                switch (t) {
                    case PROP -> {
                        if (pos + 8 > end) {
                            throw new FormatException("property header outside the structure block");
                        }
                        int len = b.getInt(pos);
                        int nameOff = b.getInt(pos + 4);
                        pos += 8;
                        if (len < 0 || pos + len > end) {
                            throw new FormatException("property of node '" + n.name + "' runs past the structure block");
                        }
                        if (nameOff < 0 || nameOff >= stringsSize) {
                            throw new FormatException("property name offset " + nameOff + " outside the strings block");
                        }
                        byte[] value = new byte[len];
                        b.get(pos, value);
                        n.props.put(cString(strings + nameOff, strings + stringsSize), value);
                        pos = align(pos + len);
                    }
                    case BEGIN_NODE -> n.children.add(node());
                    case END_NODE -> {
                        return n;
                    }
                    default -> throw new FormatException("unknown structure token " + t + " in node '" + n.name + "'");
                }
            }
        }

        private String cString(int from, int limit) throws FormatException {
            for (int i = from; i < limit; i++) {
                if (b.get(i) == 0) {
                    byte[] s = new byte[i - from];
                    b.get(from, s);
                    return new String(s, StandardCharsets.US_ASCII);
                }
            }
            throw new FormatException("unterminated name");
        }

        private static int align(int p) {
            return (p + 3) & ~3;
        }
    }
}
