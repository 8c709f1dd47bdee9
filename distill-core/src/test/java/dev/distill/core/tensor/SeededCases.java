package dev.distill.core.tensor;

import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The seeded case generator of distill's property tests (STYLE.md rule 19): case {@code i} of a
 * test gets the seed {@code base + i}, shown in the display name, so a failing case is re-run with
 * {@code -Ddistill.seed=<its seed>} (which then becomes case 0).
 *
 * <pre>{@code
 * static Stream<Long> seeds() { return SeededCases.seeds(100); }
 *
 * @ParameterizedTest(name = "seed={0}")
 * @MethodSource("seeds")
 * void roundTrips(long seed) { Random r = new Random(seed); ... }
 * }</pre>
 */
public final class SeededCases {
  /** The base seed when {@code -Ddistill.seed} is not given. */
  public static final long DEFAULT_SEED = 20_240_601L;

  private SeededCases() {}

  /** The base seed: {@code -Ddistill.seed} or {@link #DEFAULT_SEED}. */
  public static long baseSeed() {
    String s = System.getProperty("distill.seed");
    return s == null || s.isBlank() ? DEFAULT_SEED : Long.parseLong(s.trim());
  }

  /**
   * The seeds of {@code n} cases.
   *
   * @param n the number of cases (50–200 by the style guide)
   * @return {@code base, base + 1, ..., base + n - 1}
   */
  public static Stream<Long> seeds(int n) {
    long base = baseSeed();
    return LongStream.range(0, n).mapToObj(i -> base + i);
  }
}
