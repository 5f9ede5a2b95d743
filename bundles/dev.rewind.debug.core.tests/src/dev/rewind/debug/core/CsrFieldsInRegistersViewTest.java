package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IVariable;
import org.junit.Test;

import dev.rewind.debug.core.model.ReplayRegister;
import dev.rewind.debug.core.model.ReplayTarget;

/**
 * The Registers view's CSR groups come from the emulator's CSR table, and the CSRs read field
 * by field show their named fields: mstatus (MPP, MIE, ...), mcause with its meaning, mip/mie
 * (MTI, MEI, ...) and satp (MODE, ASID, PPN), each consistent with the register's value.
 */
public class CsrFieldsInRegistersViewTest {

    @Test
    public void csrGroupsShowNamedFieldsOfMstatusMcauseMipMieAndSatp() throws Exception {
        Path elf = Guests.elf("sample");
        Path rec = Files.createTempDirectory("rewind-csr").resolve("sample.rrlog");
        Launches.awaitTerminated(Launches.record("record csr", elf, rec).launch(ILaunchManager.RUN_MODE, null));
        ILaunch launch = Launches.replay("replay csr", elf, rec).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget t = (ReplayTarget) launch.getDebugTarget();
        try {
            t.seek(t.endIcount() / 2);
            Launches.awaitSuspended(t);
            Map<String, ReplayRegister> csrs = new TreeMap<>();
            Map<String, String> groupOf = new TreeMap<>();
            for (IRegisterGroup g : t.hart().getTopStackFrame().getRegisterGroups()) {
                for (IRegister r : g.getRegisters()) {
                    csrs.put(r.getName(), (ReplayRegister) r);
                    groupOf.put(r.getName(), g.getName());
                }
            }
            assertEquals("Machine CSRs", groupOf.get("mstatus"));
            assertEquals("Supervisor CSRs", groupOf.get("satp"));
            assertEquals("Physical Memory Protection", groupOf.get("pmpaddr0"));
            long mstatus = csrs.get("mstatus").longValue();
            assertEquals(Long.toString((mstatus >>> 11) & 3), field(csrs.get("mstatus"), "MPP [12:11]").split(" ")[0]);
            assertEquals(Long.toString((mstatus >>> 3) & 1), field(csrs.get("mstatus"), "MIE [3]"));
            assertEquals("2 (64)", field(csrs.get("mstatus"), "UXL [33:32]"));
            for (String interrupts : new String[] {"mip", "mie"}) {
                long v = csrs.get(interrupts).longValue();
                assertEquals(Long.toString((v >>> 7) & 1), field(csrs.get(interrupts), "MTI [7]"));
                assertEquals(Long.toString((v >>> 11) & 1), field(csrs.get(interrupts), "MEI [11]"));
            }
            assertEquals("0 (Bare)", field(csrs.get("satp"), "MODE [63:60]"));
            assertNotNull(field(csrs.get("satp"), "PPN [43:0]"));
            String mcause = csrs.get("mcause").getValueString();
            assertTrue(mcause, mcause.contains("exception ") || mcause.contains("interrupt "));
            assertNotNull(field(csrs.get("mcause"), "Interrupt [63]"));
        } finally {
            launch.terminate();
        }
    }

    private static String field(ReplayRegister r, String name) throws Exception {
        for (IVariable v : r.getVariables()) {
            if (v.getName().equals(name)) {
                return v.getValue().getValueString();
            }
        }
        throw new AssertionError(r.getName() + " has no field " + name);
    }
}
