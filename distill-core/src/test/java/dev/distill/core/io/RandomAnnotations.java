package dev.distill.core.io;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/** Seeded random annotation sets for round-trip and corruption tests. */
public final class RandomAnnotations {
  private RandomAnnotations() {}

  /**
   * A random set: 1–4 categories with ids in [1, 254], 0–3 objects per image (boxes on a quarter
   * pixel grid, half with an instance mask), a semantic mask on about half of the images.
   */
  public static AnnotationSet of(Random r, int images, int width, int height) {
    TreeSet<Integer> ids = new TreeSet<>();
    int numCategories = 1 + r.nextInt(4);
    while (ids.size() < numCategories) {
      ids.add(Category.MIN_ID + r.nextInt(Category.MAX_ID));
    }
    List<Category> categories = new ArrayList<>();
    for (int id : ids) {
      categories.add(Category.of(id, "category " + id));
    }
    List<Integer> idList = new ArrayList<>(ids);
    List<ImageAnnotations> out = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      List<ObjectAnnotation> objects = new ArrayList<>();
      for (int k = r.nextInt(4); k > 0; k--) {
        double x = r.nextInt(width * 4 - 1) / 4.0;
        double y = r.nextInt(height * 4 - 1) / 4.0;
        double w = (1 + r.nextInt((int) Math.round((width - x) * 4))) / 4.0;
        double h = (1 + r.nextInt((int) Math.round((height - y) * 4))) / 4.0;
        int category = idList.get(r.nextInt(idList.size()));
        BoundingBox box = BoundingBox.of(x, y, w, h);
        if (r.nextBoolean()) {
          int[] v = new int[width * height];
          for (int p = 0; p < v.length; p++) {
            v[p] = r.nextInt(3) == 0 ? 1 : 0;
          }
          objects.add(ObjectAnnotation.of(category, box, Mask.of(width, height, v)));
        } else {
          objects.add(ObjectAnnotation.of(category, box));
        }
      }
      ImageAnnotations a = ImageAnnotations.of(width, height, objects);
      if (r.nextBoolean()) {
        int[] v = new int[width * height];
        for (int p = 0; p < v.length; p++) {
          int pick = r.nextInt(idList.size() + 2);
          v[p] =
              pick == 0 ? Category.BACKGROUND : pick == 1 ? Category.IGNORE : idList.get(pick - 2);
        }
        a = a.withSemanticMask(Mask.of(width, height, v));
      }
      out.add(a);
    }
    return AnnotationSet.of(categories, out);
  }
}
