package dev.distill.core.select;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.data.Dataset;
import dev.distill.core.data.LabeledImages;
import java.util.ArrayList;
import java.util.List;

/** Groups sample indices by class and checks that every class can supply {@code ipc} samples. */
final class ClassIndices {
  private ClassIndices() {}

  static int[][] of(LabeledImages data) {
    checkNotNull(data, "data");
    int[][] out = new int[data.numClasses()][];
    for (int c = 0; c < out.length; c++) {
      out[c] = data.indicesOf(c);
    }
    return out;
  }

  /** Every class's positions {@code 0 .. classSize(c) - 1}. */
  static int[][] positions(Dataset data) {
    checkNotNull(data, "data");
    int[][] out = new int[data.numClasses()][];
    for (int c = 0; c < out.length; c++) {
      out[c] = new int[data.classSize(c)];
      for (int i = 0; i < out[c].length; i++) {
        out[c][i] = i;
      }
    }
    return out;
  }

  static int[][] of(List<Integer> labels, int numClasses) {
    checkNotNull(labels, "labels");
    checkArgument(numClasses >= 1, "numClasses must be >= 1 but was %s", numClasses);
    List<List<Integer>> groups = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      groups.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.size(); i++) {
      int label = checkNotNull(labels.get(i), "labels entry");
      checkArgument(
          label >= 0 && label < numClasses,
          "labels must be in [0, %s) but label %s was %s",
          numClasses,
          i,
          label);
      groups.get(label).add(i);
    }
    int[][] out = new int[numClasses][];
    for (int c = 0; c < numClasses; c++) {
      out[c] = groups.get(c).stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  static void checkEnough(int[][] byClass, int ipc) {
    checkArgument(ipc >= 1, "ipc must be >= 1 but was %s", ipc);
    for (int c = 0; c < byClass.length; c++) {
      checkArgument(
          byClass[c].length >= ipc,
          "class %s must have at least ipc=%s samples but had %s",
          c,
          ipc,
          byClass[c].length);
    }
  }
}
