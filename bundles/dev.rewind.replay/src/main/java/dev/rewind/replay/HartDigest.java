package dev.rewind.replay;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import dev.rewind.emulator.Csr;
import dev.rewind.emulator.VirtMachine;

/**
 * SHA-256 of the hart's architectural state: pc, x1..x31, privilege, the trap and translation
 * CSRs, icount and virtual time. Cheap enough to log every few million instructions, and a
 * divergence shows up in these registers within a few instructions of its cause in practice;
 * the full state (RAM included) is compared at the end of a recording.
 */
public final class HartDigest {

    /** The CSRs the emulator's table marks for the digest, in its digest order. */
    private static final int[] CSRS = Csr.digested();

    private final MessageDigest sha;
    private final byte[] buffer = new byte[8 * (3 + 31 + CSRS.length) + 4];

    public HartDigest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    public byte[] of(VirtMachine m) {
        int p = 0;
        p = put(p, m.icount());
        p = put(p, m.virtualNs());
        p = put(p, m.pc());
        for (int i = 1; i < 32; i++) {
            p = put(p, m.reg(i));
        }
        for (int csr : CSRS) {
            p = put(p, m.csr(csr).orElse(-1));
        }
        int priv = m.privilege();
        buffer[p++] = (byte) priv;
        buffer[p++] = 0;
        buffer[p++] = 0;
        buffer[p++] = 0;
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
