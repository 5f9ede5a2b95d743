package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IVariable;
import org.junit.Test;

import dev.rewind.debug.core.model.ReplayStackFrame;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.RewindAddressBreakpoint;

/**
 * An RV64GC program (guests/fpdebug, built with the toolchain's default flags) in the Eclipse
 * debug model: the Registers view's floating-point group (f0-f31, fflags, frm, fcsr) and a
 * {@code double} parameter whose DWARF location is fa0 in the Variables view.
 */
public class FloatingPointInTheDebugModelTest {

    @Test
    public void theRegistersHaveAFloatingPointGroupAndADoubleInFa0ShowsInVariables() throws Exception {
        Path elf = Guests.elf("fpdebug");
        Path dir = Files.createTempDirectory("rewind-fp");
        Path recording = dir.resolve("fpdebug.rrlog");
        Launches.awaitTerminated(Launches.record("record fpdebug", elf, recording).launch(ILaunchManager.RUN_MODE, null));
        ILaunch launch = Launches.replay("replay fpdebug", elf, recording).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) launch.getDebugTarget();
        RewindAddressBreakpoint bp = RewindAddressBreakpoint.create(target.symbols().symbol("area").value());
        try {
            target.resume();
            Launches.awaitSuspended(target);
            ReplayStackFrame top = (ReplayStackFrame) target.hart().getTopStackFrame();
            assertEquals("area", top.function());
            IRegisterGroup fp = null;
            for (IRegisterGroup g : top.getRegisterGroups()) {
                if (g.getName().equals("Floating-Point Registers")) {
                    fp = g;
                }
            }
            assertNotNull("a floating-point register group", fp);
            IRegister[] regs = fp.getRegisters();
            assertEquals("f0-f31, fflags, frm, fcsr", 35, regs.length);
            assertEquals("f10 (fa0)", regs[10].getName());
            String fa0 = regs[10].getValue().getValueString();
            assertTrue(fa0, fa0.startsWith("0x3fe0000000000000 (double 0.5"));
            assertEquals("fcsr", regs[34].getName());
            String r = null;
            for (IVariable v : top.getVariables()) {
                if (v.getName().equals("r")) {
                    r = v.getValue().getValueString();
                }
            }
            assertEquals("the double parameter r, in fa0", "0.5", r);
        } finally {
            bp.delete();
            launch.terminate();
        }
    }
}
