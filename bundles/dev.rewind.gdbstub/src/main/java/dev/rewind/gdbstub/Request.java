package dev.rewind.gdbstub;

import java.io.IOException;
import java.util.Set;

/** A parsed gdb packet: one record per packet the server understands. */
sealed interface Request {

    /**
     * Carries out requests, one method per record: the compiler proves every packet is handled
     * (the exhaustive form of a switch over a sealed type that Java 17, our release, allows).
     */
    interface Handler {
        void handle(QuerySupported r) throws IOException, TargetException;

        void handle(StartNoAckMode r) throws IOException, TargetException;

        void handle(ReadFeatures r) throws IOException, TargetException;

        void handle(ReadThreads r) throws IOException, TargetException;

        void handle(HaltReason r) throws IOException, TargetException;

        void handle(ReadAllRegisters r) throws IOException, TargetException;

        void handle(WriteAllRegisters r) throws IOException, TargetException;

        void handle(ReadRegister r) throws IOException, TargetException;

        void handle(WriteRegister r) throws IOException, TargetException;

        void handle(ReadMemory r) throws IOException, TargetException;

        void handle(WriteMemory r) throws IOException, TargetException;

        void handle(Resume r) throws IOException, TargetException;

        void handle(QueryVCont r) throws IOException, TargetException;

        void handle(Breakpoint r) throws IOException, TargetException;

        void handle(SetThread r) throws IOException, TargetException;

        void handle(ThreadAlive r) throws IOException, TargetException;

        void handle(QueryAttached r) throws IOException, TargetException;

        void handle(QueryCurrentThread r) throws IOException, TargetException;

        void handle(ThreadInfo r) throws IOException, TargetException;

        void handle(Detach r) throws IOException, TargetException;

        void handle(Kill r) throws IOException, TargetException;

        void handle(Monitor r) throws IOException, TargetException;

        void handle(Unsupported r) throws IOException, TargetException;
    }

    /** Calls the {@link Handler} method for this kind of request. */
    void handleWith(Handler h) throws IOException, TargetException;

    /** {@code qSupported[:features]}: the features gdb listed (e.g. "swbreak+"). */
    record QuerySupported(Set<String> gdbFeatures) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code QStartNoAckMode}. */
    record StartNoAckMode() implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code qXfer:features:read:ANNEX:offset,length}. */
    record ReadFeatures(String annex, long offset, int length) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code qXfer:threads:read::offset,length}. */
    record ReadThreads(long offset, int length) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code ?}. */
    record HaltReason() implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code g}. */
    record ReadAllRegisters() implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code G hex}: registers in target description order, 8 bytes each. */
    record WriteAllRegisters(byte[] image) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code p n}. */
    record ReadRegister(int regnum) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code P n=value}: value bytes in target order. */
    record WriteRegister(int regnum, byte[] value) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code m addr,len}. */
    record ReadMemory(long address, int length) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code M addr,len:hex} or {@code X addr,len:bin} (already decoded). */
    record WriteMemory(long address, byte[] data) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /**
     * {@code c}, {@code s}, {@code C}, {@code S}, {@code vCont}, {@code bs}, {@code bc}.
     *
     * @param newPc where to resume from, or null to resume at the current pc
     * @param rangeStart for vCont {@code r}: keep stepping while pc is in [rangeStart, rangeEnd)
     * @param alone whether gdb resumes only {@code thread} and means the others to stay stopped
     *        ({@code vCont;c:N} with no action for the rest, as its software single-step sends)
     */
    record Resume(ResumeMode mode, Long newPc, long rangeStart, long rangeEnd, long thread, boolean alone) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }

        Resume(ResumeMode mode, Long newPc, long rangeStart, long rangeEnd, long thread) {
            this(mode, newPc, rangeStart, rangeEnd, thread, false);
        }

        static Resume of(ResumeMode mode, Long newPc) {
            return new Resume(mode, newPc, 0, 0, RequestParser.ALL_THREADS);
        }

        boolean isRangeStep() {
            return rangeEnd > rangeStart;
        }
    }

    /** {@code vCont?}. */
    record QueryVCont() implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code Z type,addr,kind} / {@code z type,addr,kind}. */
    record Breakpoint(boolean insert, BreakpointType type, long address, int length) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code H op tid}. */
    record SetThread(char operation, long threadId) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code T tid}. */
    record ThreadAlive(long threadId) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code qAttached}. */
    record QueryAttached() implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code qC}. */
    record QueryCurrentThread() implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code qfThreadInfo} (first = true) / {@code qsThreadInfo}. */
    record ThreadInfo(boolean first) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code D}. */
    record Detach() implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code k}. */
    record Kill() implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** {@code qRcmd,hex}: the decoded command line. */
    record Monitor(String commandLine) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }

    /** Anything else: answered with the empty reply. */
    record Unsupported(String name) implements Request {
        public void handleWith(Handler h) throws IOException, TargetException { h.handle(this); }
    }
}
