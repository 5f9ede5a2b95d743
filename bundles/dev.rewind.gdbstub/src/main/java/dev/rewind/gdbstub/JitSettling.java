package dev.rewind.gdbstub;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lets the JVM's compiler (and collector) threads finish before a reply to a request that ran long. A long replay
 * (a jump, a reverse continue) makes new guest code hot: the translated blocks it generated and
 * the engine paths it took are queued for C1 and C2, and those compiles go on for up to a second
 * of CPU after the replay stopped. On a machine with two cores they take the core gdb's next
 * request needs: the first reverse-stepi after a jump to 1e8 on the Linux recording cost 8.8 ms of
 * server CPU, 6.6 ms of it in other threads (C1, C2), against 0.8 ms for the next ones. Waiting for
 * them here moves that cost into the jump's reply, where it is a small part of seconds.
 *
 * <p>The same goes for the garbage collector's concurrent work on what the replay allocated. So
 * the wait is for the process to be quiet: no thread but this one running (state R in
 * {@code /proc/self/task}) twice in a row, 1 ms apart. Elsewhere nothing waits. Only latency
 * depends on this: the replay is not touched.
 */
final class JitSettling {

    /** A request that took at least this much of the serving thread's CPU lets the compiles finish. */
    static final long LONG_REQUEST_NS = 30_000_000L;
    /** Longest wait: a compile storm on a loaded machine must not hold a reply much longer. */
    static final long MAX_WAIT_NS = 3_000_000_000L;

    private static final Path TASKS = Path.of("/proc/self/task");
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean supported = threads.isCurrentThreadCpuTimeSupported() && Files.isDirectory(TASKS);
    private long requestStart;
    private boolean pending;

    /** Marks the start of a request on the serving thread. */
    void requestStarts() {
        if (supported) {
            requestStart = threads.getCurrentThreadCpuTime();
            pending = true;
        }
    }

    /** Before a reply: if the request so far took long, waits for the compiler threads (once per request). */
    void beforeReply() {
        if (!pending) {
            return;
        }
        pending = false;
        if (threads.getCurrentThreadCpuTime() - requestStart < LONG_REQUEST_NS) {
            return;
        }
        long deadline = System.nanoTime() + MAX_WAIT_NS;
        int idle = 0;
        try {
            while (idle < 2 && System.nanoTime() < deadline) {
                int running = othersRunning();
                if (running < 0) {
                    return;
                }
                idle = running == 0 ? idle + 1 : 0;
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many threads other than the caller are running now; -1 if the threads cannot be seen. */
    private static int othersRunning() {
        String self = Long.toString(selfTid());
        int seen = 0, running = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // ended meanwhile
                }
                // pid (comm) state ...: the name may hold spaces, the state follows the last ')'
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                if (open < 0 || close < open || close + 2 >= stat.length()) {
                    continue;
                }
                seen++;
                if (stat.charAt(close + 2) == 'R' && !task.getFileName().toString().equals(self)) {
                    running++;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return seen == 0 ? -1 : running;
    }

    /** The calling thread's id as the kernel numbers it (/proc/thread-self), or -1. */
    private static long selfTid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
