package dev.rewind.debug.core.svd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.rewind.debug.core.svd.SvdModel.Device;
import dev.rewind.debug.core.svd.SvdModel.Field;
import dev.rewind.debug.core.svd.SvdModel.Peripheral;
import dev.rewind.debug.core.svd.SvdModel.Register;

/**
 * Reads and validates a CMSIS-SVD file (CMSIS-SVD 1.3 schema): device, peripherals (with
 * {@code derivedFrom}), clusters, registers (with {@code dim} arrays and the inherited size and
 * access), fields (bitOffset/bitWidth, lsb/msb or bitRange) and enumerated values. Every problem
 * is an {@link SvdException} naming the file and line; a file with any is refused as a whole.
 */
public final class SvdReader {

    /** At most this many registers from one {@code dim} (a corrupt dim must not exhaust memory). */
    static final int MAX_DIM = 4096;
    private static final Pattern NUMBER = Pattern.compile("\\+?(0[xX][0-9a-fA-F]+|#[01xX]+|[0-9]+)([kKmMgGtT]?)");
    private static final Pattern BIT_RANGE = Pattern.compile("\\[\\s*(\\d+)\\s*:\\s*(\\d+)\\s*\\]");

    private final String source;

    private SvdReader(String source) {
        this.source = source;
    }

    /** The project's own description of the emulated {@code virt} machine's devices. */
    public static Device virt() {
        try (InputStream in = SvdReader.class.getResourceAsStream("rewind-virt.svd")) {
            return read(in, "rewind-virt.svd");
        } catch (IOException | SvdException e) {
            throw new IllegalStateException("the bundled virt SVD is broken: " + e.getMessage(), e);
        }
    }

    /** Reads {@code file}; throws the first problem found. */
    public static Device read(Path file) throws IOException, SvdException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    public static Device read(InputStream in, String source) throws IOException, SvdException {
        return new SvdReader(source).device(SvdElement.parse(in, source));
    }

    private SvdException problem(SvdElement e, String message) {
        return new SvdException(source, e.line, message);
    }

    private String required(SvdElement e, String child) throws SvdException {
        String v = e.childText(child);
        if (v == null || v.isEmpty()) {
            throw problem(e, "<" + e.name + "> lacks <" + child + ">");
        }
        return v;
    }

    private long number(SvdElement e, String child, Long fallback) throws SvdException {
        SvdElement c = e.child(child);
        if (c == null) {
            if (fallback == null) {
                throw problem(e, "<" + e.name + "> lacks <" + child + ">");
            }
            return fallback;
        }
        return number(c);
    }

    /** An SVD scaledNonNegativeInteger: decimal, 0x hex or #binary, optionally k/M/G/T scaled. */
    long number(SvdElement c) throws SvdException {
        Matcher m = NUMBER.matcher(c.text());
        if (!m.matches()) {
            throw problem(c, "<" + c.name + "> is not a number: \"" + c.text() + "\"");
        }
        String digits = m.group(1);
        long v;
        try {
            if (digits.startsWith("0x") || digits.startsWith("0X")) {
                v = Long.parseUnsignedLong(digits.substring(2), 16);
            } else if (digits.startsWith("#")) {
                v = Long.parseUnsignedLong(digits.substring(1).replace('x', '0').replace('X', '0'), 2);
            } else {
                v = Long.parseUnsignedLong(digits);
            }
        } catch (NumberFormatException ex) {
            throw problem(c, "<" + c.name + "> is out of range: \"" + c.text() + "\"");
        }
        int shift = switch (m.group(2).toLowerCase()) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return v << shift;
    }

    /** Register properties inherited downwards: device, peripheral, cluster, register. */
    private record Defaults(int size, String access) {
        Defaults with(SvdReader r, SvdElement e) throws SvdException {
            int s = e.child("size") == null ? size : (int) r.number(e.child("size"));
            String a = e.childText("access") == null ? access : e.childText("access");
            return new Defaults(s, a);
        }
    }

    private Device device(SvdElement root) throws SvdException {
        if (!root.name.equals("device")) {
            throw problem(root, "the root element is <" + root.name + ">, not <device>: not an SVD file");
        }
        String name = required(root, "name");
        Defaults d = new Defaults(32, "read-write").with(this, root);
        SvdElement list = root.child("peripherals");
        if (list == null) {
            throw problem(root, "<device> lacks <peripherals>");
        }
        Map<String, Peripheral> byName = new LinkedHashMap<>();
        for (SvdElement p : list.children("peripheral")) {
            Peripheral per = peripheral(p, d, byName);
            if (byName.put(per.name(), per) != null) {
                throw problem(p, "a second peripheral called " + per.name());
            }
        }
        return new Device(name, desc(root), source, List.copyOf(byName.values()));
    }

    private static String desc(SvdElement e) {
        String s = e.childText("description");
        return s == null ? "" : s.replaceAll("\\s+", " ");
    }

    private Peripheral peripheral(SvdElement p, Defaults d, Map<String, Peripheral> earlier) throws SvdException {
        String name = required(p, "name");
        String derivedFrom = p.attributes.get("derivedFrom");
        Peripheral base = null;
        if (derivedFrom != null) {
            base = earlier.get(derivedFrom);
            if (base == null) {
                throw problem(p, "peripheral " + name + " is derived from " + derivedFrom + ", which is not defined before it");
            }
        }
        long address = number(p, "baseAddress", null);
        Defaults pd = d.with(this, p);
        List<Register> regs = new ArrayList<>();
        SvdElement list = p.child("registers");
        if (list != null) {
            registers(list, 0, pd, regs);
        } else if (base != null) {
            regs.addAll(base.registers());
        }
        String description = desc(p).isEmpty() && base != null ? base.description() : desc(p);
        String group = p.childText("groupName") != null ? p.childText("groupName")
                : base != null ? base.groupName() : "";
        return new Peripheral(name, description, group, address, List.copyOf(regs));
    }

    private void registers(SvdElement list, long offset, Defaults d, List<Register> out) throws SvdException {
        for (SvdElement e : list.children) {
            if (e.name.equals("register")) {
                register(e, offset, d, out);
            } else if (e.name.equals("cluster")) {
                Defaults cd = d.with(this, e);
                for (Dim dim : dims(e)) {
                    registers(e, offset + number(e, "addressOffset", null) + dim.offset, cd, out);
                }
            }
        }
    }

    private record Dim(String index, long offset) {
    }

    /** The instances of a dim array ({@code name%s} / {@code name[%s]}), or one instance without dim. */
    private List<Dim> dims(SvdElement e) throws SvdException {
        if (e.child("dim") == null) {
            return List.of(new Dim(null, 0));
        }
        long n = number(e.child("dim"));
        long step = number(e, "dimIncrement", null);
        if (n < 1 || n > MAX_DIM) {
            throw problem(e.child("dim"), "<dim> must be between 1 and " + MAX_DIM + ", is " + n);
        }
        String[] names = null;
        String index = e.childText("dimIndex");
        if (index != null) {
            Matcher range = Pattern.compile("(\\d+)-(\\d+)").matcher(index);
            if (range.matches()) {
                int from = Integer.parseInt(range.group(1));
                names = new String[(int) n];
                for (int i = 0; i < n; i++) {
                    names[i] = Integer.toString(from + i);
                }
            } else {
                names = index.split(",");
                if (names.length != n) {
                    throw problem(e.child("dimIndex"), "<dimIndex> names " + names.length + " instances, <dim> says " + n);
                }
            }
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Dim(names == null ? Integer.toString(i) : names[i].strip(), i * step));
        }
        return out;
    }

    private void register(SvdElement e, long offset, Defaults d, List<Register> out) throws SvdException {
        String name = required(e, "name");
        long at = number(e, "addressOffset", null);
        Defaults rd = d.with(this, e);
        if (rd.size() != 8 && rd.size() != 16 && rd.size() != 32 && rd.size() != 64) {
            throw problem(e.child("size") != null ? e.child("size") : e, "register " + name + " is " + rd.size()
                    + " bits wide; a register is 8, 16, 32 or 64 bits");
        }
        List<Field> fields = new ArrayList<>();
        SvdElement list = e.child("fields");
        if (list != null) {
            for (SvdElement f : list.children("field")) {
                fields.add(field(f, name, rd));
            }
        }
        fields.sort((a, b) -> Integer.compare(b.lsb(), a.lsb()));
        for (int i = 1; i < fields.size(); i++) {
            if (fields.get(i - 1).lsb() <= fields.get(i).msb()) {
                throw problem(list, "fields " + fields.get(i).name() + " and " + fields.get(i - 1).name() + " of register "
                        + name + " overlap");
            }
        }
        for (Dim dim : dims(e)) {
            String n = dim.index == null ? name : name.replace("[%s]", dim.index).replace("%s", dim.index);
            out.add(new Register(n, desc(e), offset + at + dim.offset, rd.size(), rd.access(), List.copyOf(fields)));
        }
    }

    private Field field(SvdElement f, String register, Defaults d) throws SvdException {
        String name = required(f, "name");
        int lsb;
        int msb;
        if (f.child("bitOffset") != null) {
            lsb = (int) number(f.child("bitOffset"));
            msb = lsb + (int) number(f, "bitWidth", 1L) - 1;
        } else if (f.child("lsb") != null) {
            lsb = (int) number(f.child("lsb"));
            msb = (int) number(f, "msb", null);
        } else if (f.child("bitRange") != null) {
            Matcher m = BIT_RANGE.matcher(f.childText("bitRange"));
            if (!m.matches()) {
                throw problem(f.child("bitRange"), "<bitRange> is not [msb:lsb]: \"" + f.childText("bitRange") + "\"");
            }
            msb = Integer.parseInt(m.group(1));
            lsb = Integer.parseInt(m.group(2));
        } else {
            throw problem(f, "field " + name + " has no bit position (bitOffset, lsb/msb or bitRange)");
        }
        if (lsb < 0 || msb < lsb || msb >= d.size()) {
            throw problem(f, "field " + name + " [" + msb + ":" + lsb + "] does not fit in the " + d.size()
                    + "-bit register " + register);
        }
        Map<Long, String> values = new TreeMap<>();
        for (SvdElement ev : f.children("enumeratedValues")) {
            for (SvdElement v : ev.children("enumeratedValue")) {
                SvdElement value = v.child("value");
                if (value != null) {
                    String label = v.childText("name");
                    String description = desc(v);
                    values.put(number(value), description.isEmpty() ? label : label + " (" + description + ")");
                }
            }
        }
        String access = f.childText("access") != null ? f.childText("access") : d.access();
        return new Field(name, desc(f), lsb, msb, access, values);
    }
}
