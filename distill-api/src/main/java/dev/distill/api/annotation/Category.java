package dev.distill.api.annotation;

import dev.distill.api.Checks;

/**
 * A detection/segmentation category: a COCO-style id and a name.
 *
 * <p>Ids are in {@code [1, 254]}: {@code 0} is the background and {@code 255} the ignore value of a
 * semantic mask (see the package documentation), so every id fits an 8-bit mask PNG. COCO (ids
 * 1..90), PASCAL VOC and Cityscapes fit; a dataset with more than 254 categories (LVIS) does not.
 *
 * @param id the category id, in {@code [1, 254]}
 * @param name the name, not blank
 * @since 0.1.0
 */
public record Category(int id, String name) {
  /** The semantic-mask value of background pixels. */
  public static final int BACKGROUND = 0;

  /** The semantic-mask value of pixels that no metric counts (PASCAL VOC's "void"). */
  public static final int IGNORE = 255;

  /** The smallest category id. */
  public static final int MIN_ID = 1;

  /** The largest category id. */
  public static final int MAX_ID = 254;

  /** Validates the components. */
  public Category {
    Checks.checkNotNull(name, "name");
    Checks.checkArgument(
        id >= MIN_ID && id <= MAX_ID, "id must be in [%s, %s] but was %s", MIN_ID, MAX_ID, id);
    Checks.checkArgument(!name.isBlank(), "name must not be blank but was '%s'", name);
  }

  /**
   * A category.
   *
   * @param id the id, in {@code [1, 254]}
   * @param name the name
   * @return the category
   * @throws IllegalArgumentException if the id is out of range or the name blank
   */
  public static Category of(int id, String name) {
    return new Category(id, name);
  }
}
