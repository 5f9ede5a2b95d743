package dev.rewind.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.rewind.replay.log.ReplayLogHeader;

/**
 * What a recorded machine is made of: the program, RAM size, icount shift and disk size. A
 * replay rebuilds the machine from the log header and refuses to start if anything differs,
 * naming the field, because a replay on another machine diverges at once.
 */
public record MachineSetup(Path program, long ramSize, int icountShift, long diskSectors) {

    /** The configuration in a canonical text form; its digest goes into the log header. */
    public String configText() {
        return "board=virt;isa=rv64imac_zicsr_zifencei;harts=1;ram=" + ramSize + ";icount-shift=" + icountShift
                + ";devices=uart16550a@0x10000000,clint@0x2000000,plic@0xc000000,sifive-test@0x100000,virtio-mmio-blk@0x10001000"
                + ";disk-sectors=" + diskSectors;
    }

    public byte[] configDigest() {
        return sha256().digest(configText().getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 of the program file. */
    public byte[] programSha256() throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(program)) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0;) {
                sha.update(buf, 0, n);
            }
        }
        return sha.digest();
    }

    /**
     * Checks that this machine is the one the log was recorded on.
     *
     * @throws ReplaySetupException naming the first field that differs
     */
    public void verify(ReplayLogHeader h) throws ReplaySetupException {
        if (!Files.isRegularFile(program)) {
            throw new ReplaySetupException("program " + program + " of the recording does not exist");
        }
        byte[] sha;
        try {
            sha = programSha256();
        } catch (IOException e) {
            throw new ReplaySetupException("cannot read program " + program + ": " + e.getMessage());
        }
        if (!MessageDigest.isEqual(sha, h.programSha256())) {
            throw new ReplaySetupException("program: " + program + " is not the program that was recorded (sha256 "
                    + HexFormat.of().formatHex(sha, 0, 8) + "..., the recording has " + h.programSha256Hex().substring(0, 16)
                    + "...)");
        }
        if (ramSize != h.ramSize()) {
            throw new ReplaySetupException("RAM size: the recording used " + h.ramSize() + " bytes, this machine has " + ramSize);
        }
        if (icountShift != h.icountShift()) {
            throw new ReplaySetupException("icount shift: the recording used " + h.icountShift() + ", this machine has " + icountShift);
        }
        if (!MessageDigest.isEqual(configDigest(), h.configDigest())) {
            throw new ReplaySetupException("machine configuration differs from the recording's (" + configText() + ")");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
