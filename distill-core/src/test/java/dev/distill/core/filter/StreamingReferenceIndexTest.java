package dev.distill.core.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** Indexing a reference {@code Dataset} batch by batch equals indexing the same images at once. */
class StreamingReferenceIndexTest {
  /** Batches of 4: every class (5 images) spans two batches. */
  private static final DedupConfig CONFIG = new DedupConfig(8, 0.95, true, 4);

  /** 15 smooth random RGB images 16×16, labels i % 3 (interleaved, not class-major). */
  private static LabeledImages reference() {
    Random r = new Random(4);
    int n = 15;
    float[] v = new float[n * 3 * 16 * 16];
    for (int i = 0; i < n; i++) {
      double fx = 0.2 + r.nextDouble();
      double fy = 0.2 + r.nextDouble();
      double phase = r.nextDouble() * 6;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 16; y++) {
          for (int x = 0; x < 16; x++) {
            v[((i * 3 + c) * 16 + y) * 16 + x] =
                (float) (0.8 * Math.sin(fx * x + fy * y + phase + c));
          }
        }
      }
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
    }
    try (TensorScope s = TensorScope.open()) {
      return LabeledImages.copyOf(
          Tensors.fromFloats(v, n, 3, 16, 16), Tensors.fromInts(labels), List.of("a", "b", "c"));
    }
  }

  /** The images in the dataset's class-then-position order. */
  private static Tensor classMajor(LabeledImages data) {
    int[] order = new int[data.size()];
    int at = 0;
    for (int c = 0; c < data.numClasses(); c++) {
      for (int i : data.indicesOf(c)) {
        order[at++] = i;
      }
    }
    return data.images().index_select(0, Tensors.fromInts(order));
  }

  @Test
  void datasetIndexEqualsTensorIndexOnTheSameImages() {
    DedupFilter filter = DedupFilter.of(CONFIG, Encoders.identity());
    try (LabeledImages data = reference();
        TensorScope s = TensorScope.open();
        ReferenceIndex streamed = filter.index(data);
        ReferenceIndex whole = filter.index(classMajor(data))) {
      assertThat(streamed.size()).isEqualTo(15);
      assertThat(streamed.hashes()).containsExactly(whole.hashes());
      assertThat(streamed.encoderId()).isEqualTo(whole.encoderId());
      Tensor a = streamed.embeddings().orElseThrow();
      Tensor b = whole.embeddings().orElseThrow();
      assertThat(Tensors.shape(a)).containsExactly(15, 3 * 16 * 16);
      assertThat(Tensors.maxAbsDiff(a, b)).isZero();

      // and both flag the same leaks: a brightened copy of reference image 7 (class 1, position 2)
      Tensor query =
          torch.cat(
              new org.bytedeco.pytorch.TensorVector(
                  data.images().narrow(0, 7, 1).add(Tensors.scalar(0.05)),
                  data.images().narrow(0, 3, 1).flip(2)),
              0);
      FilterResult r1 = filter.apply(query, streamed);
      FilterResult r2 = filter.apply(query, whole);
      assertThat(r1).isEqualTo(r2);
      assertThat(r1.dropped()).hasSize(1);
      assertThat(r1.dropped().get(0).offender()).isEqualTo(5 + 2); // class-major numbering
    }
  }

  @Test
  void hashOnlyIndexOfADatasetKeepsNoEmbeddings() {
    DedupFilter filter = DedupFilter.of(CONFIG);
    try (LabeledImages data = reference();
        TensorScope s = TensorScope.open();
        ReferenceIndex streamed = filter.index(data);
        ReferenceIndex whole = filter.index(classMajor(data))) {
      assertThat(streamed.hashes()).containsExactly(whole.hashes());
      assertThat(streamed.embeddings()).isEmpty();
    }
  }

  @Test
  void embedOfADatasetEqualsEmbedOfItsImages() {
    EmbeddingSimilarity sim = EmbeddingSimilarity.of(Encoders.mirrorInvariant(), 4);
    try (LabeledImages data = reference();
        TensorScope s = TensorScope.open()) {
      Tensor streamed = sim.embed(data, UnaryOperator.identity());
      Tensor whole = sim.embed(classMajor(data));
      assertThat(Tensors.maxAbsDiff(streamed, whole)).isZero();
    }
  }
}
