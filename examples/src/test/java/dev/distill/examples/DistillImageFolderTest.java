package dev.distill.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.DistilledSet;
import dev.distill.api.Encoder;
import dev.distill.api.ImageSize;
import dev.distill.api.ProgressListener;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.core.data.ImageFolderDataset;
import dev.distill.core.io.DistilledSetIO;
import dev.distill.core.io.ImageFolder;
import dev.distill.core.io.Images;
import dev.distill.core.method.D4M;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import dev.distill.sdxl.pipeline.SdxlOptions;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SDXL end to end through {@link Distill} on a real ImageFolder: the tiny SDXL fixture (default
 * generation size 64², VAE factor 2) distils a 3-class RGB folder of non-square 24×40 images with
 * each method; the output is a valid ImageFolder at the dataset's size, reruns are bit-identical, a
 * killed run resumes to the same bytes, and bad input fails with named errors.
 */
class DistillImageFolderTest {
  private static final int H = 24;
  private static final int W = 40;
  private static final int PER_CLASS = 5;
  private static final List<String> CLASSES = List.of("n0001_red", "n0002_green", "n0003_blue");

  @TempDir static Path shared;
  private static Path data;

  @BeforeAll
  static void writeDataset() throws IOException {
    Threads.set(2);
    data = shared.resolve("data");
    makeFolder(data, PER_CLASS);
  }

  /** Class c: a noisy image whose channel c is bright, different per image (seeded). */
  static void makeFolder(Path root, int perClass) throws IOException {
    for (int c = 0; c < CLASSES.size(); c++) {
      Path dir = root.resolve(CLASSES.get(c));
      Files.createDirectories(dir);
      for (int i = 0; i < perClass; i++) {
        try (TensorScope s = TensorScope.open()) {
          Tensor img =
              Rng.normal(1000L * c + i, 3, H, W).mul(Tensors.scalar(0.3)).sub(Tensors.scalar(0.4));
          img.select(0, c).add_(Tensors.scalar(0.9));
          img =
              img.clamp(
                  new org.bytedeco.pytorch.ScalarOptional(Tensors.scalar(-1.0)),
                  new org.bytedeco.pytorch.ScalarOptional(Tensors.scalar(1.0)));
          Images.writePng(dir.resolve(String.format("img_%02d.png", i)), img);
        }
      }
    }
  }

  /** The sdxl-tiny fixture: under {@code -Ddistill.fixtures}, else under /work/shared/fixtures. */
  static Path fixture() {
    String property = System.getProperty("distill.fixtures");
    if (property != null && !property.isBlank()) {
      Path p = Path.of(property).resolve("sdxl-tiny");
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    Path p = Path.of("/work/shared/fixtures/sdxl-tiny");
    assertThat(p)
        .as(
            "the sdxl-tiny fixture (under -Ddistill.fixtures=%s or /work/shared/fixtures)",
            property)
        .isDirectory();
    return p;
  }

  static DistillImageFolder.Options options(String method, Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--pipeline",
                fixture().toString(),
                "--data",
                data.toString(),
                "--method",
                method,
                "--ipc",
                "2",
                "--steps",
                "3",
                "--cfg",
                "2",
                "--batch",
                "2",
                "--proxy-epochs",
                "3",
                "--proxy-size",
                "16",
                "--size",
                "32x48",
                "--out",
                out.toString()));
    args.addAll(List.of(extra));
    return DistillImageFolder.parse(args.toArray(new String[0]));
  }

  @ParameterizedTest
  @ValueSource(strings = {"random-real", "d4m", "mode-guided", "unidd"})
  void distilsAnImageFolderAtTheDatasetsResolutionAndRerunsBitIdentically(
      String method, @TempDir Path tmp) throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    try (DistillResult r = DistillImageFolder.run(options(method, a), ProgressListener.NONE)) {
      assertThat(Tensors.shape(r.set().images())).containsExactly(6, 3, H, W);
      assertThat(r.set().classNames()).isEqualTo(CLASSES);
    }
    ImageFolder.Listing listing = ImageFolder.list(a);
    assertThat(listing.classNames()).isEqualTo(CLASSES);
    assertThat(listing.samples()).hasSize(6);
    for (ImageFolder.Sample s : listing.samples()) {
      try (TensorScope scope = TensorScope.open()) {
        assertThat(Tensors.shape(Images.read(s.file(), Images.ColorMode.AS_STORED)))
            .containsExactly(3, H, W);
      }
    }
    JsonNode manifest = new ObjectMapper().readTree(a.resolve(DistilledSetIO.MANIFEST).toFile());
    JsonNode config = manifest.get("config");
    assertThat(config.get("outputSize").asText()).isEqualTo(H + "x" + W);
    assertThat(config.get("classIndex.folders").asText()).contains("n0001_red", "n0003_blue");
    if (!method.equals("random-real")) {
      assertThat(config.get("generationSize").asText()).isEqualTo("32x48");
      JsonNode prompts = new ObjectMapper().readTree(config.get("imagePrompts").asText());
      assertThat(prompts).hasSize(6);
      assertThat(prompts.get(0).asText()).isEqualTo("a photo of a n0001_red");
    }
    try (DistillResult r = DistillImageFolder.run(options(method, b), ProgressListener.NONE)) {
      assertThat(r.set().size()).isEqualTo(6);
    }
    for (ImageFolder.Sample s : listing.samples()) {
      Path other = b.resolve(a.relativize(s.file()));
      assertThat(Files.readAllBytes(other)).as("%s", other).isEqualTo(Files.readAllBytes(s.file()));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"d4m", "mode-guided", "unidd"})
  void sdxlTurboServesEveryGenerativeMethod(String method, @TempDir Path tmp) throws IOException {
    DistillImageFolder.Options o = options(method, tmp.resolve("t"), "--turbo");
    assertThat(o.turbo()).isTrue();
    try (DistillResult r = DistillImageFolder.run(o, ProgressListener.NONE)) {
      assertThat(Tensors.shape(r.set().images())).containsExactly(6, 3, H, W);
      assertThat(r.set().provenance().modelId())
          .startsWith("sdxl:")
          .contains("EulerAncestralDiscreteScheduler");
      assertThat(r.set().provenance().config()).containsEntry("generationSize", "32x48");
    }
  }

  @Test
  void aKilledRunResumesToTheSameImages(@TempDir Path tmp) throws IOException {
    Path whole = tmp.resolve("whole");
    Path killed = tmp.resolve("killed");
    try (SdxlPipeline pipe = SdxlPipeline.load(fixture(), SdxlOptions.cpu())) {
      assertThat(pipe.sampler().imageSize())
          .as("the tiny SDXL's default")
          .isEqualTo(ImageSize.square(64));
      ImageFolderDataset set = ImageFolderDataset.of(data);
      Distill.from(set)
          .method(D4M.defaults())
          .sampler(pipe.sampler())
          .ipc(2)
          .numSteps(3)
          .guidanceScale(2)
          .batchSize(2)
          .imageSize(ImageSize.of(32, 48))
          .run(whole)
          .close();
      Sampler dying = new FailingSampler(pipe.sampler(), 1);
      assertThatThrownBy(
              () ->
                  Distill.from(set)
                      .method(D4M.defaults())
                      .sampler(dying)
                      .ipc(2)
                      .numSteps(3)
                      .guidanceScale(2)
                      .batchSize(2)
                      .imageSize(ImageSize.of(32, 48))
                      .run(killed))
          .hasMessageContaining("simulated kill");
      assertThat(killed.resolve(DistilledSetIO.MANIFEST)).doesNotExist();
      try (DistillResult r =
          Distill.from(set)
              .method(D4M.defaults())
              .sampler(pipe.sampler())
              .ipc(2)
              .numSteps(3)
              .guidanceScale(2)
              .batchSize(2)
              .imageSize(ImageSize.of(32, 48))
              .run(killed)) {
        assertThat(r.resumedClasses()).isEqualTo(1);
      }
    }
    try (DistilledSet x = DistilledSetIO.load(whole);
        DistilledSet y = DistilledSetIO.load(killed)) {
      assertThat(Tensors.maxAbsDiff(x.images(), y.images())).isZero();
    }
  }

  @Test
  void aGenerationSizeNotDivisibleByTheVaeFactorIsRejectedBeforeAnyWork(@TempDir Path tmp) {
    assertThatThrownBy(
            () ->
                DistillImageFolder.run(
                    options("d4m", tmp.resolve("o"), "--size", "33"), ProgressListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("divisible by the VAE factor 2")
        .hasMessageContaining("33x33");
    assertThat(tmp.resolve("o")).doesNotExist();
  }

  @Test
  void aPromptFileNamingAnUnknownClassIsRejected(@TempDir Path tmp) throws IOException {
    Path prompts = tmp.resolve("prompts.json");
    Files.writeString(
        prompts,
        "{\"n0001_red\": [\"a red thing\"], \"n0002_green\": \"green\", \"n0003_blue\": \"blue\","
            + " \"n0009_cat\": \"a cat\"}");
    assertThatThrownBy(
            () ->
                DistillImageFolder.run(
                    options("d4m", tmp.resolve("o"), "--prompts", prompts.toString()),
                    ProgressListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown classes [n0009_cat]");
  }

  @Test
  void promptsFromACaptionsFileAreChosenPerSampleAndRecorded(@TempDir Path tmp) throws IOException {
    Path prompts = tmp.resolve("prompts.csv");
    Files.writeString(
        prompts,
        "class,prompt\nn0001_red,\"a red square, close up\"\nn0001_red,a red blob\n"
            + "n0002_green,a green field\nn0003_blue,a blue sky\n");
    Path out = tmp.resolve("o");
    DistillImageFolder.run(
            options("d4m", out, "--prompts", prompts.toString()), ProgressListener.NONE)
        .close();
    JsonNode config =
        new ObjectMapper().readTree(out.resolve(DistilledSetIO.MANIFEST).toFile()).get("config");
    JsonNode recorded = new ObjectMapper().readTree(config.get("imagePrompts").asText());
    assertThat(recorded).hasSize(6);
    for (int i = 0; i < 2; i++) {
      assertThat(recorded.get(i).asText()).isIn("a red square, close up", "a red blob");
      assertThat(recorded.get(2 + i).asText()).isEqualTo("a green field");
      assertThat(recorded.get(4 + i).asText()).isEqualTo("a blue sky");
    }
    assertThat(config.get("prompts").asText()).startsWith("captions:");
  }

  @Test
  void aClassMappingThatDisagreesWithTheFoldersIsRejectedNamingThem(@TempDir Path tmp)
      throws IOException {
    Path mapping = tmp.resolve("classes.txt");
    Files.writeString(mapping, "n0001_red red\nn0002_green green\nn0004_white white\n");
    assertThatThrownBy(
            () ->
                DistillImageFolder.run(
                    options("random-real", tmp.resolve("o"), "--classes", mapping.toString()),
                    ProgressListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[n0004_white]")
        .hasMessageContaining("[n0003_blue]");
  }

  @Test
  void aClassMappingFileSetsTheOrderAndTheDisplayNames(@TempDir Path tmp) throws IOException {
    Path mapping = tmp.resolve("classes.txt");
    Files.writeString(mapping, "n0003_blue blue, sky\nn0001_red red\nn0002_green green\n");
    ImageFolderDataset ds = ImageFolderDataset.builder(data).classIndexFile(mapping).build();
    assertThat(ds.classIndex().folders()).containsExactly("n0003_blue", "n0001_red", "n0002_green");
    assertThat(ds.classNames()).containsExactly("blue", "red", "green");
    try (TensorScope s = TensorScope.open()) {
      // class 0 is now the blue folder: its images are brightest in channel 2
      Tensor mean =
          ds.load(0, 0, PER_CLASS)
              .mean(new long[] {0, 2, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
      float[] m = Tensors.toFloats(mean);
      assertThat(m[2]).isGreaterThan(m[0]).isGreaterThan(m[1]);
    }
  }

  @Test
  void anEmptyClassFolderIsRejectedNamingIt(@TempDir Path tmp) throws IOException {
    Path root = tmp.resolve("d");
    makeFolder(root, 2);
    Files.createDirectories(root.resolve("n0004_empty"));
    assertThatThrownBy(() -> ImageFolderDataset.of(root))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("n0004_empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "truncated"})
  void anUnreadableImageIsReportedByPath(String kind, @TempDir Path tmp) throws IOException {
    Path root = tmp.resolve("d");
    makeFolder(root, 3);
    Path bad = root.resolve("n0002_green/img_01.png");
    byte[] bytes = Files.readAllBytes(bad);
    if (kind.equals("garbage")) {
      Files.write(bad, "not an image at all".getBytes());
    } else {
      Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    }
    ImageFolderDataset ds = ImageFolderDataset.of(root);
    assertThatThrownBy(
            () ->
                Distill.from(ds)
                    .method(dev.distill.core.method.RandomReal.of())
                    .ipc(3)
                    .run(tmp.resolve("o")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(bad.toString());
  }

  /** Delegates to a real sampler and throws on call number {@code failOn} (0-based). */
  static final class FailingSampler implements Sampler {
    private final Sampler delegate;
    private final int failOn;
    private int calls;

    FailingSampler(Sampler delegate, int failOn) {
      this.delegate = delegate;
      this.failOn = failOn;
    }

    @Override
    public SampleResult sample(SampleRequest request, ProgressListener listener) {
      if (calls++ == failOn) {
        throw new IllegalStateException("simulated kill");
      }
      return delegate.sample(request, listener);
    }

    @Override
    public Encoder latentEncoder() {
      return delegate.latentEncoder();
    }

    @Override
    public boolean textConditioned() {
      return delegate.textConditioned();
    }

    @Override
    public String modelId() {
      return delegate.modelId();
    }

    @Override
    public ImageSize imageSize() {
      return delegate.imageSize();
    }

    @Override
    public int imageChannels() {
      return delegate.imageChannels();
    }

    @Override
    public void checkImageSize(ImageSize size) {
      delegate.checkImageSize(size);
    }
  }
}
