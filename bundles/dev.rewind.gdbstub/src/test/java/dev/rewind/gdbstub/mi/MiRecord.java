package dev.rewind.gdbstub.mi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of GDB/MI output, parsed: {@code [token] (^|*|=) class [, results]} or a stream
 * record ({@code ~ @ &} followed by a C string). Values are a String, a {@code Map} (tuple) or a
 * {@code List} (list; results inside a list become one-entry maps, as in
 * {@code stack=[frame={...},frame={...}]}).
 */
final class MiRecord {

    final String line;
    final String token;
    final char kind;
    final String recordClass;
    final Map<String, Object> results;
    final String text;

    private MiRecord(String line, String token, char kind, String recordClass, Map<String, Object> results, String text) {
        this.line = line;
        this.token = token;
        this.kind = kind;
        this.recordClass = recordClass;
        this.results = results;
        this.text = text;
    }

    /** Null for the {@code (gdb)} prompt and for lines that are not MI records (inferior output). */
    static MiRecord parse(String line) {
        if (line.isEmpty() || line.startsWith("(gdb)")) {
            return null;
        }
        int i = 0;
        while (i < line.length() && Character.isDigit(line.charAt(i))) {
            i++;
        }
        String token = line.substring(0, i);
        if (i >= line.length()) {
            return null;
        }
        char kind = line.charAt(i);
        switch (kind) {
            case '~', '@', '&' -> {
                Parser p = new Parser(line, i + 1);
                return new MiRecord(line, token, kind, null, Map.of(), p.cstring());
            }
            case '^', '*', '=', '+' -> {
                int comma = line.indexOf(',', i);
                String cls = line.substring(i + 1, comma < 0 ? line.length() : comma);
                Map<String, Object> results = comma < 0 ? Map.of() : new Parser(line, comma + 1).results();
                return new MiRecord(line, token, kind, cls, results, null);
            }
            default -> {
                return null;
            }
        }
    }

    boolean is(char k, String cls) {
        return kind == k && cls.equals(recordClass);
    }

    /** A value by path: {@code "frame.line"}, {@code "stack.0.frame.func"}. Null if absent. */
    Object get(String path) {
        Object v = results;
        for (String part : path.split("\\.")) {
            if (v instanceof Map<?, ?> m) {
                v = m.get(part);
            } else if (v instanceof List<?> l && part.matches("\\d+") && Integer.parseInt(part) < l.size()) {
                v = l.get(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return v;
    }

    String string(String path) {
        Object v = get(path);
        return v instanceof String s ? s : null;
    }

    @Override
    public String toString() {
        return line;
    }

    /** Recursive descent over MI's value syntax. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s, int pos) {
            this.s = s;
            this.pos = pos;
        }

        Map<String, Object> results() {
            Map<String, Object> out = new LinkedHashMap<>();
            while (pos < s.length()) {
                int eq = s.indexOf('=', pos);
                String name = s.substring(pos, eq);
                pos = eq + 1;
                out.put(name, value());
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                } else {
                    break;
                }
            }
            return out;
        }

        private Object value() {
            char c = s.charAt(pos);
            if (c == '"') {
                return cstring();
            }
            if (c == '{') {
                pos++;
                Map<String, Object> tuple = new LinkedHashMap<>();
                while (s.charAt(pos) != '}') {
                    int eq = s.indexOf('=', pos);
                    String name = s.substring(pos, eq);
                    pos = eq + 1;
                    tuple.put(name, value());
                    if (s.charAt(pos) == ',') {
                        pos++;
                    }
                }
                pos++;
                return tuple;
            }
            if (c == '[') {
                pos++;
                List<Object> list = new ArrayList<>();
                while (s.charAt(pos) != ']') {
                    char d = s.charAt(pos);
                    if (d == '"' || d == '{' || d == '[') {
                        list.add(value());
                    } else {
                        int eq = s.indexOf('=', pos);
                        String name = s.substring(pos, eq);
                        pos = eq + 1;
                        Map<String, Object> one = new LinkedHashMap<>();
                        one.put(name, value());
                        list.add(one);
                    }
                    if (s.charAt(pos) == ',') {
                        pos++;
                    }
                }
                pos++;
                return list;
            }
            throw new IllegalArgumentException("bad MI value at " + pos + ": " + s);
        }

        String cstring() {
            if (s.charAt(pos) != '"') {
                throw new IllegalArgumentException("expected a C string at " + pos + ": " + s);
            }
            StringBuilder b = new StringBuilder();
            pos++;
            while (s.charAt(pos) != '"') {
                char c = s.charAt(pos++);
                if (c == '\\') {
                    char e = s.charAt(pos++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case '0', '1', '2', '3' -> {
                            b.append((char) Integer.parseInt(s.substring(pos - 1, pos + 2), 8));
                            pos += 2;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            pos++;
            return b.toString();
        }
    }
}
