package dev.rewind.gdbstub;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Turns a packet payload into a {@link Request}. Knows only the wire syntax; what a request does is
 * {@link GdbSession}'s business. Thread id −1 is encoded as −1L.
 */
final class RequestParser {

    /** gdb's own thread ids for "all" and "any". */
    static final long ALL_THREADS = -1;

    private RequestParser() {
    }

    static Request parse(byte[] payload) throws MalformedPacketException {
        if (payload.length == 0) {
            return new Request.Unsupported("");
        }
        // X carries raw binary; everything else is ASCII.
        if (payload[0] == 'X') {
            return parseBinaryWrite(payload);
        }
        String p = new String(payload, java.nio.charset.StandardCharsets.ISO_8859_1);
        char c = p.charAt(0);
        String rest = p.substring(1);
        switch (c) {
            case '?':
                return noArguments(p, new Request.HaltReason());
            case 'g':
                return noArguments(p, new Request.ReadAllRegisters());
            case 'G':
                return new Request.WriteAllRegisters(Hex.decode(rest));
            case 'p':
                return new Request.ReadRegister(Hex.parseInt(rest));
            case 'P':
                return parseWriteRegister(rest);
            case 'm':
                return parseReadMemory(rest);
            case 'M':
                return parseWriteMemory(rest);
            case 'c':
                return Request.Resume.of(ResumeMode.CONTINUE, optionalAddress(rest));
            case 's':
                return Request.Resume.of(ResumeMode.STEP, optionalAddress(rest));
            case 'C':
                return parseResumeWithSignal(ResumeMode.CONTINUE, rest);
            case 'S':
                return parseResumeWithSignal(ResumeMode.STEP, rest);
            case 'b':
                if (p.equals("bs")) {
                    return Request.Resume.of(ResumeMode.REVERSE_STEP, null);
                }
                if (p.equals("bc")) {
                    return Request.Resume.of(ResumeMode.REVERSE_CONTINUE, null);
                }
                return new Request.Unsupported(p);
            case 'Z':
            case 'z':
                return parseBreakpoint(c == 'Z', rest);
            case 'H':
                return parseSetThread(rest);
            case 'T':
                return new Request.ThreadAlive(parseThreadId(rest));
            case 'D':
                // "D" or "D;pid" (multiprocess); we have one process.
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(";")) {
                        throw new MalformedPacketException("bad detach packet");
                    }
                    Hex.parseUnsigned(rest.substring(1));
                }
                return new Request.Detach();
            case 'k':
                return new Request.Kill();
            case 'q':
                return parseQuery(p);
            case 'Q':
                return p.equals("QStartNoAckMode") ? new Request.StartNoAckMode() : new Request.Unsupported(p);
            case 'v':
                return parseV(p);
            default:
                return new Request.Unsupported(p);
        }
    }

    private static Request noArguments(String p, Request r) throws MalformedPacketException {
        if (p.length() != 1) {
            throw new MalformedPacketException("unexpected arguments in '" + p + "'");
        }
        return r;
    }

    private static Request parseQuery(String p) throws MalformedPacketException {
        if (p.equals("qSupported") || p.startsWith("qSupported:")) {
            Set<String> features = new LinkedHashSet<>();
            if (p.length() > "qSupported:".length()) {
                features.addAll(Arrays.asList(p.substring("qSupported:".length()).split(";")));
            }
            return new Request.QuerySupported(features);
        }
        if (p.equals("qAttached") || p.startsWith("qAttached:")) {
            return new Request.QueryAttached();
        }
        if (p.equals("qC")) {
            return new Request.QueryCurrentThread();
        }
        if (p.equals("qfThreadInfo")) {
            return new Request.ThreadInfo(true);
        }
        if (p.equals("qsThreadInfo")) {
            return new Request.ThreadInfo(false);
        }
        if (p.startsWith("qRcmd,")) {
            byte[] text = Hex.decode(p.substring("qRcmd,".length()));
            return new Request.Monitor(new String(text, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (p.startsWith("qXfer:features:read:")) {
            String args = p.substring("qXfer:features:read:".length());
            int colon = args.lastIndexOf(':');
            if (colon < 0) {
                throw new MalformedPacketException("qXfer without offset,length");
            }
            long[] ol = xferWindow(args.substring(colon + 1));
            return new Request.ReadFeatures(args.substring(0, colon), ol[0], (int) ol[1]);
        }
        if (p.startsWith("qXfer:threads:read::")) {
            long[] ol = xferWindow(p.substring("qXfer:threads:read::".length()));
            return new Request.ReadThreads(ol[0], (int) ol[1]);
        }
        return new Request.Unsupported(p);
    }

    private static long[] xferWindow(String offsetLength) throws MalformedPacketException {
        long[] ol = pair(offsetLength);
        if (ol[1] > Integer.MAX_VALUE) {
            throw new MalformedPacketException("qXfer length too large");
        }
        return ol;
    }

    private static Request parseV(String p) throws MalformedPacketException {
        if (p.equals("vCont?")) {
            return new Request.QueryVCont();
        }
        if (p.startsWith("vCont;")) {
            return parseVCont(p.substring("vCont;".length()));
        }
        return new Request.Unsupported(p);
    }

    /**
     * The leftmost action, with the thread it names (the harts all run anyway: a step names the
     * hart that must retire an instruction, as in gdb's {@code vCont;s:3;c}), and whether that
     * thread alone was resumed (no action for any other thread).
     */
    private static Request parseVCont(String actions) throws MalformedPacketException {
        Request.Resume chosen = null;
        boolean alone = true;
        for (String action : actions.split(";", -1)) {
            if (action.isEmpty()) {
                throw new MalformedPacketException("empty vCont action");
            }
            String verb = action;
            long tid = ALL_THREADS;
            int colon = action.indexOf(':');
            if (colon >= 0) {
                verb = action.substring(0, colon);
                tid = parseThreadId(action.substring(colon + 1));
            }
            Request.Resume resume = parseVContAction(verb);
            if (chosen == null) {
                chosen = new Request.Resume(resume.mode(), resume.newPc(), resume.rangeStart(), resume.rangeEnd(), tid);
            }
            alone &= tid != ALL_THREADS && tid == chosen.thread();
        }
        return alone ? new Request.Resume(chosen.mode(), chosen.newPc(), chosen.rangeStart(), chosen.rangeEnd(),
                chosen.thread(), true) : chosen;
    }

    private static Request.Resume parseVContAction(String verb) throws MalformedPacketException {
        if (verb.isEmpty()) {
            throw new MalformedPacketException("empty vCont action");
        }
        char a = verb.charAt(0);
        String arg = verb.substring(1);
        switch (a) {
            case 'c':
            case 's':
                if (!arg.isEmpty()) {
                    throw new MalformedPacketException("unexpected vCont argument");
                }
                return Request.Resume.of(a == 'c' ? ResumeMode.CONTINUE : ResumeMode.STEP, null);
            case 'C':
            case 'S':
                parseSignal(arg);
                return Request.Resume.of(a == 'C' ? ResumeMode.CONTINUE : ResumeMode.STEP, null);
            case 'r':
                long[] range = pair(arg);
                return new Request.Resume(ResumeMode.STEP, null, range[0], range[1], ALL_THREADS);
            default:
                throw new MalformedPacketException("unsupported vCont action '" + verb + "'");
        }
    }

    private static Request parseResumeWithSignal(ResumeMode mode, String rest) throws MalformedPacketException {
        // Signals are not delivered to a bare-metal guest; gdb only passes them back as received.
        int semi = rest.indexOf(';');
        parseSignal(semi < 0 ? rest : rest.substring(0, semi));
        return Request.Resume.of(mode, semi < 0 ? null : Hex.parseUnsigned(rest.substring(semi + 1)));
    }

    private static int parseSignal(String s) throws MalformedPacketException {
        if (s.length() != 2) {
            throw new MalformedPacketException("signal must be two hex digits");
        }
        return Hex.parseInt(s);
    }

    private static Long optionalAddress(String rest) throws MalformedPacketException {
        return rest.isEmpty() ? null : Hex.parseUnsigned(rest);
    }

    private static Request parseWriteRegister(String rest) throws MalformedPacketException {
        int eq = rest.indexOf('=');
        if (eq < 0) {
            throw new MalformedPacketException("P without '='");
        }
        byte[] value = Hex.decode(rest.substring(eq + 1));
        if (value.length == 0 || value.length > 8) {
            throw new MalformedPacketException("register value must be 1..8 bytes");
        }
        return new Request.WriteRegister(Hex.parseInt(rest.substring(0, eq)), value);
    }

    private static Request parseReadMemory(String rest) throws MalformedPacketException {
        long[] al = pair(rest);
        if (al[1] > Integer.MAX_VALUE) {
            throw new MalformedPacketException("length too large");
        }
        return new Request.ReadMemory(al[0], (int) al[1]);
    }

    private static Request parseWriteMemory(String rest) throws MalformedPacketException {
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new MalformedPacketException("M without ':'");
        }
        long[] al = pair(rest.substring(0, colon));
        byte[] data = Hex.decode(rest.substring(colon + 1));
        if (data.length != al[1]) {
            throw new MalformedPacketException("M length does not match its data");
        }
        return new Request.WriteMemory(al[0], data);
    }

    private static Request parseBinaryWrite(byte[] payload) throws MalformedPacketException {
        int colon = -1;
        for (int i = 1; i < payload.length; i++) {
            if (payload[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            throw new MalformedPacketException("X without ':'");
        }
        long[] al = pair(new String(payload, 1, colon - 1, java.nio.charset.StandardCharsets.ISO_8859_1));
        byte[] data = FrameEncoder.unescapeBinary(payload, colon + 1, payload.length - colon - 1);
        if (data.length != al[1]) {
            throw new MalformedPacketException("X length does not match its data");
        }
        return new Request.WriteMemory(al[0], data);
    }

    private static Request parseBreakpoint(boolean insert, String rest) throws MalformedPacketException {
        // type,addr,kind[;cond...][;cmds...]: conditions are evaluated by gdb since we do not
        // advertise ConditionalBreakpoints, so they are ignored here.
        int semi = rest.indexOf(';');
        if (semi >= 0) {
            for (String extra : rest.substring(semi + 1).split(";", -1)) {
                if (!extra.startsWith("X") && !extra.startsWith("cmds:")) {
                    throw new MalformedPacketException("bad breakpoint condition or command list");
                }
            }
        }
        String[] parts = (semi < 0 ? rest : rest.substring(0, semi)).split(",", -1);
        if (parts.length != 3) {
            throw new MalformedPacketException("Z/z needs type,addr,kind");
        }
        int type = Hex.parseInt(parts[0]);
        long address = Hex.parseUnsigned(parts[1]);
        int length = Hex.parseInt(parts[2]);
        if (type > 4) {
            return new Request.Unsupported((insert ? "Z" : "z") + rest);
        }
        return new Request.Breakpoint(insert, BreakpointType.fromWireCode(type), address, length);
    }

    private static Request parseSetThread(String rest) throws MalformedPacketException {
        if (rest.isEmpty()) {
            throw new MalformedPacketException("H without operation");
        }
        return new Request.SetThread(rest.charAt(0), parseThreadId(rest.substring(1)));
    }

    static long parseThreadId(String s) throws MalformedPacketException {
        if (s.equals("-1")) {
            return ALL_THREADS;
        }
        return Hex.parseUnsigned(s);
    }

    /** "a,b" as two unsigned hex numbers. */
    private static long[] pair(String s) throws MalformedPacketException {
        int comma = s.indexOf(',');
        if (comma < 0) {
            throw new MalformedPacketException("expected addr,length");
        }
        return new long[] {Hex.parseUnsigned(s.substring(0, comma)), Hex.parseUnsigned(s.substring(comma + 1))};
    }
}
