package dev.distill.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MiniBatchKMeansTest {
  /** Three tight blobs at -5, 0, +5 along every axis, rows interleaved. */
  private static Tensor blobs(long seed, int perBlob) {
    TensorVector parts = new TensorVector();
    for (int b = 0; b < 3; b++) {
      parts.push_back(
          Rng.normal(seed + b, perBlob, 4)
              .mul(Tensors.scalar(0.1))
              .add(Tensors.scalar(5.0 * (b - 1))));
    }
    Tensor all = torch.stack(parts, 1).reshape(3 * perBlob, 4);
    return all;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void streamingOverBatchesFindsSeparatedBlobs(long seed) {
    try (TensorScope s = TensorScope.open();
        MiniBatchKMeans km = MiniBatchKMeans.start(3, seed)) {
      Tensor x = blobs(seed * 10, 60);
      for (int r = 0; r < 180; r += 30) {
        km.partialFit(x.narrow(0, r, 30));
      }
      float[] c = Tensors.toFloats(km.centroids().select(1, 0).contiguous());
      Arrays.sort(c);
      assertThat(c[0]).isCloseTo(-5f, org.assertj.core.data.Offset.offset(0.2f));
      assertThat(c[1]).isCloseTo(0f, org.assertj.core.data.Offset.offset(0.2f));
      assertThat(c[2]).isCloseTo(5f, org.assertj.core.data.Offset.offset(0.2f));
      assertThat(Arrays.stream(km.counts()).sum()).isEqualTo(180.0);
    }
  }

  @Test
  void sameSeedAndBatchesGiveIdenticalCentres() {
    try (TensorScope s = TensorScope.open();
        MiniBatchKMeans a = MiniBatchKMeans.start(3, 7);
        MiniBatchKMeans b = MiniBatchKMeans.start(3, 7)) {
      Tensor x = blobs(70, 20);
      a.partialFit(x);
      b.partialFit(x);
      assertThat(Tensors.maxAbsDiff(a.centroids(), b.centroids())).isZero();
    }
  }

  @Test
  void aFirstBatchSmallerThanKIsRejected() {
    try (TensorScope s = TensorScope.open();
        MiniBatchKMeans km = MiniBatchKMeans.start(5, 0)) {
      assertThatThrownBy(() -> km.partialFit(Rng.normal(1, 3, 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at least k=5 rows but had 3");
      assertThatThrownBy(km::centroids).isInstanceOf(IllegalStateException.class);
    }
  }
}
