package dev.distill.core.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.EnumSet;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DedupFilterTest {
  /** Base seed of the property cases; override with {@code -Ddistill.seed=...} to replay one. */
  private static final long BASE_SEED = Long.getLong("distill.seed", 0x5EEDL);

  static LongStream seeds() {
    return LongStream.range(0, 60).map(i -> BASE_SEED + i);
  }

  /** A reference set, unrelated synthetic images, and one planted near-copy of a reference. */
  private record LeakCase(
      float[] reference,
      float[] synthetic,
      int refs,
      int synth,
      int c,
      int size,
      int planted,
      int source,
      TestImages.Perturbation kind) {
    static LeakCase random(long seed, TestImages.Perturbation... kinds) {
      Random r = new Random(seed);
      int c = r.nextBoolean() ? 1 : 3;
      int size = 64 + r.nextInt(33);
      int refs = 2 + r.nextInt(4);
      int synth = 2 + r.nextInt(4);
      float[][] reference = new float[refs][];
      for (int i = 0; i < refs; i++) {
        reference[i] = TestImages.smooth(r, c, size, size);
      }
      int source = r.nextInt(refs);
      int planted = r.nextInt(synth);
      TestImages.Perturbation kind = kinds[r.nextInt(kinds.length)];
      float[][] synthetic = new float[synth][];
      for (int i = 0; i < synth; i++) {
        synthetic[i] =
            i == planted
                ? TestImages.perturb(reference[source], c, size, size, kind, r)
                : TestImages.smooth(r, c, size, size);
      }
      return new LeakCase(
          TestImages.concat(reference),
          TestImages.concat(synthetic),
          refs,
          synth,
          c,
          size,
          planted,
          source,
          kind);
    }

    Tensor referenceTensor() {
      return Tensors.fromFloats(reference, refs, c, size, size);
    }

    Tensor syntheticTensor() {
      return Tensors.fromFloats(synthetic, synth, c, size, size);
    }
  }

  private static void assertOnlyPlantedDropped(
      FilterResult result, LeakCase k, EnumSet<DropReason> allowed) {
    assertThat(result.total()).isEqualTo(k.synth);
    assertThat(result.dropped()).as("%s copy of reference %s", k.kind, k.source).hasSize(1);
    DroppedSample d = result.dropped().get(0);
    assertThat(d.index()).isEqualTo(k.planted);
    assertThat(d.offender()).isEqualTo(k.source);
    assertThat(allowed).contains(d.reason());
    assertThat(result.kept()).hasSize(k.synth - 1).doesNotContain(k.planted);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void plantedNearCopyOfAReferenceImageIsDroppedAsLeakageAndUnrelatedImagesAreKept(long seed) {
    LeakCase k = LeakCase.random(seed, TestImages.Perturbation.values());
    DedupFilter filter = DedupFilter.of(DedupConfig.defaults(), Encoders.identity());
    try (TensorScope scope = TensorScope.open();
        ReferenceIndex index = filter.index(k.referenceTensor())) {
      FilterResult result = filter.apply(k.syntheticTensor(), index);
      assertOnlyPlantedDropped(
          result, k, EnumSet.of(DropReason.LEAK_PERCEPTUAL_HASH, DropReason.LEAK_EMBEDDING));
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void perceptualHashAloneCatchesNoisyAndBrightenedCopies(long seed) {
    LeakCase k =
        LeakCase.random(seed, TestImages.Perturbation.NOISE, TestImages.Perturbation.BRIGHTNESS);
    DedupFilter filter = DedupFilter.of(DedupConfig.defaults());
    try (TensorScope scope = TensorScope.open();
        ReferenceIndex index = filter.index(k.referenceTensor())) {
      FilterResult result = filter.apply(k.syntheticTensor(), index);
      assertOnlyPlantedDropped(result, k, EnumSet.of(DropReason.LEAK_PERCEPTUAL_HASH));
      assertThat(result.dropped().get(0).score())
          .isLessThanOrEqualTo(DedupConfig.DEFAULT_MAX_HAMMING_DISTANCE);
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void exactDuplicateWithinTheSetIsDroppedAndTheFirstCopyKept(long seed) {
    Random r = new Random(seed);
    int c = r.nextBoolean() ? 1 : 3;
    int size = 16 + r.nextInt(33);
    int n = 2 + r.nextInt(5);
    float[][] images = new float[n + 1][];
    for (int i = 0; i < n; i++) {
      images[i] = TestImages.smooth(r, c, size, size);
    }
    int original = r.nextInt(n);
    images[n] = images[original].clone();
    // move the copy to a random later position
    int copyAt = original + 1 + r.nextInt(n - original);
    float[] copy = images[n];
    System.arraycopy(images, copyAt, images, copyAt + 1, n - copyAt);
    images[copyAt] = copy;
    int originalAt = original;
    boolean withEncoder = r.nextBoolean();
    DedupFilter filter =
        withEncoder
            ? DedupFilter.of(DedupConfig.defaults(), Encoders.identity())
            : DedupFilter.of(DedupConfig.defaults());
    try (TensorScope scope = TensorScope.open()) {
      FilterResult result =
          filter.apply(Tensors.fromFloats(TestImages.concat(images), n + 1, c, size, size));
      assertThat(result.dropped()).hasSize(1);
      DroppedSample d = result.dropped().get(0);
      assertThat(d.index()).isEqualTo(copyAt);
      assertThat(d.offender()).isEqualTo(originalAt);
      assertThat(d.reason()).isEqualTo(DropReason.DUPLICATE_PERCEPTUAL_HASH);
      assertThat(d.score()).isZero();
      assertThat(result.kept()).contains(originalAt).hasSize(n);
    }
  }

  @Test
  void mirroredCopyIsCaughtByAMirrorInvariantEmbeddingThatTheHashMisses() {
    Random r = new Random(8);
    float[] a = TestImages.smooth(r, 1, 64, 64);
    float[] mirrored = new float[a.length];
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        mirrored[y * 64 + x] = a[y * 64 + 63 - x];
      }
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor reference = Tensors.fromFloats(a, 1, 1, 64, 64);
      Tensor synthetic = Tensors.fromFloats(mirrored, 1, 1, 64, 64);
      DedupFilter hashOnly = DedupFilter.of(DedupConfig.defaults());
      try (ReferenceIndex index = hashOnly.index(reference)) {
        assertThat(hashOnly.apply(synthetic, index).dropped()).isEmpty();
      }
      DedupFilter withEmbedding =
          DedupFilter.of(DedupConfig.defaults(), Encoders.mirrorInvariant());
      try (ReferenceIndex index = withEmbedding.index(reference)) {
        FilterResult result = withEmbedding.apply(synthetic, index);
        assertThat(result.dropped()).hasSize(1);
        assertThat(result.dropped().get(0).reason()).isEqualTo(DropReason.LEAK_EMBEDDING);
        assertThat(result.dropped().get(0).score()).isGreaterThan(0.999);
      }
    }
  }

  @Test
  void withinSetCheckCanBeSwitchedOffAndCountsAreReported() {
    Random r = new Random(9);
    float[] a = TestImages.smooth(r, 3, 32, 32);
    float[] b = TestImages.smooth(r, 3, 32, 32);
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(TestImages.concat(a, b, a, a), 4, 3, 32, 32);
      FilterResult on = DedupFilter.of(DedupConfig.defaults()).apply(x);
      assertThat(on.kept()).containsExactly(0, 1);
      Map<DropReason, Integer> counts = on.counts();
      assertThat(counts.get(DropReason.DUPLICATE_PERCEPTUAL_HASH)).isEqualTo(2);
      assertThat(counts.get(DropReason.LEAK_PERCEPTUAL_HASH)).isZero();
      assertThat(counts).hasSize(DropReason.values().length);
      FilterResult off = DedupFilter.of(DedupConfig.builder().withinSet(false).build()).apply(x);
      assertThat(off.kept()).containsExactly(0, 1, 2, 3);
    }
  }

  @Test
  void referenceIndexedWithAnotherEncoderIsRejected() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(new float[16], 1, 1, 4, 4);
      try (ReferenceIndex plain = DedupFilter.of(DedupConfig.defaults()).index(x)) {
        DedupFilter filter = DedupFilter.of(DedupConfig.defaults(), Encoders.identity());
        assertThatThrownBy(() -> filter.apply(x, plain))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "reference must be indexed with encoder identity but was indexed with no encoder");
      }
    }
  }

  @Test
  void emptySetAndEmptyReferenceKeepEverything() {
    try (TensorScope scope = TensorScope.open()) {
      DedupFilter filter = DedupFilter.of(DedupConfig.defaults(), Encoders.identity());
      Tensor empty = Tensors.fromFloats(new float[0], 0, 1, 8, 8);
      Random r = new Random(2);
      Tensor one = Tensors.fromFloats(TestImages.smooth(r, 1, 8, 8), 1, 1, 8, 8);
      try (ReferenceIndex none = filter.index(empty)) {
        assertThat(none.size()).isZero();
        assertThat(filter.apply(one, none).kept()).containsExactly(0);
        assertThat(filter.apply(empty, none).total()).isZero();
      }
    }
  }

  @Test
  void repeatedFilteringReleasesEveryNativeObject() {
    LeakCase k = LeakCase.random(BASE_SEED, TestImages.Perturbation.values());
    DedupFilter filter =
        DedupFilter.of(DedupConfig.builder().batchSize(2).build(), Encoders.identity());
    try (TensorScope scope = TensorScope.open()) {
      Tensor reference = k.referenceTensor();
      Tensor synthetic = k.syntheticTensor();
      try (ReferenceIndex index = filter.index(reference)) {
        filter.apply(synthetic, index);
      }
      long baseline = Pointer.totalCount();
      for (int i = 0; i < 3; i++) {
        try (ReferenceIndex index = filter.index(reference)) {
          filter.apply(synthetic, index);
          filter.apply(synthetic);
        }
      }
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(baseline);
    }
  }
}
