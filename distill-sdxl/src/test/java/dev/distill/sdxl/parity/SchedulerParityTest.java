package dev.distill.sdxl.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.nn.Fixtures;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerParityTest {

  private static Path schedulersFile() {
    return Fixtures.sdxlTiny().resolve("cases/schedulers.safetensors");
  }

  @Test
  void everySchedulerCaseMatchesDiffusers() throws Exception {
    List<CaseResult> results = SchedulerParity.run(schedulersFile());
    results.forEach(r -> System.out.println(r.line()));

    assertThat(results)
        .extracting(CaseResult::name)
        .contains(
            "ddim:alphas_cumprod",
            "ddim:final_alpha_cumprod",
            "euler.n30:prev_sample",
            "euler_trailing.n1:sigmas",
            "euler_ancestral.n4:model_input",
            "ddim.n30:timesteps",
            "dpmpp_2m_karras.n30:prev_sample");
    assertThat(
            results.stream()
                .filter(r -> !r.pass())
                .map(CaseResult::line)
                .collect(Collectors.joining("\n")))
        .isEmpty();
  }

  @Test
  void aPerturbedReferenceFailsAtItsIndex(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("schedulers.safetensors");
    try (TensorScope scope = TensorScope.open();
        Safetensors fixture = Safetensors.open(schedulersFile())) {
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

    List<CaseResult> results = SchedulerParity.run(copy);

    assertThat(results).allSatisfy(r -> assertThat(r.name()).startsWith("euler.n4:"));
    assertThat(results.stream().filter(r -> !r.pass()))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.name()).isEqualTo("euler.n4:prev_sample");
              assertThat(r.maxAbsError()).isBetween(0.9e-3, 1.1e-3);
              // [4, 1, 4, 8, 8]: flat element 7 of step 2
              assertThat(r.detail()).contains("worst at [2, 0, 0, 0, 7]");
            });
  }

  @Test
  void aCaseWithoutItsConfigIsReportedByName(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("schedulers.safetensors");
    try (TensorScope scope = TensorScope.open();
        Safetensors fixture = Safetensors.open(schedulersFile())) {
      Safetensors.write(
          copy, Map.of("ddim.n4.timesteps", fixture.tensor("ddim.n4.timesteps")), Map.of());
    }

    assertThatThrownBy(() -> SchedulerParity.run(copy))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ddim.config");
  }
}
