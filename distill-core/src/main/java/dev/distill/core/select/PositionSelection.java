package dev.distill.core.select;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Images chosen per class of a {@code Dataset} by {@link SubsetSelector#selectPositions}, as
 * positions within each class ({@code 0 .. classSize(c) - 1}, what {@code Dataset.load} takes).
 *
 * <p>Unlike {@link SelectionResult} (indices into one in-memory set, distinct across classes),
 * positions are distinct within a class only. Immutable (deep copies) and thread-safe.
 *
 * @param positionsPerClass for each class id, the chosen positions in selection order
 * @since 0.1.0
 */
public record PositionSelection(List<List<Integer>> positionsPerClass) {
  /**
   * Copies the lists and checks that positions are non-negative and distinct within each class.
   *
   * @throws IllegalArgumentException if a position is negative or repeated within its class
   */
  public PositionSelection {
    checkNotNull(positionsPerClass, "positionsPerClass");
    List<List<Integer>> copy = new ArrayList<>(positionsPerClass.size());
    for (int c = 0; c < positionsPerClass.size(); c++) {
      List<Integer> l =
          List.copyOf(checkNotNull(positionsPerClass.get(c), "positionsPerClass entry"));
      Set<Integer> seen = new HashSet<>();
      for (int p : l) {
        checkArgument(p >= 0, "positionsPerClass must hold positions >= 0 but contained %s", p);
        checkArgument(
            seen.add(p),
            "positionsPerClass must hold distinct positions per class but class %s repeated %s",
            c,
            p);
      }
      copy.add(l);
    }
    positionsPerClass = List.copyOf(copy);
  }

  /** The number of classes. */
  public int numClasses() {
    return positionsPerClass.size();
  }

  /**
   * The positions chosen in one class.
   *
   * @param classId the class
   * @return the positions (immutable)
   * @throws IllegalArgumentException if {@code classId} is out of range
   */
  public List<Integer> positionsOf(int classId) {
    checkArgument(
        classId >= 0 && classId < positionsPerClass.size(),
        "classId must be in [0, %s) but was %s",
        positionsPerClass.size(),
        classId);
    return positionsPerClass.get(classId);
  }

  /** The total number of chosen images. */
  public int size() {
    return positionsPerClass.stream().mapToInt(List::size).sum();
  }
}
