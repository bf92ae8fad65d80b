package dev.newsclassifier.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long work: a bar redrawn in place with rate and ETA on a terminal, plain lines
 * every few seconds otherwise (logs, pipes, CI).
 */
final class Progress {

    private static final int BAR_WIDTH = 30;
    private static final long TERMINAL_REFRESH_NANOS = 200_000_000L;
    private static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;

    private final PrintWriter out;
    private final String what;
    private final long total;
    private final boolean terminal;
    private long started = System.nanoTime();
    private long lastPrinted;
    private long done;

    /** @param total the amount of work, or -1 when unknown (no bar, no ETA) */
    Progress(PrintWriter out, String what, long total, boolean terminal) {
        this.out = out;
        this.what = what;
        this.total = total;
        this.terminal = terminal;
        this.lastPrinted = started;
    }

    static boolean isTerminal() {
        return System.console() != null;
    }

    /** Starts the clock again, e.g. once a connection is set up, so the rate counts only the work. */
    void restart() {
        started = System.nanoTime();
        lastPrinted = started;
    }

    void advance(long by) {
        done += by;
        long now = System.nanoTime();
        if (now - lastPrinted >= (terminal ? TERMINAL_REFRESH_NANOS : PLAIN_INTERVAL_NANOS)) {
            lastPrinted = now;
            print(now, false);
        }
    }

    long done() {
        return done;
    }

    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** The final state; ends the terminal line. */
    void finish() {
        print(System.nanoTime(), true);
    }

    private void print(long now, boolean last) {
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        double rate = done / seconds;
        String counts = total >= 0 ? done + "/" + total : Long.toString(done);
        String eta = "";
        if (total > 0 && rate > 0 && !last) {
            eta = " ETA " + duration((total - done) / rate);
        }
        String share = total > 0 ? String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total) : "";
        String line = String.format(Locale.ROOT, "%s %s%s, %.1f/s, %s elapsed%s", what, counts, share, rate,
                duration(seconds), eta);
        if (terminal) {
            String bar = "";
            if (total > 0) {
                int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / total);
                bar = "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] ";
            }
            out.print("\r" + bar + line + "   ");
            if (last) {
                out.println();
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
