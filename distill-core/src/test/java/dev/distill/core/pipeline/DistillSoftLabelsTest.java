package dev.distill.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistilledSet;
import dev.distill.api.TeacherLogits;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.io.DistilledSetIO;
import dev.distill.core.method.ModeGuided;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Distill#softLabels}: the teacher's logits on the final images, stored and resumable. */
class DistillSoftLabelsTest {
  @TempDir Path tmp;
  private TensorScope scope;
  private LabeledImages data;
  private ConvNet teacher;

  @BeforeAll
  static void oneThread() {
    torch.set_num_threads(1);
  }

  @BeforeEach
  void setUp() {
    scope = TensorScope.open();
    data = FaultRuns.data();
    teacher = ConvNet.of(ConvNetConfig.of(1, 8, 8, 4).withNetWidth(8).withNetDepth(2), 3);
  }

  @AfterEach
  void tearDown() {
    teacher.close();
    data.close();
    scope.close();
  }

  private Distill base(FakeSampler sampler, double temperature) {
    return Distill.from(data)
        .sampler(sampler)
        .method(ModeGuided.defaults())
        .ipc(3)
        .seed(11)
        .numSteps(5)
        .batchSize(2)
        .softLabels(teacher, temperature);
  }

  @Test
  void theSetCarriesTheTeachersLogitsOnItsFinalImagesAndSavesThem() throws Exception {
    Path out = tmp.resolve("out");
    try (DistillResult r = base(new FakeSampler(1, 8, 8), 4.0).run(out)) {
      TeacherLogits t = r.set().teacherLogits().orElseThrow();
      assertThat(t.temperature()).isEqualTo(4.0);
      assertThat(t.teacherId()).isEqualTo(teacher.name());
      assertThat(Tensors.shape(t.logits())).containsExactly(12, 4);
      try (TensorScope s = TensorScope.open();
          NoGradGuard g = new NoGradGuard()) {
        Tensor expected = teacher.forward(r.set().images());
        assertThat(Tensors.maxAbsDiff(expected, t.logits())).isLessThan(1e-5);
      }
      assertThat(r.set().provenance().config())
          .containsEntry("softLabels.teacher", teacher.name())
          .containsEntry("softLabels.temperature", "4.0");
      assertThat(out.resolve(DistilledSetIO.SOFT_LABELS)).exists();
      try (DistilledSet back = DistilledSetIO.load(out)) {
        TeacherLogits b = back.teacherLogits().orElseThrow();
        assertThat(Tensors.maxAbsDiff(b.logits(), t.logits())).isZero();
        assertThat(b.temperature()).isEqualTo(4.0);
        assertThat(b.teacherId()).isEqualTo(teacher.name());
      }
    }
  }

  @Test
  void aKilledRunResumesToBitIdenticalFiles() throws Exception {
    Path out = tmp.resolve("killed");
    // 2 batches per class (ipc 3, batch 2): fail in the 5th call = during class 2
    assertThatThrownBy(() -> base(new FakeSampler(1, 8, 8).failAfter(4), 4.0).run(out))
        .hasMessageContaining("simulated kill");
    Path clean = tmp.resolve("clean");
    FakeSampler resumed = new FakeSampler(1, 8, 8);
    try (DistillResult r = base(resumed, 4.0).run(out);
        DistillResult c = base(new FakeSampler(1, 8, 8), 4.0).run(clean)) {
      assertThat(r.resumedClasses()).isEqualTo(2);
      assertThat(resumed.requests).hasSize(4);
    }
    Map<String, byte[]> a = files(out);
    Map<String, byte[]> b = files(clean);
    assertThat(a.keySet()).isEqualTo(b.keySet()).contains(DistilledSetIO.SOFT_LABELS);
    for (String f : a.keySet()) {
      if (!f.equals(DistilledSetIO.MANIFEST)) {
        assertThat(a.get(f)).as(f).isEqualTo(b.get(f));
      }
    }
    // the manifests differ only in created_at
    assertThat(new String(a.get(DistilledSetIO.MANIFEST)).replaceAll("\"created_at\".*", ""))
        .isEqualTo(new String(b.get(DistilledSetIO.MANIFEST)).replaceAll("\"created_at\".*", ""));
  }

  @Test
  void resumingWithAnotherTemperatureIsRefused() throws Exception {
    Path out = tmp.resolve("t");
    assertThatThrownBy(() -> base(new FakeSampler(1, 8, 8).failAfter(4), 4.0).run(out))
        .hasMessageContaining("simulated kill");
    assertThatThrownBy(() -> base(new FakeSampler(1, 8, 8), 2.0).run(out))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("softLabels.temperature");
  }

  @Test
  void aTeacherWithAnotherClassCountIsRefused() {
    try (ConvNet three =
        ConvNet.of(ConvNetConfig.of(1, 8, 8, 3).withNetWidth(8).withNetDepth(2), 3)) {
      assertThatThrownBy(() -> Distill.from(data).softLabels(three, 4.0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("teacher must have the dataset's 4 classes but had 3");
    }
  }

  private static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return m;
  }
}
