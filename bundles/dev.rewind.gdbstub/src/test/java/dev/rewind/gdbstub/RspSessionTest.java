package dev.rewind.gdbstub;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** Session behaviour over a real socket, driven packet by packet. */
public class RspSessionTest {

    private static RspServer server(boolean replay, int[] program) throws IOException {
        RspServer s = new RspServer(new TinyRv64Fixture(program, replay));
        s.start();
        return s;
    }

    @Test(timeout = 20_000)
    public void qSupportedAdvertisesReverseOnlyWhenTheTargetSupportsIt() throws Exception {
        try (RspServer s = server(true, TinyRv64Fixture.countingProgram()); RspTestClient c = new RspTestClient(s.port())) {
            String r = c.request("qSupported:swbreak+;hwbreak+");
            assertTrue(r, r.startsWith("PacketSize=4000;"));
            for (String f : new String[] {"qXfer:features:read+", "swbreak+", "hwbreak+", "QStartNoAckMode+",
                "vContSupported+", "ReverseStep+", "ReverseContinue+"}) {
                assertTrue(r, (";" + r + ";").contains(";" + f + ";"));
            }
        }
        try (RspServer s = server(false, TinyRv64Fixture.countingProgram()); RspTestClient c = new RspTestClient(s.port())) {
            String r = c.request("qSupported");
            assertFalse(r, r.contains("Reverse"));
            assertEquals("reverse packets are not supported in a live run", "", c.request("bs"));
            assertEquals("", c.request("bc"));
        }
    }

    @Test(timeout = 20_000)
    public void nackMakesTheServerResendItsLastPacket() throws Exception {
        try (RspServer s = server(true, TinyRv64Fixture.countingProgram()); RspTestClient c = new RspTestClient(s.port())) {
            assertEquals("QC1", c.request("qC"));
            c.sendRaw("-");
            assertEquals("QC1", c.readPacket());
            c.sendRaw("$qC#00"); // bad checksum
            assertEquals('-', c.readByte());
        }
    }

    @Test(timeout = 20_000)
    public void ctrlCInterruptsARunningTarget() throws Exception {
        try (RspServer s = server(false, TinyRv64Fixture.spinningProgram()); RspTestClient c = new RspTestClient(s.port())) {
            c.request("QStartNoAckMode");
            c.ackMode = false;
            assertEquals(SessionState.STOPPED, s.state());
            c.sendRaw(RspTestClient.frame("vCont;c"));
            assertTrue("target must keep running until interrupted", c.silentFor(300));
            assertEquals(SessionState.RUNNING, s.state());
            c.sendRaw(new byte[] {3});
            String stop = c.readPacket();
            assertTrue(stop, stop.startsWith("T02"));
            assertEquals(SessionState.STOPPED, s.state());
            // the spinning loop counted in a0; the session is stopped and usable again
            String a0 = c.request("pa");
            assertTrue(a0, Hex.littleEndian(Hex.decode(a0)) > 1000);
            assertEquals("OK", c.request("T1"));
        }
    }

    @Test(timeout = 20_000)
    public void closingTheServerStopsARunningTargetAndDropsTheClient() throws Exception {
        RspServer s = server(false, TinyRv64Fixture.spinningProgram());
        try (RspTestClient c = new RspTestClient(s.port())) {
            assertEquals("QC1", c.request("qC"));
            c.sendRaw(RspTestClient.frame("c"));
            assertEquals('+', c.readByte());
            assertTrue(c.silentFor(200));
            s.close();
            assertEquals(SessionState.DETACHED, s.state());
            assertEquals(-1, readOrEnd(c));
        }
    }

    @Test(timeout = 20_000)
    public void exitIsReportedWithW() throws Exception {
        try (RspServer s = server(false, TinyRv64Fixture.countingProgram()); RspTestClient c = new RspTestClient(s.port())) {
            assertEquals("W05", c.request("c"));
            assertEquals("W05", c.request("?"));
            assertTrue(c.request("c").matches("E[0-9a-f]{2}"));
        }
    }

    /** The stop reply for a reason, pc and x0..x31 all zero (as at the fixture's start). */
    private static String stopWithRegisters(String reason, String pcLittleEndian) {
        StringBuilder sb = new StringBuilder("T05" + reason + "20:" + pcLittleEndian + ";");
        for (int r = 0; r < 32; r++) {
            sb.append(Integer.toHexString(r)).append(":0000000000000000;");
        }
        return sb.append("thread:1;").toString();
    }

    @Test(timeout = 20_000)
    public void stopRepliesCarryTheReasonPcAndAllGeneralRegisters() throws Exception {
        try (RspServer s = server(true, TinyRv64Fixture.countingProgram()); RspTestClient c = new RspTestClient(s.port())) {
            c.request("qSupported:swbreak+;hwbreak+");
            assertEquals(stopWithRegisters("", "0000008000000000"), c.request("?"));
            assertEquals(stopWithRegisters("replaylog:begin;", "0000008000000000"), c.request("bs"));
            assertEquals("OK", c.request("Z1,8000001c,4"));
            String hw = c.request("c");
            assertTrue(hw, hw.startsWith("T05hwbreak:;20:1c00008000000000;0:0000000000000000;1:") && hw.endsWith(";thread:1;"));
            assertTrue("a0 (x10) = 1 after the first store: " + hw, hw.contains(";a:0100000000000000;"));
            assertEquals("OK", c.request("z1,8000001c,4"));
            assertEquals("OK", c.request("Z2,80000200,8"));
            String w = c.request("c");
            assertTrue(w, w.startsWith("T05watch:80000200;20:1400008000000000;"));
            assertEquals("OK", c.request("z2,80000200,8"));
            assertTrue(c.request("vCont;c").startsWith("T05replaylog:end;"));
            assertEquals("at the end of the recording the counter is 5", "00000000000000000500000000000000",
                    c.request("m800001f8,10"));
        }
    }

    @Test(timeout = 20_000)
    public void threadListIsOneQxferReadOfOneThread() throws Exception {
        try (RspServer s = server(true, TinyRv64Fixture.countingProgram()); RspTestClient c = new RspTestClient(s.port())) {
            assertTrue(c.request("qSupported:swbreak+").contains(";qXfer:threads:read+;"));
            String list = c.request("qXfer:threads:read::0,fff");
            assertEquals("l<?xml version=\"1.0\"?>\n<threads>\n  <thread id=\"1\" core=\"0\" name=\"hart 0\"/>\n</threads>\n", list);
            String first = c.request("qXfer:threads:read::0,10");
            assertEquals("m<?xml version=\"1", first);
            assertEquals("l", c.request("qXfer:threads:read::1000,10"));
            assertTrue(c.request("qXfer:threads:read::zz,10").matches("E[0-9a-f]{2}"));
        }
    }

    @Test(timeout = 20_000)
    public void rangeSteppingStopsWhenPcLeavesTheRange() throws Exception {
        try (RspServer s = server(true, TinyRv64Fixture.countingProgram()); RspTestClient c = new RspTestClient(s.port())) {
            String stop = c.request("vCont;r80000000,80000010:1");
            assertTrue(stop, stop.startsWith("T0520:1000008000000000;"));
            assertEquals("vCont;c;C;s;S;r", c.request("vCont?"));
        }
    }

    @Test(timeout = 20_000)
    public void targetDescriptionIsServedInChunks() throws Exception {
        try (RspServer s = server(true, TinyRv64Fixture.countingProgram()); RspTestClient c = new RspTestClient(s.port())) {
            StringBuilder xml = new StringBuilder();
            int offset = 0;
            while (true) {
                String part = c.request("qXfer:features:read:target.xml:" + Integer.toHexString(offset) + ",80");
                xml.append(part.substring(1));
                offset += part.length() - 1;
                if (part.startsWith("l")) {
                    break;
                }
                assertTrue(part, part.startsWith("m"));
            }
            String x = xml.toString();
            assertTrue(x, x.contains("<architecture>riscv:rv64</architecture>"));
            assertTrue(x, x.contains("<reg name=\"pc\" bitsize=\"64\" regnum=\"32\""));
            assertTrue(x, x.contains("<reg name=\"t6\" bitsize=\"64\" regnum=\"31\""));
            assertTrue(x, x.contains("<reg name=\"mstatus\" bitsize=\"64\" regnum=\"833\""));
            assertTrue(x, x.contains("<reg name=\"mhartid\" bitsize=\"64\" regnum=\"3925\""));
            assertTrue(x, x.contains("<feature name=\"org.gnu.gdb.riscv.virtual\">"));
            assertTrue(x, x.contains("<reg name=\"priv\" bitsize=\"64\" regnum=\"4161\""));
            assertTrue(c.request("qXfer:features:read:other.xml:0,80").matches("E[0-9a-f]{2}"));
        }
    }

    @Test(timeout = 20_000)
    public void repliesAreRunLengthEncodedOnTheWire() throws Exception {
        try (RspServer s = server(true, TinyRv64Fixture.countingProgram());
             Socket raw = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            raw.setSoTimeout(5000);
            raw.getOutputStream().write(RspTestClient.frame("g").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = raw.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '#') {
                got.write(b);
            }
            String wire = got.toString(StandardCharsets.ISO_8859_1);
            assertTrue(wire, wire.contains("0*"));
            assertTrue(wire, wire.length() < 100);
            String expanded = RspTestClient.expandRunLength(wire.substring(2).getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(33 * 16, expanded.length());
        }
    }

    @Test(timeout = 20_000)
    public void oneClientAtATimeAndKillEndsTheSession() throws Exception {
        try (RspServer s = server(true, TinyRv64Fixture.countingProgram())) {
            try (RspTestClient first = new RspTestClient(s.port())) {
                assertEquals("QC1", first.request("qC"));
                try (Socket second = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
                    second.setSoTimeout(5000);
                    assertEquals("a second client is disconnected", -1, second.getInputStream().read());
                }
                assertEquals("1", first.request("qAttached"));
                first.sendRaw(RspTestClient.frame("k"));
                assertEquals('+', first.readByte());
                assertEquals(-1, readOrEnd(first));
            }
            // reconnecting at once is fine: the server lets the old session finish first
            try (RspTestClient next = new RspTestClient(s.port())) {
                assertEquals("QC1", next.request("qC"));
                assertEquals("OK", next.request("D"));
            }
        }
    }

    private static int readOrEnd(RspTestClient c) {
        try {
            return c.readByte();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test(timeout = 20_000)
    public void monitorOutputComesBackAsConsolePackets() throws Exception {
        try (RspServer s = server(true, TinyRv64Fixture.countingProgram()); RspTestClient c = new RspTestClient(s.port())) {
            String o = c.request("qRcmd," + Hex.encode("info replay"));
            assertTrue(o, o.startsWith("O"));
            assertEquals("Replaying execution 'fixture.rrlog': instruction count = 0\n",
                    new String(Hex.decode(o.substring(1)), StandardCharsets.UTF_8));
            assertEquals("OK", c.readPacket());
            String err = c.request("qRcmd," + Hex.encode("nope"));
            assertEquals("unknown command: 'nope'\n", new String(Hex.decode(err.substring(1)), StandardCharsets.UTF_8));
            assertEquals("E16", c.readPacket());
        }
    }

    @Test(timeout = 20_000)
    public void memoryReadsHaveNoSideEffectsAndStopAtUnmappedBytes() throws Exception {
        TinyRv64Fixture target = new TinyRv64Fixture(TinyRv64Fixture.countingProgram(), true);
        try (RspServer s = new RspServer(target)) {
            s.start();
            try (RspTestClient c = new RspTestClient(s.port())) {
                assertEquals("97020000", c.request("m80000000,4"));
                assertEquals("partial read up to the end of RAM", "0000", c.request("m80000ffe,4"));
                assertEquals("E0e", c.request("m0,4"));
                assertEquals("", c.request("m80000000,0"));
                assertEquals(0, target.icount());
                assertTrue(target.memoryReads >= 3);
            }
        }
    }
}
