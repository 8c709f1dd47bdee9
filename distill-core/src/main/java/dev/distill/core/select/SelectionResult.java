package dev.distill.core.select;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sample indices chosen per class by a {@link SubsetSelector}.
 *
 * <p>Immutable (the lists are deep-copied) and thread-safe.
 *
 * @param indicesPerClass for each class id, the chosen indices into the dataset, in the order the
 *     selector chose them (see each selector for its order)
 * @since 0.1.0
 */
public record SelectionResult(List<List<Integer>> indicesPerClass) {
  /**
   * Copies the lists and checks that the indices are non-negative and distinct.
   *
   * @throws IllegalArgumentException if an index is negative or repeated
   */
  public SelectionResult {
    checkNotNull(indicesPerClass, "indicesPerClass");
    List<List<Integer>> copy = new ArrayList<>(indicesPerClass.size());
    Set<Integer> seen = new HashSet<>();
    for (List<Integer> indices : indicesPerClass) {
      List<Integer> c = List.copyOf(checkNotNull(indices, "indicesPerClass entry"));
      for (int i : c) {
        checkArgument(i >= 0, "indicesPerClass must hold indices >= 0 but contained %s", i);
        checkArgument(seen.add(i), "indicesPerClass must hold distinct indices but repeated %s", i);
      }
      copy.add(c);
    }
    indicesPerClass = List.copyOf(copy);
  }

  /** The number of classes. */
  public int numClasses() {
    return indicesPerClass.size();
  }

  /**
   * The indices chosen for one class.
   *
   * @param classId the class
   * @return the indices (immutable)
   * @throws IllegalArgumentException if {@code classId} is out of range
   */
  public List<Integer> indicesOf(int classId) {
    checkArgument(
        classId >= 0 && classId < indicesPerClass.size(),
        "classId must be in [0, %s) but was %s",
        indicesPerClass.size(),
        classId);
    return indicesPerClass.get(classId);
  }

  /** The total number of chosen samples. */
  public int size() {
    int n = 0;
    for (List<Integer> c : indicesPerClass) {
      n += c.size();
    }
    return n;
  }

  /**
   * All chosen indices, class 0 first, each class in its selection order; ready for {@code
   * LabeledImages.select}.
   *
   * @return a new array
   */
  public int[] flatIndices() {
    return indicesPerClass.stream().flatMap(List::stream).mapToInt(Integer::intValue).toArray();
  }
}
