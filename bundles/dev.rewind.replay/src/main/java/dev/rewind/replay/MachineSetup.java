package dev.rewind.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.RtcConfig;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.log.ReplayLogHeader;

/**
 * What a recorded machine is made of: the boot files, RAM size, icount shift, disk size, harts and
 * the RTC's base and clock. A
 * replay rebuilds the machine from the log header and refuses to start if anything differs,
 * naming the field, because a replay on another machine diverges at once.
 */
public record MachineSetup(BootFiles boot, long ramSize, int icountShift, long diskSectors, int harts, RtcConfig rtc) {

    /** A machine with QEMU's default RTC. */
    public MachineSetup(BootFiles boot, long ramSize, int icountShift, long diskSectors, int harts) {
        this(boot, ramSize, icountShift, diskSectors, harts, RtcConfig.DEFAULT);
    }

    /** The RTC a header names (null: QEMU's default, as in logs from before {@code -rtc}). */
    public static RtcConfig rtc(ReplayLogHeader h) throws ReplaySetupException {
        try {
            return h.rtc() == null ? RtcConfig.DEFAULT : RtcConfig.parse(h.rtc());
        } catch (IllegalArgumentException e) {
            throw new ReplaySetupException("the recording's RTC setting is unreadable: " + e.getMessage());
        }
    }

    /** The RTC as a header stores it: null for the default, so older readers and digests see no change. */
    public String rtcText() {
        return rtc.isDefault() ? null : rtc.text();
    }

    /** The configuration in a canonical text form; its digest goes into the log header. */
    public String configText() {
        return "board=virt;isa=" + VirtMachine.ISA + ";harts=" + harts + ";ram=" + ramSize + ";icount-shift=" + icountShift
                + ";devices=uart16550a-fifo@0x10000000,clint@0x2000000,plic@0xc000000,sifive-test@0x100000,virtio-mmio-blk@0x10001000"
                + ";disk-sectors=" + diskSectors + ";state=" + MachineState.format()
                + (rtc.isDefault() ? "" : ";rtc=" + rtc.text());
    }

    public byte[] configDigest() {
        return sha256().digest(configText().getBytes(StandardCharsets.UTF_8));
    }

    /** The file whose symbols describe the run: the kernel, else the firmware. */
    public Path program() {
        return boot.program();
    }

    /** SHA-256 of the program file. */
    public byte[] programSha256() throws IOException {
        return sha256(program());
    }

    /**
     * SHA-256 of the program file, taken from {@code bootFiles} ({@link #bootFileDigests}) when the
     * program is one of them, as it always is (the kernel, else the firmware): it is read and
     * hashed once, not twice (hashing runs interpreted at start-up; a Linux kernel is ~30 MB).
     */
    public byte[] programSha256(List<ReplayLogHeader.BootFile> bootFiles) throws IOException {
        String path = program().toAbsolutePath().toString();
        for (ReplayLogHeader.BootFile f : bootFiles) {
            if (f.path().equals(path)) {
                return f.sha256().clone();
            }
        }
        return programSha256();
    }

    /** Every boot file with its absolute path and digest, for the log header. */
    public List<ReplayLogHeader.BootFile> bootFileDigests() throws IOException {
        List<ReplayLogHeader.BootFile> out = new ArrayList<>();
        for (Map.Entry<String, Path> f : boot.files()) {
            out.add(new ReplayLogHeader.BootFile(f.getKey(), f.getValue().toAbsolutePath().toString(), sha256(f.getValue())));
        }
        return out;
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
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
        // absolute path -> digest: the program is also a boot file, and is read once
        Map<String, byte[]> hashed = new TreeMap<>();
        check("program", program(), h.programSha256(), hashed);
        for (Map.Entry<String, Path> f : boot.files()) {
            for (ReplayLogHeader.BootFile recorded : h.bootFiles()) {
                if (recorded.role().equals(f.getKey())) {
                    check(f.getKey(), f.getValue(), recorded.sha256(), hashed);
                }
            }
        }
        if (ramSize != h.ramSize()) {
            throw new ReplaySetupException("RAM size: the recording used " + h.ramSize() + " bytes, this machine has " + ramSize);
        }
        if (harts != h.harts()) {
            throw new ReplaySetupException("harts (--smp): the recording used " + h.harts() + ", this machine has " + harts);
        }
        if (icountShift != h.icountShift()) {
            throw new ReplaySetupException("icount shift: the recording used " + h.icountShift() + ", this machine has " + icountShift);
        }
        if (!rtc.equals(rtc(h))) {
            throw new ReplaySetupException("RTC (-rtc): the recording used " + rtc(h).text() + ", this machine has " + rtc.text());
        }
        if (!MessageDigest.isEqual(configDigest(), h.configDigest())) {
            throw new ReplaySetupException("machine configuration differs from the recording's (" + configText() + ")");
        }
    }

    private static void check(String role, Path file, byte[] recorded, Map<String, byte[]> hashed) throws ReplaySetupException {
        if (!Files.isRegularFile(file)) {
            throw new ReplaySetupException(role + " " + file + " of the recording does not exist");
        }
        byte[] sha = hashed.get(file.toAbsolutePath().toString());
        try {
            if (sha == null) {
                sha = sha256(file);
                hashed.put(file.toAbsolutePath().toString(), sha);
            }
        } catch (IOException e) {
            throw new ReplaySetupException("cannot read " + role + " " + file + ": " + e.getMessage());
        }
        if (!MessageDigest.isEqual(sha, recorded)) {
            throw new ReplaySetupException(role + ": " + file + " is not the " + role + " that was recorded (sha256 "
                    + HexFormat.of().formatHex(sha, 0, 8) + "..., the recording has "
                    + HexFormat.of().formatHex(recorded).substring(0, 16) + "...)");
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
