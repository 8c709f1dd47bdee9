package dev.distill.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.Set;

/**
 * Test hooks: classes whose task throws before generating, to exercise Spark's retries and resume.
 *
 * <p>Not part of a run's fingerprint (a rerun without faults resumes the same folder). Production
 * recipes use {@link #none()}.
 *
 * @param failFirstAttempt classes whose task throws on its first attempt ({@code
 *     TaskContext.attemptNumber() == 0}) and succeeds when Spark retries it
 * @param failEveryAttempt classes whose task always throws (the job fails once Spark gives up)
 * @since 0.1.0
 */
public record FaultInjection(Set<Integer> failFirstAttempt, Set<Integer> failEveryAttempt)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Validates and copies. */
  public FaultInjection {
    failFirstAttempt = Set.copyOf(checkNotNull(failFirstAttempt, "failFirstAttempt"));
    failEveryAttempt = Set.copyOf(checkNotNull(failEveryAttempt, "failEveryAttempt"));
  }

  /**
   * No faults.
   *
   * @return the empty hooks
   */
  public static FaultInjection none() {
    return new FaultInjection(Set.of(), Set.of());
  }

  /**
   * Throws if this class's task is set up to fail on this attempt.
   *
   * @param classId the class
   * @param attempt Spark's attempt number (0 first)
   * @throws IllegalStateException the injected failure
   */
  public void maybeFail(int classId, int attempt) {
    if (failEveryAttempt.contains(classId)
        || (attempt == 0 && failFirstAttempt.contains(classId))) {
      throw new IllegalStateException(
          "injected failure for class " + classId + " on attempt " + attempt);
    }
  }
}
