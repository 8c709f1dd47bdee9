package dev.distill.examples;

import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress output for the example commands: a redrawn one-line bar on a terminal, plain periodic
 * lines otherwise (a log file, a pipe, CI), so no carriage returns end up in a file.
 *
 * <p>Each listener is used by one thread at a time (the thread that runs the work).
 *
 * @since 0.1.0
 */
public final class ConsoleProgress {
  /** Seconds between two plain lines when the output is not a terminal. */
  static final long PLAIN_INTERVAL_NANOS = 10_000_000_000L;

  private static final long BAR_INTERVAL_NANOS = 500_000_000L;

  private ConsoleProgress() {}

  /**
   * A listener that prints to {@code out}: a bar when this process has a terminal ({@code
   * System.console() != null}), plain lines at most every 10 s (and at the end) otherwise.
   *
   * @param out where to print
   * @param label what is progressing, printed before the figures
   * @return the listener
   */
  public static ProgressListener of(PrintStream out, String label) {
    return of(out, label, System.console() != null);
  }

  /**
   * A listener that prints a bar ({@code terminal}) or plain lines.
   *
   * @param out where to print
   * @param label what is progressing
   * @param terminal whether {@code out} is a terminal that understands carriage returns
   * @return the listener
   */
  public static ProgressListener of(PrintStream out, String label, boolean terminal) {
    return new ProgressListener() {
      private long lastPrint = System.nanoTime();
      private Progress last;

      @Override
      public void onProgress(Progress p) {
        long now = System.nanoTime();
        boolean done = p.done() == p.total();
        if (p.equals(last)
            || !done && now - lastPrint < (terminal ? BAR_INTERVAL_NANOS : PLAIN_INTERVAL_NANOS)) {
          return;
        }
        lastPrint = now;
        last = p;
        if (terminal) {
          int width = 30;
          int filled = (int) Math.round(p.fraction() * width);
          out.printf(
              Locale.ROOT,
              "\r%-22s [%s%s] %3.0f%% %s",
              label,
              "#".repeat(filled),
              " ".repeat(width - filled),
              100 * p.fraction(),
              p.message());
        } else {
          out.printf(
              Locale.ROOT,
              "%s: %.0f%% (%d/%d) %s%n",
              label,
              100 * p.fraction(),
              p.done(),
              p.total(),
              p.message());
        }
        out.flush();
      }
    };
  }
}
