package dev.rewind.gdbstub;

import java.util.Arrays;

/**
 * Benchmark, not a test: loopback round-trip latency of common packets against the test fixture,
 * i.e. the server's own overhead per gdb request (no-ack mode, as gdb uses it). Run with
 * {@code java -cp <quick-test classes> dev.rewind.gdbstub.RspLatencyBenchmark [rounds]}.
 */
public final class RspLatencyBenchmark {

    private RspLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        try (RspServer s = new RspServer(new TinyRv64Fixture(TinyRv64Fixture.countingProgram(), true))) {
            s.start();
            try (RspTestClient c = new RspTestClient(s.port())) {
                c.request("QStartNoAckMode");
                c.ackMode = false;
                for (String packet : new String[] {"qC", "g", "m80000000,100", "s", "bs"}) {
                    long[] t = new long[rounds];
                    for (int i = 0; i < rounds; i++) {
                        long t0 = System.nanoTime();
                        c.request(packet);
                        t[i] = System.nanoTime() - t0;
                        if (packet.equals("s")) {
                            c.request("bs"); // stay inside the short fixture history
                        } else if (packet.equals("bs")) {
                            c.request("s");
                        }
                    }
                    Arrays.sort(t);
                    System.out.printf("%-14s median %6.1f us   p99 %6.1f us%n", packet, t[rounds / 2] / 1e3,
                            t[rounds * 99 / 100] / 1e3);
                }
            }
        }
    }
}
