package dev.distill.api;

/**
 * One progress event of a long operation.
 *
 * @param stage what is running ("sample", "train", "class 3/10")
 * @param done units finished, {@code 0 <= done <= total}
 * @param total units in all, {@code > 0}
 * @param message a free-form detail, possibly empty
 * @since 0.1.0
 */
public record Progress(String stage, long done, long total, String message) {
  /** Validates the components. */
  public Progress {
    Checks.checkNotNull(stage, "stage");
    Checks.checkNotNull(message, "message");
    Checks.checkArgument(total > 0, "total must be > 0 but was %s", total);
    Checks.checkArgument(
        done >= 0 && done <= total, "done must be in [0, %s] but was %s", total, done);
  }

  /** The finished fraction in {@code [0, 1]}. */
  public double fraction() {
    return (double) done / total;
  }
}
