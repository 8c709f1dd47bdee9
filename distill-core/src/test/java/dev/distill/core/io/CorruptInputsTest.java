package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.distill.api.DistilledSet;
import dev.distill.api.RunProvenance;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.SeededCases;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Corrupted inputs (seeded byte flips and truncations, as {@code SafetensorsTest} does for
 * safetensors) of every reader of real data: PNG and JPEG ({@link Images#read}), IDX raw and gzip
 * ({@link Idx#read}), a distilled set's {@code manifest.json} ({@link DistilledSetIO#load}). Each
 * ends in an exception that names the file, never a JVM crash; a read that succeeds has the
 * original's shape (a flip may change pixel values where the format has no checksum: JPEG data, raw
 * IDX data), and for checksummed formats (PNG, gzip) the original's exact content.
 *
 * <p>COCO {@code instances.json} ({@link CocoJson#read}): with the checksum a distilled set's
 * manifest records, every change is refused or the annotations read back equal; without one (a
 * user's file), a read that succeeds has the original's numbers of images, categories and objects,
 * and every box lies inside its image (a flipped digit can move a box or rename a file: JSON has no
 * checksum).
 */
class CorruptInputsTest {
  @TempDir Path tmp;

  static Stream<Long> seeds() {
    return SeededCases.seeds(60);
  }

  /** A mutated copy: a truncation (1 in 4) or 1–3 flipped bytes, half of them in the header. */
  record Mutation(byte[] bytes, String description) {
    static Mutation of(byte[] good, int headerBytes, Random r) {
      byte[] bad = good.clone();
      if (r.nextInt(4) == 0) {
        int length = r.nextInt(good.length);
        return new Mutation(
            Arrays.copyOf(good, length), "truncated to " + length + " of " + good.length);
      }
      List<Integer> positions = new ArrayList<>();
      for (int i = 1 + r.nextInt(3); i > 0; i--) {
        int pos =
            r.nextBoolean()
                ? r.nextInt(Math.min(headerBytes, good.length))
                : r.nextInt(good.length);
        bad[pos] ^= (byte) (1 + r.nextInt(255));
        positions.add(pos);
      }
      return new Mutation(bad, "bytes flipped at " + positions + " of " + good.length);
    }
  }

  /** A failure is an I/O or argument exception whose message names {@code file}. */
  private static void assertNamedFailure(Throwable t, Path file, String mutation) {
    assertThat(t)
        .as(mutation)
        .isInstanceOfAny(
            IOException.class, UncheckedIOException.class, IllegalArgumentException.class);
    assertThat(t.getMessage()).as(mutation + ": " + t).contains(file.toString());
  }

  private static Tensor randomImage(Random r) {
    int c = r.nextBoolean() ? 1 : 3;
    int h = 8 + r.nextInt(33);
    int w = 8 + r.nextInt(33);
    // smooth content (upsampled noise) compresses like a photo, not like noise
    Tensor small = torch.tanh(Rng.normal(r.nextLong(), 1, c, (h + 3) / 4, (w + 3) / 4));
    return torch.upsample_bilinear2d(small, new long[] {h, w}, false).squeeze(0);
  }

  private static byte[] encode(Tensor image, String ext) {
    Mat mat = Images.toMat(image);
    BytePointer buf = new BytePointer();
    assertThat(opencv_imgcodecs.imencode(ext, mat, buf)).isTrue();
    byte[] out = new byte[Math.toIntExact(buf.limit())];
    buf.get(out);
    buf.close();
    return out;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void corruptedPngFailsNamingTheFileOrDecodesExactly(long seed) throws IOException {
    checkImage(seed, ".png", true);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void corruptedJpegFailsNamingTheFileOrDecodesToTheSameShape(long seed) throws IOException {
    checkImage(seed, ".jpg", false);
  }

  private void checkImage(long seed, String ext, boolean exact) throws IOException {
    Random r = new Random(seed);
    try (TensorScope scope = TensorScope.open()) {
      Tensor image = randomImage(r);
      byte[] good = encode(image, ext);
      Path original = tmp.resolve("original" + ext);
      Files.write(original, good);
      Tensor expected = Images.read(original, Images.ColorMode.AS_STORED);
      // PNG: signature + IHDR end at byte 33; JPEG: the tables and frame header, ~600 bytes
      Mutation m = Mutation.of(good, ext.equals(".png") ? 33 : 620, r);
      Path file = tmp.resolve("mutated" + ext);
      Files.write(file, m.bytes());
      Tensor actual;
      try {
        actual = Images.read(file, Images.ColorMode.AS_STORED);
      } catch (IOException | RuntimeException e) {
        assertNamedFailure(e, file, m.description());
        return;
      }
      assertThat(Tensors.shape(actual))
          .as(m.description())
          .containsExactly(Tensors.shape(expected));
      if (exact) {
        assertThat(actual.equal(expected)).as(m.description()).isTrue();
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void corruptedIdxFailsNamingTheFileOrReadsTheSameShape(long seed) throws IOException {
    Random r = new Random(seed);
    boolean gzip = r.nextBoolean();
    int dims = 1 + r.nextInt(3);
    int[] shape = new int[dims];
    int n = 1;
    for (int i = 0; i < dims; i++) {
      shape[i] = 1 + r.nextInt(12);
      n *= shape[i];
    }
    byte[] data = new byte[n];
    r.nextBytes(data);
    Idx.ByteArray content = new Idx.ByteArray(shape, data);
    Path original = tmp.resolve("original.idx");
    Idx.write(original, content, gzip ? Idx.Compression.GZIP : Idx.Compression.RAW);
    byte[] good = Files.readAllBytes(original);
    Mutation m = Mutation.of(good, gzip ? 20 : 4 + 4 * dims, r);
    String what = (gzip ? "gzip " : "raw ") + m.description();
    Path file = tmp.resolve("mutated.idx" + (gzip ? ".gz" : ""));
    Files.write(file, m.bytes());
    Idx.ByteArray read;
    try {
      read = Idx.read(file);
    } catch (IOException | RuntimeException e) {
      assertNamedFailure(e, file, what);
      return;
    }
    assertThat(read.shape()).as(what).containsExactly(shape);
    if (gzip) { // CRC-32 guards the content
      assertThat(read).as(what).isEqualTo(content);
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void corruptedManifestFailsNamingTheFileOrLoadsTheSameImagesAndLabels(long seed)
      throws IOException {
    Random r = new Random(seed);
    Path dir = tmp.resolve("set");
    try (TensorScope scope = TensorScope.open()) {
      int classes = 2 + r.nextInt(3);
      int size = classes * (1 + r.nextInt(3));
      List<Integer> labels = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        labels.add(r.nextInt(classes));
      }
      List<String> names = new ArrayList<>();
      for (int k = 0; k < classes; k++) {
        names.add("class " + (char) ('a' + k));
      }
      int c = r.nextBoolean() ? 1 : 3;
      Tensor images = torch.tanh(Rng.normal(r.nextLong(), size, c, 6, 6)).mul(new Scalar(1.0));
      try (DistilledSet set =
          new DistilledSet(
              images.clone(),
              labels,
              null,
              names,
              new RunProvenance("test", Map.of("k", "v"), seed, "m", "0", Instant.EPOCH))) {
        DistilledSetIO.save(set, dir);
      }
      Path manifest = dir.resolve(DistilledSetIO.MANIFEST);
      byte[] good = Files.readAllBytes(manifest);
      try (DistilledSet expected = DistilledSetIO.load(dir)) {
        Mutation m = Mutation.of(good, good.length, r);
        Files.write(manifest, m.bytes());
        DistilledSet loaded;
        try {
          loaded = DistilledSetIO.load(dir);
        } catch (IOException | RuntimeException e) {
          assertThat(e)
              .as(m.description())
              .isInstanceOfAny(
                  IOException.class, UncheckedIOException.class, IllegalArgumentException.class);
          assertThat(e.getMessage()).as(m.description() + ": " + e).contains(dir.toString());
          return;
        }
        try (loaded) {
          // a flip in a provenance string may survive; the data itself must be the same
          assertThat(Tensors.shape(loaded.images()))
              .as(m.description())
              .containsExactly(Tensors.shape(expected.images()));
          assertThat(loaded.images().equal(expected.images())).as(m.description()).isTrue();
          assertThat(loaded.labels()).as(m.description()).isEqualTo(expected.labels());
          assertThat(loaded.classNames()).as(m.description()).isEqualTo(expected.classNames());
        }
      }
    } catch (AssertionError e) {
      throw e;
    } catch (RuntimeException e) {
      fail("unexpected exception for seed " + seed, e);
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void corruptedInstancesJsonOfASetFailsNamingTheSetOrLoadsTheSameAnnotations(long seed)
      throws IOException {
    Random r = new Random(seed);
    Path dir = tmp.resolve("annotated");
    try (TensorScope scope = TensorScope.open()) {
      int size = 1 + r.nextInt(4);
      List<Integer> labels = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        labels.add(0);
      }
      dev.distill.api.annotation.AnnotationSet annotations = RandomAnnotations.of(r, size, 6, 5);
      Tensor images = torch.tanh(Rng.normal(r.nextLong(), size, 1, 5, 6));
      try (DistilledSet set =
          new DistilledSet(
              images.clone(),
              labels,
              null,
              List.of("scene"),
              new RunProvenance("test", Map.of(), seed, "m", "0", Instant.EPOCH),
              annotations)) {
        DistilledSetIO.save(set, dir);
      }
      Path coco = dir.resolve(CocoJson.INSTANCES);
      byte[] good = Files.readAllBytes(coco);
      Mutation m = Mutation.of(good, good.length, r);
      Files.write(coco, m.bytes());
      DistilledSet loaded;
      try {
        loaded = DistilledSetIO.load(dir);
      } catch (IOException | RuntimeException e) {
        assertNamedFailure(e, coco, m.description());
        return;
      }
      try (loaded) {
        assertThat(loaded.annotations()).as(m.description()).contains(annotations);
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void corruptedCocoFileFailsNamingTheFileOrReadsTheSameStructure(long seed) throws IOException {
    Random r = new Random(seed);
    int size = 1 + r.nextInt(5);
    dev.distill.api.annotation.AnnotationSet annotations =
        RandomAnnotations.of(r, size, 4 + r.nextInt(20), 4 + r.nextInt(20));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      names.add("images/" + i + ".png");
    }
    Path dir = tmp.resolve("coco");
    Path coco = dir.resolve(CocoJson.INSTANCES);
    CocoJson.write(coco, dir, names, annotations);
    CocoJson.Content expected = CocoJson.read(coco, dir);
    byte[] good = Files.readAllBytes(coco);
    Mutation m = Mutation.of(good, good.length, r);
    Files.write(coco, m.bytes());
    CocoJson.Content read;
    try {
      read = CocoJson.read(coco, dir);
    } catch (IOException | RuntimeException e) {
      assertNamedFailure(e, coco, m.description());
      return;
    }
    assertThat(read.images()).as(m.description()).hasSameSizeAs(expected.images());
    assertThat(read.annotations().categories())
        .as(m.description())
        .hasSameSizeAs(expected.annotations().categories());
    // a flipped image_id may move an object to another image; none appears or vanishes
    assertThat(objectCount(read.annotations()))
        .as(m.description())
        .isEqualTo(objectCount(expected.annotations()));
  }

  private static int objectCount(dev.distill.api.annotation.AnnotationSet set) {
    return set.images().stream().mapToInt(a -> a.objects().size()).sum();
  }
}
