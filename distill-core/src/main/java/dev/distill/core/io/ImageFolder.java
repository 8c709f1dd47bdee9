package dev.distill.core.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * The ImageFolder layout ({@code root/<class>/xxx.png}) with torchvision's semantics, read and
 * written.
 *
 * <p>Reading follows {@code torchvision.datasets.ImageFolder}: every sub-folder of the root is a
 * class, classes are sorted by folder name and numbered from 0 in that order, each class folder is
 * searched recursively (following links) for files whose lower-cased name ends with one of {@link
 * #EXTENSIONS}, and the files are ordered by folder path, then file name. A class folder without
 * any image is an error, as in torchvision. Files at the root level are ignored.
 *
 * <p>Writing puts image {@code i} at {@code root/<folder of its class>/<i>.png} (zero-padded so
 * that name order is index order), each file written atomically. Folder names are {@link
 * #folderNames sanitised class names}; note that torchvision numbers classes by sorted folder name,
 * which equals the original class order only if the names were already sorted — {@link
 * DistilledSetIO} keeps the original order in its manifest.
 *
 * <p>Stateless and thread-safe; returned tensors follow {@link TensorScope} ownership rules.
 *
 * @since 0.1.0
 */
public final class ImageFolder {
  /** The file extensions torchvision's ImageFolder accepts (lower case). */
  public static final List<String> EXTENSIONS =
      List.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp");

  private ImageFolder() {}

  /**
   * One image file and its class.
   *
   * @param file the file
   * @param label the class index
   */
  public record Sample(Path file, int label) {
    /** Validates the components. */
    public Sample {
      checkNotNull(file, "file");
      checkArgument(label >= 0, "label must be >= 0 but was %s", label);
    }
  }

  /**
   * The listing of an ImageFolder, before any image is decoded.
   *
   * @param root the root folder
   * @param classNames the class folder names, sorted; index = label
   * @param samples the files in torchvision order
   */
  public record Listing(Path root, List<String> classNames, List<Sample> samples) {
    /** Validates and copies. */
    public Listing {
      checkNotNull(root, "root");
      classNames = List.copyOf(classNames);
      samples = List.copyOf(samples);
    }
  }

  /**
   * Lists an ImageFolder in torchvision's order without decoding any image.
   *
   * @param root the root folder
   * @return the classes and files
   * @throws IOException if the root is missing, has no class folder, or a class has no image
   */
  public static Listing list(Path root) throws IOException {
    checkNotNull(root, "root");
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null, "ImageFolder root is not a directory");
    }
    List<String> classes;
    try (Stream<Path> children = Files.list(root)) {
      classes =
          children
              .filter(Files::isDirectory)
              .map(p -> p.getFileName().toString())
              .sorted()
              .toList();
    }
    if (classes.isEmpty()) {
      throw new IOException("ImageFolder " + root + " has no class folders");
    }
    List<Sample> samples = new ArrayList<>();
    for (int label = 0; label < classes.size(); label++) {
      Path dir = root.resolve(classes.get(label));
      List<Path> files;
      try (Stream<Path> walk = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
        files =
            walk.filter(Files::isRegularFile)
                .filter(ImageFolder::hasImageExtension)
                .sorted(
                    Comparator.comparing((Path p) -> p.getParent().toString())
                        .thenComparing(p -> p.getFileName().toString()))
                .toList();
      }
      if (files.isEmpty()) {
        throw new IOException(
            "ImageFolder class folder "
                + dir
                + " has no image file (extensions "
                + EXTENSIONS
                + ")");
      }
      for (Path f : files) {
        samples.add(new Sample(f, label));
      }
    }
    return new Listing(root, classes, samples);
  }

  private static boolean hasImageExtension(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  /**
   * Reads an ImageFolder with every image's channels as stored.
   *
   * @param root the root folder
   * @return the images {@code [N, C, H, W]} in {@code [-1, 1]}, labels and class names; the caller
   *     closes it
   * @throws IOException if the folder is malformed, a file cannot be decoded, or the images do not
   *     all have one shape (message names the file)
   */
  public static LabeledImages read(Path root) throws IOException {
    return read(root, Images.ColorMode.AS_STORED);
  }

  /**
   * Reads an ImageFolder.
   *
   * @param root the root folder
   * @param mode the channels to read every image into
   * @return the images {@code [N, C, H, W]} in {@code [-1, 1]}, labels and class names; the caller
   *     closes it
   * @throws IOException if the folder is malformed, a file cannot be decoded, or the images do not
   *     all have one shape (message names the file)
   */
  public static LabeledImages read(Path root, Images.ColorMode mode) throws IOException {
    checkNotNull(mode, "mode");
    Listing listing = list(root);
    List<Path> files = listing.samples().stream().map(Sample::file).toList();
    int[] labels = listing.samples().stream().mapToInt(Sample::label).toArray();
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = readStack(files, mode);
      return LabeledImages.copyOf(images, Tensors.fromInts(labels), listing.classNames());
    }
  }

  /**
   * Reads image files of one shape into a batch.
   *
   * @param files the files, at least one
   * @param mode the channels to read every image into
   * @return {@code [N, C, H, W]} float32 in {@code [-1, 1]}, owned by the caller's current scope
   * @throws IOException if a file cannot be decoded or its shape differs from the first file's
   */
  static Tensor readStack(List<Path> files, Images.ColorMode mode) throws IOException {
    checkArgument(!files.isEmpty(), "files must not be empty but was []");
    try (TensorScope scope = TensorScope.open()) {
      List<Tensor> images = new ArrayList<>(files.size());
      long[] first = null;
      for (Path f : files) {
        Tensor t = Images.read(f, mode);
        long[] shape = Tensors.shape(t);
        if (first == null) {
          first = shape;
        } else if (!Arrays.equals(first, shape)) {
          throw new IOException(
              "image "
                  + f
                  + " has shape [C, H, W] = "
                  + Arrays.toString(shape)
                  + " but "
                  + files.get(0)
                  + " has "
                  + Arrays.toString(first)
                  + (first[0] != shape[0]
                      ? " (read with ColorMode.GRAY or RGB to unify channels)"
                      : ""));
        }
        images.add(t);
      }
      return scope.keep(Images.stack(images));
    }
  }

  /**
   * Writes images as an ImageFolder of 8-bit PNGs, each file atomically.
   *
   * @param root the root folder (created if missing; existing files of the same names are replaced)
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}, C 1 or 3
   * @param labels one class index per image
   * @param classNames the class names, index = label
   * @return the written files relative to {@code root}, with {@code /} separators, in image order
   * @throws IOException if writing fails
   * @throws IllegalArgumentException if the sizes disagree or a label is out of range
   */
  public static List<String> write(
      Path root, Tensor images, List<Integer> labels, List<String> classNames) throws IOException {
    checkNotNull(root, "root");
    checkNotNull(images, "images");
    checkNotNull(labels, "labels");
    checkNotNull(classNames, "classNames");
    Tensors.checkShape(images, "images", labels.size(), -1, -1, -1);
    for (int i = 0; i < labels.size(); i++) {
      int l = labels.get(i);
      checkArgument(
          l >= 0 && l < classNames.size(),
          "labels must be in [0, %s) but label %s was %s",
          classNames.size(),
          i,
          l);
    }
    List<String> folders = folderNames(classNames);
    int width = Math.max(5, Integer.toString(Math.max(0, labels.size() - 1)).length());
    List<String> written = new ArrayList<>(labels.size());
    Files.createDirectories(root);
    for (String folder : folders) {
      Files.createDirectories(root.resolve(folder));
    }
    for (int i = 0; i < labels.size(); i++) {
      String rel =
          folders.get(labels.get(i)) + "/" + String.format(Locale.ROOT, "%0" + width + "d.png", i);
      try (TensorScope scope = TensorScope.open()) {
        Images.writePng(root.resolve(rel), images.select(0, i));
      }
      written.add(rel);
    }
    return written;
  }

  /**
   * Folder names for class names: characters other than letters, digits, space, {@code . _ + -}
   * become {@code _}, leading dots and surrounding spaces are removed, names are cut to 100
   * characters, an empty result becomes {@code class_<index>}, and a name that collides with an
   * earlier one (ignoring case) gets the suffix {@code _<index>}.
   *
   * @param classNames the class names
   * @return one distinct, file-system-safe folder name per class
   */
  public static List<String> folderNames(List<String> classNames) {
    checkNotNull(classNames, "classNames");
    List<String> out = new ArrayList<>(classNames.size());
    Set<String> used = new HashSet<>();
    for (int i = 0; i < classNames.size(); i++) {
      String name = checkNotNull(classNames.get(i), "classNames[%s]", i);
      String s = name.replaceAll("[^\\p{L}\\p{N} ._+-]", "_").strip().replaceFirst("^\\.+", "");
      if (s.length() > 100) {
        s = s.substring(0, 100).strip();
      }
      if (s.isEmpty()) {
        s = "class_" + i;
      }
      if (!used.add(s.toLowerCase(Locale.ROOT))) {
        s = s + "_" + i;
        used.add(s.toLowerCase(Locale.ROOT));
      }
      out.add(s);
    }
    return out;
  }
}
