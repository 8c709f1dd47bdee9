package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.ImageSize;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.io.CocoJson;
import dev.distill.core.io.Images;
import dev.distill.core.tensor.TensorScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * A COCO-format detection/segmentation dataset: an {@code instances.json} ({@link CocoJson}) and a
 * folder of images, decoded lazily like {@link ImageFolderDataset}.
 *
 * <p>Building it reads and checks the JSON (named errors: boxes outside the image, non-positive
 * sizes, unknown category or image ids, duplicate ids — see {@link CocoJson}) and checks that every
 * image file exists ({@link NoSuchFileException} naming the file and its image id); images are
 * decoded only when {@link #load} or {@link #loadImages} asks, and a decoded image whose size is
 * not the one {@code instances.json} declares is an error naming the file. Mask paths ({@code
 * mask_file}, {@code semantic_mask}) are relative to the JSON file's folder.
 *
 * <p>Images and annotations: {@link #imageCount()} images in file order, each with its {@link
 * #annotations(int)} (category ids as in the file). Every image is brought to one {@link
 * #imageSize()}: by default every image must already have the first image's size (an image of
 * another size is an error naming it, before any decoding); with {@link Builder#imageSize} every
 * image is stretched to that size (bilinear) and its annotations are scaled with it (boxes
 * multiplied, masks resampled nearest-neighbour; a box reaching into {@link
 * ImageAnnotations#EDGE_TOLERANCE} past an edge is first clipped to the edge, so it stays inside
 * after scaling).
 *
 * <p>As a {@link Dataset} (per-class streaming, as methods and evaluators read data): the classes
 * are the categories sorted by id ({@link ClassIndex} folder = the id in decimal, display name =
 * the category name; {@link #categoryId(int)} and {@link #classId(int)} convert), and each image
 * with at least one object belongs to the class of its <em>primary</em> object, the one with the
 * largest box area (the first in file order on ties). Images without objects are in {@link
 * #imageCount()} but in no class, so {@link #size()} counts only annotated images.
 *
 * <p>Immutable; safe to read from several threads (each decode is independent).
 *
 * @since 0.1.0
 */
public final class CocoDataset implements Dataset {
  private final Path annotationFile;
  private final Path imageDir;
  private final List<CocoJson.Image> images;
  private final AnnotationSet annotations;
  private final ClassIndex classIndex;
  private final List<Integer> categoryIds;
  private final Map<Integer, Integer> classOfCategory;
  private final List<List<Integer>> imagesOfClass;
  private final Images.ColorMode colorMode;
  private final int channels;
  private final ImageSize imageSize;
  private final int size;

  private CocoDataset(Builder b) throws IOException {
    this.annotationFile = b.annotationFile.toAbsolutePath().normalize();
    this.imageDir = b.imageDir.toAbsolutePath().normalize();
    this.colorMode = b.colorMode;
    CocoJson.ReadOptions options = CocoJson.ReadOptions.defaults().withSkipCrowd(b.skipCrowd);
    if (b.sha256 != null) {
      options = options.withSha256(b.sha256);
    }
    Path maskRoot = annotationFile.getParent();
    CocoJson.Content content = CocoJson.read(annotationFile, maskRoot, options);
    this.images = content.images();
    if (images.isEmpty()) {
      throw new IllegalArgumentException("COCO file " + annotationFile + " lists no images");
    }
    for (CocoJson.Image image : images) {
      Path file = imageFile(image);
      if (!file.startsWith(imageDir) || !Files.isRegularFile(file)) {
        throw new NoSuchFileException(
            file.toString(),
            null,
            "image file of image " + image.id() + " in " + annotationFile + " not found");
      }
    }
    CocoJson.Image first = images.get(0);
    if (b.imageSize == null) {
      this.imageSize = ImageSize.of(first.height(), first.width());
      for (CocoJson.Image image : images) {
        if (image.width() != first.width() || image.height() != first.height()) {
          throw new IllegalArgumentException(
              "COCO file "
                  + annotationFile
                  + ": image "
                  + image.id()
                  + " ("
                  + image.fileName()
                  + ") is "
                  + image.width()
                  + "x"
                  + image.height()
                  + " (width x height) but the first image is "
                  + first.width()
                  + "x"
                  + first.height()
                  + "; set CocoDataset.builder(...).imageSize(...) to resize every image and its"
                  + " annotations");
        }
      }
      this.annotations = content.annotations();
    } else {
      this.imageSize = b.imageSize;
      List<ImageAnnotations> scaled = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        try {
          scaled.add(scale(content.annotations().images().get(i), imageSize));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "COCO file "
                  + annotationFile
                  + ": the annotations of image "
                  + images.get(i).id()
                  + " cannot be scaled to "
                  + imageSize
                  + ": "
                  + e.getMessage(),
              e);
        }
      }
      this.annotations = AnnotationSet.of(content.annotations().categories(), scaled);
    }
    List<Category> sorted = new ArrayList<>(annotations.categories());
    sorted.sort(Comparator.comparingInt(Category::id));
    List<String> folders = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    Map<Integer, Integer> classOf = new HashMap<>();
    for (Category c : sorted) {
      classOf.put(c.id(), ids.size());
      ids.add(c.id());
      folders.add(Integer.toString(c.id()));
      names.add(c.name());
    }
    this.classIndex = new ClassIndex(folders, names);
    this.categoryIds = List.copyOf(ids);
    this.classOfCategory = Map.copyOf(classOf);
    List<List<Integer>> perClass = new ArrayList<>();
    for (int k = 0; k < ids.size(); k++) {
      perClass.add(new ArrayList<>());
    }
    int annotated = 0;
    for (int i = 0; i < images.size(); i++) {
      List<ObjectAnnotation> objects = annotations.images().get(i).objects();
      if (objects.isEmpty()) {
        continue;
      }
      ObjectAnnotation primary = objects.get(0);
      for (ObjectAnnotation o : objects) {
        if (area(o.box()) > area(primary.box())) {
          primary = o;
        }
      }
      perClass.get(classOf.get(primary.categoryId())).add(i);
      annotated++;
    }
    List<List<Integer>> frozen = new ArrayList<>();
    for (List<Integer> l : perClass) {
      frozen.add(List.copyOf(l));
    }
    this.imagesOfClass = List.copyOf(frozen);
    this.size = annotated;
    try (TensorScope scope = TensorScope.open()) {
      this.channels = Math.toIntExact(decode(0).size(0));
    }
  }

  private static double area(BoundingBox b) {
    return b.width() * b.height();
  }

  private static ImageAnnotations scale(ImageAnnotations a, ImageSize size) {
    double sx = (double) size.width() / a.width();
    double sy = (double) size.height() / a.height();
    List<ObjectAnnotation> objects = new ArrayList<>();
    for (ObjectAnnotation o : a.objects()) {
      BoundingBox b = o.box();
      double right = Math.min(b.x() + b.width(), a.width());
      double bottom = Math.min(b.y() + b.height(), a.height());
      BoundingBox box =
          BoundingBox.of(b.x() * sx, b.y() * sy, (right - b.x()) * sx, (bottom - b.y()) * sy);
      objects.add(
          new ObjectAnnotation(o.categoryId(), box, o.instanceMask().map(m -> resample(m, size))));
    }
    return new ImageAnnotations(
        size.width(), size.height(), objects, a.semanticMask().map(m -> resample(m, size)));
  }

  /** Nearest-neighbour resampling (pixel centres). */
  static Mask resample(Mask m, ImageSize size) {
    if (m.width() == size.width() && m.height() == size.height()) {
      return m;
    }
    byte[] src = m.toBytes();
    byte[] dst = new byte[size.width() * size.height()];
    for (int y = 0; y < size.height(); y++) {
      int sy = Math.min(m.height() - 1, (int) ((y + 0.5) * m.height() / size.height()));
      for (int x = 0; x < size.width(); x++) {
        int sx = Math.min(m.width() - 1, (int) ((x + 0.5) * m.width() / size.width()));
        dst[y * size.width() + x] = src[sy * m.width() + sx];
      }
    }
    return Mask.ofBytes(size.width(), size.height(), dst);
  }

  /**
   * Starts a builder.
   *
   * @param annotationFile the COCO {@code instances.json}
   * @param imageDir the folder {@code file_name}s are relative to
   * @return the builder
   */
  public static Builder builder(Path annotationFile, Path imageDir) {
    return new Builder(
        checkNotNull(annotationFile, "annotationFile"), checkNotNull(imageDir, "imageDir"));
  }

  /**
   * A COCO dataset with the defaults (RGB, images of one size, crowd annotations are errors).
   *
   * @param annotationFile the COCO {@code instances.json}
   * @param imageDir the folder {@code file_name}s are relative to
   * @return the dataset
   * @throws IOException if a file is missing or unreadable (named)
   * @throws IllegalArgumentException if the annotations break a rule (named)
   */
  public static CocoDataset of(Path annotationFile, Path imageDir) throws IOException {
    return builder(annotationFile, imageDir).build();
  }

  private Path imageFile(CocoJson.Image image) {
    return imageDir.resolve(image.fileName()).normalize();
  }

  /** The annotation file. */
  public Path annotationFile() {
    return annotationFile;
  }

  /** The image folder. */
  public Path imageDir() {
    return imageDir;
  }

  /** The number of images, with or without objects. */
  public int imageCount() {
    return images.size();
  }

  /** The {@code images} entries, in file order (immutable; sizes as in the file). */
  public List<CocoJson.Image> images() {
    return images;
  }

  /** The categories and every image's annotations at {@link #imageSize()}, in file order. */
  public AnnotationSet annotationSet() {
    return annotations;
  }

  /**
   * The annotations of one image, at {@link #imageSize()}.
   *
   * @param imageIndex the image, in {@code [0, imageCount())}
   * @return its annotations
   * @throws IllegalArgumentException if the index is out of range
   */
  public ImageAnnotations annotations(int imageIndex) {
    checkImage(imageIndex);
    return annotations.images().get(imageIndex);
  }

  /**
   * The COCO category id of a class.
   *
   * @param classId the class, in {@code [0, numClasses())}
   * @return its category id
   * @throws IllegalArgumentException if the class is out of range
   */
  public int categoryId(int classId) {
    checkClass(classId);
    return categoryIds.get(classId);
  }

  /**
   * The class of a COCO category id.
   *
   * @param categoryId the category id
   * @return its class index
   * @throws IllegalArgumentException if it is not a category of this dataset
   */
  public int classId(int categoryId) {
    Integer c = classOfCategory.get(categoryId);
    checkArgument(c != null, "categoryId must be one of %s but was %s", categoryIds, categoryId);
    return c;
  }

  /**
   * The image index of a class position.
   *
   * @param classId the class
   * @param position the position within the class
   * @return the index into {@link #images()}
   * @throws IllegalArgumentException if either is out of range
   */
  public int imageIndex(int classId, int position) {
    checkClass(classId);
    List<Integer> l = imagesOfClass.get(classId);
    checkArgument(
        position >= 0 && position < l.size(),
        "position must be in [0, %s) for class %s but was %s",
        l.size(),
        classId,
        position);
    return l.get(position);
  }

  /**
   * Decodes images by image index.
   *
   * @param imageIndices indices into {@link #images()}
   * @return {@code [n, C, H, W]} float32 CPU in {@code [-1, 1]}, owned by the caller's current
   *     {@link TensorScope}
   * @throws IllegalArgumentException if an index is out of range
   * @throws UncheckedIOException if a file cannot be decoded or has another size than declared
   *     (names the file)
   */
  public Tensor loadImages(int[] imageIndices) {
    checkNotNull(imageIndices, "imageIndices");
    try (TensorScope scope = TensorScope.open()) {
      List<Tensor> out = new ArrayList<>(imageIndices.length);
      for (int i : imageIndices) {
        checkImage(i);
        out.add(decode(i));
      }
      if (out.isEmpty()) {
        return scope.keep(
            org.bytedeco.pytorch.global.torch.zeros(
                0, channels, imageSize.height(), imageSize.width()));
      }
      return scope.keep(Images.stack(out));
    }
  }

  private Tensor decode(int index) {
    CocoJson.Image image = images.get(index);
    Path file = imageFile(image);
    try {
      Tensor t = Images.read(file, colorMode);
      if (t.size(1) != image.height() || t.size(2) != image.width()) {
        throw new IOException(
            "image file "
                + file
                + " is "
                + t.size(2)
                + "x"
                + t.size(1)
                + " (width x height) but "
                + annotationFile
                + " declares "
                + image.width()
                + "x"
                + image.height()
                + " for image "
                + image.id());
      }
      if (image.width() != imageSize.width() || image.height() != imageSize.height()) {
        return ImageTransforms.resize(t.unsqueeze(0), imageSize, ResizeMode.STRETCH).squeeze(0);
      }
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  @Override
  public ClassIndex classIndex() {
    return classIndex;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int classSize(int classId) {
    checkClass(classId);
    return imagesOfClass.get(classId).size();
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public ImageSize imageSize() {
    return imageSize;
  }

  @Override
  public Tensor load(int classId, int[] positions) {
    checkClass(classId);
    checkNotNull(positions, "positions");
    int[] indices = new int[positions.length];
    for (int i = 0; i < positions.length; i++) {
      indices[i] = imageIndex(classId, positions[i]);
    }
    return loadImages(indices);
  }

  @Override
  public String id() {
    return "coco:" + annotationFile;
  }

  private void checkClass(int classId) {
    checkArgument(
        classId >= 0 && classId < categoryIds.size(),
        "classId must be in [0, %s) but was %s",
        categoryIds.size(),
        classId);
  }

  private void checkImage(int imageIndex) {
    checkArgument(
        imageIndex >= 0 && imageIndex < images.size(),
        "imageIndex must be in [0, %s) but was %s",
        images.size(),
        imageIndex);
  }

  @Override
  public String toString() {
    return "CocoDataset["
        + annotationFile
        + ", "
        + images.size()
        + " images, "
        + categoryIds.size()
        + " categories, "
        + channels
        + "x"
        + imageSize
        + "]";
  }

  /** Builder of {@link CocoDataset}; setters validate at once. */
  public static final class Builder {
    private final Path annotationFile;
    private final Path imageDir;
    private Images.ColorMode colorMode = Images.ColorMode.RGB;
    private ImageSize imageSize;
    private boolean skipCrowd;
    private String sha256;

    private Builder(Path annotationFile, Path imageDir) {
      this.annotationFile = annotationFile;
      this.imageDir = imageDir;
    }

    /**
     * The channels to decode into (default {@link Images.ColorMode#RGB}).
     *
     * @param mode the mode
     * @return this
     */
    public Builder colorMode(Images.ColorMode mode) {
      this.colorMode = checkNotNull(mode, "mode");
      return this;
    }

    /**
     * Stretches every image to this size and scales its annotations (default: every image must have
     * the first image's size).
     *
     * @param size the size
     * @return this
     */
    public Builder imageSize(ImageSize size) {
      this.imageSize = checkNotNull(size, "size");
      return this;
    }

    /**
     * Leaves crowd annotations ({@code iscrowd: 1}) out instead of refusing them (default false).
     *
     * @param skip whether to skip them
     * @return this
     */
    public Builder skipCrowd(boolean skip) {
      this.skipCrowd = skip;
      return this;
    }

    /**
     * Refuses the annotation file unless its SHA-256 is this (default: no check).
     *
     * @param hex 64 lower-case hex digits
     * @return this
     * @throws IllegalArgumentException if it is not 64 lower-case hex digits
     */
    public Builder sha256(String hex) {
      checkNotNull(hex, "hex");
      checkArgument(
          hex.matches("[0-9a-f]{64}"), "sha256 must be 64 lower-case hex digits but was %s", hex);
      this.sha256 = hex;
      return this;
    }

    /**
     * Reads and checks the annotations and probes the first image.
     *
     * @return the dataset
     * @throws IOException if the JSON, a mask or an image file is missing or unreadable (named)
     * @throws IllegalArgumentException if the annotations break a rule or images differ in size
     *     without {@link #imageSize} (named)
     */
    public CocoDataset build() throws IOException {
      return new CocoDataset(this);
    }
  }
}
