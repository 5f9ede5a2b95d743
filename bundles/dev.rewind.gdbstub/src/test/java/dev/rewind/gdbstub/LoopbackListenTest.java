package dev.rewind.gdbstub;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;
import org.junit.Test;

public class LoopbackListenTest {

    @Test
    public void defaultServerListensOnLoopbackOnly() throws Exception {
        try (RspServer s = new RspServer(new TinyRv64Fixture(TinyRv64Fixture.countingProgram(), true))) {
            s.start();
            InetSocketAddress bound = s.localAddress();
            assertTrue(bound.toString(), bound.getAddress().isLoopbackAddress());
            assertTrue(s.port() > 0);
            // every non-loopback address of this host must refuse the connection
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a.isLoopbackAddress() || !(a instanceof Inet4Address)) {
                        continue;
                    }
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(a, s.port()), 1000);
                        fail("server reachable on " + a);
                    } catch (java.io.IOException expected) {
                        // refused: good
                    }
                }
            }
        }
    }

    @Test
    public void listenAddressesParseToLoopbackUnlessAHostIsGiven() {
        assertTrue(ListenAddress.parse("1234").getAddress().isLoopbackAddress());
        assertEquals(1234, ListenAddress.parse("1234").getPort());
        assertTrue(ListenAddress.parse(":0").getAddress().isLoopbackAddress());
        assertEquals("0.0.0.0", ListenAddress.parse("0.0.0.0:5555").getAddress().getHostAddress());
        assertEquals(5555, ListenAddress.parse("0.0.0.0:5555").getPort());
        assertTrue(ListenAddress.parse("[::1]:7").getAddress().isLoopbackAddress());
        for (String bad : new String[] {"", "host", "1.2.3.4:", "1.2.3.4:99999", "::1:5", "[::1]5", "x:-1"}) {
            try {
                ListenAddress.parse(bad);
                fail("accepted '" + bad + "'");
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("--listen"));
            }
        }
    }

    @Test
    public void explicitListenAddressIsHonoured() throws Exception {
        try (RspServer s = new RspServer(new TinyRv64Fixture(TinyRv64Fixture.countingProgram(), true),
                ListenAddress.parse("0.0.0.0:0"))) {
            s.start();
            assertTrue(s.localAddress().getAddress().isAnyLocalAddress());
            try (RspTestClient c = new RspTestClient(s.port())) {
                assertEquals("QC1", c.request("qC"));
            }
        }
    }
}
