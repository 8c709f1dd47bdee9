package dev.distill.core.pipeline;

/**
 * Seed derivation: every random choice of a run comes from (run seed, class, index) through
 * SplitMix64, so classes can be sharded across processes with identical results.
 *
 * @since 0.1.0
 */
public final class Seeds {
  private Seeds() {}

  /**
   * The seed of one sample.
   *
   * @param runSeed the run seed
   * @param classId the class
   * @param index the sample index within the class
   * @return a well-mixed 63-bit seed
   */
  public static long sampleSeed(long runSeed, int classId, int index) {
    long h = mix(runSeed ^ 0x9E3779B97F4A7C15L);
    h = mix(h ^ (classId * 0xBF58476D1CE4E5B9L + 1));
    h = mix(h ^ (index * 0x94D049BB133111EBL + 2));
    return h & Long.MAX_VALUE;
  }

  /**
   * A seed for per-class work (clustering, selection order).
   *
   * @param runSeed the run seed
   * @param classId the class
   * @return the class seed
   */
  public static long classSeed(long runSeed, int classId) {
    return sampleSeed(runSeed, classId, -1);
  }

  /** SplitMix64's finaliser (a bijection of 64-bit values). */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
