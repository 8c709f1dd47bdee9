package dev.distill.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerParityTest {

  @Test
  void everySchedulerCaseMatchesDiffusers() throws Exception {
    List<SchedulerParity.Result> results = SchedulerParity.run(SchedulerFixtures.schedulersFile());
    results.forEach(System.out::println);

    assertThat(results)
        .extracting(SchedulerParity.Result::caseName)
        .contains(
            "ddim",
            "euler.n30",
            "euler_trailing.n1",
            "euler_ancestral.n4",
            "ddim.n30",
            "dpmpp_2m_karras.n30");
    assertThat(
            results.stream()
                .filter(r -> !r.passed())
                .map(Object::toString)
                .collect(Collectors.joining("\n")))
        .isEmpty();
  }

  @Test
  void aPerturbedReferenceFailsAtItsFlatIndex(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("schedulers.safetensors");
    try (TensorScope scope = TensorScope.open();
        Safetensors fixture = Safetensors.open(SchedulerFixtures.schedulersFile())) {
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (String name : fixture.names()) {
        if (name.startsWith("euler.n4.")) {
          tensors.put(name, fixture.tensor(name).clone());
        }
      }
      Tensor prev = tensors.get("euler.n4.prev_sample");
      Tensor element = prev.select(0, 2).view(-1).select(0, 7);
      element.add_(Tensors.scalar(1e-3));
      Safetensors.write(
          copy, tensors, Map.of("euler.config", fixture.metadata().get("euler.config")));
    }

    List<SchedulerParity.Result> results = SchedulerParity.run(copy);

    assertThat(results).allSatisfy(r -> assertThat(r.caseName()).isEqualTo("euler.n4"));
    assertThat(results.stream().filter(r -> !r.passed()))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.quantity()).isEqualTo("prev_sample");
              assertThat(r.worstIndex()).isEqualTo(2 * 256 + 7);
              assertThat(r.maxAbsError()).isBetween(0.9e-3, 1.1e-3);
              assertThat(r.toString()).contains("FAIL at flat index 519");
            });
  }

  @Test
  void aCaseWithoutItsConfigIsReportedByName(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("schedulers.safetensors");
    try (TensorScope scope = TensorScope.open();
        Safetensors fixture = Safetensors.open(SchedulerFixtures.schedulersFile())) {
      Safetensors.write(
          copy, Map.of("ddim.n4.timesteps", fixture.tensor("ddim.n4.timesteps")), Map.of());
    }

    assertThatThrownBy(() -> SchedulerParity.run(copy))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ddim.config");
  }

  @Test
  void comparisonUsesAbsolutePlusRelativeTolerance() {
    double[] expected = {1.0, 100.0, 0.0};

    SchedulerParity.Result ok =
        SchedulerParity.compare(
            "c", "q", new double[] {1.0, 100.0 + 1e-3, 0.0}, expected, 1e-5, 1e-5);
    SchedulerParity.Result bad =
        SchedulerParity.compare("c", "q", new double[] {1.0, 100.0, 2e-5}, expected, 1e-5, 1e-5);
    SchedulerParity.Result nan =
        SchedulerParity.compare(
            "c", "q", new double[] {Double.NaN, 100.0, 0.0}, expected, 1e-5, 1e-5);
    SchedulerParity.Result shorter =
        SchedulerParity.compare("c", "q", new double[] {1.0}, expected, 1e-5, 1e-5);

    assertThat(ok.passed()).isTrue();
    assertThat(ok.worstIndex()).isEqualTo(1);
    assertThat(bad.passed()).isFalse();
    assertThat(bad.worstIndex()).isEqualTo(2);
    assertThat(bad.worstRatio()).isEqualTo(2.0);
    assertThat(nan.passed()).isFalse();
    assertThat(nan.maxAbsError()).isNaN();
    assertThat(shorter.passed()).isFalse();
  }

  @Test
  void resultIsAValueWithCheckedNames() {
    new EqualsTester()
        .addEqualityGroup(
            new SchedulerParity.Result("a", "q", 1, 2, 3, 4, 0.5, true),
            new SchedulerParity.Result("a", "q", 1, 2, 3, 4, 0.5, true))
        .addEqualityGroup(new SchedulerParity.Result("b", "q", 1, 2, 3, 4, 0.5, true))
        .testEquals();
    new NullPointerTester().testAllPublicConstructors(SchedulerParity.Result.class);
    new NullPointerTester().testAllPublicStaticMethods(SchedulerParity.class);
  }
}
