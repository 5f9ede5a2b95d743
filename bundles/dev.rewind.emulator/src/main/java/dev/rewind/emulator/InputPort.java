package dev.rewind.emulator;

/**
 * The one door through which nondeterministic input reaches a {@link VirtMachine}: UART receive
 * bytes, block-request completions, idle warps of the virtual clock at WFI, and host-clock reads.
 *
 * <p>Contract (what a recording or replaying implementation may rely on):
 * <ul>
 * <li>Every call is made between two instructions, with {@code icount} = the number of
 *     instructions retired so far. Input delivered through the {@link InputSink} during a call
 *     takes effect before the instruction numbered {@code icount} executes.</li>
 * <li>The machine never runs past {@link #nextDeadline(long)}: before retiring the instruction
 *     that would make icount exceed the deadline it stops and calls {@link #poll}. A replaying
 *     port returns the icount of its next logged event, so the event lands exactly there.</li>
 * <li>{@link #idle} is called when the hart executes WFI (or sits in WFI) with no interrupt
 *     pending. The port decides how far virtual time warps; the machine adds the returned
 *     nanoseconds to its clock bias. Only the port's answer (and the sink calls made during it)
 *     change guest state, so logging them is enough to replay the warp.</li>
 * <li>The machine calls {@link #blockSubmitted} when the guest hands a request to a block device;
 *     the request's data transfer has already happened deterministically, only its completion
 *     (used-ring update and interrupt) waits for {@link InputSink#completeBlockRequest(long)}.</li>
 * <li>Implementations must not touch the machine except through the sink they are given.</li>
 * </ul>
 */
public interface InputPort {

    /** Returned by {@link #idle} when nothing will ever wake the hart: the machine stops with {@link StopReason#IDLE}. */
    long IDLE_FOREVER = -1;

    /**
     * The icount at which the machine must next stop and call {@link #poll}; must be
     * {@code >= icount}. {@code Long.MAX_VALUE} when the port has nothing scheduled.
     */
    long nextDeadline(long icount);

    /** Delivers every input due at {@code icount} into {@code sink}. */
    void poll(long icount, InputSink sink);

    /**
     * The hart is idle at WFI with no interrupt pending.
     *
     * @param icount      instructions retired so far (the WFI included)
     * @param nowNs       current virtual time in ns
     * @param deadlineNs  virtual time of the next armed timer, or {@code Long.MAX_VALUE} if none
     * @param sink        where input that arrives while idle is delivered
     * @return nanoseconds to advance virtual time (0 when input was delivered instead), or
     *         {@link #IDLE_FOREVER}
     */
    long idle(long icount, long nowNs, long deadlineNs, InputSink sink);

    /** The guest started block request {@code requestId} (ids count up from 0 per machine). */
    void blockSubmitted(long icount, long requestId);

    /** A host-clock read (ns since the Unix epoch) the guest can observe; logged by a recorder. */
    long hostClockNs(long icount);
}
