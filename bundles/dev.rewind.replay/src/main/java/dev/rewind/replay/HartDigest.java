package dev.rewind.replay;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import dev.rewind.emulator.Csr;
import dev.rewind.emulator.DebugView;
import dev.rewind.emulator.VirtMachine;

/**
 * SHA-256 of the harts' architectural state: icount and virtual time, then for each hart in id
 * order pc, x1..x31, the trap and translation CSRs and privilege (with one hart, the same bytes
 * as before there were several). Cheap enough to log every few million instructions, and a
 * divergence shows up in these registers within a few instructions of its cause in practice;
 * the full state (RAM included) is compared at the end of a recording.
 */
public final class HartDigest {

    /** The CSRs the emulator's table marks for the digest, in its digest order. */
    private static final int[] CSRS = Csr.digested();

    private static final int PER_HART = 8 * (1 + 31 + CSRS.length) + 4;

    private final MessageDigest sha;
    private byte[] buffer = new byte[16 + PER_HART];

    public HartDigest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    public byte[] of(VirtMachine m) {
        if (buffer.length != 16 + PER_HART * m.harts()) {
            buffer = new byte[16 + PER_HART * m.harts()];
        }
        int p = 0;
        p = put(p, m.icount());
        p = put(p, m.virtualNs());
        for (int h = 0; h < m.harts(); h++) {
            DebugView hart = m.hart(h);
            p = put(p, hart.pc());
            for (int i = 1; i < 32; i++) {
                p = put(p, hart.reg(i));
            }
            for (int csr : CSRS) {
                p = put(p, hart.csr(csr).orElse(-1));
            }
            buffer[p++] = (byte) hart.privilege();
            buffer[p++] = 0;
            buffer[p++] = 0;
            buffer[p++] = 0;
        }
        sha.reset();
        sha.update(buffer, 0, p);
        return sha.digest();
    }

    private int put(int p, long v) {
        for (int i = 7; i >= 0; i--) {
            buffer[p++] = (byte) (v >>> (8 * i));
        }
        return p;
    }
}
