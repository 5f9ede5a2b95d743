package dev.rewind.emulator;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/**
 * Where the goldfish RTC starts and which clock moves it: QEMU's
 * {@code -rtc [base=utc|localtime|DATETIME][,clock=host|vm][,driftfix=none|slew]}.
 *
 * <ul>
 * <li>{@code base=utc} (default): the RTC starts at the host's time (UTC) when the guest first
 *     reads it; {@code localtime}: the host's local time; {@code DATETIME}
 *     ({@code 2006-06-17T16:01:21} or {@code 2006-06-17}, UTC): that moment, when the machine
 *     starts (at virtual time 0).</li>
 * <li>{@code clock=host} (default): the RTC follows the host's clock, read at every TIME_LOW read
 *     through {@link InputPort#hostClockNs} (a recorder logs each value); {@code clock=vm}: it
 *     follows virtual time (icount), so with a DATETIME base it is a pure function of icount and
 *     two recordings of the same inputs are identical. With {@code base=utc}/{@code localtime} and
 *     {@code clock=vm} the host's time is read once, through the port, at the first access.</li>
 * <li>{@code driftfix} only concerns the PC's mc146818 RTC; it is accepted and has no effect, as
 *     on QEMU's virt machine. QEMU's {@code clock=rt} (the host's monotonic clock) is refused:
 *     the input port carries the host's wall clock only.</li>
 * </ul>
 * With {@code clock=host} and a DATETIME base the RTC reads the base plus the virtual time run
 * until its first read, then moves with the host's clock. QEMU refuses {@code base=localtime} with
 * record/replay (the host's time zone is not a logged input); {@link #replayable()} says so.
 */
public final class RtcConfig {

    public enum Base { UTC, LOCALTIME, DATETIME }

    public enum Clock { HOST, VM }

    /** QEMU's default: {@code base=utc,clock=host}. */
    public static final RtcConfig DEFAULT = new RtcConfig(Base.UTC, 0, Clock.HOST);

    /**
     * The DATETIME formats, built on first use: java.time's formatter classes take ~10 ms of
     * class initialisation at start-up, which every command paid for QEMU's default, utc.
     */
    private static final class Formats {
        static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
                .withResolverStyle(ResolverStyle.STRICT);
        static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd")
                .withResolverStyle(ResolverStyle.STRICT);
    }

    private final Base base;
    /** Seconds since the epoch (UTC) of a DATETIME base; 0 otherwise. */
    private final long baseSeconds;
    private final Clock clock;

    private RtcConfig(Base base, long baseSeconds, Clock clock) {
        this.base = base;
        this.baseSeconds = baseSeconds;
        this.clock = clock;
    }

    /** A DATETIME base ({@code seconds} since the epoch, UTC) moved by {@code clock}. */
    public static RtcConfig at(long seconds, Clock clock) {
        return new RtcConfig(Base.DATETIME, seconds, clock);
    }

    /**
     * Parses QEMU's {@code -rtc} value, e.g. {@code base=2026-01-01T00:00:00,clock=vm}.
     *
     * @throws IllegalArgumentException naming the key and the values it takes
     */
    public static RtcConfig parse(String text) {
        Base base = Base.UTC;
        long seconds = 0;
        Clock clock = Clock.HOST;
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("-rtc needs base=utc|localtime|DATETIME and/or clock=host|vm, got nothing");
        }
        for (String part : text.split(",", -1)) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            switch (key) {
                case "base" -> {
                    if (value.equals("utc")) {
                        base = Base.UTC;
                    } else if (value.equals("localtime")) {
                        base = Base.LOCALTIME;
                    } else {
                        base = Base.DATETIME;
                        seconds = parseDatetime(value);
                    }
                }
                case "clock" -> clock = switch (value) {
                    case "host" -> Clock.HOST;
                    case "vm" -> Clock.VM;
                    case "rt" -> throw new IllegalArgumentException("-rtc clock=rt (the host's monotonic clock) is not"
                            + " supported: use clock=host (the host's time, logged when recording) or clock=vm (virtual"
                            + " time, deterministic)");
                    default -> throw new IllegalArgumentException("-rtc clock='" + value + "' is invalid: use clock=host"
                            + " or clock=vm");
                };
                case "driftfix" -> {
                    if (!value.equals("none") && !value.equals("slew")) {
                        throw new IllegalArgumentException("-rtc driftfix='" + value + "' is invalid: use none or slew");
                    }
                }
                default -> throw new IllegalArgumentException("-rtc: invalid parameter '" + key
                        + "' (parameters: base=utc|localtime|DATETIME, clock=host|vm, driftfix=none|slew)");
            }
        }
        return new RtcConfig(base, seconds, clock);
    }

    /** The RTC counts unsigned 64-bit ns from the epoch: a base from 1970 to 2200 leaves centuries to run. */
    private static final long MAX_BASE_SECONDS = 7_258_118_400L; // 2200-01-01T00:00:00Z

    private static long parseDatetime(String value) {
        long s;
        try {
            s = LocalDateTime.parse(value, Formats.DATETIME).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException notDateTime) {
            try {
                s = LocalDate.parse(value, Formats.DATE).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
            } catch (DateTimeParseException notDate) {
                throw new IllegalArgumentException("-rtc base='" + value + "' is neither utc, localtime nor a valid date:"
                        + " valid formats are '2006-06-17T16:01:21' and '2006-06-17'");
            }
        }
        if (s < 0 || s >= MAX_BASE_SECONDS) {
            throw new IllegalArgumentException("-rtc base='" + value + "' is out of range: the RTC counts from"
                    + " 1970-01-01 and a base must be before 2200-01-01");
        }
        return s;
    }

    public Base base() {
        return base;
    }

    public Clock clock() {
        return clock;
    }

    /** Seconds since the epoch of a DATETIME base. */
    public long baseSeconds() {
        return baseSeconds;
    }

    /** True unless the base is the host's local time (its time zone would not be in a recording). */
    public boolean replayable() {
        return base != Base.LOCALTIME;
    }

    /** True when the RTC never reads the host's clock: a DATETIME base moved by virtual time. */
    public boolean deterministic() {
        return base == Base.DATETIME && clock == Clock.VM;
    }

    /**
     * The RTC's value at virtual time 0 in ns since the epoch, given the host's time {@code hostNs}
     * read at virtual time {@code virtualNs} (unused for a DATETIME base).
     */
    long startNs(long hostNs, long virtualNs) {
        return switch (base) {
            case DATETIME -> baseSeconds * 1_000_000_000L;
            case UTC -> hostNs - virtualNs;
            case LOCALTIME -> hostNs - virtualNs + ZoneId.systemDefault().getRules()
                    .getOffset(java.time.Instant.ofEpochSecond(Math.floorDiv(hostNs, 1_000_000_000L))).getTotalSeconds()
                    * 1_000_000_000L;
        };
    }

    /** The canonical {@code -rtc} text, e.g. {@code base=2026-01-01T00:00:00,clock=vm}; {@link #parse} reads it back. */
    public String text() {
        String b = switch (base) {
            case UTC -> "utc";
            case LOCALTIME -> "localtime";
            case DATETIME -> LocalDateTime.ofEpochSecond(baseSeconds, 0, ZoneOffset.UTC).format(Formats.DATETIME);
        };
        return "base=" + b + ",clock=" + (clock == Clock.HOST ? "host" : "vm");
    }

    public boolean isDefault() {
        return equals(DEFAULT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RtcConfig r && r.base == base && r.baseSeconds == baseSeconds && r.clock == clock;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(baseSeconds) * 31 + base.hashCode() * 7 + clock.hashCode();
    }

    @Override
    public String toString() {
        return text();
    }
}
