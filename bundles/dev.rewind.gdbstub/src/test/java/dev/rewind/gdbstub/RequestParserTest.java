package dev.rewind.gdbstub;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import org.junit.Test;

public class RequestParserTest {

    private static Request parse(String s) throws MalformedPacketException {
        return RequestParser.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void assertMalformed(String s) {
        try {
            Request r = parse(s);
            fail(s + " parsed as " + r);
        } catch (MalformedPacketException expected) {
            // the server answers these with an error reply
        }
    }

    @Test
    public void memoryPacketsParseWithHexAndBinaryData() throws Exception {
        assertEquals(new Request.ReadMemory(0x80000000L, 16), parse("m80000000,10"));
        Request.WriteMemory w = (Request.WriteMemory) parse("M80000000,2:beef");
        assertEquals(0x80000000L, w.address());
        assertArrayEquals(new byte[] {(byte) 0xbe, (byte) 0xef}, w.data());
        Request.WriteMemory x = (Request.WriteMemory) parse("X10,2:}\u0003a");
        assertArrayEquals(new byte[] {'#', 'a'}, x.data());
        assertEquals(0, ((Request.WriteMemory) parse("X10,0:")).data().length);
        assertEquals(new Request.ReadMemory(-1L, 1), parse("mffffffffffffffff,1"));
    }

    @Test
    public void registerPacketsParseWithTheirNumbersAndValues() throws Exception {
        assertEquals(new Request.ReadRegister(0x20), parse("p20"));
        Request.WriteRegister p = (Request.WriteRegister) parse("P1041=0300000000000000");
        assertEquals(4161, p.regnum());
        assertEquals(3, Hex.littleEndian(p.value()));
        assertTrue(parse("g") instanceof Request.ReadAllRegisters);
    }

    @Test
    public void resumePacketsParseIntoTheirModes() throws Exception {
        assertEquals(Request.Resume.of(ResumeMode.CONTINUE, null), parse("c"));
        assertEquals(Request.Resume.of(ResumeMode.STEP, 0x80000010L), parse("s80000010"));
        assertEquals(Request.Resume.of(ResumeMode.CONTINUE, null), parse("C05"));
        assertEquals(Request.Resume.of(ResumeMode.STEP, 0x10L), parse("S05;10"));
        assertEquals(Request.Resume.of(ResumeMode.REVERSE_STEP, null), parse("bs"));
        assertEquals(Request.Resume.of(ResumeMode.REVERSE_CONTINUE, null), parse("bc"));
        // the leftmost action, with the thread it names (the session checks that the thread exists)
        assertEquals(new Request.Resume(ResumeMode.STEP, null, 0, 0, 1), parse("vCont;s:1;c"));
        assertEquals(new Request.Resume(ResumeMode.STEP, null, 0, 0, 2), parse("vCont;s:2;c"));
        assertEquals(Request.Resume.of(ResumeMode.CONTINUE, null), parse("vCont;c:-1"));
        // one thread resumed alone: gdb means the others to stay stopped
        assertEquals(new Request.Resume(ResumeMode.CONTINUE, null, 0, 0, 3, true), parse("vCont;c:3"));
        assertFalse(((Request.Resume) parse("vCont;c:3;c")).alone());
        assertFalse(((Request.Resume) parse("vCont;c")).alone());
        assertFalse(((Request.Resume) parse("c")).alone());
        Request.Resume range = (Request.Resume) parse("vCont;r80000000,80000010:1");
        assertTrue(range.isRangeStep());
        assertNull(range.newPc());
    }

    @Test
    public void breakpointPacketsParseIntoInsertAndRemove() throws Exception {
        assertEquals(new Request.Breakpoint(true, BreakpointType.SOFTWARE, 0x80000014L, 4), parse("Z0,80000014,4"));
        assertEquals(new Request.Breakpoint(false, BreakpointType.ACCESS_WATCH, 0x100L, 8), parse("z4,100,8"));
        assertEquals(new Request.Breakpoint(true, BreakpointType.HARDWARE, 0x100L, 2), parse("Z1,100,2;X2,0a"));
        assertTrue(parse("Z7,100,4") instanceof Request.Unsupported);
    }

    @Test
    public void queryPacketsParseIntoTheirRequests() throws Exception {
        Request.QuerySupported q = (Request.QuerySupported) parse("qSupported:multiprocess+;swbreak+;xmlRegisters=i386");
        assertTrue(q.gdbFeatures().contains("swbreak+"));
        assertEquals(new Request.ReadFeatures("target.xml", 0, 0xffb), parse("qXfer:features:read:target.xml:0,ffb"));
        assertEquals(new Request.Monitor("info replay"), parse("qRcmd,696e666f207265706c6179"));
        assertEquals(new Request.SetThread('g', 0), parse("Hg0"));
        assertEquals(new Request.SetThread('c', -1), parse("Hc-1"));
        assertTrue(parse("qAttached:1") instanceof Request.QueryAttached);
        assertTrue(parse("qTStatus") instanceof Request.Unsupported);
        assertTrue(parse("vMustReplyEmpty") instanceof Request.Unsupported);
    }

    @Test
    public void malformedPacketsAreRejected() {
        for (String s : new String[] {
            "mzz,4", "m100", "m100,", "m,4", "m12345678901234567,1", "Mzz,1:00", "M100,2:00", "M100,1:0g",
            "X100,2:a", "X100", "pxyz", "p", "P20", "P20=", "P20=123", "P20=001122334455667788", "G123",
            "Z0,100", "Zq,100,4", "Z0,1g0,4", "vCont;", "vCont;x", "vCont;c:zz", "C5", "Sxx",
            "qRcmd,6", "qRcmd,zz", "qXfer:features:read:target.xml:0", "Hg", "Tq", "?x", "gg", "cxyz", "D1", "D;", "D;1g", "z1,80000000,3;;u", "Z0,10,4;",
        }) {
            assertMalformed(s);
        }
    }
}
