package dev.distill.api.annotation;

import dev.distill.api.Checks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The annotations of a set of images, one {@link ImageAnnotations} per image in image order, and
 * the categories they use.
 *
 * <p>Validated as a whole: category ids are distinct, every object's category is one of {@link
 * #categories()}, and every semantic-mask value is a category id, {@link Category#BACKGROUND} or
 * {@link Category#IGNORE}. A {@code dev.distill.api.DistilledSet} carries one (one entry per
 * image).
 *
 * @param categories the categories in a fixed order (copied; ids distinct, not necessarily sorted
 *     or contiguous), at least one
 * @param images the annotations of each image, in image order (copied)
 * @since 0.1.0
 */
public record AnnotationSet(List<Category> categories, List<ImageAnnotations> images) {
  /** Validates and copies. */
  public AnnotationSet {
    Checks.checkNotNull(categories, "categories");
    Checks.checkNotNull(images, "images");
    categories = List.copyOf(categories);
    images = List.copyOf(images);
    Checks.checkArgument(!categories.isEmpty(), "categories must not be empty but was []");
    boolean[] known = new boolean[256];
    Map<Integer, String> names = new HashMap<>();
    for (Category c : categories) {
      String before = names.put(c.id(), c.name());
      Checks.checkArgument(
          before == null,
          "categories must have distinct ids but %s is both '%s' and '%s'",
          c.id(),
          before,
          c.name());
      known[c.id()] = true;
    }
    for (int i = 0; i < images.size(); i++) {
      ImageAnnotations a = images.get(i);
      for (int j = 0; j < a.objects().size(); j++) {
        int id = a.objects().get(j).categoryId();
        Checks.checkArgument(
            known[id],
            "images[%s].objects[%s].categoryId must be one of the category ids %s but was %s",
            i,
            j,
            names.keySet(),
            id);
      }
      if (a.semanticMask().isPresent()) {
        byte[] values = a.semanticMask().get().toBytes();
        for (int p = 0; p < values.length; p++) {
          int v = Byte.toUnsignedInt(values[p]);
          Checks.checkArgument(
              v == Category.BACKGROUND || v == Category.IGNORE || known[v],
              "images[%s].semanticMask must hold category ids, %s (background) or %s (ignore)"
                  + " but pixel %s was %s",
              i,
              Category.BACKGROUND,
              Category.IGNORE,
              p,
              v);
        }
      }
    }
  }

  /**
   * An annotation set.
   *
   * @param categories the categories
   * @param images the per-image annotations
   * @return the set
   * @throws IllegalArgumentException if the ids are not distinct or an unknown id is used
   */
  public static AnnotationSet of(List<Category> categories, List<ImageAnnotations> images) {
    return new AnnotationSet(categories, images);
  }

  /** The number of annotated images. */
  public int size() {
    return images.size();
  }
}
