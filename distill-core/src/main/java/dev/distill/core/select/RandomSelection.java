package dev.distill.core.select;

import dev.distill.core.data.Dataset;
import dev.distill.core.data.LabeledImages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The random real subset baseline: {@code ipc} images drawn uniformly without replacement from each
 * class.
 *
 * <p>Every table in the dataset-distillation literature reports a distilled set beside the random
 * real subset of the same IPC; this is that control. The draw for class {@code c} depends only on
 * {@code (seed, c)} and the indices of that class, so classes can be selected in any order or on
 * different machines with identical results. Indices are returned in ascending order.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class RandomSelection implements SubsetSelector {
  private final long seed;

  private RandomSelection(long seed) {
    this.seed = seed;
  }

  /**
   * A random selection with a seed.
   *
   * @param seed the run seed
   * @return the selector
   */
  public static RandomSelection of(long seed) {
    return new RandomSelection(seed);
  }

  /** The run seed. */
  public long seed() {
    return seed;
  }

  @Override
  public SelectionResult select(LabeledImages data, int ipc) {
    return new SelectionResult(draw(ClassIndices.of(data), ipc));
  }

  /** Reads only the class sizes: no image is decoded. */
  @Override
  public PositionSelection selectPositions(Dataset data, int ipc) {
    return new PositionSelection(draw(ClassIndices.positions(data), ipc));
  }

  /**
   * Chooses {@code ipc} samples of every class from a list of labels.
   *
   * @param labels the label of each sample, each in {@code [0, numClasses)}
   * @param numClasses the number of classes
   * @param ipc samples per class, at least 1
   * @return the chosen indices per class, ascending
   * @throws IllegalArgumentException if a label is out of range, {@code ipc < 1}, or a class has
   *     fewer than {@code ipc} samples
   */
  public SelectionResult select(List<Integer> labels, int numClasses, int ipc) {
    return new SelectionResult(draw(ClassIndices.of(labels, numClasses), ipc));
  }

  private List<List<Integer>> draw(int[][] byClass, int ipc) {
    ClassIndices.checkEnough(byClass, ipc);
    List<List<Integer>> out = new ArrayList<>();
    for (int c = 0; c < byClass.length; c++) {
      int[] pool = byClass[c].clone();
      SplittableRandom rng = new SplittableRandom(classSeed(seed, c));
      // partial Fisher-Yates: the first ipc slots become a uniform sample without replacement
      for (int i = 0; i < ipc; i++) {
        int j = i + rng.nextInt(pool.length - i);
        int t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
      }
      int[] chosen = Arrays.copyOf(pool, ipc);
      Arrays.sort(chosen);
      out.add(Arrays.stream(chosen).boxed().toList());
    }
    return out;
  }

  /** A per-class seed: SplitMix64's finaliser over the run seed and the class id. */
  static long classSeed(long seed, int classId) {
    long z = seed + 0x9E3779B97F4A7C15L * (classId + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return "RandomSelection[seed=" + seed + "]";
  }
}
