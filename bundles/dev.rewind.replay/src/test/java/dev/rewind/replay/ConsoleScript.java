package dev.rewind.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * What a user does at a console: wait for a text (a prompt), type something, in order. Each
 * wait starts where the previous one matched, so a prompt that appears again is the next one.
 */
final class ConsoleScript {

    /** One step: wait for {@code awaited}, then type {@code typed}. */
    record Step(String awaited, String typed) {
    }

    private final List<Step> steps = new ArrayList<>();
    private String last;

    ConsoleScript then(String awaited, String typed) {
        steps.add(new Step(awaited, typed));
        return this;
    }

    /** The text that ends the scenario once it appears after the last step (e.g. the final prompt). */
    ConsoleScript end(String awaited) {
        last = awaited;
        return this;
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    /**
     * Types the script into {@code keys} as {@code console} shows the awaited texts. Before each
     * step's keys the typist pauses for a random 0 to {@code maxPause} ms (from {@code random}),
     * so input lands at different instructions from run to run.
     */
    void perform(GuestConsole console, Consumer<String> keys, SplittableRandom random, int maxPauseMs, Duration perStep)
            throws InterruptedException {
        int from = 0;
        for (Step s : steps) {
            from = console.waitFor(s.awaited(), from, perStep);
            if (maxPauseMs > 0) {
                Thread.sleep(random.nextInt(maxPauseMs + 1));
            }
            keys.accept(s.typed());
        }
        if (last != null) {
            console.waitFor(last, from, perStep);
        }
    }

    /**
     * Runs {@link #perform} on its own thread; {@link Typist#finish} waits for it and reports its
     * failure. {@code stop} runs on the typist's thread when the script has ended or failed (to
     * end the run).
     */
    Typist start(GuestConsole console, Consumer<String> keys, long seed, int maxPauseMs, Duration perStep, Runnable stop) {
        Typist t = new Typist(() -> {
            perform(console, keys, new SplittableRandom(seed), maxPauseMs, perStep);
            stop.run();
        }, stop);
        t.thread.start();
        return t;
    }

    /** The typist thread of one run. */
    static final class Typist {
        interface Body {
            void run() throws Exception;
        }

        private final Thread thread;
        private volatile Throwable failure;

        Typist(Body body, Runnable onFailure) {
            thread = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure = t;
                    onFailure.run();
                }
            }, "typist");
            thread.setDaemon(true);
        }

        boolean done() {
            return !thread.isAlive();
        }

        Throwable failure() {
            return failure;
        }

        /** Waits for the typist to finish; rethrows what made it fail. */
        void finish(Duration timeout) throws Exception {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                throw new AssertionError("the typist did not finish within " + timeout);
            }
            if (failure instanceof Exception e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }
    }
}
