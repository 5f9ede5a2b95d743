package dev.rewind.gdbstub;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.Test;

public class TargetDescriptionTest {

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    @Test
    public void aHartWithFAndDDescribesTheFpuFeatureWithFlen8AndFcsrOnce() {
        String x = new String(TargetDescription.xml(new int[] {0x001, 0x002, 0x003, 0x300}, true), StandardCharsets.US_ASCII);
        assertTrue(x.contains("<feature name=\"org.gnu.gdb.riscv.fpu\">"));
        assertTrue(x.contains("<reg name=\"ft0\" bitsize=\"64\" regnum=\"33\" type=\"riscv_double\"/>"));
        assertTrue(x.contains("<reg name=\"ft11\" bitsize=\"64\" regnum=\"64\" type=\"riscv_double\"/>"));
        assertEquals(1, count(x, "name=\"fflags\""));
        assertEquals(1, count(x, "regnum=\"68\""));
        assertTrue(x.contains("<reg name=\"mstatus\""));
    }

    @Test
    public void aHartWithoutFpuHasNoFpuFeature() {
        String x = new String(TargetDescription.xml(new int[] {0x300}), StandardCharsets.US_ASCII);
        assertFalse(x.contains("riscv.fpu"));
    }
}
