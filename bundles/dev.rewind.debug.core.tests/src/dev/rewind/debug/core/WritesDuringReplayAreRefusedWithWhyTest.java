package dev.rewind.debug.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IMemoryBlock;
import org.eclipse.debug.core.model.IMemoryBlockExtension;
import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IStackFrame;
import org.eclipse.debug.core.model.IVariable;
import org.junit.Test;

import dev.rewind.debug.core.model.ReplayRegister;
import dev.rewind.debug.core.model.ReplayTarget;

/**
 * Editing a register, a CSR field, a variable or memory in the Registers, Variables or Memory
 * view of a replay is refused with a message that says why (history is read-only), as gdb's
 * writes are: each element supports modification, so the views pass the edit on (Eclipse's
 * variable cell editor calls verifyValue, then setValue, and shows a DebugException's message in
 * an error dialog; a variable without modification support would drop the edit silently), and
 * setValue throws with that message and no cause (no stack trace in the dialog). The values stay
 * what they were.
 */
public class WritesDuringReplayAreRefusedWithWhyTest {

    @Test
    public void registersVariablesAndMemoryRefuseEditsSayingHistoryIsReadOnly() throws Exception {
        Path elf = Guests.elf("sample");
        Path rec = Files.createTempDirectory("rewind-readonly").resolve("sample.rrlog");
        Launches.awaitTerminated(Launches.record("record read-only", elf, rec).launch(ILaunchManager.RUN_MODE, null));
        ILaunch launch = Launches.replay("replay read-only", elf, rec).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget t = (ReplayTarget) launch.getDebugTarget();
        try {
            t.seek(t.endIcount() / 2);
            Launches.awaitSuspended(t);
            IStackFrame frame = t.hart().getTopStackFrame();
            List<IVariable> edited = new ArrayList<>();
            for (IRegisterGroup g : frame.getRegisterGroups()) {
                for (IRegister r : g.getRegisters()) {
                    if (r.getName().equals("x10 (a0)") || r.getName().equals("pc") || r.getName().equals("mstatus")) {
                        edited.add(r);
                        for (IVariable field : r.getValue().getVariables()) {
                            edited.add(field); // mstatus's fields
                        }
                    }
                }
            }
            for (IVariable v : frame.getVariables()) {
                edited.add(v);
            }
            assertTrue("a0, pc, mstatus and its fields: " + edited.size(), edited.size() > 4);
            for (IVariable v : edited) {
                String before = v.getValue().getValueString();
                assertTrue(v.getName(), v.supportsValueModification());
                assertTrue(v.getName(), v.verifyValue("0x1234"));
                assertRefused(v.getName(), () -> v.setValue("0x1234"));
                assertRefused(v.getName(), () -> v.setValue(v.getValue()));
                assertEquals(v.getName(), before, v.getValue().getValueString());
            }

            long sp = ((ReplayRegister) register(frame, "x2 (sp)")).longValue();
            IMemoryBlock block = t.getMemoryBlock(sp, 16);
            byte[] bytes = block.getBytes();
            assertTrue(block.supportsValueModification());
            assertRefused("memory block", () -> block.setValue(0, new byte[] {1, 2}));
            assertArrayEquals(bytes, t.getMemoryBlock(sp, 16).getBytes());
            IMemoryBlockExtension ext = t.getExtendedMemoryBlock("0x" + Long.toHexString(sp), t);
            assertTrue(ext.supportsValueModification());
            assertRefused("memory rendering", () -> ext.setValue(BigInteger.ZERO, new byte[] {1, 2}));
            assertRefused("memory rendering", () -> ext.setValue(0, new byte[] {1, 2}));
            assertArrayEquals(bytes, t.getMemoryBlock(sp, 16).getBytes());
        } finally {
            launch.terminate();
        }
    }

    private interface Edit {
        void run() throws DebugException;
    }

    private static void assertRefused(String what, Edit edit) {
        try {
            edit.run();
            fail(what + ": the edit was accepted");
        } catch (DebugException e) {
            IStatus s = e.getStatus();
            assertEquals(what, IStatus.ERROR, s.getSeverity());
            assertTrue(what + ": " + s.getMessage(), s.getMessage().contains("history is read-only"));
            assertTrue(what + ": " + s.getMessage(), s.getMessage().startsWith("Cannot change "));
            assertNull(what + ": a cause would put a stack trace in the dialog", s.getException());
        }
    }

    private static IRegister register(IStackFrame frame, String name) throws DebugException {
        for (IRegisterGroup g : frame.getRegisterGroups()) {
            for (IRegister r : g.getRegisters()) {
                if (r.getName().equals(name)) {
                    return r;
                }
            }
        }
        throw new AssertionError("no register " + name);
    }
}
