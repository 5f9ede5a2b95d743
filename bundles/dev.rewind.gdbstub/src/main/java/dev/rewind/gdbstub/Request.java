package dev.rewind.gdbstub;

import java.util.Set;

/** A parsed gdb packet: one record per packet the server understands. */
sealed interface Request {

    /** {@code qSupported[:features]}: the features gdb listed (e.g. "swbreak+"). */
    record QuerySupported(Set<String> gdbFeatures) implements Request { }

    /** {@code QStartNoAckMode}. */
    record StartNoAckMode() implements Request { }

    /** {@code qXfer:features:read:ANNEX:offset,length}. */
    record ReadFeatures(String annex, long offset, int length) implements Request { }

    /** {@code qXfer:threads:read::offset,length}. */
    record ReadThreads(long offset, int length) implements Request { }

    /** {@code ?}. */
    record HaltReason() implements Request { }

    /** {@code g}. */
    record ReadAllRegisters() implements Request { }

    /** {@code G hex}: registers in target description order, 8 bytes each. */
    record WriteAllRegisters(byte[] image) implements Request { }

    /** {@code p n}. */
    record ReadRegister(int regnum) implements Request { }

    /** {@code P n=value}: value bytes in target order. */
    record WriteRegister(int regnum, byte[] value) implements Request { }

    /** {@code m addr,len}. */
    record ReadMemory(long address, int length) implements Request { }

    /** {@code M addr,len:hex} or {@code X addr,len:bin} (already decoded). */
    record WriteMemory(long address, byte[] data) implements Request { }

    /**
     * {@code c}, {@code s}, {@code C}, {@code S}, {@code vCont}, {@code bs}, {@code bc}.
     *
     * @param newPc where to resume from, or null to resume at the current pc
     * @param rangeStart for vCont {@code r}: keep stepping while pc is in [rangeStart, rangeEnd)
     */
    record Resume(ResumeMode mode, Long newPc, long rangeStart, long rangeEnd) implements Request {
        static Resume of(ResumeMode mode, Long newPc) {
            return new Resume(mode, newPc, 0, 0);
        }

        boolean isRangeStep() {
            return rangeEnd > rangeStart;
        }
    }

    /** {@code vCont?}. */
    record QueryVCont() implements Request { }

    /** {@code Z type,addr,kind} / {@code z type,addr,kind}. */
    record Breakpoint(boolean insert, BreakpointType type, long address, int length) implements Request { }

    /** {@code H op tid}. */
    record SetThread(char operation, long threadId) implements Request { }

    /** {@code T tid}. */
    record ThreadAlive(long threadId) implements Request { }

    /** {@code qAttached}. */
    record QueryAttached() implements Request { }

    /** {@code qC}. */
    record QueryCurrentThread() implements Request { }

    /** {@code qfThreadInfo} (first = true) / {@code qsThreadInfo}. */
    record ThreadInfo(boolean first) implements Request { }

    /** {@code D}. */
    record Detach() implements Request { }

    /** {@code k}. */
    record Kill() implements Request { }

    /** {@code qRcmd,hex}: the decoded command line. */
    record Monitor(String commandLine) implements Request { }

    /** Anything else: answered with the empty reply. */
    record Unsupported(String name) implements Request { }
}
