package dev.distill.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;

/**
 * What a task did with one class.
 *
 * @param classId the class
 * @param generated true if this task generated and committed it, false if it was committed already
 * @param attempt Spark's attempt number of the task that succeeded (0 = first try)
 * @param millis wall time spent on the class
 * @param executorId the executor that ran it
 * @param device the device it ran on ({@code cpu}, {@code cuda:N})
 * @since 0.1.0
 */
public record ClassOutcome(
    int classId, boolean generated, int attempt, long millis, String executorId, String device)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Validates. */
  public ClassOutcome {
    checkArgument(classId >= 0, "classId must be >= 0 but was %s", classId);
    checkArgument(attempt >= 0, "attempt must be >= 0 but was %s", attempt);
    checkArgument(millis >= 0, "millis must be >= 0 but was %s", millis);
    checkNotNull(executorId, "executorId");
    checkNotNull(device, "device");
  }
}
