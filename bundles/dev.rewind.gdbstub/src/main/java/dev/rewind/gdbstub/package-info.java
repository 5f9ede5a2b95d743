/**
 * GDB remote serial protocol server for Rewind, in layers:
 * <ol>
 *   <li>transport: {@link dev.rewind.gdbstub.RspServer} (TCP, loopback by default,
 *       {@link dev.rewind.gdbstub.ListenAddress} for {@code --listen}) and {@code RspConnection}
 *       (socket, reader thread that notices Ctrl-C while the target runs);
 *   <li>framing: {@code FrameDecoder} / {@code FrameEncoder} (checksums, acks, 0x7d escapes,
 *       run-length encoding);
 *   <li>typed requests: {@code RequestParser} turns a payload into one {@code Request} record;
 *   <li>session: {@code GdbSession}, an explicit {@link dev.rewind.gdbstub.SessionState} machine
 *       that executes requests and builds replies;
 *   <li>target: {@link dev.rewind.gdbstub.DebugTarget}, the only view of the machine, with
 *       {@link dev.rewind.gdbstub.StopEvent}, {@link dev.rewind.gdbstub.ResumeMode},
 *       {@link dev.rewind.gdbstub.BreakpointType}, {@link dev.rewind.gdbstub.Interruption} and
 *       {@link dev.rewind.gdbstub.MonitorCommands}.
 * </ol>
 * Nothing here knows the emulator or the replay engine; adapters implement {@code DebugTarget}.
 */
package dev.rewind.gdbstub;
