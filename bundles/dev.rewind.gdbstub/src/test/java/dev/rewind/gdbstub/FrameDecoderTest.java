package dev.rewind.gdbstub;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class FrameDecoderTest {

    private static List<Frame> feed(FrameDecoder d, String bytes) {
        List<Frame> out = new ArrayList<>();
        for (byte b : bytes.getBytes(StandardCharsets.ISO_8859_1)) {
            Frame f = d.feed(b);
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    private static Frame only(String bytes) {
        List<Frame> frames = feed(new FrameDecoder(64), bytes);
        assertEquals(frames.toString(), 1, frames.size());
        return frames.get(0);
    }

    @Test
    public void decodesPacketWithCorrectChecksum() {
        Frame f = only("$qSupported#37");
        assertEquals(Frame.Kind.PACKET, f.kind());
        assertEquals("qSupported", f.text());
    }

    @Test
    public void checksumDigitsMayBeUpperCase() {
        assertEquals(Frame.Kind.PACKET, only("$g#67").kind());
        assertEquals("m0,4", only("$m0,4#FD".replace("FD", Integer.toHexString(sum("m0,4")).toUpperCase())).text());
    }

    @Test
    public void wrongChecksumIsReported() {
        assertEquals(Frame.Kind.BAD_CHECKSUM, only("$g#68").kind());
        assertEquals(Frame.Kind.BAD_CHECKSUM, only("$g#6z").kind());
    }

    @Test
    public void acksAndInterruptOutsidePackets() {
        List<Frame> frames = feed(new FrameDecoder(64), "+-\u0003xyz");
        assertEquals(3, frames.size());
        assertEquals(Frame.Kind.ACK, frames.get(0).kind());
        assertEquals(Frame.Kind.NACK, frames.get(1).kind());
        assertEquals(Frame.Kind.INTERRUPT, frames.get(2).kind());
    }

    @Test
    public void dollarInsidePacketRestartsIt() {
        List<Frame> frames = feed(new FrameDecoder(64), "$m12,$g#67");
        assertEquals(1, frames.size());
        assertEquals("g", frames.get(0).text());
    }

    @Test
    public void dollarInChecksumReportsBadFrameThenReadsNextPacket() {
        List<Frame> frames = feed(new FrameDecoder(64), "$g#6$g#67");
        assertEquals(2, frames.size());
        assertEquals(Frame.Kind.BAD_CHECKSUM, frames.get(0).kind());
        assertEquals("g", frames.get(1).text());
    }

    @Test
    public void runLengthIsExpandedAndChecksummedRaw() {
        // "0* " = '0' plus 3 more ("* " is 32-29 = 3 repeats)
        String raw = "G0* 1";
        Frame f = only("$" + raw + "#" + String.format("%02x", sum(raw)));
        assertEquals("G00001", f.text());
    }

    @Test
    public void runLengthWithoutPreviousCharIsMalformed() {
        String raw = "* ";
        assertEquals(Frame.Kind.MALFORMED, only("$" + raw + "#" + String.format("%02x", sum(raw))).kind());
    }

    @Test
    public void escapesStayInPayloadForThePacketToInterpret() {
        String raw = "X0,1:}\u0003";
        Frame f = only("$" + raw + "#" + String.format("%02x", sum(raw)));
        assertArrayEquals(raw.getBytes(StandardCharsets.ISO_8859_1), f.payload());
    }

    @Test
    public void oversizedPacketIsReportedOnceWithValidChecksum() {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            big.append('a');
        }
        assertEquals(Frame.Kind.OVERSIZED, only("$" + big + "#" + String.format("%02x", sum(big.toString()))).kind());
    }

    @Test
    public void decoderRecoversAfterEveryErrorKind() {
        FrameDecoder d = new FrameDecoder(8);
        feed(d, "$aaaaaaaaaaaa#00$* #4a$g#00junk");
        List<Frame> frames = feed(d, "$g#67");
        assertEquals(1, frames.size());
        assertEquals("g", frames.get(0).text());
        assertNull(d.feed('x'));
    }

    static int sum(String s) {
        int sum = 0;
        for (char c : s.toCharArray()) {
            sum += c;
        }
        return sum & 0xff;
    }
}
