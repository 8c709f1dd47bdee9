package dev.distill.core.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Encoder;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.assertj.core.data.Offset;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EmbeddingSimilarityTest {
  /** Base seed of the property cases; override with {@code -Ddistill.seed=...} to replay one. */
  private static final long BASE_SEED = Long.getLong("distill.seed", 0x5EEDL);

  static LongStream seeds() {
    return LongStream.range(0, 60).map(i -> BASE_SEED + i);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void embeddingsAreUnitRowsIndependentOfBatchSizeAndSelfSimilarityIsOne(long seed) {
    Random r = new Random(seed);
    int n = 1 + r.nextInt(9);
    int c = r.nextBoolean() ? 1 : 3;
    int size = 4 + r.nextInt(12);
    float[][] images = new float[n][];
    for (int i = 0; i < n; i++) {
      images[i] = TestImages.smooth(r, c, size, size);
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(TestImages.concat(images), n, c, size, size);
      Tensor one = EmbeddingSimilarity.of(Encoders.identity(), 1).embed(x);
      Tensor many = EmbeddingSimilarity.of(Encoders.identity(), 1 + r.nextInt(5)).embed(x);
      assertThat(Tensors.shape(one)).containsExactly(n, (long) c * size * size);
      assertThat(Tensors.maxAbsDiff(one, many)).isLessThan(1e-6);
      float[] sims = Tensors.toFloats(EmbeddingSimilarity.cosine(one, one));
      for (int i = 0; i < n; i++) {
        assertThat((double) sims[i * n + i]).isCloseTo(1.0, Offset.offset(1e-5));
      }
      List<EmbeddingSimilarity.Match> matches =
          EmbeddingSimilarity.nearest(one, one, 1 + r.nextInt(4));
      for (int i = 0; i < n; i++) {
        assertThat(matches.get(i).similarity()).isGreaterThan(0.9999);
        // row i is its own best match unless an equal image comes first
        assertThat(sims[i * n + matches.get(i).index()])
            .isGreaterThanOrEqualTo(sims[i * n + i] - 1e-6f);
      }
    }
  }

  @Test
  void zeroEmbeddingStaysZero() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor e =
          EmbeddingSimilarity.normalizeRows(Tensors.fromFloats(new float[] {0, 0, 3, 4}, 2, 2));
      assertThat(Tensors.toFloats(e)).containsExactly(0f, 0f, 0.6f, 0.8f);
    }
  }

  @Test
  void wrongEncoderOutputAndShapesAreRejected() {
    Encoder broken =
        new Encoder() {
          @Override
          public Tensor encode(Tensor images) {
            return images.narrow(0, 0, 1).clone();
          }

          @Override
          public String id() {
            return "broken";
          }
        };
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(new float[2 * 4], 2, 1, 2, 2);
      assertThatThrownBy(() -> EmbeddingSimilarity.of(broken, 8).embed(x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("encoder broken must return [2, ...] but returned [1, 1, 2, 2]");
      assertThatThrownBy(
              () ->
                  EmbeddingSimilarity.cosine(
                      Tensors.fromFloats(new float[2], 1, 2),
                      Tensors.fromFloats(new float[3], 1, 3)))
          .hasMessage("a and b must have shapes [Na, D] and [Nb, D] but had [1, 2] and [1, 3]");
      assertThatThrownBy(() -> EmbeddingSimilarity.of(Encoders.identity(), 0))
          .hasMessage("batchSize must be >= 1 but was 0");
    }
  }
}
