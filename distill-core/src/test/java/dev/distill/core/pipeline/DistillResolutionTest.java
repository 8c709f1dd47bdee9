package dev.distill.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.ImageSize;
import dev.distill.api.SampleRequest;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.method.D4M;
import dev.distill.core.method.RandomReal;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one resolution policy through Distill: generate at the sampler's size, write at the data's.
 */
class DistillResolutionTest {
  @TempDir Path tmp;
  private TensorScope scope;
  private LabeledImages gray;

  @BeforeEach
  void setUp() {
    scope = TensorScope.open();
    int n = 24;
    Tensor images = torch.tanh(Rng.normal(5, n, 1, 8, 8));
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
    }
    gray = LabeledImages.copyOf(images, Tensors.fromInts(labels), List.of("a", "b"));
  }

  @AfterEach
  void tearDown() {
    gray.close();
    scope.close();
  }

  @Test
  void grayDataThroughAnRgbSamplerComesBackGrayAtTheDatasetsSize() throws Exception {
    FakeSampler rgb = new FakeSampler(3, 16, 16);
    try (DistillResult r =
        Distill.from(gray)
            .method(D4M.defaults())
            .sampler(rgb)
            .ipc(3)
            .numSteps(4)
            .batchSize(2)
            .run(tmp.resolve("o"))) {
      assertThat(Tensors.shape(r.set().images())).containsExactly(6, 1, 8, 8);
      assertThat(r.set().provenance().config())
          .containsEntry("generationSize", "16x16")
          .containsEntry("outputSize", "8x8");
    }
    for (SampleRequest req : rgb.requests) {
      assertThat(req.height()).isEqualTo(16);
      assertThat(req.width()).isEqualTo(16);
    }
    // the prototypes were encoded at the generation size with the sampler's channels
    assertThat(rgb.initShapes)
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s).containsExactly(s[0], 3, 16, 16));
  }

  @Test
  void aChosenGenerationAndOutputSizeAreUsed() throws Exception {
    FakeSampler rgb =
        new FakeSampler(3, 16, 16) {
          @Override
          public void checkImageSize(ImageSize size) {}
        };
    try (DistillResult r =
        Distill.from(gray)
            .method(D4M.defaults())
            .sampler(rgb)
            .ipc(2)
            .numSteps(4)
            .batchSize(2)
            .imageSize(ImageSize.of(12, 20))
            .outputSize(ImageSize.of(6, 10))
            .run(tmp.resolve("o"))) {
      assertThat(Tensors.shape(r.set().images())).containsExactly(4, 1, 6, 10);
    }
    assertThat(rgb.requests)
        .allSatisfy(
            q -> {
              assertThat(q.height()).isEqualTo(12);
              assertThat(q.width()).isEqualTo(20);
            });
  }

  @Test
  void aGenerationSizeTheSamplerCannotMakeIsRejectedBeforeAnyWork() {
    FakeSampler rgb = new FakeSampler(3, 16, 16);
    Path out = tmp.resolve("o");
    assertThatThrownBy(
            () ->
                Distill.from(gray)
                    .method(D4M.defaults())
                    .sampler(rgb)
                    .ipc(2)
                    .imageSize(ImageSize.of(10, 10))
                    .run(out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("generation size must be 16x16")
        .hasMessageContaining("10x10");
    assertThat(rgb.requests).isEmpty();
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void miniBatchKMeansOverTheLatentBudgetIsDeterministic() throws Exception {
    D4M tight = D4M.defaults().withMaxLatentBytes(1);
    try (DistillResult a =
            Distill.from(gray)
                .method(tight)
                .sampler(new FakeSampler(1, 8, 8))
                .ipc(3)
                .numSteps(4)
                .batchSize(2)
                .run(tmp.resolve("a"));
        DistillResult b =
            Distill.from(gray)
                .method(tight)
                .sampler(new FakeSampler(1, 8, 8))
                .ipc(3)
                .numSteps(4)
                .batchSize(2)
                .run(tmp.resolve("b"));
        DistillResult full =
            Distill.from(gray)
                .method(D4M.defaults())
                .sampler(new FakeSampler(1, 8, 8))
                .ipc(3)
                .numSteps(4)
                .batchSize(2)
                .run(tmp.resolve("c"))) {
      assertThat(Tensors.shape(a.set().images())).containsExactly(6, 1, 8, 8);
      assertThat(Tensors.maxAbsDiff(a.set().images(), b.set().images())).isZero();
      assertThat(a.set().provenance().config()).containsEntry("method.kmeans.maxLatentBytes", "1");
      // a different clustering path, so (almost surely) other prototypes
      assertThat(Tensors.maxAbsDiff(a.set().images(), full.set().images())).isGreaterThan(0);
    }
  }

  @Test
  void randomRealKeepsTheDatasetsSizeWithoutASampler() throws Exception {
    try (DistillResult r =
        Distill.from(gray).method(RandomReal.of()).ipc(4).run(tmp.resolve("o"))) {
      assertThat(Tensors.shape(r.set().images())).containsExactly(8, 1, 8, 8);
      assertThat(r.set().provenance().config()).containsEntry("generationSize", "");
    }
  }
}
