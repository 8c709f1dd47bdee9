package dev.distill.core.pipeline;

import java.io.IOException;

/**
 * A test-only seam of {@link Distill}: called at named points of a run, so a test can kill the run
 * there (throw) and check that a rerun resumes to the same output. Writes that fail part-way (a
 * full disk, a kill mid-write) are simulated one level lower, in {@code AtomicFiles}' write hook.
 */
@FunctionalInterface
interface FaultInjector {
  /** Does nothing. */
  FaultInjector NONE = (point, classId, index) -> {};

  /** The named points of a run. */
  enum Point {
    /** A class's lock is held and it is about to be generated ({@code index} 0). */
    CLASS_STARTED,
    /** Batch {@code index} of a class was generated and filtered: mid-class. */
    BATCH_DONE,
    /** A class's part file was renamed into place; the next class has not started. */
    PART_WRITTEN,
    /** Every class is done and the assembly is about to start ({@code classId} -1). */
    ASSEMBLY_STARTED
  }

  /**
   * Called at a point.
   *
   * @param point where the run is
   * @param classId the class, or -1
   * @param index the batch index for {@link Point#BATCH_DONE}, else 0
   * @throws IOException to simulate a failure there
   */
  void at(Point point, int classId, int index) throws IOException;
}
