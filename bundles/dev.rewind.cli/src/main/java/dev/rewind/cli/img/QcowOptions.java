package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import dev.rewind.qcow2.Qcow2Image;

/** The {@code -o key=value,...} creation options we support, as qemu-img spells them. */
final class QcowOptions {

    private QcowOptions() {
    }

    static Qcow2Image.CreateOptions apply(Qcow2Image.CreateOptions opts, String spec) throws CliException {
        for (String kv : spec.split(",")) {
            if (kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq < 0) {
                throw new CliException("option '" + kv + "' needs a value (key=value)");
            }
            String key = kv.substring(0, eq).trim();
            String val = kv.substring(eq + 1).trim();
            switch (key) {
                case "cluster_size" -> {
                    long cs = HumanSize.parse(val);
                    if (cs < 512 || cs > (2 << 20) || Long.bitCount(cs) != 1) {
                        throw new CliException("cluster size must be a power of two between 512 and 2M");
                    }
                    opts = opts.withClusterSize((int) cs);
                }
                case "compat" -> opts = switch (val) {
                    case "0.10", "v2" -> opts.withVersion(2);
                    case "1.1", "v3" -> opts.withVersion(3);
                    default -> throw new CliException("compat must be 0.10 or 1.1 (got '" + val + "')");
                };
                case "refcount_bits" -> {
                    if (!val.equals("16")) {
                        throw new CliException("only refcount_bits=16 is written");
                    }
                }
                default -> throw new CliException("unsupported option '" + key + "' (cluster_size, compat)");
            }
        }
        return opts;
    }
}
