package dev.distill.task;

import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import java.util.ArrayList;
import java.util.List;

/** Per-sample 8×8 targets for the annotation guidance contracts (sample i's depends on i only). */
final class ContractTargets {
  private ContractTargets() {}

  /** Sample i's target: one square object of category 1 + i % 3 and its semantic mask. */
  static ImageAnnotations target(int i) {
    int x0 = i % 4;
    int y0 = (i * 3) % 4;
    int side = 3 + i % 3;
    int category = 1 + i % 3;
    int[] sem = new int[64];
    for (int y = y0; y < y0 + side; y++) {
      for (int x = x0; x < x0 + side; x++) {
        sem[y * 8 + x] = category;
      }
    }
    sem[63] = 255;
    return ImageAnnotations.of(
        List.of(ObjectAnnotation.of(category, BoundingBox.of(x0, y0, side, side))),
        Mask.of(8, 8, sem));
  }

  static List<ImageAnnotations> targets(List<Integer> samples) {
    List<ImageAnnotations> out = new ArrayList<>();
    for (int i : samples) {
      out.add(target(i));
    }
    return out;
  }
}
