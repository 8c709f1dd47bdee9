package dev.distill.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistillException;
import dev.distill.core.cluster.KMeans;
import dev.distill.core.cluster.KMeansConfig;
import dev.distill.core.cluster.KMeansResult;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.filter.DedupConfig;
import dev.distill.core.filter.DedupFilter;
import dev.distill.core.filter.ReferenceIndex;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.io.DistilledSetIO;
import dev.distill.core.method.D4M;
import dev.distill.core.method.Herding;
import dev.distill.core.method.ModeGuided;
import dev.distill.core.method.RandomReal;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillTest {
  @TempDir Path tmp;
  private TensorScope scope;
  private LabeledImages data;

  @BeforeEach
  void setUp() {
    scope = TensorScope.open();
    data = FaultRuns.data();
  }

  @AfterEach
  void tearDown() {
    data.close();
    scope.close();
  }

  private Distill base(FakeSampler sampler) {
    return Distill.from(data).sampler(sampler).ipc(3).seed(11).numSteps(5).batchSize(2);
  }

  @Test
  void sameSeedGivesIdenticalImagesAndDifferentSeedDoesNot() throws Exception {
    try (DistillResult a =
            base(new FakeSampler(1, 8, 8)).method(ModeGuided.defaults()).run(tmp.resolve("a"));
        DistillResult b =
            base(new FakeSampler(1, 8, 8)).method(ModeGuided.defaults()).run(tmp.resolve("b"));
        DistillResult c =
            base(new FakeSampler(1, 8, 8))
                .method(ModeGuided.defaults())
                .seed(12)
                .run(tmp.resolve("c"))) {
      assertThat(a.set().size()).isEqualTo(12);
      assertThat(a.set().labels()).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3);
      assertThat(a.set().images().equal(b.set().images())).isTrue();
      assertThat(a.set().images().equal(c.set().images())).isFalse();
      assertThat(Files.exists(tmp.resolve("a").resolve(DistilledSetIO.MANIFEST))).isTrue();
    }
  }

  @Test
  void shardedClassesGiveTheSameSetAsOneProcess() throws Exception {
    Path shared = tmp.resolve("shared");
    try (DistillResult first =
        base(new FakeSampler(1, 8, 8)).method(ModeGuided.defaults()).classes(0, 2).run(shared)) {
      assertThat(first.set().size()).isEqualTo(6);
      assertThat(Files.exists(shared.resolve(DistilledSetIO.MANIFEST))).isFalse();
    }
    try (DistillResult second =
            base(new FakeSampler(1, 8, 8)).method(ModeGuided.defaults()).classes(1, 3).run(shared);
        DistillResult whole =
            base(new FakeSampler(1, 8, 8))
                .method(ModeGuided.defaults())
                .run(tmp.resolve("whole"))) {
      assertThat(second.set().size()).isEqualTo(12);
      assertThat(second.set().images().equal(whole.set().images())).isTrue();
      assertThat(Files.exists(shared.resolve(DistilledSetIO.MANIFEST))).isTrue();
    }
  }

  @Test
  void rerunAfterAKillResumesWithoutRedoingFinishedClasses() throws Exception {
    Path out = tmp.resolve("killed");
    // 2 batches per class (ipc 3, batch 2): fail in the 5th call = during class 2
    assertThatThrownBy(
            () ->
                base(new FakeSampler(1, 8, 8).failAfter(4)).method(ModeGuided.defaults()).run(out))
        .hasMessageContaining("simulated kill");
    FakeSampler resumed = new FakeSampler(1, 8, 8);
    try (DistillResult r = base(resumed).method(ModeGuided.defaults()).run(out);
        DistillResult clean =
            base(new FakeSampler(1, 8, 8))
                .method(ModeGuided.defaults())
                .run(tmp.resolve("clean"))) {
      assertThat(r.resumedClasses()).isEqualTo(2);
      assertThat(resumed.requests).hasSize(4); // classes 2 and 3 only
      assertThat(r.set().images().equal(clean.set().images())).isTrue();
    }
    // a finished run is loaded, not regenerated
    FakeSampler again = new FakeSampler(1, 8, 8);
    try (DistillResult r = base(again).method(ModeGuided.defaults()).run(out)) {
      assertThat(again.requests).isEmpty();
      assertThat(r.set().size()).isEqualTo(12);
    }
  }

  @Test
  void aFinishedFolderOfAnotherRunIsRefused() throws Exception {
    Path out = tmp.resolve("x");
    try (DistillResult r = base(new FakeSampler(1, 8, 8)).method(RandomReal.of()).run(out)) {
      assertThat(r.set().size()).isEqualTo(12);
    }
    assertThatThrownBy(
            () -> base(new FakeSampler(1, 8, 8)).method(RandomReal.of()).seed(99).run(out))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("seed");
  }

  @Test
  void filteredImagesAreReplacedAndCounted() throws Exception {
    Map<String, Integer> dropped;
    SampleFilter everyOther =
        new SampleFilter() {
          int seen;

          @Override
          public String name() {
            return "every-other";
          }

          @Override
          public String[] dropReasons(int classId, Tensor candidates, Tensor kept) {
            String[] r = new String[(int) candidates.size(0)];
            for (int i = 0; i < r.length; i++) {
              r[i] = (seen++ % 2 == 0) ? "ODD" : null;
            }
            return r;
          }
        };
    try (DistillResult r =
        base(new FakeSampler(1, 8, 8))
            .method(ModeGuided.defaults())
            .filter(everyOther)
            .run(tmp.resolve("f"))) {
      assertThat(r.set().size()).isEqualTo(12);
      assertThat(r.dropped()).containsKey("ODD");
      assertThat(r.dropped().get("ODD")).isGreaterThanOrEqualTo(12);
      dropped = r.dropped();
    }
    // loading the finished folder reports the counts recorded when the set was made
    try (DistillResult again =
        base(new FakeSampler(1, 8, 8))
            .method(ModeGuided.defaults())
            .filter(everyOther)
            .run(tmp.resolve("f"))) {
      assertThat(again.generated()).isZero();
      assertThat(again.dropped()).isEqualTo(dropped);
    }
  }

  @Test
  void recordedDropCountsReadJsonTheLegacyFormOrNothing() {
    assertThat(Distill.recordedDrops("{\"LEAK, near=copy\":2,\"ODD\":13}"))
        .containsExactly(Map.entry("LEAK, near=copy", 2), Map.entry("ODD", 13));
    assertThat(Distill.recordedDrops("{LEAK_PERCEPTUAL_HASH=4, DUPLICATE_PERCEPTUAL_HASH=1}"))
        .containsExactly(
            Map.entry("LEAK_PERCEPTUAL_HASH", 4), Map.entry("DUPLICATE_PERCEPTUAL_HASH", 1));
    assertThat(Distill.recordedDrops("{}")).isEmpty();
    assertThat(Distill.recordedDrops(null)).isEmpty();
    assertThat(Distill.recordedDrops("{ODD=many}")).isEmpty();
    assertThat(Distill.recordedDrops("three")).isEmpty();
  }

  @Test
  void aFilterThatRejectsEverythingFailsWithAClearMessage() {
    SampleFilter all =
        new SampleFilter() {
          @Override
          public String name() {
            return "all";
          }

          @Override
          public String[] dropReasons(int classId, Tensor candidates, Tensor kept) {
            String[] r = new String[(int) candidates.size(0)];
            java.util.Arrays.fill(r, "ALL");
            return r;
          }
        };
    assertThatThrownBy(
            () ->
                base(new FakeSampler(1, 8, 8))
                    .method(ModeGuided.defaults())
                    .filter(all)
                    .run(tmp.resolve("g")))
        .isInstanceOf(DistillException.class)
        .hasMessageContaining("class 0")
        .hasMessageContaining("ALL");
  }

  @Test
  void plantedNearCopyOfAnEvaluationImageIsDroppedAsLeak() throws Exception {
    Tensor reference = torch.tanh(Rng.normal(77, 6, 1, 8, 8)).mul(new Scalar(0.9));
    // the "method" returns a near copy of reference image 2 as its first image of every class
    DistillMethod leaky =
        new DistillMethod() {
          @Override
          public String name() {
            return "leaky";
          }

          @Override
          public Map<String, String> config() {
            return Map.of();
          }

          @Override
          public boolean needsSampler() {
            return false;
          }

          @Override
          public ClassGenerator prepare(ClassContext ctx) {
            return (first, count) -> {
              Tensor out = torch.tanh(Rng.normal(ctx.sampleSeed(first), count, 1, 8, 8));
              if (first == 0) {
                Tensor copy =
                    reference.narrow(0, 2, 1).add(Rng.normal(3, 1, 1, 8, 8).mul(new Scalar(0.01)));
                out =
                    torch.cat(
                        new org.bytedeco.pytorch.TensorVector(copy, out.narrow(0, 1, count - 1)),
                        0);
              }
              return out;
            };
          }
        };
    DedupFilter filter = DedupFilter.of(DedupConfig.defaults());
    try (ReferenceIndex index = filter.index(reference);
        DistillResult r =
            Distill.from(data)
                .method(leaky)
                .ipc(3)
                .batchSize(3)
                .filter(Filters.dedup(filter, index))
                .run(tmp.resolve("leak"))) {
      assertThat(r.set().size()).isEqualTo(12);
      assertThat(r.dropped().keySet()).anyMatch(k -> k.startsWith("LEAK"));
      int leaks =
          r.dropped().entrySet().stream()
              .filter(e -> e.getKey().startsWith("LEAK"))
              .mapToInt(Map.Entry::getValue)
              .sum();
      assertThat(leaks).isEqualTo(4); // one per class
    }
  }

  @Test
  void d4mStartsImg2ImgFromTheKMeansPrototypesOfEachClass() throws Exception {
    FakeSampler sampler = new FakeSampler(1, 8, 8);
    try (DistillResult r =
        base(sampler).method(D4M.defaults()).batchSize(3).run(tmp.resolve("d4m"))) {
      assertThat(sampler.requests).hasSize(4);
      assertThat(sampler.requests.get(0).init()).isPresent();
      assertThat(sampler.requests.get(0).init().get().strength()).isEqualTo(0.7);
      // class 0's images are exactly its k-means centres (the fake sampler returns init latents)
      Tensor class0 = data.images().index_select(0, Tensors.fromInts(data.indicesOf(0)));
      try (KMeansResult km =
          KMeans.of(
                  KMeansConfig.builder(3)
                      .restarts(5)
                      .maxIterations(100)
                      .seed(Seeds.classSeed(11, 0))
                      .build())
              .fit(class0.view(class0.size(0), -1))) {
        Tensor got = r.set().images().narrow(0, 0, 3).reshape(3, -1);
        assertThat(Tensors.maxAbsDiff(got, km.centroids())).isLessThan(1e-5);
      }
    }
  }

  @Test
  void baselinesSelectRealImagesOfTheRightClass() throws Exception {
    try (DistillResult rr =
            Distill.from(data).method(RandomReal.of()).ipc(2).run(tmp.resolve("rr"));
        DistillResult hd =
            Distill.from(data)
                .method(Herding.of(new FakeSampler(1, 8, 8).latentEncoder()))
                .ipc(2)
                .run(tmp.resolve("hd"))) {
      for (DistillResult r : List.of(rr, hd)) {
        for (int i = 0; i < r.set().size(); i++) {
          Tensor img = r.set().images().narrow(0, i, 1);
          int label = r.set().labels().get(i);
          Tensor diffs = data.images().sub(img).abs().flatten(1, 3).amax(new long[] {1}, false);
          int match = (int) diffs.argmin().item_long();
          assertThat(diffs.min().item_double()).isLessThan(1e-6);
          assertThat(data.label(match)).isEqualTo(label);
        }
      }
    }
  }
}
