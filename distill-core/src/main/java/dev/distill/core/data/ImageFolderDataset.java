package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.ImageSize;
import dev.distill.core.io.ImageFolder;
import dev.distill.core.io.Images;
import dev.distill.core.tensor.TensorScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * An ImageFolder ({@code root/<class>/**.jpg|png|…}) of any size read lazily: building it lists the
 * files (torchvision's rules, see {@link ImageFolder#list}), and images are decoded only when
 * {@link #load} asks for them, so memory is bounded by the batch, not the dataset.
 *
 * <p>Every image is decoded into {@link Builder#colorMode} channels (default RGB: gray files are
 * replicated, as torchvision's default loader does) and brought to one {@link #imageSize()}: the
 * size set with {@link Builder#imageSize}, resized with {@link Builder#resizeMode} (default shorter
 * side + centre crop); if none is set, the size of the first image, and an image of another size is
 * an error naming it. The class order is the sorted folder names, as in torchvision, unless a
 * {@link ClassIndex} (or a mapping file, e.g. ImageNet's WNID list) is given; then the folders must
 * be exactly the mapping's.
 *
 * <p>Errors name the file: an empty class folder, a missing root, a file that cannot be decoded or
 * is truncated (PNG without {@code IEND}, JPEG without its end marker), an image of the wrong size.
 * Decoding errors surface from {@link #load} as {@link UncheckedIOException}.
 *
 * <p>Immutable; safe to read from several threads (each decode is independent).
 *
 * @since 0.1.0
 */
public final class ImageFolderDataset implements Dataset {
  private final Path root;
  private final ClassIndex classIndex;
  private final List<List<Path>> files;
  private final Images.ColorMode colorMode;
  private final int channels;
  private final ImageSize imageSize;
  private final boolean resize;
  private final ResizeMode resizeMode;
  private final int size;

  private ImageFolderDataset(Builder b, ImageFolder.Listing listing) throws IOException {
    this.root = listing.root();
    this.colorMode = b.colorMode;
    Map<String, List<Path>> byFolder = new HashMap<>();
    for (String folder : listing.classNames()) {
      byFolder.put(folder, new ArrayList<>());
    }
    for (ImageFolder.Sample s : listing.samples()) {
      byFolder.get(listing.classNames().get(s.label())).add(s.file());
    }
    if (b.classIndex != null) {
      b.classIndex.checkFolders(listing.classNames(), root.toString());
      this.classIndex = b.classIndex;
    } else {
      this.classIndex = ClassIndex.of(listing.classNames());
    }
    List<List<Path>> perClass = new ArrayList<>();
    int total = 0;
    for (String folder : classIndex.folders()) {
      List<Path> f = List.copyOf(byFolder.get(folder));
      perClass.add(f);
      total += f.size();
    }
    this.files = List.copyOf(perClass);
    this.size = total;
    this.resizeMode = b.resizeMode;
    try (TensorScope scope = TensorScope.open()) {
      Path first = files.get(0).get(0);
      Tensor probe = Images.read(first, colorMode);
      this.channels = Math.toIntExact(probe.size(0));
      if (b.imageSize != null) {
        this.imageSize = b.imageSize;
        this.resize = true;
      } else {
        this.imageSize =
            ImageSize.of(Math.toIntExact(probe.size(1)), Math.toIntExact(probe.size(2)));
        this.resize = false;
      }
    }
  }

  /**
   * Starts a builder.
   *
   * @param root the ImageFolder root (one sub-folder per class)
   * @return the builder
   */
  public static Builder builder(Path root) {
    return new Builder(checkNotNull(root, "root"));
  }

  /**
   * An ImageFolder with the defaults (RGB, sorted folders, the first image's size).
   *
   * @param root the root
   * @return the dataset
   * @throws IOException if the folder is malformed (names the folder) or the first image cannot be
   *     decoded
   */
  public static ImageFolderDataset of(Path root) throws IOException {
    return builder(root).build();
  }

  /** The root folder. */
  public Path root() {
    return root;
  }

  /**
   * The files of one class, in position order.
   *
   * @param classId the class
   * @return the files (immutable)
   */
  public List<Path> files(int classId) {
    checkClass(classId);
    return files.get(classId);
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
    return files.get(classId).size();
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
    List<Path> f = files.get(classId);
    try (TensorScope scope = TensorScope.open()) {
      List<Tensor> images = new ArrayList<>(positions.length);
      for (int p : positions) {
        checkArgument(
            p >= 0 && p < f.size(),
            "positions must be in [0, %s) for class %s but contained %s",
            f.size(),
            classId,
            p);
        images.add(decode(f.get(p)));
      }
      if (images.isEmpty()) {
        return scope.keep(
            org.bytedeco.pytorch.global.torch.zeros(
                0, channels, imageSize.height(), imageSize.width()));
      }
      return scope.keep(Images.stack(images));
    }
  }

  private Tensor decode(Path file) {
    try {
      Tensor t = Images.read(file, colorMode);
      if (resize) {
        return ImageTransforms.resize(t.unsqueeze(0), imageSize, resizeMode).squeeze(0);
      }
      if (t.size(1) != imageSize.height() || t.size(2) != imageSize.width()) {
        throw new IOException(
            "image file "
                + file
                + " is "
                + t.size(1)
                + "x"
                + t.size(2)
                + " but the dataset's images are "
                + imageSize
                + " (the first image's size); set ImageFolderDataset.builder(root).imageSize(...)"
                + " to resize every image");
      }
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private void checkClass(int classId) {
    checkArgument(
        classId >= 0 && classId < files.size(),
        "classId must be in [0, %s) but was %s",
        files.size(),
        classId);
  }

  @Override
  public String id() {
    return "imagefolder:" + root;
  }

  @Override
  public String toString() {
    return "ImageFolderDataset["
        + root
        + ", "
        + classIndex.size()
        + " classes, "
        + size
        + " images, "
        + channels
        + "x"
        + imageSize
        + "]";
  }

  /** Builder of {@link ImageFolderDataset}; setters validate at once. */
  public static final class Builder {
    private final Path root;
    private ClassIndex classIndex;
    private Images.ColorMode colorMode = Images.ColorMode.RGB;
    private ImageSize imageSize;
    private ResizeMode resizeMode = ResizeMode.COVER_CROP;

    private Builder(Path root) {
      this.root = root;
    }

    /**
     * The class order (default: sorted folder names).
     *
     * @param index the classes; the folders must be exactly its folders
     * @return this
     */
    public Builder classIndex(ClassIndex index) {
      this.classIndex = checkNotNull(index, "index");
      return this;
    }

    /**
     * Reads the class order from a mapping file ({@link ClassIndex#read}).
     *
     * @param file the mapping file
     * @return this
     * @throws IOException if it cannot be read
     */
    public Builder classIndexFile(Path file) throws IOException {
      return classIndex(ClassIndex.read(file));
    }

    /**
     * The channels to decode into (default {@link Images.ColorMode#RGB}).
     *
     * @param mode RGB, GRAY, or AS_STORED (then every file must have the first file's channels)
     * @return this
     */
    public Builder colorMode(Images.ColorMode mode) {
      this.colorMode = checkNotNull(mode, "mode");
      return this;
    }

    /**
     * Brings every image to this size (default: every image must have the first one's size).
     *
     * @param size the size
     * @return this
     */
    public Builder imageSize(ImageSize size) {
      this.imageSize = checkNotNull(size, "size");
      return this;
    }

    /**
     * How {@link #imageSize} resizes (default {@link ResizeMode#COVER_CROP}).
     *
     * @param mode the mode
     * @return this
     */
    public Builder resizeMode(ResizeMode mode) {
      this.resizeMode = checkNotNull(mode, "mode");
      return this;
    }

    /**
     * Lists the folder and probes its first image.
     *
     * @return the dataset
     * @throws IOException if the root is missing, has no class folder, a class folder has no image,
     *     or the first image cannot be decoded (each naming the path)
     * @throws IllegalArgumentException if a class index disagrees with the folders
     */
    public ImageFolderDataset build() throws IOException {
      return new ImageFolderDataset(this, ImageFolder.list(root));
    }
  }
}
