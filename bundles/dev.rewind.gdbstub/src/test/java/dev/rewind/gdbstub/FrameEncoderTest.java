package dev.rewind.gdbstub;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.Test;

public class FrameEncoderTest {

    @Test
    public void framesCarryTheirChecksum() {
        assertEquals("$OK#9a", new String(FrameEncoder.frame("OK", false), StandardCharsets.ISO_8859_1));
        assertEquals("$#00", new String(FrameEncoder.frame("", true), StandardCharsets.ISO_8859_1));
    }

    @Test
    public void runLengthEncodesLongRunsAndAvoidsHashAndDollarCounts() {
        for (int n = 1; n < 300; n++) {
            String payload = "x" + "0".repeat(n) + "y";
            byte[] encoded = FrameEncoder.runLengthEncode(payload.getBytes(StandardCharsets.ISO_8859_1));
            String e = new String(encoded, StandardCharsets.ISO_8859_1);
            assertFalse(e, e.contains("*#") || e.contains("*$"));
            for (byte b : encoded) {
                assertTrue((b & 0xff) <= '~');
            }
            assertEquals(payload, RspTestClient.expandRunLength(encoded));
            if (n >= 8) {
                assertTrue("run of " + n + " should shrink", encoded.length < payload.length());
            }
        }
    }

    @Test
    public void encodedFramesDecodeToTheSamePayload() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] data = new byte[random.nextInt(200)];
            for (int k = 0; k < data.length; k++) {
                // few distinct values so runs are common
                data[k] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : '0');
            }
            byte[] escaped = FrameEncoder.escapeBinary(data, 0, data.length);
            byte[] wire = FrameEncoder.frame(escaped, true);
            FrameDecoder d = new FrameDecoder(4096);
            Frame f = null;
            for (byte b : wire) {
                Frame g = d.feed(b);
                if (g != null) {
                    f = g;
                }
            }
            assertEquals(Frame.Kind.PACKET, f.kind());
            assertArrayEquals(escaped, f.payload());
        }
    }

    @Test
    public void escapedBinaryUnescapesToTheSameBytes() throws Exception {
        byte[] data = {'#', '$', '}', '*', 0, (byte) 0xff, 'a'};
        byte[] escaped = FrameEncoder.escapeBinary(data, 0, data.length);
        assertEquals(data.length + 4, escaped.length);
        assertArrayEquals(data, FrameEncoder.unescapeBinary(escaped, 0, escaped.length));
    }
}
