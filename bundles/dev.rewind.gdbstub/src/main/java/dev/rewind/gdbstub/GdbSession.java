package dev.rewind.gdbstub;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One gdb conversation: takes frames from an {@link RspConnection}, acknowledges them, parses them
 * with {@link RequestParser}, carries them out on the {@link DebugTarget} and replies. Runs on the
 * calling thread until gdb detaches, kills or disconnects.
 */
final class GdbSession {

    /** Hart 0 as gdb numbers it: hart h is thread h + 1 (gdb's thread ids start at 1). */
    static final long THREAD_ID = 1;

    private static final int REGISTERS_IN_G = 33;
    /** Longest text chunk per {@code O} packet (hex doubles it). */
    private static final int CONSOLE_CHUNK = 1024;

    private final DebugTarget target;
    private final RspConnection connection;
    private final int maxPacket;
    private final boolean runLength;
    private final PrintStream trace;
    private final AtomicReference<SessionState> state = new AtomicReference<>(SessionState.STOPPED);

    private boolean ackMode = true;
    private byte[] lastSent = FrameEncoder.frame("", false);
    private long packetsTaken;
    private StopEvent lastStop = StopEvent.stepped();
    private boolean gdbSwbreak;
    private boolean gdbHwbreak;
    private byte[] description;
    private final Request.Handler handler = new Executor();
    private final JitSettling jit = new JitSettling();

    GdbSession(DebugTarget target, RspConnection connection, int maxPacket, boolean runLength, PrintStream trace) {
        this.target = target;
        this.connection = connection;
        this.maxPacket = maxPacket;
        this.runLength = runLength;
        this.trace = trace;
    }

    SessionState state() {
        return state.get();
    }

    /** Serves until the session ends; never throws for anything gdb sends. */
    void run() {
        try {
            while (state.get() != SessionState.DETACHED) {
                Frame f = connection.next();
                if (f == null) {
                    break;
                }
                handle(f);
            }
        } catch (IOException e) {
            log("connection lost: " + e.getMessage());
        } finally {
            state.set(SessionState.DETACHED);
            connection.close();
        }
    }

    private void handle(Frame f) throws IOException {
        switch (f.kind()) {
            case ACK:
            case INTERRUPT:
                // A Ctrl-C while stopped has nothing to stop.
                return;
            case NACK:
                if (ackMode) {
                    connection.write(lastSent);
                }
                return;
            case BAD_CHECKSUM:
                log("<- bad checksum");
                if (ackMode) {
                    connection.write('-');
                }
                return;
            case OVERSIZED:
            case MALFORMED:
                log("<- " + f.kind());
                ack();
                reply(error(TargetException.EINVAL));
                return;
            case PACKET:
                packetsTaken++;
                ack();
                if (trace != null) {
                    log("<- " + printable(f.text()));
                }
                dispatch(f.payload());
                return;
            default:
                throw new IllegalStateException(f.kind().toString());
        }
    }

    private void ack() throws IOException {
        if (ackMode) {
            connection.write('+');
        }
    }

    private void dispatch(byte[] payload) throws IOException {
        jit.requestStarts();
        Request request;
        try {
            request = RequestParser.parse(payload);
        } catch (MalformedPacketException e) {
            log("   malformed: " + e.getMessage());
            reply(error(TargetException.EINVAL));
            return;
        }
        try {
            request.handleWith(handler);
        } catch (TargetException e) {
            log("   target: " + e.getMessage());
            reply(error(e.errno()));
        } catch (RuntimeException e) {
            // A target bug must not take the debugger connection down with it.
            log("   target failure: " + e);
            reply(error(TargetException.EINVAL));
        }
    }

    /** One method per packet kind; {@link Request.Handler} makes the set exhaustive. */
    private final class Executor implements Request.Handler {
        @Override
        public void handle(Request.QuerySupported q) throws IOException {
            gdbSwbreak = q.gdbFeatures().contains("swbreak+");
            gdbHwbreak = q.gdbFeatures().contains("hwbreak+");
            StringBuilder r = new StringBuilder("PacketSize=").append(Integer.toHexString(maxPacket))
                    .append(";qXfer:features:read+;qXfer:threads:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+");
            if (target.supportsReverse()) {
                r.append(";ReverseStep+;ReverseContinue+");
            }
            reply(r.toString());
        }

        @Override
        public void handle(Request.StartNoAckMode r) throws IOException {
            reply("OK");
            ackMode = false;
        }

        @Override
        public void handle(Request.ReadFeatures r) throws IOException {
            readFeatures(r);
        }

        @Override
        public void handle(Request.ReadThreads r) throws IOException {
            // one packet instead of qfThreadInfo + qsThreadInfo, which gdb sends after every stop
            StringBuilder x = new StringBuilder("<?xml version=\"1.0\"?>\n<threads>\n");
            for (int h = 0; h < target.threads(); h++) {
                x.append("  <thread id=\"").append(Long.toHexString(THREAD_ID + h)).append("\" core=\"").append(h)
                        .append("\" name=\"hart ").append(h).append("\"/>\n");
            }
            sendXferWindow(x.append("</threads>\n").toString().getBytes(StandardCharsets.US_ASCII), r.offset(), r.length());
        }

        @Override
        public void handle(Request.HaltReason r) throws IOException {
            reply(stopReply(lastStop));
        }

        @Override
        public void handle(Request.ReadAllRegisters r) throws IOException, TargetException {
            StringBuilder sb = new StringBuilder(REGISTERS_IN_G * 16);
            for (int i = 0; i < REGISTERS_IN_G; i++) {
                Hex.appendLittleEndian64(sb, target.readRegister(i));
            }
            reply(sb.toString());
        }

        @Override
        public void handle(Request.WriteAllRegisters w) throws IOException, TargetException {
            if (w.image().length != REGISTERS_IN_G * 8) {
                throw new TargetException(TargetException.EINVAL, "G needs " + REGISTERS_IN_G * 8 + " bytes");
            }
            for (int i = 0; i < REGISTERS_IN_G; i++) {
                byte[] one = new byte[8];
                System.arraycopy(w.image(), i * 8, one, 0, 8);
                target.writeRegister(i, Hex.littleEndian(one));
            }
            reply("OK");
        }

        @Override
        public void handle(Request.ReadRegister r) throws IOException, TargetException {
            StringBuilder sb = new StringBuilder(16);
            Hex.appendLittleEndian64(sb, target.readRegister(r.regnum()));
            reply(sb.toString());
        }

        @Override
        public void handle(Request.WriteRegister w) throws IOException, TargetException {
            try {
                target.writeRegister(w.regnum(), Hex.littleEndian(w.value()));
            } catch (TargetException e) {
                // gdb prints an "E.text" reply to P in its error ("remote failure reply '...'").
                reply(e.errno() == TargetException.EPERM ? "E." + e.getMessage().replaceAll("[^ -~]|[$#}*]", "?") : error(e.errno()));
                return;
            }
            reply("OK");
        }

        @Override
        public void handle(Request.ReadMemory m) throws IOException, TargetException {
            readMemory(m);
        }

        @Override
        public void handle(Request.WriteMemory w) throws IOException, TargetException {
            if (w.data().length > 0) {
                target.writeMemory(w.address(), w.data(), 0, w.data().length);
            }
            reply("OK");
        }

        @Override
        public void handle(Request.Resume r) throws IOException, TargetException {
            resume(r);
        }

        @Override
        public void handle(Request.QueryVCont r) throws IOException {
            reply("vCont;c;C;s;S;r");
        }

        @Override
        public void handle(Request.Breakpoint b) throws IOException, TargetException {
            boolean done = b.insert()
                    ? target.insertBreakpoint(b.type(), b.address(), b.length())
                    : target.removeBreakpoint(b.type(), b.address(), b.length());
            reply(done ? "OK" : "");
        }

        @Override
        public void handle(Request.SetThread h) throws IOException, TargetException {
            if (h.threadId() == 0 || h.threadId() == RequestParser.ALL_THREADS) {
                reply("OK"); // any thread: keep the one selected
            } else if (isThread(h.threadId())) {
                target.selectThread((int) (h.threadId() - THREAD_ID));
                reply("OK");
            } else {
                reply(error(TargetException.EINVAL));
            }
        }

        @Override
        public void handle(Request.ThreadAlive t) throws IOException {
            reply(isThread(t.threadId()) ? "OK" : error(TargetException.EINVAL));
        }

        @Override
        public void handle(Request.QueryAttached r) throws IOException {
            // "Attached": gdb detaches rather than kills when it leaves, so a recording survives.
            reply("1");
        }

        @Override
        public void handle(Request.QueryCurrentThread r) throws IOException {
            reply("QC" + Long.toHexString(THREAD_ID + target.selectedThread()));
        }

        @Override
        public void handle(Request.ThreadInfo t) throws IOException {
            if (!t.first()) {
                reply("l");
                return;
            }
            StringBuilder sb = new StringBuilder("m");
            for (int h = 0; h < target.threads(); h++) {
                sb.append(h == 0 ? "" : ",").append(Long.toHexString(THREAD_ID + h));
            }
            reply(sb.toString());
        }

        @Override
        public void handle(Request.Detach r) throws IOException {
            reply("OK");
            state.set(SessionState.DETACHED);
        }

        @Override
        public void handle(Request.Kill r) {
            state.set(SessionState.DETACHED);
        }

        @Override
        public void handle(Request.Monitor m) throws IOException {
            monitor(m.commandLine());
        }

        @Override
        public void handle(Request.Unsupported r) throws IOException {
            reply("");
        }
    }

    private boolean isThread(long tid) {
        return tid >= THREAD_ID && tid < THREAD_ID + target.threads();
    }

    private void readFeatures(Request.ReadFeatures r) throws IOException {
        if (!r.annex().equals("target.xml")) {
            reply(error(0));
            return;
        }
        if (description == null) {
            description = TargetDescription.xml(target.csrNumbers(), target.hasFloatingPoint());
        }
        sendXferWindow(description, r.offset(), r.length());
    }

    /** Answers a qXfer read of {@code document}: 'm' + a window of it, or 'l' + its last part. */
    private void sendXferWindow(byte[] document, long offset, int requested) throws IOException {
        if (offset >= document.length) {
            reply("l");
            return;
        }
        int start = (int) offset;
        // Escaping can at most double the data; stay within our own packet size.
        int length = Math.min(requested, Math.min(document.length - start, maxPacket / 2 - 1));
        byte[] body = FrameEncoder.escapeBinary(document, start, length);
        byte[] payload = new byte[body.length + 1];
        payload[0] = (byte) (start + length < document.length ? 'm' : 'l');
        System.arraycopy(body, 0, payload, 1, body.length);
        send(payload);
    }

    private void readMemory(Request.ReadMemory m) throws IOException, TargetException {
        int length = Math.min(m.length(), maxPacket / 2 - 1);
        byte[] data = new byte[length];
        int n = target.readMemory(m.address(), data, 0, length);
        if (n <= 0 && length > 0) {
            throw new TargetException(TargetException.EFAULT, "cannot read memory at 0x" + Hex.number(m.address()));
        }
        reply(Hex.encode(data, 0, Math.max(0, Math.min(n, length))));
    }

    private void resume(Request.Resume r) throws IOException, TargetException {
        if (r.mode().isReverse() && !target.supportsReverse()) {
            reply("");
            return;
        }
        if (lastStop.reason() == StopEvent.Reason.EXITED) {
            throw new TargetException(TargetException.EPERM, "the program has exited");
        }
        if (r.thread() != RequestParser.ALL_THREADS && r.thread() != 0) {
            if (!isThread(r.thread())) {
                throw new TargetException(TargetException.EINVAL, "no thread " + r.thread());
            }
            target.selectThread((int) (r.thread() - THREAD_ID));
        }
        if (r.newPc() != null) {
            target.writeRegister(DebugTarget.REG_PC, r.newPc());
        }
        target.resumeAlone(r.alone());
        Interruption interruption = new InterruptedSince(packetsTaken);
        state.set(SessionState.RUNNING);
        StopEvent event;
        try {
            event = r.isRangeStep() ? rangeStep(r, interruption) : target.resume(r.mode(), interruption);
        } finally {
            state.compareAndSet(SessionState.RUNNING, SessionState.STOPPED);
            state.compareAndSet(SessionState.INTERRUPTED, SessionState.STOPPED);
        }
        if (event == null) {
            throw new IllegalStateException("target returned no stop event");
        }
        lastStop = event;
        if (event.note() != null) {
            console(event.note());
        }
        reply(stopReply(event));
    }

    /**
     * Whether gdb sent an interrupt since packet {@code packet}. A named class, not a lambda: a
     * lambda is linked on its first use, and that was ~5 ms of a session's first resume (gdb's
     * first reverse-stepi), more than the step itself.
     */
    private final class InterruptedSince implements Interruption {
        private final long packet;

        InterruptedSince(long packet) {
            this.packet = packet;
        }

        @Override
        public boolean isRequested() {
            if (connection.interruptedSince(packet)) {
                state.compareAndSet(SessionState.RUNNING, SessionState.INTERRUPTED);
                return true;
            }
            return false;
        }
    }

    /** vCont {@code r}: single-steps while pc stays inside the range and nothing else happens. */
    private StopEvent rangeStep(Request.Resume r, Interruption interruption) throws TargetException {
        while (true) {
            StopEvent e = target.resume(ResumeMode.STEP, interruption);
            if (e.reason() != StopEvent.Reason.STEPPED) {
                return e;
            }
            long pc = target.readRegister(DebugTarget.REG_PC);
            if (Long.compareUnsigned(pc, r.rangeStart()) < 0 || Long.compareUnsigned(pc, r.rangeEnd()) >= 0) {
                return e;
            }
            if (interruption.isRequested()) {
                return StopEvent.interrupted();
            }
        }
    }

    private void monitor(String command) throws IOException {
        MonitorCommands commands = target.monitorCommands();
        if (commands == null) {
            reply("");
            return;
        }
        long before = target.icount();
        String output = null;
        TargetException failure = null;
        try {
            output = commands.execute(command.trim());
        } catch (TargetException e) {
            failure = e;
        }
        console(failure != null ? failure.getMessage() + "\n" : output == null ? "" : output);
        if (target.icount() != before) {
            // gdb cannot be told; see GdbInitCommands for the hook that makes this automatic.
            console("(position changed: gdb may show stale registers until 'maintenance flush register-cache')\n");
        }
        reply(failure != null ? error(failure.errno()) : "OK");
    }

    /** Sends text to gdb's console as O packets. */
    private void console(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += CONSOLE_CHUNK) {
            reply("O" + Hex.encode(bytes, i, Math.min(CONSOLE_CHUNK, bytes.length - i)));
        }
    }

    String stopReply(StopEvent e) {
        StringBuilder sb = new StringBuilder(800);
        if (e.reason() == StopEvent.Reason.EXITED) {
            sb.append('W');
            Hex.appendByte(sb, e.code());
            return sb.toString();
        }
        sb.append('T');
        Hex.appendByte(sb, e.signal());
        switch (e.reason()) {
            case SOFTWARE_BREAKPOINT:
                if (gdbSwbreak) {
                    sb.append("swbreak:;");
                }
                break;
            case HARDWARE_BREAKPOINT:
                if (gdbHwbreak) {
                    sb.append("hwbreak:;");
                }
                break;
            case WATCH_WRITE:
                sb.append("watch:").append(Hex.number(e.address())).append(';');
                break;
            case WATCH_READ:
                sb.append("rwatch:").append(Hex.number(e.address())).append(';');
                break;
            case WATCH_ACCESS:
                sb.append("awatch:").append(Hex.number(e.address())).append(';');
                break;
            case HISTORY_BEGIN:
                sb.append("replaylog:begin;");
                break;
            case HISTORY_END:
                sb.append("replaylog:end;");
                break;
            default:
                break;
        }
        // pc and x0..x31 expedited: gdb then never asks for registers before showing a stop
        // (its unwinder needs ra, sp, fp and the callee-saved ones), a round trip less per step.
        // The reason goes first, so that it still shows in logs that cut long packets short.
        for (int i = 0; i < REGISTERS_IN_G; i++) {
            int regnum = i == 0 ? DebugTarget.REG_PC : i - 1;
            try {
                long v = target.readRegister(regnum);
                sb.append(Integer.toHexString(regnum)).append(':');
                Hex.appendLittleEndian64(sb, v);
                sb.append(';');
            } catch (TargetException ex) {
                // gdb fetches what is missing with p/g.
            }
        }
        sb.append("thread:").append(Long.toHexString(THREAD_ID + target.selectedThread())).append(';');
        return sb.toString();
    }

    private static String error(int errno) {
        StringBuilder sb = new StringBuilder("E");
        Hex.appendByte(sb, errno);
        return sb.toString();
    }

    private void reply(String payload) throws IOException {
        send(payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void send(byte[] payload) throws IOException {
        jit.beforeReply(); // after a long request: the compiles it queued would slow gdb's next one
        // RLE pays off on g/m replies full of zeros; the encoder keeps escapes intact.
        lastSent = FrameEncoder.frame(payload, runLength);
        if (trace != null) {
            log("-> " + printable(new String(payload, StandardCharsets.ISO_8859_1)));
        }
        connection.write(lastSent);
    }

    private void log(String line) {
        if (trace != null) {
            trace.println(line);
        }
    }

    private static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '.');
        }
        return sb.toString();
    }
}
